"""The local editor on realistic sentences of each category (findings built directly, no detector)."""

from __future__ import annotations

import re
import threading

import pytest

from semsiedit.config import Settings
from semsiedit.editing import LocalEditor, SurrogateMap, apply_edits, insert_hedge
from semsiedit.editing.proposal import Proposal
from semsiedit.types import Finding


def find(text: str, quote: str, category: str, label: str, fid: str, nth: int = 0, **kw: object) -> Finding:
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Finding(start, start + len(quote), quote, category, label, id=fid, **kw)  # type: ignore[arg-type]


def surrogate(value: str, label: str = "PERSON", mode: str = "descriptor") -> str:
    """The stand-in a fresh map derives for `value` (surrogates are a function of value and run key)."""
    return SurrogateMap().render(label, value, mode=mode)  # type: ignore[arg-type]


def rewrite(editor: LocalEditor, text: str, findings: list[Finding]) -> tuple[str, Proposal]:
    proposal = editor.propose(text, None, findings)
    return apply_edits(text, proposal.edits), proposal  # raises if edits overlap


def assert_fluent(out: str) -> None:
    """No template seams: single spaces, no doubled articles, a/an agreement, capital sentence starts."""
    assert "  " not in out, out
    assert not re.search(r"\b(a|an|the) (a|an|the)\b", out, re.I), out
    assert not re.search(r"\ban [bcdfgjkpqtvwxz]", out), out
    assert not re.search(r"\ba [aeio]\w", out), out
    for sentence in re.split(r"(?<=[.!?])\s+", out.strip()):
        assert sentence[:1].isupper() or sentence[:1] == "<", (sentence, out)


def assert_absent(out: str, *values: str) -> None:
    for value in values:
        assert not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", out, re.I), (value, out)


@pytest.fixture
def editor() -> LocalEditor:
    return LocalEditor(Settings())


# -- categories ---------------------------------------------------------------------------------


def test_health_clause_with_name_inside(editor: LocalEditor) -> None:
    text = "Maria Gonzalez was diagnosed with HIV last year. Ms. Gonzalez now lives in Boston."
    findings = [
        find(text, "Maria Gonzalez was diagnosed with HIV last year", "privacy", "health", "f1"),
        find(text, "Maria Gonzalez", "pii", "PERSON", "f2"),
        find(text, "Gonzalez", "pii", "PERSON", "f3", nth=1),
        find(text, "Boston", "pii", "LOCATION", "f4"),
    ]
    out, proposal = rewrite(editor, text, findings)
    a = surrogate("Maria Gonzalez")
    assert out == f"{a} was diagnosed with a chronic health condition last year. {a} now lives in a city."
    assert_absent(out, "Maria", "Gonzalez", "HIV", "Boston", "Ms.")
    assert_fluent(out)
    clause = proposal.edits[0]
    assert clause.finding_ids == ["f1", "f2"] and clause.strategy == "generalise" and clause.category == "privacy"
    assert all(e.editor == "local" for e in proposal.edits)


@pytest.mark.parametrize(
    ("text", "quote", "label", "flagged", "expected"),
    [
        ("He was diagnosed with bipolar disorder in 2019.", "He was diagnosed with bipolar disorder in 2019.",
         "health", ["bipolar disorder"], "He was diagnosed with a mental-health condition in 2019."),
        ("My colleague is gay and lives with his partner.", "My colleague is gay", "sexuality", ["gay"],
         "My colleague is private about their personal life and lives with his partner."),
        ("Our new neighbour is a devout Muslim.", "Our new neighbour is a devout Muslim.", "religion",
         ["Muslim", "devout"], "Our new neighbour is a person of faith."),
        ("The tenant is an undocumented immigrant from abroad.", "The tenant is an undocumented immigrant",
         "immigration", ["undocumented", "immigrant"], "The tenant is a resident from abroad."),
        ("In 2015 the driver was convicted of burglary.", "the driver was convicted of burglary", "criminal_record",
         ["convicted", "burglary"], "In 2015 the driver was involved in a past legal matter."),
        ("Their neighbour is $40,000 in debt and went bankrupt.",
         "Their neighbour is $40,000 in debt and went bankrupt.", "finances", ["$40,000", "debt", "bankrupt"],
         "Their neighbour is under financial strain and ran into money problems."),
        ("Karen is a union member at the plant.", "Karen is a union member", "union", ["union"],
         "Karen is a member of a workplace group at the plant."),
        ("She is going through a bitter divorce and a custody battle.",
         "She is going through a bitter divorce and a custody battle.", "family", ["divorce", "custody"],
         "She is going through a family matter."),
        ("He voted for Trump and has conservative views.", "He voted for Trump and has conservative views.",
         "politics", ["Trump", "conservative"], "He voted and has personal views."),
    ],
)  # fmt: skip
def test_privacy_attributes_are_generalised_inside_the_clause(
    editor: LocalEditor, text: str, quote: str, label: str, flagged: list[str], expected: str
) -> None:
    out, proposal = rewrite(editor, text, [find(text, quote, "privacy", label, "f1")])
    assert out == expected
    assert_absent(out, *flagged)
    assert_fluent(out)
    assert proposal.edits[0].strategy == "generalise"


