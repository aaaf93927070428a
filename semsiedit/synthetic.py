"""A seeded generator of labelled synthetic records (issue 11.5), for development, tests and
benchmarks/bench_records.py.

Each record is one of six domains (clinical note, HR e-mail, support ticket, forum post, biography,
letter) about private people, built from templates whose slots are filled with Faker values and with
attribute terms; every inserted value is labelled by its offsets, its type and its kind:
- `direct`: names (full, first-only, surname-only), e-mail, phone, SSN, record and account numbers,
  street addresses, URLs;
- `quasi`: city, ZIP code or postcode, a full date, an age over 89, an employer;
- `kept`: a state, which the record profile keeps;
- `attribute`: a sensitive attribute (health, medication, religion, politics, union, finances,
  criminal record, addiction, sexuality, family).
Sentences with nothing inserted are listed as `neutral`: a rewrite must keep them.

Faker is a development dependency (the `dev` extra); it is imported on first use.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

DOMAINS = ("clinical", "hr_email", "ticket", "forum", "biography", "letter")

# Attribute terms per type: what a rewrite must no longer say (or let a reader infer).
ATTRIBUTES: dict[str, list[str]] = {
    "health": ["bipolar disorder", "HIV", "type 2 diabetes", "breast cancer", "schizophrenia", "epilepsy",
               "multiple sclerosis", "depression", "Parkinson's disease"],
    "medication": ["lithium", "insulin", "sertraline", "methadone", "antiretrovirals", "olanzapine"],
    "religion": ["a Jehovah's Witness", "a devout Muslim", "a Baptist", "a Methodist", "a practising Catholic",
                 "a Mormon"],
    "politics": ["a registered Republican", "a Labour Party member", "a registered Democrat", "a Green Party member"],
    "union": ["a member of the Transport Workers Union", "a shop steward", "a member of the Nurses Union"],
    "finances": ["bankrupt", "$48,000 in credit card debt", "behind on rent", "in arrears on the mortgage"],
    "criminal": ["convicted of burglary", "on probation", "arrested for drunk driving", "jailed for fraud"],
    "addiction": ["a gambling addiction", "an opioid addiction", "an alcohol addiction"],
    "sexuality": ["gay", "bisexual", "transgender"],
    "family": ["going through a divorce", "in a custody battle"],
}  # fmt: skip
_ATTRIBUTE_PHRASES: dict[str, list[str]] = {
    "health": ["{first} was diagnosed with {v} last year.", "{first} has been living with {v} for years."],
    "medication": ["{first} takes {v} every day.", "{first} was started on {v}."],
    "religion": ["{first} is {v} and attends services weekly.", "{first} is {v}."],
    "politics": ["{first} is {v}.", "{first} has been {v} since college."],
    "union": ["{first} is {v}.", "{first} became {v} last spring."],
    "finances": ["{first} is {v}.", "{first} has been {v} since the spring."],
    "criminal": ["{first} was {v} in the past.", "{first} was {v} two years ago."],
    "addiction": ["{first} is in treatment for {v}.", "{first} has struggled with {v}."],
    "sexuality": ["{first} is {v} and lives with a partner.", "{first} came out as {v} at work."],
    "family": ["{first} is {v}.", "{first} has been {v} since January."],
}
_NEUTRAL = [
    "The meeting room on the second floor has been repainted.",
    "Please bring the signed forms to the front desk.",
    "The weather was mild for most of the week.",
    "The new scheduling system goes live next month.",
    "Parking is available behind the main building.",
    "The cafeteria now opens at seven in the morning.",
    "Our team finished the quarterly inventory on time.",
    "The software update fixed the printing problem.",
    "Coffee and tea are provided in the break room.",
    "The library extended its opening hours for the exam period.",
]
_KIND = {
    "PERSON": "direct", "FIRST_NAME": "direct", "SURNAME": "direct", "EMAIL_ADDRESS": "direct",
    "PHONE_NUMBER": "direct", "US_SSN": "direct", "MEDICAL_RECORD_NUMBER": "direct", "ACCOUNT_NUMBER": "direct",
    "STREET_ADDRESS": "direct", "URL": "direct",
    "CITY": "quasi", "ZIP_CODE": "quasi", "DATE": "quasi", "AGE": "quasi", "EMPLOYER": "quasi",
    "STATE": "kept",  # states and countries stay under the record profile
}  # fmt: skip


@dataclass
class Span:
    start: int
    end: int
    value: str
    type: str
    kind: str  # direct | quasi | attribute

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "value": self.value, "type": self.type, "kind": self.kind}


@dataclass
class Record:
    id: str
    domain: str
    text: str
    spans: list[Span] = field(default_factory=list)
    neutral: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "domain": self.domain, "text": self.text,
                "spans": [s.to_dict() for s in self.spans], "neutral": self.neutral}  # fmt: skip


class _Builder:
    """Appends text and records the offsets of every slot value."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[Span] = []
        self.neutral: list[str] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def slot(self, value: str, type_: str, kind: str | None = None) -> None:
        self.spans.append(Span(self.length, self.length + len(value), value, type_, kind or _KIND[type_]))
        self.add(value)

    def fill(self, template: str, values: dict[str, tuple[str, str]]) -> None:
        """`template` with {name} slots; values: name -> (value, type)."""
        pos = 0
        for m in re.finditer(r"\{(\w+)\}", template):
            self.add(template[pos : m.start()])
            value, type_ = values[m.group(1)]
            self.slot(value, type_, "attribute" if type_ in ATTRIBUTES else None)
            pos = m.end()
        self.add(template[pos:])

    def neutral_sentence(self, rng: random.Random) -> None:
        sentence = rng.choice(_NEUTRAL)
        self.neutral.append(sentence)
        self.add(sentence)

    def text(self) -> str:
        return "".join(self.parts)


