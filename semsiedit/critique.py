"""The critique stage: review a text and return the findings the editors must handle.

`LocalCritic` lets the detectors' findings stand. `LLMCritic` asks the LLM for quoted spans, finds each
quote in the text (`locate_quote`), and merges its findings with the detected ones; when the LLM call
fails the detected findings are used and a note says so (the loop relies on this).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from semsiedit.config import Settings
from semsiedit.detection.merge import merge_findings
from semsiedit.errors import LLMError
from semsiedit.llm.base import ChatClient
from semsiedit.profile import Profile
from semsiedit.prompts import frame, load_prompt
from semsiedit.schemas import CriticReply
from semsiedit.types import Finding, Usage

SOURCE = "llm-critic"
FUZZY_THRESHOLD = 0.85
# Typographic variants an LLM often normalises when it copies a quote.
_FOLD = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "..."})


@dataclass
class Critique:
    findings: list[Finding]
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)
    dropped_quotes: int = 0  # LLM quotes that could not be found in the text
    error_kind: str | None = None  # the LLMError kind when the LLM critic failed


class LocalCritic:
    """No LLM: the detected findings stand (filtered by category, merged, numbered)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    takes_profile = True

    def critique(
        self, text: str, context: str | None = None, detected: Sequence[Finding] = (), profile: Profile | None = None
    ) -> Critique:
        return Critique(merge_findings(detected, text=text, categories=self.settings.categories))


class LLMCritic:
    """The LLM reviews the text (and the question it answers); its findings join the detected ones."""

    def __init__(self, client: ChatClient, settings: Settings | None = None) -> None:
        self.client = client
        self.settings = settings or Settings()

    takes_profile = True

    def critique(
        self, text: str, context: str | None = None, detected: Sequence[Finding] = (), profile: Profile | None = None
    ) -> Critique:
        prompt = load_prompt("critic")
        framed = frame(text, context)
        if profile is not None:
            framed["context_block"] = profile.prompt_block() + framed["context_block"]
        user = prompt.render(**framed)
        categories = self.settings.categories
        try:
            result = self.client.complete_json(prompt.system, user, CriticReply)
        except LLMError as exc:
            return Critique(
                merge_findings(detected, text=text, categories=categories),
                usage=Usage(failures=1),
                notes=[f"llm critic failed ({exc.kind}): local findings used"],
                error_kind=exc.kind,
            )
        reply = result.data if isinstance(result.data, CriticReply) else CriticReply()
        found: list[Finding] = []
        dropped = 0
        for item in reply.findings:
            if item.category not in categories:
                continue
            spans = locate_all(text, item.quote)
            if not spans:
                dropped += 1
                continue
            for start, end in spans:
                found.append(
                    Finding(
                        start=start,
                        end=end,
                        text=text[start:end],
                        category=item.category,
                        label=f"llm_{item.category}",
                        severity=item.severity,
                        score=0.8,
                        source=SOURCE,
                        reason=item.reason.strip(),
                        subject=(item.subject or "").strip() or None,
                    )
                )
        notes = [f"llm critic: {dropped} quote(s) not found in the text, dropped"] if dropped else []
        return Critique(
            merge_findings([*detected, *found], text=text, categories=categories),
            usage=result.usage,
            notes=notes,
            dropped_quotes=dropped,
        )


# -- finding a quote in the text ---------------------------------------------------------------------


def _normalise(text: str) -> tuple[str, list[int]]:
    """Case-folded, typography-folded text with whitespace runs collapsed to one space, and for each
    character of the result the index of the original character it came from."""
    out: list[str] = []
    index: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not prev_space:
                out.append(" ")
                index.append(i)
            prev_space = True
            continue
        prev_space = False
        folded = unicodedata.normalize("NFC", ch).translate(_FOLD).lower()
        for c in folded:
            out.append(c)
            index.append(i)
    return "".join(out), index


def _to_original(index: list[int], text: str, start: int, end: int) -> tuple[int, int]:
    return index[start], index[end - 1] + 1 if end > start else index[start]


def locate_quote(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of `quote` in `text`: exact, then case/whitespace/typography-insensitive, then fuzzy
    (difflib similarity ≥ 0.85 over a window of about the quote's length). None when not found."""
    spans = locate_all(text, quote, first_only=True)
    return spans[0] if spans else None


def locate_all(text: str, quote: str, first_only: bool = False) -> list[tuple[int, int]]:
    """All exact (or, failing that, normalised) occurrences of `quote`; else the best fuzzy match."""
    quote = quote.strip()
    if not quote or not text:
        return []
    exact = [(m.start(), m.end()) for m in re.finditer(re.escape(quote), text)]
    if exact:
        return exact[:1] if first_only else exact
    norm_text, index = _normalise(text)
    norm_quote, _ = _normalise(quote)
    norm_quote = norm_quote.strip()
    if not norm_quote:
        return []
    loose = [_to_original(index, text, m.start(), m.end()) for m in re.finditer(re.escape(norm_quote), norm_text)]
    if loose:
        return loose[:1] if first_only else loose
    fuzzy = _fuzzy(norm_text, norm_quote)
    return [_to_original(index, text, *fuzzy)] if fuzzy else []


def _fuzzy(text: str, quote: str) -> tuple[int, int] | None:
    """Best window of `text` whose similarity to `quote` is ≥ FUZZY_THRESHOLD, aligned to word starts."""
    n = len(quote)
    if n < 8 or len(text) < n * FUZZY_THRESHOLD:
        return None  # short quotes must match exactly: fuzzy hits on a few characters are noise
    starts = [0] + [m.end() for m in re.finditer(r"\s+", text)]
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote)
    best: tuple[float, int, int] | None = None
    slack = max(2, n // 8)
    for s in starts:
        if s >= len(text):
            break
        for length in (n - slack, n, n + slack):
            e = min(len(text), s + max(1, length))
            matcher.set_seq1(text[s:e])
            if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
                continue
            ratio = matcher.ratio()
            if ratio >= FUZZY_THRESHOLD and (best is None or ratio > best[0]):
                best = (ratio, s, e)
    if best is None:
        return None
    _, s, e = best
    # Snap the end to a word boundary so the span does not cut a word in half.
    while e < len(text) and text[e - 1].isalnum() and text[e].isalnum():
        e += 1
    while e > s and text[e - 1] == " ":
        e -= 1
    return s, e
