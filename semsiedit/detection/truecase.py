"""Text written all in capitals ("MY NAME IS DENNIS HARLOW ... 9 ELM CLOSE, DIDCOT"): the NER and every
recognizer that needs a capital letter read each word as an acronym and find nothing in it.

Detection reads a copy in ordinary case instead, of the same length so that every offset holds: lower
case, with a capital where a sentence starts, for "I", for a known given name and the word after it
(its surname), for a known town, country or month, and for the words of a street after a house number.
The findings' text is then taken from the original.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_stop_word, lexicon
from semsiedit.places import is_city, is_known_place, street_type_pattern
from semsiedit.text import MONTHS_AND_DAYS, split_sentences

MIN_LETTERS = 20  # "HIV", "NHS No:" in a normal text are not shouting
UPPER_SHARE = 0.8

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_STREET = re.compile(
    rf"\d+[a-z]?,?[ \t]+((?:[a-z'’-]+[ \t]){{1,3}}(?:{street_type_pattern(ambiguous=True).lower()}|hill))\b"
)
# Capitalised again when text is truecased; "may" stays lower case (far more often the verb).
_MONTHS_AND_DAYS = MONTHS_AND_DAYS - {"may"}


def shouting(text: str) -> bool:
    """Most of the text's letters are capitals."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= MIN_LETTERS and sum(c.isupper() for c in letters) >= UPPER_SHARE * len(letters)


def truecase(text: str) -> str:
    """The text in ordinary case (see the module docstring); unchanged where lower case would change
    its length."""
    lower = text.lower()
    if len(lower) != len(text):
        return text
    chars = list(lower)

    def capital(at: int) -> None:
        chars[at] = chars[at].upper()

    for start, _end in split_sentences(lower):  # it knows a hard wrap from a sentence's end
        first = _WORD.search(lower, start)
        if first:
            capital(first.start())
    words = list(_WORD.finditer(lower))
    names = first_names()
    for i, m in enumerate(words):
        word = m.group()
        title = word.capitalize()
        if word == "i" or word in _MONTHS_AND_DAYS or is_city(title) or is_known_place(title):
            capital(m.start())
        elif title in names and not is_stop_word(word):
            capital(m.start())
            nxt = words[i + 1] if i + 1 < len(words) else None
            # The word right after a given name, on the same line, is its surname ("DENNIS HARLOW").
            if nxt and lower[m.end() : nxt.start()] in (" ", "\t") and not is_stop_word(nxt.group()):
                capital(nxt.start())
    for m in _STREET.finditer(lower):
        for w in _WORD.finditer(m.group(1)):
            capital(m.start(1) + w.start())
    credentials = {c.lower().rstrip(".") for c in lexicon()["credentials"]}
    for m in _name_field().finditer(lower):
        # "PATIENT NAME: BROWN, MARGARET A", "PROVIDER: R. SINGH, MD": a name field's value is a name,
        # whatever else its words are ("brown"); a credential after it stays in capitals.
        for w in _WORD.finditer(m.group("v")):
            at = m.start("v") + w.start()
            if w.group() in credentials:
                chars[at : at + len(w.group())] = w.group().upper()
            elif not is_stop_word(w.group()) or len(w.group()) == 1:
                capital(at)
    return "".join(chars)


@lru_cache(maxsize=1)
def _name_field() -> re.Pattern[str]:
    labels = "|".join(re.escape(label.lower()) for label in sorted(lexicon()["field_labels"], key=len, reverse=True))
    value = r"(?P<v>[^\n]*?)(?=[ \t]{2,}|\t|$)"  # up to the next column or the line's end
    return re.compile(rf"(?:^[ \t]*|(?<=[ \t]{{2}})|(?<=\t))(?:{labels})[ \t]*:[ \t]*{value}", re.M)
