"""One settings object: defaults < glmocr.toml (or --config FILE) < GLMOCR_* environment < flags."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError  # noqa: F401  (re-exported)
from .options import check_value, option, spec_of

CONFIG_FILE_NAME = "glmocr.toml"
ENV_PREFIX = "GLMOCR_"


MIN_IMAGE_PIXELS = 10_000  # a 100 x 100 image; anything smaller refuses every page
RUN = dict(output=False)  # how to run, not what to write: no stamp goes stale


@dataclass
class Settings:
    """Every `glmocr convert` setting, declared once (options.py): the field order is the order of
    `config show`, of the JSON `options` and of `glmocr convert --help`."""

    # inputs
    include: list[str] = option([], "Only files matching these globs.", metavar="GLOB", **RUN)
    exclude: list[str] = option([], "Skip files matching these globs.", metavar="GLOB", **RUN)
    pages: str | None = option(None, "Pages to convert, e.g. 1-3,7 (1-based).", metavar="RANGES")
    dpi: int = option(200, "PDF render resolution (default 200).", minimum=36, maximum=1200)
    password: str | None = option(None, "Password for encrypted PDFs.", secret=True, **RUN)
    renderer: str = option(
        "pymupdf", "pymupdf | pdf2image (poppler).", metavar="NAME", choices=("pymupdf", "pdf2image")
    )
    max_image_pixels: int = option(
        100_000_000,
        "Refuse images larger than this many pixels.",  # decompression bombs
        minimum=MIN_IMAGE_PIXELS,
        accepted=f"at least {MIN_IMAGE_PIXELS} (a 100 x 100 image)",
    )
    # engine
    engine: str = option("auto", "auto | lite | glm", choices=("auto", "lite", "glm"))
    text_layer: str = option("auto", "auto: use a PDF's own text layer; off: OCR everything.", choices=("auto", "off"))
    layout_source: str = option(
        "auto",
        "Lite layout model: cdla (Chinese papers), doclaynet (Western documents), pymupdf (PyMuPDF 2's own, "
        "text-layer pages), auto (by page kind).",
        choices=("cdla", "doclaynet", "pymupdf", "auto"),
    )
    keep_furniture: bool = option(
        False, "Keep headers, footers and footnotes in Markdown.", flag="--keep-furniture/--drop-furniture"
    )
    label_task: list[str] = option(
        [], "Label -> task override, e.g. chart=text, footnote=text (repeatable).", metavar="LABEL=TASK"
    )
    layout_threshold: list[str] = option(
        [], "Layout score threshold: 0.4, or per label table=0.5 (glm; repeatable).", metavar="[LABEL=]SCORE"
    )
    min_confidence: float = option(
        0.6, "Below this a text region is flagged low-confidence.", cli=False, minimum=0.0, maximum=1.0
    )
    ocr_lang: str = option(
        "auto", "Tesseract languages for scripts PP-OCRv6 cannot read: auto (default) or e.g. ara,kor."
    )
    model: str | None = option(None, "GLM-OCR checkpoint folder (default: Hugging Face cache).", metavar="DIR")
    layout_model: str | None = option(None, "PP-DocLayout-V3 checkpoint folder.", metavar="DIR")
    device: str = option("auto", "auto | cpu | cuda (glm engine).", choices=("auto", "cpu", "cuda"))
    batch_size: int = option(8, "Region crops per batch (glm engine).", minimum=1)
    max_new_tokens: int = option(8192, "Token limit per region (glm engine).", minimum=1)
    repetition_penalty: float = option(
        1.1, "GLM decoding repetition penalty.", cli=False, minimum=0.001, accepted="above 0"
    )
    mtp: bool = option(True, "Multi-token prediction drafts (glm engine).", flag="--mtp/--no-mtp")
    draft_tokens: int = option(1, "MTP draft tokens per step.", minimum=1)
    recognizer_url: str | None = option(
        None,
        "OpenAI-compatible server reading the crops (vLLM, SGLang, glmocr serve); key from GLMOCR_API_KEY.",
        metavar="URL",
    )
    recognizer_concurrency: int = option(8, "Requests in flight to --recognizer-url.", minimum=1, **RUN)
    recognizer_timeout: float = option(
        120.0,
        "Seconds per request to --recognizer-url.",
        metavar="SECONDS",
        minimum=0.001,
        accepted="a number of seconds above 0",
        **RUN,
    )
    # outputs
    formats: list[str] = option(["md", "json", "html"], "Outputs: md,json,html.", flag="--format", metavar="FORMATS")
    layout_vis: bool = option(False, "Write a PNG per page with the layout boxes.", flag="--layout-vis")
    extract: str | None = option(
        None, "Comma list of keys, or a JSON Schema as @FILE or FILE.json -> NAME.kv.json.", metavar="SCHEMA|KEYS"
    )
    # run
    workers: int = option(
        0,
        "Worker processes (default: number of cores).",  # with --ray: cap on actors, 0 = all
        minimum=0,
        accepted="0 or more (0: one per core)",
        **RUN,
    )
    force: bool = option(False, "Redo documents whose outputs are up to date.", flag="--force", **RUN)
    prune: bool = option(False, "Remove the outputs of inputs that no longer exist.", flag="--prune", **RUN)
    ray: str | None = option(
        None,
        "Run on Ray: alone (or 'local') starts a local instance; 'auto', ray://HOST:PORT or HOST:PORT joins a cluster.",
        metavar="[ADDRESS]",
        **RUN,
    )
    num_gpus_per_worker: float = option(0.0, "GPUs per Ray actor (GPU actors where GPUs exist).", minimum=0.0, **RUN)
    fail_on: str = option(
        "failure",
        "Exit 1 on: failure (a document failed), flagged (also a page flagged "
        "unreadable, damaged or in an unsupported script), never.",
        choices=("never", "failure", "flagged"),
        **RUN,
    )
    document_timeout: float = option(
        0.0,
        "Fail a document that runs longer than this; the batch goes on.",
        metavar="SECONDS",
        minimum=0.0,
        default_text="no limit",
        accepted="a number of seconds above 0 (0: no limit)",
        **RUN,
    )

    def effective_workers(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)

    def output_affecting(self) -> dict[str, Any]:
        """The options that change what a document's outputs contain (for up-to-date checks)."""
        return {f.name: v for f, v in zip(fields(self), asdict(self).values()) if spec_of(f).output}

    def label_tasks(self) -> dict[str, Any]:
        """The run's label -> Task mapping: the SDK's, furniture kept on --keep-furniture, --label-task."""
        from .document import label_tasks

        return label_tasks(self.label_task_overrides(), self.keep_furniture)

    def label_task_overrides(self) -> dict[str, str]:
        """{'chart': 'text', ...} from the "label=task" entries."""
        from .document import LABELS, Task

        overrides = {}
        for entry in self.label_task:
            label, _, task = entry.partition("=")
            if label.strip() not in LABELS or task.strip() not in {t.value for t in Task}:
                raise ConfigError(
                    f"--label-task {entry!r}: use LABEL=TASK with a PP-DocLayout-V3 label and one of "
                    f"{', '.join(t.value for t in Task)}"
                )
            overrides[label.strip()] = task.strip()
        return overrides

    def layout_thresholds(self) -> tuple[float | None, dict[str, float]]:
        """The global score threshold (None: the default 0.3) and per-label overrides."""
        from .document import LABELS

        overall, per_label = None, {}
        for entry in self.layout_threshold:
            label, _, value = entry.rpartition("=")
            try:
                number = float(value)
            except ValueError:
                number = -1.0
            if not 0.0 <= number <= 1.0 or (label and label not in LABELS):
                raise ConfigError(f"--layout-threshold {entry!r}: use 0.4 or LABEL=0.5 (0 to 1)")
            if label:
                per_label[label] = number
            else:
                overall = number
        return overall, per_label

    def validate(self) -> None:
        for setting in fields(self):
            check_value(setting.name, spec_of(setting), getattr(self, setting.name))
        unknown = set(self.formats) - {"md", "json", "html"}
        if unknown or not self.formats:
            raise ConfigError(f"--format takes md, json, html; got {','.join(self.formats) or 'nothing'}")
        if self.pages is not None:
            parse_page_ranges(self.pages)
        self.label_task_overrides()
        self.layout_thresholds()
        check_ray_address(self.ray)
        if self.renderer == "pdf2image":
            import importlib.util
            import shutil

            if importlib.util.find_spec("pdf2image") is None or shutil.which("pdftoppm") is None:
                raise ConfigError(
                    "--renderer pdf2image needs `pip install 'glmocr-cli[pdf2image]'` and poppler's "
                    "pdftoppm (Debian: apt-get install poppler-utils)"
                )
        if self.layout_source == "pymupdf":
            from .pymupdf_features import check_available

            check_available()
        if self.ocr_lang != "auto":
            from .ocr_languages import check_ocr_languages

            check_ocr_languages(self.ocr_lang)


