"""Shared helpers of the person-name recognizers: the names.json lexicon and a name scanner.

Not a recognizer itself. `scan_name(text, pos)` reads a person-name-shaped run of words starting at
`pos` on one line: capitalised words (any script: "Åsa", "Ñúñez", "Mendoza-Reyes", "O'Neil"),
initials ("T."), particles between them ("van", "de la"), an optional leading title ("Dr.", "Mr").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.span_index import SpanIndex
from semsiedit.types import Finding

# A word: letters, with inner apostrophes/hyphens between letters, and an optional trailing full stop.
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*\.?")
_LOWER = re.compile(r"(?<![\w'’@./:-])[^\W\d_][\w'’-]*(?![\w'’@-]|[./:]\w)")
# Names never continue across a line break, nor across a column gap (a tab, or two spaces or more:
# "Member: Dolores Ramirez   Medicare ID: ...").
_GAP = re.compile(r" (?![ \t])")
_WRAP_GAP = re.compile(r"[ \t]*\r?\n[ \t]*(?=[A-Z])")
CONTAINER_LABELS = ("EMAIL_ADDRESS", "URL", "IP_ADDRESS", "CRYPTO", "IBAN_CODE", "CREDIT_CARD", "MAC_ADDRESS")


# A person's initials ("R.K."): a name, though all capitals (not an acronym) and though the NER may call it
# a place.
INITIALS = re.compile(r"(?:[A-Z]\.){2,3}")
# Words that open the name of a church, school or hospital, never a person's ("St Luke's", "Holy Trinity",
# "the Royal Alex").
DEDICATIONS = frozenset(("St", "St.", "Saint", "Ste", "Ste.", "Holy", "Sacred", "Royal"))
# The last word of a building's name ("Marlowe House", "Beechwood House"), never a person's.
BUILDINGS = frozenset({"House", "Lodge", "Mansions", "Building", "Buildings", "Flats", "Block"})
# Family words that stand before a given name ("Aunty Grace", "Uncle Femi"): kept, not part of the name.
KINSHIP_TITLES = frozenset({
    "Aunty", "Auntie", "Aunt", "Uncle", "Cousin", "Nan", "Nana", "Nanna", "Gran", "Granny", "Grandma", "Grandpa",
    "Grandad", "Granddad", "Nanny", "Grampa", "Gramps",
})  # fmt: skip
# Verbs that open an instruction addressed to a person ("Ask Priya", "Thank Maria"): never part of the name.
ADDRESSING_VERBS = frozenset({
    "ask", "tell", "call", "email", "e-mail", "thank", "contact", "message", "text", "ring", "phone", "meet", "invite",
    "remind", "cc", "ping", "welcome", "congratulate", "congrats", "congratulations", "thanks",
})  # fmt: skip


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return load_lexicon("names")


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    return frozenset(lexicon()["titles"])


@lru_cache(maxsize=1)
def _particles() -> frozenset[str]:
    return frozenset(p.lower() for p in lexicon()["particles"])


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # plain data, no model

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def not_a_location() -> frozenset[str]:
    """Words a NER model takes for places that are departments, agencies or chains ("Payroll", "DBS")."""
    return frozenset(lexicon()["not_a_location"])


@lru_cache(maxsize=1)
def not_names() -> frozenset[str]:
    """Lower-case words and phrases that are never (part of) a person's name on their own."""
    lex = lexicon()
    words = [*lex["not_a_person"], *lex["org_words"], *lex["trade_words"], *lex["credentials"], *lex["field_labels"]]
    return frozenset(w.lower() for w in words)


@lru_cache(maxsize=1)
def generic_modifiers() -> frozenset[str]:
    """Capitalised words that name a kind of service, not a firm ("Social Services", "Legal Services")."""
    return frozenset(lexicon()["generic_modifiers"])


@lru_cache(maxsize=1)
def job_titles() -> frozenset[str]:
    return frozenset(lexicon()["job_titles"])


@lru_cache(maxsize=1)
def vehicle_makes() -> frozenset[str]:
    """Car makes ("Ford", "Vauxhall"): "a silver Ford Focus" is a make and a model, not a person."""
    return frozenset(lexicon()["vehicle_makes"])


# Specialists the list cannot all name: "Neuroradiologist", "Sonographer", "Psychotherapist".
_SPECIALIST = re.compile(r"[A-Z][a-z]{3,}(?:ologist|iatrist|ician|ographer|therapist)")


def is_job_title(word: str) -> bool:
    """A capitalised word that names a job ("Operative", "Consultant", "Neuroradiologist")."""
    return word in job_titles() or _SPECIALIST.fullmatch(word) is not None