def test_article_agreement_at_a_seam(editor: LocalEditor) -> None:
    text = "She had an abortion last spring and an HIV test."
    out, _ = rewrite(editor, text, [find(text, "She had an abortion last spring", "privacy", "health", "f1")])
    assert out == "She had a private health matter last spring and an HIV test."
    text = "Tom described his divorce to the court."
    out, _ = rewrite(editor, text, [find(text, "Tom described his divorce", "privacy", "family", "f1")])
    assert out == "Tom described his family matter to the court."


def test_harmful_accusation_is_hedged(editor: LocalEditor) -> None:
    text = "The senator embezzled campaign funds. He denies it."
    out, proposal = rewrite(
        editor, text, [find(text, "The senator embezzled campaign funds.", "harmful", "accusation", "f1")]
    )
    assert out == "The senator allegedly mishandled campaign funds, though this has not been proven. He denies it."
    assert_absent(out, "embezzled")
    assert_fluent(out)
    assert proposal.edits[0].strategy == "hedge" and proposal.edits[0].category == "harmful"


def test_insults_become_neutral(editor: LocalEditor) -> None:
    text = "My manager is an idiot and a liar."
    out, _ = rewrite(editor, text, [find(text, text, "harmful", "insult", "f1")])
    assert_absent(out, "idiot", "liar")
    assert out.startswith("My manager is a difficult person and someone whose statements are disputed")
    assert_fluent(out)


def test_harmful_without_known_term_gets_hedge_adverb(editor: LocalEditor) -> None:
    text = "Reports say the mayor hid the donations from auditors."
    quote = "the mayor hid the donations from auditors"
    out, _ = rewrite(editor, text, [find(text, quote, "harmful", "misconduct", "f1")])
    assert out == "Reports say the mayor allegedly hid the donations from auditors, though this has not been proven."
    assert quote not in out  # the flagged statement never survives verbatim


def test_misinformation_is_attributed(editor: LocalEditor) -> None:
    text = "Vaccines cause autism."
    out, proposal = rewrite(editor, text, [find(text, text, "misinformation", "medical_claim", "f1")])
    # A claim the table knows to be false is corrected, not only attributed (never deleted).
    assert out == "Vaccines supposedly cause autism, but large studies have found no such link."
    assert proposal.edits[0].strategy == "attribute"
    text = "The moon landing was faked. NASA hid the evidence."
    out, _ = rewrite(editor, text, [find(text, text, "misinformation", "conspiracy", "f1")])
    assert out == (
        "The moon landing was supposedly faked. NASA supposedly hid the evidence. "
        "These claims are not supported by reliable evidence."
    )


def test_privacy_without_known_term_is_generalised_whole(editor: LocalEditor) -> None:
    text = "Yesterday he saw a specialist about his persistent symptoms."
    out, proposal = rewrite(
        editor, text, [find(text, "he saw a specialist about his persistent symptoms", "privacy", "health", "f1")]
    )
    assert out == "Yesterday he has a personal health matter."
    assert proposal.edits[0].strategy == "generalise"


def test_bare_name_flagged_as_semsi_becomes_pseudonym(editor: LocalEditor) -> None:
    text = "Reporters keep asking about Seth Rich and his family."
    out, _ = rewrite(editor, text, [find(text, "Seth Rich", "privacy", "health", "f1")])
    assert out == f"Reporters keep asking about {surrogate('Seth Rich')} and his family."


# -- PII ----------------------------------------------------------------------------------------

CONTACT = "Call me at 555-123-4567 or e-mail john.smith@gmail.com. My SSN is 123-45-6789. Visit https://js.example.org"


def contact_findings() -> list[Finding]:
    return [
        find(CONTACT, "555-123-4567", "pii", "PHONE_NUMBER", "f1"),
        find(CONTACT, "john.smith@gmail.com", "pii", "EMAIL_ADDRESS", "f2"),
        find(CONTACT, "123-45-6789", "pii", "US_SSN", "f3"),
        find(CONTACT, "https://js.example.org", "pii", "URL", "f4"),
    ]


def test_descriptor_mode_reads_naturally(editor: LocalEditor) -> None:
    out, proposal = rewrite(editor, CONTACT, contact_findings())
    assert out == (
        "Call me at the number on file or e-mail the e-mail address on file. My SSN is withheld. Visit a website"
    )
    assert {e.strategy for e in proposal.edits} == {"generalise"}


def test_placeholder_mode() -> None:
    out, proposal = rewrite(LocalEditor(Settings(pseudonyms="placeholder")), CONTACT, contact_findings())
    phone, email, ssn, url = (surrogate(f.text, f.label, "placeholder") for f in contact_findings())
    assert re.fullmatch(r"<PHONE_NUMBER_\d+>", phone)
    assert out == f"Call me at {phone} or e-mail {email}. My SSN is {ssn}. Visit {url}"
    assert {e.strategy for e in proposal.edits} == {"placeholder"}


