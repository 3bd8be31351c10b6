"""A usage error is one line on stderr and exit 2, whatever the parser (typer, click) raised."""
from __future__ import annotations

import sys

from typer import Abort

from .display import shown

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.exceptions import ClickException, NoArgsIsHelpError
except ImportError:  # pragma: no cover - older typer on the real click
    from click.exceptions import ClickException, NoArgsIsHelpError

UsageProblem = (ClickException, Abort)


def one_line_usage(exc: BaseException) -> int:
    """Print the problem as `error: ...` on one line and return the exit code (2 for usage)."""
    if isinstance(exc, NoArgsIsHelpError):   # bare `glmocr convert`: the help is the answer
        exc.show()
        return exc.exit_code
    if isinstance(exc, Abort):
        print("error: aborted", file=sys.stderr)
        return 1
    message = " ".join(exc.format_message().split())
    command = getattr(getattr(exc, "ctx", None), "command_path", None)
    hint = f" (see {command} --help)" if command else ""
    print(shown(f"error: {message}{hint}"), file=sys.stderr, flush=True)
    return exc.exit_code
