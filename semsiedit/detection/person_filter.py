"""Cleans spaCy/Presidio PERSON and LOCATION findings of the small model's typical mistakes, on the
parse the engine already made.

PERSON: cut at a line break ("Rebecca Harcourt\\nPartner"), trailing verbs and stop words dropped
("Councilman Accused"), and dropped when what is left is a bare title, a pronoun or stop word, a
listed non-name (kinship words, religious groups, field labels: data/lexicons/names.json), contains a
digit ("09/22/2024"), holds an organisation or building word ("Résidence Les Tilleuls"), is a lone
acronym ("COVID"), or is a sentence-initial common word.
LOCATION: dropped when it is a listed non-name ("Catholics"), a listed acronym ("the ER") or a
credential after a name (", MD"); relabelled PERSON when a person title precedes it ("Dr. Paris").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from semsiedit.detection.casual_names import mostly_lower_case
from semsiedit.detection.first_names import first_names, is_given_name, word_given_names
from semsiedit.detection.lexicon import load_lexicon, term_matcher
from semsiedit.detection.name_cues import cued_at
from semsiedit.detection.names import (
    ADDRESSING_VERBS,
    BUILDINGS,
    DEDICATIONS,
    INITIALS,
    KINSHIP_TITLES,
    after_the,
    is_common_word,
    is_job_title,
    is_stop_word,
    is_title,
    lexicon,
    not_a_location,
    not_names,
    org_words,
    strip_possessive,
    vehicle_makes,
)
from semsiedit.detection.propagation import CLUB_BEFORE
from semsiedit.detection.tables import header_label, is_known_header
from semsiedit.places import is_city, is_county, is_known_place, street_type_pattern, street_words
from semsiedit.spacy_components import doc_text
from semsiedit.text import bounded_word, in_full_names, long_open_line

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from semsiedit.types import Finding

# A lower-case compass or area word before a place name is part of the place ("east London").
_PART_OF_A_PLACE = re.compile(
    r"(?<![\w-])(?:(?:north|south)(?:[- ]?(?:east|west))?|east|west|northern|southern|eastern|western|central|inner|"
    r"outer|greater|downtown|upstate|rural|suburban)[ \t]+$"
)
_EDGE = " \t,;:|/()[]{}\"“”‘’'-–—"


@lru_cache(maxsize=1)
def _never_person() -> frozenset[str]:
    return frozenset(w.lower() for w in lexicon()["not_a_person"])


@lru_cache(maxsize=1)
def _exam_headings() -> frozenset[str]:
    return frozenset(load_lexicon("clinical")["exam_headings"])


@lru_cache(maxsize=1)
def _credentials() -> frozenset[str]:
    return frozenset(lexicon()["credentials"])


@lru_cache(maxsize=1)
def _title_before() -> re.Pattern[str]:
    alt = "|".join(re.escape(t) for t in sorted(lexicon()["titles"], key=len, reverse=True))
    return re.compile(rf"(?<![\w'’])(?:{alt})\.?[ \t]+$")


_DETERMINER_ADJECTIVES = re.compile(
    r"(?<![\w'’-])(?:a|an|ein|eine|einen|einem|einer|der|die|das|den|dem|un|une|el|la|le|il|het|een)"
    r"(?:\s+(?-i:[a-zäöüßéèàç-]+)){1,2}\s+$",
    re.IGNORECASE,
)


def _after_a_naming_verb(text: str, start: int) -> bool:
    """"a man called Rob", "a greyhound named Pixie", "a man known as Tiny": what follows is a name."""
    return bool(re.search(r"(?<![\w'’-])(?:called|named|known as)[ \t]+$", text[max(0, start - 20) : start]))


def _common_noun_slot(text: str, start: int, word: str) -> bool:
    """A single capitalised word after an indefinite or foreign article and lowercase adjectives, and
    never part of a full name elsewhere in the text: a noun ("ein widerlicher Typ"), not a person. A
    known given name is a name there too ("a guy called Ethan")."""
    if word in first_names() or _after_a_naming_verb(text, start):
        return False  # "a man called Rob": the naming verb makes it a name, listed or not
    slot = _DETERMINER_ADJECTIVES.search(text[max(0, start - 60) : start])
    if slot is None or any(is_stop_word(w) for w in slot.group().split()[1:]):
        return False  # "a heads-up that Aisha": a function word ends the noun phrase before the name
    return not in_full_names(text, word)


_WORK_WORDS = frozenset({
    "work", "apply", "intern", "volunteer", "train", "study", "start", "employ", "hire", "interview",
    "job", "shift", "internship", "placement", "career", "role", "position", "vacancy",
})  # fmt: skip


def _imperative(tok: Token) -> bool:
    """A word opening a sentence that has no verb but it and goes on after it: the sentence's verb."""
    if not tok.is_sent_start or (tok.dep_ != "ROOT" and tok.tag_ != "VB"):
        return False
    sent = tok.sent
    rest = [t for t in sent if t.i > tok.i and not t.is_punct and not t.is_space]
    return bool(rest) and rest[0].pos_ in ("ADP", "DET", "NUM", "PRON") and not any(
        t.pos_ in ("VERB", "AUX") for t in rest
    )


