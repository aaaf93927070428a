"""A known given name is a person even where spaCy's small model says otherwise: it tags a lone first
name as a nationality ("Maria's HIV diagnosis": NORP) or a place ("move the account to Priya": LOC),
or leaves it untagged, and a record then leaks the one name it has.

The names are `data/lexicons/first_names.txt` (built by scripts/build_first_names.py: given names
that are rarely lower-case words, minus big cities). A token counts when the parse calls it a proper
noun, it is not part of a multi-word entity or an organisation (unless it takes a role only a person
takes: "tell Zofia"), not a known country or state
("Jordan", "Georgia"), not a lexicon term ("Christian"), and the text never writes it in lower case.
The name runs on over a following surname ("Priya Raman").
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from semsiedit.detection.lexicon import LEXICON_DIR, term_matcher
from semsiedit.detection.names import BUILDINGS, DEDICATIONS, is_common_word, lexicon, org_words, person, scan_name
from semsiedit.places import after_a_site, is_city, is_known_place
from semsiedit.spacy_components import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from semsiedit.types import Finding

SOURCE = "semsi-first-name"


# Entity types a given name may carry by the small model's mistake; anything else is another thing
# named after a person ("Ford", "Wendy's", "Morgan Stanley").
_MISTAGGED = frozenset({"", "PERSON", "NORP", "GPE", "LOC"})
_HYPHENS = frozenset({"-", "\u2010", "\u2011"})


@cache
def first_names() -> frozenset[str]:
    lines = (LEXICON_DIR / "first_names.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_given_name(word: str) -> bool:
    """A listed given name, or one the `nicknames` table gives short forms for: the list leaves out
    names that are also big cities ("Elizabeth", "Florence"), which a strong cue may still accept."""
    return word in first_names() or bool(nick_namer().nicknames_of(word.casefold()))


@cache
def nick_namer() -> Any:
    """The `nicknames` package's table of English given names and their short forms (one per process)."""
    from nicknames import NickNamer

    return NickNamer()


@cache
def brand_names() -> frozenset[str]:
    """Given names that are also brands the NER rightly tags as organisations ("Ford said")."""
    return frozenset(lexicon()["brand_names"])


@cache
def _person_verbs() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in lexicon()["person_verbs"].items()}


def _a_person_by_role(tok: Token) -> bool:
    """A lone name the NER took for an organisation, in a role only a person takes: "Marcus thinks",
    "tell Zofia", "send the results to Zofia" (companies also announce and get things sent; the brands
    that are given names are left out: `brand_names`). Or one shouted, swore or laughed at."""
    verbs = _person_verbs()
    head = tok.head
    if tok.dep_ == "nsubj":
        return head.lemma_.lower() in verbs["subject"]
    if tok.dep_ in ("dobj", "dative"):
        return head.lemma_.lower() in verbs["object"]
    if tok.dep_ == "pobj" and head.lower_ in ("to", "with"):
        return head.head.lemma_.lower() in verbs["to_with"]
    if tok.dep_ == "pobj" and head.lower_ == "at":  # "screamed at Leah", "lashed out at Priya"
        verb = head.head if head.head.lower_ != "out" else head.head.head
        return verb.lemma_.lower() in verbs["at"]
    return False


