"""Names in a message written all in lower case ("hi dr lee, its jamie", "thanks, priya"): the NER and
every other name recognizer need a capital letter, so such a message kept every name it had.

Only in a text that is mostly lower case (few of its sentences start with a capital), and only where a
cue says a name follows: a person title ("dr lee": any word), a greeting, a self-introduction, a role
("my coworker marta") or a sign-off (a listed given name: "its jamie", "thanks priya", "- sam")."""

from __future__ import annotations

import re
from functools import cache

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_stop_word, lexicon, person
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-lowercase-name"
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)([^\W\d_])", re.MULTILINE)
_TITLED = re.compile(r"(?<![\w'’-])(?:dr|mr|mrs|ms|miss|nurse|prof)\.?[ \t]+([a-z][a-z'’-]{1,})(?![\w'’-])")
# Each cue on its own, so that in "hey its sam" both "hey" and "its" get their chance.
_CUE = re.compile(
    r"(?<![\w'’-])(?:hi|hey|hello|dear|morning|thanks|thank you|cheers|love|its|it'?s|this is|i'?m|im|i am"
    r"|my name is|my names|ask|tell|from)[ \t,]+"
)
_AFTER_CUE = re.compile(r"([a-z][a-z'’-]{1,})(?:[ \t]+([a-z][a-z'’-]{1,}))?(?![\w'’-])")
_SIGN_OFF = re.compile(r"^[ \t]*[-–—~]?[ \t]*([a-z][a-z'’-]{1,})[ \t]*$", re.MULTILINE)
_NOT_SURNAME = frozenset({
    "here", "and", "the", "for", "from", "again", "too", "x", "xx", "xxx", "thanks",
    # verbs a given name is the subject of ("my flatmate jess says ...")
    "says", "said", "told", "tells", "asked", "asks", "thinks", "thought", "wants", "wanted", "went", "goes",
    "knows", "knew", "reckons", "texted", "messaged", "called", "rang", "got", "gets", "keeps", "kept", "came",
    "comes", "saw", "sees", "lives", "lived", "works", "worked", "left", "moved", "started", "found",
})  # fmt: skip


_PRONOUN_CONTRACTION = re.compile(r"(?:he|she|they|it|we|i|you|who|that|there)['’]")


@cache
def _role_cue() -> re.Pattern[str]:
    """"my coworker marta", "our landlord dave": a person's role before their given name."""
    roles = alternation(sorted({r.lower() for r in lexicon()["role_nouns"]}))
    return re.compile(rf"(?<![\w'’-])(?:my|our|his|her|their|your)[ \t]+(?:{roles})[ \t,]+")


def mostly_lower_case(text: str) -> bool:
    starts = [m.group(1) for m in _SENTENCE_START.finditer(text)]
    return len(starts) >= 2 and sum(c.isupper() for c in starts) / len(starts) < 0.3


def find_lowercase_names(text: str) -> list[Finding]:
    if not mostly_lower_case(text):
        return []
    names = first_names()
    out: list[Finding] = []
    for m in _TITLED.finditer(text):  # "dr lee" -> "Person A", as "Dr. Lee" would be
        out.append(person(text, m.start(), m.end(1), SOURCE, "a name after a title in a lower-case message"))
    cues = [*_CUE.finditer(text), *_role_cue().finditer(text)]
    cued = [_AFTER_CUE.match(text, c.end()) for c in cues]
    for m in [m for m in cued if m is not None] + list(_SIGN_OFF.finditer(text)):
        if m.group(1).capitalize() not in names:
            continue
        end = m.end(1)
        surname = m.group(2) if m.re is _AFTER_CUE else None
        if surname and surname not in _NOT_SURNAME and surname.capitalize() not in names and len(surname) > 2 and (
            not is_stop_word(surname)  # "marta just told me": "just" is no surname
            and not _PRONOUN_CONTRACTION.match(surname)  # "my husband kenneth he's had another fall"
        ):
            end = m.end(2)  # "its jamie rowe": the word after a given name is its surname
        out.append(person(text, m.start(1), end, SOURCE, "a given name after a cue in a lower-case message"))
    return out
