"""Never lose data: atomic writes, backups before in-place edits, resumable JSONL (SPEC §6)."""

from __future__ import annotations

import json

import pytest

from semsiedit.errors import InputError
from semsiedit.sinks import JsonlSink, atomic_write_text, check_output_folder, done_ids, write_in_place


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out" / "a.txt"
    atomic_write_text(target, "first\r\n")
    atomic_write_text(target, "second\r\n")
    assert target.read_bytes() == b"second\r\n"
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_atomic_write_failure_keeps_old_content(tmp_path, monkeypatch):
    target = tmp_path / "a.txt"
    target.write_text("precious")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr("semsiedit.sinks.os.replace", boom)
    with pytest.raises(InputError, match=r"a\.txt: cannot write") as info:
        atomic_write_text(target, "new")
    assert ".tmp" not in str(info.value)
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_in_place_writes_backup_first(tmp_path):
    target = tmp_path / "note.txt"
    target.write_bytes(b"original\r\n")
    backup = write_in_place(target, "rewritten\r\n")
    assert backup.read_bytes() == b"original\r\n"
    assert target.read_bytes() == b"rewritten\r\n"


def test_jsonl_sink_partial_then_resume(tmp_path):
    out = tmp_path / "out.jsonl"
    sink = JsonlSink(out)
    sink.write({"id": "a", "semsiedit": {"id": "a"}})
    sink.write({"id": "b", "semsiedit": {"id": "b"}})
    sink.close(complete=False)  # interrupted
    assert not out.exists()
    partial = out.with_name("out.jsonl.partial")
    with partial.open("a") as handle:
        handle.write('{"id": "c", "semsi')  # torn line of a crash
    assert done_ids(out) == {"a", "b"}
    sink = JsonlSink(out, resume=True)
    sink.write({"id": "c", "semsiedit": {"id": "c"}})
    sink.close()
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in lines] == ["a", "b", "c"]


def test_output_folder_inside_input_folder_is_refused(tmp_path):
    (tmp_path / "in").mkdir()
    with pytest.raises(InputError, match="inside input folder"):
        check_output_folder(tmp_path / "in" / "out", [tmp_path / "in"])
    check_output_folder(tmp_path / "out", [tmp_path / "in"])
