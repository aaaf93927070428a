"""The findings a document in another language than English can trust (semsiedit/language.py).

Kept: identifiers found by their shape (e-mail, phone, URL, IP, card, IBAN, ID numbers, numeric dates):
they read the same in any language. A person only with evidence that does not come from the English
NER: a listed given name in it ("Petra Schneider", "Anna Vogel") or a person title before its
surname ("Herr Schneider", "Madame Roux"); the English model tags German nouns as people ("Eingang",
"Grüßen"). Dropped: places, organisations, nationalities and every SemSI statement, which the English
model and lexicons cannot read in another language ("Gift" is poison in German). The document is
flagged for review instead (semsiedit/review.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_title
from semsiedit.profile import canonical
from semsiedit.types import Finding

# Entity types the English NER (or an English cue) decides; anything else is found by its shape.
_LANGUAGE_BOUND = frozenset({"PERSON", "LOCATION", "ORGANIZATION", "NRP", "AGE"})
_WORDS = re.compile(r"[^\W\d_][^\W\d_'’.-]*\.?")


def _a_person(text: str, finding: Finding) -> bool:
    words = _WORDS.findall(finding.text)
    before = _WORDS.findall(text[max(0, finding.start - 20) : finding.start])
    titled = (bool(before) and is_title(before[-1])) or (len(words) > 1 and is_title(words[0]))
    names = first_names()
    named = any(w in names for w in words)
    proper = [w for w in words if not is_title(w)]
    return bool(proper) and all(w[0].isupper() for w in proper) and (titled or named)


def trusted_in_other_language(text: str, findings: Sequence[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if f.category != "pii":
            continue
        label = canonical(f.label)
        if label == "PERSON":
            if _a_person(text, f):
                out.append(f)
        elif label == "DATE_TIME":
            if any(ch.isdigit() for ch in f.text):
                out.append(f)
        elif label not in _LANGUAGE_BOUND:
            out.append(f)
    return out