@lru_cache(maxsize=1)
def org_words() -> frozenset[str]:
    return frozenset(w.lower() for w in [*lexicon()["org_words"], *lexicon()["trade_words"]])


def strip_possessive(value: str) -> str:
    return re.sub(r"['’]s?$", "", value)


def is_stop_word(word: str) -> bool:
    return word.lower() in _stop_words()


def is_title(word: str) -> bool:
    return word.rstrip(".") in titles()


def after_the(text: str, start: int) -> bool:
    """text[start] follows a lower-case "the": "outside the Red Lion" names a place or a thing, not a person."""
    return bool(re.search(r"(?<![\w'’-])the[ \t]+$", text[max(0, start - 5) : start]))


def is_common_word(word: str, text: str) -> bool:
    """A stop word, a listed non-name, or a word this text also uses in lower case ("Brown" / "brown")."""
    low = strip_possessive(word).lower()
    if low in _stop_words() or low in not_names():
        return True
    return low in lower_case_words(text)


@lru_cache(maxsize=16)
def lower_case_words(text: str) -> frozenset[str]:
    """Words the text writes in lower case, outside e-mail addresses and URLs ("e.marchetti@...")."""
    words = _LOWER.findall(text)
    return frozenset(w for w in words if w == w.lower())


def _capitalised(word: str) -> bool:
    parts = [p for p in re.split(r"['’-]", word.rstrip(".")) if p]
    # "Mendoza-Reyes", "O'Neil", "McDonald", "d'Arcy"-style parts: the last part must be capitalised.
    return bool(parts) and parts[-1][0].isupper() and (word[0].isupper() or len(parts) > 1)


@dataclass
class Name:
    start: int
    end: int
    words: list[str]  # name words without the title, possessive and trailing full stop
    title: str | None


def _wrap_gap(text: str, pos: int) -> re.Match[str] | None:
    """A line break inside hard-wrapped prose before a capital ("your manager, Sandeep\nGill, ..."):
    the name goes on on the next line. Not after a short line (a signature's "Dr Patel\nRiverside Clinic"),
    nor before a label ("Manager: Sophie Adeyemi\nMeeting date: ...")."""
    from semsiedit.text import wrapped_line

    gap = _WRAP_GAP.match(text, pos)
    return gap if gap and wrapped_line(text[:pos], text, gap.end()) else None


def scan_name(text: str, pos: int, allow_title: bool = True, max_words: int = 5) -> Name | None:
    """The person-name-shaped run of words at text[pos], or None."""
    words: list[tuple[str, int, int]] = []  # (word, start, end)
    title: str | None = None
    title_start = pos
    i = pos
    while True:
        m = _WORD.match(text, i)
        if not m:
            break
        w = m.group()
        bare = w.rstrip(".")
        last = False
        if allow_title and title is None and not words and is_title(bare):
            title, title_start = bare, m.start()
        elif len(bare) == 1 and bare.isupper() and w.endswith("."):
            words.append((w, m.start(), m.end()))  # an initial
        elif bare.lower() in _particles() and words:
            words.append((bare, m.start(), m.start() + len(bare)))
        elif _capitalised(strip_possessive(bare)):
            base = strip_possessive(bare)
            words.append((base, m.start(), m.start() + len(base)))
            # A possessive or a sentence's full stop ends the name.
            last = base != bare or w.endswith(".")
        else:
            break
        gap = _GAP.match(text, m.end()) or _wrap_gap(text, m.end())
        if last or not gap or len(words) >= max_words:
            break
        i = gap.end()
    # Trailing particles and initials do not end a name.
    while words and (words[-1][0].lower() in _particles() or len(words[-1][0].rstrip(".")) == 1):
        words.pop()
    caps = [w for w, _, _ in words if len(w.rstrip(".")) > 1 and w.lower() not in _particles()]
    if not caps:
        return None
    upper = [w.isupper() for w in caps]
    if any(upper) and not (all(upper) and len(caps) >= 2):
        return None  # "HR Department", "MD": acronyms, not names (an all-caps "JOHN SMITH" is fine)
    if any(w.lower() in org_words() for w in caps):
        return None
    if len(caps) > 1 and is_job_title(strip_possessive(caps[-1])):
        return None  # "Warehouse Operative": a job, not a name
    if all(w.lower() in not_names() for w in caps):
        return None
    return Name(start=title_start if title else words[0][1], end=words[-1][2], words=caps, title=title)


def person(text: str, start: int, end: int, source: str, reason: str, score: float = 0.85) -> Finding:
    return Finding(
        start=start,
        end=end,
        text=text[start:end],
        category="pii",
        label="PERSON",
        severity=2,
        score=score,
        source=source,
        reason=reason,
    )


