"""`glmocr convert` end to end, as a user runs it: real files, real models, real exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from helpers.cli import ROOT, ctrl_c_as_in_a_terminal, run_cli, strip_volatile
from helpers.factories import PARAGRAPH, render_to_image_pdf, text_image, text_pdf

FAST = ["--dpi", "100", "--workers", "1"]


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_convert_folder_mirrors_tree_and_writes_all_formats(tmp_path: Path):
    src = tmp_path / "in"
    (src / "sub dir" / "ünï").mkdir(parents=True)
    text_pdf(src / "report.pdf", [[PARAGRAPH]])
    text_image(src / "sub dir" / "ünï" / "note page.png", ["Invoice number 4711", "Total due 99.50 EUR"])
    result = run_cli("convert", str(src), "-o", str(tmp_path / "out"), *FAST)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    for stem in ("report", "sub dir/ünï/note page"):
        for suffix in (".md", ".json", ".html"):
            assert (out / (stem + suffix)).is_file(), stem + suffix
    md = (out / "report.md").read_text()
    assert "quick brown fox" in md
    assert md.lstrip().startswith("#")  # the title is a heading
    data = json.loads((out / "sub dir/ünï/note page.json").read_text())
    text = " ".join(r["content"] for p in data["pages"] for r in p["regions"])
    assert "4711" in text and "99.50" in text
    assert data["engine"]["name"] == "lite" and data["pages"][0]["regions"][0]["bbox"]
    from glmocr_cli.assemble.json_doc import validate_document

    validate_document(data)
    assert "converted" in result.stderr and not leftovers(out)


@pytest.mark.slow
def test_rerun_skips_force_and_changed_options_redo(tmp_path: Path):
    pdf = text_pdf(tmp_path / "a.pdf")
    out = tmp_path / "out"
    assert run_cli("convert", str(pdf), "-o", str(out), *FAST).returncode == 0
    first = (out / "a.json").stat().st_mtime_ns
    again = run_cli("convert", str(pdf), "-o", str(out), *FAST)
    assert again.returncode == 0 and "skipped" in again.stderr
    assert (out / "a.json").stat().st_mtime_ns == first
    forced = run_cli("convert", str(pdf), "-o", str(out), *FAST, "--force")
    assert "converted" in forced.stderr and (out / "a.json").stat().st_mtime_ns != first
    changed = run_cli("convert", str(pdf), "-o", str(out), "--dpi", "110", "--workers", "1")
    assert "converted" in changed.stderr
    (out / "a.md").unlink()  # a missing output makes the document out of date
    assert "converted" in run_cli("convert", str(pdf), "-o", str(out), "--dpi", "110", "--workers", "1").stderr


@pytest.mark.slow
def test_bad_inputs_fail_alone_and_batch_goes_on(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    text_pdf(src / "good.pdf")
    (src / "empty.pdf").write_bytes(b"")
    (src / "notes.pdf").write_text("just some text, not a PDF\n")
    whole = text_pdf(tmp_path / "whole.pdf").read_bytes()
    (src / "truncated.pdf").write_bytes(whole[: len(whole) // 3])
    text_pdf(src / "locked.pdf", encrypt_password="pw")
    Image.new("1", (5000, 5000)).save(src / "bomb.png")
    out = tmp_path / "out"
    summary = tmp_path / "summary.json"
    result = run_cli(
        "convert", str(src), "-o", str(out), *FAST, "--max-image-pixels", "20000000", "--summary", str(summary)
    )
    assert result.returncode == 1
    report = {Path(d["path"]).name: d for d in json.loads(summary.read_text())["documents"]}
    assert report["good.pdf"]["status"] == "converted"
    reasons = {
        "empty.pdf": "empty file",
        "notes.pdf": "not a PDF",
        "truncated.pdf": "PDF",
        "locked.pdf": "password",
        "bomb.png": "over the limit",
    }
    for name, reason in reasons.items():
        assert report[name]["status"] == "failed" and reason in report[name]["error"], report[name]
        line = next(ln for ln in result.stderr.splitlines() if name in ln)
        assert "failed" in line and reason in line
        assert not (out / name).with_suffix(".md").exists()
    assert (out / "good.md").is_file() and not leftovers(out)


@pytest.mark.slow
def test_encrypted_pdf_with_password(tmp_path: Path):
    pdf = text_pdf(tmp_path / "locked.pdf", encrypt_password="pw")
    wrong = run_cli("convert", str(pdf), "-o", str(tmp_path / "out"), *FAST, "--password", "nope")
    assert wrong.returncode == 1 and "wrong password" in wrong.stderr
    right = run_cli("convert", str(pdf), "-o", str(tmp_path / "out"), *FAST, "--password", "pw")
    assert right.returncode == 0 and "quick brown fox" in (tmp_path / "out" / "locked.md").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--engine", "turbo"], "engine must be one of"),
        (["--pages", "3-1"], "--pages"),
        (["--format", "docx"], "--format"),
        (["--no-such-flag"], "No such option"),
    ],
)
@pytest.mark.slow
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str):
    pdf = text_pdf(tmp_path / "a.pdf")
    result = run_cli("convert", str(pdf), "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2 and message in result.stderr


def _as_nobody():
    os.setgid(65534)
    os.setuid(65534)


def unprivileged_run(args: list[str], workdir: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run glmocr as an ordinary user: root may read and write anything, so permission errors
    can only be seen without it. As root, drop to 'nobody' with an interpreter nobody can run."""
    import sysconfig

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HOME": str(workdir)}
    if os.geteuid() != 0:
        return subprocess.run(
            [sys.executable, "-m", "glmocr_cli", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=workdir,
            timeout=timeout,
        )
    python = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not python.is_file():
        pytest.skip(f"running as root and no system {python.name} to run as an ordinary user")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    result = subprocess.run(
        [str(python), "-m", "glmocr_cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
        timeout=timeout,
        preexec_fn=_as_nobody,
    )
    if (
        "No module named" in result.stderr
        or "Permission denied: '/" in result.stderr
        and "glmocr_cli" not in result.stderr
    ):
        pytest.skip(f"the project is not readable by an ordinary user here: {result.stderr.strip()[-200:]}")
    return result


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX only")
def test_unwritable_output_and_unreadable_input():
    import shutil
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="glmocr-perm-"))
    try:
        work.chmod(0o777)
        pdf = text_pdf(work / "a.pdf")
        locked = text_pdf(work / "locked.pdf")
        locked.chmod(0)
        readonly = work / "readonly"
        readonly.mkdir(mode=0o555)
        readonly.chmod(0o555)
        result = unprivileged_run(["convert", str(pdf), "-o", str(readonly / "out"), *FAST], work)
        assert result.returncode == 2, result.stderr
        assert "not writable" in result.stderr and str(readonly / "out") in result.stderr
        out = work / "out"
        out.mkdir(mode=0o777)
        out.chmod(0o777)
        result = unprivileged_run(["convert", str(locked), str(pdf), "-o", str(out), *FAST], work)
        assert result.returncode == 1, result.stderr
        line = next(ln for ln in result.stderr.splitlines() if "locked.pdf" in ln)
        assert "failed" in line and "permission denied" in line
        assert (out / "a.md").is_file()
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.slow
def test_paths_from_stdin_quiet_and_plain_log(tmp_path: Path):
    a, b = text_pdf(tmp_path / "a.pdf"), text_pdf(tmp_path / "b.pdf")
    quiet = run_cli("convert", "-", "-o", str(tmp_path / "out"), *FAST, "--quiet", stdin=f"{a}\n{b}\n")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert (tmp_path / "out" / "b.json").is_file()
    plain = run_cli("convert", "-", "-o", str(tmp_path / "out"), *FAST, "--force", stdin=f"{a}\n{b}\n")
    lines = [ln for ln in plain.stderr.splitlines() if ln.startswith("[")]
    assert len(lines) == 2 and lines[0].startswith("[1/2] converted") and "\x1b[" not in plain.stderr