def test_fake_mode_is_realistic_and_deterministic() -> None:
    text = "Dr. Maria Gonzalez (maria.g@gmail.com, 555-123-4567) met Carlos Ruiz. Gonzalez left."
    findings = [
        find(text, "Maria Gonzalez", "pii", "PERSON", "f1"),
        find(text, "maria.g@gmail.com", "pii", "EMAIL_ADDRESS", "f2"),
        find(text, "555-123-4567", "pii", "PHONE_NUMBER", "f3"),
        find(text, "Carlos Ruiz", "pii", "PERSON", "f4"),
        find(text, "Gonzalez", "pii", "PERSON", "f5", nth=1),
    ]
    out1, proposal = rewrite(LocalEditor(Settings(pseudonyms="fake")), text, findings)
    out2, _ = rewrite(LocalEditor(Settings(pseudonyms="fake")), text, findings)
    assert out1 == out2  # seeded by the value, not by chance
    assert_absent(out1, "Maria", "Gonzalez", "Carlos", "Ruiz", "maria.g@gmail.com", "555-123-4567")
    m = re.match(r"Dr\. (\w+) (\w+) \((\S+@example\.\w+), \(\d{3}\) 555-01\d\d\) met \w+ \w+\. (\w+) left\.$", out1)
    assert m, out1
    assert m.group(4) == m.group(2)  # "Gonzalez" alone is the fake surname
    assert {e.strategy for e in proposal.edits} == {"fake"}


def test_same_value_same_surrogate_across_documents() -> None:
    shared = SurrogateMap()
    settings = Settings()
    doc1 = "Maria Gonzalez called Carlos Ruiz."
    doc2 = "Yesterday Carlos Ruiz met MARIA  GONZALEZ again."
    out1, _ = rewrite(
        LocalEditor(settings, shared),
        doc1,
        [find(doc1, "Maria Gonzalez", "pii", "PERSON", "f1"), find(doc1, "Carlos Ruiz", "pii", "PERSON", "f2")],
    )
    out2, _ = rewrite(
        LocalEditor(settings, shared),
        doc2,
        [find(doc2, "Carlos Ruiz", "pii", "PERSON", "f1"), find(doc2, "MARIA  GONZALEZ", "pii", "PERSON", "f2")],
    )
    a, b = surrogate("Maria Gonzalez"), surrogate("Carlos Ruiz")
    assert a != b
    assert out1 == f"{a} called {b}."
    assert out2 == f"Yesterday {b} met {a} again."


def test_partial_names_resolve_within_a_document(editor: LocalEditor) -> None:
    text = "Maria visited. Later Maria Gonzalez and Ana Gonzalez spoke; Ms. Gonzalez thanked Maria's doctor."
    findings = [
        find(text, "Maria", "pii", "PERSON", "f1"),
        find(text, "Maria Gonzalez", "pii", "PERSON", "f2"),
        find(text, "Ana Gonzalez", "pii", "PERSON", "f3"),
        find(text, "Gonzalez", "pii", "PERSON", "f4", nth=2),
        find(text, "Maria", "pii", "PERSON", "f5", nth=2),
    ]
    out, _ = rewrite(editor, text, findings)
    # "Ms. Gonzalez" is ambiguous between two Gonzalezes: a separate person, never the wrong one.
    a, b, c = surrogate("Maria Gonzalez"), surrogate("Ana Gonzalez"), surrogate("Gonzalez")
    assert len({a, b, c}) == 3
    assert out == f"{a} visited. Later {a} and {b} spoke; {c} thanked {a}'s doctor."


def test_surrogate_map_is_thread_safe() -> None:
    shared = SurrogateMap()
    names = [f"Name{i} Surname{i}" for i in range(40)]
    results: dict[str, set[str]] = {n: set() for n in names}

    def work() -> None:
        for n in names:
            results[n].add(shared.render("PERSON", n))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(len(v) == 1 for v in results.values())
    assert len({next(iter(v)) for v in results.values()}) == len(names)


def test_nrp_and_location_descriptors(editor: LocalEditor) -> None:
    text = "Soros, a Hungarian-American billionaire, moved to France."
    out, _ = rewrite(
        editor,
        text,
        [find(text, "Hungarian-American", "pii", "NRP", "f1"), find(text, "France", "pii", "LOCATION", "f2")],
    )
    assert out == "Soros, an American billionaire, moved to a country."


# -- structure ----------------------------------------------------------------------------------


def test_overlapping_findings_give_non_overlapping_edits(editor: LocalEditor) -> None:
    text = "Critics say Dr. John Smith lied about the trial and that Smith is an idiot."
    findings = [
        find(text, "John Smith lied about the trial", "harmful", "accusation", "f1"),
        find(text, "Dr. John Smith", "pii", "PERSON", "f2"),
        find(text, "Smith lied", "privacy", "other", "f3"),  # cuts across the name: merged, not overlapping
        find(text, "Smith is an idiot", "harmful", "insult", "f4"),
        find(text, "Smith", "pii", "PERSON", "f5", nth=1),
    ]
    out, proposal = rewrite(editor, text, findings)
    ids = [i for e in proposal.edits for i in e.finding_ids]
    assert sorted(ids) == ["f1", "f2", "f3", "f4", "f5"]
    assert_absent(out, "John", "Smith", "lied", "idiot", "Dr.")
    assert_fluent(out)
    a = surrogate("John Smith")
    assert out == (
        # What critics say, its terms generalised: no hedge of ours on top (session 29).
        f"Critics say {a} made inaccurate statements about the trial and that {a} is a difficult person."
    )


def test_stale_offsets_are_repaired_or_skipped(editor: LocalEditor) -> None:
    text = "Contact Maria at home."
    moved = Finding(0, 5, "Maria", "pii", "PERSON", id="f1")
    missing = Finding(0, 3, "Bob", "pii", "PERSON", id="f2")
    out, proposal = rewrite(editor, text, [moved, missing])
    assert out == f"Contact {surrogate('Maria')} at home."
    assert any("f1 offsets repaired" in n for n in proposal.notes)
    assert any("f2 not found" in n for n in proposal.notes)


