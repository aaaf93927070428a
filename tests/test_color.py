"""Colour: `--format diff` coloured on a terminal, `--color auto|always|never`, NO_COLOR respected."""

from __future__ import annotations

import io
import os
import pty
import re

import pytest
from cli_runner import run_main

from semsiedit.color import color_diff, wants_color
from semsiedit.errors import InputError
from semsiedit.report import unified_diff

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_wants_color(monkeypatch):
    leader, follower = pty.openpty()
    terminal = os.fdopen(follower, "w")
    try:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm")
        assert wants_color("auto", terminal) is True
        assert wants_color("auto", io.StringIO()) is False
        assert wants_color("always", io.StringIO()) is True
        assert wants_color("never", terminal) is False
        monkeypatch.setenv("NO_COLOR", "1")
        assert wants_color("auto", terminal) is False
        assert wants_color("always", terminal) is True  # an explicit flag wins
        monkeypatch.setenv("NO_COLOR", "")  # empty: not set (no-color.org)
        assert wants_color("auto", terminal) is True
        with pytest.raises(InputError, match="--color"):
            wants_color("sometimes", terminal)
    finally:
        terminal.close()
        os.close(leader)


def test_color_diff_only_adds_colour():
    diff = unified_diff("a\nb\nc\n", "a\nB\nc\n", "x.txt")
    colored = color_diff(diff)
    assert ANSI.sub("", colored) == diff
    assert "\x1b[31m-b\x1b[0m\n" in colored and "\x1b[32m+B\x1b[0m\n" in colored and "\x1b[36m@@" in colored


def test_cli_color_flag(tmp_path, monkeypatch, capsys):
    note = tmp_path / "note.txt"
    note.write_text("Patient Maria Gonzalez was diagnosed with HIV.\nThe weather is mild.\n")
    base = ["rewrite", str(note), "--format", "diff", "--no-score"]
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, always, err = run_main([*base, "--color", "always"], monkeypatch, capsys)
    assert code == 0, err
    assert "\x1b[32m+" in always and "\x1b[31m-" in always
    code, never, _ = run_main([*base, "--color", "never"], monkeypatch, capsys)
    assert code == 0 and not ANSI.search(never) and ANSI.sub("", always) == never
    code, auto, _ = run_main(base, monkeypatch, capsys)  # stdout is not a terminal here
    assert code == 0 and auto == never
    code, _out, err = run_main([*base, "--color", "rainbow"], monkeypatch, capsys)
    assert code == 2 and "--color" in err
    # Files never get colour codes, whatever --color says.
    code, _out, err = run_main([*base, "--color", "always", "-o", str(tmp_path / "x.diff")], monkeypatch, capsys)
    assert code == 0 and not ANSI.search((tmp_path / "x.diff").read_text())


def test_a_diff_of_an_absolute_path_has_git_style_headers():
    diff = unified_diff("a\n", "b\n", "/tmp/notes/x.txt")
    assert diff.startswith("--- a/tmp/notes/x.txt\n+++ b/tmp/notes/x.txt\n"), diff
