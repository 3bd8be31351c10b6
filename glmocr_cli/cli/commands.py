"""`glmocr`: the command-line face of the library. Parse options, call glmocr_cli.api, set the exit code.

Exit codes: 0 all converted or skipped, 1 at least one document failed (or, with --fail-on flagged,
a page was flagged), 2 usage or configuration error, 130 interrupted (SIGINT), 143 terminated (SIGTERM),
129 hung up (SIGHUP).
"""

from __future__ import annotations

import inspect
import json
import os
import sys
from dataclasses import asdict, fields
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..api import EXIT_USAGE, convert
from ..config import Settings, check_flags, check_ray_address, load_settings
from ..display import shown
from ..errors import CheckpointError, ConfigError, DeviceError
from ..run.lifecycle import handle_sigterm_like_sigint, interrupt_exit_code
from ..run.logs import library_logs_to, route_library_logs
from ..run.progress import make_reporter
from ..options import default_of, flag_names, help_with_default, metavar_of, spec_of, value_type

# rich_markup_mode=None: plain help that wraps at 80 columns without cutting option names (help_format.py)
app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Convert PDFs and images to Markdown, JSON and HTML, offline (GLM-OCR or bundled models).",
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"glmocr-cli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Convert PDFs and images to Markdown, JSON and HTML, offline (GLM-OCR or bundled models)."""


config_app = typer.Typer(no_args_is_help=True, help="Inspect the effective configuration.")
app.add_typer(config_app, name="config")
models_app = typer.Typer(no_args_is_help=True, help="Get, list and check the GLM-OCR and PP-DocLayout-V3 weights.")
app.add_typer(models_app, name="models")

Opt = typer.Option


def _say(line: str) -> None:
    """One line on stderr, names escaped; a terminal that is gone (SIGHUP) must not change the exit code."""
    try:
        typer.echo(shown(line), err=True)
    except OSError:
        pass


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    _say(f"error: {message}")
    raise typer.Exit(code)


def _stdin_paths() -> list[str]:
    """Paths on standard input, one a line or NUL-separated (`find -print0`), kept as the bytes the
    OS names them (a name that is not UTF-8 still opens)."""
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:  # a text stream put in place of stdin
        return sys.stdin.read().splitlines()
    data = raw.read()
    return [os.fsdecode(part) for part in (data.split(b"\0") if b"\0" in data else data.splitlines())]


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _ray_address(value: Optional[str]) -> Optional[str]:
    """--ray's address checked as it is parsed (ConfigError: exit 2, see main): `--ray scans/ -o out`
    says that --ray took the input, before the parser would complain that no input was given."""
    check_ray_address(value)
    return value


PARSE_CHECKS = {"ray": _ray_address}  # settings whose flag is checked while the command line is parsed


