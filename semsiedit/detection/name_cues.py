"""Person names after an inline cue: "my name is Theresa Langford", "written by Åsa Lindqvist", and
after a role noun: "my team lead, Gregory Paulsen", "her son, Lucas Marchetti", "my husband Luis", and
before words only a person takes: "Deepa Raman from accounts", "Kev told me".

Cues and role nouns are listed in data/lexicons/names.json (matched case-insensitively). The name must
start with a capital letter and be shaped like a name (see `names.scan_name`); a one-word name must not
be a word the text also uses in lower case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.first_names import first_names, is_given_name
from semsiedit.detection.names import (
    BUILDINGS,
    DEDICATIONS,
    is_common_word,
    is_job_title,
    lexicon,
    org_words,
    person,
    scan_name,
    strip_possessive,
)
from semsiedit.places import is_city, is_known_place
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-name-cue"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    lex = lexicon()
    cues = alternation([c.lower() for c in lex["name_cues"]])
    roles = alternation([r.lower() for r in lex["role_nouns"]])
    # After the role noun: a space, a comma, or a bracket ("since wife (Emiko) died").
    return re.compile(
        rf"(?<![\w-])(?:(?P<cue>{cues})[ \t]*:?[ \t]+|(?P<role>{roles})(?:,?[ \t]+|[ \t]*\())(?=[^\W\d_])", re.I
    )


def cued_at(text: str, start: int) -> bool:
    """Whether a name cue or a role noun ends right before `start` ("my partner Kerry", "Dr. Devon")."""
    return any(m.end() == start for m in _pattern().finditer(text, max(0, start - 40), start + 1))


def find_cued_names(text: str) -> list[Finding]:
    out = []
    for m in _pattern().finditer(text):
        name = scan_name(text, m.end())
        if name is None:
            continue
        if len(name.words) == 1 and name.title is None and is_common_word(name.words[0], text):
            continue
        if is_job_title(name.words[-1]):
            continue  # "International Student Adviser": a role noun before a job, not a name
        if name.words[0] in DEDICATIONS:
            continue  # "class teacher, Holy Trinity C of E Primary": a school named for a dedication
        if len(name.words) > 1 and (name.words[-1] in BUILDINGS or name.words[-1].lower() in org_words()):
            continue  # "Registered Manager, Beechwood House": the place they manage, not a person
        if len(name.words) == 1 and text[name.end : name.end + 1] == ":":
            continue  # the next field's label: "Role: Senior Accountant   Period: FY2024"
        if m.group("role") and name.words[0].isupper() and len(name.words[0]) <= 4:
            continue  # an acronym after the role noun: "patient ID PT-330912", "employee NI number"
        if m.group("role") and "," in m.group() and len(name.words) == 1 and name.words[0] not in first_names():
            continue  # "PhD student, Chemistry": after a comma, one word is a name only if it is a given name
        reason = "name after a role noun" if m.group("role") else "name after a name cue"
        out.append(person(text, name.start, name.end, SOURCE, reason, 0.85))
    for m in _SELF_INTRO.finditer(text):
        # "Hi Dr Rao, it's Natasha Ivanova": a known given name introducing the writer ("it's Monday" is none).
        name = scan_name(text, m.end())
        if name is None or is_common_word(name.words[0], text):
            continue
        # Nobody is a place: after "I'm" a town's or a country's name is the writer's ("I'm Sofia, 34",
        # "I'm Jordan"); after "it's" it may be the place itself.
        first_person = m.group().lower().startswith(("i'", "i’", "i "))
        place_name = first_person and (is_city(name.words[0]) or is_known_place(name.words[0]))
        if is_given_name(name.words[0]) or place_name:
            out.append(person(text, name.start, name.end, SOURCE, "a writer introducing themselves", 0.85))
    return out


_SELF_INTRO = re.compile(r"(?<![\w'’-])(?:it['’]s|it is|this is|(?-i:I)['’]m|(?-i:I) am)[ \t]+(?=[A-Z])", re.I)


# A death notice or a directory: "MORRISON, Elizabeth "Betty" (née Cartwright)" opens its line with the
# surname in capitals, a comma, a given name and maybe a quoted nickname: one person.
_CAPS_SURNAME_FIRST = re.compile(
    r"^[ \t]*(?P<name>[A-Z][A-Z'’-]+(?:[ \t]+[A-Z][A-Z'’-]+)?,[ \t]+(?P<given>[A-Z][a-z]+)(?:[ \t]+[A-Z][a-z]+)?"
    r"(?:[ \t]+[\"“‘'(][A-Z][a-z]+[\"”’')])?)",
    re.MULTILINE,
)


def find_caps_surname_first(text: str) -> list[Finding]:
    return [
        person(text, m.start("name"), m.end("name"), SOURCE, "a surname in capitals, then a given name", 0.9)
        for m in _CAPS_SURNAME_FIRST.finditer(text)
        if is_given_name(m.group("given"))
    ]


@lru_cache(maxsize=1)
def _before_pattern() -> re.Pattern[str]:
    cues = alternation([c.lower() for c in lexicon()["trailing_cues"]])
    # "Priyanka Raghunathan from the Bristol office": people, not firms, come from a site of their employer.
    site = r"from the (?:[A-Z][\w'’-]+ ){0,2}(?:office|branch|depot|site|store|warehouse|ward|team)"
    word = r"[A-Z][\w'’-]+"
    return re.compile(rf"(?<![\w'’.-])({word}(?:[ \t]+{word}){{0,2}})[ \t]+(?P<cue>(?i:{cues})|{site})(?![\w-])")


def find_names_before_cues(text: str) -> list[Finding]:
    """Full names: a single word before "told me" is as often a company ("Google told me"). Before a
    department ("Jenna in payroll", "Kev from IT") a single word is a person too."""
    out = []
    for m in _before_pattern().finditer(text):
        words = m.group(1).split()
        # "Yesterday Deepa Raman told me": a sentence-initial common word is not part of the name, nor
        # an acronym ("FYI Marcus in logistics").
        while words and (is_common_word(words[0], text) or (words[0].isupper() and len(words[0]) > 1)):
            words.pop(0)
        department = m.group("cue").lower().startswith(("in ", "from "))
        not_a_name = any(is_common_word(w, text) or strip_possessive(w).lower() in org_words() for w in words)
        if len(words) < (1 if department else 2) or not_a_name:
            continue
        start = m.end(1) - len(" ".join(words)) if m.group(1).endswith(" ".join(words)) else m.start(1)
        out.append(person(text, start, m.end(1), SOURCE, "name before a person cue", 0.8))
    return out
