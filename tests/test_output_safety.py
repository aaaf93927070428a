"""No command writes over a file it reads, or one output over another (SPEC §6: bad input loses nothing).

Found in session 16, each one silently, exit 0: `rewrite a.jsonl b.jsonl -o a.jsonl` replaced the
input a.jsonl with the results; `--report corpus/n2.txt` overwrote a file of the input folder;
`-o out.txt --report out.txt` replaced the rewrite with its report; `restore r.txt -o m.json`
replaced the mapping (the only copy of the originals); `report res.jsonl --html res.jsonl`
replaced the results. Every refusal comes before any model loads (exit 2), and every file is left
byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_main

TEXT = "Maria Gonzalez was diagnosed with HIV.\n"
ROW = '{"answer": "Maria Gonzalez has HIV."}\n'


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b.txt").write_text("John Smith lives in Leeds.\n")
    (tmp_path / "a.jsonl").write_text(ROW)
    (tmp_path / "b.jsonl").write_text('{"answer": "John Smith is here."}\n')
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "n1.txt").write_text("Anna Berg has diabetes.\n")
    (tmp_path / "corpus" / "n2.txt").write_text("Nothing to see.\n")
    (tmp_path / "r.txt").write_text("Person A was diagnosed with a chronic health condition.\n")
    (tmp_path / "m.json").write_text('{"not": "read before the refusal"}\n')
    (tmp_path / "res.jsonl").write_text('{"id": "a.txt", "rewritten": "x", "semsiedit": {}}\n')
    return tmp_path


REFUSED = [
    pytest.param(["rewrite", "a.jsonl", "b.jsonl", "-o", "a.jsonl"], "is an input",
                 id="jsonl-output-onto-second-input"),
    pytest.param(["rewrite", "a.txt", "b.txt", "--format", "jsonl", "-o", "b.txt"], "is an input",
                 id="jsonl-format-onto-an-input"),
    pytest.param(["rewrite", "corpus", "--format", "jsonl", "-o", "corpus/n2.txt"], "inside input folder",
                 id="jsonl-output-onto-a-file-of-an-input-folder"),
    pytest.param(["rewrite", "corpus", "-o", "out", "--report", "corpus/n2.txt"], "inside input folder",
                 id="report-onto-a-file-of-an-input-folder"),
    pytest.param(["rewrite", "corpus", "-o", "out", "--html", "corpus/review.html"], "inside input folder",
                 id="html-into-an-input-folder"),
    pytest.param(["rewrite", "a.txt", "-o", "out.txt", "--report", "out.txt"], "same file",
                 id="report-onto-the-output"),
    pytest.param(["rewrite", "a.txt", "-o", "out.txt", "--mapping", "map.vault", "--key-file", "map.vault"],
                 "same file", id="key-file-onto-the-mapping"),
    pytest.param(["rewrite", "a.txt", "-o", "out.txt", "--report", "rep.json", "--html", "./rep.json"], "same file",
                 id="html-onto-the-report"),
    pytest.param(["restore", "r.txt", "--mapping", "m.json", "-o", "r.txt"], "is an input", id="restore-onto-its-text"),
    pytest.param(["restore", "r.txt", "--mapping", "m.json", "-o", "m.json"], "is an input",
                 id="restore-onto-the-mapping"),
    pytest.param(["report", "res.jsonl", "--html", "res.jsonl"], "is an input", id="review-page-onto-the-results"),
]


@pytest.mark.parametrize(("argv", "message"), REFUSED)
def test_no_command_overwrites_what_it_reads(argv, message, files, monkeypatch, capsys):
    before = _snapshot(files)
    code, _out, err = run_main(argv, monkeypatch, capsys, cwd=files)
    assert code == 2 and message in err, (code, err)
    assert len(err.strip().splitlines()) == 1, err
    assert _snapshot(files) == before


def test_eval_refuses_an_out_folder_whose_files_are_its_inputs(files, monkeypatch, capsys):
    # `eval --out DIR` writes DIR/summary.json and DIR/per_doc.jsonl: a dataset of that name would go.
    dataset = files / "per_doc.jsonl"
    dataset.write_text('{"answer": "Maria Gonzalez has HIV.", "ifPrivacy": true, "privacy": "<<<HIV>>>"}\n')
    before = _snapshot(files)
    code, _out, err = run_main(["eval", str(dataset), "--out", str(files), "--no-baselines"], monkeypatch, capsys)
    assert code == 2 and "is an input" in err, err
    assert _snapshot(files) == before


def test_distinct_outputs_next_to_the_inputs_still_work(files, monkeypatch, capsys):
    code, _out, err = run_main(["rewrite", "a.jsonl", "b.jsonl", "-o", "both.jsonl", "--report", "rep.json",
                                "--no-score"], monkeypatch, capsys, cwd=files)  # fmt: skip
    assert code in (0, 1), err
    assert (files / "a.jsonl").read_text() == ROW
    assert len((files / "both.jsonl").read_text().splitlines()) == 2
    assert (files / "rep.json").is_file()
