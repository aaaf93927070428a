"""Name propagation within a document: once a person is known ("Douglas T. Farraday", "Mr. Whitford"),
every other occurrence of the full name, and of each of its words that is a plausible name on its own
(capitalised, three letters or more, not a word the text uses in lower case, not a stop word or listed
non-name), is PERSON too, with a title before it ("Councilman Farraday") and possessives
("Farraday's": the "'s" stays outside the span). Place names work the same way: other occurrences of
a LOCATION's exact text ("Westbridge") are LOCATION too.

Runs over the whole text after every other recognizer, so it sees names from Presidio, fields, cues
and titles alike. Occurrences inside e-mail addresses, URLs, IDs or addresses are left alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache

from semsiedit.detection.first_names import first_names, is_given_name
from semsiedit.detection.names import (
    QUOTED_NICK_BEFORE,
    QUOTED_NICK_LEAD,
    is_common_word,
    is_job_title,
    is_title,
    lexicon,
    org_words,
    person,
    scan_name,
)
from semsiedit.places import building_kinds, is_city, is_known_place, location_kind
from semsiedit.span_index import SpanIndex
from semsiedit.text import MONTHS_AND_DAYS, long_open_line
from semsiedit.types import Finding

SOURCE = "semsi-propagation"
_VOUCHING_SOURCES = ("semsi-name-cue", "semsi-first-name", "semsi-field", "semsi-title")
_KEEP_OVER = ("PERSON", "LOCATION", "NRP", "DENY_LIST")  # labels a propagated name may overlap


@lru_cache(maxsize=1)
def _title_before() -> re.Pattern[str]:
    alt = "|".join(re.escape(t) for t in sorted(lexicon()["titles"], key=len, reverse=True))
    # A full stop only after a lower-case ending ("Dr.", "Capt."): "Leicester DC. Ravi" ends a sentence.
    return re.compile(rf"(?<![\w'’])(?:{alt})(?:(?<=[a-z])\.)?[ \t]+$")


_KIN = "mum|mom|mam|mother|dad|father|wife|husband|son|daughter|sister|brother|partner|boyfriend|girlfriend|nan|gran"
_KIN_AFTER = re.compile(rf"['’]s (?:{_KIN})\b")
_NOT_AFTER_NAME_CHAR = re.compile(r"(?<![\w'’-])")  # zero width: matched at a name's start


def _has_kin(name: str, text: str) -> bool:
    """"Maisie's mum": the name with a relative after its possessive. String search plus two fixed
    patterns, not a pattern per name (compiling one for each name was a tenth of detection's finishing)."""
    return any(
        _NOT_AFTER_NAME_CHAR.match(text, pos) and _KIN_AFTER.match(text, pos + len(name))
        for pos in _occurrences(name, text)
    )


NICKNAME_AFTER = re.compile(r"""[ \t]+(?:['"‘“]([A-Z][\w'’-]+)['"’”]|\(([A-Z][\w'’-]+)\))[ \t]+([A-Z][\w'’-]+)""")


def _seeds(text: str, persons: Iterable[Finding]) -> tuple[set[str], set[str]]:
    """(full names, single name words) to look for."""
    full: set[str] = set()
    words: set[str] = set()
    persons = list(persons)
    # The NER tagging the same lone word at two places is evidence enough ("Chidi has ...", "Chidi's
    # mother"): one guess may be a mistake, the same guess twice rarely is.
    lone = Counter(" ".join(f.text.split()) for f in persons if len(f.text.split()) == 1)
    for f in persons:
        value = " ".join(f.text.split())
        # "Oluwadamilare (Dami) Adeyinka": "Dami disclosed" and "Ms Adeyinka" are the same person.
        if nick := NICKNAME_AFTER.match(text, f.end):
            words.update(w for w in (nick.group(1) or nick.group(2), nick.group(3)) if not is_common_word(w, text))
        if lead := QUOTED_NICK_LEAD.match(value):
            # '"Gaz" Pennington': the nickname is looked for on its own, the rest is the name.
            if not is_common_word(nick := lead.group().strip()[1:-1], text):
                words.add(nick)
            value = value[lead.end() :]
        name = scan_name(value, 0)
        if name is None or name.end < len(value.rstrip(".")) - 0:
            continue
        # A lone word is a seed only when a cue or the given-name list vouches for it ("her daughter
        # Chidinma", "Priya"), not when it is only the NER's guess ("Fraud").
        vouched = (
            any(src in f.source for src in _VOUCHING_SOURCES)
            or lone[value] >= 2
            or (value in first_names() and not is_common_word(value, text))  # the NER and the list agree
            or _has_kin(value, text)  # "Maisie's mum": only a person has a mum
            or bool(QUOTED_NICK_BEFORE.search(text, max(0, f.start - 30), f.start))  # '"Gaz" Pennington'
        )
        if len(name.words) < 2 and name.title is None and not vouched:
            continue
        if len(name.words) >= 2:
            first = value.find(name.words[0])
            full.add(value[first : name.end])
        for w in name.words:
            if len(w) >= 3 and not is_title(w) and not is_common_word(w, text) and not w.isupper():
                words.add(w)
        if name.title in first_names() and len(name.words) == 1 and not is_common_word(name.title, text):
            words.add(name.title)  # "Dean Morgan ... Dean left": a given name that is also a title
    return full, words


# A mention is not inside an e-mail, a URL or a hyphenated token ("Tilleuls‑2025", any hyphen character).
_MENTION_START = re.compile(r"(?<![\w@./\-\u2010\u2011])")  # zero width: matched at the mention's start
_MENTION_END = re.compile(r"(?![\w@\-\u2010\u2011]|[./]\w)")  # zero width: matched at its end
_SPACES = re.compile(r"\s+")


# A place name that is part of a club's name ("FC Barcelona", "Real Madrid"): the name stays whole.
CLUB_BEFORE = re.compile(r"(?<![\w'’-])(?:FC|AFC|AC|CF|SC|Real|Atlético|Athletic|Inter|Sporting|Dynamo|Olympique) $")
_WORD_RUN = re.compile(r"\w+")
_DETERMINER_BEFORE = re.compile(r"(?<![\w'’-])(?:the|a|an|our|their|his|her|my|your) $", re.IGNORECASE)
_GIVEN_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?) $")


