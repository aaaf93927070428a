"""Applying edits by character offsets (SPEC §2: text outside the edited spans is kept byte for byte).

Edits are plain `Edit` records: replace text[start:end] (which must equal `original`) with
`replacement`. `apply_edits` refuses anything ambiguous instead of guessing; `resolve_overlaps`
is the one place where a choice between conflicting edits is made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from semsiedit.types import Edit

__all__ = [
    "EditConflict",
    "apply_edits",
    "check_edits",
    "resolve_overlaps",
    "widen_to_clause",
    "widen_to_sentence",
]


class EditConflict(ValueError):
    """An edit does not fit the text: wrong offsets, stale `original`, or overlap with another edit."""


def _overlap(a: Edit, b: Edit) -> bool:
    if a.start < b.end and b.start < a.end:
        return True
    # Two insertions (or an insertion and a replacement) at the same point have no defined order.
    return a.start == b.start and (a.start == a.end or b.start == b.end)


def check_edits(text: str, edits: Sequence[Edit]) -> list[Edit]:
    """Validate `edits` against `text`; return them sorted by position. Raises `EditConflict`."""
    for edit in edits:
        if not (0 <= edit.start <= edit.end <= len(text)):
            raise EditConflict(f"edit [{edit.start}:{edit.end}] is outside the text (length {len(text)})")
        if text[edit.start : edit.end] != edit.original:
            raise EditConflict(f"edit [{edit.start}:{edit.end}] does not match the text at its offsets")
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for prev, cur in pairwise(ordered):
        if _overlap(prev, cur):
            raise EditConflict(f"edits [{prev.start}:{prev.end}] and [{cur.start}:{cur.end}] overlap")
    return ordered


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits; everything between them is copied unchanged.

    Equivalent to applying them right to left (so earlier offsets stay valid), built in one pass.
    """
    ordered = check_edits(text, edits)
    pieces: list[str] = []
    pos = 0
    for edit in ordered:
        pieces.append(text[pos : edit.start])
        pieces.append(edit.replacement)
        pos = edit.end
    pieces.append(text[pos:])
    return "".join(pieces)


def resolve_overlaps(edits: Sequence[Edit]) -> tuple[list[Edit], list[Edit]]:
    """Choose a non-overlapping subset: (kept sorted by start, dropped in input order).

    Rule: the wider edit wins, then the earlier start, then the earlier position in `edits`.
    Wider first because a clause rewrite usually already covers the name or term inside it
    (and the loop's re-detection catches anything a dropped edit would have fixed).
    """
    ranked = sorted(range(len(edits)), key=lambda i: (-(edits[i].end - edits[i].start), edits[i].start, i))
    kept: list[Edit] = []
    dropped_idx: set[int] = set()
    for i in ranked:
        if any(_overlap(edits[i], k) for k in kept):
            dropped_idx.add(i)
        else:
            kept.append(edits[i])
    kept.sort(key=lambda e: (e.start, e.end))
    return kept, [edits[i] for i in sorted(dropped_idx)]


# Sentence ends: terminal punctuation (plus closing quotes/brackets) followed by whitespace, or a
# blank line. Abbreviations are not handled here; callers only widen spans for fluency.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n[ \t]*\n|\r\n[ \t]*\r\n")
_CLAUSE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|[,;:](?=\s)|\s[–—-]\s|\n")


def _widen(text: str, start: int, end: int, pattern: re.Pattern[str]) -> tuple[int, int]:
    lo = 0
    for m in pattern.finditer(text):
        if m.end() > start:
            break
        lo = m.end()
    hi = len(text)
    # From end - 1 so that a span ending with its own full stop is not pushed into the next sentence.
    m = pattern.search(text, max(end - 1, lo, 0))
    if m:
        hi = m.end() if text[m.start()] in ".!?…" else m.start()
    # Trim the whitespace the boundary left at the front and any trailing whitespace.
    while lo < start and text[lo].isspace():
        lo += 1
    while hi > end and text[hi - 1].isspace():
        hi -= 1
    return min(lo, start), max(hi, end)


def widen_to_sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the sentence(s) around text[start:end], terminal punctuation included."""
    return _widen(text, start, end, _SENTENCE_END)


def widen_to_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the clause around text[start:end]: bounded by , ; : dashes and sentence ends."""
    return _widen(text, start, end, _CLAUSE_END)