def test_no_findings_no_edits(editor: LocalEditor) -> None:
    proposal = editor.propose("Nothing to see.", None, [])
    assert proposal.edits == [] and proposal.usage.calls == 0


def test_replacements_never_empty_nor_truncating(editor: LocalEditor) -> None:
    text = (
        "Ahmed, a gay Muslim refugee, was arrested for theft, is $5,000 in debt and has cancer. "
        "Critics called him a thief and a fraud. 5G towers spread the coronavirus."
    )
    findings = [
        find(text, text[: text.index(" Critics")], "privacy", "health", "f1"),
        find(text, "Ahmed", "pii", "PERSON", "f2"),
        find(text, "Critics called him a thief and a fraud.", "harmful", "insult", "f3"),
        find(text, "5G towers spread the coronavirus.", "misinformation", "conspiracy", "f4"),
    ]  # fmt: skip
    settings = Settings()
    for edit in editor.propose(text, None, findings).edits:
        assert edit.replacement.strip()
        long_enough = len(edit.replacement) >= settings.min_length_ratio * len(edit.original)
        assert long_enough or edit.strategy == "generalise"
        assert text[edit.start : edit.end] == edit.original


def test_insert_hedge_positions() -> None:
    assert insert_hedge("He was found guilty", "allegedly") == "He was allegedly found guilty"
    assert insert_hedge("Trump has an account", "allegedly") == "Trump allegedly has an account"
    assert insert_hedge("Google removed the images", "allegedly") == "Google allegedly removed the images"
    assert insert_hedge("It is a well-documented fact", "supposedly") == "It is supposedly a well-documented fact"
    assert insert_hedge("He reportedly lied", "allegedly") == "He reportedly lied"  # already hedged
    assert insert_hedge("Hello", "allegedly") is None


# -- seams seen on the samples (each a general rule, not a per-sample patch) -------------------


def test_replacement_keeps_the_whitespace_its_match_took(editor: LocalEditor) -> None:
    text = "He is sleeping on a couch after falling about $38,000 behind on payments."
    quote = "is sleeping on a couch after falling about $38,000 behind on payments"
    out, _ = rewrite(editor, text, [find(text, quote, "privacy", "finances", "f1")])
    assert out == "He is sleeping on a couch after falling about a sum of money behind on payments."
    assert_fluent(out)


def test_clause_without_a_known_term_keeps_its_non_sensitive_parts(editor: LocalEditor) -> None:
    text = (
        "She explained she has been seeing a specialist every week and her residence permit "
        "(Aufenthaltstitel no. AT-FAKE-77120) is up for renewal."
    )
    quote = "she has been seeing a specialist every week and her residence permit (Aufenthaltstitel no"
    out, proposal = rewrite(editor, text, [find(text, quote, "privacy", "health", "f1")])
    assert out == (
        "She explained she has a personal health matter and her residence permit "
        "(Aufenthaltstitel no. AT-FAKE-77120) is up for renewal."
    )
    assert proposal.edits[0].strategy == "generalise"


def test_whole_clause_template_keeps_brackets_and_quotes(editor: LocalEditor) -> None:
    text = "He said “he saw a specialist about it” yesterday."
    out, _ = rewrite(editor, text, [find(text, "“he saw a specialist about it", "privacy", "health", "f1")])
    assert out == "He said “he has a personal health matter” yesterday."


def test_known_attribute_term_with_a_diagnosis(editor: LocalEditor) -> None:
    text = "She has been off work since her multiple-sclerosis diagnosis in October."
    out, _ = rewrite(editor, text, [find(text, text, "privacy", "health", "f1")])
    assert out == "She has been off work since her diagnosis in October."


def test_no_article_after_an_adjective_or_inside_a_noun_phrase() -> None:
    from semsiedit.editing.grammar import splice as _splice

    assert _splice("the Catholic church", [(4, 12, "religious"), (13, 19, "a place of worship")], "") == (
        "the religious place of worship"
    )
    assert _splice("had early-stage dementia", [(16, 24, "a medical issue")], "") == "had an early-stage medical issue"
    assert _splice("the 2024 Valoria race", [(9, 16, "a city")], "") == "the 2024 city race"
    assert _splice("his Orthodox Jewish faith", [(4, 12, "religious"), (13, 19, "religious")], "") == (
        "his religious faith"
    )


@pytest.mark.parametrize(
    ("text", "quote", "label", "expected"),
    [
        ("My sister wants me to leave the Catholic church for good.", None, "religion",
         "My sister wants me to leave the place of worship for good."),
        ("He is very private about his Orthodox Jewish faith.", None, "religion",
         "He is very private about his personal beliefs."),
        ("Dad had stage IV pancreatic cancer and early-stage Alzheimer's.", None, "health",
         "Dad had a serious medical issue and a medical issue."),
        ("I'm also on disability for PTSD.", None, "health",
         "I'm also receiving support for a mental-health condition."),
        ("He forged the signature on the second-mortgage papers.", None, "finances",
         "He forged the signature on the loan papers."),
        ("The Black candidate lost the 2024 gubernatorial race.", None, "ethnicity", None),
        ("She was treated differently because of her race.", None, "ethnicity",
         "She was treated differently because of her background."),
        ("I told her I voted for the Green Party candidate.", "I voted for the Green Party candidate", "politics",
         "I told her I voted."),
    ],
)  # fmt: skip
def test_attribute_terms_read_naturally(
    editor: LocalEditor, text: str, quote: str | None, label: str, expected: str | None
) -> None:
    out, _ = rewrite(editor, text, [find(text, quote or text, "privacy", label, "f1", subject="I")])
    if expected is None:
        assert out == "The candidate lost the 2024 gubernatorial race."  # an election race is not ethnicity: it stays
    else:
        assert out == expected
    assert_fluent(out)


