"""Consistent typed surrogates for structured PII, shared by every document of a run.

The same value always gets the same surrogate ("Maria Gonzalez" -> "Person A" in every document),
and later partial mentions of a person in the same document ("Ms. Gonzalez", "Maria") resolve to
the same entity. Three renderings (settings.pseudonyms):

- descriptor: readable stand-ins: "Person A"; other types a noun phrase that fits its slot
  ("an e-mail address", "call me at the number on file", "Phone: withheld");
- placeholder: "<PERSON_1>", "<EMAIL_ADDRESS_2>": Presidio-style, numbered per type;
- fake: realistic invented values from small bundled lists, chosen by a seeded hash of the value,
  so a re-run gives the same fakes.

Entities are numbered in the order they are first seen; with several worker threads that order
(and so "Person A" vs "Person B") can differ between runs, but never within one.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

Mode = Literal["descriptor", "placeholder", "fake"]
Slot = Literal["np", "prep", "label"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "editing"

# Types whose key ignores formatting: "555-123-4567" and "(555) 123 4567" are the same number.
_DIGIT_KEYED = {
    "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "US_BANK_NUMBER", "US_PASSPORT",
    "US_DRIVER_LICENSE", "UK_NHS", "MEDICAL_LICENSE", "IP_ADDRESS", "MAC_ADDRESS",
}  # fmt: skip
_YEAR = re.compile(r"^(?:in |the )?(?:(?:early|mid|late)[- ])?(?:1[5-9]|20)\d\d(?:s)?$", re.IGNORECASE)
_TIME = re.compile(
    r"\d{1,2}[:.]\d{2}|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\b(?:noon|midnight|morning|evening|night)\b", re.I
)


@cache
def load_data(name: str) -> dict[str, Any]:
    """A JSON table from semsiedit/data/editing/ (read once per process)."""
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def canonical_label(label: str) -> str:
    label = label.upper()
    return load_data("surrogates")["label_aliases"].get(label, label)


@lru_cache(maxsize=1)
def _title_re() -> re.Pattern[str]:
    titles = sorted(load_data("surrogates")["titles"], key=len, reverse=True)
    alternatives = "|".join(map(re.escape, titles))
    return re.compile(rf"^(?:(?:{alternatives})\.?\s+)+", re.IGNORECASE)


def split_title(name: str) -> tuple[str, str]:
    """("Dr. ", "Maria Gonzalez") for "Dr. Maria Gonzalez"; a bare title is left as the name."""
    m = _title_re().match(name)
    if not m or m.end() == len(name):
        return "", name
    return name[: m.end()], name[m.end() :]


@lru_cache(maxsize=1)
def _title_before_re() -> re.Pattern[str]:
    titles = sorted(load_data("surrogates")["titles"], key=len, reverse=True)
    alternatives = "|".join(map(re.escape, titles))
    return re.compile(rf"(?<![\w'’])(?:{alternatives})\.? $", re.IGNORECASE)


def title_before(text: str, start: int) -> int:
    """Length of a title ("Dr. ", "Senator ") directly before text[start], else 0."""
    m = _title_before_re().search(text, max(0, start - 20), start)
    # Only a capitalised title: in "my brother Kenneth" the kinship word stays.
    return len(m.group(0)) if m and m.group(0)[:1].isupper() else 0


def split_possessive(value: str) -> tuple[str, str]:
    """("Maria", "'s") for "Maria's": the surrogate gets the same ending back."""
    m = re.search(r"['’]s?$", value)
    if m and m.start() > 0:
        return value[: m.start()], m.group(0)
    return value, ""


def normalise_key(label: str, value: str) -> str:
    value = value.strip().strip(".,;:!?\"'()[]“”‘’")
    if label == "PERSON":
        value = split_title(split_possessive(value)[0])[1]
    if label in _DIGIT_KEYED:
        return "".join(ch for ch in value.casefold() if ch.isalnum())
    return " ".join(value.casefold().split())


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: spreadsheet-style, so any number of people stays readable."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def location_kind(value: str) -> str:
    """'a country' / 'a state' / 'a region' / 'a city' from a small gazetteer."""
    key = " ".join(value.strip().strip(".,;:").casefold().split())
    key = key.removeprefix("the ")
    for kind, names in load_data("surrogates")["locations"].items():
        if kind.startswith("_"):
            continue
        if any(key == n.casefold().removeprefix("the ") for n in names):
            return kind
    return load_data("surrogates")["locations"]["_default"]


def date_descriptor(value: str) -> str:
    v = value.strip()
    if _YEAR.match(v):
        return "a certain year"
    if _TIME.search(v):
        return "a certain time"
    return "a certain date"


@dataclass
class _Entity:
    id: int
    label: str
    number: int
    key: str
    tokens: set[str] = field(default_factory=set)  # PERSON: name parts, for aliasing
    full: list[str] = field(default_factory=list)  # PERSON: the longest form of the name seen
    fake: str = ""  # fake mode: the full fake value (PERSON: "First Last")
    mentions: dict[str, str] = field(default_factory=dict)  # fake mode: mention key -> rendered mention


class SurrogateMap:
    """Thread-safe value -> surrogate registry for one run (share one instance between documents)."""

    def __init__(self, seed: str = "semsiedit") -> None:
        self.seed = seed
        self._lock = threading.RLock()
        self._by_key: dict[tuple[str, str], _Entity] = {}
        self._entities: list[_Entity] = []
        self._counts: dict[str, int] = {}
        self._fakes_used: dict[str, set[str]] = {}
        # Called with (label, value, surrogate, unique) for every rendering: `semsiedit.mapping`
        # builds the reversible surrogate -> original map from it. `unique`: only this entity gets it.
        self.observers: list[Callable[[str, str, str, bool], None]] = []

    def __len__(self) -> int:
        return len(self._entities)

    # -- entity resolution -------------------------------------------------------------------

    def _person_tokens(self, key: str) -> set[str]:
        return {t for t in key.split() if t}

    def _find_person(self, key: str, scope: set[int] | None) -> _Entity | None:
        """Exact name, else a unique partial match ("Gonzalez" <-> "Maria Gonzalez").

        Single-word partial matches only count within `scope` (the current document): across a
        whole run a bare "Maria" is too likely to be someone else.
        """
        hit = self._by_key.get(("PERSON", key))
        if hit:
            return hit
        tokens = self._person_tokens(key)
        if not tokens:
            return None

        def related(e: _Entity) -> bool:
            return e.label == "PERSON" and (tokens <= e.tokens or e.tokens <= tokens)

        if scope:
            local = [e for e in self._entities if e.id in scope and related(e)]
            if len(local) == 1:
                return local[0]
            if len(local) > 1:
                return None  # "Gonzalez" with two Gonzalezes in the document: keep them apart
        if len(tokens) >= 2:
            wide = [e for e in self._entities if related(e) and len(tokens & e.tokens) >= 2]
            if len(wide) == 1:
                return wide[0]
        return None

    def _entity(self, label: str, value: str, scope: set[int] | None, create: bool = True) -> _Entity | None:
        key = normalise_key(label, value)
        entity = self._find_person(key, scope) if label == "PERSON" else self._by_key.get((label, key))
        if entity is None:
            if not create:
                return None
            self._counts[label] = self._counts.get(label, 0) + 1
            entity = _Entity(len(self._entities), label, self._counts[label], key)
            self._entities.append(entity)
        if label == "PERSON":
            entity.tokens |= self._person_tokens(key)
            if len(key.split()) > len(entity.full):
                entity.full = key.split()
        self._by_key.setdefault((label, key), entity)
        if scope is not None:
            scope.add(entity.id)
        return entity

    # -- rendering ---------------------------------------------------------------------------

    def render(self, label: str, value: str, *, mode: Mode = "descriptor", slot: Slot = "np",
               scope: set[int] | None = None) -> str:  # fmt: skip
        """The surrogate for `value` of entity type `label` (a Presidio/spaCy label)."""
        label = canonical_label(label)
        base, possessive = split_possessive(value) if label == "PERSON" else (value, "")
        with self._lock:
            entity = self._entity(label, base, scope)
            assert entity is not None
            if mode == "placeholder":
                out = f"<{label}_{entity.number}>"
            elif mode == "fake" and (fake := self._fake(entity, base)):
                out = fake
            else:
                out = self._descriptor(entity, base, slot)
            for observer in self.observers:
                observer(label, base, out, label == "PERSON" or mode == "placeholder" or bool(entity.fake))
        return out + possessive

    def lookup_person(self, value: str, *, mode: Mode = "descriptor", scope: set[int] | None = None) -> str | None:
        """The surrogate of an already known person, or None (never creates one)."""
        with self._lock:
            if self._entity("PERSON", split_possessive(value)[0], scope, create=False) is None:
                return None
            return self.render("PERSON", value, mode=mode, scope=scope)

    def _descriptor(self, entity: _Entity, value: str, slot: Slot) -> str:
        if entity.label == "PERSON":
            return f"Person {letters(entity.number)}"
        if entity.label == "LOCATION":
            return location_kind(value)
        if entity.label == "DATE_TIME":
            return date_descriptor(value)
        table = load_data("surrogates")["descriptors"]
        forms = table.get(entity.label, table["_default"])
        return forms.get(slot) or forms["np"]

    # -- fake mode ---------------------------------------------------------------------------

    def _hash(self, entity: _Entity, attempt: int) -> int:
        digest = hashlib.sha256(f"{self.seed}|{entity.label}|{entity.key}|{attempt}".encode()).digest()
        return int.from_bytes(digest[:8], "big")

    def _fake(self, entity: _Entity, value: str) -> str | None:
        if not entity.fake:
            used = self._fakes_used.setdefault(entity.label, set())
            for attempt in range(64):
                candidate = self._make_fake(entity, value, self._hash(entity, attempt))
                if candidate is None:
                    return None
                if candidate not in used and not self._too_close(entity, candidate, value):
                    break
            else:
                candidate = f"{candidate} {entity.number}"
            used.add(candidate)
            entity.fake = candidate
        if entity.label != "PERSON":
            return entity.fake
        return self._fake_mention(entity, value)

    @staticmethod
    def _too_close(entity: _Entity, candidate: str, value: str) -> bool:
        """A fake must not reveal the value: no shared name part, never the value itself."""
        if entity.label == "PERSON":
            words = set(re.findall(r"\w+", value.casefold()))
            return bool(words & set(re.findall(r"\w+", candidate.casefold())))
        return normalise_key(entity.label, candidate) == entity.key

    def _make_fake(self, entity: _Entity, value: str, h: int) -> str | None:
        fake = load_data("surrogates")["fake"]
        first = fake["first"][h % len(fake["first"])]
        last = fake["last"][(h // 101) % len(fake["last"])]
        label = entity.label
        if label == "PERSON":
            return f"{first} {last}"
        if label == "EMAIL_ADDRESS":
            return f"{first.lower()}.{last.lower()}@{fake['domains'][(h // 7) % len(fake['domains'])]}"
        if label == "PHONE_NUMBER":
            # 555-01xx numbers are reserved for fiction in North America.
            return f"({200 + h % 800}) 555-01{(h // 800) % 100:02d}"
        if label == "LOCATION":
            return fake["cities"][h % len(fake["cities"])] if location_kind(value) == "a city" else None
        if label == "ADDRESS":
            return f"{100 + h % 900} {fake['streets'][(h // 900) % len(fake['streets'])]}"
        if label == "URL":
            return f"https://www.example.com/{last.lower()}"
        if label == "IP_ADDRESS":
            return f"192.0.2.{1 + h % 254}"  # TEST-NET-1, never routed
        if label == "CREDIT_CARD":
            return f"4000 0000 0000 {h % 10000:04d}"
        if label in ("IBAN_CODE", "US_BANK_NUMBER"):
            return f"GB{10 + h % 90} TEST 0000 {h % 100000000:08d}"
        if label == "US_SSN":
            return f"9{h % 100:02d}-{10 + (h // 100) % 90}-{1000 + (h // 10000) % 9000}"  # 9xx: never issued
        return None

    def _fake_mention(self, entity: _Entity, value: str) -> str:
        """Render one mention of a fake person: title kept, partial names map to the fake's parts."""
        title, name = split_title(value.strip())
        mkey = normalise_key("PERSON", name)
        if mkey in entity.mentions:
            return title + entity.mentions[mkey]
        fake_first, _, fake_last = entity.fake.partition(" ")
        words, full = mkey.split(), entity.full
        if len(words) >= 2:
            rendered = entity.fake
        elif len(full) >= 2 and words == full[-1:]:
            rendered = fake_last
        elif len(full) >= 2 and words == full[:1]:
            rendered = fake_first
        else:
            # A lone name: with a title it is a surname ("Ms. Gonzalez"), without one a first name.
            rendered = fake_last if title else fake_first
        entity.mentions[mkey] = rendered
        return title + rendered
