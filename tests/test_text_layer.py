"""sources/text_layer.py: the text layer read once, with how each word is set."""

from __future__ import annotations

import pymupdf

from glmocr_cli.sources.documents import open_source
from helpers.refine_pages import write_pdf


def test_words_carry_font_size_weight_line_and_raised_pieces(tmp_path):
    a = pymupdf.get_text_length("a", fontname="heit", fontsize=11)
    pdf = write_pdf(
        tmp_path / "w.pdf",
        [
            [
                (72, 80, "Bold Title", "hebo", 16),
                (72, 120, "plain words", "helv", 11),
                (200, 120, "x = 1", "cour", 10),
                (72, 160, "a", "heit", 11),
                (72 + a, 155, "2", "helv", 7),
            ]
        ],
    )
    doc = pymupdf.open(pdf)
    doc[0].draw_line((72, 300), (400, 300))
    doc.save(tmp_path / "r.pdf")
    source = open_source(tmp_path / "r.pdf", dpi=144)
    page = source.render(0, 10**9)
    words = {span.text: span for span in page.text_spans}
    assert words["Bold"].style.bold and words["Bold"].style.size == 16
    assert words["Bold"].style.line == words["Title"].style.line != words["plain"].style.line
    assert not words["plain"].style.bold and words["plain"].style.size == 11
    assert words["x"].style.mono and not words["plain"].style.mono
    assert words["a2"].style.pieces == [("a", ""), ("2", "sup")] and words["a2"].style.italic
    assert abs(words["plain"].bbox[0] - 144) < 2  # pixels at 144 DPI
    assert any(abs(r[1] - 600) < 3 and r[2] - r[0] > 600 for r in page.rulings)  # the drawn rule, in pixels
    source.close()


def test_a_space_written_far_from_its_letters_does_not_split_the_word(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page()
    width = pymupdf.get_text_length("wor", fontname="helv", fontsize=11)
    page.insert_text((100, 100), "wor", fontname="helv", fontsize=11)
    page.insert_text((40, 100), " ", fontname="helv", fontsize=11)  # a space placed elsewhere on the line
    page.insert_text((100 + width, 100), "ds and more", fontname="helv", fontsize=11)
    doc.save(tmp_path / "s.pdf")
    source = open_source(tmp_path / "s.pdf", dpi=72)
    assert [s.text for s in source.render(0, 10**9).text_spans] == ["words", "and", "more"]
    source.close()


def test_words_of_a_rotated_page_lie_on_their_ink_in_the_render(tmp_path):
    """A page with /Rotate 90: each word's box is turned with the page once, onto the letters the
    rendered image shows (turned twice, the words fell outside the page and outside every layout box)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((72, 100), "Enquiries by country", fontname="helv", fontsize=14)
    page.insert_text((300, 700), "Total 65%", fontname="helv", fontsize=14)
    page.set_rotation(90)
    doc.save(tmp_path / "rotated.pdf")
    source = open_source(tmp_path / "rotated.pdf", dpi=72)
    rendered = source.render(0, 10**9)
    image = rendered.image.convert("L")
    assert image.size == (842, 595)
    for span in rendered.text_spans:
        x0, y0, x1, y1 = span.bbox
        assert 0 <= x0 < x1 <= image.width and 0 <= y0 < y1 <= image.height, span.text
        ink = image.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1)).getextrema()[0]
        assert ink < 128, span.text  # dark letters inside the box
    source.close()
