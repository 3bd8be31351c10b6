"""The data that flows between the stages: sources -> layout -> recognize -> assemble -> writers.

Labels are PP-DocLayout-V3's (see `LABELS`); every engine maps its own classes onto them and keeps
the original class name in `native_label`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import Any

from PIL import Image

from .labels import Flag, FormulaSource, Join, Kind, Label, PageSource, TextSource
from .spans import InlineSpan, TextBlock, rich_markdown  # noqa: F401  (spans are part of the document model)

# PP-DocLayout-V3 label names, in the checkpoint's id order.
LABELS: tuple[Label, ...] = tuple(Label)


class Task(str, Enum):
    """What the recogniser does with a region."""

    TEXT = "text"  # read the characters
    TABLE = "table"  # read a table as HTML
    FORMULA = "formula"  # read a formula as LaTeX
    SKIP = "skip"  # keep as an image crop, do not read
    ABANDON = "abandon"  # page furniture: read (lite) but left out of Markdown


# The reference SDK's label -> task mapping.
DEFAULT_LABEL_TASKS: dict[str, Task] = {
    **{
        label: Task.TEXT
        for label in (
            Label.ABSTRACT,
            Label.ALGORITHM,
            Label.CONTENT,
            Label.DOC_TITLE,
            Label.FIGURE_TITLE,
            Label.PARAGRAPH_TITLE,
            Label.REFERENCE_CONTENT,
            Label.TEXT,
            Label.VERTICAL_TEXT,
            Label.VISION_FOOTNOTE,
            Label.SEAL,
            Label.FORMULA_NUMBER,
        )
    },
    Label.TABLE: Task.TABLE,
    Label.DISPLAY_FORMULA: Task.FORMULA,
    Label.INLINE_FORMULA: Task.FORMULA,
    Label.CHART: Task.SKIP,
    Label.IMAGE: Task.SKIP,
    **{
        label: Task.ABANDON
        for label in (
            Label.HEADER,
            Label.FOOTER,
            Label.NUMBER,
            Label.FOOTNOTE,
            Label.ASIDE_TEXT,
            Label.REFERENCE,
            Label.FOOTER_IMAGE,
            Label.HEADER_IMAGE,
        )
    },
}

# Flags that mean a page was not read as it should be: unread or damaged text, a failed crop, an
# unparsable table. `--fail-on flagged` fails on these, and writers mark the text. Every other flag
# is a note on how a region was read (furniture, not-a-formula, low-confidence, max-new-tokens, ...)
# and never fails a run.
PROBLEM_FLAGS = frozenset(
    {
        Flag.UNREADABLE_TEXT,
        Flag.UNSUPPORTED_SCRIPT,
        Flag.DAMAGED,
        Flag.RECOGNITION_FAILED,
        Flag.DECODER_FAILED,
        Flag.TABLE_HTML_INVALID,
    }
)

# Furniture that `--keep-furniture` turns back into text regions.
FURNITURE_LABELS = (Label.HEADER, Label.FOOTER, Label.FOOTNOTE, Label.NUMBER, Label.ASIDE_TEXT)


def label_tasks(overrides: dict[str, Task | str] | None = None, keep_furniture: bool = False) -> dict[str, Task]:
    """The SDK's label -> task mapping, with furniture kept as text on request and user overrides."""
    tasks = dict(DEFAULT_LABEL_TASKS)
    if keep_furniture:
        tasks.update({name: Task.TEXT for name in FURNITURE_LABELS})
    for name, task in (overrides or {}).items():
        tasks[name] = Task(task)
    return tasks


BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in page pixels


@dataclass
class TextStyle:
    """How a word of a PDF's text layer is set: what refine/ reads for headings, lists, code,
    inline emphasis and formulas."""

    size: float = 0.0  # font size in points (the word's largest base-line glyphs)
    font: str = ""
    bold: bool = False
    italic: bool = False
    mono: bool = False
    line: int = -1  # visual line number on the page: words of one line share it
    # The word in pieces when some of it sits above or below the line ("a" + sup "2"):
    # (text, "sup" | "sub" | "") in reading order; empty when the whole word is on the line.
    pieces: list[tuple[str, str]] = field(default_factory=list)
    script: str = ""  # "sup" / "sub" when the whole word is raised or lowered


@dataclass
class TextSpan:
    """A word from a PDF's own text layer, in page pixels."""

    bbox: BBox
    text: str
    block: int = 0  # the PDF's own text block number (words of one paragraph share it)
    style: TextStyle | None = None


