"""Reversible pseudonyms: the encrypted surrogate map (`rewrite --mapping`) and `restore`."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from cli_runner import run_main

from semsiedit import rewrite_texts
from semsiedit.editing.surrogates import split_possessive, split_title
from semsiedit.mapping import Vault, restore_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_TEXTS = {p.name: p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))}


def _vault(*triples: tuple[str, str, str]) -> Vault:
    vault = Vault()
    for label, value, surrogate in triples:
        vault.observe(label, value, surrogate, True)
    return vault


def test_restore_tolerates_case_possessives_and_line_breaks():
    vault = _vault(("PERSON", "Maria Gonzalez", "Person A"), ("PERSON", "Ms. Gonzalez", "Person A"),
                   ("PERSON", "Tom Brandt", "Person B"), ("EMAIL_ADDRESS", "maria@example.com", "<EMAIL_ADDRESS_1>"))
    answer = ("Person A's results: PERSON A should e-mail\n<email_address_1>. "
              "person b and Person\n  B agree; Person AB no.")
    restored, count = vault.restore(answer)
    assert restored == ("Maria Gonzalez's results: MARIA GONZALEZ should e-mail\nmaria@example.com. "
                        "Tom Brandt and Tom Brandt agree; Person AB no.")
    assert count == 5


def test_one_word_fake_needs_its_capital_and_ambiguous_surrogates_are_dropped():
    vault = _vault(("PERSON", "Maria", "Grace"), ("PERSON", "Anna Weber", "Lena Ortiz"), ("PERSON", "Anna", "Lena"),
                   ("PERSON", "Carla", "Lena"))  # two people's first names share the fake "Lena"
    restored, _ = vault.restore("Grace said grace. Lena Ortiz met Lena.")
    assert restored == "Maria said grace. Anna Weber met Lena."
    assert {e.surrogate for e in vault.entries()} == {"Grace", "Lena Ortiz"}


def test_descriptors_and_one_way_edits_are_not_recorded():
    vault = Vault()
    vault.observe("PHONE_NUMBER", "555-123-4567", "a phone number", False)
    vault.observe("LOCATION", "Denver", "a city", False)
    assert vault.entries() == []
    assert vault.restore("call a phone number in a city") == ("call a phone number in a city", 0)


def _names(value: str) -> list[str]:
    return split_title(split_possessive(value.strip())[0])[1].split()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["descriptor", "placeholder", "fake"])
def test_round_trip_on_the_samples(mode):
    vault = Vault()
    results = rewrite_texts(list(SAMPLE_TEXTS.values()), pseudonyms=mode, score=False, vault=vault)
    entries = vault.entries()
    assert entries, "no reversible surrogate was recorded"
    longest_first = sorted(entries, key=lambda e: -len(e.surrogate))
    any_surrogate = re.compile("|".join(re.escape(e.surrogate) for e in longest_first))
    restored_values = 0
    for name, result in zip(SAMPLE_TEXTS, results, strict=True):
        restored, _count = vault.restore(result.rewritten)
        # No surrogate is left, except where a fake happens to equal a real value of the text.
        left = [m.group(0) for m in any_surrogate.finditer(restored) if m.group(0) not in result.original]
        assert not left, (name, left)
        # Every value the first round replaced with a reversible surrogate comes back.
        for decision in result.rounds[0].decisions if result.rounds else []:
            edit = decision.edit
            if not decision.accepted or edit.category != "pii":
                continue
            if not any(e.surrogate in edit.replacement and e.surrogate in result.rewritten for e in entries):
                continue  # a one-way descriptor ("a phone number"), or rewritten again by a later round
            for word in _names(edit.original):
                assert word in restored, (name, mode, edit.original, restored[:300])
                restored_values += 1
    assert restored_values >= 10


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cli_rewrite_mapping_then_restore(tmp_path, monkeypatch, capsys):
    note = _write(tmp_path, "note.txt", "Patient Maria Gonzalez met Dr. Tom Brandt about her HIV test.\n")
    mapping = tmp_path / "map.bin"
    code, out, err = run_main(["rewrite", str(note), "--mapping", str(mapping), "--no-score"], monkeypatch, capsys,
                              cwd=tmp_path)
    assert code == 0, err
    assert "Maria" not in out and re.search(r"Person [A-Z]{1,2}\b", out)
    key = tmp_path / "map.bin.key"
    assert "mapping key written to" in err and str(key) in err
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(mapping.stat().st_mode) == 0o600
    assert b"Gonzalez" not in mapping.read_bytes() and b"Person" not in mapping.read_bytes()

    a, b = dict.fromkeys(re.findall(r"Person [A-Z]{1,2}\b", out))  # Maria Gonzalez's, then Tom Brandt's
    answer = _write(tmp_path, "answer.txt", f"Dear {a}, {b.replace(' ', chr(10))}'s notes are attached. "
                                            f"Regards, {b.upper()}\n")
    code, out, err = run_main(["restore", str(answer), "--mapping", str(mapping)], monkeypatch, capsys, cwd=tmp_path)
    assert code == 0, err
    assert out == "Dear Maria Gonzalez, Dr. Tom Brandt's notes are attached. Regards, DR. TOM BRANDT\n"

    # A mapping belongs to one run: another run never overwrites it.
    before = mapping.read_bytes()
    other = _write(tmp_path, "other.txt", "Later, Helen Osei called Maria Gonzalez.\n")
    code, out2, err = run_main(["rewrite", str(other), "--mapping", str(mapping), "--no-score"], monkeypatch, capsys,
                               cwd=tmp_path)
    assert code == 2 and out2 == "" and "exists" in err
    assert mapping.read_bytes() == before
    # The library form, with the key from the environment this time.
    monkeypatch.setenv("SEMSIEDIT_MAPPING_KEY", key.read_text())
    assert restore_text(f"{a[0].lower()}{a[1:]}? {b}.", mapping) == ("Maria Gonzalez? Dr. Tom Brandt.", 2)


def test_restore_with_wrong_or_missing_key_is_exit_2_and_shows_nothing(tmp_path, monkeypatch, capsys):
    from cryptography.fernet import Fernet

    mapping = tmp_path / "map.bin"
    key_file = _write(tmp_path, "k.key", Fernet.generate_key().decode())
    _vault(("PERSON", "Maria Gonzalez", "Person A")).save(mapping, key_file.read_bytes())
    answer = _write(tmp_path, "answer.txt", "Person A is fine.\n")

    code, out, err = run_main(["restore", str(answer), "--mapping", str(mapping), "--key-file", str(key_file)],
                              monkeypatch, capsys)
    assert (code, out) == (0, "Maria Gonzalez is fine.\n")
    # stdin and the environment variable
    code, out, err = run_main(["restore", "-", "--mapping", str(mapping)], monkeypatch, capsys,
                              stdin=b"Person A", env={"SEMSIEDIT_MAPPING_KEY": key_file.read_text()})
    assert (code, out) == (0, "Maria Gonzalez")

    cases = {
        "wrong key": (["--key-file", str(_write(tmp_path, "w.key", Fernet.generate_key().decode()))], "wrong key"),
        "missing key": ([], "no key for the mapping"),
        "bad key": (["--key-file", str(_write(tmp_path, "b.key", "not-a-key"))], "not a Fernet key"),
        "no mapping": (["--key-file", str(key_file), "--mapping", str(tmp_path / "nope")], "no such mapping"),
    }
    monkeypatch.delenv("SEMSIEDIT_MAPPING_KEY", raising=False)
    for case, (extra, message) in cases.items():
        argv = ["restore", str(answer), "--mapping", str(mapping), *extra]
        code, out, err = run_main(argv, monkeypatch, capsys)
        assert code == 2, case
        assert out == "" and "Maria" not in err, case
        assert message in err and err.strip().count("\n") == 0 and "Traceback" not in err, (case, err)
    code, out, err = run_main(["restore", str(answer)], monkeypatch, capsys)
    assert code == 2 and "--mapping" in err


def test_resume_refuses_a_mapping_it_cannot_read_before_any_work(tmp_path, monkeypatch, capsys):
    from cryptography.fernet import Fernet

    note = _write(tmp_path, "note.txt", "Maria Gonzalez called.\n")
    mapping = _write(tmp_path, "map.bin", "garbage")
    key_file = _write(tmp_path, "map.bin.key", Fernet.generate_key().decode())
    code, out, err = run_main(["rewrite", str(note), "--mapping", str(mapping), "--resume"], monkeypatch, capsys)
    assert code == 2 and out == "" and "cannot decrypt" in err
    assert mapping.read_text() == "garbage" and key_file.exists()  # nothing overwritten


def test_the_key_variable_is_not_taken_for_a_misspelled_setting():
    from semsiedit.config import unknown_env_names

    assert unknown_env_names({"SEMSIEDIT_MAPPING_KEY": "k", "SEMSIEDIT_REQUIRE_BROWSER": "1"}) == []


@pytest.mark.slow
def test_an_account_handle_round_trips():
    vault = Vault()
    text = "[09:14] sarah.k: has anyone heard from tom_w?\n[09:15] tom_w: I'm here."
    out = rewrite_texts([text], vault=vault, score=False)[0].rewritten
    assert "sarah.k" not in out and "tom_w" not in out, out
    restored, count = vault.restore(out)
    assert "[09:14] sarah.k:" in restored and "[09:15] tom_w:" in restored and count >= 2, (out, restored)
