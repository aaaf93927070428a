"""apply_edits: offsets, byte-for-byte preservation outside edits, conflicts; resolve_overlaps; widening."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from semsiedit.editing import (
    EditConflict,
    apply_edits,
    check_edits,
    resolve_overlaps,
    widen_to_clause,
    widen_to_sentence,
)
from semsiedit.types import Edit


def edit(text: str, start: int, end: int, replacement: str) -> Edit:
    return Edit(start, end, text[start:end], replacement)


def test_applies_edits_in_any_order() -> None:
    text = "Maria lives in Boston.\r\nCall 555-0100."
    edits = [edit(text, 0, 5, "Person A"), edit(text, 15, 21, "a city"), edit(text, 29, 37, "the number on file")]
    expected = "Person A lives in a city.\r\nCall the number on file."
    assert apply_edits(text, edits) == expected
    assert apply_edits(text, list(reversed(edits))) == expected


def test_no_edits_returns_text_unchanged() -> None:
    assert apply_edits("héllo\r\nwörld", []) == "héllo\r\nwörld"


def test_stale_original_is_a_conflict() -> None:
    with pytest.raises(EditConflict, match="does not match"):
        apply_edits("Maria lives here", [Edit(0, 5, "Mario", "Person A")])


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2), (0, 99)])
def test_out_of_range_is_a_conflict(start: int, end: int) -> None:
    with pytest.raises(EditConflict, match="outside"):
        apply_edits("short", [Edit(start, end, "", "x")])


def test_overlapping_edits_are_rejected() -> None:
    text = "Maria was diagnosed with HIV."
    with pytest.raises(EditConflict, match="overlap"):
        apply_edits(text, [edit(text, 0, 28, "Person A has a condition"), edit(text, 0, 5, "Person A")])


def test_two_insertions_at_one_point_are_rejected() -> None:
    with pytest.raises(EditConflict):
        apply_edits("abc", [Edit(1, 1, "", "x"), Edit(1, 1, "", "y")])


def test_adjacent_edits_are_fine() -> None:
    text = "abcdef"
    assert apply_edits(text, [edit(text, 0, 3, "X"), edit(text, 3, 6, "Y")]) == "XY"


def test_check_edits_sorts() -> None:
    text = "abcdef"
    ordered = check_edits(text, [edit(text, 4, 5, "E"), edit(text, 0, 1, "A")])
    assert [e.start for e in ordered] == [0, 4]


def test_resolve_overlaps_prefers_wider_then_earlier() -> None:
    text = "Maria Gonzalez was diagnosed with HIV last year."
    clause = edit(text, 0, 47, "Person A was treated for a chronic condition last year")
    name = edit(text, 0, 14, "Person A")
    term = edit(text, 34, 37, "a chronic health condition")
    separate_a = edit(text, 0, 5, "x")
    kept, dropped = resolve_overlaps([name, term, clause])
    assert kept == [clause]
    assert dropped == [name, term]
    # Same width: the earlier start wins; disjoint edits are all kept, sorted by start.
    left, right = edit(text, 0, 10, "L"), edit(text, 5, 15, "R")
    kept, dropped = resolve_overlaps([right, left])
    assert kept == [left] and dropped == [right]
    kept, dropped = resolve_overlaps([term, separate_a])
    assert kept == [separate_a, term] and dropped == []


def test_resolved_edits_always_apply() -> None:
    rng = random.Random(7)
    text = "The quick brown fox jumps over the lazy dog, again and again."
    for _ in range(200):
        edits = []
        for _ in range(rng.randint(0, 6)):
            a = rng.randint(0, len(text))
            b = rng.randint(a, len(text))
            edits.append(edit(text, a, b, "#"))
        kept, dropped = resolve_overlaps(edits)
        assert len(kept) + len(dropped) == len(edits)
        apply_edits(text, kept)  # never raises


def test_widen_to_sentence_and_clause() -> None:
    text = "First one. Maria, sadly, was diagnosed with HIV last year. Then more."
    start = text.index("diagnosed")
    end = start + len("diagnosed")
    s, e = widen_to_sentence(text, start, end)
    assert text[s:e] == "Maria, sadly, was diagnosed with HIV last year."
    s, e = widen_to_clause(text, start, end)
    assert text[s:e] == "was diagnosed with HIV last year."
    # A span that already ends with its full stop does not spill into the next sentence.
    s, e = widen_to_sentence(text, 0, len("First one."))
    assert text[s:e] == "First one."
    assert widen_to_sentence("no boundary here", 3, 5) == (0, 16)


# -- property tests ----------------------------------------------------------------------------

ALPHABET = st.sampled_from([*"ab xyzé漢字🙂\r\n\t.,", "\r\n"])
TEXTS = st.lists(ALPHABET, max_size=60).map("".join)


@st.composite
def text_and_edits(draw: st.DrawFn) -> tuple[str, list[Edit]]:
    """A text and non-overlapping edits in random order; some replace, some insert (a == b)."""
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=12, unique=True)))
    edits = [Edit(a, b, text[a:b], draw(TEXTS)) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    # Insertions at points that no other edit touches.
    used = {p for e in edits for p in range(e.start, e.end + 1)}
    free = [p for p in range(len(text) + 1) if p not in used]
    for point in draw(st.lists(st.sampled_from(free), max_size=3, unique=True)) if free else []:
        edits.append(Edit(point, point, "", draw(TEXTS)))
    return text, draw(st.permutations(edits))


@settings(max_examples=300, deadline=None)
@given(text_and_edits())
def test_property_matches_reference_and_preserves_gaps(case: tuple[str, list[Edit]]) -> None:
    text, edits = case
    result = apply_edits(text, edits)
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    # Reference: right-to-left application on the string.
    reference = text
    for e in reversed(ordered):
        reference = reference[: e.start] + e.replacement + reference[e.end :]
    assert result == reference
    # Every gap between edits is copied byte for byte, at the expected place.
    pos_in, pos_out = 0, 0
    for e in ordered:
        gap = text[pos_in : e.start]
        assert result[pos_out : pos_out + len(gap)] == gap
        assert result[pos_out + len(gap) : pos_out + len(gap) + len(e.replacement)] == e.replacement
        pos_out += len(gap) + len(e.replacement)
        pos_in = e.end
    assert result[pos_out:] == text[pos_in:]


@settings(max_examples=200, deadline=None)
@given(text_and_edits(), st.data())
def test_property_overlap_is_always_rejected(case: tuple[str, list[Edit]], data: st.DataObject) -> None:
    text, edits = case
    wide = [e for e in edits if e.end - e.start >= 2]
    if not wide:
        return
    target = data.draw(st.sampled_from(wide))
    inner = data.draw(st.integers(target.start + 1, target.end - 1))
    clash = Edit(inner, inner + 1, text[inner : inner + 1], "!")
    with pytest.raises(EditConflict):
        apply_edits(text, [*edits, clash])
    kept, dropped = resolve_overlaps([*edits, clash])
    assert clash in dropped and apply_edits(text, kept) == apply_edits(text, edits)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_property_identity_edits_change_nothing(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8, unique=True)))
    edits = [Edit(a, b, text[a:b], text[a:b]) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if a < b]
    assert apply_edits(text, edits) == text