def _workplace(tokens: list[Token], *, place: bool = False) -> bool:
    """A lone name after "at" that is a place of work, not a person: "jobs at Monzo", "a nurse at Guy's",
    "works at Deloitte" (one is angry at, looks at or laughs at a person; one does not work at one).
    With `place` (the NER said it is a place), only after a word of work: "a house at Brighton" is one."""
    if not tokens:
        return False
    tok = tokens[0]
    prep = tok.head
    if tok.dep_ != "pobj" or prep.lower_ != "at":
        return False
    governor = prep.head
    if governor.lemma_.lower() in _WORK_WORDS:
        return True
    possessive = len(tokens) > 1 or (tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].tag_ == "POS")
    return not place and (possessive or governor.pos_ == "NOUN")


def _coordinated_with_a_place(tok: Token) -> bool:
    """A lone name in a coordination with a place the NER tagged ("in Harrow and Watford")."""
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    if nxt is not None and nxt.ent_iob_ == "I":
        return False  # a two-word name

    def place(t: Token) -> bool:  # "Siobhan and Declan": a given name the NER took for a place is none
        known = is_city(t.text) or is_known_place(t.text)
        return t.ent_type_ in ("GPE", "LOC") and (t.text not in first_names() or known)

    if tok.dep_ == "conj" and place(tok.head):
        return True
    return any(c.dep_ == "conj" and place(c) for c in tok.children)


def _a_he_or_she(tokens: list[Token], text: str, end: int) -> bool:
    """The name is a clause's subject and the next sentences speak of a he or she."""
    subject = bool(tokens) and tokens[-1].dep_ in ("nsubj", "nsubjpass")
    return subject and bool(re.search(r"(?<![\w'’-])(?:he|she|his|her|him)(?![\w'’-])", text[end : end + 200], re.I))


