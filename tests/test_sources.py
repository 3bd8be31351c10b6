import math
from pathlib import Path

import pytest
from PIL import Image

from helpers.factories import text_pdf
from glmocr_cli.sources.documents import SourceError, open_source, sniff_kind


def test_pdf_pages_render_with_text_layer(tmp_path: Path):
    pdf = text_pdf(tmp_path / "a.pdf", [["first page"], ["second page"]])
    source = open_source(pdf, dpi=100)
    assert source.page_count == 2
    page = source.render(1, 10**9)
    assert page.image.size == (math.ceil(420 * 100 / 72), math.ceil(595 * 100 / 72))
    assert page.size_pt == (420, 595) and page.dpi == 100
    words = [s.text for s in page.text_spans]
    assert "second" in words and "Annual" in words
    # the text layer sits where the words are drawn: the title is near the top
    title = next(s for s in page.text_spans if s.text == "Annual")
    assert 40 * 100 / 72 - 2 < title.bbox[0] < 40 * 100 / 72 + 2 and title.bbox[1] < 100


def test_pdf2image_renderer_matches_pymupdf_size(tmp_path: Path):
    pytest.importorskip("pdf2image")
    import shutil

    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed")
    pdf = text_pdf(tmp_path / "a.pdf")
    a = open_source(pdf, dpi=100).render(0, 10**9).image
    b = open_source(pdf, dpi=100, renderer="pdf2image").render(0, 10**9).image
    assert abs(a.width - b.width) <= 1 and abs(a.height - b.height) <= 1


def test_multiframe_tiff_gives_every_frame(tmp_path: Path):
    frames = [Image.new("RGB", (60, 40), c) for c in ("red", "green", "blue")]
    path = tmp_path / "multi.tiff"
    frames[0].save(path, save_all=True, append_images=frames[1:])
    source = open_source(path)
    assert source.page_count == 3
    assert source.render(2, 10**9).image.getpixel((5, 5)) == (0, 0, 255)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.pdf", b"", "empty file"),
        ("notes.pdf", b"hello, this is plain text\n", "not a PDF file"),
        ("picture.png", b"GIF89a-but-broken", "not a readable image"),
    ],
)
def test_bad_files_have_clear_reasons(tmp_path: Path, name: str, content: bytes, reason: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError, match=reason):
        open_source(path)


def test_truncated_pdf(tmp_path: Path):
    good = text_pdf(tmp_path / "good.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(good[: len(good) // 3])
    with pytest.raises(SourceError):
        source = open_source(path)
        for i in range(source.page_count):
            source.render(i, 10**9)


def test_encrypted_pdf_needs_the_right_password(tmp_path: Path):
    pdf = text_pdf(tmp_path / "secret.pdf", encrypt_password="s3cret")
    with pytest.raises(SourceError, match="password is needed"):
        open_source(pdf)
    with pytest.raises(SourceError, match="wrong password"):
        open_source(pdf, password="guess")
    assert open_source(pdf, password="s3cret").page_count == 1


def test_decompression_bomb_is_refused(tmp_path: Path):
    path = tmp_path / "bomb.png"
    Image.new("1", (6000, 6000)).save(path)  # tiny file, 36 M pixels
    with pytest.raises(SourceError, match="over the limit"):
        open_source(path, max_pixels=10_000_000)


def test_dangling_symlink_is_unreadable(tmp_path: Path):
    link = tmp_path / "gone.pdf"
    link.symlink_to(tmp_path / "deleted.pdf")
    with pytest.raises(SourceError, match="cannot read file"):
        sniff_kind(link)


def test_unreadable_file(tmp_path: Path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root can read any file")
    path = text_pdf(tmp_path / "locked.pdf")
    path.chmod(0)
    with pytest.raises(SourceError, match="permission denied"):
        sniff_kind(path)
