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


def wait_for_lines(path: Path, count: int, proc, timeout: float = 240.0) -> None:
    """Wait until `path` (a .partial output) has `count` lines while `proc` (a Popen) still runs;
    fails the test when the process ends first."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        if path.exists() and len(path.read_text().splitlines()) >= count:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be interrupted"
