"""Issue 19, the output folder: writers/output_paths.py is the one place output paths are made and
checked. Hostile input names (`..pdf`, bytes that are not UTF-8, control characters, 255-byte names),
tampered stamps, hand-changed outputs, outputs of deleted inputs (--prune), two runs on one folder
and `-o ""`. Property tests generate the names; one real run (lite engine, tiny images) goes end to
end."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from helpers.cli import run_cli
from glmocr_cli.config import ConfigError, Settings
from glmocr_cli.document import DocResult, PageResult, Region, Task
from glmocr_cli.labels import PageSource
from glmocr_cli.run.folder_lock import OutputFolderLock
from glmocr_cli.run.prune import find_stale, prune
from glmocr_cli.run.state import read_stamp, stale_outputs, stored_run_verdict, write_stamp
from glmocr_cli.run.summary import write_summary
from glmocr_cli.sources.discover import discover_inputs
from glmocr_cli.writers.atomic import write_atomic
from glmocr_cli.output_names import NAME_MAX, output_stem_for
from glmocr_cli.writers.output_paths import OutputFolder, UnsafeOutputPath
from glmocr_cli.writers.outputs import write_document

LATIN1 = os.fsdecode(b"caf\xe9")  # how os.listdir hands over a byte that is not UTF-8
LONG = "n" * (NAME_MAX - len(".png"))  # the longest legal input name


def png_bytes(text: str = "", size=(96, 32)) -> bytes:
    img = Image.new("RGB", size, "white")
    if text:
        ImageDraw.Draw(img).text((4, 10), text, fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def make_file(path: Path, data: bytes) -> Path:
    """Create a file whose name may hold bytes that are not UTF-8 (surrogateescape'd)."""
    os.makedirs(os.fsencode(path.parent), exist_ok=True)
    with open(os.fsencode(path), "wb") as fh:
        fh.write(data)
    return path


def a_document(relative: Path, stem: Path | None = None) -> DocResult:
    """A converted document with one text region and one figure crop: what the writers get."""
    regions = [
        Region(0, 0, "text", "text", Task.TEXT, (0, 0, 10, 10), 1.0, content="Hello"),
        Region(
            1,
            1,
            "image",
            "image",
            Task.SKIP,
            (0, 20, 10, 30),
            1.0,
            image_name="page0001_region001_image.png",
            image_png=png_bytes(),
        ),
    ]
    page = PageResult(0, 96, 32, PageSource.IMAGE, None, None, 0, regions, layout_vis_png=png_bytes())
    return DocResult(
        source=Path("/in") / relative,
        relative_path=relative,
        sha256="0" * 64,
        pages=[page],
        engine={},
        options={},
        output_stem=stem,
    )


def files_under(root: Path) -> set[bytes]:
    """Every path under root (root included), as bytes (names that are not UTF-8 included)."""
    found = {os.fsencode(root)}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        found.update(os.path.join(dirpath, n) for n in dirnames + filenames)
    return found


# -- names ---------------------------------------------------------------------------------------
hostile_names = st.one_of(
    st.sampled_from([".", "..", "...", "-", "--force", "-o", " ", "~", "%E9", "CON", "a\\b"]),
    st.binary(min_size=1, max_size=12).filter(lambda b: b"/" not in b and b"\0" not in b).map(os.fsdecode),
    st.text(st.characters(codec="utf-8", exclude_characters="/\0"), min_size=1, max_size=12),
    st.text(st.characters(max_codepoint=0x9F, exclude_characters="/\0"), min_size=1, max_size=6),
    st.integers(min_value=200, max_value=NAME_MAX - 4).map(lambda n: "é" * (n // 2) + "x" * (n % 2)),
)
suffixes = st.sampled_from([".pdf", ".png", ".PDF", ".jpg"])


def legal(name: str) -> bool:
    return name not in (".", "..") and len(os.fsencode(name)) <= NAME_MAX


@st.composite
def input_paths(draw) -> Path:
    folders = draw(st.lists(hostile_names.filter(legal), max_size=2))
    name = draw(st.one_of(hostile_names.map(lambda s: s + draw(suffixes)), st.sampled_from(["..pdf", "..png"])))
    if len(os.fsencode(name)) > NAME_MAX:
        name = "x" + draw(suffixes)
    return Path(*folders, name)


@settings(max_examples=120, deadline=None, database=None)
@given(relative=input_paths(), keep_suffix=st.booleans())
def test_every_output_path_of_any_name_stays_inside_the_folder_and_fits(relative: Path, keep_suffix: bool):
    folder = OutputFolder(Path("/srv/out"))
    stem = output_stem_for(relative, keep_suffix)
    assert stem == output_stem_for(relative, keep_suffix)  # stable
    paths = [folder.output(stem, fmt) for fmt in ("md", "json", "html", "kv.json")]
    paths += [
        folder.crop(stem, folder.crop_name(stem, "page0001_region000_image.png")),
        folder.layout_picture(stem, 9999),
        folder.stamp(relative),
    ]
    for path in paths:
        rel = path.relative_to(folder.root)
        assert ".." not in rel.parts and "." not in rel.parts and not rel.is_absolute()
        assert all(len(part.encode("utf-8")) <= NAME_MAX for part in rel.parts)  # strict UTF-8: no lone byte
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in str(rel))
    assert folder.stamp(relative).parent.parts[len(folder.root.parts)] == ".glmocr"


@settings(max_examples=50, deadline=None, database=None)
@given(names=st.lists(input_paths(), min_size=2, max_size=6, unique=True))
def test_inputs_never_share_outputs_they_convert_apart_or_one_is_named(tmp_path_factory, names: list[Path]):
    """Same-name siblings, `sub/..pdf` beside `sub.pdf`, `caf\\xe9.pdf` beside `caf%E9.pdf`: each
    input gets outputs of its own, or fails with a reason; none writes over another."""
    root = tmp_path_factory.mktemp("in")
    for name in names:
        make_file(root / name, b"%PDF-")
    items = discover_inputs([str(root)])
    usable = [i for i in items if i.error is None and i.warning is None]
    assert len(usable) + sum(1 for i in items if i.error) == len(names)
    stems = [OutputFolder(Path("/o")).output(i.stem, "md") for i in usable]
    assert len(set(stems)) == len(stems)
    assert all(i.error and "would overwrite" in i.error for i in items if i.error)


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(input_paths(), min_size=1, max_size=4, unique=True))
def test_writing_hostile_names_touches_nothing_outside_the_output_folder(tmp_path_factory, names: list[Path]):
    """Real files, discovery, every writer and the stamp: nothing lands outside -o, every input has
    its outputs or a reason, and a rerun finds each stamp (long names included)."""
    base = tmp_path_factory.mktemp("run")
    src, out = base / "in", base / "out"
    for name in names:
        make_file(src / name, png_bytes())
    make_file(base / "out.md", b"a user's file beside the output folder")
    before = files_under(base) - files_under(out)
    items = discover_inputs([str(src)])
    for item in items:
        if item.error:
            continue
        doc = a_document(item.relative_path, item.stem)
        written = write_document(doc, out, ["md", "json", "html"], key_values={"total": "1"})
        write_stamp(out, item.relative_path, "a" * 64, "f", written, stem=item.stem, pages=1, source=item.path)
        md = next(p for p in written if p.suffix == ".md").read_bytes().decode("utf-8")  # valid UTF-8
        assert f"(images/{doc.pages[0].regions[1].image_name})" in md
        assert (
            stored_run_verdict(
                out, read_stamp(out, item.relative_path), "a" * 64, "f", item.stem, ["md", "json", "html"]
            )
            == "current"
        )
    assert files_under(base) - files_under(out) == before  # nothing new outside -o
    assert (base / "out.md").read_bytes() == b"a user's file beside the output folder"
    resolved_out = out.resolve()
    for path in files_under(out):
        assert Path(os.fsdecode(path)).resolve().is_relative_to(resolved_out)


# -- items one by one ----------------------------------------------------------------------------
def test_dot_dot_pdf_keeps_its_extension_inside_the_folder(tmp_path: Path):
    for name in ("..pdf", "sub/..pdf", "sub.pdf"):
        make_file(tmp_path / "in" / name, b"%PDF-")
    stems = {i.relative_path.as_posix(): i.stem.as_posix() for i in discover_inputs([str(tmp_path / "in")])}
    assert stems == {"..pdf": "..pdf", "sub/..pdf": "sub/..pdf", "sub.pdf": "sub"}
    written = write_document(a_document(Path("sub/..pdf")), tmp_path / "out", ["md"])
    assert {p.relative_to(tmp_path / "out").as_posix() for p in written} == {
        "sub/..pdf.md",
        "sub/images/..pdf-page0001_region001_image.png",
        "sub/layout/..pdf-page0001.png",
    }


def test_a_name_that_is_not_utf8_is_written_with_a_safe_name_and_the_summary_still_written(tmp_path: Path):
    relative = Path(LATIN1 + ".png")
    written = write_document(a_document(relative), tmp_path / "out", ["md", "json", "html"])
    assert sorted(p.name for p in written if p.parent == tmp_path / "out") == [
        "caf%E9.html",
        "caf%E9.json",
        "caf%E9.md",
    ]
    json.loads((tmp_path / "out" / "caf%E9.json").read_bytes().decode("utf-8"))  # still valid UTF-8 JSON
    summary = tmp_path / "summary.json"
    write_summary(
        summary,
        {"documents": [{"path": str(tmp_path / relative)}]},
        started="now",
        settings=Settings(),
        inputs=[str(tmp_path)],
        output_dir=tmp_path / "out",
        warnings=[f"{relative}: a warning"],
    )
    data = json.loads(summary.read_bytes().decode("utf-8"))
    assert data["documents"][0]["path"].endswith("caf\\xe9.png")  # undecodable bytes as escapes (run/summary.py)


def test_long_legal_names_write_and_stamp(tmp_path: Path):
    out = tmp_path / "out"
    write_atomic(out / ("m" * NAME_MAX), b"x")  # the temporary name is shorter than this one
    assert (out / ("m" * NAME_MAX)).read_bytes() == b"x"
    relative = Path(LONG + ".png")
    stem = output_stem_for(relative)
    written = write_document(a_document(relative), out, ["md", "json"], key_values={})
    write_stamp(out, relative, "s", "f", written, stem=stem, pages=1, source=tmp_path / relative)
    assert stored_run_verdict(out, read_stamp(out, relative), "s", "f", stem, ["md", "json"]) == "current"
    assert all(len(os.fsencode(p.name)) <= NAME_MAX for p in written)
    assert (out / f"{LONG}.md").is_file()  # fits: kept as it is
    too_long = [p.name for p in written if p.name.endswith((".json", ".kv.json"))]  # cut, stable, apart
    assert len(too_long) == 2 and all(n.startswith("n" * 200) and "~" in n for n in too_long)


def test_a_tampered_stamp_never_deletes_outside_its_folders(tmp_path: Path):
    out, victims = tmp_path / "out", tmp_path / "victims"
    for name in ("images/a.png", "layout/b.png", "c.md"):
        make_file(victims / name, b"keep me")
    make_file(out / "images" / "doc-own.png", b"crop")
    make_file(out / "notes" / "images" / "x.png", b"another folder's crop")
    (out / "sub").mkdir()
    os.symlink(victims / "images", out / "sub" / "images")  # a folder under -o leading out of it
    stamp = {
        "stem": "doc",
        "outputs": [
            "../victims/images/a.png",
            str(victims / "layout" / "b.png"),
            "images/../../victims/c.md",
            "sub/images/a.png",
            "notes/images/x.png",
            "doc.md",
            "images/doc-own.png",
            5,
            ".glmocr/../../victims/c.md",
        ],
    }
    stale = stale_outputs(out, stamp, written=[])
    assert stale == [out / "images" / "doc-own.png"]  # only the document's own crop
    assert (
        stored_run_verdict(out, {**stamp, "sha256": "s", "fingerprint": "f"}, "s", "f", Path("doc"), ["md"]) == "redo"
    )
    # --prune reads stamps too: a gone input's tampered stamp removes nothing outside
    make_file(
        out / ".glmocr" / "doc.pdf.stamp.json",
        json.dumps({**stamp, "source": str(tmp_path / "gone.pdf"), "output_sha256": {}}).encode(),
    )
    prune(find_stale(out, set()))
    assert sorted(p.relative_to(victims).as_posix() for p in victims.rglob("*") if p.is_file()) == [
        "c.md",
        "images/a.png",
        "layout/b.png",
    ]
    assert (out / "notes" / "images" / "x.png").is_file()
    with pytest.raises(UnsafeOutputPath):
        OutputFolder(out).crop(Path("sub/doc"), "a.png")


def test_a_hand_changed_output_is_not_up_to_date(tmp_path: Path):
    out, relative, stem = tmp_path / "out", Path("doc.pdf"), Path("doc")
    written = write_document(a_document(relative), out, ["md", "json"])
    write_stamp(out, relative, "s", "f", written, stem=stem, pages=1)

    def verdict() -> str:
        return stored_run_verdict(out, read_stamp(out, relative), "s", "f", stem, ["md", "json"])

    assert verdict() == "current"
    original = (out / "doc.md").read_bytes()
    (out / "doc.md").write_bytes(original[:-3])  # truncated by hand: rebuilt from the JSON
    assert verdict() == "formats"
    (out / "doc.md").write_bytes(original)
    crop = next(p for p in written if p.parent.name == "images")
    crop.write_bytes(b"not a png")  # a crop cannot be rebuilt: recognise again
    assert verdict() == "redo"


def test_outputs_of_deleted_inputs_are_named_and_pruned_only_when_unchanged(tmp_path: Path):
    out = tmp_path / "out"
    kept_input = make_file(tmp_path / "in" / "kept.pdf", b"%PDF-")
    for name, source in (
        ("gone", tmp_path / "in" / "gone.pdf"),
        ("edited", tmp_path / "in" / "edited.pdf"),
        ("kept", kept_input),
    ):
        written = write_document(a_document(Path(f"{name}.pdf")), out, ["md", "json"])
        write_stamp(out, Path(f"{name}.pdf"), "s", "f", written, stem=Path(name), pages=1, source=source)
    (out / "edited.md").write_text("my notes")  # changed by hand: never removed
    make_file(tmp_path / "user" / "gone.md", b"outside")
    stale = find_stale(out, set())
    assert sorted(Path(d.source).name for d in stale) == ["edited.pdf", "gone.pdf"]
    assert prune(stale) == []
    assert not (out / "gone.md").exists() and not (out / "images" / "gone-page0001_region001_image.png").exists()
    assert not (out / ".glmocr" / "gone.pdf.stamp.json").exists()
    assert (out / "edited.md").read_text() == "my notes" and not (out / "edited.json").exists()
    assert (out / "kept.md").is_file() and (out / ".glmocr" / "kept.pdf.stamp.json").is_file()
    assert find_stale(out, set()) == []


def test_empty_output_option_and_a_second_run_on_one_folder_are_usage_errors(tmp_path: Path):
    make_file(tmp_path / "a.png", png_bytes("a"))
    empty = run_cli("convert", str(tmp_path / "a.png"), "-o", "", "--engine", "lite", cwd=tmp_path, timeout=120)
    assert empty.returncode == 2 and empty.stderr.strip().count("\n") == 0, empty.stderr
    assert "-o" in empty.stderr and "empty" in empty.stderr
    assert sorted(os.listdir(tmp_path)) == ["a.png"]  # nothing written into the current folder
    lock = OutputFolderLock(tmp_path / "out")
    try:
        second = run_cli(
            "convert", str(tmp_path / "a.png"), "-o", str(tmp_path / "out"), "--engine", "lite", timeout=120
        )
    finally:
        lock.release()
    assert second.returncode == 2 and second.stderr.strip().count("\n") == 0, second.stderr
    assert f"pid {os.getpid()}" in second.stderr and "another glmocr run" in second.stderr
    assert not list((tmp_path / "out").glob("*.md"))
    # a .glmocr/ that is a symlink leading out of the folder: refused, one line
    os.rename(tmp_path / "out" / ".glmocr", tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", tmp_path / "out" / ".glmocr")
    with pytest.raises(ConfigError, match="leads outside the output folder"):
        OutputFolderLock(tmp_path / "out")


# -- one real run ------------------------------------------------------------------------------------
def test_hostile_names_convert_in_one_real_run_and_the_batch_goes_on(tmp_path: Path):
    """The lite engine on tiny images named `..png`, `sub/..png` (beside `sub.png`), not UTF-8, 251
    bytes long: all convert, nothing outside -o changes, the summary is written, a rerun skips
    them all, and a deleted input's outputs are named and pruned."""
    from glmocr_cli.api import convert

    src, out = tmp_path / "in", tmp_path / "out"
    names = ["..png", "sub/..png", "sub.png", LATIN1 + ".png", LONG + ".png", "-z.png"]
    for name in names:
        make_file(src / name, png_bytes("Word"))
    for name in ("out.md", "out.json", "sub.md"):
        make_file(tmp_path / name, b"mine")
    before = files_under(tmp_path) - files_under(out)
    fast = Settings(engine="lite", workers=1, formats=["md", "json"])
    report = convert([src], out, fast, summary_path=tmp_path / "summary.json")
    assert [o.status for o in report.outcomes] == ["converted"] * len(names), [o.error for o in report.outcomes]
    assert (files_under(tmp_path) - files_under(out)) - before == {os.fsencode(tmp_path / "summary.json")}
    assert all((tmp_path / n).read_bytes() == b"mine" for n in ("out.md", "out.json", "sub.md"))
    for stem in ("..png", "sub/..png", "sub", "caf%E9", LONG, "-z"):
        assert (out / f"{stem}.md").is_file(), stem
    assert len(json.loads((tmp_path / "summary.json").read_text())["documents"]) == len(names)

    os.unlink(os.fsencode(src / (LATIN1 + ".png")))
    rerun = convert(
        [src],
        out,
        Settings(engine="lite", workers=1, formats=["md", "json"], prune=True),
        summary_path=tmp_path / "summary.json",
    )
    assert [o.status for o in rerun.outcomes] == ["skipped"] * (len(names) - 1)
    assert not (out / "caf%E9.md").exists() and not (out / "caf%E9.json").exists()
    stale = json.loads((tmp_path / "summary.json").read_text())["stale"]
    assert [(s["input"].endswith("caf\\xe9.png"), s["pruned"]) for s in stale] == [(True, True)]  # escaped bytes
