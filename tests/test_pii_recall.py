"""Structured-PII recall: names in fields, after cues and titles, name propagation, identifiers, phone
numbers, and the cleaning of spaCy's PERSON/LOCATION mistakes. Real spaCy + Presidio."""

from __future__ import annotations

import pytest

from semsiedit.config import Settings
from semsiedit.detection import DetectionEngine
from semsiedit.detection.identifiers import find_identifiers
from semsiedit.detection.names import scan_name
from semsiedit.detection.phones import find_phones
from semsiedit.text import alternation
from semsiedit.types import Finding


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(Settings(categories=["pii"])).load()


def _pii(engine: DetectionEngine, text: str) -> list[Finding]:
    found = [f for f in engine.detect(text) if f.category == "pii"]
    for f in found:
        assert text[f.start : f.end] == f.text  # offsets point into the text
    return found


def _labelled(found: list[Finding], label: str) -> set[str]:
    return {f.text for f in found if f.label == label}


def _covered(found: list[Finding], text: str, value: str, label: str = "PERSON") -> bool:
    """Every occurrence of `value` in `text` lies inside a finding with `label`."""
    pos = text.find(value)
    assert pos >= 0
    while pos >= 0:
        if not any(f.label == label and f.start <= pos and pos + len(value) <= f.end for f in found):
            return False
        pos = text.find(value, pos + 1)
    return True


# --- 1. labelled fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Patient: Marcus Delaney Whitford\nDOB: 03/14/1979\n", "Marcus Delaney Whitford"),
        ("Customer: Harold Beaumont\nPhone: 555-0188\n", "Harold Beaumont"),
        ("Employee: Anna-Lena van der Berg\nDept: Sales\n", "Anna-Lena van der Berg"),
        ("From: Jasmine Okafor <jasmine.okafor@example.com>\nSubject: hello\n", "Jasmine Okafor"),
        ("Attending: Dr. Priya Raman, MD\n", "Dr. Priya Raman"),
        ("Name: Åsa Lindqvist\n", "Åsa Lindqvist"),
        ("Dear Mr Ashworth,\n\nWe write to you.", "Mr Ashworth"),
        ("Please find it attached.\n\nKind regards,\nJasmine Okafor\nSenior Analyst\n", "Jasmine Okafor"),
        ("Thanks for everything.\n\nYours sincerely,\n\nRebecca Harcourt\nPartner\n", "Rebecca Harcourt"),
    ],
)
def test_names_in_labelled_fields(engine: DetectionEngine, text: str, name: str) -> None:
    found = _pii(engine, text)
    assert name in _labelled(found, "PERSON")


def test_field_list_of_non_ascii_names_with_exact_offsets(engine: DetectionEngine) -> None:
    text = "Notes — Comité\r\nAttendees: Zoë Müller (chair), José Ñúñez, Åsa Lindqvist and Małgorzata Wiśniewska\r\n"
    found = _pii(engine, text)
    names = ["Zoë Müller", "José Ñúñez", "Åsa Lindqvist", "Małgorzata Wiśniewska"]
    persons = {(f.start, f.end) for f in found if f.label == "PERSON"}
    for name in names:
        start = text.index(name)
        assert (start, start + len(name)) in persons  # character (not byte) offsets, no "\r" swallowed


@pytest.mark.parametrize(
    "text",
    [
        "To: HR Department <hr@example.com>\nSubject: complaint\n",
        "Channel: Web form\nSubmitted: 2024-11-02\n",
        "Dear HR team,\nI am writing about the rota.",
        "Hi all,\nthe meeting moved.",
        "Date of visit: 09/22/2024\nPlan: rest\n",
    ],
)
def test_field_values_that_are_not_names(engine: DetectionEngine, text: str) -> None:
    assert _labelled(_pii(engine, text), "PERSON") == set()


def test_username_after_posted_by(engine: DetectionEngine) -> None:
    found = _pii(engine, "Posted by: desert_rose_82 | 2024-08-19 23:58\n")
    assert "desert_rose_82" in _labelled(found, "USERNAME")


# --- name cues and role nouns --------------------------------------------------------------------


def test_name_after_role_noun_and_cue(engine: DetectionEngine) -> None:
    text = (
        "I am writing to complain about my team lead, Gregory Paulsen. Summary — written by Åsa Lindqvist. "
        "My husband Luis was upset."
    )
    found = _labelled(_pii(engine, text), "PERSON")
    assert {"Gregory Paulsen", "Åsa Lindqvist", "Luis"} <= found


def test_role_noun_followed_by_a_company_is_not_a_person(engine: DetectionEngine) -> None:
    text = "Her landlord, Haverly Property Group, raised the rent. His brother, who lives nearby, agreed."
    assert _labelled(_pii(engine, text), "PERSON") == set()