@dataclass
class PageImage:
    """One rendered page (or image frame), ready for layout."""

    doc_path: Path
    index: int  # 0-based page (or frame) number in the document
    image: Image.Image  # RGB
    source: PageSource
    dpi: int | None = None  # render DPI for PDFs
    size_pt: tuple[float, float] | None = None  # PDF page size in points
    text_spans: list[TextSpan] | None = None  # text layer, when the PDF has one
    rulings: list[BBox] | None = None  # vector lines and thin rectangles, in page pixels
    rotation: int = 0  # clockwise degrees applied to make the page upright
    # The open PyMuPDF page (born-digital PDFs only). Pages are rendered inside the worker process
    # that recognises them, so this never crosses a process boundary.
    pdf_page: Any = None
    # What the source noticed while rendering (MuPDF's complaints about a damaged page, a DPI
    # lowered to fit --max-image-pixels); the worker copies them onto the PageResult.
    warnings: list[str] = field(default_factory=list)
    damaged: bool = False  # the PDF's content for this page could not be read in full

    @property
    def px_per_pt(self) -> float | None:
        return None if self.size_pt is None else self.image.width / self.size_pt[0]


@dataclass
class LayoutRegion:
    """A region found by a layout detector, before recognition."""

    bbox: BBox
    label: Label  # PP-DocLayout-V3 label
    native_label: str  # the detector's own class name
    score: float
    polygon: list[tuple[float, float]] | None = None
    read_by_rows: bool = False  # a form boxed as a table: read as label and value rows (layout/form_rows.py)


@dataclass
class TextLine:
    bbox: BBox
    text: str
    score: float
    style: TextStyle | None = None  # set for text-layer words (font, size, weight, line)

    def to_json(self) -> dict[str, Any]:
        style = None
        if self.style is not None:
            style = {f.name: getattr(self.style, f.name) for f in fields(TextStyle)}
            style["pieces"] = [list(piece) for piece in self.style.pieces]
        return {"bbox": list(self.bbox), "text": self.text, "score": self.score, "style": style}


@dataclass
class Reading:
    """How a region was read, beyond its text_source: what the writers read back (HTML `lang`, the
    Markdown's formula note). NAME.json carries these inside the region's "stats" object, after the
    recogniser's own statistics, where they have always been."""

    reader: str | None = None  # "tesseract:LANG" when Tesseract read the region
    script: str | None = None  # the script the bundled recogniser cannot read (with Flag.UNSUPPORTED_SCRIPT)
    formula: FormulaSource | None = None  # how refine/formulas.py wrote a formula no model read

    def to_stats(self) -> dict[str, str]:
        return {f.name: str(value) for f in fields(self) if (value := getattr(self, f.name)) is not None}


@dataclass
class Region:
    """A recognised region of a page: what every writer reads."""

    index: int  # position in the detector's output
    order: int  # reading order on the page (0 first)
    label: Label
    native_label: str
    task: Task
    bbox: BBox
    score: float
    content: str = ""  # text, HTML (tables) or LaTeX (formulas)
    bbox_pt: BBox | None = None  # same box in PDF points, for PDFs
    confidence: float | None = None  # recogniser confidence, 0-1
    text_source: TextSource | None = None
    flags: list[Flag] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)  # OCR lines inside the region (lite engine)
    image_name: str | None = None  # crop file name under images/, for figures and formulas
    image_png: bytes | None = None  # crop bytes carried to the writer (not serialised)
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)  # the recogniser's: tokens generated, drafts accepted, ...
    # Structure that refine/ found (assemble/ renders it): kind is a heading, a list, code or
    # None; level is a heading's level (1 = title); blocks is the text as refine/ set it out
    # (paragraphs and list items of styled spans, a code block verbatim), empty when the content
    # says it all. NAME.json keeps it as Markdown, "rich".
    kind: Kind | None = None
    level: int | None = None
    blocks: list[TextBlock] = field(default_factory=list)
    # Set by refine/: this region's text carries on the previous body region's paragraph, and how
    # the word cut between them is put back together; the writers show the two as one paragraph.
    joins: Join | None = None
    # A display formula's number, from the formula_number region beside it ('3' for '(3)'), set by
    # refine/equation_numbers.py; Markdown writes it as \tag{}, HTML at the formula's right.
    equation_number: str | None = None
    reading: Reading = field(default_factory=Reading)  # serialised inside "stats"

    def is_blank(self) -> bool:
        """Nothing of it reaches a Markdown or HTML page: no text and no crop."""
        return not (self.content.strip() or self.blocks or self.image_name)

    def in_body(self) -> bool:
        """Read in the flow of the body: not page furniture, not an equation number (its formula
        shows it), not blank. What refine/ and the writers mean by "the region before"."""
        return self.task is not Task.ABANDON and self.label != Label.FORMULA_NUMBER and not self.is_blank()

    def to_json(self) -> dict[str, Any]:
        # By hand rather than dataclasses.asdict, which deep-copies every word of a text layer
        # (a third of the time spent writing a born-digital document).
        data = {
            f.name: getattr(self, f.name) for f in fields(self) if f.name not in (*NOT_SERIALISED, "blocks", "lines")
        }
        data["task"] = self.task.value
        data["bbox"] = list(self.bbox)
        data["bbox_pt"] = list(self.bbox_pt) if self.bbox_pt else None
        data["flags"], data["timings"] = [str(f) for f in self.flags], dict(self.timings)
        data["stats"] = {**self.stats, **self.reading.to_stats()}
        data["lines"] = [line.to_json() for line in self.lines]
        for name in ("label", "text_source", "kind", "joins"):  # the plain strings, not the enum members
            data[name] = None if data[name] is None else str(data[name])
        data["rich"] = rich_markdown(self.blocks) if self.blocks else None
        names = [("rich" if name == "blocks" else name) for name in self.__dataclass_fields__]
        return {name: data[name] for name in names if name not in NOT_SERIALISED}


