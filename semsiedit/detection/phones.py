"""Phone numbers Presidio's validating recognizer misses: local seven-digit numbers ("555-0106"),
North-American numbers in any valid-looking format ("(555) 555-0129"), UK numbers ("020 7946 0958",
"07700 900461"), numbers with a country code ("+49 30 901820"), and any number after a phone cue
("Tel: ...", "call me at ...", "reached at ...", "phone number is ...").

Cues are listed in data/lexicons/identifiers.json. Dates, times, money and parts of longer numbers or
IDs are not phone numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-phone"
_LEFT = r"(?<![\w$€£¥./:@-])"
_RIGHT = r"(?![\w%€£]|[./:-]\d)"
# (555) 555-0129, 555-555-0129, 555.555.0129, +1 555 555 0129, 555-0106, (555-0152)
_NANP = re.compile(
    rf"{_LEFT}(?:\+?1[ .-]?)?(?:\(\d{{3}}\)[ ]?|\d{{3}}[ .-])\d{{3}}[ .-]\d{{4}}{_RIGHT}"
    rf"|{_LEFT}(?<!\d[ ])\d{{3}}[-.]\d{{4}}{_RIGHT}"
)
# UK numbers (a leading 0 or +44 and ten digits: "020 7946 0958", "07700 900461", "0161 496 0000")
# and other international ones written with their country code ("+49 30 901820", "+33 1 42 68 53 00").
_UK = re.compile(
    rf"{_LEFT}(?:\+44[ ]?(?:\(0\)[ ]?)?|0)(?:\d{{2}}[ ]?\d{{4}}[ ]?\d{{4}}|\d{{3}}[ ]?\d{{3}}[ ]?\d{{4}}|"
    rf"\d{{4}}[ ]?\d{{6}}|\d{{4}}[ ]?\d{{3}}[ ]?\d{{3}})(?!\d){_RIGHT}"
)
# A bracket only around a group ("+44 (20) ..."): the ")" closing a parenthetical is not the number's.
_INTERNATIONAL = re.compile(rf"{_LEFT}\+[1-9]\d{{0,2}}(?:[ .-]?(?:\(\d{{1,4}}\)|\d{{1,4}})){{2,5}}(?!\d){_RIGHT}")
# After a cue: any run of digits, spaces, dots, dashes and brackets holding 7-15 digits.
_ANY = r"\+?\(?\d[\d ().-]{5,20}\d"


@lru_cache(maxsize=1)
def _cued() -> re.Pattern[str]:
    alt = alternation([c.lower() for c in load_lexicon("identifiers")["phone_cues"]])
    return re.compile(rf"(?<![\w-])(?:{alt})(?![\w])[ \t]*[:.]?[ \t]*(?:is[ \t]+)?(?P<v>{_ANY}){_RIGHT}", re.I)


def _finding(start: int, end: int, text: str, score: float, reason: str) -> Finding:
    return Finding(
        start=start, end=end, text=text[start:end], category="pii", label="PHONE_NUMBER", severity=2,
        score=score, source=SOURCE, reason=reason,
    )  # fmt: skip


# A number spoken or spelled out digit by digit ("call me back on oh seven seven nine one two ..."), as a
# voicemail transcript writes it: ten or more digits in a row.
_DIGIT_WORD = r"(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|(?:double|triple) [a-z]+)"
_GAP = r"(?:[ \t,-]+|[ \t]*\n[ \t]*)"
_SPOKEN = re.compile(rf"(?<![\w'’-]){_DIGIT_WORD}{_GAP}(?:{_DIGIT_WORD}{_GAP}){{8,}}{_DIGIT_WORD}(?![\w'’-])", re.I)


def find_phones(text: str) -> list[Finding]:
    out = [_finding(m.start(), m.end(), text, 0.8, "a number spelled digit by digit") for m in _SPOKEN.finditer(text)]
    for m in _NANP.finditer(text):
        out.append(_finding(m.start(), m.end(), text, 0.8, "phone number pattern"))
    for m in [*_UK.finditer(text), *_INTERNATIONAL.finditer(text)]:
        if 8 <= sum(c.isdigit() for c in m.group()) <= 15:
            out.append(_finding(m.start(), m.end(), text, 0.75, "phone number pattern"))
    for m in _cued().finditer(text):
        value = m.group("v")
        digits = sum(c.isdigit() for c in value)
        if 7 <= digits <= 15 and not re.fullmatch(r"\d{1,4}([./-])\d{1,2}\1\d{2,4}", value.strip()):
            out.append(_finding(m.start("v"), m.end("v"), text, 0.9, "number after a phone cue"))
    return out
