"""Verify: the guards every proposed edit must pass before it touches the text (SPEC §2).

A rejected LLM edit is not lost work: the loop hands its findings to the local editor instead,
so the output is never worse than the local editor's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from semsiedit.text import value_survives
from semsiedit.types import Edit, EditDecision, Finding

# Strategies whose output is legitimately much shorter than the span ("Maria Gonzalez" -> "Person A").
GENERALISING_STRATEGIES = {"pseudonym", "placeholder", "fake", "generalise", "descriptor"}
REFUSAL = re.compile(
    r"^\s*(i\s*(?:am|'m)\s+sorry|i\s+(?:can(?:'|no)t|cannot|won't|will not)\s+(?:help|assist|comply|provide|do)|"
    r"as an ai\b|i'm unable to|i am unable to)",
    re.IGNORECASE,
)
# Signs that a model echoed our framing or the reply format instead of giving prose.
FRAMING = re.compile(r"</?document>|</?question>|\"edits\"\s*:|\"findings\"\s*:|\"replacement\"\s*:")


def normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def sensitive_values(findings: Sequence[Finding]) -> list[str]:
    """The exact values an edit must not keep: PII strings, and whole flagged statements."""
    return [normalise(f.text) for f in findings if f.text.strip()]


def check_edit(edit: Edit, covered: Sequence[Finding], *, min_length_ratio: float) -> str | None:
    """Return why `edit` must be rejected, or None. `covered`: the findings inside the edit's span."""
    replacement = edit.replacement
    if not replacement.strip():
        return "deletes_content: empty replacement"
    if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in replacement):
        return "invalid_text: control characters"
    if REFUSAL.search(replacement):
        return "invalid_text: refusal"
    if FRAMING.search(replacement):
        return "invalid_text: echoes prompt or reply format"
    if normalise(replacement) == normalise(edit.original):
        return "keeps_value: replacement equals the original span"
    for finding in covered:
        # A PII value must not survive at all; a flagged statement must not survive verbatim.
        # Whole words only: "ER" is not kept by "Person A", nor "Tom" by "Tomorrow".
        if value_survives(finding.text, replacement):
            return f"keeps_value: still contains the {finding.category} value"
    shortened = len(replacement.strip()) < min_length_ratio * len(edit.original.strip())
    if shortened and edit.strategy not in GENERALISING_STRATEGIES and not all(f.category == "pii" for f in covered):
        return "deletes_content: replacement drastically shorter than the span"
    return None


def findings_inside(edit: Edit, findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if edit.start <= f.start and f.end <= edit.end]


def verify_edits(edits: Sequence[Edit], findings: Sequence[Finding], *, min_length_ratio: float) -> list[EditDecision]:
    """Static guards (a), (b), (d); the loop adds re-detection and the utility floor (c)."""
    decisions = []
    for edit in edits:
        reason = check_edit(edit, findings_inside(edit, findings), min_length_ratio=min_length_ratio)
        decisions.append(EditDecision(edit, accepted=reason is None, reason=reason or ""))
    return decisions
