"""One deterministic list of findings from many detectors (Presidio, SemSI, the LLM critic ...).

Within a category, overlapping findings become one: the union span, the highest severity, the max
score, the sources and reasons joined; the label and subject come from the strongest finding. The
result is sorted by (start, end, category) and numbered "f1", "f2" ... so that two runs over the same
input give the same ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from semsiedit.types import CATEGORIES, Finding


def _rank(f: Finding) -> tuple:
    # Strongest first; the trailing fields only break ties deterministically.
    return (-f.severity, -f.score, -(f.end - f.start), f.start, f.label, f.source)


def _union_text(group: list[Finding], start: int, end: int, text: str | None) -> str:
    if text is not None:
        return text[start:end]
    chars: list[str | None] = [None] * (end - start)
    for f in group:
        for i, ch in enumerate(f.text[: f.end - f.start]):
            chars[f.start - start + i] = ch
    return "".join(c if c is not None else " " for c in chars)


def _join(values: Iterable[str], sep: str) -> str:
    seen: list[str] = []
    for v in values:
        for part in v.split(sep) if sep == "+" else [v]:
            if part and part not in seen:
                seen.append(part)
    return sep.join(seen)


def _combine(group: list[Finding], text: str | None) -> Finding:
    if len(group) == 1:
        f = group[0]
        return Finding(**{**f.__dict__, "text": text[f.start : f.end] if text is not None else f.text})
    best = min(group, key=_rank)
    start, end = min(f.start for f in group), max(f.end for f in group)
    ordered = sorted(group, key=_rank)
    return Finding(
        start=start,
        end=end,
        text=_union_text(group, start, end, text),
        category=best.category,
        label=best.label,
        severity=max(f.severity for f in group),
        score=max(f.score for f in group),
        source=_join(sorted(f.source for f in group), "+"),
        reason=_join((f.reason for f in ordered), "; "),
        subject=next((f.subject for f in ordered if f.subject), None),
    )


def merge_findings(
    findings: Iterable[Finding], text: str | None = None, categories: Iterable[str] | None = None
) -> list[Finding]:
    """Merge overlapping findings per category, sort, and assign ids.

    `text`, when given, is the text the offsets point into: merged spans take their text from it.
    `categories` keeps only those categories (None keeps all).
    """
    wanted = set(categories) if categories is not None else set(CATEGORIES)
    by_category: dict[str, list[Finding]] = {}
    for f in findings:
        if f.category in wanted and f.end > f.start:
            by_category.setdefault(f.category, []).append(f)
    merged: list[Finding] = []
    for items in by_category.values():
        items.sort(key=lambda f: (f.start, f.end, _rank(f)))
        group: list[Finding] = []
        group_end = -1
        for f in items:
            if group and f.start < group_end:
                group.append(f)
                group_end = max(group_end, f.end)
            else:
                if group:
                    merged.append(_combine(group, text))
                group, group_end = [f], f.end
        if group:
            merged.append(_combine(group, text))
    order = {c: i for i, c in enumerate(CATEGORIES)}
    merged.sort(key=lambda f: (f.start, f.end, order.get(f.category, len(order)), f.label))
    for i, f in enumerate(merged, 1):
        f.id = f"f{i}"
    return merged
