"""HIPAA Safe Harbor identifiers that the other recognizers miss: ZIP codes and postcodes, dates with a
day in them (every date element but the year identifies), and ages over 89.

Whether they are edited is the protection profile's call (semsiedit/profile.py): under `public` a
date is kept; under `record` it is reduced to its year.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.types import Finding

SOURCE = "semsi-record"
# A US ZIP after a state abbreviation or a ZIP cue; a UK postcode (its shape is distinctive enough).
_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|"
    "OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC"
)
_ZIP = re.compile(
    rf"(?:(?-i:\b(?:{_STATES})),?[ \t]{{1,2}}|\bzip(?: ?code)?:?\s*|\bpostal code:?\s*)"
    r"(?P<z>\d{5}(?:-\d{4})?)(?!\d)",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\w-])[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}(?![\w-])")
_AGE = re.compile(
    r"(?<![\w.])(?:aged |age |age: |ages )?(?P<n>\d{2,3})(?:[- ]years?[- ]old|[- ]year-old|yo\b| y/o\b)"
    r"|(?<![\w])(?:aged|age:?)\s+(?P<m>\d{2,3})(?![\w.])",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _date() -> re.Pattern[str]:
    months = "|".join(re.escape(m) for m in sorted(load_lexicon("pii")["months"], key=len, reverse=True))
    numeric = r"\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2})|\d{4}-\d{2}-\d{2}"
    day_month = rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{months})\.?(?:,?\s+\d{{4}})?"
    month_day = rf"(?:{months})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    return re.compile(rf"(?<![\w/.-])(?:{numeric}|{day_month}|{month_day})(?![\w/-])")


def _finding(m: re.Match[str], label: str, reason: str, group: int | str = 0) -> Finding:
    return Finding(
        start=m.start(group), end=m.end(group), text=m.group(group), category="pii", label=label, severity=1,
        score=0.8, source=SOURCE, reason=reason,
    )  # fmt: skip


def find_record_ids(text: str) -> list[Finding]:
    found = [_finding(m, "ZIP_CODE", "ZIP code", "z") for m in _ZIP.finditer(text)]
    found += [_finding(m, "ZIP_CODE", "postcode") for m in _POSTCODE.finditer(text) if re.search(r"\d", m.group(0))]
    found += [_finding(m, "DATE_TIME", "a date more precise than the year") for m in _date().finditer(text)]
    for m in _AGE.finditer(text):
        group = "n" if m.group("n") else "m"
        if int(m.group(group)) > 89:
            found.append(_finding(m, "AGE", "an age over 89", group))
    return found
