"""Towns the small NER leaves untagged or calls something else: "an outage affecting Heath, Cardiff"
(tagged a work of art), "she moved to Tewkesbury", "9 Rowan Court, Neath" (tagged a firm). A record
loses its city (HIPAA Safe Harbor); the `public` profile keeps places, so this only changes what a
record keeps.

A capitalised word is a town when GeoNames lists it (`places.is_city`), the text never writes it in
lower case, it does not open a longer capitalised name ("Cardiff University") and either a place
preposition comes before it or it ends "District, Town" before a punctuation mark or a line's end
("in Pittsburgh, Robertson said" names a man). The district goes with the town.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_common_word
from semsiedit.detection.person_filter import place_preposition_before
from semsiedit.places import after_a_site, is_city, is_known_place
from semsiedit.spacy_components import doc_text
from semsiedit.types import Finding

if TYPE_CHECKING:
    from spacy.tokens import Doc

SOURCE = "semsi-town"
# The NER's labels that a town may carry by mistake; a PERSON or place label is judged elsewhere.
_MISTAKEN = frozenset({"", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW", "LANGUAGE", "NORP", "FAC", "ORG"})
# "Heath, Cardiff": a district (a capitalised word after a lower-case one, not a list item), a comma, the town.
_DISTRICT_BEFORE = re.compile(r"(?:^|[\s(:])[a-z]+[ \t]+([A-Z][a-z]{2,}),[ \t]+$")
_PARTICLES = frozenset({"de", "del", "da", "do", "dos", "la", "le", "les", "sur", "am", "an", "upon"})
# "at the Stockport office": a town naming which of an organisation's sites, after "the".
_SITE_NOUNS = frozenset({"office", "offices", "branch", "clinic", "depot", "site", "store", "shop", "campus",
                         "warehouse", "plant", "factory", "hub", "centre", "center", "team", "surgery"})
# Borough councils named by their town ("Stockport MBC", "Wigan MBC"); not "DC" or "CC" (a distribution
# centre, a county cricket club) nor "BC" (British Columbia).
_COUNCILS = frozenset({"MBC", "BMBC", "RBC", "MDC", "LBC"})
_GREETING = re.compile(r"(?:thanks|thank you|hi|hello|hey|dear|cheers|love|morning)[ \t]+$", re.I)


def find_untagged_towns(doc: Doc, found: list[Finding]) -> list[Finding]:
    text = doc_text(doc)
    taken = [(f.start, f.end) for f in found if f.category == "pii"]
    out: list[Finding] = []
    for i, tok in enumerate(doc):
        word = tok.text
        if len(word) < 4 or not word.istitle() or not word.isalpha() or tok.ent_type_ not in _MISTAKEN:
            continue
        if tok.pos_ != "PROPN":  # "barred from Olympic competition": an adjective
            continue
        if not is_city(word) or is_known_place(word) or is_common_word(word, text):
            continue
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        if nxt is not None and nxt.text in _COUNCILS and tok.whitespace_:
            start, end = tok.idx, nxt.idx + len(nxt.text)  # "Stockport MBC": the town's council
            if not any(s < end and start < e for s, e in taken):
                out.append(Finding(start, end, text[start:end], "pii", "ORGANIZATION", 2, 0.8, SOURCE,
                                   "a town's borough council"))  # fmt: skip
            continue
        if nxt is not None and nxt.text[:1].isupper() and not nxt.is_punct:
            continue  # "Cardiff University", "Reading Festival": part of a longer name
        if nxt is not None and nxt.text in _PARTICLES and i + 2 < len(doc) and doc[i + 2].text[:1].isupper():
            continue  # "Santiago de Cuba"
        start, end = tok.idx, tok.idx + len(word)
        before = text[max(0, start - 40) : start]
        district = _DISTRICT_BEFORE.search(before)
        after = doc[i + 2] if i + 2 < len(doc) else None
        in_list = nxt is not None and nxt.text == "," and after is not None and (
            after.lower_ in ("and", "or") or after.text[:1].isupper()
        )  # "Palm Beach, Hillsborough, and Pinellas": items of a list, not a district and its town
        ends = (nxt is None or nxt.is_punct or "\n" in tok.whitespace_ + nxt.text) and not in_list
        if district and ends and not is_known_place(district.group(1)) and not is_common_word(district.group(1), text):
            if district.group(1) in first_names() and _GREETING.search(before[: district.start(1)]):
                continue  # "Thanks Gareth, Cardiff ...": a person addressed, not a district
            start -= len(before) - district.start(1)
        elif not place_preposition_before(text, start, word) and not _names_a_site(doc, i) and not (
            after_a_site(text, start)  # "held at St Mark's Church, Harrogate": the town the place is in
        ):
            continue
        if any(s < end and start < e for s, e in taken):
            continue
        reason = "a town the NER did not tag"
        out.append(Finding(start, end, text[start:end], "pii", "LOCATION", 2, 0.8, SOURCE, reason))
    return out


def _names_a_site(doc: Doc, i: int) -> bool:
    """ "the Stockport office", "our Leeds branch": a town before a lower-case site noun."""
    if i == 0 or i + 1 >= len(doc):
        return False
    return doc[i - 1].lower_ in ("the", "our", "their", "its", "his", "her") and doc[i + 1].text in _SITE_NOUNS