def _clean_person(f: Finding, doc: Doc, text: str, offset: int, starts: list[int]) -> Finding | None:
    start, end = f.start - offset, f.end - offset
    cut = re.search(r"[\r\n|\t]", text[start:end])  # a line, a table cell ("Mr. Dmitri Volkov | Plan")
    if cut:
        end = start + cut.start()
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    while start < end and text[start] in _EDGE:
        start += 1
    value = text[start:end]
    digits = re.search(r"[ \t]+\S*\d", value)
    if digits and re.fullmatch(r"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*)+", value[: digits.start()]):
        end = start + digits.start()  # "Tom Ridley 8-12 Dec": the NER ran a full name into a date
        value = text[start:end]
    if not value or re.search(r"\d", value) or not re.search(r"[^\W\d_]", value):
        return None
    if text[max(0, start - 1) : start] in ("#", "@"):
        return None  # "#RefugeesWelcome", "@lou.brightonrunner": a hashtag or a handle, not a name
    if "@" in value:  # "Insta @lou.brightonrunner": the handle is the handle recognizer's
        end = start + value.index("@")
        while end > start and text[end - 1] in _EDGE:
            end -= 1
        value = text[start:end]
        if not value:
            return None
    # The tokens the span touches (bisect over token offsets: char_span walks the whole doc).
    first = max(bisect_right(starts, start) - 1, 0)
    tokens = list(doc[first : bisect_left(starts, end)])
    # Trailing verbs, stop words and punctuation are not part of a name ("Councilman Accused").
    # Nor are lower-case words after a capitalised name ("Bramall Lane - rent arrears").
    capitalised = bool(tokens) and tokens[0].text[:1].isupper()
    while len(tokens) > 1 and (tokens[-1].tag_.startswith("VB") or tokens[-1].is_stop or tokens[-1].is_punct
                               or (capitalised and tokens[-1].text.islower())):
        tokens.pop()
    if tokens:
        end = min(end, tokens[-1].idx + len(tokens[-1].text))
        value = text[start:end]
    words = value.split()
    if len(tokens) == 1 and value in _exam_headings() and tokens[0].i + 1 < len(doc):
        after = doc[tokens[0].i + 1]
        if after.text in (":", "-", "–") or (after.pos_ in ("ADJ", "ADV") and after.text.islower()):
            return None  # "Abdo tense on palpation", "Resp: clear": an examination's heading, not a person
    if town := _HYPHENATED_TOWN.match(text, end):
        # "Henley-on-Thames", "Stratford-upon-Avon", "Southend-on-Sea": the NER stopped at the hyphen.
        return replace(f, start=start + offset, end=town.end() + offset, text=text[start : town.end()],
                       label="LOCATION", reason=f"{f.reason}; a hyphenated town")  # fmt: skip
    rest = _NAME_RUN_WRAPPED.match(text, end)
    if rest and "\n" in rest.group() and not long_open_line(text[:end]):
        rest = _NAME_RUN.match(text, end)  # a line break that ends the name's line: "Dr X\nRiverside Clinic"
    if service := _SERVICE_AFTER.match(text, end):
        # "Kirklees Children's\nServices", "Great Ormond Street Children's Hospital": an organisation.
        return replace(f, start=start + offset, end=service.end() + offset, text=text[start : service.end()],
                       label="ORGANIZATION", reason=f"{f.reason}; an organisation's possessive name")  # fmt: skip
    if rest and _INSTITUTION_KINDS & set(rest.group().split()):
        # "James Cook\nUniversity Hospital", "John Radcliffe Hospital": a place named after a person.
        return replace(f, start=start + offset, end=rest.end() + offset, text=text[start : rest.end()],
                       label="ORGANIZATION", reason=f"{f.reason}; a place named after a person")  # fmt: skip
    if len(words) == 2 and words[0] in vehicle_makes() and words[1] not in first_names():
        return None  # "a silver Ford Focus", "a blue Vauxhall Corsa": a make and model, not a person
    number_before = re.search(r"\d[A-Za-z]?,?[ \t]+$", text[max(0, start - 8) : start])
    if len(words) > 1 and words[-1] in street_words() and number_before:
        return None  # "18 Bramall Lane": a street after its house number, the address recognizer's
    if len(words) > 1 and words[-1].rstrip(".") in street_words() and (
        words[0] not in first_names() and re.match(r",[ \t]*[A-Z]", text[end : end + 3])
    ):
        # "Tesco Extra, Cheetham Hill Rd, Manchester": a street before its town.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="STREET_ADDRESS",
                       reason=f"{f.reason}; a street before its town")  # fmt: skip
    if len(words) > 1 and words[0].lower() in ADDRESSING_VERBS and tokens and tokens[0].is_sent_start:
        # "Ask Priya and Tom", "Thank Maria for ...": an instruction's verb before the name.
        start += len(words[0]) + 1
        while start < end and text[start] in " \t":
            start += 1
        value, words, tokens = text[start:end], words[1:], tokens[1:]
    titled = next((i for i, w in enumerate(words) if i > 0 and is_title(w.rstrip("."))), None)
    if titled is not None and len(words) > titled + 1 and all(re.fullmatch(r"[A-Z]\.?", w) for w in words[:titled]):
        # "bay C. Mrs Ayesha Siddiqui": a letter before a title is the end of something else, not an initial.
        start = text.index(words[titled], start)
        value, words, tokens = text[start:end], words[titled:], [t for t in tokens if t.idx >= start]
    if len(words) > 1 and words[0] in KINSHIP_TITLES:
        # "Aunty Grace", "Uncle Femi": the family word stays in the text, only the name is replaced.
        start += len(words[0]) + 1
        while start < end and text[start] in " \t":
            start += 1
        value, words, tokens = text[start:end], words[1:], tokens[1:]
    if len(words) > 1 and words[0] in DEDICATIONS:
        # "St Luke's", "St. Mary's": a church, hospital or school named after a saint, not a person.
        end += len(m.group()) if (m := re.match(r"['’]s\b", text[end:])) else 0
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="ORGANIZATION",
                       reason=f"{f.reason}; a place named after a saint")
    if len(words) == 2 and words[1] in BUILDINGS and words[0] not in first_names() and not is_title(words[0]):
        # "Flat 14, Marlowe House": a block of flats, part of an address.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="STREET_ADDRESS",
                       reason=f"{f.reason}; a building, not a person")  # fmt: skip
    if len(words) == 2 and not is_given_name(words[0]) and not is_title(words[0]) and (
        words[1] in ("General", "Royal")
        or (
            is_city(words[1]) and not place_preposition_before(text, start, value)
            and not _a_he_or_she(tokens, text, end)
        )
    ):  # fmt: skip
        # "Northgate General", "Salford Royal" (hospitals), "Forward Leeds" (a service named after its town).
        # Not the subject of a text that goes on with a he or she: "Barack Obama was born ... he was born in",
        # whatever town is called Obama.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="ORGANIZATION",
                       reason=f"{f.reason}; an organisation named after a place")  # fmt: skip
    if len(tokens) == 1 and _coordinated_with_a_place(tokens[0]):
        # "our homes in Harrow and Watford": a name joined to a place by "and" is a place too.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; coordinated with a place")  # fmt: skip
    if len(words) == 1 and is_city(value) and value not in first_names() and value not in word_given_names() and (
        re.search(r"(?:,|[·•|]|[ \t][-–—])[ \t]*$", text[max(0, start - 10) : start])
    ):
        # "PO Box 1120, Norwich NR1 3DR": a town after an address's comma; "Posted by Sam · Leeds".
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a town after an address's comma")  # fmt: skip
    if len(words) == 1 and is_city(value) and (
        (named := re.search(r"([A-Z][a-z]+),[ \t]*$", text[max(0, start - 20) : start]))
        and is_given_name(named.group(1))
        and re.match(r"[ \t]*(?:\n|$)", text[end:])
    ):
        # "— Linda, Ely" signing a letter to a column: the town after the writer's given name.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a town after a signature's name")  # fmt: skip
    if len(words) <= 2 and is_city(value) and place_preposition_before(text, start, value):
        # "a man from Halifax", "refugees in Calais": a town after a place preposition.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a town after a place preposition")  # fmt: skip
    local = _LOCAL_PERSON.match(text, end) and _AN_ARTICLE.search(text[max(0, start - 6) : start])
    if len(words) <= 2 and is_city(value) and local:
        # "A Bolton man who stole ...", "the Wigan pensioner": a town naming where someone is from.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a town before a person noun")  # fmt: skip
    if len(words) == 1 and is_known_place(strip_possessive(value)) and strip_possessive(value) not in first_names():
        # "Benin and Togo": a country the NER took for a person (not "Jordan", also a given name).
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a country or state")  # fmt: skip
    if (len(words) > 1 and words[0] == "County") or (
        not is_title(words[0])
        and is_county(strip_possessive(value))
        and not _cued_anywhere(text, strip_possessive(value))
    ):
        # "County Mayo", "Devon and Cornwall": an Irish or British county, not a person; "my partner
        # Kerry" is one (a role noun names a person), also where the text names her again.
        return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                       reason=f"{f.reason}; a county")
    if len(words) > 1 and after_the(text, start) and not (
        is_title(words[0]) or words[0] in first_names()
    ):
        return None  # "outside the Red Lion", "at the Golden Fleece": a pub's or a building's name, not a person
    # "Ms. Cook", "Mr Baker": after an honorific a surname, whatever else it means ("Deputy Head" is a job).
    titled = bool(words) and words[0].rstrip(".") in _HONORIFICS
    while words and is_title(words[0]):
        words.pop(0)
    if not words:
        return None
    rest = strip_possessive(" ".join(words))
    first = strip_possessive(words[0]).lower()
    # The last word too, as written: "positive urine hCG" is a test.
    if rest.lower() in not_names() or first in _never_person() or words[-1] in lexicon()["not_a_person"]:
        return None
    if len(tokens) > 1 and term_matcher("privacy").is_whole_term(tokens):
        return None  # "his Universal Credit claim": an attribute the SemSI recognizer reports, not a name
    if any(strip_possessive(w).lower() in org_words() for w in words):
        return None  # "Haverly Property Group", "Résidence Les Tilleuls": organisations and buildings
    if len(words) > 1 and is_job_title(strip_possessive(words[-1])):
        return None  # "Warehouse Operative", "Senior Analyst": a job, not a person
    if value.islower() and not mostly_lower_case(text):
        return None  # "at his nan's", "orthopaedic surgeon": common nouns, in a text that capitalises names
    if value.islower() and not is_given_name(words[0].capitalize()):
        return None  # "hi doc, quick q.": in a lower-case text only a known given name opens a name
    if len(words) == 1:
        if tokens and tokens[0].i >= 2 and tokens[0].doc[tokens[0].i - 1].text == "," and (
            tokens[0].doc[tokens[0].i - 2].ent_type_ == "ORG"
        ) and rest not in first_names():
            # "at work (Tesco, Lewisham)": the branch's town after the firm, not a person.
            return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="LOCATION",
                           reason=f"{f.reason}; a firm's branch town")  # fmt: skip
        if _workplace(tokens):
            # The possessive is part of the place's name: "at Guy's", "at Sainsbury's".
            end += len(m.group()) if (m := re.match(r"['’]s\b", text[end:])) else 0
            return replace(f, start=start + offset, end=end + offset, text=text[start:end], label="ORGANIZATION",
                           reason=f"{f.reason}; a workplace, not a person")
        if is_job_title(rest) and rest not in first_names() and not titled:
            return None  # "Role: Senior Accountant": a job, not a surname
        title_after = re.match(r"[ \t]+([A-Z][a-z]+)\b", text[end : end + 30])
        if title_after and is_job_title(title_after.group(1)) and rest not in first_names():
            return None  # "Disability Adviser", "Finance Manager": the word names the job
        if text[end : end + 1] == ":" and is_known_header(rest) and rest not in first_names():
            return None  # "Address: 5 Rookery Lane": a form's field label
        if text[end : end + 1] == ":" and _COLUMN_START.search(text, 0, start) and rest not in first_names():
            return None  # "PCN number: …   Vehicle: Ford Fiesta": the next column's label
        if _FIELD_LABEL_TAIL.match(text, end) and _LINE_START.search(text, 0, start) and rest not in first_names():
            return None  # "Meeting date: 14 Oct", "Review notes:": a label opening its line
        if _common_noun_slot(text, start, rest):
            return None  # "ein widerlicher Typ": a determiner and adjectives before a capitalised noun
        if rest.isupper() and len(rest) > 1 and not INITIALS.fullmatch(rest):
            return None  # "COVID", "ER": acronyms (not initials: "R.K.")
        if tokens and tokens[0].is_sent_start and is_common_word(rest, text):
            return None
        if tokens and _imperative(tokens[0]) and rest not in first_names():
            return None  # an instruction's verb the NER took for a name: "Bake for 25 minutes until golden."
        if is_common_word(rest, ""):  # pronouns and other stop words ("I")
            return None
    if (start, end) == (f.start - offset, f.end - offset):
        return f
    return replace(f, start=start + offset, end=end + offset, text=text[start:end])


