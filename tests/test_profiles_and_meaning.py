"""Issue 11: protection profiles, statement-level edits and the form guard, through the real pipeline
(real spaCy, Presidio and lexicons; no scoring). Each case is one of the issue's examples; the checks
are about meaning (what must survive, what must go), not about exact wording."""

from __future__ import annotations

import re

import pytest

from semsiedit.config import Settings
from semsiedit.editing import LocalEditor, apply_edits
from semsiedit.profile import Profile, apply_profile, choose_profile, place_kind
from semsiedit.types import Edit, Finding
from semsiedit.verify import check_form

SURROGATE = re.compile(r"Person [A-Z]{1,3}\b")


def run(text: str, profile: str = "auto", context: str | None = None) -> tuple[str, dict | None]:
    from semsiedit.loop import build_loop
    from semsiedit.types import Document

    loop = _loops.setdefault(profile, build_loop(Settings(score=False, profile=profile), with_scorer=False))
    result = loop.run(Document(id="d", text=text, context=context))
    return result.rewritten, result.profile


_loops: dict = {}


# -- public text keeps public people, places, countries -------------------------------------------

PUBLIC = [
    ("In 2020, actor Tom Hanks publicly expressed support for Donald Trump.", ["Tom Hanks", "2020"]),
    ("In 2012 Hillary Clinton was serving as U.S. Secretary of State.", ["Hillary Clinton", "U.S. Secretary of State"]),
    ("North Carolina is home to two of the five most polluted rivers in the U.S.", ["North Carolina", "the U.S"]),
    ("Florida Governor Ron DeSantis signed the bill into law.", ["Florida Governor Ron DeSantis"]),
    ("As a AI language model, I cannot give opinions about politicians.", ["AI language model"]),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "kept"), PUBLIC)
def test_public_text_keeps_public_people_and_places(text: str, kept: list[str]) -> None:
    out, profile = run(text, context="Tell me about American politics.")
    assert profile is not None and profile["name"] == "public" and "question" in profile["reason"]
    for value in kept:
        assert value in out, out
    assert not SURROGATE.search(out) and "a city" not in out and "A state" not in out, out


@pytest.mark.slow
def test_countries_and_states_are_kept_under_record_too() -> None:
    out, profile = run("Maria Lopez moved from North Carolina to the U.S. capital in 2019, then to Canada.", "record")
    assert profile == {"name": "record", "reason": "set by --profile / config", "protect": "", "preserve": "",
                       "language": "en"}
    assert "North Carolina" in out and "Canada" in out and "U.S." in out and "Maria" not in out


def test_place_kind_reads_abbreviations() -> None:
    assert place_kind("U.S.") == place_kind("the U.S") == "a country"
    assert place_kind("North Carolina") is not None
    assert place_kind("Springfield") is None


def test_auto_profile_uses_content_and_question() -> None:
    letter = "Dear Dr. Patel,\nMy husband was admitted last week. Patient ID: 44812.\nKind regards,\nAnna"
    assert choose_profile(letter, None, []).name == "record"
    answer = "As an AI language model, I can say that President Obama won the election in 2008."
    chosen = choose_profile(answer, "Who won in 2008?", [])
    assert chosen.name == "public" and chosen.reason.startswith("auto:")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An assistant's voice is no writer's: "I'm unable to verify", "I have not seen any credible reports".
        ("I am unable to verify that Elon Musk and Ghislaine Maxwell were ever photographed together.", "public"),
        ("I have not seen any credible reports about Governor Ron DeSantis signing such a law. It's important to "
         "verify claims like this.", "public"),
        ("This statement is incorrect. Gov. Tony Evers has not announced plans to hike the gas tax.", "public"),
        ("In a 2021 interview with Oprah Winfrey, Meghan said she had experienced suicidal thoughts.", "public"),
        ("I apologise, but there seems to be an error in your question. The senator never said that.", "public"),
        ("I'm unable to comment on specific events involving Gary Lineker.", "public"),
        # A note's shorthand names no one, yet it is a record; "her former partner" is no former office.
        ("Pt is a 67 yo M w/ hx of CHF, DM2 and HTN who presented to the ED on 3/14/24 c/o SOB.", "record"),
        ("A 38-year-old taxi driver with a 6-month history of low mood and early waking.", "record"),
        ("We continued trauma processing around the assault by her former partner in 2019.", "record"),
        ("I am so tired. I have been caring for my mum since her stroke.", "record"),
        # A leaflet's dose is no clinical note, and it names no one.
        ("Ibuprofen is used to relieve pain. The usual adult dose is 200 to 400 mg every four to six hours.", "public"),
    ],
)
def test_auto_profile_reads_an_assistants_voice_and_a_notes_shorthand(text: str, expected: str) -> None:
    assert choose_profile(text, None, []).name == expected, choose_profile(text, None, []).reason


