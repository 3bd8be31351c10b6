"""The `glmocr` command: `commands.py` (the Typer app), `help_format.py`, `usage_errors.py`, and
`reference.py` (docs/cli.md). The console script runs `glmocr_cli.cli:main`."""

from .commands import app, main

__all__ = ["app", "main"]
