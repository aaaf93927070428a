"""`semsiedit rewrite` end to end on the real detectors, local editor and embedding model.

Runs the CLI entry point in-process (models load once per test session) except where a real
process is the point (Ctrl-C / kill and resume).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_runner import run_main, wait_for_lines

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CLINICAL = (
    "Patient Maria Gonzalez (maria.gonzalez@example.com, 555-123-4567) was diagnosed with HIV in 2021.\r\n"
    "Her neighbour, Tom Becker, says she is a liar who stole from the church fund.\r\n"
)


def run(argv, monkeypatch, capsys, stdin: bytes | None = None, cwd: Path | None = None):
    """`semsiedit rewrite ARGV...` in-process; returns (exit code, stdout, stderr)."""
    return run_main(["rewrite", *argv], monkeypatch, capsys, stdin=stdin, cwd=cwd)


def pii_values(text: str) -> list[str]:
    from semsiedit.config import Settings
    from semsiedit.detection import DetectionEngine

    return [f.text for f in DetectionEngine(Settings()).detect(text) if f.category == "pii"]


def protected_pii_values(text: str) -> list[str]:
    """The detected PII values the document's protection profile protects (countries and states are
    kept under both profiles, public people under `public`: docs/profiles.md)."""
    from semsiedit.config import Settings
    from semsiedit.detection import DetectionEngine
    from semsiedit.profile import apply_profile, choose_profile

    settings = Settings()
    findings = DetectionEngine(settings).detect(text)
    profile = choose_profile(text, None, findings, settings)
    return [f.text for f in apply_profile(findings, profile) if f.category == "pii"]


def test_single_file_to_stdout_preserves_crlf_and_hides_values(tmp_path, monkeypatch, capsys):
    path = tmp_path / "note.txt"
    path.write_bytes(CLINICAL.encode())
    code, out, err = run([str(path)], monkeypatch, capsys)
    assert code == 0, err
    assert out.count("\r\n") == CLINICAL.count("\r\n")
    values = pii_values(CLINICAL)
    assert "Maria Gonzalez" in values and "maria.gonzalez@example.com" in values
    for value in values:
        assert value not in out
    assert "HIV" not in out  # the identity attribute is generalised
    assert len(out) >= 0.7 * len(CLINICAL)  # rewritten, not truncated
    assert path.read_bytes() == CLINICAL.encode()  # the input is untouched


def test_stdin_to_stdout_keeps_stdout_clean(monkeypatch, capsys):
    code, out, _err = run(["-"], monkeypatch, capsys, stdin=CLINICAL.encode())
    assert code == 0
    assert "Maria Gonzalez" not in out
    assert "summary" not in out and "Loading" not in out  # tables and progress go to stderr only
    assert out.startswith("Patient ")


def test_folder_is_mirrored_into_output_dir(tmp_path, monkeypatch, capsys):
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "a.txt").write_text(CLINICAL)
    (src / "sub" / "b.md").write_text("Call John Smith at john@example.org about his divorce.")
    (src / "skip.csv").write_text("x")
    code, out, err = run([str(src), "-o", str(tmp_path / "out")], monkeypatch, capsys)
    assert code == 0, err
    assert out == ""
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == ["a.txt", "sub/b.md"]
    assert "john@example.org" not in (tmp_path / "out" / "sub" / "b.md").read_text()
    assert "documents" in err  # the summary table


def test_files_named_by_absolute_or_parent_paths_go_into_the_output_folder(tmp_path, monkeypatch, capsys):
    # Data loss found in session 15: `rewrite /abs/a.txt /abs/b.txt -o out` joined out / "/abs/a.txt",
    # which is the input itself, and overwrote both inputs.
    src, elsewhere = tmp_path / "in", tmp_path / "work"
    src.mkdir()
    elsewhere.mkdir()
    (src / "a.txt").write_bytes(CLINICAL.encode())
    (src / "b.txt").write_text("Call John Smith at john@example.org about his divorce.")
    code, _out, err = run([str(src / "a.txt"), str(src / "b.txt"), "-o", "out", "--no-score"], monkeypatch, capsys,
                          cwd=elsewhere)  # fmt: skip
    assert code == 0, err
    assert (src / "a.txt").read_bytes() == CLINICAL.encode()
    assert "John Smith" in (src / "b.txt").read_text()
    written = [p for p in (elsewhere / "out").rglob("*") if p.is_file()]
    assert sorted(p.name for p in written) == ["a.txt", "b.txt"], written
    assert all("Maria" not in p.read_text() and "John Smith" not in p.read_text() for p in written)
    # Relative paths that climb out of the working folder stay inside the output folder too.
    code, _out, err = run(["../in/a.txt", "../in/b.txt", "-o", "out2", "--no-score"], monkeypatch, capsys,
                          cwd=elsewhere)  # fmt: skip
    assert code == 0, err
    assert (src / "a.txt").read_bytes() == CLINICAL.encode()
    assert sorted(p.name for p in (elsewhere / "out2").rglob("*") if p.is_file()) == ["a.txt", "b.txt"]


@pytest.mark.parametrize("flag", ["--report", "--html", "--mapping", "--key-file"])
def test_a_side_output_onto_an_input_is_refused(flag, tmp_path, monkeypatch, capsys):
    # Found in session 15: `--report a.txt` and `--html a.txt` overwrote the input a.txt.
    path = tmp_path / "a.txt"
    path.write_bytes(CLINICAL.encode())
    extra = ["--mapping", str(tmp_path / "map.vault")] if flag == "--key-file" else []
    code, _out, err = run([str(path), "-o", str(tmp_path / "out.txt"), flag, str(path), *extra, "--no-score"],
                          monkeypatch, capsys)  # fmt: skip
    assert code == 2 and "is an input" in err, err
    assert path.read_bytes() == CLINICAL.encode()
    assert not (tmp_path / "out.txt").exists()


def test_many_inputs_without_output_is_a_usage_error(tmp_path, monkeypatch, capsys):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "b.txt").write_text("y")
    code, _out, err = run([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], monkeypatch, capsys)
    assert code == 2 and "-o DIR" in err


def test_output_onto_the_input_is_refused(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.txt"
    path.write_bytes(CLINICAL.encode())
    code, _out, err = run([str(path), "-o", str(path)], monkeypatch, capsys)
    assert code == 2 and "--in-place" in err
    assert path.read_bytes() == CLINICAL.encode()


def test_in_place_keeps_a_backup(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.txt"
    path.write_bytes(CLINICAL.encode())
    code, _out, err = run([str(path), "--in-place"], monkeypatch, capsys)
    assert code == 0, err
    assert (tmp_path / "a.txt.bak").read_bytes() == CLINICAL.encode()
    assert "Maria Gonzalez" not in path.read_text()


def test_jsonl_dataset_passes_fields_through_and_skips_bad_lines(tmp_path, monkeypatch, capsys):
    data = tmp_path / "d.jsonl"
    rows = [
        {"ID": "a", "prompt": "Why did Maria leave?", "answer": CLINICAL, "keep": {"x": 1}},
        "{broken",
        {"ID": "b", "prompt": "Why?", "text": "no answer field"},
        {"ID": "c", "prompt": "Why?", "answer": "The weather was fine and nothing happened."},
    ]
    data.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    out_file = tmp_path / "out.jsonl"
    report = tmp_path / "report.jsonl"
    code, _out, err = run(
        [str(data), "--field", "answer", "--context-field", "prompt", "--id-field", "ID", "-o", str(out_file),
         "--report", str(report)],
        monkeypatch, capsys,
    )
    assert code == 2  # some documents were skipped: the batch finished, the exit code says so
    assert f"{data}:2" in err and f"{data}:3" in err
    lines = [json.loads(line) for line in out_file.read_text().splitlines()]
    # Every row gets its line: the broken ones carry their error, in input order.
    assert [r.get("ID") for r in lines] == ["a", None, "b", "c"]
    assert lines[1]["semsiedit"]["line"] == 2 and lines[2]["rewritten"] is None
    lines = [lines[0], lines[3]]
    first = lines[0]
    assert first["keep"] == {"x": 1} and first["prompt"] == "Why did Maria leave?"
    assert "Maria Gonzalez" not in first["rewritten"]
    meta = first["semsiedit"]
    assert meta["path"] == "local" and meta["edits"] > 0
    assert meta["findings_before"]["pii"] >= 3
    assert meta["scores"]["leakage_after"] < meta["scores"]["leakage_before"]
    assert lines[1]["rewritten"] == "The weather was fine and nothing happened."
    # Reports carry categories and offsets, never the values.
    assert "maria.gonzalez@example.com" not in report.read_text()
    assert "HIV" not in json.dumps(meta) and "maria.gonzalez" not in json.dumps(meta)
    assert len(report.read_text().splitlines()) == 4  # one report line per input row, error rows included


def test_show_values_puts_values_in_reports(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.txt"
    path.write_text(CLINICAL)
    code, out, _err = run([str(path), "--format", "json", "--show-values"], monkeypatch, capsys)
    assert code == 0
    assert "Maria Gonzalez" in out  # the findings' values, asked for
    code, out, _err = run([str(path), "--format", "json"], monkeypatch, capsys)
    assert "Maria Gonzalez" not in out


def test_diff_format(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.txt"
    path.write_text(CLINICAL)
    code, out, _err = run([str(path), "--format", "diff"], monkeypatch, capsys)
    assert code == 0
    assert out.startswith("--- a/")
    assert any(line.startswith("-Patient Maria Gonzalez") for line in out.splitlines())


def test_fail_on_leak_exit_code(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.txt"
    path.write_text("Nothing sensitive in here at all.")
    code, _out, _err = run([str(path), "--fail-on-leak"], monkeypatch, capsys)
    assert code == 0
    path.write_text(CLINICAL)
    code, _out, _err = run([str(path), "--fail-on-leak", "--max-iterations", "0"], monkeypatch, capsys)
    assert code == 1


def test_every_sample_rewrites_without_leaking_detected_pii(monkeypatch, capsys, tmp_path):
    code, _out, err = run([str(SAMPLES), "-o", str(tmp_path / "out"), "--no-score"], monkeypatch, capsys)
    assert code == 0, err
    for original in sorted(SAMPLES.glob("*.txt")):
        if original.name.endswith(".question.txt"):
            continue
        text = original.read_text(encoding="utf-8")
        rewritten = (tmp_path / "out" / original.name).read_text(encoding="utf-8")
        assert len(rewritten) >= 0.7 * len(text), original.name
        leaked = [v for v in protected_pii_values(text) if v in rewritten]
        assert not leaked, f"{original.name}: {len(leaked)} detected values survived"


def test_empty_and_whitespace_documents(tmp_path, monkeypatch, capsys):
    (tmp_path / "empty.txt").write_text("")
    code, out, _err = run([str(tmp_path / "empty.txt")], monkeypatch, capsys)
    assert code == 0 and out == ""
    (tmp_path / "blank.txt").write_text(" \n\t\n")
    code, out, _err = run([str(tmp_path / "blank.txt")], monkeypatch, capsys)
    assert code == 0 and out == " \n\t\n"


FIRST = ["Maria", "Evelyn", "Tomasz", "Adrian", "Grace", "Kenji", "Amara", "Lucas"]
LAST = ["Gonzalez", "Marchetti", "Rybak", "Voss", "Okafor", "Tanaka", "Mensah", "Berger"]


def _write_dataset(path: Path, n: int) -> None:
    # Different people per row: surrogates assigned in processing order would differ after a resume.
    rows = [
        {"id": f"d{i}", "answer": f"Case {i}: {FIRST[i % 8]} {LAST[i % 7]} ({FIRST[i % 8].lower()}{i}@example.com) "
                                  f"was treated for depression. Her manager Senator {FIRST[(i + 3) % 8]} "
                                  f"{LAST[(i + 2) % 8]} allegedly lied about it, and {LAST[(i + 2) % 8]} resigned."}
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["descriptor", "fake"])
def test_killed_batch_resumes_without_redoing_finished_documents(tmp_path, mode):
    """SIGKILL mid-run, then --resume: nothing lost or doubled, and the rewrites are byte-identical to
    an uninterrupted run (surrogates derive from the value and the run key, not the order; issue 12.8)."""
    data = tmp_path / "d.jsonl"
    _write_dataset(data, 24)
    out = tmp_path / "out.jsonl"
    common = ["--id-field", "id", "--pseudonyms", mode, "--no-score", "--jobs", "1"]
    cmd = [sys.executable, "-m", "semsiedit", "rewrite", str(data), "-o", str(out), *common]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    partial = out.with_name("out.jsonl.partial")
    wait_for_lines(partial, 6, proc)
    os.killpg(proc.pid, signal.SIGKILL)  # a hard crash, not a polite Ctrl-C
    proc.wait(timeout=30)
    done_before = len(partial.read_text().splitlines())
    assert not out.exists() and 6 <= done_before < 24

    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=600, env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "skipped (already done)" in resumed.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in lines] == [f"d{i}" for i in range(24)]  # nothing lost, nothing twice
    assert not partial.exists()

    reference = tmp_path / "reference.jsonl"
    full = subprocess.run([sys.executable, "-m", "semsiedit", "rewrite", str(data), "-o", str(reference), *common],
                          capture_output=True, text=True, timeout=600, env=env)
    assert full.returncode == 0, full.stderr[-2000:]
    expected = [json.loads(line)["rewritten"] for line in reference.read_text().splitlines()]
    assert [r["rewritten"] for r in lines] == expected
    assert all(LAST[(i + 2) % 8] not in r["rewritten"] for i, r in enumerate(lines))


def test_resume_with_folder_output_skips_existing(tmp_path, monkeypatch, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "b.txt"):
        (src / name).write_text(CLINICAL)
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_text("already done")
    code, _out, err = run([str(src), "-o", str(out), "--resume", "--no-score"], monkeypatch, capsys)
    assert code == 0, err
    assert (out / "a.txt").read_text() == "already done"
    assert "Maria Gonzalez" not in (out / "b.txt").read_text()
    shutil.rmtree(out)