# The rest of a field label after its first word, and the start of a line before it.
# "A Bolton man", "the Wigan pensioner": a town between an article and a noun for a person.
_AN_ARTICLE = re.compile(r"(?<![\w'’-])(?:an?|the)[ \t]+\Z", re.I)
_LOCAL_PERSON = re.compile(
    r"[ \t]+(?:(?:[a-z]+-)?(?:man|woman|men|women|boy|girl|teenager|teen|couple|family|mum|mother|dad|father|"
    r"pensioner|grandmother|grandfather|gran|resident|residents|student|driver|motorist|landlord|businessman|"
    r"businesswoman|nurse|teacher|shopkeeper|councillor|youth|schoolboy|schoolgirl|toddler|baby|widow|widower))\b"
)
_FIELD_LABEL_TAIL = re.compile(r"[ \t]+[a-z]+(?:[ \t]+[a-z]+)?[ \t]*:")
_LINE_START = re.compile(r"(?:^|\n)[ \t>*•·-]*$")
_SERVICE_AFTER = re.compile(
    r"['’]s?\s+(?:Services?|Hospital|Hospice|Trust|Society|Centre|Center|Charity|Fund|Home|Unit|Ward|Clinic|Team)"
    r"(?![\w'’-])"
)
_COLUMN_START = re.compile(r"(?:^|\n|[ \t]{2,}|\t)[ \t]*$")


