"""One settings object: defaults < glmocr.toml (or --config FILE) < GLMOCR_* environment < flags."""
from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError  # noqa: F401  (re-exported)

CONFIG_FILE_NAME = "glmocr.toml"
ENV_PREFIX = "GLMOCR_"


@dataclass
class Settings:
    # inputs
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    pages: str | None = None            # "1-3,7" (1-based)
    dpi: int = 200
    password: str | None = None
    renderer: str = "pymupdf"           # pymupdf | pdf2image
    max_image_pixels: int = 100_000_000  # decompression-bomb guard
    # engine
    engine: str = "auto"                # auto | lite | glm
    text_layer: str = "auto"            # auto | off
    layout_source: str = "auto"         # lite layout model: cdla | doclaynet | auto (by page kind)
    keep_furniture: bool = False        # headers, footers, footnotes into Markdown
    label_task: list[str] = field(default_factory=list)        # "chart=text": label -> task overrides
    layout_threshold: list[str] = field(default_factory=list)  # "0.4" and/or "table=0.5" (glm layout)
    min_confidence: float = 0.6         # below this a text region is flagged low-confidence
    ocr_lang: str = "auto"              # Tesseract languages for scripts PP-OCRv6 cannot read: auto | ara,kor,...
    model: str | None = None            # GLM-OCR checkpoint dir (or HF cache)
    layout_model: str | None = None     # PP-DocLayout-V3 checkpoint dir
    device: str = "auto"                # auto | cpu | cuda
    batch_size: int = 8
    max_new_tokens: int = 8192
    repetition_penalty: float = 1.1
    mtp: bool = True
    draft_tokens: int = 1
    recognizer_url: str | None = None   # OpenAI-compatible server instead of the in-process model
    recognizer_concurrency: int = 8
    recognizer_timeout: float = 120.0
    # outputs
    formats: list[str] = field(default_factory=lambda: ["md", "json", "html"])
    layout_vis: bool = False
    extract: str | None = None          # JSON Schema file or "a,b,c"
    # run
    workers: int = 0                    # 0: number of cores (with --ray: cap on actors, 0 = all)
    force: bool = False
    ray: str | None = None              # None: local processes; "local", "auto", "ray://host:port"
    num_gpus_per_worker: float = 0.0
    fail_on: str = "failure"            # never | failure | flagged: what makes the exit code 1
    document_timeout: float = 0.0       # seconds per document; 0 = no limit

    def effective_workers(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)

    def output_affecting(self) -> dict[str, Any]:
        """The options that change what a document's outputs contain (for up-to-date checks)."""
        skip = {"workers", "force", "include", "exclude", "password", "ray", "num_gpus_per_worker",
                "recognizer_concurrency", "recognizer_timeout", "fail_on", "document_timeout"}
        return {k: v for k, v in asdict(self).items() if k not in skip}

    def label_tasks(self) -> dict[str, Any]:
        """The run's label -> Task mapping: the SDK's, furniture kept on --keep-furniture, --label-task."""
        from .layout.postprocess import label_tasks

        return label_tasks(self.label_task_overrides(), self.keep_furniture)

    def label_task_overrides(self) -> dict[str, str]:
        """{'chart': 'text', ...} from the "label=task" entries."""
        from .document import LABELS, Task

        overrides = {}
        for entry in self.label_task:
            label, _, task = entry.partition("=")
            if label.strip() not in LABELS or task.strip() not in {t.value for t in Task}:
                raise ConfigError(f"--label-task {entry!r}: use LABEL=TASK with a PP-DocLayout-V3 label and one of "
                                  f"{', '.join(t.value for t in Task)}")
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
        choices = {
            "engine": ("auto", "lite", "glm"), "text_layer": ("auto", "off"),
            "layout_source": ("cdla", "doclaynet", "auto"),
            "renderer": ("pymupdf", "pdf2image"), "device": ("auto", "cpu", "cuda"),
            "fail_on": ("never", "failure", "flagged"),
        }
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        unknown = set(self.formats) - {"md", "json", "html"}
        if unknown or not self.formats:
            raise ConfigError(f"--format takes md, json, html; got {','.join(self.formats) or 'nothing'}")
        if not 36 <= self.dpi <= 1200:
            raise ConfigError(f"--dpi must be between 36 and 1200, not {self.dpi}")
        if self.pages is not None:
            parse_page_ranges(self.pages)
        self.label_task_overrides()
        self.layout_thresholds()
        if self.renderer == "pdf2image":
            import importlib.util
            import shutil

            if importlib.util.find_spec("pdf2image") is None or shutil.which("pdftoppm") is None:
                raise ConfigError("--renderer pdf2image needs `pip install 'glmocr-cli[pdf2image]'` and poppler's "
                                  "pdftoppm (Debian: apt-get install poppler-utils)")
        if self.ocr_lang != "auto":
            from .recognize.ocr_languages import check_ocr_languages

            check_ocr_languages(self.ocr_lang)
        if self.workers < 0 or self.batch_size < 1 or self.draft_tokens < 1:
            raise ConfigError("--workers, --batch-size and --draft-tokens must be positive")
        from .settings_check import check_ranges

        check_ranges(self)


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
    from_env = {k[len(ENV_PREFIX):].lower(): v for k, v in env.items()
                if k.startswith(ENV_PREFIX) and k not in (ENV_PREFIX + "API_KEY",)}
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
