"""Open a PDF or image file and render its pages one at a time.

Pages are produced lazily so that a 500-page PDF never sits in memory whole; a worker process opens
the document itself and renders only the pages it was given.
"""

from __future__ import annotations

import io
import math
import mmap
import warnings
from pathlib import Path

import pymupdf as fitz
from PIL import Image, ImageOps

from ..config import Settings
from ..document import PageImage, TextSpan
from ..errors import SourceError
from ..labels import PageSource
from .discover import open_regular_file
from .text_layer import read_rulings, read_words

Image.MAX_IMAGE_PIXELS = None  # we enforce our own, configurable limit with a clear message

_MAGIC = {
    b"%PDF": PageSource.PDF,
    b"\x89PNG": PageSource.IMAGE,
    b"\xff\xd8\xff": PageSource.IMAGE,
    b"II*\x00": PageSource.IMAGE,
    b"MM\x00*": PageSource.IMAGE,
    b"BM": PageSource.IMAGE,
    b"GIF8": PageSource.IMAGE,
}


def sniff_kind(path: Path) -> PageSource:
    """A PDF or an image, from the file's first bytes, whatever its name says."""
    try:
        with open_regular_file(path) as fh:
            head = fh.read(1024)
    except IsADirectoryError:
        raise SourceError("is a folder, not a file") from None
    except PermissionError:
        raise SourceError("permission denied (file is not readable)") from None
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}") from None
    if not head:
        raise SourceError("empty file (0 bytes)")
    if b"%PDF" in head[:1024]:
        return PageSource.PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return PageSource.IMAGE
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    preview = head[:16].decode("ascii", "replace").encode("unicode_escape").decode()
    expected = "PDF" if path.suffix.lower() == ".pdf" else "image"
    raise SourceError(f"not a {expected} file (starts with {preview!r})")


MIN_DPI = 20  # below this no text is legible: refuse the page instead of recognising noise


def fitting_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int) -> int:
    """dpi, or the highest lower DPI at which the page stays within max_pixels."""
    if width_pt * height_pt * (dpi / 72.0) ** 2 <= max_pixels:
        return dpi
    fit = int(72.0 * math.sqrt(max_pixels / (width_pt * height_pt)))
    while fit > 0 and math.ceil(width_pt * fit / 72.0) * math.ceil(height_pt * fit / 72.0) > max_pixels:
        fit -= 1  # the pixmap rounds its sides up
    return fit


