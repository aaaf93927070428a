"""Run the console entry point in-process (models load once per test session)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from semsiedit.cli import main


def run_main(argv, monkeypatch, capsys, *, stdin: bytes | None = None, cwd: Path | None = None,
             env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`semsiedit ARGV...` as the shell would run it; returns (exit code, stdout, stderr)."""
    if cwd is not None:
        monkeypatch.chdir(cwd)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["semsiedit", *argv])
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    return code, out, err