def _full_name_org(tok: Token, nxt: Token | None) -> bool:
    """"Tiffany Moore wrote me up": a two-word organisation that is a given name and a surname (no
    organisation word) in a role only a person takes."""
    if nxt is None or tok.ent_iob_ != "B" or nxt.ent_iob_ != "I" or nxt.pos_ != "PROPN":
        return False
    doc, last = tok.doc, nxt
    while last.i + 2 < len(doc) and doc[last.i + 1].text == "-" and not last.whitespace_ and doc[last.i + 2].is_title:
        last = doc[last.i + 2]  # a double-barrelled surname is one word: "Amara Osei-Bonsu"
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    # "Nadia Hussain of Bindmans LLP": a person and her firm the NER took for one organisation.
    of_a_firm = after is not None and after.lower_ == "of" and after.ent_iob_ == "I"
    if after is not None and after.ent_iob_ == "I" and not of_a_firm:
        return False
    # "Amara Osei-Bonsu, who read …": only a person is a "who"; only a person has a date of birth or an
    # SSN in brackets after the name ("Marcus Delgado (SSN 512-44-8821)").
    rest = doc.text[last.idx + len(last.text) :]
    who = re.match(r",?[ \t]*who\b", rest) or _PERSONAL_NUMBER_AFTER.match(rest)
    return nxt.lower_ not in org_words() and (
        of_a_firm
        or bool(who)
        or _a_person_by_role(nxt)
        or _introduced_as_a_person(tok, nxt)
        or _a_line_of_its_own(tok, nxt)
        or _set_off(tok)
    )


_PERSONAL_NUMBER_AFTER = re.compile(
    r"[ \t]*\((?:SSN|DOB|D\.O\.B\.?|date of birth|born|NHS(?: no\.?| number)?|MRN|NI(?: no\.?| number)?|"
    r"NINO|aged?)\b", re.IGNORECASE
)


_HE_OR_SHE = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})


def _she_or_he_next(tok: Token) -> bool:
    """A lone given name the NER took for an organisation, the subject of its clause or a possessor,
    that the next words refer to as a person ("Zofia has settled into Year 3. She is making friends",
    "Yusuf's attendance has dropped ... He told his tutor")."""
    if tok.ent_iob_ != "B" or (tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].ent_iob_ == "I"):
        return False
    if tok.dep_ in ("pobj", "dobj") and tok.i + 2 < len(tok.doc):
        # A name that closes its sentence, the next one about a he or she: "has anyone heard from
        # Callum? he's been off since Tuesday".
        closes, nxt = tok.doc[tok.i + 1], tok.doc[tok.i + 2]
        return closes.text in (".", "?", "!") and nxt.lower_ in _HE_OR_SHE
    if tok.dep_ not in ("nsubj", "nsubjpass", "poss"):
        return False
    window = tok.doc[tok.i + 1 : tok.i + 25]
    return any(t.lower_ in _HE_OR_SHE for t in window)


def _a_place_word(word: str) -> bool:
    """A word that makes a two-word name a building or a place ("Holly Lodge", "Ashton Park")."""
    return word in BUILDINGS or word.lower() in _PLACE_WORDS or is_known_place(word)


_PLACE_WORDS = frozenset({
    "hall", "park", "arena", "bridge", "street", "road", "lane", "avenue", "close", "way", "green", "square", "gardens",
    "court", "place", "row", "hill", "field", "fields", "wood", "farm",
})  # fmt: skip


def _set_off(tok: Token) -> bool:
    """A name opening a bracket or following a field's separator ("(Kev Doherty I think)", "Grievance -
    Marcus Ellery"): where a record names who it is about."""
    before = tok.doc[tok.i - 1] if tok.i > 0 else None
    return before is not None and (before.text == "(" or (before.text in ("-", "–", "—") and bool(before.whitespace_)))


def _a_line_of_its_own(first: Token, last: Token) -> bool:
    """A given name and surname that fill a line ("Olamide Bakare" heading a reference or a form)
    of a text about a he or a she: a name written as a field or a heading ("Morgan Stanley" heading
    a market report, with no one's pronoun in it, stays a firm)."""
    doc = first.doc
    before = doc[first.i - 1] if first.i > 0 else None
    after = doc[last.i + 1] if last.i + 1 < len(doc) else None
    own_line = all(t is None or (t.is_space and "\n" in t.text) for t in (before, after))
    return own_line and any(t.lower_ in _GENDERED_PRONOUNS for t in doc)


_GENDERED_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers"})


_AGE_AFTER = re.compile(r",[ \t]*\d{1,3}[ \t]*,")
_NAMED_BEFORE = re.compile(r"(?<![\w'’-])(?:to be|named|called|known as|identified as)[ \t]+$", re.I)


