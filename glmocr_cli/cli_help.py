"""Help that reads at 80 columns: plain click layout, metavars a user knows, the real defaults.

Typer's own help shows `<list[str]>` and, in its rich boxes, cuts long option names short
(`--recognizer-conc…`). Options of `convert` default to None in the signature (so that a config
file or the environment can fill them), which hides the effective default: it is read from
Settings here.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from .config import Settings

METAVAR_BY_TYPE = {Path: "PATH", int: "INTEGER", float: "NUMBER", str: "TEXT", bool: "BOOLEAN"}
METAVAR_BY_NAME = {"model": "DIR", "layout_model": "DIR", "pages": "RANGES", "engine": "auto|lite|glm",
                   "device": "auto|cpu|cuda", "renderer": "NAME", "text_layer": "auto|off",
                   "layout_source": "cdla|doclaynet|auto",
                   "fail_on": "never|failure|flagged", "recognizer_url": "URL", "host": "ADDRESS",
                   "api_key_env": "NAME", "fmt": "FORMATS", "label_task": "LABEL=TASK",
                   "layout_threshold": "[LABEL=]SCORE", "extract": "SCHEMA|KEYS", "include": "GLOB",
                   "exclude": "GLOB", "document_timeout": "SECONDS", "recognizer_timeout": "SECONDS"}
DEFAULT_TEXT = {"formats": "md,json,html", "document_timeout": "no limit"}
SETTING_OF_OPTION = {"fmt": "formats"}


def _metavar(param) -> str:
    if param.name in METAVAR_BY_NAME:
        return METAVAR_BY_NAME[param.name]
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", str)
    return METAVAR_BY_TYPE.get(annotation, "TEXT")


def _default_text(param, defaults: dict) -> str | None:
    name = SETTING_OF_OPTION.get(param.name, param.name)
    if name in DEFAULT_TEXT:
        return DEFAULT_TEXT[name]
    value = defaults.get(name, param.default)
    if value is None or value == [] or (value is False and not param.secondary_opts):
        return None
    if isinstance(value, bool):   # --mtp/--no-mtp: name the side that is on
        return (param.opts if value else param.secondary_opts)[0].lstrip("-")
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def tidy_help(group) -> None:
    """Rewrite metavars, the arguments' usage names and defaults of every command under `group`."""
    defaults = {f.name: getattr(Settings(), f.name) for f in fields(Settings)}
    commands = list(getattr(group, "commands", {}).values())
    while commands:
        command = commands.pop()
        commands.extend(getattr(command, "commands", {}).values())
        for param in command.params:
            if param.param_type_name == "argument":
                name = param.name.upper() + ("..." if param.nargs != 1 else "")
                param.metavar = name
                param._usage_display_name = lambda name=name: name   # no {braces} on the usage line
                param.display_type_rich = lambda ctx: None            # the name says it: no <list[str]>
                continue
            if param.is_flag or param.name in ("help", "version"):
                if not (param.is_flag and param.secondary_opts):
                    continue
            elif param.metavar is None:
                param.metavar = _metavar(param)
            text = _default_text(param, defaults if command.name == "convert" else {})
            help_text = param.help or ""
            if text and "default" not in help_text.lower():
                param.help = f"{help_text}  [default: {text}]".strip()
            param.show_default = False