# --- 2. name propagation and titles --------------------------------------------------------------


def test_surname_title_and_possessive_propagate(engine: DetectionEngine) -> None:
    text = (
        "Westfield city councilman Douglas T. Farraday, 58, faces accusations. "
        "Critics say Farraday lied. Councilman Farraday denied it, and Farraday's office declined to comment."
    )
    found = _pii(engine, text)
    assert _covered(found, text, "Farraday")
    assert "Councilman Farraday" in _labelled(found, "PERSON")
    possessive = next(f for f in found if f.text.startswith("Farraday") and text[f.end : f.end + 2] == "'s")
    assert possessive.text == "Farraday"  # the "'s" stays outside


def test_given_name_and_title_surname_propagate(engine: DetectionEngine) -> None:
    text = (
        "Subject: complaint about my team lead, Gregory Paulsen\n\n"
        "I believe that Gregory has been committing fraud. Mr. Paulsen denies it."
    )
    found = _pii(engine, text)
    assert _covered(found, text, "Gregory")
    assert "Mr. Paulsen" in _labelled(found, "PERSON")


def test_propagation_skips_emails_urls_and_common_words(engine: DetectionEngine) -> None:
    text = (
        "Patient: Dana Brown\nE-mail: dana.brown@example.com\nSite: https://example.org/Brown\n"
        "She wore a brown coat. Brown was seen on Monday."
    )
    found = _pii(engine, text)
    assert "dana.brown@example.com" in _labelled(found, "EMAIL_ADDRESS")
    assert not any(f.label == "PERSON" and "@" in f.text for f in found)
    # "brown" is also a common word in this text: the surname alone is not propagated.
    assert not any(f.label == "PERSON" and f.text == "Brown" for f in found)


def test_title_with_proper_noun_is_a_person(engine: DetectionEngine) -> None:
    text = "Refer to behavioral health; Dr. Okafor will see him. Later Herr Haßler arrived."
    found = _labelled(_pii(engine, text), "PERSON")
    assert {"Dr. Okafor", "Herr Haßler"} <= found


def test_headline_title_with_verb_is_not_a_person(engine: DetectionEngine) -> None:
    text = "Councilman Accused of Steering Contracts to Brother-in-Law's Firm\n\nThe story follows."
    assert not any("Accused" in f.text for f in _pii(engine, text))


def test_non_ascii_names_propagate_with_exact_offsets(engine: DetectionEngine) -> None:
    text = "Attendees: Günter Haßler, François Ébrard\n\n3. Haßler was absent. François claimed otherwise."
    found = _pii(engine, text)
    for value in ("Haßler", "François"):
        assert _covered(found, text, value)


def test_place_names_propagate(engine: DetectionEngine) -> None:
    text = (
        "HARCOURT & LYLE SOLICITORS\n12 Chancery Mews, Westbridge, WB9 9ZZ\n\n"
        "You posted statements on the Westbridge Residents Facebook group about the Westbridge council."
    )
    found = _pii(engine, text)
    assert _covered(found, text, "Westbridge", "LOCATION")


# --- 3. identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("MRN: TEST-MRN-0042-7781\n", "TEST-MRN-0042-7781"),
        ("Insurance member ID: FAKE-INS-55120938\n", "FAKE-INS-55120938"),
        ("my team lead (employee ID EMP-TEST-20417) said", "EMP-TEST-20417"),
        ("I joined the union (member no. DWU-FAKE-88213) in August", "DWU-FAKE-88213"),
        ("Account number: ACCT-0000-7731-FAKE\n", "ACCT-0000-7731-FAKE"),
        ("Probate case number: EST-FAKE-2024-1187.", "EST-FAKE-2024-1187"),
        ("my renewal (receipt no. IOE-TEST-0912345678) is pending", "IOE-TEST-0912345678"),
        ("Our ref: HL/TEST/2024/0517\n", "HL/TEST/2024/0517"),
        ("Ticket #CS-TEST-004581\nChannel: web", "CS-TEST-004581"),
        ("a copy of my ID (driver's licence no. DL-FAKE-0099-1234) if required", "DL-FAKE-0099-1234"),
        ("Policy number 8812345 was cancelled.", "8812345"),
        ("patient ID PT-TEST-330912, passed away", "PT-TEST-330912"),
        ("her permit (Aufenthaltstitel no. AT-FAKE-77120) is up", "AT-FAKE-77120"),  # bare ID shape
        ("please use IBAN XX00 TEST 0000 0000 0000 00 (fake)", "XX00 TEST 0000 0000 0000 00"),
    ],
)
def test_identifiers(engine: DetectionEngine, text: str, value: str) -> None:
    found = _pii(engine, text)
    hit = [f for f in found if f.text == value]
    assert hit, found
    assert hit[0].label not in ("PERSON", "LOCATION", "PHONE_NUMBER") and hit[0].score >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "In case 2019 was a bad year, the reference 2024 still applies.",  # years are not IDs
        "Date of visit: 09/22/2024. Ref: 2024-11-02.",  # dates
        "The COVID-19 wave and the mRNA-1273 vaccine, PHQ-9 score 17.",  # product / test names
        "Account balance: $1,250.00 and reference €4 870.",  # money
        "Call the office on 555-0106.",  # a phone number, not an ID
    ],
)
def test_not_identifiers(text: str) -> None:
    assert find_identifiers(text) == []