def _introduced_as_a_person(tok: Token, last: Token) -> bool:
    """"a man I now know to be Liam Kearney, 24, of …": an age after the name, or a naming verb
    before it, says a given name and surname the NER took for a firm is a person."""
    text = doc_text(tok.doc)
    return bool(_AGE_AFTER.match(text, last.idx + len(last.text))) or bool(
        _NAMED_BEFORE.search(text, max(0, tok.idx - 20), tok.idx)
    )


def _after_a_label(tok: Token, nxt: Token | None) -> bool:
    """A lone given name the NER took for an organisation right after a label's colon ("Cover: Amira
    until 30/9"): a field's value, and a given name there is a person."""
    alone = tok.ent_iob_ == "B" and (nxt is None or nxt.ent_iob_ != "I")
    return alone and tok.i > 0 and tok.doc[tok.i - 1].text == ":"


# What follows a person's "'s" when it is "is" or "has": "Callum's off again today", "Priya's been told".
_AFTER_CONTRACTED = frozenset({
    "off", "out", "away", "back", "sick", "ill", "not", "been", "got", "leaving", "left", "going", "gone",
    "late", "working", "coming", "still", "just", "already", "now", "on", "in",
})


def _is_contracted(tok: Token, nxt: Token | None) -> bool:
    """A lone given name the NER took for an organisation, before "'s" for "is" or "has"."""
    doc = tok.doc
    after = doc[nxt.i + 1] if nxt is not None and nxt.i + 1 < len(doc) else None
    if nxt is None or after is None:
        return False  # the name ends the text
    alone = tok.ent_iob_ == "B" and nxt.ent_iob_ != "I"
    return alone and nxt.text in ("'s", "’s") and after.lower_ in _AFTER_CONTRACTED


def _candidate(tok: Token, text: str) -> bool:
    if tok.text not in first_names() or tok.text in brand_names():
        return False
    doc = tok.doc
    if tok.i > 0 and doc[tok.i - 1].text.rstrip(".") in DEDICATIONS:
        return False  # "St Aidan's Vicarage", "Holy Trinity": a saint's name on a building
    if tok.ent_type_ in ("NORP", "LANGUAGE", "GPE") and tok.text in nationality_given_names():
        return False  # "Languages: English, Irish, French": a language, not Ms French
    if tok.ent_type_ in ("GPE", "LOC") and is_city(tok.text) and after_a_site(text, tok.idx):
        return False  # "Dr Helen Marsh, Riverside Surgery, Kendal": the town of the practice, not a Kendal
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    # The tagger knows few names from outside Europe: "Raj will cover" came out an adverb. A listed
    # name right before a verb is its subject whatever the tag.
    lone = tok.ent_iob_ != "I" and (nxt is None or nxt.ent_iob_ != "I")
    # A signature after a spaced dash that ends the text or its line ("... a warning. — Ffion").
    signed = _set_off(tok) and (nxt is None or nxt.is_space) and not tok.ent_type_
    if tok.pos_ != "PROPN" and not signed and not (
        nxt is not None and nxt.pos_ in ("AUX", "VERB") and (not tok.ent_type_ or (tok.ent_type_ == "FAC" and lone))
    ):
        return False
    if tok.ent_type_ in ("ORG", "WORK_OF_ART", "PRODUCT") and _full_name_org(tok, nxt):
        return not is_common_word(tok.text, text)  # "recommend Tomasz Wróbel" tagged a work of art
    if tok.ent_type_ == "FAC" and _full_name_org(tok, nxt) and _set_off(tok) and not _a_place_word(nxt.text):
        return not is_common_word(tok.text, text)  # "Exit interview notes — Chloe Ramsbottom" tagged a facility
    # A lone given name alone in brackets is who a role is, whatever the tag ("Agent (Shannon):").
    bracketed = _set_off(tok) and nxt is not None and nxt.text.startswith(")")
    # A name with an age after it in brackets: "contact with Archie (7) and Freya (4)".
    bracketed = bracketed or bool(re.match(r"[ \t]*\((?:aged? )?\d{1,2}\)", text[tok.idx + len(tok.text) :]))
    if tok.ent_type_ not in _MISTAGGED and not (
        tok.ent_type_ in ("ORG", "FAC")
        and (_a_person_by_role(tok) or _after_a_label(tok, nxt) or _is_contracted(tok, nxt) or _she_or_he_next(tok))
    ) and not (tok.ent_type_ in ("ORG", "FAC") and bracketed):
        return False
    if tok.ent_type_ == "PERSON":
        # The NER's own finding, unless it stopped at the given name ("Michael" of "Michael Parkinson").
        return tok.ent_iob_ == "B" and nxt is not None and nxt.ent_iob_ != "I" and nxt.pos_ == "PROPN" and (
            tok.whitespace_ == " " and nxt.text[:1].isupper()
        )
    if tok.ent_iob_ == "I" or (tok.ent_iob_ == "B" and nxt is not None and nxt.ent_iob_ == "I"):
        return False  # a word of a longer place or group ("Jordan Valley")
    if (nxt is not None and not tok.whitespace_ and nxt.text in _HYPHENS) or (
        tok.i > 0 and not doc[tok.i - 1].whitespace_ and doc[tok.i - 1].text in _HYPHENS
    ):
        return False  # part of a hyphenated name: "Mar-a-Lago", "Dodd-Frank"
    if is_known_place(tok.text) or is_common_word(tok.text, text):
        return False
    return not any(term_matcher(lex).is_single_term(tok) for lex in ("privacy", "harmful"))


