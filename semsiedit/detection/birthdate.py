"""Dates of birth: a date with a birth cue just before it ("born on 12 March 1985", "DOB: 03/12/1985").

Presidio's DATE_TIME fires on every date and is left out of the defaults; a date is personal data when
the context says it is a birth date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.types import Finding

SOURCE = "semsi-dob"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    lex = load_lexicon("pii")
    cues = "|".join(re.escape(c) for c in sorted(lex["birth_cues"], key=len, reverse=True))
    months = "|".join(re.escape(m) for m in sorted(lex["months"], key=len, reverse=True))
    numeric = r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}"
    day_month = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{months})\.?,?\s+\d{{4}}"
    month_day = rf"(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    # Up to 30 characters of filler between cue and date ("born in Leeds on 3 May 1990").
    return re.compile(
        rf"(?<!\w)(?:{cues})(?!\w)[\s:]*(?:[^\n.;]{{0,30}}?\s)?(?P<date>{numeric}|{day_month}|{month_day})",
        re.IGNORECASE,
    )


def find_birthdates(text: str) -> list[Finding]:
    return [
        Finding(
            start=m.start("date"),
            end=m.end("date"),
            text=m.group("date"),
            category="pii",
            label="DATE_OF_BIRTH",
            severity=2,
            score=0.9,
            source=SOURCE,
            reason="date with a birth-date cue",
        )
        for m in _pattern().finditer(text)
    ]