def _word_index(text: str) -> dict[str, list[int]]:
    """Start offsets of every run of word characters, by its text: one pass over the text."""
    index: dict[str, list[int]] = {}
    for m in _WORD_RUN.finditer(text):
        index.setdefault(m.group(), []).append(m.start())
    return index


def _mentions(term: str, text: str, index: dict[str, list[int]]) -> list[tuple[int, int]]:
    """Spans of `term` in `text`, its words joined by any whitespace, not inside a longer token. Tried
    only where the term's first word occurs (scanning the whole text once per name made long documents
    quadratic, issue 12.5), by string comparison: a compiled pattern per name cost more than the search."""
    words = term.split()
    if not words:
        return []
    first = _WORD_RUN.match(words[0])
    if first is not None:
        starts: Iterable[int] = index.get(first.group(), ())
    else:
        starts = _occurrences(words[0], text)
    out: list[tuple[int, int]] = []
    end = 0
    for pos in starts:
        if pos < end or not _MENTION_START.match(text, pos):
            continue
        stop = _match_words(words, text, pos)
        if stop is not None and _MENTION_END.match(text, stop):
            out.append((pos, stop))
            end = stop
    return out


def _match_words(words: list[str], text: str, pos: int) -> int | None:
    """The end of `words` at `pos`, each pair separated by whitespace, else None."""
    for k, word in enumerate(words):
        if k:
            gap = _SPACES.match(text, pos)
            if gap is None:
                return None
            pos = gap.end()
        if not text.startswith(word, pos):
            return None
        pos += len(word)
    return pos


