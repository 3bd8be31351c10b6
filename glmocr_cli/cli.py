"""`glmocr`: the command-line face of the library. Parse options, call glmocr_cli.api, set the exit code.

Exit codes: 0 all converted or skipped, 1 at least one document failed (or, with --fail-on flagged,
a page was flagged), 2 usage or configuration error, 130 interrupted (SIGINT), 143 terminated (SIGTERM),
129 hung up (SIGHUP).
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Optional

import typer

from .api import EXIT_USAGE, convert
from .config import load_settings
from .display import shown
from .errors import CheckpointError, ConfigError, DeviceError
from .run.lifecycle import handle_sigterm_like_sigint, interrupt_exit_code
from .run.progress import make_reporter
from .settings_check import check_flags

# rich_markup_mode=None: plain help that wraps at 80 columns without cutting option names (cli_help.py)
app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Convert PDFs and images to Markdown, JSON and HTML, offline (GLM-OCR or bundled models).")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"glmocr-cli {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False) -> None:
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
    if raw is None:   # a text stream put in place of stdin
        return sys.stdin.read().splitlines()
    data = raw.read()
    return [os.fsdecode(part) for part in (data.split(b"\0") if b"\0" in data else data.splitlines())]


def _split(values: Optional[list[str]]) -> Optional[list[str]]:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@app.command("convert")
def convert_command(
    inputs: Annotated[list[str], typer.Argument(help="Files and folders (recursive); '-' reads paths from stdin.")],
    output: Annotated[str, Opt("-o", "--output", metavar="PATH", help="Output folder; mirrors the input tree.")] = "out",
    config: Annotated[Optional[Path], Opt("--config", help="TOML config file (default: ./glmocr.toml).")] = None,
    engine: Annotated[Optional[str], Opt(help="auto | lite | glm")] = None,
    fmt: Annotated[Optional[list[str]], Opt("--format", help="Outputs: md,json,html.")] = None,
    include: Annotated[Optional[list[str]], Opt(help="Only files matching these globs.")] = None,
    exclude: Annotated[Optional[list[str]], Opt(help="Skip files matching these globs.")] = None,
    pages: Annotated[Optional[str], Opt(help="Pages to convert, e.g. 1-3,7 (1-based).")] = None,
    dpi: Annotated[Optional[int], Opt(help="PDF render resolution (default 200).")] = None,
    password: Annotated[Optional[str], Opt(help="Password for encrypted PDFs.")] = None,
    renderer: Annotated[Optional[str], Opt(help="pymupdf | pdf2image (poppler).")] = None,
    text_layer: Annotated[Optional[str], Opt(help="auto: use a PDF's own text layer; off: OCR everything.")] = None,
    layout_source: Annotated[Optional[str], Opt(help="Lite layout model: cdla (Chinese papers), doclaynet (Western documents), auto (by page kind).")] = None,
    ocr_lang: Annotated[Optional[str], Opt(help="Tesseract languages for scripts PP-OCRv6 cannot read: auto (default) or e.g. ara,kor.")] = None,
    keep_furniture: Annotated[Optional[bool], Opt("--keep-furniture/--drop-furniture",
                                                  help="Keep headers, footers and footnotes in Markdown.")] = None,
    label_task: Annotated[Optional[list[str]], Opt(help="Label -> task override, e.g. chart=text, footnote=text (repeatable).")] = None,
    layout_threshold: Annotated[Optional[list[str]], Opt(help="Layout score threshold: 0.4, or per label table=0.5 (glm; repeatable).")] = None,
    layout_vis: Annotated[Optional[bool], Opt("--layout-vis", help="Write a PNG per page with the layout boxes.")] = None,
    extract: Annotated[Optional[str], Opt(help="Comma list of keys, or a JSON Schema as @FILE or FILE.json -> NAME.kv.json.")] = None,
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder (default: Hugging Face cache).")] = None,
    layout_model: Annotated[Optional[str], Opt(help="PP-DocLayout-V3 checkpoint folder.")] = None,
    device: Annotated[Optional[str], Opt(help="auto | cpu | cuda (glm engine).")] = None,
    batch_size: Annotated[Optional[int], Opt(help="Region crops per batch (glm engine).")] = None,
    max_new_tokens: Annotated[Optional[int], Opt(help="Token limit per region (glm engine).")] = None,
    mtp: Annotated[Optional[bool], Opt("--mtp/--no-mtp", help="Multi-token prediction drafts (glm engine).")] = None,
    draft_tokens: Annotated[Optional[int], Opt(help="MTP draft tokens per step.")] = None,
    recognizer_url: Annotated[Optional[str], Opt(help="OpenAI-compatible server reading the crops (vLLM, SGLang, glmocr serve); key from GLMOCR_API_KEY.")] = None,
    recognizer_concurrency: Annotated[Optional[int], Opt(help="Requests in flight to --recognizer-url.")] = None,
    recognizer_timeout: Annotated[Optional[float], Opt(help="Seconds per request to --recognizer-url.")] = None,
    max_image_pixels: Annotated[Optional[int], Opt(help="Refuse images larger than this many pixels.")] = None,
    workers: Annotated[Optional[int], Opt(help="Worker processes (default: number of cores).")] = None,
    force: Annotated[Optional[bool], Opt("--force", help="Redo documents whose outputs are up to date.")] = None,
    prune: Annotated[Optional[bool], Opt("--prune", help="Remove the outputs of inputs that no longer exist.")] = None,
    ray: Annotated[Optional[str], Opt("--ray", is_flag=False, flag_value="local", metavar="[ADDRESS]",
                                      help="Run on Ray: alone starts a local instance; 'auto' or ray://host:port joins a cluster.")] = None,
    num_gpus_per_worker: Annotated[Optional[float], Opt(help="GPUs per Ray actor (GPU actors where GPUs exist).")] = None,
    summary: Annotated[Optional[Path], Opt(help="Write a per-document JSON report here.")] = None,
    fail_on: Annotated[Optional[str], Opt(help="Exit 1 on: failure (a document failed), flagged (also a page flagged "
                                               "unreadable, damaged or in an unsupported script), never.")] = None,
    document_timeout: Annotated[Optional[float], Opt(help="Fail a document that runs longer than this; the batch goes on.")] = None,
    quiet: Annotated[bool, Opt("--quiet", "-q", help="Print nothing but errors.")] = False,
    verbose: Annotated[bool, Opt("--verbose", "-v", help="Print tracebacks of failures.")] = False,
) -> None:
    """Convert documents into OUTPUT."""
    flags = dict(engine=engine, formats=_split(fmt), include=_split(include), exclude=_split(exclude), pages=pages,
                 dpi=dpi, password=password, renderer=renderer, text_layer=text_layer, layout_source=layout_source, ocr_lang=ocr_lang, keep_furniture=keep_furniture,
                 label_task=_split(label_task), layout_threshold=_split(layout_threshold), layout_vis=layout_vis, extract=extract, model=model, layout_model=layout_model, device=device,
                 batch_size=batch_size, max_new_tokens=max_new_tokens, mtp=mtp, draft_tokens=draft_tokens,
                 recognizer_url=recognizer_url, recognizer_concurrency=recognizer_concurrency,
                 recognizer_timeout=recognizer_timeout,
                 max_image_pixels=max_image_pixels, workers=workers, force=force, prune=prune, ray=ray,
                 num_gpus_per_worker=num_gpus_per_worker, fail_on=fail_on, document_timeout=document_timeout)
    try:
        check_flags(flags)
        missing = next((p for p in inputs if p != "-" and not os.path.lexists(p)), None)
        if missing is not None:
            raise ConfigError(f"{missing}: no such file or folder")
        settings, _ = load_settings(config, flags)
        stdin_lines = _stdin_paths() if "-" in inputs else None
        report = convert(inputs, output, settings, reporter=make_reporter(quiet, verbose),
                         stdin_lines=stdin_lines, summary_path=summary)
    except ConfigError as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:   # Ctrl-C, SIGTERM or SIGHUP (run/lifecycle.py)
        _say("interrupted: finished documents are kept; rerun to convert the rest")
        raise typer.Exit(interrupt_exit_code(exc)) from None
    for line in report.problem_lines() if quiet else []:   # -q keeps why the exit code is not 0
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
    if values.get("password"):
        values["password"] = "***"
    width = max(map(len, values))
    for key, value in values.items():
        typer.echo(f"{key:<{width}}  {json.dumps(value)}  ({origin.get(key, 'default')})")
    from .api import ocr_languages_report

    typer.echo(ocr_languages_report())


@models_app.command("pull")
def models_pull(
    revision: Annotated[Optional[str], Opt(help="Branch, tag or commit to fetch.")] = None,
) -> None:
    """Download (or resume) zai-org/GLM-OCR and PaddlePaddle/PP-DocLayoutV3_safetensors into the
    Hugging Face cache (HF_HOME, HF_ENDPOINT and HF_HUB_OFFLINE are honoured)."""
    from .models import ModelsError, pull

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
    from .models import list_models

    _print_models(list_models(model, layout_model))
    from .api import ocr_languages_report

    typer.echo(ocr_languages_report())


@models_app.command("verify")
def models_verify(
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder.")] = None,
    layout_model: Annotated[Optional[str], Opt(help="PP-DocLayout-V3 checkpoint folder.")] = None,
) -> None:
    """Files complete and configs of the expected architecture; exit 1 if not."""
    from .models import verify

    raise typer.Exit(0 if _print_models(verify(model, layout_model)) else 1)


@app.command("serve")
def serve_command(
    model: Annotated[Optional[str], Opt(help="GLM-OCR checkpoint folder (default: Hugging Face cache).")] = None,
    host: Annotated[str, Opt(help="Address to bind; 127.0.0.1 keeps it on this machine.")] = "127.0.0.1",
    port: Annotated[int, Opt(help="TCP port.")] = 8000,
    api_key_env: Annotated[str, Opt(help="Environment variable holding the API key (unset: no key).")] = "GLMOCR_API_KEY",
    device: Annotated[str, Opt(help="auto | cpu | cuda")] = "auto",
    batch_size: Annotated[int, Opt(help="Concurrent requests decoded together.")] = 8,
    max_new_tokens: Annotated[int, Opt(help="Token limit per request.")] = 8192,
    max_request_bytes: Annotated[int, Opt(help="Largest request body accepted.")] = 20 * 2**20,
    max_image_pixels: Annotated[int, Opt(help="Largest image accepted.")] = 100_000_000,
    request_timeout: Annotated[float, Opt(help="Seconds a request may take, queue included; then it is answered with what was read (finish_reason length).")] = 120.0,
    mtp: Annotated[bool, Opt("--mtp/--no-mtp", help="Multi-token prediction drafts.")] = True,
    allow_no_key: Annotated[bool, Opt("--allow-no-key", help="Bind a non-loopback --host without an API key.")] = False,
) -> None:
    """Serve the in-process GLM-OCR on an OpenAI-compatible /v1/chat/completions API."""
    from .serve.guard import bind_refusal, serve_advice

    refusal = bind_refusal(host, os.environ.get(api_key_env), allow_no_key, api_key_env)
    if refusal:
        _fail(refusal)
    if not request_timeout > 0:
        _fail(f"--request-timeout must be a positive number of seconds, got {request_timeout:g}")
    try:
        import uvicorn

        from .engines.glm import load_glm_recognizer
        from .serve.app import create_app
    except ImportError as exc:
        _fail(f"glmocr serve needs the serve and glm extras: pip install 'glmocr-cli[glm,serve]' ({exc})")

    try:
        recognizer = load_glm_recognizer(model, device=device, batch_size=batch_size, max_new_tokens=max_new_tokens,
                                         mtp=mtp)
    except (CheckpointError, DeviceError) as exc:
        _fail(serve_advice(str(exc)))
    app_ = create_app(recognizer, api_key=os.environ.get(api_key_env) or None, max_request_bytes=max_request_bytes,
                      max_image_pixels=max_image_pixels, max_new_tokens=max_new_tokens, batch_size=batch_size,
                      request_timeout=request_timeout)
    typer.echo(f"serving GLM-OCR on http://{host}:{port}/v1/chat/completions", err=True)
    uvicorn.run(app_, host=host, port=port, log_level="warning")


def _ray_flag_alone(argv: list[str]) -> list[str]:
    """`--ray` takes an optional ADDRESS; alone (last, or before another option or an input path
    that exists) it means a local Ray instance."""
    fixed = list(argv)
    for i, arg in enumerate(fixed):
        if arg == "--ray":
            following = fixed[i + 1] if i + 1 < len(fixed) else None
            if following is None or following.startswith("-") or Path(following).exists():
                fixed.insert(i + 1, "local")
            break
    return fixed


def main() -> None:
    from .cli_help import tidy_help
    from .usage_errors import UsageProblem, one_line_usage

    handle_sigterm_like_sigint()
    command = typer.main.get_command(app)
    tidy_help(command)
    try:
        code = command.main(args=_ray_flag_alone(sys.argv[1:]), prog_name="glmocr", standalone_mode=False)
    except UsageProblem as exc:
        code = one_line_usage(exc)
    except KeyboardInterrupt as exc:
        code = interrupt_exit_code(exc)
    if code == 130:   # the parser turns an interrupt outside our command into 130
        code = interrupt_exit_code()
    sys.exit(code or 0)


if __name__ == "__main__":
    main()