# A Ray address is told by its form, never by what exists on disk: auto, local, ray://HOST:PORT, HOST:PORT.
RAY_ADDRESS = re.compile(r"auto|local|(ray://)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}")


def check_ray_address(address: str | None) -> None:
    """A value that names an input (`--ray scans/ ...`: the address took the input's place) says so."""
    if not address or RAY_ADDRESS.fullmatch(address):
        return
    if os.path.lexists(address):
        raise ConfigError(
            f"--ray took {address!r} as its address; write `--ray local` or `--ray auto`, or put --ray after the inputs"
        )
    raise ConfigError(f"--ray {address!r} is not a Ray address; write auto, local, ray://HOST:PORT or HOST:PORT")


def check_flags(flags: dict) -> None:
    """Values that only make no sense when given as a flag: `--workers 0` (0 is the default's
    "one per core", which the flag cannot ask for by name)."""
    if flags.get("workers") is not None and flags["workers"] < 1:
        raise ConfigError(f"--workers must be 1 or more (leave it out for one per core), not {flags['workers']}")


def parse_page_ranges(spec: str) -> list[tuple[int, int | None]]:
    """'1-3,7,10-' -> [(1, 3), (7, 7), (10, None)], 1-based and inclusive."""
    ranges: list[tuple[int, int | None]] = []
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                lo, hi = part.split("-", 1)
                ranges.append((int(lo) if lo else 1, int(hi) if hi else None))
            else:
                ranges.append((int(part), int(part)))
        except ValueError:
            raise ConfigError(f"--pages: cannot read {part!r} (use e.g. 1-3,7)") from None
    if not ranges or any(lo < 1 or (hi is not None and hi < lo) for lo, hi in ranges):
        raise ConfigError(f"--pages: {spec!r} is not a list of 1-based page ranges")
    return ranges