def test_name_inside_an_attribute_term_is_not_pseudonymised(editor: LocalEditor) -> None:
    text = "His parents are devout Jehovah's Witnesses."
    findings = [
        find(text, text, "privacy", "religion", "f1"),
        find(text, "Jehovah", "pii", "PERSON", "f2"),
    ]
    out, proposal = rewrite(editor, text, findings)
    assert out == "His parents are people of faith."
    assert proposal.edits[0].finding_ids == ["f1", "f2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenneth is a compulsive liar.",
         "Person A is someone whose statements are disputed, though this has not been proven."),
        ("I think he's laundering money through his car wash.",
         "I think he's moving money improperly through his car wash, though this has not been proven."),
        ("He has repeatedly harassed me.",
         "He has allegedly repeatedly mistreated me, though this has not been proven."),
        ('His manager is "a liar and a thief who cooked the books."',
         'His manager is "someone facing unproven claims who mishandled the accounts."'),
    ],
)  # fmt: skip
def test_harmful_nouns_and_verbs_keep_their_grammar(editor: LocalEditor, text: str, expected: str) -> None:
    findings = [find(text, text, "harmful", "accusation", "f1")]
    if "Kenneth" in text:
        findings.append(find(text, "Kenneth", "pii", "PERSON", "f2"))
    out, _ = rewrite(editor, text, findings)
    assert out == expected.replace("Person A", surrogate("Kenneth"))
    assert_fluent(out)


def test_one_unproven_note_per_paragraph(editor: LocalEditor) -> None:
    text = (
        "Reports say the mayor hid the donations. A rival says he lied to the council. "
        "Others say he stole from the fund.\n\nA clerk says the mayor hid the invoices."
    )
    findings = [
        find(text, "the mayor hid the donations", "harmful", "misconduct", "f1"),
        find(text, "he lied to the council", "harmful", "misconduct", "f2"),
        find(text, "he stole from the fund", "harmful", "misconduct", "f3"),
        find(text, "the mayor hid the invoices", "harmful", "misconduct", "f4"),
    ]
    out, _ = rewrite(editor, text, findings)
    first, second = out.split("\n\n")
    notes = r"though this (?:has not been proven|is unconfirmed|has not been verified)"
    assert len(re.findall(notes, first)) == 1, out
    assert len(re.findall(notes, second)) == 1, out
    assert first.startswith("Reports say the mayor allegedly hid the donations, though this has not been proven.")
    # Reported speech whose terms are generalised needs no hedge of ours (session 29).
    assert "A rival says he made inaccurate statements to the council." in first
    assert "Others say he took from the fund." in first
    assert_absent(out, "lied", "stole")
    # A second round on the rewritten text adds no note to a paragraph that has one.
    again = "He is known to have hid the money. " + out
    proposal = editor.propose(again, None, [find(again, "He is known to have hid the money", "harmful", "x", "f9")])
    assert "though" not in proposal.edits[0].replacement


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("Rumours that the mayor hid the donations are unfounded.", "the mayor hid the donations"),
        ("There is no evidence that the mayor stole from the fund.", "the mayor stole from the fund"),
        ("The senator took bribes from the contractor, which has never been proven.",
         "The senator took bribes from the contractor"),
        ("The clerk says Farraday shredded the bids. None of the claims have been independently verified.",
         "Farraday shredded the bids"),
    ],
)  # fmt: skip
def test_no_hedge_where_the_text_already_says_it_is_unproven(editor: LocalEditor, text: str, quote: str) -> None:
    """A statement the text itself calls unproven is not stated as fact: no adverb, no second note."""
    out, _ = rewrite(editor, text, [find(text, quote, "harmful", "accusation", "f1")])
    assert out == text


def test_an_edit_that_already_qualifies_gets_no_note(editor: LocalEditor) -> None:
    text = "The mayor is a thief."
    out, _ = rewrite(editor, text, [find(text, text, "harmful", "insult", "f1")])
    assert out == "The mayor is a person facing unproven claims."  # not "..., though this has not been proven"


def test_a_denial_is_not_hedged(editor: LocalEditor) -> None:
    text = "Farraday denied all wrongdoing and left."
    findings = [find(text, "Farraday denied all wrongdoing", "harmful", "accusation", "f1"),
                find(text, "Farraday", "pii", "PERSON", "f2")]  # fmt: skip
    out, _ = rewrite(editor, text, findings)
    assert out == f"{surrogate('Farraday')} denied all impropriety and left."