def _occurrences(word: str, text: str) -> Iterator[int]:
    pos = text.find(word)
    while pos >= 0:
        yield pos
        pos = text.find(word, pos + 1)


_VENUE_WORDS = frozenset({
    "village", "infirmary", "outlet", "hospitals", "arena", "cathedral", "mosque", "temple", "centre", "center",
})
_NAMED_AFTER_A_PLACE = re.compile(r"(?:[ \t]+(?-i:[A-Z][a-z]+)(?=['’]s\b|(?![\w'’-])))+")
# "Chan Zuckerberg Initiative": capitalised words after a name, one space apart, that do not label a
# field ("Name: Edith Fairbanks   Medicare ID:", "... Hospital no:").
_BODY_AFTER_A_NAME = re.compile(r"(?: (?-i:[A-Z][a-z]+)){1,3}(?![\w'’-])(?![ \t]*(?::|(?i:no\b|number|id\b|#)))")
# The same across a hard wrap ("taken to Leicester\nRoyal Infirmary"), tried after a long open line only.
_NAMED_AFTER_A_PLACE_WRAPPED = re.compile(r"(?:(?:[ \t]+|[ \t]*\n[ \t]*)(?-i:[A-Z][a-z]+)(?=['’]s\b|(?![\w'’-])))+")


def _longest_first(terms: Iterable[str]) -> list[str]:
    """Longest first, ties in text order: a set's own order changes with the hash seed, and which of
    two overlapping mentions wins must not (byte-identical output across runs)."""
    return sorted(terms, key=lambda t: (-len(t), t))


def _a_named_building(f: Finding) -> bool:
    kind = location_kind(f.text) if f.label == "LOCATION" and " " in f.text else None
    return kind is not None and (kind in building_kinds() or kind == "a facility")


