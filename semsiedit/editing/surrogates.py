"""Consistent typed surrogates for structured PII, shared by every document of a run.

The same value always gets the same surrogate ("Maria Gonzalez" -> "Person K" in every document),
and later partial mentions of a person in the same document ("Ms. Gonzalez", "Maria") resolve to
the same entity. Three renderings (settings.pseudonyms):

- descriptor: readable stand-ins: "Person A"; other types a noun phrase that fits its slot
  ("an e-mail address", "call me at the number on file", "Phone: withheld");
- placeholder: "<PERSON_417>", "<EMAIL_ADDRESS_52>": Presidio-style, numbered per type;
- fake: realistic invented values from small bundled lists.

Every surrogate (the letters, the number, the fake) is derived from the value and the run key, never
from the order values are seen in, so reruns, `--resume` and `--jobs N` give identical output.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from semsiedit.data_files import load_data
from semsiedit.places import building_kinds, location_kind
from semsiedit.text import MONTH_NAMES

Mode = Literal["descriptor", "placeholder", "fake"]
Slot = Literal["np", "prep", "label"]

# Types whose key ignores formatting: "555-123-4567" and "(555) 123 4567" are the same number.
_DIGIT_KEYED = {
    "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_ITIN", "US_BANK_NUMBER", "US_PASSPORT",
    "US_DRIVER_LICENSE", "UK_NHS", "MEDICAL_LICENSE", "IP_ADDRESS", "MAC_ADDRESS",
}  # fmt: skip
_YEAR = re.compile(r"^(?:in |the )?(?:(?:early|mid|late)[- ])?(?:1[5-9]|20)\d\d(?:s)?$", re.IGNORECASE)
_TIME = re.compile(
    r"\d{1,2}[:.]\d{2}|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\b(?:noon|midnight|morning|evening|night)\b", re.I
)


def canonical_label(label: str) -> str:
    label = label.upper()
    return load_data("surrogates")["label_aliases"].get(label, label)


@lru_cache(maxsize=1)
def _titles() -> list[str]:
    """Every title a name may open with, longest first: the detection lexicon's and the editing extras,
    but not one that is also a given name ("Dean Morgan" is a person, so "Dean" and "Morgan" are one)."""
    from semsiedit.detection.first_names import first_names
    from semsiedit.detection.names import titles

    every = {*titles(), *load_data("surrogates")["extra_titles"]}
    return sorted((t for t in every if t not in first_names()), key=lambda t: (-len(t), t))


@lru_cache(maxsize=1)
def _title_re() -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, _titles()))
    return re.compile(rf"^(?:(?:{alternatives})\.?\s+)+", re.IGNORECASE)


def split_title(name: str) -> tuple[str, str]:
    """("Dr. ", "Maria Gonzalez") for "Dr. Maria Gonzalez"; a bare title is left as the name."""
    m = _title_re().match(name)
    if not m or m.end() == len(name):
        return "", name
    return name[: m.end()], name[m.end() :]


@lru_cache(maxsize=1)
def _title_before_re() -> re.Pattern[str]:
    alternatives = "|".join(map(re.escape, _titles()))
    # A full stop only after a lower-case ending ("Dr. "): "Leicester DC. Ravi" ends a sentence at "DC".
    return re.compile(rf"(?<![\w'’])(?:{alternatives})(?:(?<=(?-i:[a-z]))\.)? $", re.IGNORECASE)


def title_before(text: str, start: int) -> int:
    """Length of a title ("Dr. ", "Senator ") directly before text[start], else 0."""
    m = _title_before_re().search(text, max(0, start - 20), start)
    # Only a capitalised title: in "my brother Kenneth" the kinship word stays.
    return len(m.group(0)) if m and m.group(0)[:1].isupper() else 0


def _title_of(name: str) -> str:
    """The title of a name, case- and dot-folded ("mr" for "Mr. Daniel Okafor's"), else ""."""
    title = split_title(split_possessive(name.strip())[0])[0]
    return " ".join(title.replace(".", " ").casefold().split())


_MALE_TITLES = frozenset({"mr", "mister", "sir", "lord", "herr", "monsieur", "m", "señor", "sr", "signor"})
_FEMALE_TITLES = frozenset({
    "mrs", "ms", "miss", "madam", "lady", "dame", "frau", "madame", "mme", "señora", "sra", "signora",
})  # fmt: skip


def _gender_clash(title: str, titles: set[str]) -> bool:
    """Whether `title` names the other gender than one of `titles` ("mr" against {"mrs"})."""
    if title in _MALE_TITLES:
        return bool(titles & _FEMALE_TITLES)
    return title in _FEMALE_TITLES and bool(titles & _MALE_TITLES)


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


_MONTH_ONLY = re.compile(rf"(?:(?:early|late|mid)[ \t-]*)?(?:{'|'.join(MONTH_NAMES)})\Z", re.IGNORECASE)


def date_descriptor(value: str) -> str:
    v = value.strip()
    if _YEAR.match(v):
        return "a certain year"
    if _TIME.search(v):
        return "a certain time"
    if _MONTH_ONLY.match(v):
        return "a certain month"  # "died in September" -> "died in a certain month"
    return "a certain date"


# Descriptor codes run A..Z, AA..ZZ: 702 readable stand-ins per type ("Person K", "Person QF").
CODE_SPACE = 26 + 26 * 26
DEFAULT_RUN_KEY = "semsiedit"


@dataclass
class _Entity:
    label: str
    key: str  # the canonical (first registered, fullest) normalised value: what the surrogate derives from
    code: int  # 1..CODE_SPACE: the descriptor letters and the placeholder number
    tokens: set[str] = field(default_factory=set)  # PERSON: name parts, for aliasing
    aliases: set[str] = field(default_factory=set)  # every normalised value resolved to this entity
    full: list[str] = field(default_factory=list)  # PERSON: the longest form of the name seen
    titles: set[str] = field(default_factory=set)  # PERSON: titles seen with the name ("mr", "dr")
    fake: str = ""  # fake mode: the full fake value (PERSON: "First Last")
    mentions: dict[str, str] = field(default_factory=dict)  # fake mode: mention key -> rendered mention
    rendered: dict[str, str] = field(default_factory=dict)  # surrogate text -> the original value it replaced


class SurrogateMap:
    """Thread-safe value -> surrogate registry (share one instance between the documents of a run).

    A surrogate is a deterministic function of the value's canonical form and the run key (HMAC), not
    of the order documents are processed in: `--resume`, `--jobs N` and two runs with the same key give
    byte-identical output, and "Maria Gonzalez" is the same stand-in in every document. Name variants
    resolve within a `scope` (one document's edit pass): the full names are registered first, and
    "Marchetti", "Senator Marchetti" and "Evelyn" then take the full name's surrogate. Two different
    values whose codes collide in one scope are told apart deterministically (the later registered
    one takes its next code); across documents a code may stand for two different people.
    With the default run key anyone can recompute a surrogate from a guessed value; a secret key
    (`surrogate_key`) makes them non-guessable.
    """

    def __init__(self, seed: str = DEFAULT_RUN_KEY) -> None:
        self.seed = seed
        self._key = seed.encode("utf-8")
        self._lock = threading.RLock()
        # Per-scope entities, dropped when the caller's scope set is garbage collected.
        self._scopes: dict[int, list[_Entity]] = {}
        self._global: set[int] = set()  # the scope of calls without one
        # Called with (label, value, surrogate, unique) for every rendering: `semsiedit.mapping`
        # builds the reversible surrogate -> original map from it. `unique`: no other entity of the
        # document gets it (across documents a code can recur for another value: the vault leaves
        # such ambiguous surrogates out).
        self.observers: list[Callable[[str, str, str, bool], None]] = []

    def __len__(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._scopes.values())

    # -- entity resolution -------------------------------------------------------------------

    def _entities_of(self, scope: set[int] | None) -> list[_Entity]:
        scope = self._global if scope is None else scope
        ident = id(scope)
        found = self._scopes.get(ident)
        if found is None:
            found = self._scopes[ident] = []
            if scope is not self._global:
                weakref.finalize(scope, self._scopes.pop, ident, None)
        return found

    def _digest(self, *parts: object) -> int:
        message = "|".join(str(p) for p in parts).encode("utf-8", "surrogatepass")
        return int.from_bytes(hmac.new(self._key, message, hashlib.sha256).digest()[:8], "big")

    @staticmethod
    def _person_tokens(key: str) -> set[str]:
        # A quoted or bracketed nickname is one of the person's names: "Margaret 'Peggy' Doyle" ... "Peggy",
        # "Oluwadamilare (Dami) Adeyinka" ... "Dami".
        return {w for t in key.split() if (w := t.strip("'\"‘’“”,.()"))}  # "Hernandez, Luis A." too

    def _find_person(self, key: str, title: str, local: list[_Entity]) -> _Entity | None:
        """The same name, else a unique partial match in the scope ("Gonzalez" <-> "Maria Gonzalez"),
        else the one partial match seen with the same title ("Mr Okafor" <-> "Mr Daniel Okafor",
        not his son "Chidi Okafor")."""
        # "Mr Achterberg" and "Mrs Achterberg" are two people: a title of the other gender never joins them.
        people = [e for e in local if e.label == "PERSON" and not _gender_clash(title, e.titles)]
        for e in people:
            if key in e.aliases:
                return e
        tokens = self._person_tokens(key)
        if not tokens:
            return None
        related = [e for e in people if tokens <= e.tokens or e.tokens <= tokens]
        if not related and any(len(t) == 1 for t in tokens):
            # "D. Whitlock" signing "Deborah Ann Whitlock"'s statement: an initial for a given name.
            related = [e for e in people if _initials_fit(tokens, e.tokens)]
        if not related and len(tokens) == 1:
            # "Hi Pete," in a reply to "Peter Sowerby": a short form of the given name of one person.
            formal = formal_names(next(iter(tokens)))
            related = [e for e in people if e.full and e.full[0] in formal]
        if len(related) > 1 and title:
            related = [e for e in related if title in e.titles]
        return related[0] if len(related) == 1 else None  # two Gonzalezes: keep them apart

    def _entity(self, label: str, value: str, scope: set[int] | None, create: bool = True) -> _Entity | None:
        key = normalise_key(label, value)
        local = self._entities_of(scope)
        title = _title_of(value) if label == "PERSON" else ""
        if label == "PERSON":
            entity = self._find_person(key, title, local)
        else:
            entity = next((e for e in local if e.label == label and e.key == key), None)
        if entity is None:
            if not create:
                return None
            taken = {e.code for e in local if e.label == label}
            attempt = 0
            code = 1 + self._digest(label, key, attempt) % CODE_SPACE
            while code in taken and attempt < 4 * CODE_SPACE:
                attempt += 1
                code = 1 + self._digest(label, key, attempt) % CODE_SPACE
            entity = _Entity(label, key, code)
            local.append(entity)
            if scope is not None:
                scope.add(len(local))
        entity.aliases.add(key)
        if label == "PERSON":
            entity.tokens |= self._person_tokens(key)
            if title:
                entity.titles.add(title)
            if len(key.split()) > len(entity.full):
                entity.full = key.split()
        return entity

    def mapping(self, scope: set[int] | None = None) -> dict[str, str]:
        """Surrogate text -> the original value it replaced, for the values rendered in `scope` (one
        document's edit pass; None: calls made without a scope). For restoring or reviewing a rewrite."""
        with self._lock:
            out: dict[str, str] = {}
            for entity in self._entities_of(scope):
                out.update(entity.rendered)
            return out

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
                out = f"<{label}_{entity.code}>"
            elif mode == "fake" and (fake := self._fake(entity, base, scope)):
                out = fake
            else:
                out = self._descriptor(entity, base, slot)
            entity.rendered.setdefault(out, base.strip())
            for observer in self.observers:
                # One stand-in per person or account ("Person A", "User QX") is reversible; a descriptor is not.
                unique = label == "PERSON" or out.startswith("User ") or mode == "placeholder" or bool(entity.fake)
                observer(label, base, out, unique)
        return out + possessive

    def lookup_person(self, value: str, *, mode: Mode = "descriptor", scope: set[int] | None = None) -> str | None:
        """The surrogate of an already known person, or None (never creates one)."""
        with self._lock:
            if self._entity("PERSON", split_possessive(value)[0], scope, create=False) is None:
                return None
            return self.render("PERSON", value, mode=mode, scope=scope)

    def _descriptor(self, entity: _Entity, value: str, slot: Slot) -> str:
        if entity.label == "PERSON":
            return f"Person {letters(entity.code)}"
        if entity.label == "USERNAME" and slot != "label":
            # One stand-in per account, as for people: who wrote what still reads ("User QX: ...").
            return f"User {letters(entity.code)}"
        if entity.label == "LOCATION" or (entity.label == "ORGANIZATION" and location_kind(value) in building_kinds()):
            return location_kind(value)  # an organisation that is a school, a hospital ...: "a school"
        if entity.label == "DATE_TIME":
            return date_descriptor(value)
        table = load_data("surrogates")["descriptors"]
        forms = table.get(entity.label, table["_default"])
        return forms.get(slot) or forms["np"]

    # -- fake mode ---------------------------------------------------------------------------

    def _hash(self, entity: _Entity, attempt: int) -> int:
        return self._digest("fake", entity.label, entity.key, attempt)

    def _fake(self, entity: _Entity, value: str, scope: set[int] | None) -> str | None:
        if not entity.fake:
            used = {e.fake for e in self._entities_of(scope) if e.label == entity.label and e.fake}
            for attempt in range(64):
                candidate = self._make_fake(entity, value, self._hash(entity, attempt))
                if candidate is None:
                    return None
                if candidate not in used and not self._too_close(entity, candidate, value):
                    break
            else:
                candidate = f"{candidate} {entity.code}"
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


def _initials_fit(tokens: set[str], names: set[str]) -> bool:
    """Every whole word is one of `names` and every initial starts another of them."""
    words = {t for t in tokens if len(t) > 1}
    initials = [t for t in tokens if len(t) == 1]
    rest = names - words
    return bool(words) and words <= names and all(any(n.startswith(i) for n in rest) for i in initials)


@lru_cache(maxsize=4096)
def formal_names(given: str) -> frozenset[str]:
    """The full given names a short form stands for, lower case ("pete" -> {"peter"}; "bob" ->
    {"robert", …}), from the `nicknames` package's hand-curated table."""
    from semsiedit.detection.first_names import nick_namer

    return frozenset(nick_namer().canonicals_of(given.casefold()))