def _mupdf_warnings() -> list[str]:
    """MuPDF's warnings since the last call (and clear them), one per line, repeats dropped."""
    text = fitz.TOOLS.mupdf_warnings(reset=True)
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def _open_pdf(path: Path) -> fitz.Document:
    """MuPDF takes a file name as UTF-8: a name the OS gave as other bytes (old zip and Windows
    archives; surrogates in Python) cannot reach it, so that file is handed over mapped in memory."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with open_regular_file(path) as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        return fitz.open(stream=memoryview(mapped), filetype="pdf")
    return fitz.open(path, filetype="pdf")


class PdfSource:
    kind = PageSource.PDF

    def __init__(self, path: Path, password: str | None, dpi: int, renderer: str):
        self.path, self.dpi, self.renderer, self.password = path, dpi, renderer, password
        _mupdf_warnings()  # start clean: MuPDF collects warnings per process
        try:
            self.doc = _open_pdf(path)
        except Exception as exc:  # PyMuPDF raises several types for damaged files
            raise SourceError(f"corrupt or truncated PDF ({exc})") from None
        # A file MuPDF had to rebuild (truncated, broken xref) may have lost content: say so.
        self.repair_note = (
            f"damaged PDF, repaired by MuPDF ({'; '.join(_mupdf_warnings()[:3])})" if self.doc.is_repaired else None
        )
        if self.doc.needs_pass:
            if not password:
                raise SourceError("encrypted PDF: a password is needed (--password)")
            if not self.doc.authenticate(password):
                raise SourceError("encrypted PDF: wrong password")
        try:
            self.page_count = self.doc.page_count
        except Exception as exc:
            raise SourceError(f"corrupt PDF: cannot read its page tree ({exc})") from None
        if self.page_count == 0:
            raise SourceError("PDF has no pages (corrupt or truncated)")

    def render(self, index: int, max_pixels: int) -> PageImage:
        notes: list[str] = []
        try:
            page = self.doc[index]
            width_pt, height_pt = page.rect.width, page.rect.height
            dpi = fitting_dpi(width_pt, height_pt, self.dpi, max_pixels)
            if dpi < MIN_DPI:
                raise SourceError(
                    f"page {index + 1} is {width_pt:.0f}x{height_pt:.0f} pt: even at {MIN_DPI} DPI it "
                    f"would render to more than {max_pixels} pixels (--max-image-pixels)"
                )
            if dpi < self.dpi:
                notes.append(
                    f"page {index + 1} is {width_pt:.0f}x{height_pt:.0f} pt: rendered at {dpi} DPI instead "
                    f"of {self.dpi} to stay under {max_pixels} pixels (--max-image-pixels)"
                )
            _mupdf_warnings()
            image = self._render_image(page, index, dpi)
            spans = self._text_spans(page, dpi / 72.0)
            complaints = _mupdf_warnings()
        except SourceError:
            raise
        except Exception as exc:
            raise SourceError(f"page {index + 1} cannot be rendered ({exc})") from None
        if complaints:  # MuPDF rendered what it could of a broken page: the rest is lost
            notes.append(f"page {index + 1}: damaged PDF content, MuPDF: {'; '.join(complaints[:3])}")
        return PageImage(
            self.path,
            index,
            image,
            PageSource.PDF,
            dpi=dpi,
            size_pt=(width_pt, height_pt),
            text_spans=spans or None,
            pdf_page=page,
            warnings=notes,
            damaged=bool(complaints),
            rulings=read_rulings(page, dpi / 72.0) if spans else None,
        )

    def _render_image(self, page: fitz.Page, index: int, dpi: int) -> Image.Image:
        scale = dpi / 72.0
        if self.renderer == "pdf2image":
            from pdf2image import convert_from_path  # optional: poppler's pdftoppm

            images = convert_from_path(
                str(self.path), dpi=dpi, first_page=index + 1, last_page=index + 1, userpw=self.password
            )
            return images[0].convert("RGB")
        pix = page.get_pixmap(matrix=fitz.Matrix(scale, scale), alpha=False, colorspace=fitz.csRGB)
        return Image.frombytes("RGB", (pix.width, pix.height), pix.samples)

    @staticmethod
    def _text_spans(page: fitz.Page, scale: float) -> list[TextSpan]:
        """Words of the text layer in the rendered image's pixel space (page rotation applied), each
        with its font, size, weight and line, visual-order lam-alef repaired (sources/text_layer.py)."""
        return read_words(page, scale)

    def close(self) -> None:
        self.doc.close()


class ImageSource:
    kind = PageSource.IMAGE

    def __init__(self, path: Path, max_pixels: int):
        self.path, self.max_pixels = path, max_pixels
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.image = Image.open(path)
            width, height = self.image.size
        except Exception as exc:
            raise SourceError(f"not a readable image ({exc})") from None
        if width * height > max_pixels:
            raise SourceError(
                f"image is {width}x{height} = {width * height} pixels, over the limit of "
                f"{max_pixels} (decompression bomb guard, --max-image-pixels)"
            )
        self.page_count = getattr(self.image, "n_frames", 1)

    def render(self, index: int, max_pixels: int) -> PageImage:
        try:
            self.image.seek(index)
            frame = ImageOps.exif_transpose(self.image.copy()) if index == 0 else self.image.copy()
            frame.load()
            dpi = frame.info.get("dpi")
            frame = frame.convert("RGB")
        except Exception as exc:
            raise SourceError(f"image frame {index + 1} cannot be decoded ({exc})") from None
        return PageImage(self.path, index, frame, PageSource.IMAGE, dpi=int(dpi[0]) if dpi and dpi[0] else None)

    def close(self) -> None:
        self.image.close()


def open_source(
    path: Path,
    *,
    password: str | None = None,
    dpi: int = 200,
    renderer: str = "pymupdf",
    max_pixels: int = Settings.max_image_pixels,
) -> PdfSource | ImageSource:
    kind = sniff_kind(path)
    if kind == PageSource.PDF:
        return PdfSource(path, password, dpi, renderer)
    return ImageSource(path, max_pixels)


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
