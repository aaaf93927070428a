"""Reading inputs: encodings, binary files, folders, JSONL lines, stdin (SPEC §6)."""

from __future__ import annotations

import json

import pytest

from semsiedit.errors import InputError
from semsiedit.sources import Document, InputProblem, JsonlOptions, iter_documents


def docs(*args, **kwargs):
    return list(iter_documents(*args, **kwargs))


def test_crlf_and_non_ascii_survive_byte_for_byte(tmp_path):
    text = "Zoë Müller — née Ångström\r\nLine two “quoted”\r\n"
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode("utf-8"))
    (doc,) = docs([str(path)])
    assert doc.text == text
    assert doc.newline == "\r\n"


def test_missing_path_is_a_usage_error_before_any_document(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("hello")
    with pytest.raises(InputError, match="no such file"):
        docs([str(good), str(tmp_path / "missing.txt")])


def test_empty_folder_or_glob_without_matches(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b")
    with pytest.raises(InputError, match="no files match"):
        docs([str(tmp_path)])
    assert len(docs([str(tmp_path)], globs=["*.csv"])) == 1


def test_folder_is_recursive_and_skips_question_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "sub" / "b.txt").write_text("B")
    (tmp_path / "sub" / "b.question.txt").write_text("Why B?")
    found = docs([str(tmp_path)])
    assert [d.id for d in found] == ["a.txt", "sub/b.txt"]
    assert found[1].context == "Why B?"


def test_binary_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "img.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    (tmp_path / "ok.txt").write_text("fine")
    found = docs([str(tmp_path)])
    problems = [d for d in found if isinstance(d, InputProblem)]
    assert len(problems) == 1 and "binary" in problems[0].message
    assert [d.text for d in found if isinstance(d, Document)] == ["fine"]


def test_latin1_refused_clearly_then_read_with_encoding(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café Müller".encode("latin-1"))
    (problem,) = docs([str(path)])
    assert isinstance(problem, InputProblem)
    assert "not UTF-8" in problem.message and "--encoding" in problem.message
    (doc,) = docs([str(path)], encoding="latin-1")
    assert doc.text == "Café Müller"


def test_utf16_with_bom_is_detected(tmp_path):
    path = tmp_path / "u16.txt"
    path.write_bytes("Grüße, José".encode("utf-16"))
    (doc,) = docs([str(path)])
    assert doc.text == "Grüße, José"


def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    # Tests run as root in CI, where chmod 0 does not stop reads: simulate the OS refusing.
    from pathlib import Path

    path = tmp_path / "secret.txt"
    path.write_text("x")
    real_read = Path.read_bytes

    def refuse(self):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    (problem,) = docs([str(path)])
    assert isinstance(problem, InputProblem) and "permission denied" in problem.message


def test_jsonl_records_bad_lines_and_missing_fields(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [
        json.dumps({"ID": 1, "prompt": "Why?", "answer": "Because.", "extra": [1, 2]}),
        "{not json",
        json.dumps({"ID": 2, "prompt": "Why not?"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"ID": 3, "answer": "Done."}),
    ]
    path.write_text("\n".join(lines) + "\n")
    found = docs([str(path)], jsonl=JsonlOptions(field="answer", context_field="prompt", id_field="ID"))
    good = [d for d in found if isinstance(d, Document)]
    bad = [d for d in found if isinstance(d, InputProblem)]
    assert [d.id for d in good] == ["1", "3"]
    assert good[0].context == "Why?" and good[0].record["extra"] == [1, 2]
    assert [p.source for p in bad] == [f"{path}:2", f"{path}:3", f"{path}:5"]
    assert "malformed JSON" in bad[0].message
    assert "'answer' missing" in bad[1].message


def test_stdin_text_and_stdin_jsonl():
    (doc,) = docs(["-"], stdin_bytes=b"hello\r\nworld")
    assert doc.text == "hello\r\nworld" and doc.id == "<stdin>"
    data = b'{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n'
    found = docs(["-"], stdin_bytes=data, jsonl=JsonlOptions(field="text", id_field="id", stdin_jsonl=True))
    assert [d.text for d in found] == ["one", "two"]


def test_empty_and_whitespace_texts_are_documents(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\t\n")
    found = docs([str(tmp_path)])
    assert sorted(d.text for d in found) == ["", "  \n\t\n"]


def test_a_dataset_without_answers_is_read_from_its_text_field_unless_another_is_chosen(tmp_path):
    path = tmp_path / "d.jsonl"
    lines = [json.dumps({"id": 1, "text": "Call Maria."}), json.dumps({"id": 2, "body": "Hi."}),
             json.dumps({"id": 3, "title": "no text here"})]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    found = docs([str(path)], jsonl=JsonlOptions(id_field="id"))
    good = [d for d in found if isinstance(d, Document)]
    bad = [d for d in found if isinstance(d, InputProblem)]
    assert [(d.id, d.text) for d in good] == [("1", "Call Maria."), ("2", "Hi.")]
    assert len(bad) == 1 and "'answer' missing (nor text, content, body); choose it with --field" in bad[0].message
    chosen = docs([str(path)], jsonl=JsonlOptions(field="title", id_field="id"))
    assert [d.text for d in chosen if isinstance(d, Document)] == ["no text here"]
