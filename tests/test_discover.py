import os
from pathlib import Path

from glmocr_cli.sources.discover import discover_inputs


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_recurse_and_mirror(tmp_path: Path):
    touch(tmp_path / "in" / "a.pdf")
    touch(tmp_path / "in" / "sub" / "b.PNG")
    touch(tmp_path / "in" / "sub" / "notes.txt")
    touch(tmp_path / "in" / "Ünïcode name with spaces.jpg")
    items = discover_inputs([str(tmp_path / "in")])
    assert [i.relative_path.as_posix() for i in items] == [
        "a.pdf",
        "sub/b.PNG",
        "Ünïcode name with spaces.jpg",
    ] or sorted(i.relative_path.as_posix() for i in items) == ["a.pdf", "sub/b.PNG", "Ünïcode name with spaces.jpg"]
    assert all(i.error is None for i in items)


def test_include_exclude_and_stdin(tmp_path: Path):
    a = touch(tmp_path / "in" / "keep" / "a.pdf")
    touch(tmp_path / "in" / "drop" / "b.pdf")
    items = discover_inputs([str(tmp_path / "in")], include=["*.pdf"], exclude=["drop/*"])
    assert [i.path for i in items] == [a]
    items = discover_inputs(["-"], stdin_lines=[str(a), "", str(tmp_path / "missing.pdf")])
    assert items[0].path == a and items[0].error is None
    assert items[1].error == "no such file or folder"


def test_symlink_loop_is_reported_not_followed(tmp_path: Path):
    touch(tmp_path / "in" / "a.pdf")
    os.symlink(tmp_path / "in", tmp_path / "in" / "loop")
    items = discover_inputs([str(tmp_path / "in")])
    good = [i for i in items if i.error is None and i.warning is None]
    loops = [i for i in items if i.warning and "symlink loop" in i.warning]
    assert [i.relative_path.as_posix() for i in good] == ["a.pdf"]
    assert len(loops) == 1 and loops[0].error is None  # a warning, not a failure


def test_unsupported_file_named_directly(tmp_path: Path):
    items = discover_inputs([str(touch(tmp_path / "x.docx"))])
    assert "unsupported file type" in items[0].error


def test_inputs_that_would_overwrite_each_other_are_refused(tmp_path: Path):
    a = touch(tmp_path / "one" / "report.pdf")
    b = touch(tmp_path / "two" / "report.pdf")
    c = touch(tmp_path / "two" / "report.png")
    items = discover_inputs([str(a), str(b), str(c)])
    assert items[0].error is None
    assert "would overwrite those of" in items[1].error and str(a) in items[1].error
    # report.png only shares the stem: both keep their extension and convert (report.pdf.md, report.png.md)
    assert items[2].error is None
    assert [items[0].stem.as_posix(), items[2].stem.as_posix()] == ["report.pdf", "report.png"]