@pytest.mark.slow
def test_formats_pages_and_layout_vis(tmp_path: Path):
    pdf = text_pdf(tmp_path / "a.pdf", [["page one text"], ["page two text"], ["page three text"]])
    out = tmp_path / "out"
    result = run_cli("convert", str(pdf), "-o", str(out), *FAST, "--format", "json", "--pages", "2-3", "--layout-vis")
    assert result.returncode == 0, result.stderr
    assert not (out / "a.md").exists() and not (out / "a.html").exists()
    data = json.loads((out / "a.json").read_text())
    assert [p["index"] for p in data["pages"]] == [1, 2]
    assert data["options"]["pages"] == "2-3" and data["options"]["dpi"] == 100
    vis = sorted((out / "layout").glob("a-page*.png"))
    assert [p.name for p in vis] == ["a-page0002.png", "a-page0003.png"]
    assert Image.open(vis[0]).size == (data["pages"][0]["width"], data["pages"][0]["height"])


@pytest.mark.slow
def test_results_identical_with_one_or_two_workers(tmp_path: Path):
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH], ["Second page with different words."]])
    scan = render_to_image_pdf(born, tmp_path / "scan.pdf", dpi=100)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        result = run_cli("convert", str(scan), str(born), "-o", str(out), "--dpi", "100", "--workers", workers)
        assert result.returncode == 0, result.stderr
        outputs.append(
            {name: strip_volatile(json.loads((out / f"{name}.json").read_text())) for name in ("scan", "born")}
            | {"md": (out / "scan.md").read_text()}
        )
    assert outputs[0] == outputs[1]
    assert "quick brown fox" in outputs[0]["md"]


