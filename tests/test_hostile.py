"""Issue 12: never lose data, never hang, never be fooled — each defect of the hostile pass.

CLI cases run the entry point in-process on the real detectors and local editor (`--no-score`
where the score is not the point, to stay fast).
"""

from __future__ import annotations

import json

import pytest
from cli_runner import run_main

from semsiedit.errors import InputError
from semsiedit.sinks import backup_path, encode_like, write_in_place

NOTE = "Patient Maria Gonzalez (maria.gonzalez@example.com) was diagnosed with HIV in 2021.\n"


def rewrite(argv, monkeypatch, capsys, **kw):
    return run_main(["rewrite", *argv], monkeypatch, capsys, **kw)


# -- 12.1 --in-place never loses the original -----------------------------------------------------
def test_backups_are_numbered_never_overwritten(tmp_path):
    target = tmp_path / "f.txt"
    target.write_bytes(b"original\n")
    first = write_in_place(target, "rewrite one\n")
    second = write_in_place(target, "rewrite two\n")
    assert (first.name, second.name) == ("f.txt.bak", "f.txt.bak.1")
    assert first.read_bytes() == b"original\n" and second.read_bytes() == b"rewrite one\n"
    assert backup_path(target).name == "f.txt.bak.2"


def test_second_in_place_run_keeps_the_original(tmp_path, monkeypatch, capsys):
    path = tmp_path / "f.txt"
    path.write_text(NOTE)
    for _ in range(2):
        code, _out, err = rewrite([str(path), "--in-place", "--no-score"], monkeypatch, capsys)
        assert code == 0, err
    assert (tmp_path / "f.txt.bak").read_text() == NOTE
    assert (tmp_path / "f.txt.bak.1").is_file() and "Maria Gonzalez" not in (tmp_path / "f.txt.bak.1").read_text()


def test_in_place_with_output_is_a_usage_error(tmp_path, monkeypatch, capsys):
    path = tmp_path / "f.txt"
    path.write_text(NOTE)
    code, _out, err = rewrite([str(path), "--in-place", "-o", str(tmp_path / "o.txt")], monkeypatch, capsys)
    assert code == 2 and "--in-place" in err and "-o" in err
    assert path.read_text() == NOTE and not (tmp_path / "o.txt").exists() and not (tmp_path / "f.txt.bak").exists()


# -- 12.2 --in-place keeps the input's encoding -------------------------------------------------
@pytest.mark.parametrize(
    "bom,codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")]
)
def test_encode_like_keeps_bom_and_codec(bom, codec):
    original = bom + "Maria".encode(codec)
    assert encode_like("Person — é", original, "f.txt") == bom + "Person — é".encode(codec)


def test_encode_like_refuses_what_latin1_cannot_hold():
    assert encode_like("café", "café".encode("latin-1"), "f.txt", "latin-1") == "café".encode("latin-1")
    with pytest.raises(InputError, match="latin-1 cannot encode"):
        encode_like("a — b", b"x", "f.txt", "latin-1")


def test_in_place_utf16_and_latin1_round_trip(tmp_path, monkeypatch, capsys):
    utf16 = tmp_path / "u.txt"
    utf16.write_bytes(b"\xff\xfe" + NOTE.encode("utf-16-le"))
    code, _out, err = rewrite([str(utf16), "--in-place", "--no-score"], monkeypatch, capsys)
    assert code == 0, err
    data = utf16.read_bytes()
    assert data.startswith(b"\xff\xfe")
    text = data[2:].decode("utf-16-le")
    assert "Maria Gonzalez" not in text and text.endswith("\n")

    latin = tmp_path / "l.txt"
    latin.write_bytes("Maria Gonzalez met us at the café.\n".encode("latin-1"))
    code, _out, err = rewrite([str(latin), "--in-place", "--no-score", "--encoding", "latin-1"], monkeypatch, capsys)
    assert code == 0, err
    rewritten = latin.read_bytes()
    assert b"caf\xe9" in rewritten and "Maria Gonzalez" not in rewritten.decode("latin-1")


# -- 12.3 every JSONL row yields one output row ---------------------------------------------------
def test_every_jsonl_row_yields_a_row_in_order(tmp_path, monkeypatch, capsys):
    rows = [
        json.dumps({"id": 1, "answer": NOTE}),
        json.dumps({"id": 2, "answer": None}),
        json.dumps({"id": 3, "answer": 42}),
        json.dumps({"id": 4, "answer": ["a", "list"]}),
        json.dumps({"id": 5, "question": "no answer"}),
        '{"id": 6, "answer": "broken',
        '{"id": 7, "answer": "one"}{"id": 8, "answer": "two"}',
        json.dumps({"id": 9, "answer": "Nothing sensitive happens here."}),
    ]
    data = tmp_path / "d.jsonl"
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out.jsonl"
    code, _out, err = rewrite([str(data), "-o", str(out), "--id-field", "id", "--no-score"], monkeypatch, capsys)
    assert code == 2  # rows were skipped, and the exit code says so
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == len(rows)
    assert [r.get("id") for r in lines] == [1, 2, 3, 4, 5, None, None, 9]
    assert "Maria Gonzalez" not in lines[0]["rewritten"] and lines[7]["rewritten"] == "Nothing sensitive happens here."
    for line, kind in zip(lines[1:5], ("null", "number", "array", "missing"), strict=True):
        assert line["rewritten"] is None and kind in line["semsiedit"]["error"]
    assert lines[1]["answer"] is None and lines[2]["answer"] == 42 and lines[3]["answer"] == ["a", "list"]
    assert lines[5]["semsiedit"]["line"] == 6 and "malformed JSON" in lines[5]["semsiedit"]["error"]
    assert lines[6]["semsiedit"]["line"] == 7 and "one object per line" in lines[6]["semsiedit"]["error"]
    assert "broken" not in out.read_text()  # an unparsed line is not copied out unchecked
    assert f"{data}:7" in err


# -- 12.7 outputs are checked before any work -----------------------------------------------------
@pytest.mark.parametrize("debug", [False, True])
def test_unwritable_output_fails_first_with_exit_2(tmp_path, monkeypatch, capsys, debug):
    path = tmp_path / "f.txt"
    path.write_text(NOTE)
    monkeypatch.setattr("semsiedit.loop.build_loop", lambda *_a, **_k: pytest.fail("a model was loaded"))
    for target in ("/proc/nope/x.txt", str(tmp_path)):
        argv = [str(path), "-o", target] + (["--debug"] if debug else [])
        code, _out, err = rewrite(argv, monkeypatch, capsys)
        assert code == 2, err
        last = err.strip().splitlines()[-1]
        assert last.startswith("semsiedit: error:") and ".tmp" not in err and target in last
    code, _out, err = rewrite([str(path), "--report", "/proc/nope/r.jsonl"], monkeypatch, capsys)
    assert code == 2 and "--report" in err