# Region fields that are not keys of a region in NAME.json: crop bytes stay out, the reading goes
# into "stats" (and the blocks are written as Markdown, "rich", in their place).
NOT_SERIALISED = ("image_png", "reading")


@dataclass
class PageResult:
    index: int
    width: int
    height: int
    source: PageSource
    dpi: int | None
    size_pt: tuple[float, float] | None
    rotation: int
    regions: list[Region]
    flags: list[Flag] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    layout_vis_png: bytes | None = None
    # The page as recognised (turned upright), for crops and --layout-vis inside the worker; the
    # run layer drops it before the result leaves the worker.
    upright_image: Any = field(default=None, repr=False)
    # --extract answers of a model-based engine for this page ({key: {"value": ...}}), merged per
    # document by extract/model_answers.py; not part of NAME.json.
    key_values: dict[str, Any] | None = None

    def ordered_regions(self) -> list[Region]:
        return sorted(self.regions, key=lambda r: r.order)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "width": self.width,
            "height": self.height,
            "source": str(self.source),  # the plain string, not the enum member
            "dpi": self.dpi,
            "size_pt": list(self.size_pt) if self.size_pt else None,
            "rotation": self.rotation,
            "flags": [str(f) for f in self.flags],
            "warnings": self.warnings,
            "timings": self.timings,
            "regions": [r.to_json() for r in self.ordered_regions()],
        }


@dataclass
class DocResult:
    """A converted document: what the writers turn into files."""

    source: Path
    relative_path: Path  # where it sits under the input root; mirrors under -o
    sha256: str
    pages: list[PageResult]
    engine: dict[str, Any]  # name, models, versions
    options: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    # Outputs' path under -o without suffix (x, or x.pdf when x.jpg sits beside it); not serialised.
    output_stem: Path | None = None
    # --extract answers for the whole document (NAME.kv.json), set by run/finish.py; not in NAME.json.
    key_values: dict[str, Any] | None = None

    @property
    def warnings(self) -> list[str]:
        return [w for p in self.pages for w in p.warnings]

    def body_regions(self) -> list[tuple[PageResult, Region]]:
        """The regions a reader reads one after another (`Region.in_body`), in reading order over all pages."""
        return [(page, region) for page in self.pages for region in page.ordered_regions() if region.in_body()]

    def decode_stats(self) -> dict[str, Any] | None:
        """Decoding totals over the regions a model read (None when no region carries them)."""
        regions = [r for p in self.pages for r in p.regions if "decode_steps" in r.stats]
        if not regions:
            return None
        total = {
            key: sum(r.stats.get(key, 0) for r in regions)
            for key in ("tokens", "decode_steps", "draft_proposed", "draft_accepted")
        }
        for key in ("prefill_seconds", "decode_seconds"):
            total[key] = round(sum(r.stats.get(key, 0.0) for r in regions), 4)
        total["acceptance"] = (
            round(total["draft_accepted"] / total["draft_proposed"], 4) if total["draft_proposed"] else None
        )
        steps = total["decode_steps"]
        # What the decode steps emitted (EOS included), per step: the prefill's first token is no step's.
        decoded = sum(r.stats.get("decoded_tokens", r.stats.get("tokens", 0)) for r in regions)
        total["tokens_per_step"] = round(decoded / steps, 3) if steps else None
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "source": str(self.source),
            "relative_path": self.relative_path.as_posix(),
            "sha256": self.sha256,
            "engine": self.engine,
            "options": self.options,
            "timings": self.timings,
            **({"stats": stats} if (stats := self.decode_stats()) else {}),
            "pages": [p.to_json() for p in self.pages],
        }