# "Stockton-on-Tees", "Newcastle upon Tyne", "Southend-on-Sea": the town's name goes on after the NER's span.
_TOWN_TAIL = re.compile(
    r"(?:-(?:on|upon|under|le|in|by|en|sur|am)-|[ \t]+(?:upon|on)[ \t]+)[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
)


_POSTAL_DISTRICT = re.compile(r"[ \t]+\d{1,2}[wW]?(?![\w-])(?![ \t]*(?:am|pm|a\.m|p\.m|%|years?|days?|and)\b)")


def _clean_location(f: Finding, text: str, offset: int, doc: Doc, starts: list[int]) -> Finding | None:
    start = f.start - offset
    tail = _TOWN_TAIL.match(text, f.end - offset)
    if tail and is_city(text[start : tail.end()]):
        f = replace(f, end=tail.end() + offset, text=text[start : tail.end()])
    elif tail := re.match(r"[ \t]+(?:Town|City|Village)(?![\w'’-])", text[f.end - offset :]):
        # "Braunstone Town", "Salt Lake City": the word is part of the place's name.
        stop = f.end - offset + tail.end()
        f = replace(f, end=stop + offset, text=text[start:stop])
    district = _POSTAL_DISTRICT.match(text, f.end - offset) if f.text in ("Dublin", "Paris", "Lyon") else None
    if district:  # "Griffith Avenue, Dublin 9": the district number is part of the address
        f = replace(f, end=district.end() + offset, text=text[start : district.end()])
    quote = re.search(r"[\"“”]", f.text)
    if quote:  # 'condition,"on': the NER ran across a table's cells
        piece = f.text[: quote.start()].rstrip(" ,;")
        if not re.search(r"[A-Z]", piece):
            return None
        f = replace(f, end=f.start + len(piece), text=piece)
    value = strip_possessive(f.text.strip())
    words = value.split()
    if re.fullmatch(r"[A-Z]{2,3}", value) and re.match(r"[ \t]*:", text[f.end - offset :]):
        return None  # "NI: QQ 12 34 56 C": a form's label, not Northern Ireland
    if re.fullmatch(r"(?:[a-z]\.){2,3}", value):
        return None  # "£23,400 p.a.": an abbreviation in lower case, no place
    if len(words) == 1 and _after_a_naming_verb(text, start) and not is_known_place(value) and not is_city(value):
        return None  # "a rescue greyhound called Pixie": a name, not a place
    if re.match(r"[ \t]+(?:jackets?|coats?|hoodies?|fleeces?|trainers|shoes|boots|bags?|backpacks?|rucksacks?|caps?|"
                r"hats?|t-shirts?|tops?|jeans|trousers|tracksuits?|gilets?|puffers?)\b", text[f.end - offset :]):
        return None  # "a black North Face jacket": a brand the person wears, not a place
    field = _FIELD_LABEL.search(text, max(0, start - 40), start)
    if field and header_label(field.group(1)) == ("pii", "ORGANIZATION"):
        # "Employer: Bicester Village (Retail Supervisor)": the field names a firm, whatever its words.
        rest = _NAME_RUN.match(text, f.end - offset)
        stop = rest.end() if rest else f.end - offset
        return replace(f, end=stop + offset, text=text[start:stop], label="ORGANIZATION",
                       reason=f"{f.reason}; an employer's field")  # fmt: skip
    if value.isupper() and len(value) > 3 and not (is_city(value.title()) or is_known_place(value)):
        return None  # "OBITUARY", "WITNESS STATEMENT": a heading in capitals, no place
    if words and words[0] in DEDICATIONS and len(words) > 1 and not is_city(value):
        # "St. Bede's C of E Primary School": a school or a church named after a saint, with the rest
        # of its name after it, is one place ("A facility C of E a school" otherwise), read by its
        # kind ("a school"); a saint's name alone is an organisation ("admitted to St Luke's").
        rest = _NAME_RUN.match(text, f.end - offset)
        if rest and any(w.lower() in org_words() for w in rest.group().split()):
            stop = rest.end()
            why = f"{f.reason}; a place named after a saint"
            return replace(f, end=stop + offset, text=text[start:stop], reason=why)
        return replace(f, label="ORGANIZATION", reason=f"{f.reason}; a place named after a saint")
    if (
        " " not in value and value in first_names() and not is_city(value) and not is_known_place(value)
        and not is_county(value) and value.lower() not in _never_person()
        and not place_preposition_before(text, start, value)
    ):  # fmt: skip
        # "mother of Siobhan and Declan": a given name no gazetteer knows as a place is a person.
        return replace(f, label="PERSON", severity=2, reason=f"{f.reason}; a given name, not a known place")
    if (
        len(words) == 2 and words[0] in first_names() and re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", words[1])
        and words[1] not in _PLACE_NOUNS and not is_city(value) and not is_known_place(value)
        and not is_known_place(words[0]) and not place_preposition_before(text, start, value)
    ):  # fmt: skip
        # "Her cover is Tunde Adeyemi": a listed given name and a surname no gazetteer knows.
        return replace(f, label="PERSON", severity=2, reason=f"{f.reason}; a given name and a surname")
    if (
        len(words) == 1 and re.fullmatch(r"[A-Z][a-z]+", value) and _PRONOUN_NEXT.match(text, f.end - offset)
        and not is_city(value) and not is_known_place(value) and not is_county(value)
        and not place_preposition_before(text, start, value) and not _AT_A_PLACE.search(text, max(0, start - 12), start)
    ):  # fmt: skip
        # "a quick note about Tayo. He's been really tired": a name no gazetteer knows, then "he" (not
        # "applying for jobs at Monzo. She was ...").
        return replace(f, label="PERSON", severity=2, reason=f"{f.reason}; 'he' or 'she' follows, not a place")
    if len(words) == 1:
        first = max(bisect_right(starts, start) - 1, 0)
        if not is_known_place(value) and _workplace(list(doc[first : first + 1]), place=True):
            return replace(f, label="ORGANIZATION", reason=f"{f.reason}; a workplace, not a place")
    if value.lower() in _never_person() or value in not_a_location():
        return None
    if CLUB_BEFORE.search(text, max(0, start - 12), start):
        return None  # "FC Barcelona", "Real Madrid": a club's name, kept whole
    if any(greeting == value or greeting.startswith(value + " ") for greeting in lexicon()["salutations"]):
        return None  # "Sehr geehrte Frau Schneider": a greeting the NER took for a place
    if value in _credentials() and text[:start].rstrip().endswith(","):
        return None
    if _title_before().search(text, max(0, start - 25), start):
        return replace(f, label="PERSON", severity=2, reason=f"{f.reason}; after a person title")
    part = _PART_OF_A_PLACE.search(text, max(0, start - 30), start)
    if part is not None and not is_known_place(value):
        # "in east London" is one place: replaced whole, not "in east a city" (a country or a
        # state is kept, and so is its part: "northern Italy").
        begin = part.start() + offset
        return replace(f, start=begin, text=text[part.start() : f.end - offset])
    return f