def propagate_names(text: str, findings: list[Finding]) -> list[Finding]:
    pii = [f for f in findings if f.category == "pii"]
    full, words = _seeds(text, (f for f in pii if f.label == "PERSON"))
    places = {
        f.text
        for f in pii
        if f.label == "LOCATION" and len(f.text) >= 4 and f.text[0].isupper() and not f.text.isupper()
        and "\n" not in f.text and f.text not in words and not is_common_word(f.text, text)
    }  # fmt: skip
    if not full and not words and not places:
        return []
    # A named building is no mention of the person it is named after ("John Radcliffe Hospital"); a
    # place's name may open one ("Leicester Royal Infirmary", found below).
    blocked_places = SpanIndex(f for f in pii if f.label not in _KEEP_OVER)
    blocked = SpanIndex(f for f in pii if f.label not in _KEEP_OVER or _a_named_building(f))
    out: list[Finding] = []
    taken: SpanIndex[Finding] = SpanIndex()  # `out`, for position queries

    given_names: set[str] = set()  # given names joined to a surname here: looked for on their own too

    def add(start: int, end: int, reason: str) -> None:
        title = _title_before().search(text, max(0, start - 25), start)
        if title:
            start = title.start()
        elif given := _GIVEN_BEFORE.search(text, max(0, start - 25), start):
            # A surname found elsewhere, after a given name the NER missed ("identified as Jason
            # Pritchard", "Lily-Mae Turner", tagged ORG): the whole name is the person.
            word = given.group(1)
            # A given name the list leaves out as a big city's name ("Sofia Marchetti", "Florence Welch").
            listed = all(part in first_names() or is_given_name(part) or is_city(part) for part in word.split("-"))
            if listed and not is_common_word(word, text) and not is_known_place(word):
                start = given.start(1)
                if word not in words:
                    given_names.add(word)
        f = person(text, start, end, SOURCE, reason, 0.85)
        named = _BODY_AFTER_A_NAME.match(text, f.end)
        if named and named.group().split()[-1].lower() in org_words():
            # "the Chan Zuckerberg Initiative": a body named after people goes whole, or not at all
            # ("Person RG Person AE Initiative" named them both and broke the name).
            f = replace(f, end=named.end(), text=text[f.start : named.end()], label="ORGANIZATION",
                        reason="a name that opens with a person's name found in this text")  # fmt: skip
        if not blocked.overlaps(f.start, f.end) and not taken.covers(f.start, f.end):
            out.append(f)
            taken.add(f)

    index = _word_index(text)
    for term in _longest_first(full):
        for start, end in _mentions(term, text, index):
            add(start, end, "another mention of a name found in this text")
    for term in _longest_first(words):
        for start, end in _mentions(term, text, index):
            if is_title(term) and (_DETERMINER_BEFORE.search(text, max(0, start - 6), start)
                                   or text.startswith(" of ", end)):
                continue  # "Dean Morgan ... the Dean of Students": the title, not the given name
            add(start, end, "surname or given name of a person found in this text")
    for term in _longest_first(given_names):
        for start, end in _mentions(term, text, index):
            add(start, end, "given name of a person found in this text")
    for term in _longest_first(places):
        for start, end in _mentions(term, text, index):
            f = Finding(
                start=start, end=end, text=text[start:end], category="pii", label="LOCATION", severity=1,
                score=0.85, source=SOURCE, reason="another mention of a place found in this text",
            )  # fmt: skip
            wrapped = text[end : end + 2].lstrip(" \t")[:1] == "\n" and long_open_line(text[: end])
            named = (_NAMED_AFTER_A_PLACE_WRAPPED if wrapped else _NAMED_AFTER_A_PLACE).match(text, end)
            if named and (named.group().split()[-1].lower() in org_words() | _VENUE_WORDS):
                # "Bicester Village", "Leicester Royal Infirmary": the town opens a firm's or a building's
                # name, which goes whole (the town alone would leave "a city Village").
                f = replace(f, end=named.end(), text=text[f.start : named.end()], label="ORGANIZATION",
                            reason="a name that opens with a place found in this text")  # fmt: skip
            club = CLUB_BEFORE.search(text, max(0, f.start - 12), f.start)  # "Real Madrid", "FC Porto"
            # A name it opens may hold a place found already ("Royal Infirmary"): the merge joins them.
            clash = any(t.start < f.start or t.end > f.end for t in taken.overlapping(f.start, f.end))
            if not club and not blocked_places.overlaps(f.start, f.end) and not clash:
                out.append(f)
                taken.add(f)
    # "nan to Jack, Ellie and Ruby": a given name listed with people is a person even when it is also
    # a word ("Ruby", "Rose", "Hope"), which the list alone would not vouch for.
    # People only: "parked on Birchfield Road, Handsworth" lists a district after a street.
    people = sorted([f for f in [*pii, *out] if f.label == "PERSON"], key=lambda f: f.start)
    for f in people:
        after = _LISTED_AFTER.match(text, f.end)
        before = _LISTED_BEFORE.search(text, max(0, f.start - 40), f.start)
        spans = [after.span("last" if after.group("last") else "inner")] if after else []
        spans += [before.span("name")] if before else []
        for start, end in spans:
            if not _a_listed_name(text, text[start:end], start):
                continue
            if not blocked.overlaps(start, end) and not taken.overlaps(start, end):
                g = person(text, start, end, SOURCE, "a given name listed with people found in this text", 0.8)
                out.append(g)
                taken.add(g)
    return out


def _a_listed_name(text: str, word: str, start: int) -> bool:
    """A capitalised word listed beside a person names one too, unless it is a place, a month or a
    day, a firm's word or a word this text also writes in lower case; at the start of a sentence
    ("Yesterday, Tom and I") only a known given name counts."""
    if word in first_names():
        return True
    if is_common_word(word, text) or is_known_place(word) or is_city(word) or is_title(word) or is_job_title(word):
        return False
    if word.lower() in MONTHS_AND_DAYS or word.lower() in org_words():
        return False
    before = text[:start].rstrip(" \t")
    return bool(before) and before[-1] not in ".!?\n\"“(-—–"


