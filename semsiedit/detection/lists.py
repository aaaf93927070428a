"""User allow and deny lists (settings.allow_list / settings.deny_list)."""

from __future__ import annotations

import re

from semsiedit.types import Finding

SOURCE = "deny-list"


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    terms = sorted({t.strip() for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    if not terms:
        return None
    # Whole words: a boundary is required only where the term itself starts/ends with a word character.
    alternatives = [
        ("(?<!\\w)" if t[0].isalnum() or t[0] == "_" else "")
        + re.escape(t)
        + ("(?!\\w)" if t[-1].isalnum() or t[-1] == "_" else "")
        for t in terms
    ]
    return re.compile("|".join(alternatives), re.IGNORECASE)


def find_denied(text: str, deny_list: list[str]) -> list[Finding]:
    """Every case-insensitive whole-word occurrence of a deny-list term, as pii/DENY_LIST."""
    pattern = _term_pattern(deny_list)
    if pattern is None:
        return []
    return [
        Finding(
            start=m.start(),
            end=m.end(),
            text=m.group(),
            category="pii",
            label="DENY_LIST",
            severity=2,
            score=1.0,
            source=SOURCE,
            reason="on the deny list",
        )
        for m in pattern.finditer(text)
    ]


def drop_allowed(findings: list[Finding], allow_list: list[str]) -> list[Finding]:
    """Drop findings whose text is an allow-listed value (case- and whitespace-insensitive)."""
    allowed = {" ".join(a.lower().split()) for a in allow_list if a.strip()}
    if not allowed:
        return findings
    return [f for f in findings if " ".join(f.text.lower().split()) not in allowed]
