"""Help that reads at 80 columns: plain click layout, metavars a user knows, the real defaults.

Typer's own help shows `<list[str]>` and, in its rich boxes, cuts long option names short
(`--recognizer-conc…`). The options of `convert` come with their metavar and default from the
options table (config.Settings); the other commands' options that share a setting's name (serve's
--device, models' --model) take the table's metavar.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from ..config import Settings
from ..options import metavar_of, spec_of

METAVAR_BY_TYPE = {Path: "PATH", int: "INTEGER", float: "NUMBER", str: "TEXT", bool: "BOOLEAN"}
METAVAR_BY_NAME = {
    "host": "ADDRESS",
    "api_key_env": "NAME",
    **{
        f.name: metavar_of(spec_of(f), str) or "TEXT"
        for f in fields(Settings)
        if spec_of(f).metavar or spec_of(f).choices
    },
}


def _metavar(param) -> str:
    if param.name in METAVAR_BY_NAME:
        return METAVAR_BY_NAME[param.name]
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    return METAVAR_BY_TYPE.get(annotation, "TEXT")


def _default_text(param) -> str | None:
    value = param.default
    if value is None or value == [] or (value is False and not param.secondary_opts):
        return None
    if isinstance(value, bool):  # --mtp/--no-mtp: name the side that is on
        return (param.opts if value else param.secondary_opts)[0].lstrip("-")
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def tidy_help(group) -> None:
    """Rewrite metavars, the arguments' usage names and defaults of every command under `group`."""
    commands = list(getattr(group, "commands", {}).values())
    while commands:
        command = commands.pop()
        commands.extend(getattr(command, "commands", {}).values())
        for param in command.params:
            if param.param_type_name == "argument":
                name = param.name.upper() + ("..." if param.nargs != 1 else "")
                param.metavar = name
                param.get_usage_pieces = lambda ctx, name=name: [name]  # no {braces} on the usage line
                param.display_type_rich = lambda ctx: None  # the name says it: no <list[str]>
                continue
            if param.is_flag or param.name in ("help", "version"):
                if not (param.is_flag and param.secondary_opts):
                    continue
            elif param.metavar is None:
                param.metavar = _metavar(param)
            text = _default_text(param)
            help_text = param.help or ""
            if text and "default" not in help_text.lower():
                param.help = f"{help_text}  [default: {text}]".strip()
            param.show_default = False