# Joined by "and", or by a comma inside a list that goes on ("Jack, Ruby and Ellie"): "Aisha Mohammed,
# Year 10" and "The Dean of Students, Prof Hughes" list no one.
_LISTED_AFTER = re.compile(
    r"(?:[ \t]*\(\d{1,2}\))?(?:,?[ \t]+(?:and|&)[ \t]+(?P<last>[A-Z][a-z]+)(?=[ \t]*(?:,|and\b|&|[.;!?)]|\(\d|$))"
    r"|,[ \t]+(?P<inner>[A-Z][a-z]+)(?=[ \t]*(?:,|and\b|&)))",
    re.M,
)
_LISTED_BEFORE = re.compile(r"(?<![\w'’-])(?P<name>[A-Z][a-z]+)[ \t]+(?:and|&)[ \t]+$")


# A file's name, the last part of a path: "tebbutt_l_hiv_results.pdf", "/scans/OKAFOR-J-2024.jpg".
_FILE_NAME = re.compile(
    r"(?<![\w.-])[\w.-]*[A-Za-z][\w.-]*\.(?:pdf|docx?|xlsx?|csv|txt|rtf|jpe?g|png|heic|tiff?|zip|json|xml|eml|msg|mp3|"
    r"mp4|wav|m4a)(?![\w.-])",
    re.I,
)


def file_names_with_names(text: str, findings: list[Finding]) -> list[Finding]:
    """File names that hold a person's name found in the text, in any case ("name="Lorraine Tebbutt"" and
    "/exports/tebbutt_l_hiv_results.pdf"): the whole name of the file goes, with what else it tells."""
    words = {
        w.lower()
        for f in findings
        if f.category == "pii" and f.label == "PERSON"
        for w in re.findall(r"[A-Za-z][a-z'’-]{3,}", f.text)
        if not is_common_word(w, text)
    }
    if not words:
        return []
    taken = SpanIndex(findings)
    out = []
    for m in _FILE_NAME.finditer(text):
        parts = set(re.split(r"[\W_\d]+", m.group().lower()))
        if parts & words and not taken.overlaps(m.start(), m.end()):
            out.append(Finding(m.start(), m.end(), m.group(), "pii", "FILE_NAME", 2, 0.85, SOURCE,
                               "a file name holding a person's name"))  # fmt: skip
    return out


# Identifiers whose every occurrence goes once one is found: "customer 40417" found by its keyword also
# leaks from "/var/data/exports/40417/" and a key pasted twice leaks twice.
_VALUE_LABELS = frozenset({
    "ID", "MEDICAL_RECORD_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "UK_NHS", "SECRET",
    "EMAIL_ADDRESS", "PHONE_NUMBER", "US_PASSPORT", "US_DRIVER_LICENSE", "VEHICLE_PLATE", "VEHICLE_ID",
})  # fmt: skip


def propagate_values(text: str, findings: list[Finding]) -> list[Finding]:
    """Other occurrences of an identifier's exact value (five characters or more, not inside a longer
    word or number) that no finding covers yet."""
    taken = SpanIndex(findings)
    out: list[Finding] = []
    seeds = {f.text: f for f in findings if f.category == "pii" and f.label in _VALUE_LABELS and len(f.text) >= 5}
    for value, seed in sorted(seeds.items(), key=lambda kv: (-len(kv[0]), kv[0])):
        for m in re.finditer(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", text):
            if taken.overlaps(m.start(), m.end()):
                continue
            f = replace(seed, start=m.start(), end=m.end(), text=m.group(), source=SOURCE,
                        reason=f"another occurrence of a {seed.label} found in this text")  # fmt: skip
            out.append(f)
            taken.add(f)
    return out