def page_selected(ranges: list[tuple[int, int | None]] | None, page_number: int) -> bool:
    return ranges is None or any(lo <= page_number and (hi is None or page_number <= hi) for lo, hi in ranges)


def _coerce(name: str, raw: Any, source: str) -> Any:
    """Turn a value from TOML or the environment into the field's type."""
    default = getattr(Settings(), name)
    try:
        if isinstance(default, bool):
            if isinstance(raw, bool):
                return raw
            lowered = str(raw).strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            return [s.strip() for s in raw.split(",") if s.strip()] if isinstance(raw, str) else list(raw)
        return None if raw in ("", None) else str(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name} = {raw!r} is not a valid value") from None


def _apply(values: dict[str, Any], source: str, into: dict[str, Any]) -> None:
    known = {f.name for f in fields(Settings)}
    for key, raw in values.items():
        name = key.replace("-", "_")
        if name == "format":
            name = "formats"
        if name not in known:
            raise ConfigError(f"{source}: unknown setting {key!r}")
        into[name] = _coerce(name, raw, source)


def load_settings(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[Settings, dict[str, str]]:
    """Build the effective settings; also returns where each non-default value came from."""
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}

    path = config_file or (cwd or Path.cwd()) / CONFIG_FILE_NAME
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"{config_file}: config file not found")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        section = data.get("glmocr", data)
        before = dict(values)
        _apply(section, str(path), values)
        origin.update({k: str(path) for k in values if values.get(k) != before.get(k) or k not in before})

    env = os.environ if environ is None else environ
    from_env = {
        k[len(ENV_PREFIX) :].lower(): v
        for k, v in env.items()
        if k.startswith(ENV_PREFIX) and k not in (ENV_PREFIX + "API_KEY",)
    }
    env_values: dict[str, Any] = {}
    _apply(from_env, "environment", env_values)
    values.update(env_values)
    origin.update({k: f"{ENV_PREFIX}{k.upper()}" for k in env_values})

    flag_values = {k: v for k, v in (overrides or {}).items() if v is not None}
    values.update(flag_values)
    origin.update({k: "flag" for k in flag_values})

    settings = Settings(**values)
    settings.validate()
    return settings, origin
