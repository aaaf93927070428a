"""Street addresses: Presidio has no recognizer for them, so a pattern over the text.

"221B Baker Street", "1600 Pennsylvania Avenue NW, Apt 4", "12 rue de Rivoli" style house-number-first
addresses, with the street suffixes listed in data/lexicons/pii.json.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.detection.names import is_common_word, org_words
from semsiedit.places import is_known_place, street_type_pattern
from semsiedit.text import MONTHS_AND_DAYS
from semsiedit.types import Finding

SOURCE = "semsi-address"


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    lex = load_lexicon("pii")
    suffixes = "|".join(re.escape(s) for s in sorted(lex["street_suffixes"], key=len, reverse=True))
    units = "|".join(re.escape(u) for u in lex["unit_words"])
    name = r"(?:[A-ZÀ-Ý][\w'’.-]*|\d+(?:st|nd|rd|th))"  # capitalised street-name words or "5th"
    return re.compile(
        r"(?:\b(?:Flat|Apt|Apartment|Unit|Suite)\.?[ \t]+)?"  # "Flat 9, Riverside Court"
        rf"\b\d{{1,5}}[A-Za-z]?(?:-\d{{1,4}})?,?\s+(?:{name}\s+){{1,4}}(?:{suffixes})\b\.?"
        rf"(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
        rf"(?:,?\s+(?:{units})\.?\s*[\w-]{{1,6}}\b)?"
    )


# "Exeter Crown Court", "Leeds Magistrates Court": a court of law, not a street.
_LAW_COURT = re.compile(r"\b(?:Crown|Magistrates|County|Family|High|Supreme|Appeal|Appeals|District|Circuit|"
                        r"Coroner|Coroners|Sheriff|Youth|Employment|Federal|Superior|Municipal|Probate) Court$")
_NOT_A_HOUSE_NUMBER = re.compile(
    r"(?<![\w'’-])(?:Year|Yr|Grade|Class|Room|Ward|Bed|Page|Chapter|Section|Level|Stage|Step|Platform|Gate|Bay|"
    r"Table|Seat|Row|Aisle|Form|Set)[ \t]*$"
)
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof)\b\.?\s")


# A street named without its number ("my neighbour on Elm Street", "at King Edward's Drive"): after a
# preposition of place.
_STREET_ONLY = re.compile(
    r"(?<![\w'’-])(?:on|in|along|off|near|down|up|at|from|of|and|&)[ \t]+(?!The )((?:[A-Z][a-z]+(?:['’]s)?[ \t]){1,2}"
    rf"{street_type_pattern()})"
    r"(?![\w-])"
)


_DISTRICT_AFTER_A_STREET = re.compile(r",[ \t]+([A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)(?=[ \t]*[,.;)]|[ \t]*$)")
_NAMED_AFTER_A_STREET = re.compile(r"[ \t]*\r?\n?[ \t]*((?:[A-Z][\w'’-]*[ \t]?){1,3})(?<![ \t])")


# A street without a listed suffix, known by the town and postcode after it ("22 Heol y Nant, Cardiff
# CF14 6JR", "7 Rue Lepic, Paris 75018"): the street and the town.
_PARTICLE = r"(?:y|de|del|des|du|la|le|les|van|von|der|an|na|am|sur)"
_BEFORE_POSTCODE = re.compile(
    rf"(?<![\w-])(?P<street>\d{{1,5}}[A-Za-z]?[ \t]+[A-ZÀ-Ý][\w'’-]*(?:[ \t]+(?:[A-ZÀ-Ý][\w'’-]*|{_PARTICLE})){{0,4}}),"
    r"[ \t]+(?P<city>(?:[A-Z][a-z]+(?:['’]s)?[ \t]){0,2}[A-Z][a-z]+),?[ \t]+"
    r"(?=[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}(?![\w-])|\d{5}(?![\w-]))"
)


# A house number and a street whose type comes first, as Welsh, French, Spanish, Italian and Portuguese
# streets have it ("23 Heol y Bont", "7 Rue Lepic", "12 Calle Mayor"), with or without a postcode.
_TYPE_FIRST = re.compile(
    r"(?<![\w-])\d{1,5}[A-Za-z]?,?[ \t]+(?:Heol|Ffordd|Stryd|Lôn|Rhodfa|Rue|Calle|Avenida|Carrer|Via|Viale|Piazza|"
    rf"Rua|Praça|Strada|Ulica)(?:[ \t]+(?:[A-ZÀ-Ý][\w'’-]*|{_PARTICLE}|d['’]\w+)){{1,4}}(?![\w-])"
)


# The word before a house or flat number ("at number 12 Wellesley Gardens", "flat 3C, Rue des Fleurs 14").
_UNIT_WORD = re.compile(
    r"(?<![\w'’-])(?:(?:number|[Nn]o\.|No|[Ff]lat|[Aa]pt\.?|[Aa]partment|[Uu]nit|[Ss]uite)[ \t]+|\d{1,4}[A-Za-z]?/)\Z"
)  # also a unit before a slash: "4/12 Kensington Rd"


def with_unit_word(text: str, f: Finding) -> Finding:
    """A street address with the word before its number, so "flat a street address" cannot be left."""
    word = _UNIT_WORD.search(text, max(0, f.start - 12), f.start)
    if word is None:
        return f
    return replace(f, start=word.start(), text=text[word.start() : f.end])


# A form's address field: its whole value is the address, whatever words the street and town use
# ("Address of loss: 3 Quarry Cottages, Little Bardfield, Essex CM7 4TT"). Not "Email address:".
_ADDRESS_FIELD = re.compile(
    r"^[ \t>*•·-]*(?:(?:home|postal|property|correspondence|billing|delivery|current|previous|permanent|residential"
    r"|mailing|registered|forwarding|patient'?s?|client'?s?)[ \t]+)?address(?:[ \t]+(?:of|at|for)[ \t]+[a-z]+)?"
    r"[ \t]*:[ \t]*(?P<v>[^\n]*?\d[^\n]*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


# The end of an address that names its state or country, which is kept: ", OR 97999", ", Ohio", ", UK".
_STATE_AT_END = re.compile(
    r",?[ \t]+(?-i:(?P<code>[A-Z]{2}))(?:[ \t]+\d{5}(?:-\d{4})?)?$|,[ \t]*(?P<name>[A-Z][\w .'’-]+)$"
)


def _field_address(m: re.Match[str]) -> Finding | None:
    value, start = m.group("v"), m.start("v")
    if len(value.split()) < 2 or not re.search(r"[^\W\d_]{2}", value):
        return None
    end = m.end("v")
    tail = _STATE_AT_END.search(value)
    if tail and (tail.group("code") or is_known_place(tail.group("name").strip())):
        end = start + tail.start()  # the state or country stays; a ZIP after it is the ZIP recognizer's
    return Finding(start, end, value[: end - start], "pii", "STREET_ADDRESS", 2, 0.9, SOURCE, "an address field")


# A home by its house number alone, where the text says someone lives there: "lives at number 22",
# "the lad from number 14" (a street everyone in the text knows).
_HOUSE_NUMBER_HOME = re.compile(
    r"(?<![\w'’-])(?:(?:lives?|living|lived|stays?|staying|stayed|moved[ \t]+(?:in)?to)[ \t]+(?:(?:at|in)[ \t]+)?|"
    r"(?:lad|man|woman|girl|boy|lady|bloke|guy|fella|family|kids?|couple|people|tenants?|neighbou?rs?|house|flat)"
    r"[ \t]+(?:from|at|in)[ \t]+)(?P<home>number[ \t]+\d{1,4}[A-Za-z]?)(?![\w/-])",
    re.IGNORECASE,
)


def find_addresses(text: str) -> list[Finding]:
    out = [f for m in _ADDRESS_FIELD.finditer(text) if (f := _field_address(m)) is not None]
    out += [
        Finding(m.start("home"), m.end("home"), m.group("home"), "pii", "STREET_ADDRESS", 2, 0.8, SOURCE,
                "a home by its house number")
        for m in _HOUSE_NUMBER_HOME.finditer(text)
    ]  # fmt: skip
    for m in _STREET_ONLY.finditer(text):
        if _LAW_COURT.search(m.group(1)):
            continue
        named = _NAMED_AFTER_A_STREET.match(text, m.end(1))
        if named and any(w.lower() in org_words() for w in named.group(1).split()):
            # "Castle Street Medical Centre", "Elm Road Surgery": a practice named after its street.
            out.append(Finding(m.start(1), named.end(), text[m.start(1) : named.end()], "pii", "ORGANIZATION", 2, 0.9,
                               SOURCE, "an organisation named after a street"))  # fmt: skip
            continue
        # Severity and score above the small NER model's PERSON for the same words ("on Brook Lane"):
        # the street suffix after a preposition of place is the stronger evidence.
        out.append(Finding(m.start(1), m.end(1), m.group(1), "pii", "LOCATION", 2, 0.9, SOURCE, "a street name"))
        district = _DISTRICT_AFTER_A_STREET.match(text, m.end(1))
        if district and not any(is_common_word(w, text) or w.lower() in MONTHS_AND_DAYS for w in district[1].split()):
            # "parked on Birchfield Road, Handsworth, on 3 March": the district the street is in.
            out.append(Finding(district.start(1), district.end(1), district[1], "pii", "LOCATION", 1, 0.85, SOURCE,
                               "a district after a street name"))  # fmt: skip
    out += [
        Finding(m.start(), m.end(), m.group(), "pii", "STREET_ADDRESS", 2, 0.85, SOURCE, "a house number and a street")
        for m in _TYPE_FIRST.finditer(text)
    ]
    for m in _BEFORE_POSTCODE.finditer(text):
        out.append(Finding(m.start("street"), m.end("street"), m.group("street"), "pii", "STREET_ADDRESS", 2, 0.85,
                           SOURCE, "a house number and street before a town and postcode"))  # fmt: skip
        out.append(Finding(m.start("city"), m.end("city"), m.group("city"), "pii", "LOCATION", 1, 0.85, SOURCE,
                           "a town before a postcode"))  # fmt: skip
    for m in _pattern().finditer(text):
        if _TITLED.search(m.group()):
            continue  # "the tenant at number 14, Mr Gary Pike": a person, not "Pike" as a street
        if _LAW_COURT.search(m.group().rstrip(".")):
            continue  # "a 1973 US Supreme Court decision", "at 10 Exeter Crown Court hearings": a court
        if _NOT_A_HOUSE_NUMBER.search(text, max(0, m.start() - 12), m.start()):
            continue  # "Year 9, Harrow Way Community School": a school year, not a house number
        named = _NAMED_AFTER_A_STREET.match(text, m.end())
        if named and any(w.lower() in org_words() for w in named.group(1).split()):
            continue  # "... Harrow Way Community School", "12 Castle Street Surgery": named after its street
        start, end = m.start(), m.end()
        if text[end - 1] == "." and not re.search(r"\b(?:St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Sq|Pkwy|Hwy|Cir)\.$", m.group()):
            end -= 1  # the sentence's full stop, not an abbreviation's
        out.append(
            Finding(
                start=start,
                end=end,
                text=text[start:end],
                category="pii",
                label="STREET_ADDRESS",
                severity=2,
                score=0.9,
                source=SOURCE,
                reason="street address pattern",
            )
        )
    return out