@cache
def nationality_given_names() -> frozenset[str]:
    return frozenset(lexicon()["nationality_given_names"])


@cache
def word_given_names() -> frozenset[str]:
    return frozenset(lexicon()["word_given_names"])


def _word_name_and_surname(tok: Token, text: str) -> bool:
    """A given name that is also a word ("Ruby", "Grace", "Will"), left untagged or taken for a firm,
    before a surname no list calls a word, a firm or a place, in a text about a he or a she: "Year 9
    report for Ruby Fenwick: Ruby has ... She". Alone it stays a word ("Hope is fading")."""
    doc = tok.doc
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if tok.text not in word_given_names() or nxt is None or tok.whitespace_ != " " or tok.pos_ != "PROPN":
        return False
    if nxt.pos_ != "PROPN" or not re.fullmatch(r"[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?", nxt.text):
        return False
    after = doc[nxt.i + 1] if nxt.i + 1 < len(doc) else None
    longer = after is not None and after.ent_iob_ == "I"
    if tok.ent_type_ not in ("", "PERSON", "ORG") or tok.ent_iob_ == "I" or longer:
        return False  # a longer name of something ("Rose Bowl Stadium"), or a date ("June Smith" is rare)
    before = doc[tok.i - 1] if tok.i > 0 else None
    if before is not None and (before.text.rstrip(".") in DEDICATIONS or before.pos_ == "DET" or (
        before.text in _HYPHENS and not before.whitespace_
    )):  # fmt: skip
        return False  # "St Hope's", "the Rose Bowl", "Dodd-Frank Wall Street": a name of a thing
    surname = nxt.text
    if is_common_word(surname, text) or surname.lower() in org_words() or _a_place_word(surname) or is_city(surname):
        return False
    # The NER took the surname alone for a person ("Amber Myers was born in ..."): the word before it is
    # the given name, whether or not a he or a she follows.
    return nxt.ent_type_ == "PERSON" or any(t.lower_ in _GENDERED_PRONOUNS for t in doc)


