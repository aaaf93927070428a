"""Position queries over many spans in O(log n + hits), so long documents stay linear.

A 1 MB document has ~10,000 findings and as many edits: asking "does anything overlap this span?"
by scanning a list made the stages quadratic (benchmarks/bench_large.py). SpanIndex keeps its items
sorted by start; a span overlapping [start, end) starts before `end` and no further left than
`start - longest`, where `longest` is the longest span held (names and clauses: short).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


def _offsets(item) -> tuple[int, int]:
    return item.start, item.end


class SpanIndex(Generic[T]):
    """Items with (start, end) offsets: Findings and Edits by default, or any `span(item)`."""

    def __init__(self, items: Iterable[T] = (), span: Callable[[T], tuple[int, int]] = _offsets) -> None:
        self._span = span
        pairs = sorted(((span(item), item) for item in items), key=lambda pair: pair[0])
        self._starts = [s for (s, _e), _ in pairs]
        self._ends = [e for (_s, e), _ in pairs]
        self._items = [item for _, item in pairs]
        self._longest = max((e - s for s, e in zip(self._starts, self._ends, strict=True)), default=0)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        """The items by start."""
        return iter(self._items)

    def add(self, item: T) -> None:
        start, end = self._span(item)
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        self._items.insert(i, item)
        self._longest = max(self._longest, end - start)

    def _between(self, low: int, high: int) -> range:
        """Positions of the items whose start is in [low, high)."""
        return range(bisect.bisect_left(self._starts, low), bisect.bisect_left(self._starts, high))

    def overlapping(self, start: int, end: int) -> Iterator[T]:
        """Items sharing at least one character with [start, end) (Finding.overlaps)."""
        for i in self._between(start - self._longest, end):
            if self._ends[i] > start:
                yield self._items[i]

    def inside(self, start: int, end: int) -> Iterator[T]:
        """Items within [start, end]."""
        for i in self._between(start, end + 1):
            if self._ends[i] <= end:
                yield self._items[i]

    def covering(self, start: int, end: int) -> Iterator[T]:
        """Items that contain [start, end]."""
        for i in self._between(end - self._longest, start + 1):
            if self._ends[i] >= end:
                yield self._items[i]

    def overlaps(self, start: int, end: int) -> bool:
        return next(self.overlapping(start, end), None) is not None

    def covers(self, start: int, end: int) -> bool:
        return next(self.covering(start, end), None) is not None