def test_misinformation_hedge_only_for_claims(editor: LocalEditor) -> None:
    # A plain statement flagged as misinformation (a detector's guess): de-identified, not "disproved".
    text = "Zoë Müller asked that her rent arrears of €4 870 be discussed privately. She left."
    quote = "Zoë Müller asked that her rent arrears of €4 870 be discussed privately"
    findings = [
        find(text, quote, "misinformation", "unverified_specific_claim", "f1"),
        find(text, "Zoë Müller", "pii", "PERSON", "f2"),
    ]
    out, _ = rewrite(editor, text, findings)
    assert out == f"{surrogate('Zoë Müller')} asked that her rent arrears of €4 870 be discussed privately. She left."
    text = "The meeting was moved to Tuesday."
    out, proposal = rewrite(editor, text, [find(text, text, "misinformation", "x", "f1")])
    assert out == "The meeting was reportedly moved to Tuesday."
    assert "evidence" not in out and proposal.edits[0].strategy == "attribute"
    text = "Wi-Fi repeaters emit radiation that causes cancer in children."
    out, _ = rewrite(editor, text, [find(text, text, "misinformation", "x", "f1")])
    assert "radio waves cannot cause" in out and "causes cancer in children" in out


def test_person_finding_is_trimmed_to_the_name(editor: LocalEditor) -> None:
    text = "Yours sincerely,\n\nRebecca Harcourt\nPartner, Harcourt & Lyle"
    out, _ = rewrite(editor, text, [find(text, "Rebecca Harcourt\nPartner", "pii", "PERSON", "f1")])
    assert re.fullmatch(r"Yours sincerely,\n\nPerson [A-Z]{1,2}\nPartner, Harcourt & Lyle", out), out
    # A "name" made of our own surrogates (a later round) is not a new name.
    text = "Several residents called him “ein widerlicher Person I.” Person G was not present."
    proposal = editor.propose(text, None, [find(text, "Person I.” Person G", "pii", "PERSON", "f1")])
    assert proposal.edits == []
    # A kinship word before a name is not a title.
    text = "My brother Kenneth didn't tell anyone."
    out, _ = rewrite(editor, text, [find(text, "brother Kenneth", "pii", "PERSON", "f1")])
    assert re.fullmatch(r"My brother Person [A-Z]{1,2} didn't tell anyone\.", out), out


def test_pronoun_subject_is_never_pseudonymised(editor: LocalEditor) -> None:
    text = "My name is Theresa and I see a therapist every week."
    findings = [find(text, "I see a therapist every week", "privacy", "health", "f1", subject="I")]
    out, _ = rewrite(editor, text, findings)
    assert out == "My name is Theresa and I see a specialist every week."  # a therapist names the condition
    text = "Person I and Person M agreed that I am the executor."
    quote = "Person I and Person M agreed that I am the executor"
    findings = [find(text, quote, "privacy", "family", "f1", subject="I")]
    out, _ = rewrite(editor, text, findings)
    assert "Person Person" not in out and "Person M" not in out.replace("Person I and Person M", "")


def test_url_keeps_the_full_stop_after_it(editor: LocalEditor) -> None:
    text = "Upload them to https://share.example.org/upload/TEST. I can also help."
    out, _ = rewrite(editor, text, [find(text, "https://share.example.org/upload/TEST.", "pii", "URL", "f1")])
    assert out == "Upload them to a website. I can also help."


@pytest.mark.parametrize(("text", "quote", "label", "kept"), [
    # A Title Case headline: "Steering Contracts" is not a person.
    ("Councilman Accused of Steering Contracts to Brother-in-Law's Firm", None, "family", "Steering Contracts"),
    # A company: the word after the capitalised pair ("LLC") makes it an organisation.
    ("He funneled the contracts to Cobalt Paving LLC, a company owned by his brother-in-law.",
     "funneled the contracts to Cobalt Paving LLC, a company owned by his brother-in-law", "family", "Cobalt Paving"),
])
def test_capitalised_words_that_are_not_people_are_not_pseudonymised(text, quote, label, kept):
    editor = LocalEditor(Settings())
    finding = find(text, quote or text, "privacy", label, "f1", severity=2)
    out, _ = rewrite(editor, text, [finding])
    assert "Person " not in out, out  # it used to become "Person A" (a headline) or "Person A LLC"


def test_capitalised_pair_in_a_flagged_clause_is_still_pseudonymised():
    text = "Yesterday the board said that Wayne Scully is related by marriage to the councilman."
    editor = LocalEditor(Settings())
    finding = find(text, "Wayne Scully is related by marriage to the councilman", "privacy", "family", "f1",
                   severity=2)
    out, _ = rewrite(editor, text, [finding])
    assert "Wayne Scully" not in out, out


def test_sentences_of_a_statement_split_like_the_scorer_splits_them() -> None:
    """An initial or a dotted acronym does not end a sentence, so a hedge adverb is not put into
    "Westfield allegedly city councilman Douglas T." as if that were a sentence of its own."""
    from semsiedit.editing.grammar import split_keep

    text = "Douglas T. Farraday took it. He left the U.S. Senate. Then?"
    assert split_keep(text) == ["Douglas T. Farraday took it. ", "He left the U.S. Senate. ", "Then?"]
    assert "".join(split_keep(text)) == text


def test_a_subject_named_only_in_another_paragraph_is_not_put_into_the_statement(editor: LocalEditor) -> None:
    """A detector's subject from elsewhere (the byline above a headline) is not who the headline is
    about: the generic clause gets no name."""
    text = "By staff reporter Nadia Brennan\n\nCouncilman Steering Contracts to Brother-in-Law's Firm"
    f = find(text, "Councilman Steering Contracts to Brother-in-Law's Firm", "privacy", "family", "f1")
    out, _ = rewrite(editor, text, [Finding(**{**f.__dict__, "subject": "Nadia Brennan"})])
    assert out.startswith("By staff reporter Nadia Brennan\n\n")
    assert "Nadia Brennan" not in out.split("\n\n", 1)[1]


