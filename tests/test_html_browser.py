"""NAME.html as a reader sees it, in a real browser (chromium): the demo's formula is laid out as math
by the browser's own MathML (its exponent raised), the ruled table keeps its merged cells, the headings
are headings. A screenshot of the page is kept in tests/artefacts/ (gitignored) for a person to look at."""

from __future__ import annotations

from pathlib import Path

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"


def test_report_html_renders_formula_table_and_headings(samples_converted, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.goto((samples_converted / "report.html").as_uri())
        assert page.locator("script").count() == 0  # one self-contained file, no script
        formula = page.locator("div.formula math")
        assert formula.count() == 1 and page.locator(".formula-source").count() == 0
        box = formula.bounding_box()
        assert box["width"] > 100 and box["height"] > 10
        # the browser laid the exponent out as one: n sits raised after the closing bracket
        base = page.locator("div.formula msup > :first-child").bounding_box()
        power = page.locator("div.formula msup > :last-child").bounding_box()
        assert (
            power["x"] >= base["x"] + base["width"] - 1
            and power["y"] + power["height"] < base["y"] + base["height"] - 2
        )
        assert page.locator("div.formula .eqno").inner_text() == "(1)"
        # the table: the merged "Service" cell spans the two header rows
        assert page.locator("table tr").count() == 6
        service = page.locator("td[rowspan='2']").bounding_box()
        first_row = page.locator("table tr").first.bounding_box()
        assert service["height"] > 1.5 * first_row["height"]
        # headings: the title, the numbered sections, set bigger than body text; none made of the formula
        assert page.locator("h1").first.inner_text() == "Riverside Community Library"
        headings = page.locator("h2, h3, h4, h5, h6").all_inner_texts()
        assert "4. Planning the collection" in headings and not any(h.startswith("L(t") for h in headings)
        size = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", "h3")
        body = page.evaluate("s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", "p")
        assert size > body
        ARTEFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "report-html.png"), full_page=True)
        page.locator("div.formula").screenshot(path=str(ARTEFACTS / "report-html-formula.png"))
    finally:
        page.close()