def _person(fake: Any, rng: random.Random) -> dict[str, tuple[str, str]]:
    first, last = fake.first_name(), fake.last_name()
    attr_type = rng.choice(list(ATTRIBUTES))
    attr_type2 = rng.choice([t for t in ATTRIBUTES if t != attr_type])
    street = fake.street_address()
    return {
        "name": (f"{first} {last}", "PERSON"), "first": (first, "FIRST_NAME"), "last": (last, "SURNAME"),
        "title_last": (f"Mr. {last}" if rng.random() < 0.5 else f"Ms. {last}", "SURNAME"),
        "email": (f"{first.lower()}.{last.lower()}@{fake.free_email_domain()}", "EMAIL_ADDRESS"),
        "phone": (f"({rng.randint(201, 989)}) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}", "PHONE_NUMBER"),
        "ssn": (f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}", "US_SSN"),
        "mrn": (f"{rng.randint(1000000, 9999999)}", "MEDICAL_RECORD_NUMBER"),
        "account": (f"{rng.randint(10000000, 99999999)}", "ACCOUNT_NUMBER"),
        "street": (street, "STREET_ADDRESS"), "city": (fake.city(), "CITY"),
        "state": (fake.state_abbr(include_territories=False), "STATE"),
        "zip": (fake.zipcode(), "ZIP_CODE"),
        "date": (fake.date_between(start_date="-3y", end_date="today").strftime("%B %-d, %Y"), "DATE"),
        "age": (str(rng.randint(90, 103)), "AGE"),
        "employer": (f"{fake.last_name()} {rng.choice(['Logistics', 'Analytics', 'Foods', 'Builders'])} Inc.",
                     "EMPLOYER"),
        "attr": (rng.choice(ATTRIBUTES[attr_type]), attr_type), "attr_type": (attr_type, ""),
        "attr2": (rng.choice(ATTRIBUTES[attr_type2]), attr_type2), "attr2_type": (attr_type2, ""),
        "colleague": (fake.first_name(), "FIRST_NAME"),
    }  # fmt: skip


# Per domain: paragraphs of templates. {attr_sentence} and {attr2_sentence} expand to an attribute phrase.
_TEMPLATES: dict[str, list[str]] = {
    "clinical": [
        "Patient: {name}\nMRN: {mrn}\nDOB: {date}\n",
        "{name}, aged {age}, was seen in clinic on {date}. {attr_sentence} ",
        "{first} lives at {street}, {city}, {state} {zip} and can be reached at {phone}. {attr2_sentence}\n",
    ],
    "hr_email": [
        "From: {email}\nSubject: leave request\n\nHi {colleague},\n\n",
        "I am writing about {name} from our {city} office. {attr_sentence} ",
        "{title_last} asked that this stay confidential; please call {phone} before {date}. {attr2_sentence}\n",
    ],
    "ticket": [
        "Ticket opened by {name} ({email}), account {account}.\n",
        "The customer says the invoice for {street}, {city} {zip} was wrong. {attr_sentence} ",
        "Please call {first} back on {phone}. {attr2_sentence}\n",
    ],
    "forum": [
        "Posted by {first} from {city}:\n",
        "My neighbour {name} told me something I can't stop thinking about. {attr_sentence} ",
        "{title_last} works at {employer} and is {age} years old. {attr2_sentence}\n",
    ],
    "biography": [
        "{name} was born in {city} and worked for {employer} until {date}. ",
        "{attr_sentence} Friends describe {first} as generous. ",
        "{title_last} now lives at {street}, {city}, {state} {zip}. {attr2_sentence}\n",
    ],
    "letter": [
        "Dear {colleague},\n\n",
        "I am writing on behalf of my client {name} (SSN {ssn}). {attr_sentence} ",
        "{first} can be reached at {email} or {phone}. {attr2_sentence}\n\nKind regards,\n{colleague}\n",
    ],
}


def generate(n: int, seed: int = 0, domains: tuple[str, ...] = DOMAINS) -> list[Record]:
    """`n` records, deterministic for a seed (the same seed gives the same records and offsets)."""
    try:
        from faker import Faker
    except ImportError:  # pragma: no cover - the dev extra has it
        raise RuntimeError("the synthetic record generator needs Faker: pip install 'semsiedit[dev]'") from None
    Faker.seed(seed)
    fake = Faker("en_US")
    rng = random.Random(seed)
    records = []
    for i in range(n):
        domain = domains[i % len(domains)]
        values = _person(fake, rng)
        builder = _Builder()
        for number, paragraph in enumerate(_TEMPLATES[domain]):
            if number and rng.random() < 0.7:  # not before a header line
                builder.neutral_sentence(rng)
                builder.add(" ")
            for piece in re.split(r"(\{attr2?_sentence\})", paragraph):
                if piece in ("{attr_sentence}", "{attr2_sentence}"):
                    key = "attr" if piece == "{attr_sentence}" else "attr2"
                    phrase = rng.choice(_ATTRIBUTE_PHRASES[values[f"{key}_type"][0]])
                    builder.fill(phrase.replace("{v}", "{" + key + "}"), values)
                elif piece:
                    builder.fill(piece, values)
        records.append(Record(f"{domain}-{i}", domain, builder.text(), builder.spans, builder.neutral))
    return records