def _signs_off(tok: Token) -> bool:
    """A given name that is also a word, after a spaced dash that closes the message: "... anytime.
    Your sponsor said you missed Tuesday's meeting. - Rich". Anywhere else it stays a word."""
    if tok.text not in word_given_names() or not _set_off(tok) or tok.ent_type_ or tok.i < 2:
        return False
    closes = all(t.is_space or t.text in (".", "!", "x", "xx") for t in tok.doc[tok.i + 1 :])
    before_dash = tok.doc[tok.i - 2]
    return closes and (before_dash.is_space or before_dash.text in (".", "!", "?"))


def find_first_names(doc: Doc, offset: int = 0) -> list[Finding]:
    out: list[Finding] = []
    text = doc_text(doc)
    end = -1
    for tok in doc:
        if tok.idx < end or not (_candidate(tok, text) or _word_name_and_surname(tok, text) or _signs_off(tok)):
            continue
        name = scan_name(text, tok.idx, allow_title=False)
        if name is None:
            continue
        end = name.end
        f = person(text, name.start, name.end, SOURCE, "a known given name", 0.8)
        f.start, f.end = f.start + offset, f.end + offset
        out.append(f)
    extra = _double_given_names(text) + _couple_signatures(text)
    return out + [replace(f, start=f.start + offset, end=f.end + offset) for f in extra]


# "Tyler-James Brennan", "Mary-Kate Olsen": a double-barrelled given name before a surname. One half
# is enough when a surname follows ("Tyler" is left off the list as a city's name).
# Not when more capitalised words follow: "the Dodd-Frank Wall Street Reform Act" is a law's name.
_DOUBLE_NAME = re.compile(
    r"(?<![\w'’-])([A-Z][a-z]+)-([A-Z][a-z]+)[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?![\w'’-])(?![ \t]+[A-Z][a-z])"
)


def _double_given_names(text: str) -> list[Finding]:
    out = []
    for m in _DOUBLE_NAME.finditer(text):
        first, second, surname = m.groups()
        place = f"{first}-{second}"
        if not (is_given_name(first) or is_given_name(second)) or is_known_place(place) or is_city(place):
            continue
        if surname.lower() in org_words() or is_common_word(surname, text) or is_known_place(surname):
            continue  # "Rolls-Royce Holdings", "Coca-Cola Company"
        out.append(person(text, m.start(), m.end(), SOURCE, "a double-barrelled given name and a surname", 0.8))
    for m in _DOUBLE_NAME_ALONE.finditer(text):
        # "Ellie-Mae has a Child in Need plan": both halves given names, one of them listed (the list
        # leaves out word-like names such as "Rose"); the NER took it for an organisation.
        first, second = m.groups()
        if not (is_given_name(first) and is_given_name(second)) or not {first, second} & first_names():
            continue
        if is_known_place(m.group()) or is_city(m.group()) or second.lower() in org_words():
            continue
        out.append(person(text, m.start(), m.end(), SOURCE, "a double-barrelled given name", 0.8))
    return out


# "... Every penny helps. — Tom & Ellie Marsh": a couple signing a message after a spaced dash at its end.
_COUPLE_SIGNATURE = re.compile(
    r"(?:^|[.!?)][ \t]+|\n[ \t]*)[-–—~][ \t]*([A-Z][a-z]+)[ \t]*(?:&|and|\+)[ \t]*([A-Z][a-z]+)"
    r"(?:[ \t]+([A-Z][a-z]+(?:-[A-Z][a-z]+)?))?[ \t.!x]*\Z"
)


def _couple_signatures(text: str) -> list[Finding]:
    m = _COUPLE_SIGNATURE.search(text)
    if m is None or not all(is_given_name(g) or g in first_names() for g in m.group(1, 2)):
        return []
    second_end = m.end(3) if m.group(3) else m.end(2)
    reason = "a couple's given names signing the message"
    return [person(text, m.start(1), m.end(1), SOURCE, reason, 0.8),
            person(text, m.start(2), second_end, SOURCE, reason, 0.8)]  # fmt: skip


_DOUBLE_NAME_ALONE = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)-([A-Z][a-z]+)(?![\w'’-])(?![ \t]+[A-Z][a-z])")