def test_public_profile_keeps_names_but_not_contact_details() -> None:
    text = "Senator Kim (kim@example.org) spoke."
    people = Finding(0, 11, "Senator Kim", "pii", "PERSON")
    mail = Finding(13, 28, "kim@example.org", "pii", "EMAIL_ADDRESS")
    kept = apply_profile([people, mail], Profile("public", "test"))
    assert kept == [mail] and text[mail.start : mail.end] == mail.text


def test_public_profile_keeps_birth_dates_and_weak_privacy_cues() -> None:
    """A public figure's birth date is public record ("born on December 9, 1916" became "born on a
    certain date"); a weak privacy cue (severity 1) and a note about nobody named are kept, a
    stronger cue about a person is still sensitive."""
    born = Finding(20, 36, "December 9, 1916", "pii", "DATE_OF_BIRTH")
    kirk = {"category": "privacy", "label": "health", "subject": "Kirk Douglas"}
    weak = Finding(0, 30, "Kirk Douglas died in Beverly Hills", severity=1, **kirk)  # type: ignore[arg-type]
    strong = Finding(0, 30, "Kirk Douglas had a stroke in 1996", severity=2, **kirk)  # type: ignore[arg-type]
    nobody = Finding(0, 20, "Type 2 diabetes: symptoms", "privacy", "health", severity=2)  # a heading
    public, record = Profile("public", "test"), Profile("record", "test")
    assert apply_profile([born, weak, strong, nobody], public) == [strong]
    assert apply_profile([born, weak, strong, nobody], record) == [born, weak, strong, nobody]


def test_profile_and_goals_reach_the_llm_prompts() -> None:
    from semsiedit.editing.llm import LLMEditor

    profile = Profile("record", "test", protect="the employer's name", preserve="the dates of the shifts")
    _, user = LLMEditor(None, Settings()).render("Text.", None, [Finding(0, 4, "Text", "pii", "PERSON")], profile)  # type: ignore[arg-type]
    assert "Protection profile: record" in user and "the employer's name" in user and "the dates of the shifts" in user


# -- no meaning-breaking edits --------------------------------------------------------------------

UNTOUCHED = [
    "I've been charged twice for my subscription this month.",
    "Why do you sell our health data to the government?",
    "A flyer claimed that the water supply was poisoned.",
    "My cousin swears that the moon landing was faked.",
    "The mayor quit the Senate race in June, citing health and family reasons.",
    "Three candidates are running in the race for governor this year.",
]


@pytest.mark.slow
@pytest.mark.parametrize("text", UNTOUCHED)
def test_non_sensitive_senses_and_attributed_claims_are_untouched(text: str) -> None:
    out, _ = run(text)
    assert out == text


def _edit(text: str, quote: str, replacement: str, strategy: str = "hedge") -> Edit:
    start = text.index(quote)
    return Edit(start, start + len(quote), quote, replacement, strategy=strategy)


def test_form_guard() -> None:
    text = "Critics called him a fraud."
    assert check_form(text, _edit(text, "fraud", "irregularities"))
    assert check_form(text, _edit(text, "fraud", "controversial figure")) is None
    text = "Finch is a racist."
    assert check_form(text, _edit(text, "racist", "divisive"))
    assert check_form(text, _edit(text, "a racist", "a divisive"))
    text = "Er ist ein widerlicher Typ."
    assert check_form(text, _edit(text, "Typ", "Person H", "pseudonym"))
    text = "Please contact Harcourt & Lyle Solicitors about the lease."
    assert check_form(text, _edit(text, "Harcourt", "Person C", "pseudonym"))
    text = "Maria Gonzalez and Ana Gonzalez spoke. My brother Kenneth came."
    assert check_form(text, _edit(text, "Ana Gonzalez", "Person B", "pseudonym")) is None
    assert check_form(text, _edit(text, "Kenneth", "Person C", "pseudonym")) is None


def test_rejected_edit_falls_back_to_a_descriptor_of_the_right_form() -> None:
    text = "Critics called him a fraud."
    finding = Finding(text.index("fraud"), text.index("fraud") + 5, "fraud", "harmful", "accusation", id="f1")
    out = apply_edits(text, LocalEditor(Settings()).propose(text, None, [finding]).edits)
    assert "fraud" not in out and "irregularities" not in out and re.search(r"\ba [a-z]+ [a-z]+\.$", out), out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "gone", "profile"),
    [
        ("Finch is a racist.", ["racist", "a divisive."], "auto"),
        ("He was convicted of insurance fraud in 2019.", ["fraud", "not been proven"], "auto"),
        ("Er ist ein widerlicher Typ.", ["Person"], "record"),
        ("Please contact Harcourt & Lyle Solicitors about the lease.", ["Person"], "record"),
        ("The theory spread after the murder of Seth Rich in 2016.", ["not been proven", "unconfirmed"], "auto"),
    ],
)
def test_no_meaning_breaking_edits(text: str, gone: list[str], profile: str) -> None:
    out, _ = run(text, profile)
    for value in gone:
        assert value not in out, out
    assert len(out) >= 0.7 * len(text)