def test_ids_inside_urls_are_left_to_the_url(engine: DetectionEngine) -> None:
    text = "Portal: https://portal.example.org/patient/TEST-0042-7781 for details."
    found = _pii(engine, text)
    assert {f.label for f in found} == {"URL"}


# --- 4. phone numbers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tel: 555-0106 | Email: office@example.com", "555-0106"),
        ("Phone: 555-0188\nBilling address: none", "555-0188"),
        ("my phone number is 555-0135. Probate", "555-0135"),
        ("I can be reached at (555) 555-0129 or at home.", "(555) 555-0129"),
        ("Reached by phone at his office (555-0152), he denied it.", "555-0152"),
        ("DM me or text 555-0114, or e-mail me.", "555-0114"),
        ("Summary (asa@example.org, tel. 555-0193):", "555-0193"),
        ("Call me at +44 20 7946 0958 after six.", "+44 20 7946 0958"),
    ],
)
def test_phone_numbers(engine: DetectionEngine, text: str, value: str) -> None:
    found = _pii(engine, text)
    assert any(f.label == "PHONE_NUMBER" and f.text == value for f in found), found


@pytest.mark.parametrize(
    "text",
    [
        "Born 03/14/1979; BP 142/91; HbA1c 8.9%; visit on 2024-11-02 16:47.",
        "Card on file: 4000 0000 0000 0002, exp 08/27. Total $1,250.00.",
        "Between 2019-2024 the fund paid €4 870 and 1.2 million.",
        "Order ORD-555-0199 shipped.",
    ],
)
def test_not_phone_numbers(text: str) -> None:
    assert find_phones(text) == []


# --- 5./6. spaCy false positives -----------------------------------------------------------------


def test_religious_groups_pronouns_and_kinship_words_are_not_persons(engine: DetectionEngine) -> None:
    text = (
        "His parents are devout Jehovah's Witnesses. Dad refused treatment. I told Mom. "
        "She attends the Westbridge Methodist congregation and her family are Catholics."
    )
    found = _pii(engine, text)
    bad = {"Jehovah", "Jehovah's Witnesses", "Dad", "Mom", "I", "Methodist", "Catholics"}
    assert not {f.text for f in found if f.label in ("PERSON", "LOCATION")} & bad


def test_visit_dates_and_acronyms_are_not_persons(engine: DetectionEngine) -> None:
    text = (
        "Attending: Dr. Priya Raman, MD\nDate of visit: 09/22/2024\n\n"
        "My cousin swears that the COVID vaccine is what caused it."
    )
    found = _pii(engine, text)
    persons = _labelled(found, "PERSON")
    assert "Dr. Priya Raman" in persons
    assert not persons & {"09/22/2024", "COVID", "MD"}
    assert not any(f.text == "MD" for f in found)


def test_person_span_is_cut_at_a_line_break(engine: DetectionEngine) -> None:
    text = "Yours sincerely,\n\nRebecca Harcourt\nPartner, Harcourt & Lyle Solicitors\n"
    found = _pii(engine, text)
    assert not any(f.label == "PERSON" and "\n" in f.text for f in found)
    assert "Rebecca Harcourt" in _labelled(found, "PERSON")


def test_organisation_and_building_names_are_not_persons(engine: DetectionEngine) -> None:
    text = "Meeting notes — Residents’ Committee, Résidence Les Tilleuls\nDate: 15 January 2025\n"
    assert _labelled(_pii(engine, text), "PERSON") == set()


# --- helpers -------------------------------------------------------------------------------------


def test_scan_name_shapes() -> None:
    name = scan_name("Dr. José Ñúñez-García de la Vega's file", 0)
    assert name is not None and name.title == "Dr"
    assert "Dr. José Ñúñez-García de la Vega's file"[name.start : name.end] == "Dr. José Ñúñez-García de la Vega"
    assert scan_name("HR Department", 0) is None
    assert scan_name("the manager", 0) is None
    assert scan_name("JOHN SMITH", 0) is not None


def test_alternation_prefers_longer_terms() -> None:
    import re

    pattern = re.compile(rf"(?:{alternation(['ref', 'reference', 'our ref'])})\b")
    assert pattern.match("reference").group() == "reference"
    assert pattern.match("our  ref").group() == "our  ref"
