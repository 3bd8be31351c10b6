"""What one setting is, said once: its help, metavar, choices, range, default and whether it changes
the outputs. `config.Settings` declares each field with `option(...)`; the CLI, `config show`,
validation, the up-to-date stamps and docs/cli.md all read that declaration.

Adding a `convert` option: one field in `config.Settings`, e.g.

    layout_source: str = option("auto", "Where lite layout comes from.", choices=("auto", "model"))

and, where it changes no output byte (how to run, not what to write), `output=False`. The flag,
the GLMOCR_LAYOUT_SOURCE variable, the glmocr.toml key, validation and the stamps follow; then
`make docs` rewrites docs/cli.md (tests/test_cli_reference.py fails until it does). The field's
place sets its place in `--help`, `config show` and the JSON `options` (a new output-affecting
option adds a key there, so stamped documents are converted again once). A value of another type takes `minimum=`/`maximum=` (range) or `flag=` for a
switch ("--x/--no-x"); `cli=False` keeps it to glmocr.toml and GLMOCR_*.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, Field, dataclass, field
from typing import Any

from .errors import ConfigError

METAVAR_BY_TYPE = {int: "INTEGER", float: "NUMBER", str: "TEXT"}


@dataclass(frozen=True)
class Option:
    help: str
    metavar: str | None = None  # None: from the type (INTEGER, NUMBER, TEXT); "auto|lite|glm" for choices
    choices: tuple[str, ...] = ()
    minimum: float | None = None  # lowest value accepted
    maximum: float | None = None
    accepted: str = ""  # what a range error says is accepted, when "1 or more" / "between 0 and 1" would not do
    output: bool = True  # changes what a document's outputs contain (stamps go stale)
    cli: bool = True  # a `glmocr convert` flag (False: glmocr.toml / GLMOCR_* only)
    flag: str | None = None  # declaration when not --NAME: "--format", "--mtp/--no-mtp"
    default_text: str | None = None  # the default as the help says it, when str(default) would not do
    secret: bool = False  # masked by `config show`


def option(default: Any, help: str, **spec: Any) -> Any:
    """A Settings field carrying its Option (a list default gets a fresh copy per Settings)."""
    metadata = {"option": Option(help, **spec)}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def spec_of(setting: Field) -> Option:
    return setting.metadata["option"]


def default_of(setting: Field) -> Any:
    if setting.default_factory is not MISSING:
        return setting.default_factory()
    return setting.default


def value_type(setting: Field) -> type:
    """bool, int, float, str or list (of str), read from the default as config files and GLMOCR_*
    values are (an unset default: str)."""
    default = default_of(setting)
    return str if default is None else type(default)


def flag_names(name: str, spec: Option) -> list[str]:
    """The declarations typer gets: ["--keep-furniture/--drop-furniture"], ["--format"], ["--dpi"]."""
    return [spec.flag or "--" + name.replace("_", "-")]


def flag_of(name: str, spec: Option) -> str:
    """The flag a message names: --format, --keep-furniture."""
    return flag_names(name, spec)[0].split("/")[0]


def metavar_of(spec: Option, type_: type) -> str | None:
    if type_ is bool:
        return None
    return spec.metavar or ("|".join(spec.choices) if spec.choices else METAVAR_BY_TYPE.get(type_, "TEXT"))


def default_shown(spec: Option, default: Any) -> str | None:
    """The default the help and docs show: none for an unset value or an off switch that has no
    --no- side; the side that is on for a --x/--no-x switch; lists comma-joined."""
    if spec.default_text is not None:
        return spec.default_text
    if default is None or default == [] or (default is False and "/" not in (spec.flag or "")):
        return None
    if isinstance(default, bool):
        on, off = (spec.flag or "").split("/")
        return (on if default else off).lstrip("-")
    return ",".join(map(str, default)) if isinstance(default, list) else str(default)


def help_with_default(spec: Option, default: Any) -> str:
    """The help line: the text, then `[default: X]` unless the text already says its default."""
    text = default_shown(spec, default)
    if text and "default" not in spec.help.lower():
        return f"{spec.help}  [default: {text}]"
    return spec.help


def check_value(name: str, spec: Option, value: Any) -> None:
    """Choices and ranges as one-line usage errors that name the option and what it accepts."""
    if spec.choices and value not in spec.choices:
        raise ConfigError(f"{name} must be one of {', '.join(spec.choices)}, not {value!r}")
    if spec.minimum is None and spec.maximum is None:
        return
    below = spec.minimum is not None and value < spec.minimum
    above = spec.maximum is not None and value > spec.maximum
    if below or above or isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{flag_of(name, spec)} must be {spec.accepted or range_text(spec)}, not {value:g}")


def range_text(spec: Option) -> str:
    """What a range error says is accepted: "between 36 and 1200", "1 or more", "at most 5"."""
    if spec.minimum is not None and spec.maximum is not None:
        return f"between {spec.minimum:g} and {spec.maximum:g}"
    return f"{spec.minimum:g} or more" if spec.minimum is not None else f"at most {spec.maximum:g}"
