"""The CLI shell: fast help without heavy imports, version, and one-line errors with SPEC §5 exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("torch", "spacy", "presidio_analyzer", "sentence_transformers", "transformers", "openai", "matplotlib",
         "cryptography")


def run_cli(*args: str, stdin: str | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "semsiedit", *args], input=stdin, capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.mark.parametrize("argv", [["--help"], ["rewrite", "--help"], ["detect", "--help"], ["eval", "--help"],
                                  ["restore", "--help"], ["report", "--help"]])
def test_help_imports_no_heavy_library(argv):
    code = (
        "import sys\n"
        "from semsiedit.cli import app\n"
        f"try:\n    app({argv!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "HEAVY=\n" in out, out[-500:]


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("semsiedit ")


def test_help_lists_every_command():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("rewrite", "detect", "score", "eval", "ask", "restore", "report", "doctor"):
        assert command in result.stdout


def test_missing_path_is_exit_2_one_line_no_traceback(tmp_path):
    result = run_cli("rewrite", str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "no such file" in result.stderr


def test_unknown_option_is_usage_error():
    result = run_cli("rewrite", "--no-such-option")
    assert result.returncode == 2


def test_bad_format_value(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    result = run_cli("rewrite", str(tmp_path / "a.txt"), "--format", "xml")
    assert result.returncode == 2 and "--format" in result.stderr


def test_ask_without_llm_is_backend_unavailable(tmp_path):
    result = run_cli("ask", "Why is the sky blue?", cwd=tmp_path)
    assert result.returncode == 3
    assert "needs an LLM" in result.stderr and "Traceback" not in result.stderr


def test_bad_config_file_is_exit_2(tmp_path):
    (tmp_path / "semsiedit.toml").write_text("max_iterations = 'many'\n")
    (tmp_path / "a.txt").write_text("hello")
    result = run_cli("rewrite", "a.txt", cwd=tmp_path)
    assert result.returncode == 2
    assert "max_iterations" in result.stderr and "Traceback" not in result.stderr
