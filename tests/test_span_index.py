"""SpanIndex and values_pattern answer exactly what the list scans they replace answered. Pure code: fast."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from semsiedit.span_index import SpanIndex
from semsiedit.text import value_survives, values_pattern

spans = st.tuples(st.integers(0, 60), st.integers(0, 15)).map(lambda p: (p[0], p[0] + p[1]))


@settings(max_examples=300, deadline=None)
@given(st.lists(spans, max_size=30), st.lists(spans, max_size=10), spans)
def test_span_index_matches_a_scan(held: list[tuple[int, int]], added: list[tuple[int, int]], query) -> None:
    index = SpanIndex(held, span=lambda s: s)
    for span in added:
        index.add(span)
    every = held + added
    start, end = query
    assert sorted(index.overlapping(start, end)) == sorted(s for s in every if s[0] < end and start < s[1])
    assert sorted(index.inside(start, end)) == sorted(s for s in every if start <= s[0] and s[1] <= end)
    assert sorted(index.covering(start, end)) == sorted(s for s in every if s[0] <= start and end <= s[1])
    assert index.overlaps(start, end) == any(s[0] < end and start < s[1] for s in every)
    assert len(index) == len(every)
    assert [s for s, _ in index] == sorted(s for s, _ in every)


words = st.sampled_from(["Tom", "tom smith", "Tomorrow", "Ana-Lu", "J.", "#42", "Straße", "O'Neil", "  Li  Wei "])


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=5), st.lists(st.sampled_from(["Tom", "Smith", "tomorrow", "Ana-Lu", "J.", "#42",
                                                               "li wei", "O'Neil's", "x", ",", " "]), max_size=8))
def test_values_pattern_agrees_with_value_survives(values: list[str], pieces: list[str]) -> None:
    text = " ".join(pieces)
    pattern = values_pattern(values)
    expected = any(value_survives(v, text) for v in values)
    assert (pattern is not None and pattern.search(" ".join(text.split())) is not None) == expected
