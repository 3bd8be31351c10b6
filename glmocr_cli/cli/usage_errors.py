"""A usage error is one line on stderr and exit 2, whatever the parser (typer, click) raised.

Typer >= 0.2x carries its own copy of click under a private name, so a parser error is known here by
click's public face (an int `exit_code` and `format_message()`), not by its class.
"""

from __future__ import annotations

import sys
from typing import Any

from typer import Abort

from ..display import shown


def is_usage_problem(exc: BaseException) -> bool:
    """The parser's complaint (click's ClickException, in typer's copy or click's own) or an abort."""
    return isinstance(exc, Abort) or (
        isinstance(getattr(exc, "exit_code", None), int) and callable(getattr(exc, "format_message", None))
    )


def one_line_usage(exc: Any) -> int:
    """Print the problem as `error: ...` on one line and return the exit code (2 for usage)."""
    if isinstance(exc, Abort):
        print("error: aborted", file=sys.stderr)
        return 1
    context = getattr(exc, "ctx", None)
    if context is not None and exc.format_message() == context.get_help():  # bare `glmocr convert`
        exc.show()  # the help is the answer
        return exc.exit_code
    message = " ".join(exc.format_message().split())
    command = getattr(context, "command_path", None)
    hint = f" (see {command} --help)" if command else ""
    print(shown(f"error: {message}{hint}"), file=sys.stderr, flush=True)
    return exc.exit_code