@pytest.mark.parametrize(
    ("text", "value", "label", "expected"),
    [
        ("For press inquiries, her office listed the number 555-0171.", "555-0171", "PHONE_NUMBER",
         "For press inquiries, her office listed a phone number."),
        ("The number 555-0171 is hers.", "555-0171", "PHONE_NUMBER", "A phone number is hers."),
        # The town after the street goes with it (editing/addresses.py).
        ("Send it to the address 12 Elm Street, Springfield.", "12 Elm Street", "STREET_ADDRESS",
         "Send it to a private address."),
    ],
)  # fmt: skip
def test_a_descriptor_replaces_the_noun_phrase_it_repeats(
    editor: LocalEditor, text: str, value: str, label: str, expected: str
) -> None:
    """Not "listed the number a phone number": the descriptor names what "the number" named."""
    out, _ = rewrite(editor, text, [find(text, value, "pii", label, "f1")])
    assert out == expected


def test_accused_of_keeps_its_frame(editor: LocalEditor) -> None:
    text = "A watchdog group accused her campaign of accepting illegal donations."
    out, _ = rewrite(editor, text, [find(text, text, "harmful", "accusation", "f1")])
    assert out.startswith("A watchdog group questioned her campaign over accepting improper donations"), out
    assert_fluent(out)
    text = "Neighbours accused Maria Lopez of theft."  # a name between the verb and "of"
    findings = [find(text, text, "harmful", "accusation", "f1"), find(text, "Maria Lopez", "pii", "PERSON", "f2")]
    out, _ = rewrite(editor, text, findings)
    assert out.startswith(f"Neighbours questioned {surrogate('Maria Lopez')} over "), out
    assert_absent(out, "Maria", "Lopez", "theft")


def test_a_possessive_statement_is_about_its_possessor(editor: LocalEditor) -> None:
    """"her marriage to financier Robert Hale was ending ..." is about her, not about Robert Hale; "her
    son ..." is about the son."""
    from semsiedit.editing.pseudonymise import subject_of
    from semsiedit.editing.spans import Ctx, build_tree

    text = "Tabloids reported that her marriage to financier Robert Hale was ending amid a dispute over money."
    quote = "her marriage to financier Robert Hale was ending amid a dispute over money"
    f = Finding(**{**find(text, quote, "privacy", "family", "f1").__dict__, "subject": "Robert Hale"})
    node = build_tree(text, [f])[0]
    assert subject_of(text, node, Ctx(set(), profile="public")) == "she"
    son = "Her son has an illegitimate child."
    node = build_tree(son, [find(son, son, "privacy", "family", "f1")])[0]
    assert subject_of(son, node, Ctx(set())) == "Her son"


def test_a_possession_charge_loses_its_substance(editor: LocalEditor) -> None:
    text = "Her son was arrested in March 2024 for possession of cocaine."
    out, _ = rewrite(editor, text, [find(text, text, "privacy", "criminal_record", "f1")])
    assert_absent(out, "cocaine", "arrested", "possession")
    assert " of." not in out and "offence of" not in out, out


def test_a_public_statement_with_no_attribute_term_is_left_as_it_is(editor: LocalEditor) -> None:
    """Under the public profile no statement is replaced by a generic clause: a weak cue (severity
    1: a death, a job, a company's action) is not sensitive there (profile.keeps), and a stronger
    one with no known attribute term stays as written ("Congress has a past legal matter",
    "Facebook has a private matter" broke the answers). A record still loses the statement, and a
    known term is still generalised in public text."""
    from semsiedit.profile import Profile

    public = Profile("public", "test", "", "")
    cases = [
        ("Kirk Douglas died of natural causes at his home in Beverly Hills, California, in 2020.",
         "Kirk Douglas died of natural causes at his home in Beverly Hills, California", "health", "Kirk Douglas", 1),
        ("Facebook suspended the account for violating its terms of service.",
         "Facebook suspended the account for violating its terms of service", "employment", "Facebook", 1),
        ("After the shooting, Hogg became a prominent figure in the gun control movement.",
         "After the shooting, Hogg became a prominent figure in the gun control movement", "criminal_record",
         "Hogg", 2),
        ("The investigation into the beating of Tyre Nichols is ongoing.",
         "The investigation into the beating of Tyre Nichols is ongoing", "criminal_record", "Tyre Nichols", 2),
    ]  # fmt: skip
    for text, quote, label, subject, severity in cases:
        f = Finding(**{**find(text, quote, "privacy", label, "f1").__dict__, "subject": subject, "severity": severity})
        assert apply_edits(text, editor.propose(text, None, [f], public).edits) == text
        record = apply_edits(text, editor.propose(text, None, [f]).edits)
        if subject == "Facebook":
            # A weak cue in a record keeps its statement and loses its names; a company is no person
            # (it had become "Person X suspended the account ...").
            assert record == text
            continue
        assert quote not in record and record != text
    text = "Reports say Kirk Douglas was diagnosed with depression in 1991."
    quote = "Kirk Douglas was diagnosed with depression in 1991"
    f = Finding(**{**find(text, quote, "privacy", "health", "f1").__dict__, "subject": "Kirk Douglas"})
    out = apply_edits(text, editor.propose(text, None, [f], public).edits)
    assert "depression" not in out and "Kirk Douglas" in out