def _with_setting_options(command):
    """Give `command` one option per Settings field that is a flag (config.py declares them, options.py
    says how): each defaults to None, so that a config file or the environment can fill it, and the
    help names the effective default. The options go after `config`, in the table's order."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    added = []
    for setting in fields(Settings):
        spec = spec_of(setting)
        if not spec.cli:
            continue
        type_ = value_type(setting)
        info = Opt(
            *flag_names(setting.name, spec),
            metavar=metavar_of(spec, type_),
            show_default=False,
            help=help_with_default(spec, default_of(setting)),
            callback=PARSE_CHECKS.get(setting.name),
        )
        added.append(
            inspect.Parameter(
                setting.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[Optional[list[str] if type_ is list else type_], info],
            )
        )
    at = [p.name for p in own].index("config") + 1
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
    command.__signature__ = signature.replace(parameters=params[:at] + added + params[at:])
    command.__annotations__ = {p.name: p.annotation for p in command.__signature__.parameters.values()}
    return command


@app.command("convert")
@_with_setting_options
def convert_command(
    inputs: Annotated[list[str], typer.Argument(help="Files and folders (recursive); '-' reads paths from stdin.")],
    output: Annotated[
        str, Opt("-o", "--output", metavar="PATH", help="Output folder; mirrors the input tree.")
    ] = "out",
    config: Annotated[Optional[Path], Opt("--config", help="TOML config file (default: ./glmocr.toml).")] = None,
    summary: Annotated[Optional[Path], Opt(help="Write a per-document JSON report here.")] = None,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="Print nothing but errors.")] = False,
    verbose: Annotated[bool, Opt("--verbose", "-v", help="Print tracebacks of failures.")] = False,
    **flags: Any,
) -> None:
    """Convert documents into OUTPUT."""
    flags = {name: _split(value) if isinstance(value, list) else value for name, value in flags.items()}
    try:
        check_flags(flags)
        missing = next((p for p in inputs if p != "-" and not os.path.lexists(p)), None)
        if missing is not None:
            raise ConfigError(f"{missing}: no such file or folder")
        settings, _ = load_settings(config, flags)
        stdin_lines = _stdin_paths() if "-" in inputs else None
        reporter = make_reporter(quiet, verbose)
        with library_logs_to(reporter.info, reporter.warn):  # our library's log records as the reporter's lines
            report = convert(
                inputs,
                output,
                settings,
                reporter=reporter,
                stdin_lines=stdin_lines,
                summary_path=summary,
            )
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM or SIGHUP (run/lifecycle.py)
        _say("interrupted: finished documents are kept; rerun to convert the rest")
        raise typer.Exit(interrupt_exit_code(exc)) from None
    for line in report.problem_lines() if quiet else []:  # -q keeps why the exit code is not 0
        _say(line)
    raise typer.Exit(report.exit_code)


@config_app.command("show")
def config_show(
    config: Annotated[Optional[Path], Opt("--config", help="TOML config file (default: ./glmocr.toml).")] = None,
) -> None:
    """Print the effective settings (defaults < config file < GLMOCR_* environment) and their origin."""
    try:
        settings, origin = load_settings(config)
    except ConfigError as exc:
        _fail(str(exc))
    values = asdict(settings)
    for setting in fields(Settings):
        if spec_of(setting).secret and values[setting.name]:
            values[setting.name] = "***"
    width = max(map(len, values))
    for key, value in values.items():
        typer.echo(f"{key:<{width}}  {json.dumps(value)}  ({origin.get(key, 'default')})")
    from ..api import ocr_languages_report

    typer.echo(ocr_languages_report())


@models_app.command("pull")
def models_pull(
    revision: Annotated[Optional[str], Opt(help="Branch, tag or commit to fetch.")] = None,
) -> None:
    """Download (or resume) zai-org/GLM-OCR and PaddlePaddle/PP-DocLayoutV3_safetensors into the
    Hugging Face cache (HF_HOME, HF_ENDPOINT and HF_HUB_OFFLINE are honoured)."""
    from ..checkpoints import ModelsError, pull

    try:
        for path in pull(revision=revision):
            typer.echo(f"ready: {path}")
    except ModelsError as exc:
        _fail(str(exc), code=1)


def _print_models(infos) -> bool:
    for info in infos:
        size = f"{info.size_bytes / 2**30:.2f} GiB" if info.size_bytes else "-"
        state = info.status if info.status in ("ok", "missing") else "broken"
        typer.echo(f"{info.repo_id:42s} {state:8s} {size:>10s}  {info.path or ''}")
        if info.status not in ("ok", "missing"):
            typer.echo(f"  {info.status}", err=True)
    return all(info.status == "ok" for info in infos)


@models_app.command("list")
def models_list(
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder.")] = None,
    layout_model: Annotated[Optional[str], Opt(help="PP-DocLayout-V3 checkpoint folder.")] = None,
) -> None:
    """What is present, where, and how big."""
    from ..checkpoints import list_models

    _print_models(list_models(model, layout_model))
    from ..api import ocr_languages_report

    typer.echo(ocr_languages_report())


@models_app.command("verify")
def models_verify(
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder.")] = None,
    layout_model: Annotated[Optional[str], Opt(help="PP-DocLayout-V3 checkpoint folder.")] = None,
) -> None:
    """Files complete and configs of the expected architecture; exit 1 if not."""
    from ..checkpoints import verify

    raise typer.Exit(0 if _print_models(verify(model, layout_model)) else 1)


@app.command("serve")
def serve_command(
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder (default: Hugging Face cache).")] = None,
    host: Annotated[str, Opt(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, Opt(help="TCP port.")] = 8000,
    api_key_env: Annotated[
        str, Opt(help="Environment variable holding the API key (unset: no key).")
    ] = "GLMOCR_API_KEY",
    device: Annotated[str, Opt(help="auto | cpu | cuda")] = Settings.device,
    batch_size: Annotated[int, Opt(help="Concurrent requests decoded together.")] = Settings.batch_size,
    max_new_tokens: Annotated[int, Opt(help="Token limit per request.")] = Settings.max_new_tokens,
    max_request_bytes: Annotated[int, Opt(help="Largest request body accepted.")] = 20 * 2**20,
    max_image_pixels: Annotated[int, Opt(help="Largest image accepted.")] = Settings.max_image_pixels,
    request_timeout: Annotated[
        float,
        Opt(
            help="Seconds a request may take, queue included; then it is answered with what was read (finish_reason length)."
        ),
    ] = 120.0,
    mtp: Annotated[bool, Opt("--mtp/--no-mtp", help="Multi-token prediction drafts.")] = Settings.mtp,
    allow_no_key: Annotated[bool, Opt("--allow-no-key", help="Bind a non-loopback --host without an API key.")] = False,
) -> None:
    """Serve the in-process GLM-OCR on an OpenAI-compatible /v1/chat/completions API."""
    from ..serve.guard import bind_refusal, serve_advice

    refusal = bind_refusal(host, os.environ.get(api_key_env), allow_no_key, api_key_env)
    if refusal:
        _fail(refusal)
    if not request_timeout > 0:
        _fail(f"--request-timeout must be a positive number of seconds, got {request_timeout:g}")
    try:
        import uvicorn

        from ..engines.glm import load_glm_recognizer
        from ..serve.app import create_app
    except ImportError as exc:
        _fail(f"glmocr serve needs the serve and glm extras: pip install 'glmocr-cli[glm,serve]' ({exc})")

    # our library's log records (no MTP layer, an untested transformers, a decoder fault) as lines of ours
    route_library_logs(lambda line: _say(f"info: {line}"), lambda line: _say(f"warning: {line}"))
    try:
        recognizer = load_glm_recognizer(
            model, device=device, batch_size=batch_size, max_new_tokens=max_new_tokens, mtp=mtp
        )
    except (CheckpointError, DeviceError) as exc:
        _fail(serve_advice(str(exc)))
    app_ = create_app(
        recognizer,
        api_key=os.environ.get(api_key_env) or None,
        max_request_bytes=max_request_bytes,
        max_image_pixels=max_image_pixels,
        max_new_tokens=max_new_tokens,
        batch_size=batch_size,
        request_timeout=request_timeout,
    )
    typer.echo(f"serving GLM-OCR on http://{host}:{port}/v1/chat/completions", err=True)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _ray_alone(argv: list[str]) -> list[str]:
    """`--ray [ADDRESS]` parsed as click parses an optional-value option (typer 0.29 cannot declare
    one: its `flag_value` is deprecated and ignored): with nothing after it, or an option next, it is
    `--ray=local`; a word after it is always its address, which convert checks by form (config.py
    RAY_ADDRESS), so an input taken for an address is a usage error, never guessed at."""
    fixed = list(argv)
    for i, arg in enumerate(fixed):
        if arg == "--":  # inputs only from here on
            break
        if arg == "--ray":
            following = fixed[i + 1] if i + 1 < len(fixed) else None
            if following is None or (following.startswith("-") and following != "-"):
                fixed[i] = "--ray=local"
            break
    return fixed


def main() -> None:
    from .help_format import tidy_help
    from .usage_errors import is_usage_problem, one_line_usage

    handle_sigterm_like_sigint()
    command = typer.main.get_command(app)  # typer's documented way to the click command (tutorial/using-click)
    tidy_help(command)
    try:
        code = command.main(args=_ray_alone(sys.argv[1:]), prog_name="glmocr", standalone_mode=False)
    except ConfigError as exc:  # a check made while parsing (PARSE_CHECKS)
        _say(f"error: {exc}")
        code = EXIT_USAGE
    except Exception as exc:
        if not is_usage_problem(exc):
            raise
        code = one_line_usage(exc)
    except KeyboardInterrupt as exc:
        code = interrupt_exit_code(exc)
    if code == 130:  # the parser turns an interrupt outside our command into 130
        code = interrupt_exit_code()
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
