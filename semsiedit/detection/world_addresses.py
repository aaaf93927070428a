"""Postcodes and streets of addresses outside the US, the UK and Australia (record_ids.py and
address.py know those): a Canadian postal code ("Toronto ON M4K 1C2"), an Irish Eircode ("D02 X285"),
a Dutch postcode before its town ("1015 CJ Amsterdam"), a continental five-digit code before its
town (", 80331 München", ", 75008 Paris"), an Indian PIN (", Bengaluru 560001"), and a continental
street with its number ("Hauptstraße 5", "Keizersgracht 12", "rue de la Paix 12").

Shapes only where they are distinctive (the Canadian and Irish letter sets) or stand where an address
puts them (after a comma, before a capitalised town): a bare five- or six-digit number is anything."""

from __future__ import annotations

import re

from semsiedit.types import Finding

SOURCE = "semsi-world-address"
_TOWN = r"[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+(?:[ -][A-ZÀ-ÖØ-Þ][a-zà-öø-ÿß]+)?"
_POSTCODES = re.compile(
    # Canada: letters D, F, I, O, Q, U never appear, W and Z never first; the town before the province.
    rf"(?:(?P<catown>{_TOWN}),?[ \t]+(?:ON|QC|BC|AB|MB|SK|NS|NB|NL|PE|YT|NT|NU),?[ \t]+)?"
    r"(?<![\w-])(?P<ca>[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d)(?![\w-])"
    # Ireland: a routing key and a unique identifier, with its space ("X449201" is some reference).
    r"|(?<![\w-])(?P<ie>(?:[AC-FHKNPRTV-Y]\d{2}|D6W) [0-9AC-FHKNPRTV-Y]{4})(?![\w-])"
    # The Netherlands: four digits and two letters after a comma, before the town ("the 2020 US
    # Presidential Election" has no comma before it).
    rf"|,[ \t]*(?P<nl>[1-9]\d{{3}} ?(?!SS|SA|SD)[A-Z]{{2}})[ \t]+(?P<nltown>{_TOWN})\b"
    # Five digits after a comma and before the town: Germany, France, Italy, Spain, Scandinavia.
    rf"|,[ \t]*(?:[A-Z]{{1,2}}-)?(?P<eu>\d{{5}})[ \t]+(?P<eutown>{_TOWN})\b"
    # India: a six-digit PIN after the town, or after its label.
    rf"|,[ \t]*(?P<intown>{_TOWN})[ \t]*[-–]?[ \t]*(?P<pin>[1-9]\d{{5}})(?!\d)"
    r"|\bPIN(?: ?code)?:?[ \t]*(?P<pin2>[1-9]\d{5})(?!\d)"
)
_STREET = re.compile(
    r"(?<![\w-])(?P<street>[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|damm|gracht|laan|straat"
    r"|plein|dijk|kade|steeg|vej|gade|gatan|vägen|veien|gata)[ \t]+\d{1,4}[a-zA-Z]?)(?![\w-])"
    r"|(?<![\w-])(?P<romance>(?:\d{1,4}(?:bis|ter)?,? )?(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Cc]alle|[Aa]venida|[Vv]ia"
    r"|[Vv]iale|[Rr]ua|[Pp]iazza|[Pp]laza|[Cc]arrer|[Pp]aseo)"
    r"(?: (?:de la|de l'|del|de|des|du|della|delle|dei|da|do|dos|das))? ?[A-ZÀ-Ö][\w'’-]+"
    r"(?: [A-ZÀ-Ö][\w'’-]+)?(?:,? \d{1,4}[a-zA-Z]?)?)(?![\w-])"
)


_FOREIGN_STREET_WORD = re.compile(r"(?:rue|calle|rua|carrer|viale|piazza|paseo|avenida) ")


def find_world_addresses(text: str) -> list[Finding]:
    out: list[Finding] = []
    for m in _POSTCODES.finditer(text):
        code = next(g for g in ("ca", "ie", "nl", "eu", "pin", "pin2") if m.group(g))
        out.append(_finding(m, code, "ZIP_CODE", "a postcode of an address"))
        town = {"ca": "catown", "nl": "nltown", "eu": "eutown", "pin": "intown"}.get(code)
        if town and m.group(town):
            out.append(_finding(m, town, "LOCATION", "the town of an address"))
    for m in _STREET.finditer(text):
        group = "street" if m.group("street") else "romance"
        value = m.group(group)
        if group == "romance" and not re.search(r"\d", value) and not _FOREIGN_STREET_WORD.match(value):
            continue  # "Via Rail", "via Facebook", "Avenue Q": without a number, only an unmistakable street word
        if group == "romance" and re.match(r"\d{1,4},? via [^\d]*$", value):
            continue  # "in August 2021 via Dover": the English preposition after a year (Italian puts the number last)
        out.append(_finding(m, group, "ADDRESS", "a street and number"))
    return out


def _finding(m: re.Match[str], group: str, label: str, reason: str) -> Finding:
    return Finding(m.start(group), m.end(group), m.group(group), "pii", label, 2, 0.8, SOURCE, reason)