def outside_containers(new: list[Finding], existing: list[Finding]) -> list[Finding]:
    """New findings that do not overlap an e-mail, URL or similar structured value already found."""
    containers = SpanIndex(f for f in existing if f.category == "pii" and f.label in CONTAINER_LABELS)
    return [f for f in new if f.label in CONTAINER_LABELS or not containers.overlaps(f.start, f.end)]


# A quoted nickname inside a full name: "Margaret 'Peggy' Doyle", 'Robert "Bob" Hale'. The small model
# stops at the quote, leaving the nickname and surname to identify the person.
# A nickname between given name and surname: 'Robert "Bob" Hale', "Oluwadamilare (Dami) Adeyinka".
_NICK = r"""[ \t]+(?:['"‘“][A-Z][\w'’-]*['"’”]|\([A-Z][\w'’-]*\))[ \t]+"""
_NICK_AFTER = re.compile(rf"{_NICK}[A-Z][\w'’-]+")
_NICK_BEFORE = re.compile(rf"[A-Z][\w'’-]+{_NICK}$")
# A nickname in a matched pair of quotes ('"Gaz" Pennington'; not the "Lyin' Ted" of a quoted phrase).
_QUOTED_NICK = r"""(?:"[A-Z][\w'’-]*"|'[A-Z][\w’-]*'|‘[A-Z][\w'-]*’|“[A-Z][\w'’-]*”)"""
QUOTED_NICK_BEFORE = re.compile(rf"(?:^|(?<=[\s(])){_QUOTED_NICK}[ \t]+$")
QUOTED_NICK_LEAD = re.compile(rf"{_QUOTED_NICK}[ \t]+")
# The whole of such a name, which the editor replaces as one; also a nickname that ends it, as in a
# death notice ('MORRISON, Elizabeth "Betty"').
NICKNAMED = re.compile(
    rf"[A-Z][\w'’.-]*(?:[ \t]+[A-Z][\w'’.-]*)*{_NICK}[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+)*"
    r"|[A-Z][\w'’.-]*,?(?:[ \t]+[A-Z][\w'’.-]*)*[ \t]+(?:['\"‘“][A-Z][\w'’-]*['\"’”]|\([A-Z][\w'’-]*\))"
    rf"|{_QUOTED_NICK}[ \t]+[A-Z][\w'’-]+(?:[ \t]+[A-Z][\w'’-]+)*"  # '"Gaz" Pennington'
)


def with_nickname(text: str, f: Finding) -> Finding:
    """A PERSON finding grown over a quoted nickname and the name on its other side."""
    start, end = f.start, f.end
    after = _NICK_AFTER.match(text, end)
    if after and not is_common_word(after.group().split()[-1], ""):
        end = after.end()
    before = _NICK_BEFORE.search(text, max(0, start - 40), start)
    if before and not is_common_word(before.group().split()[0], ""):
        start = before.start()
    elif (alone := QUOTED_NICK_BEFORE.search(text, max(0, start - 30), start)) and not is_common_word(
        alone.group().strip()[1:-1], ""
    ):
        start = alone.start()  # 'a man I know as "Gaz" Pennington': the nickname is his given name
    if (start, end) == (f.start, f.end):
        return f
    return replace(f, start=start, end=end, text=text[start:end])


# "Mr and Mrs Achterberg", "Dr & Mr Patel": a couple named once, by one surname.
_COUPLE_TITLE = re.compile(r"(?<![\w'’-])(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?[ \t]+(?:and|&)[ \t]+$")


def with_couple_title(text: str, f: Finding) -> Finding:
    """A PERSON finding that names the second of a titled couple ("Mrs Achterberg" after "Mr and "):
    the couple is one mention, replaced whole ("Dear Person XY," not "Dear Mr and Person XY,")."""
    before = _COUPLE_TITLE.search(text, max(0, f.start - 16), f.start)
    if before is None or not is_title(f.text.split()[0]):
        return f
    return replace(f, start=before.start(), text=text[before.start() : f.end])


_COLUMN_GAP = re.compile(r"[ \t]{2,}|\t")


def without_salutation(f: Finding) -> Finding:
    """A name found with the greeting before it ("Hey Jen"): the greeting is no part of the name. A
    name the NER ran on over a column gap ("Ruth Abernethy   DOB") ends at the gap."""
    if gap := _COLUMN_GAP.search(f.text.strip()):
        head = f.text[: len(f.text) - len(f.text.lstrip()) + gap.start()]
        if head.strip():
            f = replace(f, end=f.start + len(head), text=head)
    words = f.text.split(" ", 1)
    if len(words) == 2 and words[0] in lexicon()["salutations"] and words[1][:1].isupper():
        cut = len(words[0]) + 1
        return replace(f, start=f.start + cut, text=f.text[cut:])
    return f
