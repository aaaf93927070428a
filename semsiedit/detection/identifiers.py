"""Identifiers: a value after a keyword ("MRN: TEST-MRN-0042-7781", "employee ID EMP-20417",
"receipt no. IOE-0912345678", "Ticket #CS-004581", "Our ref: HL/2024/0517") and bare ID-shaped tokens
("PT-TEST-330912": dash-separated groups mixing letters and digits).

Keywords, labels and thresholds are in data/lexicons/identifiers.json. Dates, phone numbers and money
amounts are never identifiers.
"""

from __future__ import annotations

import re
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-id"
# One token, or digit groups split by single spaces ("licence no. 082 345 671").
# A value may run on in digit groups ("12 34 56"), and a sort code takes its account number along
# ("Account number 40-12-87 11223344").
_TOKEN = r"[A-Za-z0-9](?:[A-Za-z0-9./-]*[A-Za-z0-9])?(?:(?<=\d) \d{2,4}(?![\w-])){0,3}(?:(?<=\d) \d{5,12}(?![\w-]))?"
_DATE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}|\d{4}-\d{2}-\d{2}(?:T[\d:]+)?")
_PHONE = re.compile(r"\+?(?:\(?\d{1,4}\)?[ .-])*\d{3}[ .-]\d{4}")  # digits in phone-number groups
# A current-format UK number plate on its own ("a black BMW 1 Series (YX68 KLM)"): two letters, two
# digits, three letters; no other token in running text has that shape.
_UK_PLATE = re.compile(r"(?<![\w-])[A-Z]{2}\d{2} ?[A-Z]{3}(?![\w-])")
# "***-**-4821", "XXX-XX-4821": the last four digits of a Social Security number still identify.
_MASKED_SSN = re.compile(r"(?<![\w*-])(?:\*{3}|[Xx]{3})-(?:\*{2}|[Xx]{2})-\d{4}(?![\w-])")
# "Aetna PPO #W2284410": a number marked with "#", whatever its keyword (not a colour, "#FF5733", nor a
# hashtag, which ends in a letter).
_HASHED = re.compile(r"(?<![\w&#])#(?P<v>[A-Za-z]{0,4}\d[\w-]*\d)(?![\w-])")
_AN_ISSUE = re.compile(
    r"(?:\(|(?<![\w-])(?:issue|issues|PR|pull request|bug|fix(?:es|ed)?|close[sd]?|resolve[sd]?|see)[ \t]*)\Z", re.I
)
_HEX_COLOUR = re.compile(r"[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8}")
_SHAPE = re.compile(r"(?<![\w./@-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w@]|[-/.]\w)")


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    return load_lexicon("identifiers")


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], dict[str, dict]]]:
    """(pattern, keyword -> group): one pattern for all groups with the generic value shape, one per
    group with its own value regex."""
    lex = _lexicon()
    suffix = alternation([s.lower() for s in lex["suffixes"]])
    generic = [g for g in lex["keyword_groups"] if "value" not in g]
    special = [[g] for g in lex["keyword_groups"] if "value" in g]
    out = []
    for groups in [generic, *special]:
        by_keyword = {k.lower(): g for g in groups for k in g["keywords"]}
        value = groups[0].get("value", _TOKEN)
        pattern = re.compile(
            rf"(?<![\w-])(?P<kw>{alternation(list(by_keyword))})(?![^\W_])(?:[ \t_]*(?:{suffix}))?\.?"
            # "mrn=00771245" too; a hard wrap may fall before the value ("juror number\n774120").
            rf"(?:[ \t]*[:#=]|[ \t]+(?:is|are)\b)?[ \t]*(?:\n[ \t]*)?#?[ \t]*[(\"“'‘]?(?P<v>{value})(?![\w/-]*\w)",
            re.I,
        )
        out.append((pattern, by_keyword))
    return out


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


_ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d")
_RATIO = re.compile(r"\d[\d,.]*(?:-(?:to|in|of|for|out-of|per)-\d[\d,.]*)+", re.IGNORECASE)


def _not_an_id(value: str) -> bool:
    # "Incident: 14/02/2026 22:40": a date and the hour after it (the value stops at the colon).
    date = value.split(" ")[0]
    return bool((_DATE.fullmatch(date) and is_calendar_date(date)) or _PHONE.fullmatch(value))


