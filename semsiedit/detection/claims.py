"""Assertive specific claims: the misinformation category beyond the known hazardous patterns.

An LLM answer that invents or confirms a false premise does so with definite, checkable details:
"Kirk Douglas died on February 5, 2020", "Trump's cabinet is worth $9.5 billion", "Biden served as
Vice President from 1993 to 2001". None of these words is hazardous by itself, so no lexicon finds
them; what marks them is the *form* of the statement. A clause is flagged as an unverified specific
claim when all of these hold:

- its subject is a named person, organisation, place or group (or a third-person pronoun), so it is a
  claim about someone, not general knowledge ("Vaccines are tested in trials");
- it carries a specific, checkable detail: a date with a year, day or month, a number, an amount of
  money, a percentage, a quantity or an ordinal ("the first", "the 45th");
- it is stated as fact: its sentence has no hedge, attribution or negation cue (cues.json), no modal or
  conditional ("would", "can", "if"), and is neither a question nor in the writer's own voice
  ("I", "we", "you": advice and disclaimers, not claims about the world).

These findings are slight (severity 1): the statement may well be true; what the editor should do is
attribute or hedge it, which keeps the text useful whether it is true or not.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from semsiedit.detection.lexicon import load_lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

# Entity types that make a clause's content specific enough to be checked (and to be wrong).
SPECIFIC_ENTS = frozenset({"DATE", "TIME", "CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})
# Who a claim may be about.
CLAIM_SUBJECT_ENTS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
_CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "conj", "parataxis"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_THIRD_PERSON = frozenset({"he", "she", "they", "it"})
# A DATE is specific when it names a year, a month or a day, not "recently" or "for decades".
_SPECIFIC_DATE = re.compile(
    r"\d|\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)

# Digits joined by a hyphen, slash or dot without spaces: "555-123", "A-12", "1.2.3".
_ID_JOINT = re.compile(r"\d[-/.]\d|^[-/]\d")
_ID_JOINT_BEFORE = re.compile(r"\d[-/]$")
_NUMERIC_DATE = re.compile(
    r"^(?:(?:1[5-9]|20)\d\d\s*[-–]\s*(?:\d\d|(?:1[5-9]|20)\d\d)|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d\d-\d\d)$"
)


@cache
def _voice_words() -> frozenset[str]:
    """Words of the writer's own voice and of modality: a sentence with one is not a plain claim."""
    lex = load_lexicon("misinformation")["specific_claims"]
    return frozenset(w.lower() for w in lex["writer_voice"] + lex["modality"])


def is_plain_statement(sent: Span) -> bool:
    """No question, no writer's voice, no modal or conditional (cue checks are the caller's)."""
    if sent.text.rstrip().endswith("?"):
        return False
    voice = _voice_words()
    return not any(t.lower_ in voice or t.tag_ == "MD" for t in sent)


def claim_subject(head: Token) -> Token | None:
    """The subject of the clause headed by `head` (a coordinated verb shares its subject)."""
    clause = head
    for _ in range(3):
        subj = next((c for c in clause.children if c.dep_ in _SUBJECT_DEPS), None)
        if subj is not None or clause.dep_ != "conj" or clause.head is clause:
            return subj
        clause = clause.head
    return None


def named_subject(subj: Token) -> str | None:
    """The named entity the subject is (or contains, "Trump's cabinet"), or a third-person pronoun."""
    for tok in subj.subtree:
        if tok.ent_type_ in CLAIM_SUBJECT_ENTS:
            for ent in tok.doc.ents:
                # spaCy's small model tags some common nouns as names ("fentanyl", "COVID-19").
                if ent.start <= tok.i < ent.end and ent.text[:1].isupper() and not any(c.isdigit() for c in ent.text):
                    return ent.text
    if subj.lower_ in _THIRD_PERSON:
        return subj.text
    return None


def specific_detail(sent: Span, start: int, end: int) -> str | None:
    """The first specific entity (date, number, amount ...) inside the character range [start, end)."""
    for ent in sent.ents:
        if ent.label_ not in SPECIFIC_ENTS or ent.start_char < start or ent.end_char > end:
            continue
        if ent.label_ in {"DATE", "TIME"} and not _SPECIFIC_DATE.search(ent.text):
            continue
        if ent.label_ in {"CARDINAL", "DATE"} and _is_identifier(ent):
            continue
        return ent.text
    return None


def _is_identifier(ent: Span) -> bool:
    """A number that is part of a phone number, code or ID ("555-123-4567"), not a quantity."""
    if ent.label_ == "DATE" and _NUMERIC_DATE.match(ent.text):  # "1973-2009", "11/03/2020"
        return False
    around = ent.doc[max(0, ent.start - 2) : ent.end + 2]  # not `doc.text`: it joins every token
    text, base = around.text, around.start_char
    before = text[max(0, ent.start_char - base - 2) : ent.start_char - base]
    after = text[ent.end_char - base : ent.end_char - base + 2]
    return bool(_ID_JOINT.search(ent.text) or _ID_JOINT.match(after) or _ID_JOINT_BEFORE.search(before))


def claim_heads(sent: Span) -> list[Token]:
    """Verbs heading the main and coordinated clauses of a sentence (not relative or nominal ones)."""
    return [t for t in sent if t.pos_ in {"VERB", "AUX"} and t.dep_ in _CLAUSE_DEPS]
