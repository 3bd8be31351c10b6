"""Reading order of cards and columns on generated pages, through the lite engine as a user runs it:
a 2x2 grid of framed cards is read card by card (heading, formula, paragraph) and is no table; a
newspaper's three columns are read top to bottom, one after the other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from glmocr_cli.api import convert_document
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.config import Settings
from glmocr_cli.layout.doclaynet_layout import model_path

from layout_pages import CARD_FORMULAS, CARD_TOPICS, NEWS_WORDS, card_grid_pdf, newspaper_pdf

RUNS = [("cdla", "auto"), ("cdla", "off")] + ([("doclaynet", "auto")] if model_path() is not None else [])


def markdown(path: Path, **settings) -> str:
    return render_markdown(convert_document(path, Settings(engine="lite", dpi=150, **settings)))


def positions(text: str, needles: list[str]) -> list[int]:
    return [text.find(needle) for needle in needles]


@pytest.mark.parametrize("source,text_layer", RUNS)
def test_a_grid_of_cards_is_read_card_by_card(tmp_path: Path, source: str, text_layer: str):
    md = markdown(card_grid_pdf(tmp_path / "cards.pdf"), layout_source=source, text_layer=text_layer)
    assert "<table" not in md, md  # framed cards standing apart are not a ruled table
    spaced = re.sub(r"\s+", " ", md)
    starts = []
    for topic, formula in zip(CARD_TOPICS, CARD_FORMULAS):
        heading = spaced.find(f"{topic} card")
        formula_at = spaced.replace(" ", "").find(formula.replace(" ", "")[:3])
        text = spaced.find(f"The {topic.lower()} card explains")
        assert -1 not in (heading, text), (topic, md)
        assert heading < text, (topic, md)
        # nothing of another card between this card's heading and its paragraph
        between = spaced[heading:text]
        assert not any(f"{other} card" in between for other in CARD_TOPICS if other != topic), (topic, md)
        assert formula_at != -1, (topic, md)
        starts.append(heading)
    assert len(set(starts)) == 4


def test_newspaper_columns_are_read_top_to_bottom(tmp_path: Path):
    md = markdown(newspaper_pdf(tmp_path / "news.pdf"), text_layer="off")  # OCR lines, no text-layer order
    order = positions(md, [f"The {word} story" for column in NEWS_WORDS for word in column])
    assert -1 not in order and order == sorted(order), md


def test_a_table_box_over_monospaced_words_is_a_code_listing():
    from glmocr_cli.document import TextLine, TextStyle
    from glmocr_cli.layout.region_plan import is_code

    code = [TextLine((0, 0, 10, 10), w, 1.0, TextStyle(mono=True)) for w in ("function", "add(a,", "b)", "{")]
    caption = [TextLine((0, 0, 10, 10), "Listing", 1.0, TextStyle()), TextLine((0, 0, 10, 10), "1:", 1.0, TextStyle())]
    assert is_code(code + caption)
    assert not is_code([TextLine((0, 0, 10, 10), w, 1.0, TextStyle()) for w in ("Region", "Units", "1,240")])