_NUMERIC_DATE = re.compile(r"(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})")


def is_calendar_date(value: str) -> bool:
    """Whether a numeric date's day and month can be a calendar's, in either order or after a year:
    "20-45-77" is a sort code, not a date. Values of another shape pass."""
    m = _NUMERIC_DATE.fullmatch(value)
    if m is None:
        return True
    a, b, c = (int(g) for g in m.groups())
    if len(m.group(1)) == 4:
        return 1 <= b <= 12 and 1 <= c <= 31
    return (1 <= a <= 31 and 1 <= b <= 12) or (1 <= a <= 12 and 1 <= b <= 31)


def _finding(m: re.Match[str], label: str, severity: int, score: float, reason: str) -> Finding:
    return Finding(
        start=m.start("v") if "v" in m.re.groupindex else m.start(),
        end=m.end("v") if "v" in m.re.groupindex else m.end(),
        text=m.group("v") if "v" in m.re.groupindex else m.group(),
        category="pii",
        label=label,
        severity=severity,
        score=score,
        source=SOURCE,
        reason=reason,
    )


def find_identifiers(text: str) -> list[Finding]:
    lex = _lexicon()
    out: list[Finding] = []
    for pattern, by_keyword in _patterns():
        pos = 0
        while m := pattern.search(text, pos):
            # A rejected value may be the next keyword ("case ref is HSG/2026/4471"): look again after
            # this keyword rather than after its value.
            pos = m.end("kw")
            kw = " ".join(m.group("kw").split())
            if kw == "ID" and re.search(r",[ \t]*$", text[max(0, m.start("kw") - 3) : m.start("kw")]):
                continue  # "Boise, ID 83709": Idaho and a ZIP code, not an identifier
            group = by_keyword[kw.lower()]
            value = m.group("v")
            if re.match(r":\d\d", text[m.end("v") :]) and re.fullmatch(r"(?:.* )?(?:19|20)\d\d \d{1,2}", value):
                continue  # "Incident: 2026 22:40": a year (a date kept to its year) and an hour
            digits = _digits(value)
            if "value" not in group:
                numeric = not re.search(r"[A-Za-z]", value)
                # "report #2291": a number marked with "#" is an identifier at the general minimum.
                hashed = "#" in text[m.end("kw") : m.start("v")]
                if digits < lex["min_digits"] or (numeric and not hashed and digits < lex["min_digits_numeric"]):
                    continue
                if _not_an_id(value):
                    continue
            pos = m.end()
            out.append(_finding(m, group["label"], int(group.get("severity", 3)), 0.95, f"value after '{kw}'"))
    out += [
        _finding(m, "ID", 3, 0.85, "a number marked with '#'")
        for m in _HASHED.finditer(text)
        if _digits(m.group("v")) >= lex["min_digits"]
        and not _HEX_COLOUR.fullmatch(m.group("v"))
        and not re.fullmatch(r"(?:19|20)\d\d", m.group("v"))  # "#2024": a year's hashtag
        # An issue or a pull request ("Fixed a crash (#4412)", "closes #4412"), not a record's number.
        and not _AN_ISSUE.search(text, max(0, m.start() - 20), m.start())
    ]
    out += [_finding(m, "VEHICLE_PLATE", 3, 0.85, "a UK number plate") for m in _UK_PLATE.finditer(text)]
    out += [_finding(m, "US_SSN", 3, 0.9, "a masked SSN's last four digits") for m in _MASKED_SSN.finditer(text)]
    shape = lex["shape"]
    for m in _SHAPE.finditer(text):
        value = m.group()
        groups = value.split("-")
        digits = _digits(value)
        if (
            len(value) < shape["min_length"]
            or digits < shape["min_digits"]
            or not re.search(r"[A-Za-z]", value)
            or (len(groups) < shape["min_groups_short"] and digits < shape["min_digits_two_groups"])
            or _ISO_TIMESTAMP.match(value)  # "2025-10-03T14:22:11Z": a log's timestamp, not an ID
            or _RATIO.fullmatch(value)  # "a 225-to-1 pay gap", "1-in-4 adults": a ratio, not an ID
        ):
            continue
        out.append(_finding(m, "ID", 3, 0.8, "ID-shaped token"))
    return out
