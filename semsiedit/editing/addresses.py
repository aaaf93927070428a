"""One address, one edit: "27 Larch Close, Sidcup DA14 6QT" is a single place, not three findings.

The recognizers find an address's pieces separately (the street, the town, the postcode), and each
piece edited on its own read as "at a private address, Person LV a postcode" (a town the NER took for
a name) or "a city, NY a ZIP code". A run of pieces joined only by commas and spaces becomes one
finding, rendered as one descriptor ("a private address", "a city"); a state or province in it is
kept, as both profiles keep states ("a private address in OR", "a city in NY").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from semsiedit.editing.surrogates import canonical_label
from semsiedit.places import known_place
from semsiedit.types import Finding

REASON = "an address: its street, town, state and postcode as one place"
_PIECES = {"ADDRESS", "LOCATION", "ZIP_CODE"}  # canonical labels
_GAP = re.compile(r",?[ \t]{1,2}")
# A town the recognizers did not tag, between a street and a postcode ("12 Mill Lane, Ashby LE65 1AB").
_TOWN = re.compile(r",?[ \t]+(?:[A-Z][a-z]+[ \t]){0,2}[A-Z][a-z]+,?[ \t]+")
# The town after a street: capitalised words after its comma, then a preposition or the clause's end.
_TOWN_AFTER = re.compile(
    r",[ \t]+((?:[A-Z][a-z]+[ \t]){0,2}[A-Z][a-z]+)(?=[ \t]+(?:since|in|on|and|for|from|until|where|with|to)\b"
    r"|[ \t]*[,.;:)\n]|[ \t]*$)"
)
_NOT_TOWNS = frozenset({"Mr", "Mrs", "Ms", "Dr", "The", "He", "She", "They", "We", "I", "It", "Apt", "Unit", "Suite"})
# A flat or unit written before its street ("Flat 2, 19 Canal Street").
_UNIT_BEFORE = re.compile(r"(?<![\w'’-])(?:Flat|Apt\.?|Apartment|Unit|Suite|Room)[ \t]*#?[ \t]*\d+[A-Za-z]?,?[ \t]+$")
# A state or province named between a town and what follows it ("Portland, OR 97999").
_STATE = re.compile(r"(?:,[ \t]+|[ \t]+(?=(?:VIC|NSW|QLD|SA|WA|TAS|NT|ACT)\b))((?:[A-Z][a-z]+[ \t])?[A-Z][A-Za-z]+)\b")
_AU_STATES = frozenset({"VIC", "NSW", "QLD", "SA", "WA", "TAS", "NT", "ACT"})  # "Fitzroy VIC 3065"


def _piece(f: Finding) -> bool:
    return f.category == "pii" and canonical_label(f.label) in _PIECES


def merge_address_runs(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """`findings` with each run of address pieces replaced by one STREET_ADDRESS (a street in it) or
    LOCATION finding. A name the NER saw between a street and a postcode is the town. A run needs a
    street or a postcode: two places in a row ("Paris, Texas") are left to the place rules."""
    pii = sorted((f for f in findings if f.category == "pii"), key=lambda f: f.start)
    merged: dict[int, Finding] = {}
    i = 0
    while i < len(pii):
        first = pii[i]
        if not _piece(first) or known_place(first.text):
            i += 1
            continue
        run, end, j = [first], first.end, i + 1
        while j < len(pii):
            nxt, gap = pii[j], text[end : pii[j].start]
            label = canonical_label(nxt.label)
            town = label == "PERSON" and j + 1 < len(pii) and canonical_label(pii[j + 1].label) == "ZIP_CODE"
            if not (_piece(nxt) or town) or known_place(nxt.text):
                break
            if not (_GAP.fullmatch(gap) or (label == "ZIP_CODE" and _TOWN.fullmatch(gap))):
                break
            run.append(nxt)
            end = nxt.end
            j += 1
        labels = {canonical_label(f.label) for f in run}
        if canonical_label(run[-1].label) == "ADDRESS":
            town = _TOWN_AFTER.match(text, end)
            if town and not known_place(town.group(1)) and town.group(1).split()[0] not in _NOT_TOWNS:
                end = town.end(1)  # "4 Harbour View, Cobh since 2019": the town the NER did not tag
        state = None
        m = _STATE.match(text, end)
        if m and (known_place(m.group(1)) == "a state" or m.group(1) in _AU_STATES) and "ZIP_CODE" not in labels:
            state = m.group(1)
            zip_ = next((f for f in pii[j:] if canonical_label(f.label) == "ZIP_CODE"), None)
            if zip_ is not None and _GAP.fullmatch(text[m.end() : zip_.start]):
                run.append(zip_)  # the ZIP after the state goes with the address
                end, labels = zip_.end, labels | {"ZIP_CODE"}
                j = pii.index(zip_) + 1
            else:
                end = m.end()
        start = first.start
        street_first = canonical_label(first.label) == "ADDRESS"
        unit = _UNIT_BEFORE.search(text, max(0, start - 30), start) if street_first else None
        if unit:
            start = unit.start()  # "Flat 2, 19 Canal Street": the flat is part of the address
        if len(run) > 1 or state or end > run[-1].end or start < first.start:
            if not labels & {"ADDRESS", "ZIP_CODE"}:
                i = j
                continue
            kind = "STREET_ADDRESS" if "ADDRESS" in labels else "LOCATION"
            merged[id(first)] = Finding(
                start, end, text[start:end], "pii", kind, max(f.severity for f in run),
                max(f.score for f in run), "+".join(dict.fromkeys(f.source for f in run)), REASON,
            )  # fmt: skip
        i = j
    spans = [(m.start, m.end) for m in merged.values()]
    out = []
    for f in findings:
        inside = f.category == "pii" and any(s <= f.start and f.end <= e for s, e in spans)
        if inside and id(f) not in merged:
            continue  # a piece of a merged run (the town, the postcode, a state's own finding)
        out.append(merged.get(id(f), f))
    return out


def render_address(value: str, label: str) -> str:
    """The descriptor of a merged address run, keeping its state ("a private address in OR")."""
    kind = "a private address" if canonical_label(label) == "ADDRESS" else "a city"
    for m in _STATE.finditer(value):
        if known_place(m.group(1)) == "a state":
            return f"{kind} in {m.group(1)}"
    return kind
