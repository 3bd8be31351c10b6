"""Hostile inputs (issue 19): output folders inside the input tree, special files, names that are not
UTF-8 or hold control characters, raw HTML in a document's text, `--extract NAME` beside a file NAME.

In process and on real files: real FIFOs, sockets and device symlinks, real PDFs under byte names.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.factories import text_pdf
from glmocr_cli.assemble.markdown import render_markdown
from glmocr_cli.config import Settings
from glmocr_cli.display import shown
from glmocr_cli.document import DocResult, InlineSpan, PageResult, Region, Task, TextBlock
from glmocr_cli.extract import parse_key_spec
from glmocr_cli.labels import PageSource
from glmocr_cli.run.batch import DocOutcome
from glmocr_cli.run.progress import PlainReporter, RichReporter
from glmocr_cli.run.state import file_sha256
from glmocr_cli.run.summary import write_summary
from glmocr_cli.sources.discover import discover_inputs
from glmocr_cli.sources.documents import open_source

BAD_BYTES = os.fsdecode(b"caf\xe9 \xff")  # a Latin-1 name from an old archive: not UTF-8


def test_output_folder_and_other_output_folders_in_the_input_tree_are_not_inputs(tmp_path: Path):
    src = tmp_path / "docs"
    (src / "out" / "images").mkdir(parents=True)
    (src / "out" / ".glmocr").mkdir()
    (src / "old" / ".glmocr").mkdir(parents=True)
    text_pdf(src / "a.pdf")
    for crop in (src / "out" / "images" / "a_p1_r0.png", src / "out" / "a.png", src / "old" / "b.png"):
        crop.write_bytes(b"\x89PNG\r\n\x1a\n")
    found = discover_inputs([str(src)], output_dir=src / "out")
    assert [i.relative_path.as_posix() for i in found if not i.warning] == ["a.pdf"]
    # the run's own -o is left out without a word; another run's output folder is one line
    assert [(i.relative_path.as_posix(), i.warning) for i in found if i.warning] == [
        ("old", "an output folder (it holds .glmocr): its files are outputs, not inputs; skipped")
    ]
    # given as the input itself, the output folder is one line too, and none of its files
    again = discover_inputs([str(src / "out")], output_dir=src / "out")
    assert len(again) == 1 and "the output folder (-o)" in again[0].warning


def _finishes(function, *args, seconds: float = 10.0):
    """Run function in a thread; what it returned or raised, or AssertionError if it hangs."""
    box: dict = {}

    def target():
        try:
            box["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{function.__name__}{args} hangs"
    return box


def test_fifos_devices_and_sockets_are_one_line_each_and_never_opened(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    text_pdf(src / "good.pdf")
    os.mkfifo(src / "pipe.pdf")
    (src / "zero.pdf").symlink_to("/dev/zero")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(src / "sock.png"))
    try:
        found = discover_inputs([str(src)])
        assert [i.relative_path.name for i in found if not i.warning and not i.error] == ["good.pdf"]
        reasons = {i.relative_path.name: i.warning for i in found if i.warning}
        assert reasons == {
            "pipe.pdf": "not a regular file (a FIFO): skipped without reading it",
            "sock.png": "not a regular file (a socket): skipped without reading it",
            "zero.pdf": "not a regular file (a character device): skipped without reading it",
        }
        named = discover_inputs([str(src / "pipe.pdf")])
        assert named[0].error == "not a regular file (a FIFO): skipped without reading it"
        # a file swapped for a FIFO or a device after discovery: hashing and sniffing fail at once
        for path in (src / "pipe.pdf", src / "zero.pdf"):
            hashed = _finishes(file_sha256, path)
            assert isinstance(hashed.get("error"), OSError) and "not a regular file" in str(hashed["error"])
            opened = _finishes(open_source, path)
            assert "not a regular file" in str(opened.get("error"))
    finally:
        server.close()


def test_a_pdf_whose_name_is_not_utf8_opens_and_its_summary_stays_utf8_json(tmp_path: Path):
    name = tmp_path / f"{BAD_BYTES}.pdf"
    text_pdf(tmp_path / "plain.pdf", [["Quarterly figures are final."]]).rename(name)
    assert os.fsencode(name.name) == b"caf\xe9 \xff.pdf"
    source = open_source(name)
    assert source.page_count == 1 and "Quarterly" in "".join(s.text for s in source.render(0, 10**8).text_spans)
    source.close()
    [item] = discover_inputs([str(tmp_path)])
    assert item.path == name and item.error is None
    outcome = DocOutcome(name, item.relative_path, "converted", pages=1)
    summary = tmp_path / "summary.json"
    write_summary(
        summary,
        {"documents": [outcome.to_json()]},
        started="now",
        settings=Settings(),
        inputs=[str(tmp_path)],
        output_dir=tmp_path / "out",
        warnings=[f"{name}: a note"],
    )
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert written["documents"][0]["path"].endswith("caf\\xe9 \\xff.pdf")
    assert written["warnings"] == [f"{shown(name)}: a note"]


# -- names in logs: property tests over what a file system can hold ---------------------------------
NAME_BYTES = st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\0" not in b)
NAME_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)


def _event_lines(reporter_output: str) -> list[str]:
    return reporter_output.split("\n")[:-1]


def _assert_one_printable_line_per_event(output: str, events: int) -> None:
    lines = _event_lines(output)
    assert len(lines) == events, output
    for line in lines:
        _assert_terminal_safe(line)


def _assert_terminal_safe(line: str) -> None:
    line.encode("utf-8")  # no lone surrogates: a UTF-8 terminal or log file takes it
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in line), ascii(line)
    assert "\u202e" not in line and "\x1b" not in line


@settings(max_examples=150, deadline=None)
@given(raw=st.one_of(NAME_BYTES.map(os.fsdecode), NAME_TEXT))
def test_any_name_is_one_printable_line_per_event_in_the_plain_log(raw: str):
    path = Path("/data") / f"{raw}.pdf"
    stream = io.StringIO()
    reporter = PlainReporter(stream)
    reporter.start(2)
    reporter.warn(f"{path}: not a regular file (a FIFO): skipped without reading it")
    reporter.document_finished(DocOutcome(path, Path(path.name), "failed", error=f"cannot read {path}"))
    reporter.document_finished(
        DocOutcome(path, Path(path.name), "converted", pages=1, warnings=["w"], flags=["page 1: unreadable-text"])
    )
    _assert_one_printable_line_per_event(stream.getvalue(), 5)
    assert shown(path) in stream.getvalue()


def test_escape_sequences_and_newlines_in_names_are_shown_not_played_in_rich_mode_too():
    hostile = Path("in") / "a\x1b[2J\x1b]0;owned\x07b\nfake: converted\r\u202eevil.pdf"
    assert shown(hostile) == "in/a\\x1b[2J\\x1b]0;owned\\x07b\\nfake: converted\\r\\u202eevil.pdf"
    rich = RichReporter()
    rich.progress.console.file = stream = io.StringIO()
    rich.start(1)
    rich.document_finished(DocOutcome(hostile, Path(hostile.name), "failed", error="not a PDF file"))
    rich.close()
    text = stream.getvalue()
    assert "\x1b[2J" not in text and "\x07" not in text and "\u202e" not in text
    assert "a\\x1b[2J" in text and "\\nfake: converted" in text
    assert [ln for ln in text.splitlines() if "fake" in ln] == [ln for ln in text.splitlines() if "[1/1]" in ln]


# -- Markdown keeps raw HTML from a document's text as text ----------------------------------------
def test_markdown_escapes_raw_html_in_text_but_keeps_its_own_tables_and_marks():
    def region(order, label, task, content, **extra):
        return Region(
            index=order,
            order=order,
            label=label,
            native_label=label,
            task=task,
            bbox=(10.0, 10.0 + 50 * order, 300.0, 50.0 + 50 * order),
            score=0.9,
            content=content,
            **extra,
        )

    page = PageResult(
        0,
        400,
        800,
        PageSource.PDF,
        200,
        (144.0, 288.0),
        0,
        regions=[
            region(0, "paragraph_title", Task.TEXT, "Setup <img src=x onerror=alert(1)>"),
            region(1, "text", Task.TEXT, "Run <script>steal()</script> and <!-- hide this --> if a < b."),
            region(
                2,
                "text",
                Task.TEXT,
                "",
                blocks=[
                    TextBlock([InlineSpan("E = mc"), InlineSpan("2", script="sup"), InlineSpan(" <iframe src=evil>")])
                ],
            ),
            region(3, "table", Task.TABLE, "<table><tr><td>x <b>y</b></td></tr></table>"),
        ],
    )
    md = render_markdown(
        DocResult(source=Path("a.pdf"), relative_path=Path("a.pdf"), sha256="0", pages=[page], engine={}, options={})
    )
    for raw in ("<img", "<script", "</script", "<!-- hide", "<iframe"):
        assert raw not in md, md
    assert "&lt;script>steal()&lt;/script>" in md and "&lt;!-- hide this -->" in md and "if a < b." in md
    assert "mc<sup>2</sup>" in md  # refine's own marks stay
    assert "<table><tr><td>x <b>y</b></td></tr></table>" in md  # our tables stay (sanitised as before)


# -- --extract: a schema only when named as one ----------------------------------------------------
def test_extract_takes_a_schema_only_as_at_file_or_dot_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    Path("total").write_text("this is someone's notes file, not JSON")
    assert [k.name for k in parse_key_spec("total")] == ["total"]
    schema = {"properties": {"invoice_number": {"type": "string"}}}
    Path("fields").write_text(json.dumps(schema))
    assert [k.name for k in parse_key_spec("@fields")] == ["invoice_number"]
    Path("fields.JSON").write_text(json.dumps(schema))
    assert [k.name for k in parse_key_spec("fields.JSON")] == ["invoice_number"]


# -- the run end to end: its own outputs are never inputs; -q keeps why the exit code is not 0 -------
def test_convert_dot_into_a_folder_inside_it_twice_converts_only_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from glmocr_cli.api import convert

    text_pdf(tmp_path / "report.pdf", [["Quarterly figures are final."]])
    monkeypatch.chdir(tmp_path)
    run = Settings(engine="lite", workers=1, dpi=100, layout_vis=True, fail_on="flagged")
    first = convert(["."], "out", run)
    assert [(o.relative_path.as_posix(), o.status) for o in first.outcomes] == [("report.pdf", "converted")]
    assert any(Path("out/layout").iterdir())  # pictures an older walk took for inputs on the next run
    second = convert(["."], "out", run)
    assert [(o.relative_path.as_posix(), o.status) for o in second.outcomes] == [("report.pdf", "skipped")]
    assert not Path("out/out").exists() and second.exit_code == 0 and second.problem_lines() == []


def test_quiet_lines_say_why_fail_on_flagged_exits_1():
    from glmocr_cli.api import RunReport

    flagged = DocOutcome(
        Path("in/scan.pdf"),
        Path("scan.pdf"),
        "converted",
        pages=2,
        flags=["page 1: unsupported-script", "page 2: unreadable-text"],
    )
    report = RunReport([flagged], "lite", fail_on="flagged")
    assert report.exit_code == 1
    assert report.problem_lines() == [
        "flagged: in/scan.pdf: page 1: unsupported-script, page 2: unreadable-text (--fail-on flagged)"
    ]
    assert RunReport([flagged], "lite").problem_lines() == []  # failure: a flag is no reason to exit 1


def test_paths_on_stdin_keep_their_bytes_one_a_line_or_nul_separated(monkeypatch: pytest.MonkeyPatch):
    from glmocr_cli.cli.commands import _stdin_paths

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"in/caf\xe9.pdf\nin/b.pdf\n")))
    assert _stdin_paths() == [os.fsdecode(b"in/caf\xe9.pdf"), "in/b.pdf"]
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"in/two\nlines.pdf\0in/\xff.png\0")))
    assert _stdin_paths() == ["in/two\nlines.pdf", os.fsdecode(b"in/\xff.png"), ""]


SUFFIXES = st.sampled_from([".pdf", ".PDF", ".png", ".jpg", ".tiff", ".webp"])
STEM_BYTES = st.binary(min_size=1, max_size=60).filter(lambda b: b"/" not in b and b"\0" not in b)
STEM_TEXT = (
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=40)
    .map(os.fsencode)
    .filter(lambda b: len(b) <= 200)
)


@settings(max_examples=40, deadline=None)
@given(
    files=st.lists(
        st.tuples(
            st.one_of(STEM_BYTES, STEM_TEXT, st.sampled_from([b"-rf", b"--help", b".", b"..", b" ", b"\n"])),
            SUFFIXES,
            st.booleans(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_every_file_of_a_folder_is_an_input_or_one_printable_line_whatever_its_name(files):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "in"
        root.mkdir()
        made: dict[Path, bool] = {}  # path -> is a FIFO
        for stem, suffix, fifo in files:
            path = root / os.fsdecode(stem + suffix.encode())
            if path in made:
                continue
            if fifo:
                os.mkfifo(path)
            else:
                path.write_bytes(b"%PDF-1.4\n")
            made[path] = fifo
        found = discover_inputs([str(root)], output_dir=Path(folder) / "out")
        assert sorted(i.path for i in found) == sorted(made)  # each exactly once, none invented
        for item in found:
            assert (item.warning is not None) == made[item.path] and item.error is None
            _assert_terminal_safe(shown(f"warning: {item.path}: {item.warning}"))