# -- record leaks ----------------------------------------------------------------------------------

RECORD = (
    "Gregory Paulsen\n14 Elm Street, Portland, OR 97999\n"
    "He is a Jehovah's Witness and a member of the Data Workers Union. She votes Labour and attends the "
    "Baptist church on Sundays. He owes $40,000 in credit card debt and is struggling with a gambling "
    "addiction. Sarah takes lithium every day. Her postcode is WB4 0ZZ. Everyone knows he is a drunk who "
    "lied to the council. He is a crook and a corrupt liar."
)


@pytest.mark.slow
def test_record_leaks_are_removed() -> None:
    out, profile = run(RECORD, "record")
    assert profile is not None and profile["name"] == "record"
    for value in ["Gregory", "Paulsen", "97999", "WB4 0ZZ", "Jehovah", "Data Workers", "Labour", "Baptist",
                  "$40,000", "gambling", "lithium", "drunk", "crook", "liar", "Sarah"]:  # fmt: skip
        assert value not in out, (value, out)
    assert "OR" in out  # the state stays


@pytest.mark.slow
def test_a_clinical_note_without_subjects_loses_its_diagnoses() -> None:
    """Notes are written without subjects ("History of COPD, managed with metformin."): the statement
    is about the note's person all the same; a general statement about a condition is not."""
    text = ("Patient: Rosa Delgado, 67\n\nMrs. Delgado presents with shortness of breath. History of COPD and "
            "type 2 diabetes, managed with metformin. Takes lithium daily. Lives in Bronx, NY 10456.\n\n"
            "Diabetes is common in older adults.")  # fmt: skip
    out, _ = run(text, "record")
    for value in ["COPD", "type 2", "metformin", "lithium", "Delgado", "Bronx", "10456"]:
        assert value not in out, (value, out)
    assert "NY" in out and "Diabetes is common in older adults." in out, out


def test_a_medication_that_names_the_condition_is_generalised() -> None:
    """Inference leaks: carbidopa-levodopa names Parkinson's, donepezil Alzheimer's; so does a
    drinking habit stated in a clause flagged for another attribute."""
    out, _ = run("My husband Greg has Parkinson's and takes carbidopa-levodopa twice a day. "
                 "His mother took donepezil for years.", "record")  # fmt: skip
    for value in ["levodopa", "carbidopa", "donepezil", "Parkinson", "Greg"]:
        assert value not in out, (value, out)
    assert "twice a day" in out and "for years" in out, out
    out, _ = run("Patient: Rosa Delgado\n\nShe reports drinking about six beers a day since her divorce.", "record")
    for value in ["beers", "six", "divorce", "Delgado"]:
        assert value not in out, (value, out)


def test_record_dates_keep_the_year_and_old_ages_are_capped() -> None:
    out, _ = run("Mrs. Ilse Brandt, aged 94, was admitted on March 3, 2021 and discharged on 12/03/2021.", "record")
    assert "2021" in out and "March 3" not in out and "12/03" not in out and "94" not in out, out


@pytest.mark.slow
def test_a_birth_date_keeps_its_year_unless_that_gives_an_age_over_89() -> None:
    out, _ = run("Name: Hal Berger\nDOB: 02/11/1984\n\nHis mother, born 3 June 1921, lives with him.", "record")
    assert "1984" in out and "02/11" not in out, out
    assert "1921" not in out and "3 June" not in out, out


@pytest.mark.slow
def test_record_field_dates_and_religion_inside_another_attribute_are_removed() -> None:
    """A date in a record's field ("Encounter date:") is tied to the person; a denomination inside a
    clause flagged for another attribute is generalised with it."""
    text = ("Client: Jonas Feld\nEncounter date: 11/05/2023\n\nJonas told me he recently came out as bisexual "
            "to his grandparents, who are strict Lutherans.")
    out, _ = run(text, "record")
    for value in ["11/05", "Lutheran", "bisexual", "Jonas", "Feld"]:
        assert value not in out, (value, out)
    assert "2023" in out and "grandparents" in out, out


@pytest.mark.slow
def test_misinformation_is_attributed_and_corrected_not_deleted() -> None:
    text = "These vaccines are known to trigger neurodegenerative disease."
    out, _ = run(text)
    assert out != text and "vaccines" in out and "neurodegenerative disease" in out and "no such link" in out
