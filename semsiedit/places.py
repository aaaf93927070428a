"""Places in the gazetteer (data/editing/surrogates.json `locations`): countries, states and regions
that both profiles keep, British and Irish counties that a record loses, and the descriptor of any other
place ("a city", "a hospital", "a street"). Shared by detection and editing, so it imports neither."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

from semsiedit.data_files import load_data


def state_code(value: str) -> bool:
    """A U.S. state's postal code as written in an address ("NY", "OH"): upper case only, so the
    words "in", "or" and "me" are not Indiana, Oregon and Maine."""
    return value.strip().strip(".,;:") in load_data("surrogates")["locations"]["_state_codes"]


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, str]:
    out: dict[str, str] = {}
    for kind, names in load_data("surrogates")["locations"].items():
        if not kind.startswith("_"):
            out.update({_place_key(n): kind for n in names})
    return out


@cache
def county_names() -> frozenset[str]:
    """British and Irish counties ("Devon", "Kerry"): removed from a record like a US county, so not
    in the gazetteer of kept places."""
    return frozenset(_place_key(n) for n in load_data("surrogates")["locations"]["_counties"])


def is_county(value: str) -> bool:
    """A British or Irish county ("Devon", "County Kerry", "West Yorkshire")."""
    return _place_key(value).removeprefix("county ") in county_names()


def _place_key(value: str) -> str:
    return " ".join(value.casefold().split()).removeprefix("the ").strip(".,;: ").replace(".", "")


def known_place(value: str) -> str | None:
    """'a country' / 'a state' / 'a region' for a place in the gazetteer (U.S., North Carolina, NY),
    else None. Countries, states and regions are kept by both profiles."""
    return "a state" if state_code(value) else _gazetteer().get(_place_key(value))


@cache
def street_type_pattern(ambiguous: bool = False) -> str:
    """The street types as one regex group ("(?:Street|Road|…|(?:Rd|Ave)\\.?)"): every street pattern of
    detection and editing reads this one list (surrogates.json `_street_types`). `ambiguous` adds
    "St", "Dr", "Ct" and "Cres", which are also a saint and a doctor: only where the context settles
    it (a house number before, a comma after)."""
    locations = load_data("surrogates")["locations"]
    short = locations["_street_abbreviations"] + (locations["_street_abbreviations_ambiguous"] if ambiguous else [])
    return f"(?:{'|'.join(locations['_street_types'])}|(?:{'|'.join(short)})\\.?)"


@cache
def street_words() -> frozenset[str]:
    """Every street type and abbreviation, as words ("Road", "Rd", "St")."""
    locations = load_data("surrogates")["locations"]
    keys = ("_street_types", "_street_abbreviations", "_street_abbreviations_ambiguous")
    return frozenset(word for key in keys for word in locations[key])


@cache
def _street() -> re.Pattern[str]:
    return re.compile(rf"^(?:[A-Z][a-z]+(?:['’]s)?\s){{1,2}}{street_type_pattern()}$")


@cache
def building_kinds() -> frozenset[str]:
    """The descriptors `location_kind` gives a named building of a known kind ("a hospital", "a school")."""
    return frozenset(kind for _pattern, kind in load_data("surrogates")["locations"]["_facility_kinds"])


def location_kind(value: str) -> str:
    """The descriptor of a place: a known country, state or region (`known_place`); 'a unit' for an
    apartment number ("Apt 4B"); the kind of a named building ("a hospital" for "Mercy Hospital", "a
    place of worship" for "Grace Church", "a school", else "a facility"); else 'a city'."""
    known = known_place(value)
    if known is not None:
        return known
    locations = load_data("surrogates")["locations"]
    bare = value.strip().strip(".,;:")
    if re.search(locations["_unit"], bare):
        return "a unit"
    if re.search(locations["_court"], bare):
        # "Leeds County Court": a court named for its town ("Court" alone is a street's word too).
        return next(kind for pattern, kind in locations["_facility_kinds"] if re.search(pattern, bare))
    if _street().search(bare):
        return "a street"
    if re.search(locations["_county"], bare) or is_county(bare):
        return "a county"
    if re.search(locations["_facility"], bare):
        # "a school", "a hospital", "a place of worship": what kind of place, not which one.
        return next((kind for pattern, kind in locations["_facility_kinds"] if re.search(pattern, bare)), "a facility")
    from semsiedit.detection.names import org_words

    words = bare.split()
    if len(words) > 1 and words[-1].lower() in org_words():
        return "an organisation"  # "Brookfield Estates", "Harbour Mutual": a firm a NER model took for a place
    return locations["_default"]


# A named place's last word, then a comma: the capitalised word after it is the town that place is in
# ("Riverside Surgery, Kendal", "St Mark's Church, Harrogate", "14 Mill Lane, Kendal", "Acme Ltd, Leeds").
_SITE_THEN_COMMA = re.compile(
    r"(?:Surgery|Hospital|Hospice|Infirmary|Practice|Clinic|Centre|Center|School|Academy|College|University|"
    r"Church|Chapel|Cathedral|Mosque|Temple|Synagogue|Crematorium|Cemetery|Hall|Hotel|Library|Museum|Station|"
    r"Prison|Court|Park|Stadium|Office|House|Road|Street|Lane|Avenue|Close|Drive|Way|Crescent|Ltd|Limited|plc|"
    r"LLP)(?:['’]s)?,[ \t]+\Z"
)


def after_a_site(text: str, start: int) -> bool:
    """text[start] follows a named place and a comma (see _SITE_THEN_COMMA)."""
    return bool(_SITE_THEN_COMMA.search(text, max(0, start - 40), start))


def is_known_place(value: str) -> bool:
    """A country, state or region of the gazetteer (kept by both profiles)."""
    return known_place(value) is not None


@cache
def _cities() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "data" / "lexicons" / "cities.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


# Macrons and dots, lines or breves below mark a transliteration ("Būsh", "Sachīn", "Manşūrah"): nobody
# types those names with them, and without them they are often English words or given names.
_TRANSLITERATION_MARKS = frozenset("\u0304\u0323\u0331\u032e")


@cache
def _folded_cities() -> frozenset[str]:
    """Cities as typed without their accents ("Malmo", "Izmir"), unless that is a given name ("Aydin") or
    a word of three letters ("Hue", "Chu")."""
    from semsiedit.detection.first_names import first_names  # imported here: it imports this module

    given = {name.lower() for name in first_names()}
    folded = (
        (city, _fold(city))
        for city in _cities()
        if not _TRANSLITERATION_MARKS.intersection(unicodedata.normalize("NFD", city))
    )
    return frozenset(plain for city, plain in folded if plain != city and len(plain) > 3 and plain.lower() not in given)


# Letters Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h"})


def _fold(value: str) -> str:
    """Without accents: "Malmo" for "Malmö", "Sao Paulo" for "São Paulo", "Izmir" for "İzmir", as people
    often type them."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_city(value: str) -> bool:
    """A town or city of GeoNames (data/lexicons/cities.txt: "Halifax", "Croydon", "Calais"), also
    written without its accents ("Zurich")."""
    value = value.strip().strip(".,;:")
    return value in _cities() or (value.isascii() and value in _folded_cities())

