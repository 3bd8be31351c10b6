"""The closed vocabularies of the document model: page sources, region labels, kinds, flags, text
sources and formula sources.

Each is a `StrEnum`: a member is its string (it compares, hashes, formats and JSON-encodes as its
value), so NAME.json carries the plain strings it always has while the code names the members.
schema/document.schema.json lists the same values; tests/test_document_schema.py keeps them equal.
"""

from __future__ import annotations

from enum import StrEnum


class PageSource(StrEnum):
    """What a page was rendered from (`PageImage.source`, `PageResult.source`): the kind of its document."""

    PDF = "pdf"  # a page of a PDF (with a text layer or scanned)
    IMAGE = "image"  # an image file, or one frame of a multi-frame TIFF/GIF


class Label(StrEnum):
    """PP-DocLayout-V3's region labels, in the checkpoint's id order. Every detector maps its own
    classes onto these and keeps the original class name in `native_label`."""

    ABSTRACT = "abstract"
    ALGORITHM = "algorithm"
    ASIDE_TEXT = "aside_text"
    CHART = "chart"
    CONTENT = "content"
    DISPLAY_FORMULA = "display_formula"
    DOC_TITLE = "doc_title"
    FIGURE_TITLE = "figure_title"
    FOOTER = "footer"
    FOOTER_IMAGE = "footer_image"
    FOOTNOTE = "footnote"
    FORMULA_NUMBER = "formula_number"
    HEADER = "header"
    HEADER_IMAGE = "header_image"
    IMAGE = "image"
    INLINE_FORMULA = "inline_formula"
    NUMBER = "number"
    PARAGRAPH_TITLE = "paragraph_title"
    REFERENCE = "reference"
    REFERENCE_CONTENT = "reference_content"
    SEAL = "seal"
    TABLE = "table"
    TEXT = "text"
    VERTICAL_TEXT = "vertical_text"
    VISION_FOOTNOTE = "vision_footnote"


class Kind(StrEnum):
    """Structure that refine/ found in a region (`Region.kind`); assemble/ renders it."""

    HEADING = "heading"  # Region.level says which
    LIST = "list"  # one item per line
    CODE = "code"  # verbatim, in a fence


class Join(StrEnum):
    """How a region's text carries on the paragraph of the body region before it (`Region.joins`):
    the layout cut a paragraph (at a column or page end) inside a word hyphenated across the lines."""

    WORD = "word"  # 'exam-' + 'ple': the hyphen only broke the line, so it goes
    COMPOUND = "compound"  # 'self-' + 'locking': the hyphen is the word's own and stays


class Flag(StrEnum):
    """What a page or region carries about how it was read (`flags`). The problems among them
    (document.PROBLEM_FLAGS) fail `--fail-on flagged`; the rest are notes."""

    UNREADABLE_TEXT = "unreadable-text"  # text lines the recogniser could not read
    UNSUPPORTED_SCRIPT = "unsupported-script"  # a script the bundled recogniser cannot read
    DAMAGED = "damaged"  # the PDF's content for the page could not be read in full
    RECOGNITION_FAILED = "recognition-failed"  # no decoder could read the crop: left empty
    DECODER_FAILED = "decoder-failed"  # our decoder failed on the crop (transformers generate() tried next)
    TABLE_HTML_INVALID = "table-html-invalid"  # the model's table HTML does not parse
    LOW_CONFIDENCE = "low-confidence"  # read, but the recogniser doubts it
    MAX_NEW_TOKENS = "max-new-tokens"  # the model stopped at its token budget
    FURNITURE = "furniture"  # repeated on many pages: a running header or footer
    NOT_A_FORMULA = "not-a-formula"  # detected as a formula, read as a caption or prose
    FORMULA_JOINED = "formula-joined"  # regions beside a formula were joined into it


class TextSource(StrEnum):
    """Where a region's content came from (`Region.text_source`)."""

    OCR = "ocr"  # the bundled (or Tesseract) recogniser read the crop
    TEXT_LAYER = "text-layer"  # the PDF's own words
    GLM = "glm"  # GLM-OCR (local or remote) read the crop
    PDF_VECTOR = "pdf-vector"  # a table from the PDF's rulings and words
    PDF_WORDS = "pdf-words"  # a table from the alignment of the PDF's words
    SLANET = "slanet"  # a table structure from the SLANet model, filled with OCR lines
    GRID = "grid"  # a table from the OCR lines' rows and columns


class FormulaSource(StrEnum):
    """How refine/formulas.py wrote a formula that no model read (`Reading.formula`)."""

    LATEX_FROM_GLYPHS = "latex-from-glyphs"
    IMAGE_CROP = "image-crop"