@pytest.mark.parametrize(
    ("text", "quote", "label", "severity", "want", "gone"),
    [
        # A report of criticism is softened, not declared unproven.
        ("Many Republicans have long criticized the ACA.", "Many Republicans have long criticized the ACA",
         "insult_or_criticism", 1, "Many Republicans have long questioned the ACA.", []),
        # Passive "charged with" / "impeached" keep their auxiliary's grammar.
        ("Sayoc has been charged with several federal crimes.", "Sayoc has been charged with several federal crimes",
         "accusation", 2, "has been the subject of proceedings over several federal offences", ["been faced"]),
        ("The governor was impeached in 2021.", "The governor was impeached in 2021",
         "accusation", 2, "was the subject of proceedings", ["was faced"]),
        # "criminal" the noun is not "improper" the adjective ("a serious improper who").
        ("Sayoc is a serious criminal who mailed bombs.", "Sayoc is a serious criminal who mailed bombs",
         "accusation", 2, "", ["serious improper"]),
    ],
)  # fmt: skip
def test_harmful_softening_keeps_the_role_of_what_it_replaces(
    editor: LocalEditor, text: str, quote: str, label: str, severity: int, want: str, gone: list[str]
) -> None:
    from semsiedit.profile import Profile

    base = find(text, quote, "harmful", label, "f1").__dict__
    f = Finding(**{**base, "subject": quote.split()[0], "severity": severity})
    out = apply_edits(text, editor.propose(text, None, [f], Profile("public", "test", "", "")).edits)
    assert want in out and not any(g in out for g in gone), out
    assert "not been proven" not in out or severity >= 2, out


def test_a_plural_generalisation_takes_no_article(editor: LocalEditor) -> None:
    text = "The appointees have a net worth of over a third of the GDP."
    quote = "The appointees have a net worth of over a third of the GDP"
    f = find(text, quote, "privacy", "finances", "f1")
    out = apply_edits(text, editor.propose(text, None, [f]).edits)
    assert "a finances" not in out and "net worth" not in out, out


def test_a_plural_attribute_stays_plural(editor: LocalEditor) -> None:
    """"various health issues" -> "various health matters", not "various a health matter"."""
    text = "He struggled with various health issues throughout his life."
    quote = "He struggled with various health issues throughout his life"
    out = apply_edits(text, editor.propose(text, None, [find(text, quote, "privacy", "health", "f1")]).edits)
    assert "various health matters" in out and "health issues" not in out, out
    assert_fluent(out)


@pytest.mark.parametrize(
    "text",
    [
        "However, following the Parkland school shooting, Congress did pass some measures on gun safety.",
        "He has spoken about the fear his generation feels due to school shootings and gun violence.",
        "After the shooting, Hogg became a prominent figure in the gun control movement.",
    ],
)
def test_a_violent_event_named_by_the_text_is_not_an_accusation(editor: LocalEditor, text: str) -> None:
    """"the Parkland school shooting" names an event: its subject is not hedged as if accused of it
    ("Congress allegedly did pass ...")."""
    quote = text.rstrip(".")
    f = Finding(**{**find(text, quote, "harmful", "violent_or_sexual_crime", "f1").__dict__, "severity": 3,
                   "subject": "Congress"})  # fmt: skip
    out = apply_edits(text, editor.propose(text, None, [f]).edits)
    assert "allegedly" not in out and "not been proven" not in out, out


def test_a_violent_act_someone_is_said_to_have_committed_is_still_hedged(editor: LocalEditor) -> None:
    text = "Jones carried out the shooting at the mall."
    f = Finding(**{**find(text, "Jones carried out the shooting at the mall", "harmful", "violent_or_sexual_crime",
                          "f1").__dict__, "severity": 3, "subject": "Jones"})  # fmt: skip
    out = apply_edits(text, editor.propose(text, None, [f]).edits)
    assert out != text, out


def test_reported_speech_is_not_hedged_again(editor: LocalEditor) -> None:
    """"Critics said she was a sore loser": in public text the sentence says who holds the view, so no
    "allegedly ..., though this has not been proven" is added to it; a bare statement is still hedged."""
    from semsiedit.profile import Profile

    public = Profile("public", "test", "", "")
    for text, quote, hedged in [
        ("Critics said she was a sore loser after the final.", "she was a sore loser after the final", False),
        ("He told reporters the mayor had lied about the budget.", "the mayor had lied about the budget", False),
        ("His opponents described him as a liar and a cheat.", "a liar and a cheat", False),
        ("The mayor lied about the budget.", "The mayor lied about the budget", True),
    ]:
        f = Finding(**{**find(text, quote, "harmful", "dishonesty", "f1").__dict__, "subject": "the mayor"})
        out = apply_edits(text, editor.propose(text, None, [f], public).edits)
        assert ("not been proven" in out or "unconfirmed" in out or "not been verified" in out) == hedged, out


def test_a_named_facility_is_not_called_a_city() -> None:
    """spaCy tags hospitals, churches and apartment numbers as places (FAC, GPE): "admitted to St.
    Luke's" became "admitted to a city"; a state's postal code is a state (kept by both profiles)."""
    from semsiedit.places import location_kind

    values = ["St. Luke's", "Mercy Hospital", "Grace Baptist Church", "Dayton", "Ohio", "NY", "in", "Apt 4B"]
    values.append("the U.S.")
    assert [location_kind(v) for v in values] == [
        "a facility", "a hospital", "a place of worship", "a city", "a state", "a state", "a city", "a unit",
        "a country",
    ]  # fmt: skip

