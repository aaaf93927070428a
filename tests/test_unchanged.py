"""Negative controls (tests/fixtures/unchanged): texts with nothing sensitive in them come back byte for
byte through the offline default (`auto` profile, real spaCy, Presidio and lexicons). A change there is
a meaning-breaking edit of true text: a hedge on a fact, a public name or place replaced."""

from __future__ import annotations

from pathlib import Path

import pytest

from semsiedit.config import Settings
from semsiedit.types import Document

pytestmark = pytest.mark.slow

CONTROLS = sorted((Path(__file__).parent / "fixtures" / "unchanged").glob("*.txt"))


@pytest.fixture(scope="module")
def loop():  # type: ignore[no-untyped-def]
    from semsiedit.loop import build_loop

    return build_loop(Settings(score=False), with_scorer=False)


def test_there_are_controls() -> None:
    assert len(CONTROLS) >= 20


@pytest.mark.parametrize("path", CONTROLS, ids=[p.stem for p in CONTROLS])
def test_a_text_with_nothing_sensitive_comes_back_unchanged(loop, path: Path) -> None:  # type: ignore[no-untyped-def]
    text = path.read_text(encoding="utf-8")
    doc = loop.run(Document(id=path.stem, text=text))
    assert doc.rewritten == text, [f"{f.category}/{f.label}: {f.text}" for f in doc.findings_before]