@pytest.mark.slow
def test_interrupt_exits_130_and_rerun_finishes(tmp_path: Path):
    src = tmp_path / "in"
    src.mkdir()
    born = text_pdf(tmp_path / "born.pdf", [[PARAGRAPH]] * 2)
    documents = 8  # enough that the interrupt lands mid-run even when the machine is busy
    for i in range(documents):
        render_to_image_pdf(born, src / f"scan{i}.pdf", dpi=100)
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "glmocr_cli", "convert", str(src), "-o", str(out), *FAST],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    first = proc.stderr.readline()
    while first and "converted" not in first:  # wait for the first finished document
        first = proc.stderr.readline()
    assert "converted" in first
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=120)
    assert proc.returncode == 130
    assert not leftovers(out)
    done = {p.stem for p in out.glob("*.json")}
    assert 1 <= len(done) < documents
    rerun = run_cli("convert", str(src), "-o", str(out), *FAST)
    assert rerun.returncode == 0
    assert rerun.stderr.count("skipped") == len(done) and rerun.stderr.count("converted") == documents - len(done)


@pytest.mark.slow
def test_config_show_reports_layers(tmp_path: Path):
    (tmp_path / "glmocr.toml").write_text("dpi = 150\n")
    result = run_cli("config", "show", cwd=tmp_path, env={"GLMOCR_WORKERS": "3"})
    assert result.returncode == 0
    lines = {ln.split()[0]: ln for ln in result.stdout.splitlines()}
    assert "150" in lines["dpi"] and "glmocr.toml" in lines["dpi"]
    assert "3" in lines["workers"] and "GLMOCR_WORKERS" in lines["workers"]
    assert "(default)" in lines["engine"]


@pytest.mark.slow
def test_label_task_override_reaches_markdown(tmp_path: Path):
    sample = ROOT / "samples" / "report.pdf"
    plain = run_cli("convert", str(sample), "-o", str(tmp_path / "a"), *FAST, "--format", "md,json")
    kept = run_cli(
        "convert", str(sample), "-o", str(tmp_path / "b"), *FAST, "--format", "md,json", "--label-task", "number=text"
    )
    assert plain.returncode == 0 and kept.returncode == 0
    numbers = [
        r
        for p in json.loads((tmp_path / "a" / "report.json").read_text())["pages"]
        for r in p["regions"]
        if r["label"] == "number"
    ]
    assert numbers and all(r["task"] == "abandon" for r in numbers)
    relabelled = [
        r
        for p in json.loads((tmp_path / "b" / "report.json").read_text())["pages"]
        for r in p["regions"]
        if r["label"] == "number"
    ]
    assert relabelled and all(r["task"] == "text" for r in relabelled)
    assert len((tmp_path / "b" / "report.md").read_text()) > len((tmp_path / "a" / "report.md").read_text())


# -- --ray [ADDRESS]: told by form, parsed without starting Ray ------------------------------------
def _parsed_ray(*args: str):
    import typer

    from glmocr_cli.cli.commands import _ray_alone, app

    convert = typer.main.get_command(app).commands["convert"]
    return convert.make_context("convert", _ray_alone(list(args))).params["ray"]


@pytest.mark.parametrize(
    ("args", "address"),
    [
        (["in.pdf"], None),
        (["in.pdf", "--ray"], "local"),  # alone, last
        (["--ray", "-o", "out", "in.pdf"], "local"),  # alone, an option next
        (["--ray", "auto", "in.pdf"], "auto"),
        (["in.pdf", "--ray", "ray://head:10001"], "ray://head:10001"),
        (["--ray=10.0.0.5:6379", "in.pdf"], "10.0.0.5:6379"),
        (["--", "--ray"], None),  # after --, a file named --ray
    ],
)
def test_ray_address_is_parsed_as_an_optional_value(args: list[str], address: str | None):
    assert _parsed_ray(*args) == address


def test_ray_before_an_input_is_a_usage_error_never_a_guess(tmp_path: Path):
    scans = tmp_path / "scans"
    scans.mkdir()
    took_input = run_cli("convert", "--ray", str(scans), "-o", str(tmp_path / "out"))
    assert took_input.returncode == 2
    assert took_input.stderr.splitlines() == [
        f"error: --ray took {str(scans)!r} as its address; write `--ray local` or `--ray auto`, "
        "or put --ray after the inputs"
    ]
    not_an_address = run_cli("convert", str(scans), "--ray", "headnode", "-o", str(tmp_path / "out"))
    assert not_an_address.returncode == 2
    assert not_an_address.stderr.splitlines() == [
        "error: --ray 'headnode' is not a Ray address; write auto, local, ray://HOST:PORT or HOST:PORT"
    ]
    assert not (tmp_path / "out").exists()
