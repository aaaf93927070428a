"""The findings a document in another language than English can trust (semsiedit/language.py).

Kept: identifiers found by their shape (e-mail, phone, URL, IP, card, IBAN, ID numbers, numeric dates):
they read the same in any language. A person only with evidence that does not come from the English
NER: a listed given name in it ("Petra Schneider", "Anna Vogel") or a person title before its
surname ("Herr Schneider", "Madame Roux"); the English model tags German nouns as people ("Eingang",
"Grüßen"), and runs nouns into a name ("Ihr Ehemann Thomas"): the name starts at its given name.
A numeric date ("geb. 12.04.1967") and the town after an address's postcode are added here, the
English NER missing both. Dropped: other places, organisations, nationalities and every SemSI
statement, which the English model and lexicons cannot read in another language ("Gift" is poison
in German). The document is flagged for review instead (semsiedit/review.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from semsiedit.detection.first_names import first_names
from semsiedit.detection.identifiers import is_calendar_date
from semsiedit.detection.names import is_title
from semsiedit.places import is_city
from semsiedit.profile import canonical
from semsiedit.types import Finding

SOURCE = "semsi-foreign"
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


# Possessives that make a title a noun: "seine Frau Ingrid" (his wife), "my Sister Clare".
POSSESSIVES = frozenset({
    "my", "his", "her", "their", "our", "your", "mein", "meine", "dein", "deine", "sein", "seine", "ihr", "ihre",
    "unser", "unsere", "euer", "eure", "mon", "ma", "ton", "ta", "son", "sa", "notre", "votre", "leur", "mi", "su",
})


def _from_the_name(text: str, finding: Finding) -> Finding:
    """The person without the words the English NER ran into it before a listed given name: "Ihr
    Ehemann Thomas" is "Thomas" (German nouns are capitalised too). A title stays with its name."""
    names = first_names()
    for m in _WORDS.finditer(finding.text):
        if is_title(m.group()) and m.start() == 0:
            before = _WORDS.findall(text[max(0, finding.start - 8) : finding.start])
            if not (before and before[-1].lower() in POSSESSIVES):
                return finding  # "Frau Sabine Vogt"; "seine Frau Ingrid" is his wife Ingrid
        if m.group() in names:
            if m.start() == 0:
                return finding
            start = finding.start + m.start()
            return replace(finding, start=start, text=text[start : finding.end])
    return finding


# A numeric date reads the same in any language ("geb. 12.04.1967", "le 03/02/2024"); the English
# NER that finds dates in English text does not see it in German or French.
_NUMERIC_DATE = re.compile(r"(?<![\w./-])\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d\d(?![\w/-]|\.\d)")


def _numeric_dates(text: str, findings: Sequence[Finding]) -> list[Finding]:
    taken = [(f.start, f.end) for f in findings]
    out = []
    for m in _NUMERIC_DATE.finditer(text):
        if not is_calendar_date(m.group()) or any(s < m.end() and m.start() < e for s, e in taken):
            continue
        out.append(Finding(start=m.start(), end=m.end(), text=m.group(), category="pii", label="DATE_TIME",
                           severity=2, score=0.6, source=SOURCE, reason="a numeric date"))  # fmt: skip
    return out


def trusted_in_other_language(text: str, findings: Sequence[Finding]) -> list[Finding]:
    out = []
    for f in findings:
        if f.category != "pii":
            continue
        label = canonical(f.label)
        if label == "PERSON":
            if _a_person(text, f):
                out.append(_from_the_name(text, f))
        elif label == "DATE_TIME":
            if any(ch.isdigit() for ch in f.text):
                out.append(f)
        elif label not in _LANGUAGE_BOUND:
            out.append(f)
    return out + _numeric_dates(text, out) + _towns_after_a_postcode(text, out)


# "Lindenstraße 8, 50674 Köln", "75011 Paris": the town after an address's postcode is the address's.
_AFTER_POSTCODE = re.compile(r"[ \t]+((?-i:[^\W\d_a-z])[\w'’-]*)((?:[ \t]+[\w'’-]+){0,2})")


def _towns_after_a_postcode(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """The gazetteer's town ("Frankfurt am Main"), or after a street's postcode any capitalised word:
    the gazetteer spells many towns the English way ("Munich", not "München")."""
    streets = [f.end for f in findings if canonical(f.label) == "ADDRESS"]
    out = []
    for f in findings:
        m = _AFTER_POSTCODE.match(text, f.end) if canonical(f.label) == "ZIP_CODE" else None
        if m is None:
            continue
        words = [m.group(1), *m.group(2).split()]
        town = next((" ".join(words[:n]) for n in (3, 2, 1) if is_city(" ".join(words[:n]))), None)
        if town is None and any(0 <= f.start - end <= 3 for end in streets):
            town = m.group(1)
        if town is not None:
            start = m.start(1)
            out.append(Finding(start=start, end=start + len(town), text=town, category="pii", label="LOCATION",
                               severity=2, score=0.7, source=SOURCE, reason="a town after a postcode"))  # fmt: skip
    return out
