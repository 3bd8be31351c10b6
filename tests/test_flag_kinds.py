"""Which flags fail a run: problems (unread, damaged text) do; notes on how a region was read
(furniture found by repetition, a caption that is not a formula, low confidence) never do."""

from __future__ import annotations

import json

import pymupdf
import pytest

from glmocr_cli.document import PROBLEM_FLAGS, PageResult, Region, Task
from glmocr_cli.labels import PageSource
from glmocr_cli.run.batch import flagged_pages


def _region(flags: list[str]) -> Region:
    return Region(
        index=0,
        order=0,
        label="text",
        native_label="text",
        task=Task.TEXT,
        bbox=(0, 0, 10, 10),
        score=1.0,
        content="x",
        flags=flags,
    )


def test_only_problem_flags_make_a_page_flagged():
    page = PageResult(
        index=1,
        width=10,
        height=10,
        source=PageSource.PDF,
        dpi=200,
        size_pt=None,
        rotation=0,
        regions=[_region(["furniture"]), _region(["not-a-formula", "low-confidence"])],
    )
    assert flagged_pages([page]) == []
    page.regions.append(_region(["unsupported-script"]))
    page.flags.append("damaged")
    assert flagged_pages([page]) == ["page 2: damaged", "page 2: unsupported-script"]
    assert {"furniture", "not-a-formula", "low-confidence", "max-new-tokens"}.isdisjoint(PROBLEM_FLAGS)


@pytest.mark.slow
def test_running_headers_do_not_fail_a_flagged_run_nor_a_format_only_rerun(tmp_path, cli):
    doc = pymupdf.open()
    for number in range(1, 5):
        page = doc.new_page(width=420, height=595)
        page.insert_text((40, 30), "Quarterly Review of the Harbour Board", fontsize=9)
        page.insert_textbox(
            pymupdf.Rect(40, 80, 380, 400),
            f"Section {number}. The board met to review the accounts of the harbour and agreed "
            "on the budget for the coming year, with repairs to the north pier first.",
            fontsize=12,
        )
        page.insert_text((205, 570), str(number), fontsize=9)
    (tmp_path / "in").mkdir()
    doc.save(tmp_path / "in" / "review.pdf")
    out = tmp_path / "out"
    done = cli(
        "convert",
        str(tmp_path / "in"),
        "-o",
        str(out),
        "--engine",
        "lite",
        "--format",
        "md,json",
        "--fail-on",
        "flagged",
    )
    assert done.returncode == 0, done.stderr
    regions = [r for p in json.loads((out / "review.json").read_text())["pages"] for r in p["regions"]]
    assert any("furniture" in r["flags"] for r in regions)  # the notes are there, and did not fail the run
    again = cli(
        "convert",
        str(tmp_path / "in"),
        "-o",
        str(out),
        "--engine",
        "lite",
        "--format",
        "md,json,html",
        "--fail-on",
        "flagged",
    )
    assert again.returncode == 0, again.stderr
    assert "rebuilt" in again.stderr and (out / "review.html").is_file()
