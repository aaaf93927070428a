"""Each stage module imports on its own, first, in a fresh interpreter: a cycle between detection,
editing and verification shows only when the import starts from the module inside it."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = [
    "semsiedit.verify", "semsiedit.editing", "semsiedit.detection", "semsiedit.detection.first_names",
    "semsiedit.detection.person_filter", "semsiedit.scoring", "semsiedit.profile", "semsiedit.loop",
    "semsiedit.api", "semsiedit.spacy_speedups", "semsiedit.places", "semsiedit.data_files",
]  # fmt: skip


@pytest.mark.parametrize("module", MODULES)
def test_module_imports_first(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
