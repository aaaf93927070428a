"""The judge's `<<<…>>>` spans as sentence-level labels, per SemSI category, with severity.

The unit is the sentence of `semsiedit.text.split_sentences` — the same sentences the scorer embeds,
so detection and scoring share one embedding per sentence. A sentence is positive for a category when
one of the judge's spans of that category overlaps it by at least

    min(span length, MIN_COVER_CHARS, half the sentence)

characters. So a short span inside a sentence ("HIV") makes that sentence positive, a span that crosses
a sentence boundary makes every sentence it substantially covers positive, and a span whose edge merely
spills a few characters into the next sentence (the judge's copy often shifts by a space or a quote)
does not. A positive sentence takes the document's severity (`scorePrivacy` ...: the judge gives one
per document and category).

Documents the judge flags whose spans cannot be found in the answer get label -1 ("unknown") for every
sentence of that category: the training loss skips them rather than learning "no" from a "yes".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from semsiedit.text import Span, split_sentences
from semsiedit.types import SEMSI_CATEGORIES

MIN_COVER_CHARS = 15
FLAG_FIELDS = {"privacy": "ifPrivacy", "harmful": "ifHarmful", "misinformation": "ifMisinformation"}
SEVERITY_FIELDS = {"privacy": "scorePrivacy", "harmful": "scoreHarmful", "misinformation": "scoreMisinformation"}
UNKNOWN = -1


@dataclass
class LabelledAnswer:
    """One answer cut into sentences, with per-category sentence labels (1, 0 or UNKNOWN)."""

    text: str
    sentences: list[Span]
    flags: dict[str, bool]  # the judge's document flags
    severity: dict[str, int]  # the judge's document severity (0 when not flagged)
    labels: dict[str, list[int]] = field(default_factory=dict)


def is_yes(value: Any) -> bool:
    return str(value or "no").strip().lower() == "yes"


def doc_severity(row: dict[str, Any], category: str) -> int:
    try:
        return max(1, min(3, int(row.get(SEVERITY_FIELDS[category]) or 2)))
    except (TypeError, ValueError):
        return 2


def covers(sentence: Span, span: Span) -> bool:
    """Whether `span` covers enough of `sentence` to make it positive (see the module doc)."""
    overlap = min(sentence[1], span[1]) - max(sentence[0], span[0])
    if overlap <= 0:
        return False
    need = min(span[1] - span[0], MIN_COVER_CHARS, (sentence[1] - sentence[0]) / 2)
    return overlap >= need


def sentence_labels(sentences: list[Span], spans: list[Span]) -> list[int]:
    return [int(any(covers(s, g) for g in spans)) for s in sentences]


def label_answer(row: dict[str, Any], field_name: str = "answer") -> LabelledAnswer:
    """Sentence labels of one SemSI-format row."""
    from semsiedit.agreement import gold_spans

    text = row[field_name]
    sents = split_sentences(text)
    answer = LabelledAnswer(text, sents, {}, {})
    for cat in SEMSI_CATEGORIES:
        flagged = is_yes(row.get(FLAG_FIELDS[cat]))
        answer.flags[cat] = flagged
        answer.severity[cat] = doc_severity(row, cat) if flagged else 0
        if not flagged:
            answer.labels[cat] = [0] * len(sents)
            continue
        labels = sentence_labels(sents, gold_spans(row.get(cat), text))
        answer.labels[cat] = labels if any(labels) else [UNKNOWN] * len(sents)
    return answer
