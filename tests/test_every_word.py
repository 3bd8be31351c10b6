"""Every word once (issue 18 item 4): no region swallows text lines. Each word of a dev PDF's text layer
is in the output (the Markdown, or the JSON for furniture and picture text); and a formula box that
covers a card's heading and paragraph gives them back as text regions of their own, in reading order."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from helpers.cli import ROOT
from glmocr_cli.document import LayoutRegion, Task, TextLine
from glmocr_cli.layout.region_plan import plan_regions
from glmocr_cli.sources.documents import open_source

DEV_PDF = ROOT.parent / "shared" / "data" / "dev" / "pdf"
# The text layer stores Arabic lam-alef ligatures in broken order (alef before lam): compare without them.
LAM_ALEF = str.maketrans("", "", "\u0627\u0623\u0625\u0622\u0644")


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower().translate(LAM_ALEF)
    return re.sub(r"[\W_]+", " ", text).split()


def layer_words(pdf: Path) -> list[tuple[int, list[str]]]:
    """(page, spellings) per word of the text layer: a word broken by a line-end hyphen is one word,
    found joined ("effects") or, for a prefix that keeps its hyphen, as its two parts ("self-publishing")."""
    found: list[tuple[int, list[str]]] = []
    with pymupdf.open(pdf) as doc:
        for page in doc:
            joined: list[list[str]] = []
            for word in (w[4] for w in page.get_text("words", sort=False)):
                last = joined[-1][0] if joined else ""
                if last.endswith("-") and last[:-1].isalpha() and word[:1].islower():
                    joined[-1] = [last[:-1] + word, f"{last}{word}"]
                else:
                    joined.append([word])
            found += [(page.number + 1, spellings) for spellings in joined]
    return found


def missing_words(pdf: Path, markdown: str, document: dict) -> list[tuple[int, str]]:
    regions = [r for p in document["pages"] for r in p["regions"]]
    said = set(tokens(markdown + " " + " ".join(r.get("content") or "" for r in regions)))
    # formulas are LaTeX: their glyphs' letters and digits run together ("a^{2}" holds the word "a2")
    maths = "".join(tokens(" ".join(r.get("content") or "" for r in regions if r.get("task") == "formula")))
    # a word the text layer splits in pieces (right-to-left runs) may come out whole
    joined = " ".join(said)

    def found(token: str) -> bool:
        return token in said or token in maths or ((len(token) >= 3 or not token.isascii()) and token in joined)

    # a page whose text layer the converter found garbled is read from its image: its layer is no reference
    from_layer = {
        p.get("index", k) + 1
        for k, p in enumerate(document["pages"])
        if any(r.get("text_source") == "text-layer" for r in p["regions"])
    }
    return [
        (page, spellings[0])
        for page, spellings in layer_words(pdf)
        if page in from_layer and not any(all(found(t) for t in tokens(spelling)) for spelling in spellings)
    ]


@pytest.fixture(scope="session")
def dev_outputs(tmp_path_factory):
    if not DEV_PDF.is_dir():
        pytest.skip(f"{DEV_PDF} is absent")
    from glmocr_cli.api import convert
    from glmocr_cli.config import Settings

    out = tmp_path_factory.mktemp("every-word")
    report = convert([DEV_PDF], out, Settings(engine="lite", formats=["md", "json"]))
    assert report.exit_code == 0, report.to_json()
    return out


@pytest.mark.parametrize("name", sorted(p.stem for p in DEV_PDF.glob("*.pdf")) or ["none"])
def test_every_word_of_the_text_layer_is_in_the_output(dev_outputs, name):
    pdf = DEV_PDF / f"{name}.pdf"
    markdown = (dev_outputs / f"{name}.md").read_text()
    document = json.loads((dev_outputs / f"{name}.json").read_text())
    missing = missing_words(pdf, markdown, document)
    assert not missing, f"{len(missing)} words of the text layer lost: {missing[:20]}"


def test_a_formula_box_over_a_card_gives_back_its_heading_and_paragraph(tmp_path):
    """A page of four cards (heading, formula, paragraph) where the layout put one formula box over
    each whole card: the heading and the paragraph come back as text regions, above and below."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    cards = []
    for k, (x, y) in enumerate([(60, 100), (320, 100), (60, 420), (320, 420)]):
        page.insert_text((x, y), f"Growth model {k + 1}", fontname="hebo", fontsize=13)
        page.insert_text((x + 20, y + 40), f"L(t + {k + 2}) = L(t) \u00d7 (1 + r)", fontname="helv", fontsize=11)
        page.insert_text((x, y + 80), "The model compounds the rate over", fontname="helv", fontsize=10)
        page.insert_text((x, y + 94), "each period of the given horizon.", fontname="helv", fontsize=10)
        cards.append((x - 5, y - 20, x + 230, y + 100))
    doc.save(tmp_path / "cards.pdf")
    source = open_source(tmp_path / "cards.pdf", dpi=72)
    image = source.render(0, 10**9)
    lines = [TextLine(span.bbox, span.text, 1.0, span.style) for span in image.text_spans]
    found = [LayoutRegion(box, "display_formula", "formula", 0.9) for box in cards]
    plan = plan_regions(
        image, found, lines, {"display_formula": Task.FORMULA, "text": Task.TEXT}, 595, 842, lines_are_words=True
    )
    source.close()
    read = [(task, " ".join(ln.text for ln in members)) for task, members in zip(plan.tasks, plan.members)]
    for k in range(4):
        card = [
            (task, text)
            for task, text in read
            if f"{k + 2})" in text
            or f"model {k + 1}" in text
            or (
                text.startswith("The model")
                and plan.found[read.index((task, text))].bbox[0] // 260 == k % 2
                and plan.found[read.index((task, text))].bbox[1] // 320 == k // 2
            )
        ]
        assert (Task.TEXT, f"Growth model {k + 1}") in card, read
        assert any(task is Task.FORMULA and "L(t" in text and "Growth" not in text for task, text in card), read
    prose = [text for task, text in read if task is Task.TEXT and text.startswith("The model")]
    assert len(prose) == 4 and all("each period of the given horizon." in text for text in prose), read
    formulas = [region for region, task in zip(plan.found, plan.tasks) if task is Task.FORMULA]
    assert len(formulas) == 4 and not plan.strays