# The second word of a place that opens with a given name ("Alice Springs", "Victoria Falls").
_PLACE_NOUNS = frozenset({
    "Springs", "Falls", "Bay", "Island", "Islands", "Park", "Hills", "Hill", "Beach", "Heights", "Valley", "Lake",
    "City", "Town", "Point", "Harbour", "Harbor", "Creek", "River", "Mountain", "Mount", "Bridge", "Cross", "Green",
    "Vale", "Wood", "Woods", "Fields", "Junction", "Port", "Sound", "Coast", "Ridge", "Forest", "Square", "Station",
})  # fmt: skip


# The gap after a preposition may be a hard wrap ("moved in with his sister in\nKettering").
_GAP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"
# With the prepositions of place of the languages a mixed message borrows ("vivo en Valencia").
_PLACE_PREPOSITION = re.compile(
    rf"(?<![\w'’-])(?:from|in|near|outside|around|across|via|towards?|en|em|à|dans|nach|aus|desde){_GAP}$", re.I
)
_AT_A_PLACE = re.compile(r"(?<![\w'’-])(?:at|in|from|for|near|to|into|outside|inside|via|across|of)[ \t]+$", re.I)
_PRONOUN_NEXT = re.compile(r"(?:[ \t]*[.!,][ \t]+|[ \t]+)(?:[Hh]e|[Ss]he)(?:['’]s)?(?![\w'’-])")
_AFTER_A_STREET = re.compile(rf"{street_type_pattern(ambiguous=True)},[ \t]*$")
# A field's label opening the line before a value ("Employer: ").
_FIELD_LABEL = re.compile(r"(?:^|\n)[ \t]*([^\W\d_][\w .'’-]{0,30}?)[ \t]*:[ \t]*$")
# The rest of an organisation's name on its line: capitalised words, "of", "C of E", "&".
_NAME_RUN = re.compile(r"(?:[ \t]+(?:[A-Z][\w'’.-]*|of|and|&))+")
_HYPHENATED_TOWN = re.compile(r"-(?:on|upon|by|under|in|le|en|sur|super|next|the)-[A-Z][\w'’]*(?:-[A-Z][\w'’]*)?")
# The same across a hard wrap, and the kinds of place a person's name often opens.
_NAME_RUN_WRAPPED = re.compile(r"(?:(?: |[ \t]*\n[ \t]*)(?:[A-Z][\w'’-]*|of|and|&))+")  # not across a column gap
_INSTITUTION_KINDS = frozenset({
    "Hospital", "Infirmary", "Hospice", "School", "College", "University", "Academy", "Clinic", "Institute",
    "Library", "Museum", "Stadium", "Airport", "Cathedral", "Mosque", "Synagogue",
})  # fmt: skip
_MOVED_TO = re.compile(
    r"(?<![\w'’-])(?:moved|move|moving|relocated|relocating|emigrated|emigrating|flew|drove|travelled|traveled|"
    rf"commute[sd]?|commuting)[ \t]+(?:back[ \t]+)?to{_GAP}$",
    re.I,
)
# "the Diocese of Chelmsford", "the Bishop of Leicester": a see, a university or an office named for its town.
_BODY_OF = re.compile(
    r"(?<![\w'’-])(?-i:Diocese|Archdiocese|Bishop|Archbishop|Archdeacon|Dean|University|Mayor|Lord Mayor|City|Port|"
    r"Borough|Duke|Duchess|Earl|Countess|Marquess|Viscount|Baron|Baroness)[ \t]+of[ \t]+$"
)
_STRONG_PLACE_PREPOSITION = re.compile(rf"(?<![\w'’-])(?:in|near|outside|around|across|en|em|dans){_GAP}$", re.I)


