"""Small real documents made on the fly: PDFs with PyMuPDF, images with Pillow."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from glmocr_cli.document import PageImage
from glmocr_cli.labels import PageSource

PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog while the committee reviews "
    "the annual budget report and approves the new library opening hours."
)


def text_pdf(
    path: Path,
    pages: list[list[str]] | None = None,
    *,
    title: str | None = "Annual Report",
    encrypt_password: str | None = None,
    fontsize: float = 12,
) -> Path:
    """A born-digital PDF: a title and paragraphs per page (A5 to keep OCR quick)."""
    doc = pymupdf.open()
    for lines in pages or [[PARAGRAPH]]:
        page = doc.new_page(width=420, height=595)
        y = 60
        if title:
            page.insert_text((40, y), title, fontsize=22, fontname="helv")
            y += 40
        for text in lines:
            rect = pymupdf.Rect(40, y, 380, y + 120)
            page.insert_textbox(rect, text, fontsize=fontsize, fontname="helv")
            y += 130
    kwargs = {}
    if encrypt_password:
        kwargs = dict(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw=encrypt_password, owner_pw=encrypt_password + "o")
    doc.save(path, **kwargs)
    return path


def render_to_image_pdf(src: Path, dst: Path, *, dpi: int = 150, rotate: int = 0) -> Path:
    """A scan-like PDF: each page of src as a picture, no text layer; optionally turned."""
    source, out = pymupdf.open(src), pymupdf.open()
    for page in source:
        pix = page.get_pixmap(dpi=dpi)
        img = Image.frombytes("RGB", (pix.width, pix.height), pix.samples).rotate(rotate, expand=True)
        new = out.new_page(width=img.width * 72 / dpi, height=img.height * 72 / dpi)
        import io

        buf = io.BytesIO()
        img.save(buf, format="PNG")
        new.insert_image(new.rect, stream=buf.getvalue())
    out.save(dst)
    return dst


def text_image(path: Path, lines: list[str], *, size=(1000, 400), fontsize: int = 32) -> Path:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=fontsize)
    for i, line in enumerate(lines):
        draw.text((40, 40 + i * int(fontsize * 1.6)), line, fill="black", font=font)
    img.save(path)
    return path


def noise_page(index: int, size=(640, 900), seed=0) -> PageImage:
    arr = np.random.default_rng(seed + index).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return PageImage(
        doc_path=Path("doc.pdf"),
        index=index,
        image=Image.fromarray(arr),
        source=PageSource.PDF,
        dpi=72,
        size_pt=(size[0] / 2, size[1] / 2),
    )