def _cued_anywhere(text: str, value: str) -> bool:
    """Whether a role noun or a name cue comes right before some occurrence of `value` in `text`."""
    return any(cued_at(text, m.start()) for m in bounded_word(value).finditer(text))


def place_preposition_before(text: str, start: int, value: str) -> bool:
    """A town is a place after "from", "in", "near" …; a town that is also a given name ("Florence",
    "Austin") only after "in", "near", "outside" ("a letter from Florence" may be hers)."""
    before = text[max(0, start - 20) : start]
    if re.search(rf"(?<![\w'’-])[A-Z][a-z]+[ \t]+{re.escape(value)}(?![\w'’-])", text):
        return False  # "Barack Obama" elsewhere: Obama is his surname here too (and a town in Japan)
    if _AFTER_A_STREET.search(before) or re.search(r",[ \t]*of[ \t]+$", before):
        return True  # "on Ellison Street, Jarrow"; "Liam Kearney, 24, of Failsworth"
    if _BODY_OF.search(before):
        return True
    if _MOVED_TO.search(text[max(0, start - 30) : start]):
        return True  # "just moved to Camden from Belfast": a move goes to a place
    if value.split()[0] in first_names():
        return bool(_STRONG_PLACE_PREPOSITION.search(before))
    # "- Sandra & Mike, Wigan": a town that is no given name, after a comma, ending the line.
    line_end = re.match(r"[ \t.!]*(?:\n|$)", text[start + len(value) :])
    return bool(_PLACE_PREPOSITION.search(before) or (re.search(r",[ \t]*$", before) and line_end))


_HONORIFICS = frozenset({"Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "Sir", "Dame"})
_FEAST_DAY = re.compile(r"[ \t]+(?:Day|Eve|Night)(?![\w'’-])")


def clean_person_findings(findings: list[Finding], doc: Doc, offset: int = 0) -> list[Finding]:
    out = []
    if not findings:
        return []
    text = doc_text(doc)
    starts: list[int] = doc.to_array("IDX").tolist()
    for f in findings:
        if f.category == "pii" and _FEAST_DAY.match(text, f.end - offset) and f.text.split()[0] in DEDICATIONS:
            continue  # "St Patrick's Day", "St Valentine's Day": a date, named by its saint
        if f.category == "pii" and f.label == "PERSON":
            kept = _clean_person(f, doc, text, offset, starts)
        elif f.category == "pii" and f.label == "LOCATION":
            kept = _clean_location(f, text, offset, doc, starts)
        else:
            kept = f
        if kept is not None:
            out.append(kept)
    return out
