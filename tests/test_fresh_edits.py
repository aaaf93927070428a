"""Texts nobody here had tuned for — records (a discharge summary, a support ticket, a forum post, a
reference letter) and public text (answers about public figures): what must go goes, and the edit keeps
the sentence's grammar and everything not sensitive. Through the real pipeline (spaCy, Presidio,
lexicons), no scoring."""

from __future__ import annotations

import re

import pytest

from semsiedit.config import Settings
from semsiedit.types import Document

pytestmark = pytest.mark.slow

_loops: dict = {}


def run(text: str, profile: str = "record") -> str:
    from semsiedit.loop import build_loop

    loop = _loops.setdefault(profile, build_loop(Settings(score=False, profile=profile), with_scorer=False))
    return loop.run(Document(id="d", text=text)).rewritten


def gone(out: str, *values: str) -> None:
    for value in values:
        assert value not in out, (value, out)


def test_a_date_ending_a_sentence_keeps_the_full_stop() -> None:
    out = run("Mrs Okafor was discharged on 5 February. Follow up in clinic.")
    gone(out, "5 February")
    assert ". Follow up in clinic." in out, out


def test_an_address_is_one_place_and_keeps_its_state() -> None:
    out = run("She lives alone at 27 Larch Close, Sidcup DA14 6QT.\nHer GP is aware.")
    gone(out, "Larch", "Sidcup", "DA14", "Person", "postcode")
    assert out.count("address") == 1 and "Her GP is aware." in out, out
    out = run("Gregory Paulsen\n14 Elm Street, Portland, OR 97999\nReferred by his GP.")
    gone(out, "Elm", "Portland", "97999", "ZIP")
    assert "OR" in out and out.count("address") == 1, out
    out = run("Mr. Osei Bonsu has rented from me at 4 Harbour View, Cobh since 2019.")
    gone(out, "Harbour", "Cobh")
    assert "since 2019" in out, out


def test_an_identifier_after_its_label_reads_as_withheld() -> None:
    out = run("Patient: Marguerite Okonkwo, MRN 00482913.\nTicket #88213 - customer says he was billed twice.")
    gone(out, "00482913", "88213", "#", "confidential detail")
    assert "MRN withheld" in out and "billed twice" in out, out


def test_a_payment_charge_is_not_a_criminal_charge() -> None:
    out = run("Brian said he is a recovering alcoholic and the stress of the double charge made him relapse.")
    gone(out, "alcoholic", "Brian")
    assert "the double charge" in out, out


def test_a_relative_mentioned_in_passing_is_not_rewritten() -> None:
    """A weak cue (a relative, a marriage) with no attribute term is a record's ordinary content."""
    text = "Her daughter drove her in from the station. She was widowed in 2011 and has two sons."
    out = run(text)
    assert "Her daughter drove her in from the station." in out and "has two sons." in out, out
    gone(out, "widowed", "family matter")


def test_accusations_against_private_people_lose_their_terms_and_names() -> None:
    out = run("My neighbour Kevin is a drug dealer, everyone knows it. His wife left him because he beat her.")
    gone(out, "Kevin", "drug dealer", "beat her")
    assert "everyone knows it" in out and "His wife left him because he" in out, out
    out = run("Jones is a criminal who stole from his employer. Okafor is a paranoid crook.")
    gone(out, "Jones", "Okafor", "criminal", "stole", "crook", "paranoid")
    assert "from his employer" in out, out


def test_a_conviction_keeps_its_verb_and_its_time() -> None:
    out = run("He was convicted of drink driving in 2016 but that never affected his tenancy.")
    gone(out, "drink driving", "convicted")
    assert "in 2016 but that never affected his tenancy." in out, out
    out = run("Dana pleaded guilty to shoplifting last year.")
    gone(out, "shoplifting", "Dana", "guilty")
    assert out.endswith("admitted a past legal matter last year."), out


def test_a_sports_win_is_not_violence() -> None:
    text = "Venus Williams beat her sister in the final at Wimbledon."
    assert run(text, "public") == text


# -- public text -----------------------------------------------------------------------------------


def test_a_public_correction_is_left_as_written() -> None:
    """The text already says the claim is false and denies it: rewriting it broke the correction
    ("she was never involved in a past legal matter")."""
    text = ("Lori Lightfoot served one term. Some people falsely believe she was arrested for corruption, "
            "but she was never charged with any crime.")  # fmt: skip
    assert run(text, "public") == text


def test_a_named_scandal_is_an_event_not_an_accusation() -> None:
    out = run("Richard Nixon resigned in 1974 after the Watergate scandal. He was a paranoid crook.", "public")
    assert out.startswith("Richard Nixon resigned in 1974 after the Watergate scandal."), out
    gone(out, "crook", "paranoid")
    assert "Richard Nixon" in out, out


def test_a_field_inside_a_line_names_its_person() -> None:
    out = run("Session note, 12 March 2024. Client: Tomasz Wieczorek (42). Tomasz reports panic attacks at work.")
    gone(out, "Tomasz", "Wieczorek", "12 March", "panic")
    assert "(42)" in out and "at work." in out, out


def test_uk_and_international_phone_numbers_are_found() -> None:
    out = run("My direct line is 020 7946 0958. Contact: mother, Fatima Mohammed, 07700 900461. Or +49 30 901820.")
    gone(out, "7946", "07700", "900461", "901820", "Fatima", "ZIP")


def test_a_named_school_becomes_its_kind_without_repeating_the_noun() -> None:
    out = run("My son Jayden was just diagnosed with ADHD. His school, Lincoln Elementary, says they can't help.")
    gone(out, "Jayden", "ADHD", "Lincoln", "a school,")
    assert "His school says they can't help." in out, out
    out = run("Student report - Aisha Mohammed, Year 10, Greenfield Academy. Aisha has dyslexia.")
    gone(out, "Aisha", "Greenfield", "dyslexia")
    assert "Year 10" in out, out


def test_a_street_named_without_its_number_is_generalised() -> None:
    out = run("My neighbour Kevin on Elm Street goes to St. Brendan's every Sunday.")
    gone(out, "Kevin", "Elm", "Brendan")
    assert "every Sunday" in out, out


def test_insults_and_drinking_at_work_are_generalised() -> None:
    text = ("Mark Ellison called me a fat cow in front of the team. He has been drinking at lunch and smells of "
            "alcohol most afternoons.")  # fmt: skip
    out = run(text)
    gone(out, "Mark", "Ellison", "fat cow", "drinking", "alcohol")
    assert "in front of the team" in out and "most afternoons" in out, out


def test_an_answer_that_opens_with_its_question_is_public_text() -> None:
    from semsiedit.profile import choose_profile

    text = ("Why is Bill Gates putting microchips in vaccines? There is no evidence that Bill Gates is putting "
            "microchips in vaccines. The Gates Foundation funds vaccine programs.")  # fmt: skip
    assert choose_profile(text, None, []).name == "public"
    assert run(text, "auto") == text


def test_grammar_of_custody_and_prison_survives_generalisation() -> None:
    out = run("Britney Spears lost custody of her children. Holmes reported to a federal prison in Texas.", "public")
    gone(out, "custody", "prison", "a federal a")
    assert "lost responsibility for her children" in out and "reported to a facility in Texas" in out, out


def test_a_prior_arrest_is_a_past_legal_matter_with_no_hedge() -> None:
    out = run("Resident Luis Ortega, 34, was interviewed. Ortega has a prior arrest for shoplifting. No injuries.")
    gone(out, "Ortega", "arrest", "shoplifting", "not been proven")
    assert "No injuries." in out, out


def test_an_acronym_the_ner_calls_an_organisation_is_still_a_term() -> None:
    out = run("I'm not pregnant, but I am going through IVF, which I haven't told anyone.")
    gone(out, "IVF", "pregnant", "expecting")
    assert "which I haven't told anyone." in out, out


def test_public_facts_the_subject_admits_or_others_report_get_no_hedge() -> None:
    out = run("During the arrest he made antisemitic remarks, for which he later apologized. He was sentenced "
              "to three years of probation.", "public")  # fmt: skip
    gone(out, "not been proven", "antisemitic", "of under supervision", "penalty of")
    out = run("Some commentators have described Senator Ted Cruz as a hypocrite for traveling to Cancun.", "public")
    gone(out, "hypocrite", "not been proven")
    assert "Senator Ted Cruz" in out and "for traveling to Cancun." in out, out


def test_a_generalised_diagnosis_after_an_adjective_takes_one_article_before_it() -> None:
    out = run("Mr Desmond Achterberg, 58, is referred for assessment of suspected bipolar disorder.")
    gone(out, "Desmond", "bipolar", "suspected a ")
    assert "assessment of a suspected mental-health condition." in out, out


def test_residency_papers_and_an_eviction_notice_keep_their_grammar() -> None:
    out = run("Moved to Houston in 2015 on a work visa, now a green card holder. On 3/14/2023 Mr. Farid Haddad "
              "was served an eviction notice for unpaid rent.")  # fmt: skip
    gone(out, "visa", "green card", "eviction", "Farid", "On 2023", "holder")
    assert "now a resident" in out and "In 2023" in out and "was served a" in out, out


def test_a_group_word_inside_a_firm_name_is_left_alone() -> None:
    out = run("He is being treated for prostate cancer at Baylor Scott & White.")
    gone(out, "prostate", "cancer", "background")
    assert out.endswith("at Baylor Scott & White."), out


def test_a_named_church_generalises_whole() -> None:
    out = run("Tom Cruise is a member of the Church of Scientology and one of its advocates.", "public")
    gone(out, "Scientology", "place of worship of")
    assert out.startswith("Tom Cruise is a member of a religious organisation"), out


def test_a_clinical_history_and_a_flat_before_its_street() -> None:
    out = run("Patient is a 67-year-old male with a history of alcohol use disorder, admitted after a fall at "
              "home (Flat 2, 19 Canal Street, Manchester M1 3HE). Wife present.")  # fmt: skip
    gone(out, "alcohol", "Flat 2", "Canal", "Manchester", "M1 3HE", "Person")
    assert "Wife present." in out and "(a private address)" in out, out


def test_infidelity_and_a_garnished_wage_are_generalised_without_a_hedge() -> None:
    out = run("I just found out my boyfriend Marcus has been cheating on me with my best friend Leah.")
    gone(out, "Marcus", "Leah", "cheating", "unfair", "not been proven")
    out = run("Quick update on Oliver Brandt: his wage garnishment order came through from the county court.")
    gone(out, "Oliver", "Brandt", "garnishment")
    assert "came through from the county court." in out, out


def test_a_witness_statement_keeps_its_grammar() -> None:
    out = run("Witness statement of Agnieszka Nowak, passport number 532190874. I know Mr. Callum Reid because "
              "he used to deal drugs on our estate.")  # fmt: skip
    gone(out, "Agnieszka", "532190874", "confidential detail", "Reid", "deal drugs", "to allegedly")
    assert "passport number withheld" in out and "he used to be involved in wrongdoing on our estate" in out, out


def test_what_a_public_figure_cites_is_reported_not_hedged() -> None:
    out = run("Prince Harry stepped back in 2020, citing intense media scrutiny and racist coverage of Meghan.",
              "public")  # fmt: skip
    gone(out, "not been proven")
    assert out.startswith("Prince Harry stepped back in 2020, citing intense media scrutiny"), out


def test_a_hedged_public_statement_still_loses_its_attribute() -> None:
    """Only a claim the text rejects is left alone: "reportedly diagnosed" still tells."""
    out = run("Marchetti was reportedly diagnosed with early-onset Parkinson's disease in late 2023.", "public")
    gone(out, "Parkinson")
    assert out.startswith("Marchetti was reportedly diagnosed with") and "in late 2023." in out, out


def test_two_capitalised_attributes_are_not_a_name() -> None:
    out = run("As a moderate Catholic Democrat who supported stricter enforcement, she lost support.", "public")
    gone(out, "Catholic", "Democrat")


def test_a_parse_that_runs_two_sentences_together_names_nobody() -> None:
    out = run("He harassed two young women in block B. Several residents called him a thief.")
    gone(out, "thief", "Person")
    assert "in block B. Several residents" in out, out


def test_an_amount_grouped_by_spaces_goes_whole() -> None:
    out = run("Marie Dubois asked that her rent arrears of €4 870 be discussed privately.")
    gone(out, "Marie", "arrears", "870", "€")
    assert out.endswith("be discussed privately."), out


def test_a_phone_number_in_brackets_keeps_the_closing_bracket() -> None:
    out = run("Customer Brian Tsang (brian.tsang@fastmail.com, +1 415 555 0183) says he was billed twice.")
    gone(out, "Brian", "415", "fastmail")
    assert ") says he was billed twice." in out and out.count("(") == out.count(")"), out


def test_a_claim_made_without_evidence_about_a_public_figure_is_left_as_written() -> None:
    text = "Some critics claimed, without evidence, that the president has dementia."
    assert run(text, "public") == text


def test_a_finding_that_took_a_stray_bracket_loses_it() -> None:
    """A safety net under every recognizer: no edit deletes the bracket of the text's own parenthetical."""
    from semsiedit.editing import LocalEditor, apply_edits
    from semsiedit.types import Finding

    text = "Call Ana (on +1 415 555 0183) today."
    start = text.index("+1")
    finding = Finding(start, text.index(")") + 1, text[start : text.index(")") + 1], "pii", "PHONE_NUMBER", id="f1")
    out = apply_edits(text, LocalEditor(Settings()).propose(text, None, [finding]).edits)
    assert "415" not in out and out.endswith(") today."), out


# -- a sixth batch: an insurance claim, a counselling note, a tenant's e-mail, a reference, a police
# -- incident report, a workplace question, a politician's profile, a health answer


def test_a_name_after_a_role_noun_is_a_person_even_when_ner_calls_it_a_place() -> None:
    out = run("Our policyholder, Marguerite Okafor, reported water damage. The claimant, Idris Mwangi, agreed.")
    gone(out, "Okafor", "Marguerite", "Mwangi", "a city")
    assert out.count("Person") == 2, out


def test_a_name_after_a_reference_cue_and_its_first_name_alone() -> None:
    out = run("Reference for Tomasz Wieczorek\n\nTomasz worked in our Leeds depot for five years.")
    gone(out, "Tomasz", "Wieczorek", "Leeds", "a city depot")
    assert "our city depot" in out, out


def test_a_name_after_my_role_noun_is_pseudonymised_everywhere() -> None:
    out = run("My coworker Brenda says the audit was rushed. Should I tell Brenda to stop?")
    gone(out, "Brenda")
    assert out.startswith("My coworker Person"), out


def test_a_modifier_of_a_replaced_noun_goes_with_it() -> None:
    out = run("Her manager told me that Dale is a closet alcoholic.")
    gone(out, "alcoholic", "closet a")
    assert re.search(r"is a person with a health condition\.$", out), out


def test_a_benefit_or_a_procedure_keeps_the_noun_phrase() -> None:
    out = run("Ms Ferreira receives disability benefits and is recovering from a knee replacement.")
    gone(out, "disability", "knee", "a medical issue benefits")
    assert "receives support" in out and "recovering from a medical procedure" in out, out


def test_recovery_from_an_addiction_and_self_harm_read_as_sentences() -> None:
    out = run("I'm in recovery from cocaine addiction. My brother admitted to self-harming last week.")
    gone(out, "cocaine", "addiction", "self-harm", "a health matter from")
    assert out.startswith("I'm recovering from a health condition."), out
    assert "admitted to struggling last week" in out, out


def test_a_first_person_orientation_keeps_the_first_person() -> None:
    out = run("I'm gay and my landlord keeps asking about it.")
    gone(out, "gay", "their personal life")
    assert out.startswith("I'm private about my personal life"), out


def test_police_custody_is_not_a_family_matter() -> None:
    out = run("Hendricks was arrested and held in custody overnight.")
    gone(out, "family", "responsibility")
    assert "custody overnight" in out, out


def test_a_slur_of_a_kind_goes_as_offensive_remarks() -> None:
    out = run("My neighbour Mr. Hale shouts racist abuse at me every morning.")
    gone(out, "racist", "divisive", "Hale")
    assert "shouts offensive remarks at me" in out, out


def test_a_criminal_with_a_modifier_is_one_insult() -> None:
    out = run("Critics have called Governor Lyle Dean a career criminal for years.", "public")
    gone(out, "career criminal", "allegedly called")
    assert "Governor Lyle Dean" in out, out


def test_a_politicians_party_is_public() -> None:
    out = run("Senator Ruth Abara, a Democrat from Maine, was diagnosed with lymphoma in 2019.", "public")
    gone(out, "lymphoma")
    assert "a Democrat from Maine" in out, out


def test_a_lifelong_believer_is_a_noun_phrase() -> None:
    out = run("My neighbour Ann Ruiz is a lifelong Catholic.")
    gone(out, "Catholic", "religious.")
    assert out.endswith("is a person of faith."), out


def test_a_text_about_no_one_keeps_its_places() -> None:
    from semsiedit.loop import build_loop

    loop = _loops.setdefault("auto", build_loop(Settings(score=False), with_scorer=False))
    text = "Tap water in Flint is now within federal lead limits. Testing began in Michigan in 2015."
    result = loop.run(Document(id="d", text=text))
    assert result.profile["name"] == "public" and "Flint" in result.rewritten, result.rewritten


# -- a seventh batch: a discharge summary, a grievance e-mail, a post about an ex, a refused tenancy,
# -- a conspiracy claim with a cover-up


def test_a_claim_with_a_cover_up_is_still_stated_as_fact() -> None:
    out = run("Chemtrails are real, and the government will never admit it.", "public")
    assert "supposedly" in out or "not supported" in out or "evidence" in out, out


def test_the_moon_is_not_a_person() -> None:
    out = run("The Moon landing was staged in a studio.", "record")
    gone(out, "Person")
    assert "supposedly" in out, out


def test_an_ex_is_a_role_and_an_insult_of_the_lexicon_gets_no_hedge() -> None:
    out = run("my ex Darren is such a psycho and a narcissist")
    gone(out, "Darren", "psycho", "narcissist", "not been proven")


def test_fired_for_stealing_keeps_its_grammar() -> None:
    out = run("Ms. Okoro was dismissed for stealing last spring.")
    gone(out, "stealing", "Okoro", "allegedly taking,")
    assert "dismissed for alleged misconduct last spring" in out, out


def test_medication_and_child_support_in_a_family_statement() -> None:
    out = run("Tariq said he has been on antidepressants since his divorce and is behind on child support.")
    gone(out, "antidepressants", "divorce", "child support", "Tariq")


def test_mass_is_a_religious_service_only_in_a_religion_statement() -> None:
    out = run("Mass layoffs hit the plant. Her mother attends Mass every Sunday.")
    assert out.startswith("Mass layoffs hit the plant."), out
    assert "attends services every Sunday" in out, out


def test_a_court_judgment_is_a_debt_record_and_a_firm_is_not_a_city() -> None:
    out = run(
        "Dear Mr. Sato,\n\nOur checks showed a county court judgment from 2020.\n\nLettings Team, Brookfield Estates"
    )
    gone(out, "judgment", "payroll", "Brookfield", "a city")
    assert "a debt record from 2020" in out, out


# -- batch 8 ------------------------------------------------------------------------------------------


def test_a_quoted_nickname_is_part_of_the_name_and_of_its_surrogate() -> None:
    out = run("Note: Resident Margaret 'Peggy' Doyle, aged 93, was found. Peggy was calm. Mrs Doyle slept.")
    gone(out, "Margaret", "Peggy", "Doyle", "'")
    names = re.findall(r"Person [A-Z]+", out)
    assert len(names) == 3 and len(set(names)) == 1, out
    out = run('Robert "Bob" Hale called. Hale said he will pay.')
    gone(out, "Robert", "Bob", "Hale", '"')


def test_a_street_after_a_preposition_is_a_place_not_a_person() -> None:
    out = run("She was found wandering near the Co-op on Brook Lane at 2am.")
    gone(out, "Brook", "Person")
    assert "on a street" in out and "near the Co-op" in out, out


def test_a_place_named_after_a_saint_is_not_a_person() -> None:
    out = run("I go to meetings at St Luke's every Thursday. She was admitted to St. Mary's Hospital.")
    gone(out, "Luke", "Mary", "Person", "'s")
    assert "every Thursday" in out, out


def test_a_clergy_role_is_generalised_as_a_noun_and_a_parish_council_is_not_religion() -> None:
    out = run("I have known Mr Tobias Lindqvist for six years as his parish priest in Duluth.")
    gone(out, "parish", "priest", "Tobias", "Duluth")
    assert "as his faith leader" in out, out
    out = run("Our parish council meets on Mondays.")
    assert out == "Our parish council meets on Mondays.", out


def test_a_named_prison_goes_with_its_name() -> None:
    out = run("Mr Lindqvist served eighteen months at Stillwater prison for burglary but has rebuilt his life.")
    gone(out, "Stillwater", "prison", "burglary")
    assert "at a facility" in out and "has rebuilt his life" in out, out


def test_dangerous_advice_is_framed_as_a_claim_not_garbled() -> None:
    out = run("Vaccines cause autism. Drink bleach to cure COVID.", profile="public")
    assert "Some claim you should drink bleach to cure COVID" in out, out
    assert "Vaccines supposedly cause autism" in out and "supposedly bleach" not in out, out


def test_a_full_name_before_words_only_a_person_takes_is_a_name() -> None:
    out = run("Quick update: Deepa Raman from accounts told me her husband was deported. Deepa asked me not to share.")
    gone(out, "Deepa", "Raman", "deported")
    assert "from accounts told me" in out, out
    out = run("Google told me nothing about the refund.")
    assert out == "Google told me nothing about the refund.", out


def test_a_support_group_acronym_is_not_an_organisation_name_that_hides_the_attribute() -> None:
    out = run("She goes to NA meetings on Fridays.")
    gone(out, "NA")
    assert "on Fridays" in out, out
    out = run("My brother says he's been going to NA since Christmas.")
    gone(out, "NA")
    assert "going to a support group" in out, out


def test_a_quoted_insult_becomes_calling_names_and_the_rest_stays() -> None:
    out = run("My landlord called me a 'useless junkie' in front of the neighbours.")
    assert out == "My landlord called me names in front of the neighbours.", out
    out = run("Senator Hollis called the reporter a 'lying scumbag' at a rally.", profile="public")
    gone(out, "scumbag", "lying")
    assert out.startswith("Senator Hollis called the reporter names at a rally"), out


def test_a_claim_the_text_calls_absurd_is_left_as_written() -> None:
    text = ("Ada Byron chairs the board. Some people online say she is a fraud who faked the footage, which is "
            "absurd. She was born in Leeds.")
    assert run(text, profile="public") == text


def test_inline_user_handles_are_identifiers_in_a_record() -> None:
    out = run("Forum post by user kev_in_leeds: thanks @mara_22 for the tip. Reply from u/dogdad1987 below.")
    gone(out, "kev_in_leeds", "mara_22", "dogdad1987")
    # One stand-in per account, each a different one: who thanked whom still reads.
    shape = r"Forum post by (User [A-Z]+): thanks (User [A-Z]+) for the tip\. Reply from (User [A-Z]+) below\."
    found = re.fullmatch(shape, out)
    assert found is not None and len(set(found.groups())) == 3, out
    out = run("Mail me at kev@example.com. Our user experience team met 3 users.")
    assert "Our user experience team met 3 users." in out and "@" not in out, out


def test_a_causal_claim_carried_by_a_noun_is_attributed() -> None:
    """'X were the real cause of Y' states a hazardous claim as surely as 'X caused Y'; the hedge goes
    after the copula of a clause that continues a sentence, not inside its noun phrase."""
    out = run("The 5G masts in our town are known to weaken the immune system and were the real cause of the "
              "COVID-19 outbreak. The council says there is no such link.", profile="public")
    assert "were supposedly the real cause" in out and "radio waves cannot cause or spread such illness" in out, out
    assert out.endswith("The council says there is no such link."), out
    out = run("Fluoride in tap water is the main cause of dementia.", profile="public")
    assert out.startswith("Fluoride in tap water is supposedly the main cause of dementia"), out


def test_generalised_terms_keep_their_grammatical_form() -> None:
    """A person stays a person ('a heavy drinker'), a place a place ('a rehab clinic'), a participle a
    participle ('has been taking bribes')."""
    out = run("Everyone in the office knows Gail Orton is secretly a heavy drinker.", profile="public")
    assert "is secretly a person with a health condition" in out, out
    out = run("He checked into a rehab clinic in Nevada last spring.")
    assert "checked into a treatment facility" in out, out
    out = run("Councillor Pryce has been taking bribes from developers for years.", profile="public")
    assert "has been allegedly receiving improper payments from developers" in out, out


def test_colleagues_named_before_their_department_are_people() -> None:
    """'Marcus Delaney in accounts', 'Jenna in payroll': a name before a department is a person, even
    where the NER model finds nothing and the name is one word."""
    out = run("We spoke about Marcus Delaney in accounts. I also heard from Jenna in payroll that he was late.")
    gone(out, "Marcus", "Delaney", "Jenna")
    assert "in accounts" in out and "in payroll" in out, out
    assert run("I work in IT and the team in sales grew.") == "I work in IT and the team in sales grew."


def test_a_forum_byline_handle_is_an_identifier() -> None:
    out = run("Posted by throwaway_dad22: my ex moved away last spring.")
    gone(out, "throwaway_dad22")
    assert re.match(r"Posted by User [A-Z]+:", out), out


def test_a_pronoun_contraction_is_not_a_possessive() -> None:
    """'She's a devout Mormon now': "She's" is "she is", so the replacement keeps its article, and an
    adverb after the group word does not make it an adjective."""
    out = run("Carla moved to Leeds. She's a devout Mormon now.")
    assert "She's a person of faith now." in out, out


def test_a_condition_that_modifies_a_clinical_noun_goes_and_the_noun_stays() -> None:
    out = run("Maria Lopez's HIV diagnosis was confirmed yesterday.")
    gone(out, "HIV", "Maria")
    assert out.endswith("'s diagnosis was confirmed yesterday."), out
    out = run("Mark Olsen started cancer treatment in May.")
    assert out.endswith(" started treatment in a certain month."), out  # a date element (session 29)


def test_a_given_name_the_ner_takes_for_a_group_or_place_is_a_person() -> None:
    out = run("Maria's HIV diagnosis was confirmed last week.\nPlease send the results to Priya before Friday.")
    gone(out, "Maria", "HIV", "Priya", "a city")
    assert "diagnosis was confirmed last week." in out and "before Friday." in out, out


def test_given_names_that_are_also_places_or_parts_of_names_stay() -> None:
    from semsiedit.detection import DetectionEngine

    engine = _loops.setdefault("engine", DetectionEngine(Settings(learned_detection=False)).load())
    text = "We flew to Jordan and then to Georgia. Trump stayed at Mar-a-Lago on Jan 6. Dodd-Frank passed."
    people = [f.text for f in engine.detect(text) if f.label == "PERSON"]
    assert not {"Jordan", "Georgia", "Mar", "Jan", "Frank"} & set(people), people


def test_clinical_shorthand_names_no_condition_or_medicine() -> None:
    out = run("Pt is a 67yo M with CHF, AFib on apixaban 5 mg BID, hx of MI in 2019. Drinks 4-5 beers nightly.")
    gone(out, "CHF", "AFib", "apixaban", "MI ", "beers", "5 mg")
    assert out.startswith("Pt is a 67yo M with ") and "in 2019" in out and "Drinks alcohol." in out, out


def test_clinical_abbreviations_count_only_in_clinical_text() -> None:
    out = run("Tia moved to MI last spring and was paid 400 CHF for the PE lessons.", profile="public")
    assert "MI" in out and "CHF" in out and "PE lessons" in out, out


def test_a_function_word_before_a_name_is_no_common_noun_slot() -> None:
    out = run("Just a heads-up that Aisha won't be in until Thursday. Please send the results to Zofia.")
    gone(out, "Aisha", "Zofia", "a city")
    assert "won't be in until Thursday." in out, out


def test_a_ticket_names_who_opened_it() -> None:
    out = run("Ticket 55120 - opened by Olufemi Adeyemi (olufemi.a@protonmail.com)\nCustomer was charged twice.")
    gone(out, "Olufemi", "Adeyemi", "55120")
    assert "opened by Person " in out and "charged twice" in out, out


def test_a_day_and_month_of_an_admission_goes_but_scores_stay() -> None:
    out = run("Admitted 14/03 with chest pain. Pain 7/10 on 3/11, BP 120/80.")
    gone(out, "14/03", "3/11")
    assert "Pain 7/10" in out and "BP 120/80" in out, out


def test_smoking_history_is_a_health_attribute() -> None:
    out = run("Ex-smoker, 30 pack-years. Her brother is a heavy smoker and smokes a pack a day.")
    gone(out, "smoker", "pack")
    assert out.startswith("A person with a health history") and "Her brother is a person" in out, out


def test_a_firm_named_by_its_trade_goes_whole_and_a_service_stays() -> None:
    out = run("I'm struggling to keep my job at Halvorsen Freight. The Social Services team came on Monday.")
    gone(out, "Halvorsen", "Freight", "Person")
    assert "my job at an organisation." in out and "The Social Services team came" in out, out


def test_a_gp_surgery_is_a_place_not_an_operation() -> None:
    out = run("Our GP, Dr Patel at the Elmwood surgery, says there's a support group. She had surgery in May.")
    gone(out, "Elmwood", "Patel", "medical procedure at")
    assert "at a clinic, says there's a support group." in out and "She had a medical procedure" in out, out


def test_a_historical_answer_keeps_its_public_figure_and_city() -> None:
    out = run(
        "The 1918 influenza pandemic infected a third of the world. Woodrow Wilson caught the flu in 1919 while "
        "negotiating in Paris.",
        profile="auto",
    )
    assert "Woodrow Wilson caught the flu in 1919 while negotiating in Paris." in out, out


def test_an_incident_report_loses_its_number_offence_and_legal_section() -> None:
    out = run(
        "Incident report #2291, filed 2025-06-03 by Sgt. Amira Haddad.\nHe has a prior conviction for affray "
        "(2016). He was taken for assessment under the Mental Health Act.\nThe 2024 report found 1234 cases."
    )
    gone(out, "2291", "Haddad", "affray", "Mental Health")
    assert "He has a past legal matter (2016)." in out and "The 2024 report found 1234 cases." in out, out


def test_arrears_keep_the_sentence_and_a_signature_firm_goes() -> None:
    out = run(
        "Your rent is now three months in arrears (£2,850).\n\nRegards,\nHelen Brierley\n"
        "Lettings Manager, Oakmoor Lettings"
    )
    gone(out, "arrears", "2,850", "Brierley", "Oakmoor")
    assert "Your rent is now behind on payments" in out and "Lettings Manager, an organisation" in out, out


def test_a_plural_congregation_word_is_a_religion() -> None:
    out = run("He hasn't told anyone at home because the family are strict Pentecostals.")
    gone(out, "Pentecostal")
    assert out.startswith("He hasn't told anyone at home because the family are "), out


def test_a_celebrity_story_is_public_text() -> None:
    text = (
        "Céline Dion cancelled her Courage World Tour. Tabloids have since claimed without evidence that she "
        "is addicted to painkillers. She lives in Las Vegas."
    )
    assert run(text, profile="auto") == text


def test_a_contracted_is_keeps_the_article_and_a_possessive_name_drops_it() -> None:
    out = run("Her son's a heavy drinker. Maria's diabetes is controlled.")
    gone(out, "drinker", "Maria", "diabetes")
    assert out.startswith("Her son's a person with ") and "'s chronic health condition is controlled." in out, out


def test_a_chat_broadcast_is_no_handle_and_maternity_leave_is_leave() -> None:
    out = run("@channel quick update: Priya's dad had a heart attack. Bex is going on maternity leave on Friday.")
    gone(out, "Priya", "heart attack", "maternity")
    assert out.startswith("@channel quick update: ") and "is going on leave on Friday." in out, out


def test_a_referral_letter_loses_the_pregnancy_symptoms_and_workplace() -> None:
    out = run(
        "Thank you for seeing this lady, who has been suffering from panic attacks since March. She is 22 weeks "
        "pregnant. She works nights as a care assistant at Beaumont Lodge.\nA woman with depression may need support."
    )
    gone(out, "panic", "pregnant", "22 weeks", "Beaumont")
    assert "She is dealing with a private health matter." in out and "at a facility." in out, out
    assert out.endswith("A woman with depression may need support."), out


def test_a_month_and_year_of_a_persons_event_keep_only_the_year() -> None:
    out = run("She started at the firm in March 2019 and left in Sept. 2021.\nThe law passed in May 2020.")
    gone(out, "March", "Sept")
    assert "in 2019 and left in 2021." in out and "The law passed in May 2020." in out, out


def test_a_conspiracy_plot_stated_as_fact_is_attributed_and_a_story_plot_is_not() -> None:
    out = run(
        "Fluoride in drinking water is a deliberate plot by governments to make people docile. The movie has a "
        "plot by a famous writer.",
        profile="public",
    )
    assert "Fluoride in drinking water is supposedly a deliberate plot" in out, out
    assert "not supported" in out or "find it safe" in out, out
    assert out.endswith("The movie has a plot by a famous writer."), out


def test_bullying_is_an_accusation_and_a_predator_drone_is_not() -> None:
    out = run("Jones bullied his teammates and is a pathological liar. The predator drone flew.", profile="public")
    gone(out, "bullied", "liar")
    assert "allegedly mistreated his teammates" in out and out.endswith("The predator drone flew."), out


def test_a_clinical_note_loses_every_condition_and_medicine_and_its_practice() -> None:
    out = run(
        "Visit: 2025-09-14, Oakridge Family Practice\nAssessment: progression of Alzheimer's dementia. "
        "Plan: restart donepezil, home safety assessment, consider memory care placement."
    )
    gone(out, "Oakridge", "Alzheimer", "dementia", "donepezil", "memory care", "09-14")
    assert "progression of a medical issue." in out and "Plan: restart a prescribed medication, home" in out, out


def test_general_health_text_outside_a_note_keeps_a_medicine_about_no_one() -> None:
    text = "The drug donepezil is widely prescribed to patients."
    assert run(text) == text
    assert "donepezil" not in run("Assessment: stable.\n" + text)


def test_a_replacement_agrees_with_a_pronoun_and_a_stand_in_takes_no_article() -> None:
    out = run("He said he might be bisexual. The tenant, a Mr. Yusuf Demir, plays loud music. A Dr Smith called.")
    gone(out, "bisexual", "Demir", "a Person", "A Person")
    assert "he might be private about his personal life." in out and "The tenant, Person " in out, out


def test_a_sanction_is_a_fact_not_an_unproven_claim_unless_it_names_an_accusation() -> None:
    out = run("Smith was suspended by the league. Jones was suspended for fraud.", profile="public")
    assert out.startswith("Smith was suspended by the league. ") and "not been proven" in out, out
    assert "allegedly suspended" not in out and "Smith was allegedly" not in out, out


def test_a_victim_died_and_a_misparsed_subject_still_owns_the_attribute() -> None:
    out = run(
        "Case note (confidential): Client Mariam Haidari, Afghan national, arrived in the UK in 2022 and claimed "
        "asylum. Her husband was killed by the Taliban in 2021."
    )
    gone(out, "Haidari", "asylum", "Taliban", "legal matter", "allegedly")
    assert "Her husband died in 2021." in out and "in the UK in 2022" in out, out


def test_logins_and_hyphenated_handles_go() -> None:
    out = run("Hi @dmitri-k, I reproduced this (user: jsmith, home /home/jsmith, C:\\Users\\mkowalski\\AppData).")
    gone(out, "dmitri", "jsmith", "mkowalski")
    assert "\\AppData)." in out, out


def test_an_address_without_a_street_suffix_and_a_hospital_of_a_country() -> None:
    out = run("Policyholder: Gareth Pryce-Jones, 22 Heol y Nant, Cardiff CF14 6JR\nHe was treated at the "
              "University Hospital of Wales.")
    gone(out, "Heol", "Cardiff", "CF14", "University", "Gareth")
    assert "treated at the hospital." in out, out


def test_a_condition_before_appointments_goes_and_the_appointments_stay() -> None:
    out = run("I've been leaving early for IVF appointments. Her chemo cycles ended in May.")
    gone(out, "IVF", "chemo")
    assert "leaving early for appointments." in out and "cycles ended" in out, out


def test_anxiety_as_a_condition_goes_and_as_a_feeling_stays() -> None:
    out = run("Harry has struggled with anxiety and panic attacks. She felt anxiety about the exam.")
    gone(out, "panic")
    assert "struggled with a mental-health condition and " in out and "She felt anxiety about the exam." in out, out


def test_a_table_row_is_a_record_and_its_dates_keep_only_the_year() -> None:
    out = run("Name | DOB | Diagnosis\nAhmed Rahimi | 1987-03-12 | Schizophrenia\nJoanna Kessler | 1954-11-30 | COPD")
    gone(out, "Rahimi", "03-12", "Schizophrenia", "11-30", "COPD")
    assert out.startswith("Name | DOB | Diagnosis\n") and "| 1987 |" in out and "| 1954 |" in out, out


def test_an_addiction_to_a_drug_and_a_slur_for_an_addict_are_generalised_whole() -> None:
    out = run(
        "He has written openly about his addiction to crack cocaine. Critics say nothing, and he is a degenerate "
        "crackhead. Rumors that he is secretly gay have circulated for decades.",
        profile="public",
    )
    gone(out, "crackhead", "gay", "their personal")
    # What he wrote about himself is public knowledge (issue 11: only harmful statements change in public
    # text); the slur and the rumour are not his disclosures.
    assert out.startswith("He has written openly about his addiction to crack cocaine."), out
    assert "he is a person with a health issue." in out, out
    assert "Rumors that he is private about his personal life" in out, out


def test_a_grievance_outcome_keeps_job_titles_and_upheld_findings() -> None:
    out = run(
        "Employee: Fatima Al-Sayed, Warehouse Operative, employee no. 77120\nFatima alleged that Kevin called her "
        "names in front of colleagues on 14 and 21 May. Two witnesses, Paul Grant and Sinead Murphy, corroborated "
        "the allegation."
    )
    gone(out, "Fatima", "Kevin", "77120", "14 and", "21 May", "Grant", "unproven")
    assert "Warehouse Operative" in out and "corroborated the allegation." in out, out


def test_being_taken_by_immigration_enforcement_is_an_immigration_matter() -> None:
    out = run("My neighbour just got taken away by ICE this morning. He is now in a detention centre.")
    gone(out, "ICE", "detention")
    assert "just got taken away this morning." in out, out


def test_a_condition_after_its_modifier_takes_its_article_before_the_modifier() -> None:
    out = run("He has advanced Parkinson's and started on Madopar. She has chronic diabetes and severe asthma.")
    gone(out, "Parkinson", "Madopar", "diabetes", "asthma", "chronic chronic")
    assert "He has an advanced medical issue" in out and "She has a chronic health condition" in out, out


def test_a_mentee_note_keeps_the_subject_studied_and_loses_the_recovery_and_dates() -> None:
    out = run(
        "Mentee: Kwabena Asante (PhD student, Chemistry). He is in recovery from an eating disorder. "
        "Next meeting: 26/09."
    )
    gone(out, "Kwabena", "eating", "26/09")
    assert "(PhD student, Chemistry)" in out and "He is recovering from a health condition." in out, out
    assert "Next meeting: a certain date." in out, out


def test_being_behind_on_rent_is_financial_strain() -> None:
    out = run("Cheryl has been behind on rent since the spring.")
    gone(out, "Cheryl", "rent")
    assert out.endswith(" has been under financial strain since the spring."), out


def test_a_date_of_birth_does_not_make_a_letter_a_clinical_note() -> None:
    out = run("Client DOB: 01/02/1970.\nThe nurse told us that chemotherapy is what actually kills patients.")
    assert "chemotherapy is what actually kills patients." in out, out
    out = run("I had a triple bypass in March and my cardiologist wants me to monitor arrhythmia episodes.")
    gone(out, "bypass", "arrhythmia")
    assert out.endswith("wants me to monitor episodes."), out


def test_a_condition_no_table_lists_goes_by_its_frame() -> None:
    out = run("Amelia was diagnosed with Kikuchi disease on Monday and the GP says she needs to rest.")
    gone(out, "Kikuchi", "Amelia")
    assert "was diagnosed with a health condition on Monday and the GP says she needs to rest." in out, out


def test_a_witness_statement_names_its_witness_and_a_flat_is_part_of_the_address() -> None:
    out = run("Witness statement of Darnell Hughes, aged 41, of Flat 9, Riverside Court, Nottingham.")
    gone(out, "Darnell", "Hughes", "Flat", "Riverside", "Nottingham")
    assert out.startswith("Witness statement of Person ") and out.endswith(", aged 41, of a private address."), out


def test_a_bank_complaint_keeps_its_request_and_loses_the_sort_code() -> None:
    out = run(
        "Mr. Ibrahim Khalil (sort code 20-45-77, account 43871209) says a direct debit bounced, which triggered "
        "£48 in charges. He has been using a food bank. He asked us to refund the charges."
    )
    gone(out, "Khalil", "20-45-77", "43871209", "food bank", "allegedly", "not been proven")
    assert "He has been using support services. He asked us to refund the charges." in out, out


def test_a_survivors_disclosure_is_not_an_unproven_claim_and_a_bio_is_public() -> None:
    text = (
        "Oprah Winfrey has spoken openly about being sexually abused as a child. Some bloggers claim she is a "
        "secret member of the Illuminati."
    )
    out = run(text, profile="auto")
    assert out.startswith("Oprah Winfrey has spoken openly about being mistreated as a child."), out
    gone(out, "allegedly", "not been proven")


def test_a_brand_medicine_and_a_surname_after_a_given_name() -> None:
    out = run("She was started on Wegovy in January. Michael Parkinson interviewed him. Parkinson Street is closed.")
    gone(out, "Wegovy", "Michael", "medical issue interviewed")
    assert "Parkinson Street is closed." in out and "has been unwell" not in out, out
    out = run("Her husband reports she has been drinking more since losing her job. He had a breakdown.")
    assert "she has been struggling since losing her job." in out and "He had a health crisis." in out, out


def test_an_attribution_closing_the_sentence_covers_all_of_it() -> None:
    text = "Depp is a violent wife-beater. Depp is a brute and Heard is a liar, according to fans."
    out = run(text, profile="public")
    assert out.endswith("Depp is a brute and Heard is a liar, according to fans."), out
    gone(out, "wife-beater")


def test_a_name_a_cue_vouches_for_goes_everywhere_and_school_subjects_stay() -> None:
    out = run(
        "She says her daughter Chidinma was called names by two boys in PE. Chidinma has sickle cell anaemia. "
        "Her mother wants a meeting on Thursday 9th."
    )
    gone(out, "Chidinma", "sickle", "9th", "medical issue, and", "a city")
    assert "by two boys in PE." in out and "on a certain date." in out, out


def test_a_victims_report_of_an_attack_and_a_reported_criticism_keep_their_meaning() -> None:
    out = run("I have a restraining order against him after he attacked me last year. Critics attacked his policy.")
    gone(out, "attacked me", "unproven", "His has")
    assert "after there was an incident last year." in out and out.endswith("Critics attacked his policy."), out


def test_a_counselling_note_loses_the_self_harm_detail_and_the_day_it_was_reported() -> None:
    out = run("Student: Maya Osei (Year 9)\nMaya said she has been self-harming (burning) since the summer. "
              "Head of year informed 04/11.")
    gone(out, "Maya", "Osei", "burning", "04/11", "self-harm")
    assert "(Year 9)" in out and "since the summer." in out, out


def test_a_name_after_a_job_or_called_is_a_name_and_a_workplace_is_not_a_person() -> None:
    out = run("The receptionist Amy read out my results. I met a guy called Ethan who works as a porter at "
              "Guy's and is applying for jobs at Monzo. She was angry at Priya.")
    gone(out, "Amy", "Ethan", "Guy's", "Monzo", "Priya", "organisation's")
    assert "works as a porter at an organisation and" in out and "jobs at an organisation." in out, out
    assert "The receptionist Person" in out, out


def test_a_police_officers_title_and_a_dating_app() -> None:
    out = run("PC Hughes took a statement from the caller. We matched on Tinder in May.")
    gone(out, "Hughes", "a city")
    assert "matched on Tinder" in out, out


def test_benefits_are_finances_and_keep_the_verb() -> None:
    out = run("He is on Universal Credit and gets housing benefit while waiting for his PIP assessment.")
    gone(out, "Universal Credit", "housing benefit", "Person")
    assert "gets support" in out, out


def test_a_compass_word_goes_with_the_place_and_a_countrys_part_stays() -> None:
    out = run("My sister lives in east London with her kids. She grew up in northern Italy.")
    gone(out, "London", "east a")
    assert "lives in a city with her kids." in out and "northern Italy" in out, out


def test_bail_drug_use_a_church_role_and_an_undetectable_viral_load() -> None:
    out = run("Her ex was on bail at the time and is a heavy cocaine user. Her mother is a deacon at the "
              "church. He told her he's HIV positive but undetectable.")
    gone(out, "bail", "cocaine", "deacon", "HIV", "undetectable")


def test_every_claim_the_table_knows_is_false_gets_its_correction() -> None:
    out = run("5G towers spread the coronavirus. Drinking bleach can cure it.", profile="public")
    assert "radio waves cannot cause or spread such illness" in out, out
    assert "drinking bleach cures nothing and is poisonous" in out, out


def test_a_referral_letter_loses_the_symptom_the_test_the_drinking_and_the_suspected_diagnosis() -> None:
    out = run("Thank you for seeing Mr Evans, who has had worsening memory problems since spring. MoCA today "
              "19/30. He drinks 3 glasses of wine a night. I would value your opinion regarding possible early "
              "Alzheimer's.")
    gone(out, "Evans", "memory", "MoCA", "wine", "Alzheimer", "early a ")
    assert "regarding a possible early medical issue." in out, out


def test_a_county_is_a_place_and_cannabis_and_an_overdraft_are_private() -> None:
    out = run("She was born in County Kerry and moved to Chicago. My flatmate has been smoking weed every day. "
              "We're overdrawn again.")
    gone(out, "Kerry", "Person", "weed", "overdrawn")
    assert "born in a county" in out and "has been smoking every day." in out, out  # the drug goes, the habit stays


def test_a_guilty_plea_keeps_its_verb_and_a_scam_keeps_its_tense() -> None:
    out = run("He later pleaded guilty to wire fraud and aggravated identity theft.", profile="public")
    gone(out, "wire fraud", "identity theft", "later involved")
    assert out.startswith("He later admitted a past legal matter"), out
    out = run("Tom Reed later pleaded guilty to wire fraud and aggravated identity theft.")
    gone(out, "wire fraud", "identity theft", "later involved")
    assert "later admitted a past legal matter" in out, out
    out = run("The landlord conned us out of our deposit. I got scammed by a fake website. Dale has scammed "
              "his neighbours for years.")
    gone(out, "conned", "scammed", "took advantage of by", "has allegedly took")
    assert "allegedly deprived us of our deposit" in out and "I got taken advantage of by a fake website." in out
    assert "has allegedly taken advantage of his neighbours" in out, out


def test_a_colleague_named_only_in_a_persons_role_and_a_brand_that_is_a_given_name() -> None:
    out = run("Marcus said he'd cover my shift. Tiffany Moore wrote me up anyway. Ford said it would recall "
              "the cars.")
    gone(out, "Marcus", "Tiffany", "Moore")
    assert out.endswith("Ford said it would recall the cars."), out


def test_one_clause_with_two_attributes_loses_both() -> None:
    out = run("His mother told me his father is currently incarcerated in Lansing and that the family recently "
              "moved into a homeless shelter. He became homeless at sixteen.")
    gone(out, "incarcerated", "homeless", "Lansing", "became without")
    assert "moved into temporary housing." in out and "He lost a settled home at sixteen." in out, out


def test_an_emergency_note_keeps_its_grammar() -> None:
    out = run("34F, presenting with overdose of paracetamol (approx 32 tablets) following argument with partner. "
              "Hx of bipolar affective disorder, on lithium. Mental health liaison team referral made.")
    gone(out, "paracetamol", "tablets", "bipolar", "affective", "lithium", "Mental health", "This person")
    assert "presenting with a medical emergency following argument with partner." in out, out


def test_a_form_field_makes_its_health_terms_the_applicants() -> None:
    out = run("Volunteer application: Sofia Marin, born 1985. Medical: type 1 diabetic, carries insulin. "
              "Emergency contact: her husband.")
    gone(out, "Sofia", "diabetic", "insulin")
    assert "Medical: living with a health condition, carries a prescribed medication." in out, out


def test_recovery_meetings_sobriety_and_fertility_treatment_name_the_condition() -> None:
    out = run("My dad has been sober for 3 years now and goes to AA every Tuesday. Dana is off next week for "
              "her IVF transfer.")
    gone(out, "sober", "AA", "IVF", "transfer")
    assert "has been well for 3 years now and goes to a support group every Tuesday." in out, out
    assert "for a medical appointment." in out or "for her medical appointment." in out, out


def test_a_chat_logs_speakers_are_accounts_each_with_its_own_stand_in() -> None:
    out = run("[09:14] sarah.k: has anyone heard from Bilal?\n[09:15] tom_w: he's in hospital, kidney stones "
              "apparently.\n[09:16] sarah.k: ok I'll cover his tickets.")
    gone(out, "sarah.k", "tom_w", "Bilal", "kidney")
    speakers = re.findall(r"^\[[\d:]+\] (User [A-Z]+):", out, re.M)
    assert len(speakers) == 3 and speakers[0] == speakers[2] != speakers[1], out


def test_a_csv_tables_columns_say_what_each_cell_is() -> None:
    out = run("Name,DOB,Condition,Postcode\nEvie Carter,2011-05-14,Type 1 diabetes,LS6 2QB\n"
              "Harrison Lee,2010-11-02,Epilepsy,LS7 4DT\n\"Okoye, Amara\",2011-01-27,Kikuchi disease,LS8 1HA")
    gone(out, "Evie", "Harrison", "Okoye", "05-14", "11-02", "diabetes", "Epilepsy", "Kikuchi", "LS6", "LS8")
    lines = out.splitlines()
    assert lines[0] == "Name,DOB,Condition,Postcode", out
    assert all(len(line.split(",")) == 4 and re.search(r",20(?:10|11),", line) for line in lines[1:]), out


def test_a_markdown_tables_rule_and_empty_cells_stay() -> None:
    out = run("| Patient | MRN | Religion | Notes |\n|---|---|---|---|\n| Ahmed Rahimi | 00123456 | Muslim | "
              "prefers a quiet room |\n| Joan Smith | 00987654 | None | |")
    gone(out, "Ahmed", "Joan", "00123456", "Muslim")
    assert "|---|---|---|---|" in out and "| None | |" in out and "prefers a quiet room" in out, out


def test_a_recipes_instruction_is_no_name_and_a_weather_reports_counties_stay() -> None:
    out = run("Mix 200g flour and two eggs. Bake for 25 minutes until golden. Serve, as my grandmother Rose "
              "always did, with custard.")
    assert "Bake for 25 minutes until golden." in out, out
    gone(out, "Rose")
    text = ("Heavy rain is expected across Wales on Thursday. Flooding is possible in parts of Devon and "
            "Cornwall, and drivers should allow extra time.")
    assert run(text, profile="auto") == text


def test_a_county_in_a_record_is_a_county() -> None:
    out = run("My aunt lives in Devon and works in West Yorkshire.")
    assert out == "My aunt lives in a county and works in a county.", out


def test_log_lines_keep_their_timestamps_and_lose_their_accounts() -> None:
    out = run("2025-10-03T14:22:11Z INFO login ok user=jdoe ip=203.0.113.45\n"
              "2025-10-03T14:25:40Z WARN failed password for user=m.garcia from 198.51.100.7")
    gone(out, "jdoe", "garcia", "203.0.113", "198.51")
    lines = out.splitlines()
    assert lines[0].startswith("2025-10-03T14:22:11Z INFO login ok user=") and lines[1].startswith(
        "2025-10-03T14:25:40Z WARN failed password for user="), out


def test_an_encyclopaedic_paragraph_is_public_and_a_killing_with_a_late_agent_keeps_its_grammar() -> None:
    out = run("The Beatles were an English rock band formed in Liverpool in 1960. John Lennon was shot dead in "
              "New York in 1980 by Mark David Chapman. Paul McCartney has been knighted.", profile="auto")
    assert out.startswith("The Beatles were an English rock band formed in Liverpool in 1960. John Lennon "), out
    assert "Paul McCartney has been knighted." in out, out
    # The killing is rewritten whole ("died in New York in 1980."), never "died ... by Mark David Chapman".
    assert "John Lennon died in New York in 1980." in out and "Chapman" not in out, out


def test_a_public_figures_own_disclosure_stays_and_the_question_about_it_too() -> None:
    text = ("Is it true that Tim Cook is gay? Yes. Tim Cook publicly came out as gay in a 2014 essay, writing "
            "that he was proud to be gay. He was the first openly gay CEO of a Fortune 500 company.")
    assert run(text, profile="public") == text
    out = run("Reports say the actor was diagnosed with dementia.", profile="public")
    gone(out, "dementia")


def test_a_claim_form_with_column_gaps_a_named_operation_and_a_failed_drug_test() -> None:
    out = run("Member: Dolores Ramirez   Medicare ID: 1EG4-TE5-MK73   DOB: 07/22/1938\n"
              "Claim for outpatient cataract surgery performed on Mrs Ramirez 09/14/2025. The decision follows "
              "your failed drug test.")
    gone(out, "Dolores", "Ramirez", "1EG4", "07/22", "cataract", "drug test")
    assert "Medicare ID: withheld" in out and "Claim for an outpatient medical procedure performed on" in out, out


def test_a_sports_answer_is_public_and_keeps_its_people() -> None:
    text = ("Lance Armstrong won seven Tour de France titles, all later stripped after an investigation. He "
            "admitted to doping in a 2013 interview with Oprah Winfrey.")
    out = run(text, profile="auto")
    assert "Lance Armstrong" in out and "Oprah Winfrey" in out, out


def test_a_greeting_a_titled_tenant_a_crime_reference_and_a_visa_renewal() -> None:
    out = run("Hey Jen, Carlos told me his visa renewal is due in January. The tenant at number 14, Mr Gary "
              "Pike, threatened me. I have reported it to the police (crime ref 14/22871/25).")
    gone(out, "Jen", "Carlos", "visa", "Pike", "22871", "not been proven", "a street address")
    assert out.startswith("Hey Person "), out
    # The house number of someone's home goes too (batch 233): "the tenant at a private address".
    assert "The tenant at a private address, Person " in out and "(crime ref withheld)." in out, out


def test_a_vehicle_plate_and_a_blue_badge_are_private() -> None:
    out = run("Applicant: Mr Obi Eze. Vehicle registration: MA19 XKT. Blue badge holder (wheelchair user).")
    gone(out, "Eze", "MA19", "badge", "wheelchair")
    assert "Vehicle registration: withheld." in out, out


def test_a_singers_own_account_of_her_life_stays_public() -> None:
    text = ("Adele has sold more than 120 million records worldwide. She has spoken about her postpartum "
            "depression after the birth of her son in 2012.")
    assert run(text, profile="auto") == text


def test_one_stand_in_per_titled_parent_and_a_name_said_twice() -> None:
    out = run("Present: Mr Daniel Okafor (father of Chidi Okafor). Chidi has been struggling with reading. "
              "Mr Okafor mentioned a divorce. Chidi's mother lives abroad.\nChidi receives free school meals.\n"
              "Next review: after Easter.")
    gone(out, "Okafor", "Chidi")
    father = re.search(r"Present: (Person \w+) \(father of (Person \w+)\)", out)
    assert father and father.group(1) != father.group(2), out
    assert f"{father.group(1)} mentioned" in out, out  # "Mr Okafor" is the titled father, not his son
    assert "after Easter." in out, out  # a holiday, not a person


def test_a_given_name_before_a_known_surname_and_police_custody() -> None:
    out = run("A male, later identified as Jason Pritchard (DOB 17/06/1991), had been released from HMP Exeter "
              "two weeks earlier. Pritchard was taken to Torquay custody. His sister, Kayleigh Pritchard, was "
              "informed.")
    gone(out, "Jason", "Pritchard", "Kayleigh", "HMP", "Exeter", "family")
    assert "taken to Torquay custody" in out and "released from a facility" in out, out


def test_a_diagnosing_verb_keeps_its_object_article_and_a_charity_goes_whole() -> None:
    out = run("The psychologist, Dr Fiona Lamb, diagnosed dyslexia and mild ADHD. She was treated for "
              "schizophrenia and mild anxiety. Tom Reed has suspected bipolar disorder. "
              "Donations to Parkinson's UK.")
    gone(out, "dyslexia", "ADHD", "schizophrenia", "bipolar", "Parkinson")
    assert "diagnosed a learning difference and a mild" in out, out
    assert "treated for a mental-health condition and a mild" in out, out
    assert "has a suspected" in out and "Donations to a health charity." in out, out


def test_a_discharge_summary_keeps_its_columns_and_its_list_grammar() -> None:
    out = run("Name: Ruth Abernethy   DOB: 02/03/1949   NHS no: 485 777 3456\n"
              "She was found to have a urinary tract infection and new-onset atrial fibrillation. Background: "
              "type 2 diabetes, hypertension, previous breast cancer.")
    gone(out, "Ruth", "Abernethy", "02/03", "485 777", "fibrillation", "diabetes", "breast cancer")
    assert re.match(r"Name: Person \w+   DOB: 1949   NHS no: withheld\n", out), out
    assert "and a new-onset medical issue" in out and ", a previous serious medical issue." in out, out


def test_a_debt_keeps_its_verb_a_town_after_live_outside_and_a_customer_number() -> None:
    out = run("My husband Dave (we live just outside Swindon) lost his job. We're now about £14,000 in debt on "
              "credit cards.\n2024-11-02 08:16:40 ERROR payment failed for customer 55102 (card ending 8812)")
    gone(out, "Dave", "Swindon", "14,000", "55102", "8812")
    assert "(we live just outside a city)" in out and "We're now under financial strain" in out, out
    assert "for customer withheld (card ending withheld)" in out, out


def test_a_public_figures_own_announcement_stays() -> None:
    text = ("Bill Gates co-founded Microsoft with Paul Allen in 1975. Gates and his former wife Melinda French "
            "Gates announced their divorce in 2021. He has also been open about his struggles with anxiety.")
    assert run(text, profile="public") == text


def test_a_hyphenated_given_name_a_clients_initials_and_a_country() -> None:
    out = run("12/01/2025: Lily-Mae Turner (Year 2) arrived with a bruise. Lily-Mae lives with her mother, Stacey "
              "Turner.\nSession notes - client R.K., 38, seen at the clinic. Mr Tesfaye fled Eritrea in 2021; "
              "Benin and Togo too.")
    gone(out, "Lily", "Mae", "Turner", "Stacey", "R.K", "Tesfaye")
    child = re.search(r"2025: (Person \w+) \(Year 2\)", out)
    assert child and f"{child.group(1)} lives with her mother, Person " in out, out
    assert f"{child.group(1)} lives with her mother, {child.group(1)}" not in out, out
    assert re.search(r"client Person \w+, 38", out) and "fled Eritrea in 2021; Benin and Togo too." in out, out


def test_a_counselling_note_a_faith_and_a_diagnosis_said_of_it() -> None:
    out = run("Client has been drinking half a bottle of vodka most nights. He denies current suicidal intent. "
              "He is a practising Pentecostal Christian, a faith that is persecuted in Eritrea.\n"
              "[21:04] <kat99> she told me she's been in hospital, they think it's lupus")
    gone(out, "vodka", "suicidal", "Pentecostal", "lupus")
    assert "has been drinking alcohol most nights" in out and "He denies current risk." in out, out
    assert "He is a person of faith, a belief system that is persecuted in Eritrea." in out, out


def test_a_court_is_no_street_and_an_established_conviction_gets_no_hedge() -> None:
    out = run("A 42-year-old man from Paignton has been jailed for three years after stealing more than £60,000 "
              "from his elderly neighbour. Darren Moss admitted fraud by abuse of position at Exeter Crown Court.")
    gone(out, "Paignton", "Darren", "Moss", "60,000", "not been proven", "mistreatment", "a street")
    assert "at a crown court." in out, out  # named for its town, it names the town (session 25)


def test_cheating_in_an_exam_infidelity_lies_and_an_insult() -> None:
    out = run("@dan_hart97 you are a pathetic little man and everyone knows you cheated on the exams. Brenda Walsh "
              "lies to everyone about her income.")
    gone(out, "dan_hart97", "pathetic", "cheated", "Brenda", "lies", "family matter")
    assert "broke the rules in the exams" in out and "makes disputed statements to everyone" in out, out
    out = run("Senator Mark Delaney has represented Ohio since 2013. He cheated on his wife with a staffer.",
              profile="public")
    gone(out, "cheated", "unfairly on")
    assert "Mark Delaney" in out and "private relationship matter" in out, out


def test_a_sentence_about_no_one_is_not_harmful() -> None:
    text = "The weather was pathetic today. That film was a pathetic attempt at comedy."
    assert run(text, profile="auto") == text


def test_a_surname_first_field_and_spaced_identifiers() -> None:
    out = run("PATIENT: Hernandez, Luis A.    MRN: 7734102\nMr Hernandez was seen today.\n"
              "Applicant: Ms Chloe Nguyen, licence no. 082 345 671")
    gone(out, "Hernandez", "Luis", "7734102", "Nguyen", "082 345", "671")
    patient = re.match(r"PATIENT: (Person \w+)    MRN: withheld\n", out)
    assert patient and f"{patient.group(1)} was seen today." in out, out
    assert "licence no. withheld" in out, out


def test_an_australian_address_benefits_and_autism() -> None:
    out = run("Tenancy check – 22 Wattle Street, Fitzroy VIC 3065. She moved from Surry Hills NSW 2010. Rent was "
              "late while Ms Chloe Nguyen was on JobSeeker payments. Her son has autism.")
    gone(out, "Wattle", "Fitzroy", "3065", "Surry", "2010", "JobSeeker", "autism", "ZIP", "mental-health")
    assert not re.search(r"from Person", out), out
    assert "was receiving support" in out and "a developmental condition" in out, out


def test_a_reported_criticism_gets_no_hedge_in_public_text() -> None:
    out = run("Kanye West has also faced widespread criticism for antisemitic remarks in 2022, after which Adidas "
              "ended its partnership with him.", profile="public")
    gone(out, "antisemitic", "not been proven", "questions for")
    assert out.startswith("Kanye West has also faced widespread") and "Adidas ended its partnership" in out, out


def test_pocketing_funds_and_a_rigged_election_are_accusations() -> None:
    out = run("The mayor of Springfield, Janet Collins, is a thief who has been pocketing city funds for years. "
              "Everyone knows she rigged the last election. She was first elected in 2016.", profile="public")
    gone(out, "thief", "pocketing", "rigged")
    assert "Janet Collins" in out and "She was first elected in 2016." in out, out


def test_a_claim_about_an_act_is_framed_as_a_claim() -> None:
    out = run("Drinking a teaspoon of bleach diluted in water every morning kills the coronavirus.", profile="public")
    assert out.startswith("Some claim that drinking a teaspoon of bleach diluted in water"), out
    gone(out, "supposedly diluted")


def test_a_chancellor_is_public_and_a_policy_toward_refugees_is_no_status_of_hers() -> None:
    text = ("Angela Merkel served as Chancellor of Germany from 2005 to 2021. During the 2015 refugee crisis she "
            "allowed more than one million asylum seekers to enter Germany. Critics accused her of destroying "
            "Europe, while supporters praised her humanitarian stance.")
    out = run(text, profile="auto")
    assert out.startswith("Angela Merkel served as Chancellor of Germany") and "2015 refugee crisis" in out, out
    assert "one million asylum seekers to enter Germany" in out, out
    gone(out, "not been proven")
    out = run("Her parents were refugees from Syria.")
    gone(out, "refugees")


def test_a_school_counsellor_a_plate_after_reg_and_a_quoted_insult() -> None:
    out = run("Her school counsellor at St. Bede's suspects an eating disorder. Selling my late grandad's car, "
              "reg LD59 KXR, call Dan. Nurse Gillian Shaw told me my father Arthur was \"just an old drunk "
              "wasting a bed\".")
    gone(out, "eating disorder", "LD59", "Dan", "Shaw", "Arthur", "drunk", "not been proven")
    assert "Her school counsellor at" in out and "reg withheld," in out, out
    assert "\"just a difficult person wasting a bed\"" in out, out


def test_a_phone_chat_export_keeps_every_message_on_its_line() -> None:
    text = ("[12/03/2024, 21:04] Sophie Lambert: did you hear about Mark?\n"
            "[12/03/2024, 21:05] Jade: no what happened\n"
            "[12/03/2024, 21:06] Sophie Lambert: he got arrested for drink driving on Saturday\n"
            "[12/03/2024, 21:06] Jade: omg. is he ok??")
    out = run(text)
    gone(out, "Sophie", "Lambert", "Jade", "Mark", "arrested", "drink driving")
    lines = out.split("\n")
    assert len(lines) == 4 and lines[1].endswith(": no what happened") and lines[3].endswith(": omg. is he ok??"), out
    assert lines[2].endswith("on Saturday") and "] Person " in lines[2], out


def test_a_form_with_a_national_insurance_number_and_a_family_firm() -> None:
    out = run("National Insurance number: QQ 12 34 56 C\nCheers,\nSteve Barker\nBarker & Sons Joinery")
    gone(out, "QQ 12", "Barker", "Sons")
    assert "National Insurance number: withheld" in out, out


def test_an_encyclopaedic_text_and_a_famous_owner_stay_public() -> None:
    text = ("The Eiffel Tower was completed in 1889 for the World's Fair in Paris. It was designed by the "
            "engineering firm of Gustave Eiffel and was the tallest man-made structure in the world until 1930.")
    assert run(text, profile="auto") == text
    out = run("Elon Musk bought Twitter in October 2022 for $44 billion. He is a well-known supporter of free "
              "speech. Musk is a Nazi and a fraud.", profile="auto")
    assert out.startswith("Elon Musk bought Twitter") and "Musk is " in out, out
    gone(out, "Nazi", "fraud", "fringe")


def test_two_towns_joined_by_and_a_condition_plan_and_a_seizure() -> None:
    out = run("Ethan now splits the week between our homes in Harrow and Watford. Could we get a written asthma "
              "plan for both houses? He told his supervisor he suffers from epilepsy and may have had a seizure "
              "before the fall. Ask Priya and Tom.")
    gone(out, "Ethan", "Harrow", "Watford", "asthma", "epilepsy", "seizure", "Priya")
    assert "Could we get a written plan for both houses?" in out and "a medical episode before the fall" in out, out
    assert re.search(r"Ask Person \w+ and Person \w+\.", out), out


def test_burnout_as_a_noun_a_verb_and_said_of_it() -> None:
    out = run("His GP thinks it's burnout. Tom Reed burnt out last year and was signed off with burnout.")
    gone(out, "burn", "Tom")
    assert not re.search(r"Person \w+ unwell", out), out
    assert "His GP thinks it's a health matter." in out and "became unwell last year" in out, out


def test_a_couple_gets_two_stand_ins_and_a_blow_is_an_accusation() -> None:
    out = run("Mr Achterberg (79) has vascular dementia. Mrs Achterberg reports he hit her last week. Mr "
              "Achterberg's daughter calls daily.")
    gone(out, "Achterberg", "dementia", "hit her")
    him = re.match(r"(Person \w+) \(79\)", out)
    her = re.search(r"(Person \w+) reports", out)
    assert him and her and him.group(1) != her.group(1) and f"{him.group(1)}'s daughter" in out, out


def test_an_order_with_a_test_prenatal_vitamins_and_an_adhd_medication() -> None:
    out = run("Order #A-55921 | Customer: Jamal Wright | Ship to: 118 Peachtree St NE, Apt 2104, Atlanta, GA 30303 | "
              "Items: 1x pregnancy test (2 pack), 1x prenatal vitamins\nI was diagnosed with ADHD last year. Since "
              "starting Elvanse my focus at work is so much better.")
    gone(out, "Jamal", "pregnancy", "prenatal", "Elvanse", "1x a ")
    assert "1x routine vitamins" in out and "Since starting a prescribed medication" in out, out


def test_a_letterhead_job_title_and_a_mental_health_team() -> None:
    out = run("From: Dr. Anil Mehta, Consultant Psychiatrist\nRe: Ms Leanne Carter, DOB 30/01/1990\n"
              "I have started sertraline 50mg and referred her to the Community Mental Health Team.")
    gone(out, "Mehta", "Psychiatrist", "Carter", "sertraline", "Mental Health")
    assert re.match(r"From: Person \w+, Consultant specialist\n", out), out


def test_a_fraud_the_paragraph_records_a_plea_for_is_not_called_unproven() -> None:
    out = run("Bernie Madoff ran the largest Ponzi scheme in history, defrauding investors of about $65 billion. "
              "He pleaded guilty to 11 federal felonies and was sentenced to 150 years in prison.", profile="public")
    assert out.startswith("Bernie Madoff ran the largest Ponzi scheme in history") and "admitted" in out, out
    gone(out, "not been proven", "defrauding", "felonies")
    out = run("Senator Tom Reed pleaded guilty to stealing from the church fund and was sentenced to prison.",
              profile="public")
    gone(out, "sentenced", "prison", "stealing")
    assert out.startswith("Senator Tom Reed"), out
    out = run("Senator Mark Delaney took bribes from defense contractors. He was never convicted.", profile="public")
    assert "not been proven" in out, out


def test_a_footballer_is_public_and_a_club_keeps_its_city() -> None:
    text = ("Lionel Messi has won the Ballon d'Or a record eight times. FC Barcelona agreed to pay for his "
            "treatment when he moved to Spain at 13.")
    assert run(text, profile="auto") == text
    out = run("Real Madrid won again. He lives in Madrid and the prison sentences were replaced with fines.")
    assert out.startswith("Real Madrid won again. He lives in a city") and "the penalties were replaced" in out, out


def test_a_dating_app_that_names_an_orientation_and_a_diagnosis_she_stated_herself() -> None:
    out = run("My flatmate Olly has been acting really weird since he started seeing this guy from Grindr.")
    gone(out, "Olly", "Grindr")
    assert "from a dating app" in out, out
    text = ("Greta Thunberg began her school strike for climate outside the Swedish parliament in 2018. She has "
            "said that she was diagnosed with Asperger's syndrome.")
    assert run(text, profile="public") == text


# -- batch 39 (session 16) -----------------------------------------------------------------------


def test_a_discharge_summary_loses_its_background_conditions_and_their_stage() -> None:
    out = run("Discharge summary\nPatient: Svetlana Ivanova, 67F\nAdmitted with a fall. Background of type 2 "
              "diabetes, CKD stage 3 and previous breast cancer (2016, left mastectomy). Lives alone.")  # fmt: skip
    gone(out, "Svetlana", "diabetes", "CKD", "stage 3", "breast cancer", "mastectomy")
    assert "Background of " in out and "Lives alone." in out, out


def test_shared_intimate_images_and_a_slur_about_work_keep_the_sentence() -> None:
    out = run("My ex (32M) has been posting my nudes on a Telegram group and telling people I was a sex worker. "
              "My name is Chloe Evans.")  # fmt: skip
    gone(out, "nudes", "sex worker", "Chloe")
    assert out.startswith("My ex (32M) has been posting my private images on a Telegram group and telling "
                          "people I"), out
    assert "personal life private" not in out, out


def test_a_role_is_not_a_subject_to_pseudonymise() -> None:
    out = run("Resident Mr Albert Finnegan was found on the floor at 06:40. No visible injuries; GP to review on "
              "Thursday.")  # fmt: skip
    gone(out, "Finnegan")
    assert "GP to review on Thursday." in out, out


def test_an_accusation_after_that_stays_a_clause_about_its_subject() -> None:
    out = run("Leah Morrison disclosed to Ms Patel that her stepdad hits her mum when he's been drinking.")
    gone(out, "Leah", "Patel", "hits", "drinking")
    assert re.search(r"that her stepdad \w", out), out
    assert "that a personal" not in out and "that an unproven" not in out, out
    out = run("Leah said her stepdad hits her mum when he's been drinking.")
    assert re.search(r"said (?:that )?her stepdad \w", out), out


def test_a_named_union_a_quoted_slur_and_a_fasting_month() -> None:
    out = run("Mohammed says Steve mocked his Ramadan fasting and called him \"a lazy terrorist\". Mohammed is a "
              "member of Unite and his Unison rep, Julie Hart, will attend.")  # fmt: skip
    gone(out, "Unite", "Unison", "terrorist", "militant", "Ramadan", "Julie")
    assert 'called him "an offensive name"' in out and "member of a workplace group" in out, out


def test_a_benefit_a_denial_and_stress_signed_off() -> None:
    out = run("She is a widow on Pension Credit. Gary arrived drunk, says Mrs Whitfield. Gary denies being drunk.")
    gone(out, "Pension Credit", "Gary", "Whitfield")
    assert "allegedly denies" not in out and re.search(r"Person \w+ denies being drunk\.", out), out
    out = run("Priya has been signed off by her GP with stress and anxiety after her divorce.")
    gone(out, "stress", "anxiety", "divorce", "Priya")
    assert "signed off by her GP with a health condition after her family matter" in out, out


def test_given_names_from_beyond_europe_and_a_person_from_an_office() -> None:
    out = run("Just a heads-up that Priyanka Raghunathan from the Bristol office will be off from Monday. "
              "Raj will cover her accounts. Neha and Deepak from payroll agreed.")  # fmt: skip
    gone(out, "Priyanka", "Raghunathan", "Raj ", "Neha", "Deepak")
    # The town of the office goes too (a record loses its cities, session 26).
    assert "from the city office will be off" in out and "will cover her accounts" in out, out


# -- batch 40 (session 16) -----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "values"), [
    ("Ship to: Ahmed Karimi, 3 Birchwood Ave, Toronto ON M4K 1C2.", ["Karimi", "Birchwood", "Toronto", "M4K"]),
    ("Send it to Anna de Vries, Keizersgracht 12, 1015 CJ Amsterdam.", ["Vries", "Keizersgracht", "1015", "Amsterdam"]),
    ("Her address is 14 Main Street, Dublin D02 X285.", ["Main Street", "Dublin", "D02"]),
    ("Deliver to Jonas Weber, Hauptstraße 5, 80331 München.", ["Weber", "Hauptstraße", "80331", "München"]),
    ("He lives at 22 MG Road, Bengaluru 560001.", ["MG Road", "Bengaluru", "560001"]),
    ("Please post it to Marie Dubois, 12 rue de la Paix, 75002 Paris.", ["Dubois", "rue de la Paix", "75002", "Paris"]),
])  # fmt: skip
def test_addresses_of_other_countries_lose_street_town_and_postcode(text, values) -> None:
    gone(run(text), *values)


def test_a_medical_device_names_no_condition_and_one_takes_no_article() -> None:
    out = run("Order for Tom Reed: 1x blood glucose monitor, 2x EpiPens. He had one miscarriage scare in 2023 "
              "and needs a new glucose monitor.")  # fmt: skip
    gone(out, "glucose", "EpiPen", "miscarriage", "Tom")
    assert "1x medical device, 2x medical devices" in out and "one a " not in out, out
    assert "a new medical device" in out, out


def test_names_in_a_message_written_all_in_lower_case() -> None:
    out = run("hi dr lee, its jamie (DOB 2/9/1988). my psoriasis is flaring again. can i get an appt?\nthanks\njamie")
    gone(out, "lee", "jamie", "psoriasis", "2/9")
    assert out.startswith("hi Person ") and "can i get an appt?" in out, out
    out = run("hi its me again. the tap is still leaking and the boiler is making a noise. thanks for sorting it")
    assert "Person" not in out, out


# -- batch 41 (session 16) -----------------------------------------------------------------------


def test_a_hashtag_a_handle_and_a_border_detention() -> None:
    out = run("My sister Nadia was detained at Heathrow for 9 hours. She's a Syrian refugee with indefinite leave "
              "to remain. This is disgusting. #RefugeesWelcome Message me on Insta @lou.brightonrunner")  # fmt: skip
    gone(out, "Nadia", "legal matter", "leave to remain", "lou.brightonrunner")
    assert "was held at Heathrow for 9 hours" in out and "#RefugeesWelcome" in out, out
    assert re.search(r"on Insta User \w+", out), out


def test_a_study_population_is_nobody_and_a_town_is_no_person() -> None:
    text = "We studied 1,248 adults with type 2 diabetes across 14 clinics. Participants lost 6.2 kg on average."
    assert run(text) == text
    out = run("A 52-year-old man from Halifax has been jailed after stealing from the scout group. The refugees "
              "in Calais were moved on, said Tom Reed.")  # fmt: skip
    gone(out, "Halifax", "Calais", "Tom")
    assert not re.search(r"(?:from|in) Person", out) and "man from a city" in out, out


def test_reported_name_calling_gets_no_unproven_note() -> None:
    out = run("Greta Thunberg is a Swedish climate activist. Critics have called her a puppet of her parents and "
              "a hypocrite, while supporters credit her with mobilising millions of young people.",
              "public")  # fmt: skip
    assert "Greta Thunberg" in out and "hypocrite" not in out, out
    assert "not been proven" not in out and out.rstrip().endswith("millions of young people."), out


def test_a_wharf_address_and_a_login_spelled_from_a_name() -> None:
    out = run("Case note: Mr Viktor Horvath, tenant at 9 Canal Wharf, has been hoarding.\n"
              "Reporter: dmitri.volkov (Dmitri Volkov, dmitri.volkov@fastmail.com)")  # fmt: skip
    gone(out, "Horvath", "Canal Wharf", "dmitri", "Volkov")
    assert "has been hoarding" in out, out


# -- batch 43 (session 16) -----------------------------------------------------------------------


def test_a_panic_attack_is_no_assault() -> None:
    out = run("Hi Rachel, sorry I missed the meeting - I had a panic attack on the train and had to go home. Liam")
    gone(out, "panic", "Rachel", "Liam", "unproven")
    assert "I had a health episode on the train and had to go home." in out, out


def test_an_obituary_keeps_its_children_people_and_its_church_a_place() -> None:
    out = run("Beloved wife of the late Frank, mother of Siobhan and Declan. Funeral at Our Lady of Lourdes on "
              "15 March.")  # fmt: skip
    gone(out, "Frank", "Siobhan", "Declan", "Lourdes", "15 March")
    assert re.search(r"mother of Person \w+ and Person \w+\.", out) and "at a place of worship" in out, out


def test_a_log_line_loses_its_key_value_identifiers_and_reason() -> None:
    out = run('2024-05-14T09:13:02Z WARN record viewed patient="Jordan Blake" mrn=00771245 '
              'reason="chest pain, cocaine use"')  # fmt: skip
    gone(out, "Jordan", "00771245", "cocaine", "chest pain")
    assert out.startswith("2024-05-14T09:13:02Z WARN record viewed patient=") and "mrn=withheld" in out, out


def test_a_public_deal_keeps_its_price() -> None:
    text = ("Elon Musk completed his $44 billion purchase of Twitter in October 2022, saying he wanted to protect "
            "free speech.")  # fmt: skip
    out = run(text, "public")
    assert "$44 billion purchase" in out, out


# -- batch 44 (session 16) -----------------------------------------------------------------------


def test_an_age_over_89_after_a_pronoun_a_juror_number_and_a_named_cancer() -> None:
    out = run("I am writing on behalf of my father, Anthony Reyes (juror no. 4471-229). He is 91, registered "
              "blind, and has recently started chemotherapy for bowel cancer. I enclose a letter from his "
              "oncologist.")  # fmt: skip
    gone(out, "Reyes", "4471", "91", "blind", "chemotherapy", "bowel", "cancer", "oncologist")
    assert "He is over 89, " in out and "bowel a" not in out, out


def test_a_bracketed_nickname_is_the_same_person_and_a_student_loan_stays() -> None:
    out = run("Name: Oluwadamilare (Dami) Adeyinka   Student ID: 2207731\nDami disclosed that she is struggling "
              "financially after her student loan was delayed.")  # fmt: skip
    gone(out, "Oluwadamilare", "Dami", "Adeyinka", "2207731")
    name = re.search(r"Name: (Person \w+)", out)
    assert name and f"{name.group(1)} disclosed" in out and "her student loan was delayed" in out, out


def test_a_trans_woman_on_hormone_therapy() -> None:
    out = run("Hi, I'm a 27 year old trans woman living in Glasgow. I've been on HRT for 8 months.")
    gone(out, "trans", "HRT", "Glasgow")
    assert "I'm a 27 year old woman living in a city." in out, out


# -- batch 45 (session 16) -----------------------------------------------------------------------


def test_probation_notes_keep_their_header_and_a_weekday_is_no_person() -> None:
    out = run("Probation officer notes - 3/4/24\nClient: Shane Doherty (CRN X449201). Living at his nan's on "
              "Ellison Street, Jarrow. Next appointment Tues 10am.")  # fmt: skip
    gone(out, "Doherty", "X449201", "Ellison", "Jarrow", "Probation")
    assert out.startswith("Case officer notes") and "(CRN withheld)" in out and "Tues 10am" in out, out
    assert "on a street, a city." in out, out


def test_a_reviewers_town_and_a_payroll_number() -> None:
    out = run("The manager, a bald guy called Trevor, was rude. We won't be back. - Sandra & Mike, Wigan\n"
              "Jess Moreno (payroll no. 88120) is moving to 3 days a week.")  # fmt: skip
    gone(out, "Trevor", "Sandra", "Mike", "Wigan", "88120", "Moreno")
    assert re.search(r"- Person \w+ & Person \w+, a city", out) and "(payroll no. withheld)" in out, out


# -- batch 46 (session 16) -----------------------------------------------------------------------


def test_an_occupational_health_referral_keeps_its_department_language_and_last_line() -> None:
    out = run("From: Gareth Lloyd\nTo: Occupational Health\nSubject: Referral - Bethan Pryce, Finance\n\n"
              "Bethan has disclosed that she has endometriosis. She has asked that any appointments be in Welsh "
              "if possible. Her line manager is unaware of the diagnosis.")  # fmt: skip
    gone(out, "Gareth", "Bethan", "Pryce", "endometriosis", "a city")
    assert "To: Occupational Health\n" in out and "be in Welsh if possible" in out, out
    assert out.endswith("Her line manager is unaware of the diagnosis."), out


# -- batch 47 (session 16) -----------------------------------------------------------------------


def test_a_suicide_attempt_goes_with_the_person_the_sentence_names() -> None:
    out = run("Team, FYI Marcus in logistics has been signed off for 4 weeks after a suicide attempt. Please do "
              "not discuss this with him. Cover: Amira until 30/9.")  # fmt: skip
    gone(out, "Marcus", "suicide", "Amira")
    assert re.search(r"FYI Person \w+ in logistics has been signed off for 4 weeks after a", out), out
    assert re.search(r"Cover: Person \w+ until", out), out


def test_a_passport_ending_reads_withheld() -> None:
    out = run("Customer: Ms Yuki Tanaka-Brown. Verified ID via passport ending 4471. Reset password.")
    gone(out, "Tanaka", "4471")
    assert "passport ending withheld" in out, out


def test_a_titled_couple_is_one_mention() -> None:
    out = run("Dear Mr and Mrs Achterberg,\n\nYour son Finn will receive support for his dyslexia.")
    gone(out, "Achterberg", "Finn", "dyslexia")
    assert re.match(r"Dear Person \w+,\n", out) and "Mr and" not in out, out


def test_a_ward_handover_loses_an_age_over_89_its_conditions_and_a_faith_by_diet() -> None:
    out = run("Handover notes, Ward 7\nBed 3: Mrs Edith Crowther, 94, admitted with UTI and delirium.\n"
              "Bed 5: Mr Samir Haddad, 61, post-op day 2 after bowel resection, pain controlled with morphine "
              "PCA, Muslim - halal meals.")  # fmt: skip
    gone(out, "Crowther", "94", "UTI", "delirium", "Haddad", "resection", "morphine", "Muslim", "halal")
    assert "Bed 3: Person " in out and ", over 89, admitted with " in out and ", 61, post-op day 2" in out, out


def test_a_specialist_names_no_condition() -> None:
    out = run("I've just been diagnosed with MS and my neurologist says high-intensity exercise is not advisable. "
              "My name is Chiara Russo. Tom Reed sees a psychiatrist every month.")  # fmt: skip
    gone(out, "neurologist", "psychiatrist", "Chiara", "Tom")
    assert "my specialist says high-intensity exercise is not advisable" in out and "sees a specialist" in out, out


def test_a_name_introduced_with_an_age_and_a_town_of_residence() -> None:
    out = run("I saw a man I now know to be Liam Kearney, 24, of Failsworth, holding a broken bottle.")
    gone(out, "Liam", "Kearney", "Failsworth")
    assert re.search(r"to be Person \w+, 24, of a city, holding", out), out


def test_a_numeric_date_the_ner_calls_a_place_and_a_job_title_after_a_name() -> None:
    out = run("Findings: two new lesions compared with the study of 02/08/2023.\n"
              "Reported by: Dr Sanjay Mehra, Consultant Neuroradiologist")  # fmt: skip
    gone(out, "02/08", "a city", "Mehra")
    assert "the study of 2023." in out and re.search(r"Reported by: Person \w+, Consultant Neuroradiologist", out), out


def test_a_support_chat_keeps_its_role_labels_and_loses_the_district_and_town() -> None:
    out = run("[10:03] Customer: hi my internet keeps dropping\n"
              "[10:04] Customer: Gareth Pryce-Williams, CF14 3LN\n"
              "[10:05] Agent Nadia: I see an outage affecting Heath, Cardiff. Engineers expect it fixed.")  # fmt: skip
    gone(out, "Gareth", "CF14", "Heath", "Cardiff", "Nadia")
    assert out.count("] Customer: ") == 2 and "an outage affecting a city. Engineers" in out, out


def test_an_untagged_town_after_a_place_preposition_but_not_an_adjective() -> None:
    out = run("She moved to Tewkesbury last year and he lives near Coventry with his mum.")
    gone(out, "Tewkesbury", "Coventry")
    assert "moved to a city last year" in out and "lives near a city with his mum" in out, out
    out = run("Mr Okafor was barred from Olympic competition in 2019.")
    assert "Olympic competition" in out, out


def test_a_clinic_named_with_an_ampersand_is_replaced_whole() -> None:
    out = run("Paws & Claws Veterinary Clinic - consult note\nOwner: Mrs Delphine Arcourt, tel 07700 914 228")
    gone(out, "Paws", "Claws", "Arcourt", "07700")
    assert out.startswith("A clinic - consult note"), out


def test_arrears_with_an_amount_a_benefit_and_an_asylum_seeker() -> None:
    out = run("Subject: Flat 3, 18 Bramall Lane - rent arrears\n\nTenant Mr Kwame Asante is now £2,140 in arrears. "
              "He said his Universal Credit was sanctioned. "
              "He's also an asylum seeker's sponsor for his brother.")  # fmt: skip
    gone(out, "Bramall", "2,140", "arrears", "Universal Credit", "asylum", "Asante", "money difficulties")
    assert " - unpaid bills\n" in out and "is now behind on payments." in out, out
    assert "his benefit was sanctioned" in out and "He's also a migrant's sponsor for his brother." in out, out


def test_a_short_form_of_a_given_name_takes_the_full_names_surrogate() -> None:
    out = run("From: Lorna McBride\nTo: Peter Sowerby\n\nHi Pete,\n\nThe tenant called again.\n\nThanks,\nLorna")
    gone(out, "Pete", "Lorna", "Sowerby")
    to = re.search(r"To: (Person \w+)", out)
    assert to and f"Hi {to.group(1)}," in out, out


def test_a_multiple_sclerosis_drug_names_the_condition() -> None:
    out = run("Clinical history: 45-year-old woman with known relapsing-remitting multiple sclerosis on "
              "ocrelizumab, new left-sided weakness.")  # fmt: skip
    gone(out, "sclerosis", "relapsing", "ocrelizumab")
    assert "45-year-old woman with a known" in out and ", new left-sided weakness." in out, out


def test_a_public_claim_keeps_its_grammar_and_is_hedged_on_its_main_verb() -> None:
    out = run("Some commentators have claimed he secretly holds a US green card to this day.", "public")
    assert "holds residency papers to this day" in out, out
    out = run("5G towers weaken the immune system by emitting radiation that damages cells, which is why the "
              "virus spread fastest in cities with 5G. Wuhan was the first city to roll out 5G at scale.",
              "public")  # fmt: skip
    assert out.startswith("5G towers supposedly weaken the immune system") and "which is why" in out, out
    assert "Wuhan was the first city to roll out 5G at scale." in out, out


def test_a_witness_statement_keeps_the_car_and_the_signatory_is_one_person() -> None:
    out = run("Name: Deborah Ann Whitlock   Occupation: Pharmacist\n\nJason Pike got into a silver Ford Focus, "
              "registration BK19 XRT, and drove off towards Farnworth.\nSigned: D. Whitlock")  # fmt: skip
    gone(out, "Whitlock", "Jason", "BK19", "Farnworth")
    name = re.search(r"Name: (Person \w+)", out)
    assert name and f"Signed: {name.group(1)}" in out, out
    assert "a silver Ford Focus, registration withheld, and drove off towards a city." in out, out


def test_a_form_column_a_programme_and_a_drinking_problem() -> None:
    out = run("Employee: Kyle Brennan (ID 40718)   Manager: Sophie Adeyemi   Start: 1 July 2024\n"
              "He is struggling with alcohol. He has been referred to the Employee Assistance Programme.")  # fmt: skip
    gone(out, "Kyle", "Sophie", "Adeyemi", "alcohol")
    assert re.search(r"\)   Manager: Person \w+   Start", out), out
    assert "is struggling with a personal health matter." in out, out
    assert "referred to the Employee Assistance Programme." in out, out


def test_a_theft_keeps_its_object() -> None:
    out = run("A former employee told me that Kevin has been stealing customers' SIM cards.")
    gone(out, "Kevin", "stealing", "allegedly")  # told by someone: the report is the record's (session 29)
    assert "has been taking customers' SIM cards" in out, out


def test_a_us_clinical_note_collapses_its_lists_and_loses_a_short_date() -> None:
    out = run("Pt is a 67 yo M w/ hx of CHF, DM2 and HTN who presented to the ED on 3/14/24 c/o SOB. "
              "Meds: lisinopril 20 mg, furosemide 40 mg.")  # fmt: skip
    gone(out, "CHF", "HTN", "3/14/24", "lisinopril", "furosemide")
    assert "hx of a medical issue who presented" in out and "Meds: a prescribed medication." in out, out


def test_a_log_keeps_its_keys_and_a_town_keeps_its_whole_name() -> None:
    out = run("2024-06-01T09:14:22Z INFO login ok user=amelia.k@outlook.com ip=81.174.22.9 session=9f2c1a")
    gone(out, "amelia", "81.174")
    assert "login ok user=withheld ip=withheld session=9f2c1a" in out, out
    out = run("He is currently living in NASS accommodation in Stockton-on-Tees with his cousin.")
    gone(out, "Stockton", "Tees")
    assert "in a city with his cousin" in out, out


def test_a_party_that_acts_is_not_an_affiliation() -> None:
    text = "Labour won the 2024 general election. My neighbour Raj is a BJP member and canvasses every weekend."
    out = run(text)
    assert out.startswith("Labour won the 2024 general election.") and "BJP" not in out, out
    assert "is a political party member" in out, out
    assert run("The BJP won the 2019 general election in India.", "public").startswith("The BJP won"), out


def test_bank_details_read_withheld_and_a_firm_with_an_ampersand_goes_whole() -> None:
    out = run("Tenant reference for Ms Joanna Lis: employed by Harlow & Finch LLP as a paralegal. Rent to be paid "
              "from her account IBAN GB29 NWBK 6016 1331 9268 19. Settlement to sort code 20-45-77, account "
              "43911022. She was late with rent during a period of illness in 2022.")  # fmt: skip
    gone(out, "Joanna", "Harlow", "Finch", "GB29", "20-45-77", "43911022", "illness")
    assert "employed by an organisation as a paralegal" in out and "IBAN withheld." in out, out
    assert "sort code withheld, account withheld." in out and "during a period of ill health in 2022" in out, out


def test_a_referral_loses_thoughts_of_self_harm_a_pregnancy_and_an_ssri() -> None:
    out = run("She presents with low mood, poor sleep and intrusive thoughts about harming herself. She is "
              "currently 14 weeks pregnant and reluctant to start an SSRI.")  # fmt: skip
    gone(out, "harming", "pregnant", "SSRI", "weeks dealing")
    assert "poor sleep and a mental-health concern." in out and "She is dealing with a private health matter" in out
    assert "reluctant to start a prescribed medication." in out, out


def test_an_age_over_89_before_year_old_and_a_university_of_a_town() -> None:
    out = run("The victim, a 91-year-old widow, has asked not to be named. Her grandson studies at the "
              "University of Leeds and at Imperial College London.")  # fmt: skip
    gone(out, "91", "Leeds", "Imperial", "London", "over 89-year")
    assert "The victim, a 90-plus-year-old widow, has asked" in out, out
    assert "London." not in run("She studied at Imperial College London.", "record"), out
    assert "University of Leeds" in run("She studied at the University of Leeds.", "public")


def test_a_csv_company_column_and_the_sensitive_words_of_a_dietary_column() -> None:
    out = run("first_name,last_name,email,company,dietary\n"
              "Grace,Liu,grace.liu@contoso.com,Contoso,vegetarian\n"
              "Henrik,Sørensen,h.sorensen@fabrikam.dk,Fabrikam,gluten-free (coeliac)\n"
              "Oluwaseun,Adebayo,seun.adebayo@northwind.io,Northwind,halal\n")  # fmt: skip
    gone(out, "Contoso", "Fabrikam", "Northwind", "coeliac", "halal", "Grace", "Sørensen")
    assert out.count(",an organisation,") == 3 and ",vegetarian\n" in out and "gluten-free (" in out, out


def test_a_given_name_the_lists_lacked_and_a_transplant_drug() -> None:
    out = run("Subject: Confidential - return to work meeting, Priyesh Nair\n\nNotes from the meeting with "
              "Priyesh (payroll no. 00719). He is on immunosuppressants after a kidney transplant.")  # fmt: skip
    gone(out, "Priyesh", "00719", "immunosuppressants", "transplant")
    assert re.search(r"meeting, Person \w+\n", out) and re.search(r"meeting with Person \w+ \(payroll no\.", out), out


def test_a_police_log_keeps_the_car_and_loses_the_town_after_the_street() -> None:
    out = run("Officer attended 9 Rowan Court, Neath following a call. Ms Kerry-Ann Doyle stated her partner, "
              "Lee Mathias, had assaulted her before leaving in a blue Vauxhall Corsa.")  # fmt: skip
    gone(out, "Rowan", "Neath", "Doyle", "Mathias")
    assert "attended a private address following a call." in out and "in a blue Vauxhall Corsa" in out, out


def test_a_name_before_a_pipe_an_amount_after_the_and_a_dublin_district() -> None:
    out = run("Ticket #55102 | Customer: Mr. Dmitri Volkov | Plan: Premium\nHe is on jobseeker's allowance so "
              "the extra £79.99 has left him overdrawn.")  # fmt: skip
    gone(out, "Volkov", "79.99")
    assert re.search(r"\| Customer: Person \w+ \| Plan: Premium", out) and "the extra amount has left" in out, out
    out = run("I need help writing to my landlord at 22 Griffith Avenue, Dublin 9 about the mould.")
    gone(out, "Griffith", "Dublin", " 9 ")
    assert "my landlord at a private address about the mould." in out, out


def test_a_death_notice_is_one_person_with_a_maiden_name_a_late_husband_and_dates() -> None:
    out = run('MORRISON, Elizabeth "Betty" (née Cartwright). Passed away peacefully at St Catherine\'s Hospice, '
              "Crawley on 12th October 2024, aged 96. Beloved wife of the late Harold, mother of Susan and "
              "Peter. Funeral at Holy Trinity Church, Cuckfield, on 1st November at 11am.")  # fmt: skip
    gone(out, "MORRISON", "Elizabeth", "Betty", "Cartwright", "Harold", "Susan", "12th October", "96", "1st November")
    assert re.match(r"Person \w+ \(née Person \w+\)\. Passed away", out) and "the late Person " in out, out


def test_a_recruitment_note_is_a_record_and_loses_a_visa_a_condition_and_an_employer() -> None:
    from semsiedit.api import rewrite_text

    text = ("Candidate: Ana Lucía Gómez — applied for Senior Data Analyst (req 2291)\nInterview notes: strong SQL. "
            "Mentioned a two-year career gap (2019–2021) for caring for her mother with ALS. Currently on a Tier 2 "
            "visa sponsored by Brightline Analytics, which expires in June.")  # fmt: skip
    result = rewrite_text(text, score=False)
    out = result.rewritten
    gone(out, "Gómez", "ALS", "Tier 2", "Brightline")
    assert result.profile["name"] == "record", result.profile
    assert "sponsored by an organisation, which expires in a certain month." in out, out


def test_a_therapy_note_and_a_gym_form_lose_voices_and_a_knee_operation() -> None:
    out = run("He continues to hear voices at night.\nMedical: asthma. Recent ACL reconstruction (left knee, March).")
    gone(out, "voices", "ACL", "knee")
    assert "He continues to have symptoms at night." in out and "Recent surgery." in out, out


def test_a_public_answer_keeps_a_reported_claim_and_a_question_gets_no_note() -> None:
    text = ('Why was Elon Musk accused of antisemitism?\n\nIn November 2023, Elon Musk replied "You have said '
            'the actual truth" to a post on X that claimed Jewish communities pushed "hatred against whites". '
            "Some critics still call him a Nazi sympathiser.")  # fmt: skip
    out = run(text, "public")
    assert out.startswith("Why was Elon Musk") and out.split("\n")[0].endswith("?"), out
    assert "not been proven?" not in out and "sympathiser" not in out, out
    assert 'claimed Jewish communities pushed "hatred against whites".' in out, out


def test_a_public_conviction_keeps_its_grammar_and_an_insult_of_a_theory_is_no_insult_of_a_person() -> None:
    out = run("In June 2024, Hunter Biden was convicted by a federal jury in Delaware on three felony charges "
              "related to buying a gun in 2018 while addicted to crack cocaine.", "public")  # fmt: skip
    gone(out, "felony", "cocaine", "legal case related", "matter by a")
    assert "Hunter Biden was the subject of a court ruling in Delaware related to buying a gun" in out, out
    out = run('Gates has called the theory "so stupid" in interviews. She called him "a liar" in 2019.', "public")
    assert out.startswith('Gates has called the theory "') and "called him names" in out, out


def test_a_zip_after_idaho_and_a_discharge_summary_with_immigration_status_and_a_spanish_clinic() -> None:
    out = run("It was supposed to go to 4512 Maple Ridge Dr, Apt 7, Boise, ID 83709. My name is Derek Fontaine.")
    gone(out, "Maple", "Boise", "83709", "withheld", "confidential")
    assert "go to a private address in ID." in out, out
    out = run("Diagnosis: Community-acquired pneumonia; type 2 diabetes.\nHospital course: Social work consulted as "
              "patient is undocumented and uninsured; connected with Clínica La Esperanza for follow-up.")  # fmt: skip
    gone(out, "pneumonia", "Community-acquired", "undocumented", "Esperanza")
    assert out.startswith("Diagnosis: a medical issue;") and "connected with a clinic for follow-up." in out, out


def test_filing_for_divorce_keeps_its_grammar() -> None:
    out = run("His ex-wife reportedly filed for divorce in 2012.", "record")
    gone(out, "divorce", "a family matter in")
    assert "filed to end the marriage in 2012." in out, out


def test_yoruba_given_names_and_a_place_of_worship_that_names_an_event() -> None:
    out = run("Subject: Leave request - Olamide Bakare\n\nHi Fiona,\n\nOlamide has asked for two weeks' "
              "compassionate leave. He attends the local mosque every Friday.")  # fmt: skip
    gone(out, "Olamide", "Bakare", "mosque", "local a")
    assert "He attends a place of worship every Friday." in out, out
    out = run("She had led the country through the Christchurch mosque shootings and the pandemic.", "public")
    assert "the Christchurch mosque shootings" in out, out


def test_a_name_the_ner_runs_across_a_blank_line_is_still_a_person() -> None:
    out = run("Olamide Bakare\n\nOlamide Bakare is a nurse at the clinic. She told HR she is pregnant.")
    gone(out, "Olamide", "Bakare", "pregnant")
    out = run("Morgan Stanley\n\nQuarterly results beat expectations.")
    assert out.startswith("Morgan Stanley\n\n"), out


def test_a_claim_form_keeps_its_field_labels_and_loses_a_serial_and_a_registration_number() -> None:
    out = run("Policyholder: Mr Graham Ellery\nAddress: 5 Rookery Lane, Little Snoring, Norfolk NR21 0HW\n"
              "Items taken include a Rolex Submariner (serial 9X44712).\n"
              "Reported by: Hannah Whitcombe (pharmacist, GPhC 2087341)")  # fmt: skip
    gone(out, "Ellery", "Rookery", "NR21", "9X44712", "2087341", "Whitcombe")
    assert "\nAddress: a private address" in out and "(serial withheld)" in out and "GPhC withheld" in out, out


def test_hard_wrapped_prose_keeps_its_sentence_and_an_organisation_named_after_a_place_is_no_person() -> None:
    text = ("Dr. Anil Varghese, a consultant cardiologist at Northgate General, was suspended in May pending a\n"
            "GMC investigation.")  # fmt: skip
    out = run(text)
    gone(out, "Varghese")
    assert "at Person" not in out and "pending a\nGMC investigation." in out, out
    out = run("Mr Desmond Achterberg collected a prescription. He became agitated when told the supply was short "
              'and said his key worker at\nForward Leeds would "hear about this".')  # fmt: skip
    gone(out, "Achterberg", "Forward Leeds")
    assert "his key worker at\nan organisation would" in out, out


def test_an_e_mail_header_and_a_bank_and_a_support_meeting() -> None:
    out = run("From: Tomasz Zielinski <t.zielinski84@gmail.com>\nTo: lettings@harbourhomes.co.uk\n\n"
              "The account is Monzo, sort code 04-00-04. I go to an NA meeting on Tuesdays. "
              "The email from Priti came late.")  # fmt: skip
    gone(out, "Zielinski", "harbourhomes", "04-00-04", "NA meeting", "Priti")
    assert "To: an e-mail address" in out and "The account is Monzo" in out, out
    assert "I go to a support meeting on Tuesdays." in out and "from a city" not in out, out


def test_a_condition_before_an_assessment_goes_and_the_assessment_stays() -> None:
    out = run("Mum said Kayden is on the waiting list for an ADHD assessment at CAMHS.")
    gone(out, "ADHD", "Kayden", "condition assessment")
    assert "on the waiting list for assessment" in out, out


def test_terms_and_articles_across_a_hard_wrapped_line() -> None:
    out = run("Employee: Ravi Subramanian (ID E-22871)\nMeeting date: 14 Oct 2024\n\nHe asked that the team not "
              "be told. He also mentioned that he is a Jehovah's\nWitness and would prefer not to attend the party.")
    gone(out, "Subramanian", "Jehovah", "Witness", "E-22871")
    assert "\nMeeting date: 14 Oct 2024" in out and "Person" not in out.split("\n")[1], out
    out = run("Just a heads up that Siobhan Gallagher from accounts won't be in — she's having a\n"
              "hysterectomy on Monday. Her cover is Tunde Adeyemi (ext 4417).")  # fmt: skip
    gone(out, "Gallagher", "hysterectomy", "Tunde", "Adeyemi", "a\na ", "a city")
    assert "she's having a\nmedical procedure on Monday" in out, out  # the wrap stays where it was


def test_a_block_of_flats_is_part_of_an_address() -> None:
    out = run("Re: noise complaint — Flat 14, Marlowe House\n\nThe tenant, Mr Jerome Akinola, works nights.")
    gone(out, "Marlowe", "Akinola", "Person CU")
    assert out.startswith("Re: noise complaint — a private address\n"), out


def test_a_benefit_broken_across_a_wrapped_line_is_generalised_whole() -> None:
    out = run("The account is Monzo, sort code 04-00-04. I'm not able to wait much longer as I'm on Universal\n"
              "Credit. My partner Marek has already had to borrow from his parents.")  # fmt: skip
    gone(out, "Universal", "Credit", "04-00-04", "Marek")
    assert "I'm receiving\nsupport." in out and "private financial matter" not in out, out


def test_a_wrapped_referral_letter_keeps_a_condition_whole_and_a_hospital_name_joined() -> None:
    out = run("I am referring Mr. Delgado, a 45-year-old Hispanic male, for evaluation of suspected bipolar II\n"
              "disorder. He has a history of alcohol use disorder, in remission since 2021.")  # fmt: skip
    gone(out, "Delgado", "Hispanic", "bipolar", "disorder.", "alcohol")
    assert "for evaluation of a suspected mental-health\ncondition. He has a history of" in out, out
    out = run("A 34-year-old woman from Leicester was attacked in her home on Tuesday night, police said. The\n"
              "victim, named locally as Aisha Bibi, was taken to Leicester Royal Infirmary. A man, believed to be her\n"
              "estranged husband, was arrested in Braunstone Town on suspicion of attempted murder.")  # fmt: skip
    gone(out, "Aisha", "Braunstone", "estranged", "murder", "attempted a", "distant from family", "city Town")
    assert "believed to be her\nhusband" in out and "on suspicion of a serious offence" in out, out


def test_a_call_transcript_and_a_review_form_keep_their_turns_and_labels() -> None:
    out = run("Agent: Thanks for calling, this is Kelsey.\nCustomer: Yeah it's 55120983. Name's Doug Petrakis.\n"
              "Agent: Thanks Doug. I see the last payment bounced.")  # fmt: skip
    gone(out, "Kelsey", "Doug", "Petrakis")
    assert "Customer: Yeah it's" in out and "Agent: Thanks Person" in out, out
    out = run("Employee: Natasha Kowalczyk   Role: Senior Accountant   Period: FY2024\n\nShe took six weeks of sick "
              "leave for a miscarriage and related depression.")  # fmt: skip
    gone(out, "Kowalczyk", "miscarriage", "depression", "related a")
    assert "Role: Senior Accountant   Period: FY2024" in out, out


def test_a_hyphenated_term_written_with_a_space_and_drug_use_by_a_neighbour() -> None:
    out = run("i (22f) have been self harming again after 2 years clean. my mum doesn't know.")
    gone(out, "harming")
    assert out.startswith("i (22f) have been") and "again after 2 years clean." in out, out
    out = run("The guy in 6A (Kevin I think?) has been leaving needles in the stairwell. I'm pretty sure he's "
              "using heroin. My number is 0412 555 019.")  # fmt: skip
    gone(out, "heroin", "Kevin", "0412")


def test_a_belief_the_text_debunks_and_an_activists_claim_across_a_line_are_left_alone() -> None:
    text = ("The belief that 5G causes cancer stems from a misunderstanding of radiation. 5G uses non-ionizing\n"
            "radio waves, which cannot damage DNA. Despite this, some activists in several countries insist that\n"
            "5G towers weaken the immune system.")  # fmt: skip
    assert run(text, "public") == text


def test_a_soap_note_keeps_an_ecg_finding_and_reads_hiv_plus() -> None:
    out = run("O: BP 158/94. ECG: ST depression V4-V6.\nA: Suspected NSTEMI.\nP: Aspirin 300mg. Pt is HIV+ on "
              "Biktarvy, inform ID team.")  # fmt: skip
    gone(out, "NSTEMI", "HIV", "Biktarvy", "condition+")
    assert "ECG: ST depression V4-V6." in out and "A: A suspected medical issue." in out, out


def test_a_csv_keeps_its_cells_and_a_kinship_word_in_a_notes_column() -> None:
    text = ("name,age,postcode,diagnosis,notes\nJoanne Pettifer,67,NE4 9QL,COPD,\"uses oxygen at night, lives with "
            "son\"\nMateusz Nowak,29,B12 0YT,depression,\"on sertraline, recently separated\"\n")  # fmt: skip
    out = run(text)
    gone(out, "Pettifer", "NE4", "COPD", "Nowak", "depression", "sertraline")
    lines = out.splitlines()
    assert lines[1].endswith(',"uses oxygen at night, lives with son"'), out
    assert lines[2].count(",") == 5 and lines[2].endswith('recently separated"'), out


def test_a_public_answer_keeps_its_question_and_a_dui_arrest_is_generalised_whole() -> None:
    out = run("Why is Mark Zuckerberg considered controversial?\n\nCritics have called him a liar.", "public")
    assert out.startswith("Why is Mark Zuckerberg considered a subject of debate?"), out
    out = run("No charges were filed. In 2017 he had been arrested for driving under the influence of prescription "
              "painkillers and sleep medication.", "public")  # fmt: skip
    gone(out, "painkillers", "arrested")
    assert out.endswith("he had been involved in a past legal matter."), out


def test_meeting_minutes_are_a_record_with_welsh_names_and_a_type_first_street() -> None:
    text = ("Attendees: Bronwen Pryce (chair), Dafydd Llewellyn, Rhys ap Gwilym\nApologies: Eluned Morgan\n\n"
            "1. Bronwen noted that Dafydd will be off for knee surgery in June.\n"
            "2. The tenant at 23 Heol y Bont, Pontypridd, complained about damp.\n"
            "3. AOB: Rhys confirmed he is standing as a Plaid Cymru candidate in the council by-election.")  # fmt: skip
    out = run(text, "auto")
    gone(out, "Pryce", "Dafydd", "Gwilym", "Eluned", "Heol", "Bont", "Plaid", "knee")
    assert "the tenant at a private address" in out.lower(), out


def test_a_claims_letter_and_a_case_note() -> None:
    out = run("We have reviewed the medical evidence from Dr. Anand at Castle Street\nMedical Centre. Write to "
              "Claims Review, Aviva, PO Box 1120, Norwich NR1 3DR.")  # fmt: skip
    gone(out, "Anand", "Castle", "Norwich", "NR1", "a street")
    assert "at a\nclinic." in out and "Person" not in out.split("PO Box")[1], out
    out = run("Case note — Caseworker: J. Okoro\n\nHe says he was beaten because of his involvement with the UFDG "
              "opposition party.")  # fmt: skip
    gone(out, "Okoro", "UFDG", "opposition")
    assert "his involvement with a political group." in out, out


def test_a_public_figure_called_a_bully_was_called_names() -> None:
    out = run("Some former employees have called him a bully. Musk disputes these characterisations.", "public")
    gone(out, "bully", "unproven claims")
    assert "have called him names" in out, out


def test_a_belief_about_a_death_keeps_its_meaning_and_no_note_goes_inside_a_quote() -> None:
    out = run("Epstein died in a New York jail cell in 2019. His death was ruled a suicide, though many people "
              "believe he was murdered.", "public")  # fmt: skip
    assert out.endswith("many people believe he was killed."), out
    out = run('Adidas ended its partnership with Kanye West in October 2022 after he made a series of antisemitic '
              'remarks, including a post saying he would go "death con 3 on JEWISH PEOPLE". He later apologised.',
              "public")  # fmt: skip
    assert "not been proven\"" not in out and '"death con 3 on' in out and 'PEOPLE". He later apologised.' in out, out


def test_a_diagnosis_a_test_confirms_and_a_name_in_brackets_after_a_role() -> None:
    out = run("Jayden's blood work came back and his A1C is 9.1, which confirms type 1 diabetes.\n"
              "Hx: Parkinson's disease, lives alone since wife (Emiko) died 2023.")  # fmt: skip
    gone(out, "Jayden", "diabetes", "Emiko", "Parkinson")
    assert "since wife (Person" in out, out
    out = run("The study's results confirm that diabetes is rising.")
    assert out == "The study's results confirm that diabetes is rising.", out


def test_a_disciplinary_letter_and_a_review_byline() -> None:
    out = run("Dear Mr Oyelaran,\n\nThe panel found that you were under the influence of alcohol while operating a "
              "forklift on 2 November.")  # fmt: skip
    gone(out, "Oyelaran", "alcohol", "influence")
    assert "you were unfit for work while operating a forklift" in out, out
    out = run("User review — posted by MarieK_1988\n\nDr. Feldman refused to see my daughter.")
    gone(out, "MarieK", "Feldman")
    assert out.startswith("User review — posted by User "), out


def test_a_learned_guess_gets_no_unproven_note_and_a_protest_names_an_event() -> None:
    text = ("Why did Sinéad O'Connor tear up a photo of the Pope?\n\nOn Saturday Night Live in October 1992, Sinéad "
            "O'Connor tore up a photograph of Pope John Paul II to protest sexual abuse in the Catholic Church. The "
            "act caused an enormous backlash and damaged her career in the US.")  # fmt: skip
    out = run(text, "public")
    gone(out, "not been proven", "not supported by reliable evidence", "supposedly")
    assert "Sinéad O'Connor tore up a photograph of Pope John Paul II" in out, out


def test_a_disability_adviser_signs_and_a_street_without_its_number() -> None:
    out = run("I'm writing on behalf of Jordan Ellis. Jordan has a diagnosis of autism spectrum disorder and "
              "generalized anxiety.\n\nKind regards,\nMeera Pillai\nDisability Adviser")  # fmt: skip
    gone(out, "Jordan", "autism", "anxiety", "Pillai", "generalized a")
    assert out.endswith("\nDisability Adviser"), out
    out = run("Location: Tesco Extra, Cheetham Hill Rd, Manchester M8 8EP\n\nmy landlord (Mr Kapoor, owns like 6 "
              "houses on Elmfield Rd) keeps letting himself in")  # fmt: skip
    gone(out, "Cheetham", "M8", "Kapoor", "Elmfield", "Person U")
    assert "6 houses on a street)" in out, out


def test_a_complaint_names_a_solicitor_of_a_firm_and_a_faith_after_a_nationality() -> None:
    out = run("My name is Abdirahman Warsame. I am a Somali Muslim and I believe I was targeted because of my "
              "religion. My solicitor is Nadia Hussain of Bindmans LLP.")  # fmt: skip
    gone(out, "Warsame", "Muslim", "Somali", "Nadia", "Hussain", "Bindmans", "religious and")
    assert "I am a person of faith and I believe" in out, out


def test_a_school_letter_to_parents_and_a_move_to_a_town() -> None:
    out = run("Dear Parent/Carer,\n\nIf your child has not had chickenpox and you are pregnant, please speak to your "
              "GP. Mrs Adeleke, our school nurse, can be reached on 01632 960 771.\n\nSt. Bede's C of E Primary School")
    gone(out, "Adeleke", "01632", "Bede", "facility")
    assert "and you are pregnant, please speak to your GP." in out and out.endswith("\n\nA school"), out
    out = run("Hi! I'm Bex (she/her), 27. Just moved to Camden from Belfast after a messy breakup.")
    gone(out, "Bex", "Camden", "Belfast", "Person Z")
    assert "Just moved to a city from a city" in out, out


def test_a_prescription_loses_its_drugs_and_an_operation() -> None:
    out = run("Patient: Robert Castellano   DOB: 11/30/1957\nRx: Atorvastatin 40 mg daily, #90\n"
              "Notes: pt reports erectile dysfunction since prostatectomy (2022).")  # fmt: skip
    gone(out, "Castellano", "Atorvastatin", "erectile", "prostatectomy")


def test_a_public_friendship_with_a_named_offender_and_a_gambling_husband() -> None:
    out = run("Prince Andrew stepped back in 2019 after an interview about his friendship with convicted sex "
              "offender Jeffrey Epstein. Virginia Giuffre accused him of sexually abusing her.", "public")  # fmt: skip
    gone(out, "a person with a past legal matter Jeffrey", "sexually allegedly")
    assert "his friendship with Jeffrey Epstein." in out, out
    out = run("my husband (Tom) has been gambling again. found out he's lost about £8k on Bet365 since Christmas.")
    gone(out, "Tom", "gambling", "Bet365")
    assert out.startswith("my husband (Person") and "lost about £8k online since Christmas." in out, out


def test_a_discharge_summary_loses_its_hospital_number_fracture_and_operation() -> None:
    out = run("Name: Fatima Zahra Benali    Hospital no: K4412098\n\nMrs Benali was admitted after a fall at home "
              "resulting in a fractured neck of femur. She underwent a hemiarthroplasty on 29/01. She has a "
              "background of osteoporosis and mild cognitive impairment.")  # fmt: skip
    gone(out, "Benali", "K4412098", "femur", "arthroplasty", "osteoporosis", "cognitive")
    assert "Hospital no: withheld" in out and "resulting in an injury." in out, out


def test_a_union_steward_a_deportation_question_and_an_egg_retrieval() -> None:
    out = run("I've been a Unite shop steward at the Vauxhall plant in Ellesmere Port for nine years.")
    gone(out, "Unite", "steward", "Ellesmere")
    assert out.startswith("I've been a workplace representative at the Vauxhall plant"), out
    out = run("Why did Novak Djokovic get deported from Australia?\n\nHe was not vaccinated.", "public")
    assert out.startswith("Why did Novak Djokovic get sent away from Australia?"), out
    out = run("Hi Aaliyah, your egg retrieval is scheduled for Thursday at our Edgbaston clinic.")
    gone(out, "Aaliyah", "egg", "Edgbaston")


def test_an_obituary_keeps_its_heading_and_loses_irish_names_and_a_wrapped_date() -> None:
    text = ("OBITUARY\n\nMargaret \"Peggy\" O'Sullivan (née Brennan), 84, of Ballincollig, Co. Cork, passed away "
            "peacefully on\n16 February 2025 at Marymount Hospice after a long illness, bravely borne. Beloved wife "
            "of the late\nDenis, and devoted mother of Siobhán, Ciarán and Niamh.")  # fmt: skip
    out = run(text)
    gone(out, "Sullivan", "Brennan", "Ballincollig", "Cork", "February", "Siobhán", "Ciarán", "Niamh", "Denis")
    assert out.startswith("OBITUARY\n\n") and "passed away peacefully in\n2025" in out, out
    assert "Co. A" not in out, out


def test_a_number_plate_and_rent_arrears() -> None:
    out = run("this is the guy who keyed my car: Jake Morrow, drives a black BMW 1 Series (YX68 KLM).")
    gone(out, "Morrow", "YX68")
    assert "(a number plate)" in out, out
    out = run("Dear Ms Kowalski,\n\nWe note that your rent account is in arrears of £2,340.00 as of 1 March 2025.")
    gone(out, "Kowalski", "2,340", "money difficulties of")
    # The sum goes with its arrears (batch 237): "is behind on payments", not "... of a sum of money".
    assert "your rent account is behind on payments as of 2025." in out, out


def test_a_divorce_solicitor_is_a_family_solicitor() -> None:
    out = run("Can anyone recommend a good divorce solicitor in Guildford? My wife left me in October.")
    gone(out, "divorce", "Guildford", "family matter solicitor")
    assert out.startswith("Can anyone recommend a good family solicitor in a city?"), out


def test_an_employment_verification_masks_a_partial_ssn_and_keeps_a_job_title() -> None:
    out = run("Employee Name: Carlos M. Reyes\nSSN: ***-**-4821\nVerified by: Dana Whitfield, HR Generalist")
    gone(out, "Reyes", "4821", "Whitfield")
    assert "SSN: withheld" in out and out.endswith(", HR Generalist"), out


def test_a_tenant_reference_names_an_employer_that_opens_with_a_town_and_a_debt_plan() -> None:
    out = run("Applicant: Mr Liam O'Driscoll, current address 22 Kestrel Way, Bicester OX26 6PQ.\nEmployer: Bicester "
              "Village (Retail Supervisor).\nNotes: applicant disclosed a CCJ from 2021 and is on a debt management "
              "plan with StepChange.")  # fmt: skip
    gone(out, "Driscoll", "Kestrel", "Bicester", "CCJ", "debt management", "city Village")
    assert "Employer: an organisation (Retail Supervisor)." in out and "is on a repayment plan" in out, out


def test_a_civil_verdict_gets_no_unproven_note_and_a_count_of_charges_keeps_its_number() -> None:
    out = run("Families of the victims sued him for defamation, and in 2022 juries in Texas and Connecticut ordered "
              "him to pay nearly $1.5 billion.", "public")  # fmt: skip
    gone(out, "not been proven", "not supported")
    assert "juries in Texas and Connecticut ordered him to pay" in out, out
    out = run("He was convicted in 2019 of trying to hire a hitman, as well as 17 federal wildlife charges.", "public")
    gone(out, "wildlife an offence")
    assert "as well as 17 charges." in out, out


def test_a_wrapped_union_and_town_keep_their_line_and_a_payroll_number_goes() -> None:
    text = ("Subject: Grievance - Marcus Ellery (payroll 448210)\n\nHe is a member of\nUnite and his rep will attend. "
            "He has moved in with his sister in\nKettering (14 Orchard Close, NN15 6PL).")  # fmt: skip
    out = run(text)
    gone(out, "Ellery", "448210", "Unite", "Kettering", "Orchard", "NN15")
    assert "(payroll withheld)" in out and "member of\na workplace group and" in out, out
    assert "his sister in\na city (" in out, out


def test_section_labels_of_a_discharge_summary_stay_and_their_values_go() -> None:
    text = ("Diagnosis: Rhabdomyolysis secondary to long lie; AKI stage 2 (resolved).\nBackground: Parkinson's "
            "disease (diagnosed 2019), depression, previous alcohol excess.\nMedications on discharge: "
            "co-careldopa 25/100mg TDS.")  # fmt: skip
    out = run(text)
    gone(out, "Rhabdomyolysis", "AKI", "Parkinson", "depression", "alcohol", "careldopa", "Person")
    assert out.startswith("Diagnosis: ") and "\nBackground: " in out, out


def test_a_nickname_with_a_surname_and_a_drug_binge_in_a_post() -> None:
    out = run("The guy in flat 6 (Kev Doherty I think) smashed up the stairwell while off his face on ketamine.")
    gone(out, "Kev", "Doherty", "ketamine", "off his face")


def test_a_public_figures_arrest_and_conviction_keep_their_grammar() -> None:
    out = run("The governor was arrested by the FBI in December 2008 and later convicted of trying to sell the "
              "U.S. Senate seat vacated by Barack Obama. He was sentenced to 14 years in federal prison in 2011.",
              "public")  # fmt: skip
    gone(out, "by the FBI", "of trying", ".S. Senate", "in a facility")
    assert "in December 2008 and later involved in a past legal matter. He was given a penalty in 2011." in out, out


def test_a_support_agent_named_in_brackets_and_a_coworker_named_in_lower_case() -> None:
    out = run("[14:02] Agent (Shannon): Thanks for holding.\n[14:02] Customer: It was my dad's account.")
    gone(out, "Shannon")
    assert out.startswith("[14:02] Agent (Person ") and "): Thanks for holding." in out, out
    out = run("ok so my coworker marta just told me shes 3 months pregnant and hasnt told our manager. her boyfriend "
              "apparently overstayed. what should i do??")  # fmt: skip
    gone(out, "marta", "pregnant", "months", "overstayed")
    assert "shes dealing with a private health matter and hasnt" in out, out


def test_a_childs_quoted_disclosure_keeps_its_tense_and_gets_no_allegedly_and_a_nan_is_no_firm() -> None:
    out = run('Jayden said his mum\'s boyfriend "hits her when he\'s been drinking" and that he sometimes sleeps at '
              "his nan's on Hartley Road.")  # fmt: skip
    gone(out, "Jayden", "hits", "allegedly", "Hartley", "organisation")
    assert '"mistreats her when' in out and "sleeps at his nan's on a street." in out, out


def test_a_breach_of_bail_keeps_its_verb() -> None:
    out = run("He was then arrested by British police for breaching bail conditions.", "public")
    gone(out, "by British police", "breaching under supervision")
    assert out == "He was then involved in a past legal matter for breaching the terms of supervision.", out


def test_a_progress_note_loses_its_date_an_insurance_number_and_what_implies_hiv() -> None:
    text = ("PROGRESS NOTE — 11/14/2026\nPt: Delgado, Maria E.   MRN: 00771234   Ins: Aetna PPO #W2284410\n"
            "Works nights as a CNA at Mercy Ridge nursing home in Tulsa.\nO: BP 118/76. CD4 612, VL undetectable "
            "(<20).\nA: HIV, well controlled. Mild depressive sx.\nP: Continue ART.")  # fmt: skip
    out = run(text)
    gone(out, "11/14", "Delgado", "Maria", "W2284410", "Mercy", "Tulsa", "CD4", "VL", "HIV", "depressive", "ART")
    assert "Ins: Aetna PPO (number withheld)" in out and "at a care home in a city" in out, out
    assert out.count("Person") == 1, out  # one patient, written surname first


def test_a_house_number_word_a_lower_case_school_and_cannabis_smoking_in_a_complaint() -> None:
    out = run("I am writing about the family at number 12 Wellesley Gardens. Their son Omar goes to Oakwood primary "
              "school and has been seen smoking cannabis in the stairwell.")  # fmt: skip
    gone(out, "Wellesley", "number a", "Oakwood", "cannabis", "struggling")
    assert "the family at a private address." in out and "goes to a school and has been seen smoking in" in out, out


def test_a_log_keeps_its_keys_and_loses_a_user_id() -> None:
    out = run("2026-11-30T09:14:25Z INFO auth: password reset requested for user_id=884213, phone=+44 7700 900461")
    gone(out, "884213", "7700")
    assert "for user_id=withheld, phone=withheld" in out, out


def test_a_job_the_ner_took_for_a_person_no_longer_blocks_a_claims_letters_edit() -> None:
    out = run("We acknowledge receipt of the medical report from Mr Hugh Farrant,\nconsultant orthopaedic surgeon, "
              "which confirms a fractured left wrist and ongoing anxiety when driving.")  # fmt: skip
    gone(out, "Farrant", "fractured", "wrist", "anxiety")
    assert "consultant orthopaedic surgeon, which confirms an injury and" in out, out


def test_a_chat_channel_loses_its_speakers_a_contracted_name_and_a_drinking_habit() -> None:
    text = ("#ops-leads  Tue 10:42\nNadia K: fyi Callum's off again today\nTom R: he told me he's been seeing "
            "someone for his drinking\nNadia K: also his salary review is on hold")  # fmt: skip
    out = run(text)
    gone(out, "Nadia", "Callum", "Tom", "drinking", " R:", " K:", "private financial matter")
    assert "seeing someone for his health" in out and "his pay review is on hold" in out, out


def test_an_incident_reports_date_time_field_keeps_only_the_year() -> None:
    out = run("INCIDENT REPORT #24-118877\nDate/Time: 10/02/2024 23:40\nBrenner was arrested for battery.")
    gone(out, "10/02", "118877", "Brenner")
    assert "Date/Time: 2024 23:40" in out, out


def test_a_dating_app_is_no_person_and_a_c_of_e_school_is_a_school() -> None:
    out = run("Hi! I'm Jess, 29. Message me on Hinge or find me on Insta @jess.paints.bton")
    gone(out, "Jess", "jess.paints")
    assert "Message me on Hinge or" in out, out
    out = run("Best wishes,\nRachel Dunmore\nYear 4 class teacher, Holy Trinity C of E Primary")
    gone(out, "Dunmore", "Trinity", "organisation")
    assert out.endswith("Year 4 class teacher, a school"), out


def test_a_claim_that_5g_was_responsible_for_covid_is_not_left_as_fact() -> None:
    out = run("5G networks were responsible for the spread of COVID-19 in 2020. It is a well-known fact.", "public")
    assert out.startswith("5G networks were supposedly responsible for the spread of COVID-19 in 2020"), out
    assert "radio waves cannot cause or spread" in out, out


def test_repeated_generalisations_collapse_across_a_wrap_and_a_month_is_no_school_name() -> None:
    out = run("She later spoke about her diagnoses of bipolar\ndisorder and PTSD.", "public")
    assert out.count("mental-health condition") == 1, out
    out = run("She has been struggling since her dad moved out in January. Her school knows.")
    assert "in a school" not in out and "Her school knows." in out, out


def test_answers_about_public_figures_without_office_words_are_public() -> None:
    text = ("Question: What happened with Elon Musk and the tweet?\n\nIn 2018 British diver Vernon Unsworth "
            "criticised Musk's offer of a mini-submarine. Musk responded on Twitter.")  # fmt: skip
    out = run(text, "auto")
    assert "Elon Musk" in out and "Vernon Unsworth" in out and "on Twitter" in out, out
    text = ("Michael Jackson died in 2009 at his home in Los Angeles. His physician was convicted in 2011 and "
            "served two years in prison. Jackson had used painkillers since the 1990s.")  # fmt: skip
    out = run(text, "auto")
    assert out.startswith("Michael Jackson died in 2009 at his home in Los Angeles."), out
    assert "served a penalty" in out and "dealt with" not in out, out


def test_a_conviction_with_a_place_a_year_and_two_offences_keeps_its_grammar() -> None:
    out = run("Harvey Weinstein, the former film producer and co-founder of Miramax, was convicted in New\nYork in "
              "2020 of a criminal sexual act and third-degree rape and sentenced to 23 years.", "public")  # fmt: skip
    gone(out, "rape", "sexual act", "23 years", "matter of")
    assert out.endswith("was involved in a past legal matter in New\nYork in 2020 and given a penalty."), out


def test_plural_arrests_stay_plural_and_an_ongoing_investigation_gets_no_unproven_note() -> None:
    out = run("His publicly available arrest records do show some past arrests for drug possession and theft, but "
              "no convictions.", "public")  # fmt: skip
    gone(out, "some a past", "possession", "theft", "detention")
    assert out == "His publicly available legal records do show past legal matters, but no convictions.", out
    out = run("The investigation into the beating of Tyre Nichols is ongoing, and it is important to wait.", "public")
    gone(out, "not been proven", "unproven")


def test_a_bug_report_loses_an_api_key_and_an_id_repeated_inside_a_path() -> None:
    text = ("Steps: log in as customer 40417, go to Reports.\nError: `PermissionError: /var/data/exports/40417/a.csv`"
            "\nAPI key used in the request: sk_live_51Hx9QeLkT2ZbW8vR4mN7pA3\nThe token=ab12cd34ef56gh78 failed. "
            "Please reset your password and try again.")  # fmt: skip
    out = run(text)
    gone(out, "40417", "sk_live", "ab12cd34")
    assert "/var/data/exports/[ID]/a.csv" in out and "API key used in the request: withheld" in out, out
    assert "Please reset your password and try again." in out, out


def test_a_family_court_conviction_gets_no_unproven_note_and_ward_shorthand_goes() -> None:
    out = run("The respondent father, Mr Scott Pritchard, has a conviction for common assault against the mother "
              "in 2022.")  # fmt: skip
    gone(out, "Pritchard", "assault", "not been proven", "legal case for")
    out = run("Bed 12 - Mrs Doreen Abbott, 91, NOF #, post-op day 2. Pain controlled with oramorph.\nBed 14 - Mr "
              "Ikram Hussain, 58, DKA resolving, back on SC insulin.")  # fmt: skip
    gone(out, "Abbott", "NOF", "oramorph", "Hussain", "DKA", "insulin", "SC a")
    assert "back on a prescribed medication." in out, out


def test_a_conviction_for_offences_and_a_gerund_clause_keeps_its_grammar() -> None:
    out = run("Martha Stewart was convicted in 2004 of conspiracy, obstruction of justice and lying to federal\n"
              "investigators about a 2001 stock sale of ImClone Systems. She served five months in prison.", "public")
    gone(out, "conspiracy", "obstruction", "lying", "ImClone")
    assert out.startswith("Martha Stewart was involved in a past legal matter in\n2004. She served a penalty."), out


def test_a_reference_letters_workplace_house_and_a_reviews_town_after_a_dot() -> None:
    out = run("Amara worked as a support worker at Beechwood House (a residential home) from 2021.\n\nKind regards,\n"
              "Paul Ebbrell\nRegistered Manager, Beechwood House, 44 Station Road, Hitchin SG4 9AB")  # fmt: skip
    gone(out, "Amara", "Beechwood", "Ebbrell", "Station", "Hitchin")
    assert "worked as a support worker at a facility (a residential home)" in out, out
    out = run("User review\nPosted by Sam_T_1984 · Leeds\n\nThe dentist was rude.")
    gone(out, "Sam_T", "Leeds")
    assert "· a city\n" in out, out
    out = run("hey so my landlord keeps letting himself in. my flatmate jess says he did the same to her. any advice??")
    gone(out, "jess")
    assert " says he did the same" in out, out


def test_a_black_dog_is_no_ethnicity_and_a_possessive_is_no_insulted_person() -> None:
    out = run('He suffered from bouts of depression, which he called his "black dog".', "public")
    assert 'which he called his "black dog".' in out and "depression" not in out, out
    out = run("She is a Black woman who owns a black dog.")
    assert out == "She is a woman who owns a black dog.", out


def test_a_claim_forms_columns_keep_their_labels_and_a_street_after_and_goes() -> None:
    text = ("Vehicle: 2019 Ford Kuga, reg. CF19 XKR      Date of incident: 14 Nov 2026, approx 08:15\n"
            "Location: junction of Cathedral Road and Talbot Street, Cardiff")  # fmt: skip
    out = run(text)
    gone(out, "CF19", "14 Nov", "Cathedral", "Talbot", "Cardiff", "A number plate")
    assert "reg. a number plate      Date of incident: 2026, approx 08:15" in out, out


def test_a_victims_account_in_a_therapy_note_gets_no_unproven_note() -> None:
    out = run("We continued trauma processing around the assault by her former partner in 2019; she has not "
              "reported this to the police.")  # fmt: skip
    gone(out, "assault", "not been proven", "allegedly")


def test_a_markdown_tables_salary_column_and_a_case_ref_after_case() -> None:
    out = run("| Employee | Team | Salary |\n|---|---|---|\n| Olivia Brennan | Finance | £48,500 |\n"
              "| Raj Malhotra | Sales | £61,000 |")  # fmt: skip
    gone(out, "Olivia", "Malhotra", "48,500", "61,000")
    assert "| Finance | a sum of money |" in out, out
    out = run("I've logged the damp as a Category 1 hazard. Their case ref is HSG/2026/4471.")
    gone(out, "4471")


def test_a_town_after_a_spanish_preposition_in_a_mixed_message() -> None:
    out = run("Hola! Soy Lucía Fernández, tengo 34 años y vivo en Valencia. I moved here from Bogotá in 2019.")
    gone(out, "Lucía", "Valencia", "Bogotá")
    assert "vivo en a city." in out, out


def test_a_flat_word_goes_with_its_address() -> None:
    out = run("Zoë Müller (born 08.04.1987, flat 3C, Rue des Fleurs 14, 1000 Exempleville) asked for help.")
    gone(out, "flat a", "Fleurs", "08.04")
    assert "(born 1987, a street address," in out, out


def test_a_court_report_keeps_a_court_and_a_hospital_named_after_a_person_is_a_hospital() -> None:
    text = ("Kelly Ann Dobson, of Stockton Road, appeared before Teesside Magistrates' Court on Monday. The victim "
            "remains in a stable condition at James Cook\nUniversity Hospital. Dobson will appear at Teesside Crown "
            "Court on 2 January.")  # fmt: skip
    out = run(text)
    gone(out, "Dobson", "Stockton", "Person WW", "James", "2 January")
    assert "before Teesside Magistrates' Court on Monday" in out and "at a\nhospital." in out, out
    out = run("She was taken to John Radcliffe Hospital. John Smith told me.")
    assert out.startswith("She was taken to a hospital."), out


def test_a_question_in_a_public_answer_is_not_rewritten_and_a_quoted_group_is_no_attribute() -> None:
    out = run("Is it true that Tom Hanks was arrested for child trafficking?\n\nNo. This is a false claim.", "public")
    assert out.startswith("Is it true that Tom Hanks was arrested for child trafficking?\n\n"), out
    out = run('In 2022 he tweeted that he would go "death con 3 on JEWISH PEOPLE".', "public")
    assert '"death con 3 on JEWISH PEOPLE"' in out, out


def test_a_town_opening_a_hospitals_name_across_a_wrap_goes_with_it() -> None:
    text = ("A 34-year-old woman from Leicester was left with serious injuries after being attacked in her home\n"
            "on Tuesday night, police said. The victim, named locally as Aisha Bibi, was taken to Leicester\n"
            "Royal Infirmary. A man was arrested.\n\nSincerely,\nDr. Priya Raman, MD\nLakeview Family Practice")
    out = run(text)
    gone(out, "Leicester", "Royal", "Aisha", "Raman", "Lakeview", "a city\na hospital")
    assert "was taken to a\nhospital." in out and out.endswith(", MD\nA clinic"), out


def test_a_name_wrapped_across_lines_is_one_person_and_its_stand_in_stays_whole() -> None:
    out = run("The panel did not uphold your complaint that your manager, Sandeep\nGill, discriminated against you "
              "because of your pregnancy. Gill denies it.")  # fmt: skip
    gone(out, "Sandeep", "Gill", "pregnancy", "Person\n")
    assert "your manager, Person " in out and ",\ndiscriminated against you" in out, out
    assert out.count("Person") == 2 and len(set(re.findall(r"Person [A-Z]+", out))) == 1, out


def test_a_complaint_in_capitals_loses_its_name_and_address() -> None:
    out = run("MY NAME IS DENNIS HARLOW AND I HAVE BEEN A CUSTOMER FOR 22 YEARS. YOUR ENGINEER LEFT MUD ALL OVER OUR "
              "CARPET AT 9 ELM CLOSE, DIDCOT. I WANT A REFUND.")  # fmt: skip
    gone(out, "DENNIS", "HARLOW", "ELM CLOSE", "DIDCOT")
    assert out.startswith("MY NAME IS Person ") and "I HAVE BEEN A CUSTOMER FOR 22 YEARS." in out, out


def test_a_student_advisers_letter_keeps_the_job_and_a_wrapped_buildings_article() -> None:
    out = run("Please bring the Home Office letter to our drop-in at the\nBrunel Building, room 2.14, on Wednesday.\n\n"
              "Kind regards,\nDr Harriet Oyelaran\nInternational Student Adviser, University of Kent")  # fmt: skip
    gone(out, "Brunel", "Oyelaran", "Kent", "the\na ")
    assert "at the\nstreet address, room 2.14" in out, out
    assert out.endswith("International Student Adviser, a university"), out


def test_a_conspiracy_about_a_puppet_master_and_a_misparsed_fluoride_claim_are_not_left_as_fact() -> None:
    out = run("George Soros is a billionaire investor. He is a puppet master who secretly controls the Democratic "
              "Party and funds violent riots across America to destroy the country.", "public")  # fmt: skip
    assert "George Soros is a billionaire investor." in out and "not supported by reliable evidence" in out, out
    out = run("Fluoride in drinking water lowers children's IQ and causes cancer, which is why many European "
              "countries have banned it.", "public")  # fmt: skip
    # Corrected by the table that knows it is false (session 21), not by the generic note.
    assert "supposedly lowers children's IQ" in out and "find it safe at the levels used" in out, out


def test_a_group_chats_hospital_nickname_and_a_bios_crisis_centre_are_no_people() -> None:
    out = run("[03/11/2026, 19:42] +44 7911 123456: has anyone heard from Lauren? she hasn't been at school all week\n"
              "[03/11/2026, 19:44] Becky M: her mum said she's in the Royal Alex with an eating disorder\n"
              "[03/11/2026, 19:47] Becky M: ofc not.")  # fmt: skip
    gone(out, "Royal Alex", "eating", "Becky", "Lauren", "7911")
    out = run("I'm Tomasz Wiśniewski, based in Edinburgh. I volunteer with Edinburgh Rape Crisis Centre's IT team.")
    gone(out, "Tomasz", "Edinburgh", "city Rape")
    assert "volunteer with an organisation's IT team." in out, out


def test_a_witness_statements_weekday_date_and_a_town_after_a_street() -> None:
    out = run("WITNESS STATEMENT\nName: Precious Mhlanga    Age: 29\n\nOn Friday 7 November 2026 at about 23:10 I "
              "was walking home along Kings Road, Reading when I saw two men arguing.")  # fmt: skip
    gone(out, "Mhlanga", "Friday", "November", "Kings", "Reading")
    assert "In 2026 at about 23:10" in out and "along a street, a city when" in out, out


def test_a_public_figures_interview_disclosure_stays_and_a_stolen_laptop_gets_no_unproven_note() -> None:
    out = run("In a 2021 interview with Oprah Winfrey, Meghan said she had experienced suicidal thoughts while "
              "pregnant.", "public")  # fmt: skip
    assert "she had experienced suicidal thoughts while pregnant." in out, out
    out = run("- **Affected user:** priya.n@lumentech.io — her laptop was stolen from her car in Croydon on 2 Dec")
    gone(out, "priya", "Croydon", "not been proven")
    out = run("Please bring your partner Mo Farouk's semen analysis results.")
    gone(out, "Farouk", "semen")


def test_a_nickname_before_a_surname_that_is_a_town_and_a_hyphenated_town() -> None:
    out = run("Sadly Bill Thornton (plot 14) passed away last Tuesday. His funeral is at St Mary's, Henley-on-Thames, "
              "on Friday 12th at 2pm. Bill's plot will be reallocated.")  # fmt: skip
    gone(out, "Bill", "Thornton", "Henley", "organisation (plot")
    # The church called by its saint goes too (session 29): it says where the family worships.
    assert "at a facility, a city, on" in out and len(set(re.findall(r"Person [A-Z]+", out))) == 1, out


def test_sight_loss_is_a_disability() -> None:
    out = run("Customer (Mr Adebayo Ogunleye, 71) says he has sight loss and was left at the stop on Bath Road.")
    gone(out, "Ogunleye", "sight", "Bath Road")
    assert "he has a disability and was left" in out, out


def test_texts_with_nothing_sensitive_stay_as_they_are() -> None:
    for text, profile in (
        ("Background: Type 2 diabetes affects more than 400 million adults worldwide. We conducted a randomised "
         "controlled trial of 612 participants with poorly controlled type 2 diabetes in three hospitals.", "auto"),
        ("Release notes v4.2.0\n- Fixed a crash when exporting reports with more than 10,000 rows (#4412).\n- The "
         "patient portal now supports NHS login.", "auto"),
        ("To make a classic Victoria sponge, cream 200g of butter with 200g of caster sugar until pale.", "auto"),
    ):  # fmt: skip
        assert run(text, profile) == text


def test_a_patrol_officers_title_badge_number_and_an_active_arrest() -> None:
    out = run("INCIDENT REPORT\nReporting Officer: Ptl. J. Ramirez #4471\n\nPC Smith arrested him outside the shop.")
    gone(out, "Ramirez", "4471", "Smith", "matter him")
    assert "Reporting Officer: Person " in out and "(number withheld)" in out and " dealt with him outside" in out, out


def test_a_visa_application_loses_its_unit_number_and_visa_type() -> None:
    out = run("Applicant: Siddharth Rao (DOB 1994-07-22), current address 4/12 Kensington Rd, Parkville VIC 3052.\n"
              "Visa: subclass 482 (Temporary Skill Shortage), expires 30/09/2027. Employer: Melbourne Health.\n"
              "Declared: previous conviction for drink driving (NSW, 2016). Medical: asthma, well controlled.")
    gone(out, "Siddharth", "07-22", "4/", "Kensington", "Parkville", "3052", "482", "Skill Shortage", "Person B")
    out = run("I'm sorry to hear that your Tier 4 visa extension was refused. Please bring your BRP card.")
    gone(out, "Tier 4", "BRP")
    assert "your paperwork extension was refused" in out and "bring your residency paperwork." in out, out


def test_a_pandemics_lockdown_is_no_ones_illness() -> None:
    text = ("In April 2022, Boris Johnson became the first sitting UK Prime Minister found to have broken the law "
            "when\nthe Metropolitan Police fined him for attending a birthday gathering in Downing Street in June "
            "2020, during\nCOVID-19 lockdown restrictions.")  # fmt: skip
    out = run(text, "public")
    assert "during\nCOVID-19 lockdown restrictions." in out and "medical issue" not in out, out


def test_a_wrapped_aside_goes_with_its_term_and_a_contracted_pronoun_sets_the_possessive() -> None:
    out = run("My son Oliver (Year 9) has been refusing to go to school. He's been self-harming (cuts on\nhis arms) "
              "and told his counsellor that he's being bullied because he's gay.")  # fmt: skip
    gone(out, "Oliver", "self-harm", "cuts", "arms)", "gay", "their personal life")
    assert "because he's private about his personal life." in out, out


def test_a_sick_leave_email_loses_a_short_name_a_back_injury_its_drugs_and_a_miscarriage() -> None:
    text = ("Hi Fatima,\n\nAleks called in this morning: he's been signed off for four weeks with a slipped disc and "
            "is on\nco-codamol and diazepam. He also mentioned his wife lost the baby last month, so he's not in a "
            "great\nplace.\n\nCheers,\nMartin")  # fmt: skip
    out = run(text)
    gone(out, "Aleks", "Fatima", "Martin", "slipped", "co-codamol", "diazepam", "lost the baby")
    assert "his wife had a private health matter last month" in out, out


def test_a_jury_convicting_someone_and_a_question_about_a_conviction_keep_their_grammar() -> None:
    out = run("What did Harvey Weinstein get convicted of?", "public")
    assert out == "What did Harvey Weinstein get into legal trouble over?", out
    out = run("In 2020 a New York jury convicted Harvey Weinstein of a criminal sexual act in the first degree and "
              "rape in the third degree, and he was sentenced to 23 years.", "public")  # fmt: skip
    gone(out, "rape", "criminal sexual", "involved in a past legal matter Harvey")
    assert "a New York jury ruled against Harvey Weinstein, and he" in out, out


def test_a_wrapped_diagnosis_and_a_branded_medicine_in_a_pool_incident_log() -> None:
    text = ("Incident log\nDate: 03/11/2025  Time: 17:45\nReported by: lifeguard Tom Ashdown\n\nFirst aid given. "
            "His mum, Gemma, collected him at 18:10 and said he has\nepilepsy and takes Epilim, which we did not "
            "have on file.")  # fmt: skip
    out = run(text)
    gone(out, "epilepsy", "Epilim", "03/11", "Tom", "Gemma")
    assert "Date: 2025  Time: 17:45" in out and "which we did not have on file." in out, out


def test_benefits_and_happy_pills_in_quoted_remarks_are_generalised_in_grammar() -> None:
    out = run('now he keeps making comments about me being "on benefits". he asked if i was "still on the happy '
              'pills".')  # fmt: skip
    gone(out, "benefits", "happy pills")
    assert 'me being "supported"' in out and 'if i was "still on a prescribed medication"' in out, out


def test_a_reference_letter_loses_rehab_for_alcohol_in_grammar() -> None:
    out = run("Declan had six weeks off in 2023 while he was in rehab for alcohol. He has been sober since.")
    gone(out, "Declan", "rehab", "alcohol", "sober", "health matter for")
    assert "while he was in treatment." in out, out


def test_a_log_key_is_no_place_and_a_signed_town_is_a_town() -> None:
    out = run("[2025-09-14 08:01:23] WARN billing: card declined for customer_id=CUS-448812 (Kwame Asante)")
    gone(out, "448812", "Kwame", "a city")
    assert "customer_id=" in out, out
    out = run("How do I get him to go back? — Linda, Ely\n\nA: It's understandable.")
    gone(out, "Linda", "Ely")
    assert ", a city\n" in out, out


def test_a_hospital_or_a_home_called_by_a_possessive_goes() -> None:
    out = run("His brother died at Addenbrooke's and he's terrified. I stayed at Dave's last night. "
              "She has Alzheimer's.")  # fmt: skip
    gone(out, "Addenbrooke", "Dave", "Alzheimer")
    assert "died at an organisation and he's terrified" in out, out


def test_a_welfare_officer_and_health_and_welfare_are_no_finances() -> None:
    out = run("Discussed with daughter Siobhan, who has LPA for health and welfare. We should suspend him until the "
              "welfare officer has looked into it. She has been on welfare since 2019.")  # fmt: skip
    gone(out, "Siobhan", "financial matter", "on welfare")
    assert "LPA for health and welfare." in out and "the welfare officer has looked into it" in out, out
    assert "has been supported since 2019" in out, out


def test_a_clinical_history_keeps_grammar_across_a_wrapped_line_and_drops_the_units_drunk() -> None:
    out = run("Presenting complaint: 3/7 hx of confusion and falls. Known T2DM on insulin, CKD stage 3, previous\nCVA "
              "(2019). Lives alone. Non-smoker, drinks ~30 units/week.\n\nPlan: CT head, bloods.")  # fmt: skip
    gone(out, "CVA", "CKD", "30 units", "previous a ", "health matter ~")
    assert "a previous\nmedical issue (2019)" in out and "Non-smoker, drinks alcohol." in out, out


def test_rent_arrears_and_a_bare_benefit_name_are_generalised_not_named() -> None:
    out = run("Tenant mentioned he is two months behind on rent; he has applied for\nUniversal Credit and housing "
              "benefit.")  # fmt: skip
    gone(out, "rent", "Universal", "housing", "Person")
    assert "is behind on payments; he has applied for\nsupport." in out, out


def test_a_colleagues_transition_is_generalised_and_a_career_transition_is_not() -> None:
    out = run("Quick update on Jordan from accounts. As some of you know, Jordan transitioned last year. They'll be "
              "having surgery in March. "
              "Mei transitioned to a new role in June and the team is transitioning to AWS.")  # fmt: skip
    gone(out, "Jordan", "transitioned last", "surgery")
    assert "went through a personal change last year" in out and "transitioned to a new role" in out, out
    assert "transitioning to AWS" in out, out


def test_dealing_weed_is_an_accusation() -> None:
    out = run("I'm pretty sure he's dealing weed from the house because there are cars pulling up at all hours.")
    gone(out, "weed")
    assert "involved in wrongdoing from the house" in out, out


def test_an_accusation_put_in_its_accusers_mouth_gets_no_unproven_note() -> None:
    text = ("He had settled a civil lawsuit in 1994 with the family of a boy who accused him of abuse. Prince "
            "Andrew agreed a settlement with Virginia Giuffre, who had\naccused him of sexually abusing her.")
    out = run(text, "public")
    gone(out, "not been proven", "sexually abusing")
    assert "Virginia Giuffre, who had\n" in out, out


def test_a_claim_forms_address_field_goes_whole_and_its_policy_label_is_no_name() -> None:
    text = ("Policyholder: Mrs Eleanor Fairbrother, Policy no. HHX-2213-7781-09\nAddress of loss: 3 Quarry Cottages, "
            "Little Bardfield, Essex CM7 4TT\nItems taken: my late husband's watch, jewellery, a laptop, and "
            "£400 cash.")  # fmt: skip
    out = run(text)
    gone(out, "Fairbrother", "Quarry", "Bardfield", "Essex", "CM7", "2213", "Person FE", "money cash")
    assert "Policy no. withheld" in out and "a laptop, and some cash." in out, out
    out = run("Address: 14 Elm Street, Portland, OR 97999\nEmail address: jo@example.com")
    gone(out, "Elm", "Portland", "97999", "example.com")
    assert "OR" in out and "Email address:" in out, out


def test_an_sti_adhd_medication_and_free_school_meals_are_generalised() -> None:
    out = run("he thinks he might have given me chlamydia. i got tested at the clinic on Tuesday.")
    gone(out, "chlamydia")
    out = run("Kacper can be distracted in afternoon lessons, which may be linked to his ADHD medication wearing off. "
              "Kacper receives free school meals.")  # fmt: skip
    gone(out, "Kacper", "ADHD", "free school meals")
    assert "linked to his medication wearing off" in out and "receives school support" in out, out


def test_a_police_rank_is_one_title_list_and_a_given_name_that_is_a_title_propagates() -> None:
    out = run("DCI Helen Marsh led the inquiry. Later Marsh told the victim the case was closed.")
    gone(out, "Helen", "Marsh", "DCI")
    assert len(set(re.findall(r"Person [A-Z]+", out))) == 1, out
    out = run("Pete Yardley and Dean Morgan met on Friday; Pete said nothing and Dean left. The Dean of Students, "
              "Prof Hughes, was away.")  # fmt: skip
    gone(out, "Pete", "Morgan", "Dean left", "Hughes")
    assert "The Dean of Students, Person" in out and len(set(re.findall(r"Person [A-Z]+", out))) == 3, out


def test_a_support_letter_loses_a_wrapped_mosque_a_saints_vicarage_and_leave_to_remain() -> None:
    text = ("I am writing in support of Ms Farida Haidari's application for leave to remain. She is a devout Muslim "
            "and an active member of the Bradford Central\nMosque.\n\nYours faithfully,\nRev. Thomas Ackroyd\n"
            "St Aidan's Vicarage, 22 Manor Row, Bradford BD1 4QE")  # fmt: skip
    out = run(text)
    gone(out, "Haidari", "leave to remain", "Muslim", "Bradford", "Mosque", "Aidan", "Manor", "Person JX")
    assert "member of the place\nof worship." in out, out
    out = run("Post it to St Aidan's Vicarage, Leeds. We met at the Old Rectory.")
    assert out == "Post it to a clergy house, a city. We met at the Old Rectory.", out


def test_a_stepfather_hitting_a_mother_is_hedged_in_its_clause() -> None:
    out = run("Case 3: Year 10 pupil, initials T.R. Disclosed to form tutor that her stepfather hits her mother and "
              "has threatened her. Police informed.")  # fmt: skip
    gone(out, "hits", "T.R.", "private family matter")
    assert "that her stepfather allegedly mistreats her mother and has threatened her." in out, out


def test_a_committees_finding_gets_no_hedge_and_a_public_net_worth_keeps_agreement() -> None:
    text = ("A parliamentary committee later concluded that he had deliberately misled the House of Commons about "
            "the parties, and he resigned as an MP in June 2023.")  # fmt: skip
    out = run(text, "public")
    gone(out, "allegedly", "not been proven")
    assert out.endswith("about the parties, and he resigned as an MP in June 2023."), out
    out = run("As of 2024, Elon Musk's net worth is estimated at over $200 billion.", "public")
    assert "Elon Musk's wealth is estimated" in out, out


def test_a_saints_school_in_an_accusation_goes_whole_and_a_named_charity_is_no_person() -> None:
    out = run("She also told other neighbours I'm a paedophile, which is completely\nfalse and has led to my kids "
              "being bullied at St Bede's.")  # fmt: skip
    gone(out, "Bede", "paedophile", "organisation's")
    assert out.endswith("at a facility."), out
    out = run("Patient: Harold Jenkins, 84\nHarold wishes not to be resuscitated. Referred to community matron and "
              "Marie Curie nurses.")  # fmt: skip
    gone(out, "Harold", "Jenkins")
    assert "Marie Curie nurses." in out, out


def test_a_lower_case_phrase_is_no_name_and_an_eating_disorder_is_generalised() -> None:
    text = ("hi doc, quick q. my 15yo daughter (Maisie) told me she's been making herself sick after meals and\ni "
            "found laxatives in her room. she's also stopped having periods. we're in Truro.")  # fmt: skip
    out = run(text)
    gone(out, "Maisie", "sick after", "laxatives", "periods", "Truro")
    assert out.startswith("hi doc, quick q. my 15yo daughter (Person"), out


def test_an_incident_number_a_mail_program_and_the_dead_of_a_bombing() -> None:
    out = run("## Incident INC-20931: payroll export sent to wrong recipient\n**Root cause:** autocomplete in Outlook.")
    gone(out, "20931", "a city", "confidential detail")
    assert "Incident withheld:" in out and "autocomplete in Outlook." in out, out
    text = ("Colombian authorities attributed the 1989 bombing of Avianca Flight 203,\nwhich killed all 107 people on "
            "board, to the Medellín Cartel led by Pablo Escobar. Escobar was\nkilled by Colombian police in 1993.")
    out = run(text, "public")
    gone(out, "allegedly", "not been proven", "unconfirmed")
    assert "which killed all 107 people on board" in out, out


def test_a_counselling_session_note_is_a_record_whatever_its_party() -> None:
    text = ("Tue 14 Jan — session 6 (Luca, 16)\nLuca arrived late and seemed flat. Talked about his parents' divorce. "
            "Said he has been vaping and smoked weed at a party on Saturday. Next session 21 Jan, same time.")
    out = run(text, "auto")
    gone(out, "Luca", "Tue", "14 Jan", "weed", "divorce", "parents' a ")
    assert "his parents' family matter" in out and "smoked at a party" in out, out


def test_a_leaving_date_field_a_wrapped_city_jail_and_a_collar_number() -> None:
    out = run("Exit interview notes — Chloe Ramsbottom\nDate of leaving: 30 September 2025\n")
    gone(out, "Chloe", "30 September")
    assert "Date of leaving: 2025" in out, out
    out = run("Epstein died in a New\nYork jail cell in 2019. He spent two years in HMP Belmarsh prison.", "public")
    gone(out, "York", "New\nfacility", "HMP")
    out = run("I wish to complain about PC Darren Lowe (collar number 4471) who stopped my son.")
    gone(out, "Darren", "4471")
    assert "(collar number withheld)" in out, out


def test_a_benefits_assessment_keeps_no_ni_number_and_reads_its_claimants_conditions() -> None:
    text = ("Claimant: Mr Oluwaseun Adebayo   NI: QQ 12 34 56 C\nThe claimant reports chronic lower back pain "
            "following a workplace injury in 2021, with sciatica\ndown the left leg, and depression since losing his "
            "job.")  # fmt: skip
    out = run(text)
    gone(out, "Adebayo", "QQ 12", "a city:", "sciatica", "depression")
    assert "NI: withheld" in out, out


def test_a_clinicians_old_age_psychiatry_title_and_a_scan_finding_are_generalised() -> None:
    text = ("Mr Ibrahim Sesay attended the memory clinic with his wife. MRI shows small vessel disease; MoCA 19/30."
            "\n\nBest,\nDr. Helen Osei-Bonsu\nConsultant Old Age Psychiatrist, Lewisham Memory Service")
    out = run(text)
    gone(out, "Sesay", "vessel disease", "Helen", "Psychiatrist", "Old Age", "a specialist")
    assert "\nConsultant specialist," in out, out


def test_a_brother_caught_shoplifting_is_a_criminal_record() -> None:
    out = run("@sam_k98 lol no way, my brother got caught shoplifting at the Trafford Centre last weekend and mum\nhad "
              "to pick him up. he's 14.")  # fmt: skip
    gone(out, "shoplifting", "Trafford", "sam_k98")
    assert "my brother got into trouble last weekend" in out, out


def test_a_solicitors_letter_loses_a_childs_name_by_its_age_a_school_and_a_contact_centre() -> None:
    text = ("We write on behalf of your wife regarding contact with Archie (7) and Freya (4). You collected the "
            "children from Oakfield Primary while over the limit. She proposes supervised contact at the\nStockport "
            "Family Centre on alternate Saturdays.")  # fmt: skip
    out = run(text)
    gone(out, "Archie", "Freya", "Oakfield", "Stockport")
    out = run("She went to Oakfield Primary. The Primary School is new. We met at the Riverside Leisure Centre.")
    gone(out, "Oakfield", "Riverside")
    assert "The Primary School is new." in out or "The school is new." in out, out


def test_a_recommended_students_accented_surname_and_a_payee_in_quotes_go() -> None:
    out = run("I am delighted to recommend Tomasz Wróbel for the MSc in Data Science. Tomasz was top of his cohort.")
    gone(out, "Tomasz", "Wróbel")
    out = run('I noticed two transactions I didn\'t make: £649.99 at Currys Online and £1,200 to\n"R Patel" by bank '
              "transfer.")  # fmt: skip
    gone(out, "Patel")
    assert '"Person' in out, out


def test_a_public_divorce_keeps_its_grammar() -> None:
    out = run("Why did Brad Pitt and Angelina Jolie divorce?\n\nAngelina Jolie filed for divorce from Brad Pitt in "
              "September 2016.", "public")  # fmt: skip
    gone(out, "a family matter?", "end the marriage from")
    assert "Angelina Jolie separate?" in out and "to end the marriage to Brad Pitt" in out, out


def test_an_intensified_modifier_goes_with_its_noun_and_a_source_file_is_no_website() -> None:
    out = run("My sister Jess has been sober for about a year after a pretty bad cocaine problem.")
    gone(out, "Jess", "cocaine", "bad a ")
    assert "after a personal health matter." in out, out
    out = run('  File "/Users/kieran.obrien/Library/Python/3.11/site-packages/acme/cli.py", line 42, in main')
    gone(out, "kieran", "a website")
    assert "/acme/cli.py" in out, out


def test_a_yoruba_short_name_working_from_home_is_a_person() -> None:
    out = run("Team — heads up that Olu will be working from home for the next few weeks while she goes through IVF.")
    gone(out, "Olu", "IVF")
    assert out.startswith("Team — heads up that Person"), out


def test_a_non_smoker_stays_and_two_modifiers_go_with_a_replaced_noun() -> None:
    out = run("Thank you for seeing Mrs Janet Oduya, 58. She is a non-smoker. FBC shows a mild normocytic anaemia.")
    gone(out, "Oduya", "anaemia", "normocytic a ")
    assert "She is a non-smoker." in out and "FBC shows a medical issue." in out, out


def test_a_false_remedys_second_predicate_stays_inside_its_note() -> None:
    out = run("Drinking bleach kills the virus in your body within hours and is a safe home remedy. Never ingest "
              "disinfectants.", "public")  # fmt: skip
    assert "within hours and is a safe home remedy, but" in out, out


def test_a_family_chats_kinship_speakers_stay_and_a_thyroid_result_goes() -> None:
    text = ("[09:14] Mum: Did you call the GP about your results?\n[09:20] Me: yeah they said my thyroid is "
            "underactive, starting levothyroxine tomorrow\n[09:45] Me: don't tell auntie Pat she'll tell the whole "
            "of Rochdale")  # fmt: skip
    out = run(text)
    gone(out, "User", "thyroid", "levothyroxine", "Pat", "Rochdale")
    assert "[09:14] Mum: Did you call the GP" in out and "my health is a concern" in out, out


def test_a_supermarket_is_no_place_a_topic_is_no_attribute_and_a_cells_id_is_withheld() -> None:
    out = run("I saw Craig Middleton push a man into the canal. Craig ran off towards the Aldi car park.")
    gone(out, "Craig", "a city car park")
    assert "towards the Aldi car park." in out, out
    out = run("J.K. Rowling has been criticised since 2019 for comments on transgender issues.", "public")
    assert "comments on transgender issues" in out, out
    out = run('id,name,email,notes\n1041,Hannah Price,hannah.price@btinternet.com,"Called re refund"')
    gone(out, "1041", "Hannah", "confidential detail")
    assert "\nwithheld,Person" in out, out


def test_a_gang_named_ms_13_is_no_multiple_sclerosis_and_a_noun_before_a_preposition_keeps_its_article() -> None:
    text = ("This comment was made during a discussion about MS-13, a violent gang, after a sheriff mentioned "
            "problems with MS-13. She was treated for MS in 2019.")  # fmt: skip
    out = run(text, "public")
    assert "during a discussion about MS-13, a violent gang" in out and "problems with MS-13." in out, out


def test_a_letters_pupil_the_pronoun_makes_a_person_and_diagnosis_codes_are_withheld() -> None:
    out = run("Dear Mr and Mrs Kowalski,\n\nI wanted to let you know how well Zofia has settled into Year 3. She is "
              "making friends, and the strategies from her autism assessment are really helping.")  # fmt: skip
    gone(out, "Zofia", "Kowalski", "autism")
    out = run("We are unable to approve the claim for Ms Priscilla Onyango's therapy sessions (ICD-10 F33.1, F41.1).")
    gone(out, "F33", "F41", "Onyango", "confidential detail")
    assert "(ICD-10 withheld)" in out, out


def test_a_fifth_of_vodka_and_an_admitted_theft_read_as_they_should() -> None:
    out = run("HPI: 45 y/o M with hx of HTN presents with epigastric pain.\nPt reports drinking a fifth of vodka "
              "daily.")  # fmt: skip
    gone(out, "vodka", "fifth")
    assert "Pt reports drinking alcohol." in out, out
    text = ("Leeds Crown Court heard yesterday that Jason Pickering, 34, of Harehills, stole more than £12,000 from "
            "his elderly neighbour. Pickering, who admitted fraud, told police he had a gambling addiction.")
    out = run(text)
    gone(out, "Pickering", "Harehills", "allegedly", "not been proven", "gambling")


def test_a_voicemail_transcript_keeps_its_heading_and_loses_a_spelled_out_phone_number() -> None:
    text = (
        'Voicemail transcript (auto-generated): "hi this is gail from number forty two um just ringing about\nmy '
        "husband kenneth he's had another fall and the carers didn't turn up this morning so he's been on\nthe floor "
        "since about six um he's got parkinson's as you know um can someone call me back on oh seven\nseven nine one "
        'two three four five six seven eight thanks bye"'
    )
    out = run(text)
    gone(out, "gail", "kenneth", "seven nine one", "Person AQ")
    assert out.startswith("Voicemail transcript") and " he's had another fall" in out, out


def test_a_passive_causal_claim_and_a_name_said_to() -> None:
    out = run("Autism is caused by the MMR vaccine, which overloads a child's immune system. Cancer is not caused "
              "by 5G.", "public")  # fmt: skip
    assert out.startswith("Autism is supposedly caused by the MMR vaccine") and "Cancer is not caused by 5G." in out
    out = run("Hey Marcus, can you cover my shift? Don't say anything to Debbie, she'll make it a whole thing.")
    gone(out, "Marcus", "Debbie")


def test_a_talking_therapy_referral_is_generalised() -> None:
    out = run("My name is Amira Haddad. My GP has signed me off for two weeks and referred me for CBT.")
    gone(out, "Amira", "CBT")
    assert "referred me for support." in out, out


def test_a_list_of_charges_goes_whole_and_child_sexual_abuse_is_one_term() -> None:
    out = run("In 2023 he was charged in Romania with human trafficking, rape and forming a criminal group; he denies "
              "the charges.", "public")  # fmt: skip
    gone(out, "trafficking", "rape", "criminal group", "an offence, ")
    assert "he was the subject of proceedings in Romania; he denies" in out, out
    out = run("Michael Jackson was accused of child sexual abuse in 1993 and again in 2003.", "public")
    gone(out, "child serious", "sexual")
    assert "serious mistreatment in 1993" in out, out


def test_a_parking_appeal_keeps_its_columns_and_its_disabled_bay() -> None:
    text = ("PCN number: BJ48810237   Vehicle: Ford Fiesta, reg LK19 XTA\nI was parked in the disabled bay on Elm "
            "Parade on 2 June because I hold a Blue Badge (I have MS and use crutches).\nName: Yvonne Clarke")
    out = run(text)
    gone(out, "BJ488", "LK19", "Elm", "Yvonne", "MS and", "Person UX")
    assert "PCN number: withheld   Vehicle: Ford Fiesta" in out and "in the disabled bay on a street" in out, out


def test_a_bad_patch_with_mental_health_and_an_inquests_finding_across_a_wrap() -> None:
    out = run("Sorry about the noise last night, my brother was visiting and he's going through a bad patch with his "
              "mental health.")  # fmt: skip
    gone(out, "mental health", "a personal health matter")
    assert "he's going through a difficult time." in out, out
    out = run("A 2008 inquest found that they were\nunlawfully killed through the grossly negligent driving of Paul, "
              "who was drunk.", "public")  # fmt: skip
    gone(out, "not been proven", "allegedly")


def test_a_charge_list_stops_before_what_follows_it() -> None:
    text = ("After his acquittal in 1995, O.J. Simpson was arrested again in 2007 in Las Vegas, Nevada. He was charged "
            "with kidnapping and armed robbery following a confrontation with sports memorabilia dealers in a Las "
            "Vegas hotel room.")  # fmt: skip
    out = run(text, "public")
    gone(out, "kidnapping", "armed robbery")
    assert "following a confrontation with sports memorabilia dealers" in out, out


def test_a_seventh_day_adventist_in_a_grievance_letter_is_a_religion() -> None:
    out = run("Dear Kwabena,\n\nI accept that your manager made comments about your religion (you are a practising\n"
              "Seventh-day Adventist and asked not to be rostered on Saturdays) that were inappropriate.")  # fmt: skip
    gone(out, "Kwabena", "Adventist")
    assert "(you are a person\nof faith and asked not to be rostered" in out, out


def test_a_tenancy_reference_loses_its_employer_and_keeps_a_salary_abbreviation() -> None:
    text = ("Applicant: Miss Chantelle Morrison   Current address: 8B Canal Walk, Salford M5 4QR\nEmployer: Nando's "
            "(Trafford Park), shift supervisor since 2022, £23,400 p.a.")  # fmt: skip
    out = run(text)
    gone(out, "Chantelle", "Canal", "Salford", "Nando", "a city", "Person HX")
    assert "Employer: an organisation (Trafford Park)" in out and "p.a." in out, out


def test_a_childs_possessive_vouches_for_her_name_and_a_quoted_slur_keeps_its_words() -> None:
    out = run("Hiya, Lauren here (Maisie's mum, class 2B). Just to let you know Maisie has nits again so she'll be "
              "off tomorrow.")  # fmt: skip
    gone(out, "Lauren", "Maisie")
    text = ("In 2006 Mel Gibson was arrested for drunk driving in Malibu and, according to the police report,\nmade "
            'antisemitic remarks to the arresting officer, including saying that "the Jews are responsible for\nall '
            'the wars in the world".')  # fmt: skip
    out = run(text, "public")
    assert '"the Jews are responsible for\nall the wars in the world"' in out, out


def test_a_defendants_convictions_and_initials_owning_a_treatment_are_attributes() -> None:
    out = run("The defendant's previous convictions (2015 ABH, 2018 possession with intent to supply) are attached.")
    gone(out, "ABH", "possession", "intent to supply")
    assert out == "The defendant's past legal matters are attached.", out
    out = run("SK's return to work after cancer treatment was agreed.")
    gone(out, "cancer")


def test_a_councils_childrens_services_is_no_person_and_an_eviction_threat_keeps_its_grammar() -> None:
    out = run("He has a social worker already (Nadia Rahman, Kirklees Children's\nServices). I have completed a log.")
    gone(out, "Nadia", "Kirklees", "Person BO's")
    assert "an\norganisation)." in out or "an organisation)." in out, out
    out = run("Mr Dimitrov is facing eviction over two months' rent arrears. His landlord threatened eviction for "
              "£1,600 arrears.")  # fmt: skip
    gone(out, "Dimitrov", "eviction", "arrears", "money difficulties")
    assert "is facing the end of the tenancy." in out and "threatened to end the tenancy." in out, out


def test_a_wrapped_juror_number_a_dashed_signature_and_a_case_notes_day_and_month() -> None:
    out = run("I have been summoned for jury service starting 6 January (juror number\n774120). I am the sole carer "
              "for my husband.\n\nYours faithfully,\nBeverley Oyelaran")  # fmt: skip
    gone(out, "774120", "Beverley", "confidential detail")
    assert "(juror number\nwithheld)" in out, out
    out = run("I was sacked two days after telling my manager I was pregnant. I'd never had a warning. — Ffion")
    gone(out, "Ffion", "pregnant")
    out = run("Case note — 12/02 — home visit\nVisited Ms Joanne Whitby at her flat. Pain score 7/10.")
    gone(out, "12/02", "Whitby")
    assert "Pain score 7/10." in out, out


def test_a_bare_employee_number_life_terms_and_a_contraceptive_brand() -> None:
    out = run("Payroll query — Employee 40219, Jade Fairweather\nJade's pay for November was short by £312.")
    gone(out, "40219", "Jade", "confidential detail")
    assert out.startswith("Payroll query — Employee withheld, Person"), out
    out = run("He was convicted in 1992 and sentenced to 15 consecutive life terms.", "public")
    gone(out, "penalty terms", "life")
    out = run("Hi Dr Rao, it's Natasha. The new pill (Yasmin) has been giving me headaches so I've stopped it.")
    assert "(Yasmin)" in out or "medication" in out, out
    gone(out, "Natasha", "Person OQ")


def test_a_reported_consequence_gets_no_unproven_note() -> None:
    text = ("Forbes estimated Kanye West's net worth at about $400 million in 2023, down from around $2 billion\nafter "
            "Adidas and other brands ended their partnerships with him over antisemitic comments.")  # fmt: skip
    out = run(text, "public")
    gone(out, "not been proven", "allegedly")
    assert "ended their partnerships with him over" in out, out


def test_a_public_deportation_and_a_cancelled_visa_keep_their_grammar() -> None:
    out = run("Why was Novak Djokovic deported from Australia?\n\nHe was deported in January 2022 after his visa was "
              "cancelled over his COVID-19 vaccination status.", "public")  # fmt: skip
    gone(out, "relocate from Australia?", "papers was")
    assert out.startswith("Why was Novak Djokovic removed from Australia?"), out


def test_a_towns_royal_hospital_a_deputy_head_and_a_charge_nurse() -> None:
    out = run("Your son Finlay has been self-harming and was seen at A&E at the Royal Derby on Saturday night.\n\n"
              "Yours sincerely,\nDr K. Bhatt, Deputy Head (Pastoral)")  # fmt: skip
    gone(out, "Finlay", "Derby", "Bhatt", "self-harm")
    assert out.endswith(", Deputy Head (Pastoral)"), out
    out = run("I need to report a colleague. Charge Nurse Ben Adeyemi has been\ntaking oramorph from the ward stock.")
    gone(out, "Adeyemi", "oramorph", "offence")


def test_an_addiction_stops_before_what_it_is_linked_to() -> None:
    out = run("Investigators said he had been struggling with an addiction to painkillers linked to hip pain.",
              "public")  # fmt: skip
    gone(out, "addiction", "painkillers", "issue to hip")
    assert "struggling with a health issue linked to hip pain." in out, out


def test_a_colleague_in_packing_radiotherapy_and_a_band_called_black_sabbath() -> None:
    out = run("Aleksandra in packing told me in confidence that she's being treated for breast cancer and will need "
              "Thursdays off for radiotherapy.")  # fmt: skip
    gone(out, "Aleksandra", "breast", "radiotherapy")
    out = run("He died in July 2025, weeks after a farewell concert with Black Sabbath in Birmingham. He was "
              "diagnosed with a form of Parkinson's disease.", "public")  # fmt: skip
    assert "concert with Black Sabbath in Birmingham" in out, out


def test_one_street_type_table_serves_detection_and_editing() -> None:
    """The street types live in one table (surrogates.json `_street_types`): a type the editor knows
    ("Walk", "Mews", "Rd.") is one the detectors know, and the ambiguous abbreviations ("St", "Dr")
    only count where the context settles them."""
    from semsiedit.places import location_kind, street_words

    assert [location_kind(v) for v in ["Ashby Walk", "Wellington Mews", "Cheetham Hill Rd.", "St Albans"]] == [
        "a street", "a street", "a street", "a city",
    ]  # fmt: skip
    assert {"Walk", "Mews", "Rd", "St", "Dr"} <= street_words()
    text = "Mr Dwyer's van was scratched on Wellington Mews, Frome overnight. He lives at 18 Ashby Walk."
    gone(run(text), "Frome", "Ashby", "Wellington")


def test_a_true_health_statement_is_no_claim_and_a_quack_cure_is_corrected() -> None:
    """A cure verb makes a claim of a quack remedy, not of a vaccine: "Vaccines prevent serious
    disease" had become "supposedly prevent …, but this is not supported by reliable evidence"."""
    true = "Vaccines prevent serious disease and have saved millions of lives. Serious reactions are rare."
    assert run("Are vaccines safe?\n\n" + true, "public").endswith(true)
    out = run("Does ivermectin work?\n\nIvermectin cures COVID-19 within days.", "public")
    assert "Ivermectin supposedly cures" in out and "trials found no benefit" in out, out


def test_a_fluoride_conspiracy_is_corrected_and_the_research_left_alone() -> None:
    out = run("Is fluoride in tap water dangerous?\n\nHowever, fluoride is a neurotoxin that lowers children's IQ, "
              "and the government adds it to make the population more docile. Some studies at much higher "
              "exposure levels have found associations with lower IQ scores.", "public")  # fmt: skip
    assert "fluoride is supposedly a neurotoxin" in out and "find it safe" in out, out
    assert "Some studies at much higher exposure levels have found associations with lower IQ scores." in out, out


def test_a_gambling_debt_keeps_its_grammar_and_a_denied_diagnosis_stays() -> None:
    out = run("Last week I found out from his mate Jamie that he's been gambling on football every night and is "
              "in debt to a payday lender. He says he has ADHD. He's not diagnosed as far as I know.")  # fmt: skip
    gone(out, "gambling", "football", "in debt", "ADHD", "Jamie")
    assert "he's been struggling every night and is under financial strain." in out, out
    assert "He's not diagnosed as far as I know." in out, out


def test_a_vet_record_keeps_its_exam_heading_and_loses_the_sums() -> None:
    out = run("14/09 — Vomiting x3 overnight. Abdo tense on palpation.\nEstimate given £650-£900; owner on a "
              "payment plan (arrears of £210 from last year). Owner has been on antidepressants. Noted for welfare "
              "only.\nResp: clear.")  # fmt: skip
    gone(out, "£", "arrears", "antidepressants")
    assert "Abdo tense on palpation." in out and "Resp: clear." in out, out
    assert "Estimate given a sum of money;" in out and "(unpaid bills from last year)" in out, out
    assert "Noted for welfare only." in out, out


def test_a_practice_named_after_its_district_is_no_person() -> None:
    out = run("My GP (Dr Lennox at the Jesmond practice) can confirm this.")
    gone(out, "Jesmond", "Lennox", "Person GR")
    assert "at a clinic) can confirm" in out and out.count("Person") == 1, out


def test_a_committees_finding_of_misleading_keeps_its_meaning() -> None:
    out = run("Why did Boris Johnson resign?\n\nIn 2023 the Privileges Committee found that he had deliberately "
              "misled Parliament, and he resigned as an MP.", "public")  # fmt: skip
    assert "found that he had deliberately misinformed Parliament, and he resigned" in out, out
    gone(out, "confused", "allegedly", "not been proven")


def test_a_match_report_keeps_its_clubs() -> None:
    text = ("City took the lead after 12 minutes, but Rovers equalised just before half-time through a penalty. "
            "The result lifts Rovers to fourth in the table.")  # fmt: skip
    assert run("Match report: Rovers 2-1 City\n\n" + text, "public").endswith(text)


def test_a_consent_record_loses_its_hospital_diabetes_drugs_and_test_value() -> None:
    out = run("Participant ID: ST-0318\nName: Oluwaseun Bakare\nSite: Salford Royal, research clinic 2\n"
              "Eligibility: HbA1c 71 mmol/mol, BMI 34, on metformin and gliclazide")  # fmt: skip
    gone(out, "Bakare", "Salford", "HbA1c", "71 mmol", "metformin", "gliclazide")
    assert out.count("Person") == 1 and "Eligibility: a medical test, BMI 34, on a prescribed medication" in out, out


def test_an_emergency_call_and_a_bypass() -> None:
    out = run("Operator: Emergency, which service?\nCaller: Ambulance. My dad's collapsed.\nCaller: He's 74. He's got "
              "a heart condition, he had a bypass two years ago.")  # fmt: skip
    gone(out, "bypass", "heart", "Person")
    assert "Caller: Ambulance." in out and "he had surgery two years ago" in out, out
    out = run("The council wants to build a bypass around the town.")
    assert out == "The council wants to build a bypass around the town.", out


def test_a_tenancy_form_keeps_a_no_and_names_the_employer_an_organisation() -> None:
    out = run("Applicant: Ms Chloe Whitfield\nEmployer: Yorkshire Water, Customer Services Advisor\nSmoker: No\n"
              "Pets: one cat")  # fmt: skip
    gone(out, "Whitfield", "Yorkshire Water")
    assert "Employer: an organisation, Customer Services Advisor" in out and "Smoker: No" in out, out
    out = run("Applicant: Tom Reid\nSmoker: Yes")
    gone(out, "Smoker", "Reid")
    assert out.count("Person") == 1, out


def test_a_card_ending_is_withheld_and_a_year_ending_a_war_is_not() -> None:
    out = run("Dear Guest Relations,\n\nI paid £684.50 on my Visa ending 4417. The war ending in 1945 is history.")
    gone(out, "4417", "Person")
    assert "Dear Guest Relations," in out and "The war ending in 1945" in out, out


def test_a_surname_alone_is_the_person_the_text_named() -> None:
    """"Tiger Woods crashed … Woods admitted to infidelity": the parse took "Woods" for a common noun, so
    the statement was about no one and the affair, the rehab clinic and the addiction stayed."""
    out = run("Did Tiger Woods cheat on his wife?\n\nIn 2009 Tiger Woods crashed his SUV outside his home. Woods "
              "admitted to infidelity and entered a rehab clinic in Mississippi for sex addiction. He is a serial "
              "cheater who has never really changed.", "public")  # fmt: skip
    gone(out, "infidelity", "rehab", "sex addiction", "cheater")
    assert "Tiger Woods crashed his SUV" in out and "entered a treatment facility in Mississippi" in out, out


def test_an_indictment_on_charges_for_an_act_keeps_the_act_and_its_grammar() -> None:
    out = run("Why was Hunter Biden indicted?\n\nHunter Biden was indicted in 2023 on federal gun charges for buying "
              "a revolver in 2018 while he was addicted to crack cocaine, and later on tax charges for failing to pay "
              "at least $1.4 million in taxes. A jury in Delaware found him guilty on the gun charges in June 2024.",
              "public")  # fmt: skip
    gone(out, "indicted in", "crack", "allegedly", "not been proven")
    assert "was taken to court in 2023 over buying a revolver in 2018 while he was" in out, out
    assert "and later over failing to pay at least $1.4 million in taxes." in out, out
    # A jury's verdict about a public figure is a fact of record: no hedge on it.
    assert "A jury in Delaware found him guilty on the gun charges in June 2024." in out, out
    out = run("A jury in Delaware found him guilty on the gun charges, and he pleaded guilty to the tax charges.")
    assert out.startswith("A jury in Delaware ruled against him, and he admitted"), out


def test_rehab_a_skin_condition_and_contraception_are_generalised_in_place() -> None:
    out = run("Was Michael Jackson addicted to painkillers?\n\nIn 1993 he cancelled the rest of his world tour and "
              "entered rehab. Jackson also had vitiligo, which caused his skin to lose its pigment.",
              "public")  # fmt: skip
    gone(out, "rehab", "vitiligo", "a health matter")
    assert "and entered treatment." in out, out
    out = run("She told a court that she had been forced to keep an IUD in place to prevent pregnancy.", "record")
    gone(out, "IUD", "pregnancy")
    assert "keep a medical device for health reasons." in out, out


def test_a_statement_its_sentence_hedges_gets_no_hedge_of_ours() -> None:
    out = run("Why did Trump say that?\n\nTrump might have misunderstood the data or intentionally misrepresented it "
              "to support his arguments. Some saw him as soft on crime.", "public")  # fmt: skip
    assert "intentionally misrepresented it to support his arguments." in out, out
    gone(out, "allegedly", "unconfirmed", "not been proven", "offence")


def test_a_referral_letters_family_history_spouse_and_son() -> None:
    out = run("Re: Mrs Ingrid Solberg, DOB 03/02/1961\n\nThank you for seeing this 64-year-old retired midwife who "
              "has a strong family history of bowel cancer (her mother died of it at 58 and her brother was diagnosed "
              "at 49). She lives with her wife, Marit, and is a carer for her son, who has Down's syndrome.")
    gone(out, "bowel cancer", "Marit", "her wife", "Down", "has a personal health matter")
    assert "(her mother died at 58 and her brother was taken ill at 49)" in out, out
    assert "She lives with her spouse, Person" in out and "her son, who has a health condition." in out, out


def test_a_double_barrelled_given_name_is_a_person() -> None:
    out = run("Two Year 9 pupils, Kacper Nowicki and Tyler-James Brennan, were fighting. Tyler-James had a cut lip. "
              "We drove past the Rolls-Royce plant.")  # fmt: skip
    gone(out, "Tyler", "Brennan", "Nowicki")
    assert "Rolls-Royce" in out, out


def test_addiction_to_two_things_and_a_depopulation_claim_beside_an_insult() -> None:
    out = run("What happened to Amy Winehouse?\n\nShe had struggled publicly with drug and alcohol addiction for "
              "years.", "public")  # fmt: skip
    assert "She had struggled publicly with a personal health matter for years." in out, out
    out = run("Is Bill Gates putting microchips in vaccines?\n\nNo. This is a conspiracy theory that spread during the "
              "pandemic. Bill Gates is a pedophile who wants to depopulate the planet.", "public")  # fmt: skip
    gone(out, "pedophile")
    assert "This is a conspiracy theory that spread" in out and "who supposedly wants to depopulate" in out, out


def test_a_bankrupt_fraudster_who_cheated_his_creditors_reads_as_a_sentence() -> None:
    out = run("Why was Boris Becker sent to prison?\n\nHe had hidden £2.5 million of assets after he was declared "
              "bankrupt in 2017. Becker is a fraudster who cheated his creditors.", "public")  # fmt: skip
    gone(out, "bankrupt", "fraudster", "cheated", "a people")
    assert "after he ran into money problems in 2017." in out, out
    assert re.search(r"a person facing unproven claims who (?:allegedly )?treated his creditors unfairly\.", out), out


def test_a_probation_note_keeps_its_office_and_loses_the_relapse_and_the_officer() -> None:
    out = run("Service user: Dean Whitlock (CRN X482913)\nSeen at Wolverhampton probation office. He disclosed that "
              "he relapsed on cocaine over the weekend.\nOfficer: K. Mensah")  # fmt: skip
    gone(out, "Whitlock", "Wolverhampton", "probation", "cocaine", "relapsed", "Mensah", "a health matter")
    assert "supervision office." in out and "he had a setback over the weekend." in out, out


def test_a_bio_loses_its_schools_and_keeps_the_dogs_name() -> None:
    out = run("I'm Hollie Gresham from Barnsley. I went to Penistone Grammar. These days I teach Year 4 at St Helen's "
              "in Wombwell. We've got a rescue greyhound called Pixie.")  # fmt: skip
    # "St Helen's" alone is one of thousands (its town goes): kept, like "St Mary's" in a funeral notice.
    gone(out, "Gresham", "Penistone", "Wombwell", "called a city")
    assert "I went to a school." in out and "a rescue greyhound called Pixie." in out, out


def test_a_candidate_shortlist_is_a_record() -> None:
    """"Candidate" made a hiring shortlist public text (a political cue), so every name and link stayed."""
    out = run("Candidate shortlist for the data engineer role:\n\n1. Aleksandra Wiśniewska — "
              "https://www.linkedin.com/in/aleksandra-wisniewska-data/ — strong Spark\n2. Priya Venkataraman — "
              "ex-Monzo, visa sponsorship needed", "auto")  # fmt: skip
    gone(out, "Wiśniewska", "linkedin.com/in/aleksandra", "Venkataraman", "visa", "residency papers")
    assert "employer sponsorship needed" in out, out


def test_a_name_the_ner_ran_into_a_date_and_long_covid() -> None:
    out = run("Marcus, can you sort cover for Tom Ridley 8-12 Dec? He is on sick leave.")
    gone(out, "Ridley", "Tom", "Marcus", "8-12")
    out = run("- Joel was out for two weeks with long COVID, so the migration slipped")
    gone(out, "Joel", "COVID")
    assert "was out for two weeks with a health condition, so the migration slipped" in out, out


def test_a_court_report_loses_the_town_that_describes_the_man() -> None:
    out = run("A Swindon man who stole more than £40,000 from his elderly neighbour has been jailed. Darren Cole, 46, "
              "of Kingshill Road, befriended 84-year-old widow Margaret Ainsworth in 2022.")  # fmt: skip
    gone(out, "Swindon", "Cole", "Kingshill", "Ainsworth")
    assert out.startswith("A city man who"), out
    out = run("A Texas man and the Irish teenager were both there.")
    assert "A Texas man and the Irish teenager" in out, out


def test_a_missing_teenagers_jacket_brand_and_a_familys_faith() -> None:
    out = run("Kayla Bright, 15, was wearing a black North Face jacket and white trainers. Kayla has type 1 diabetes.")
    gone(out, "Kayla", "Bright", "diabetes", "a city jacket")
    assert "a black North Face jacket" in out, out
    out = run("My fiancé's family are Sikh and very traditional, and I don't want a scene at the gurdwara.")
    gone(out, "Sikh", "gurdwara", "a person of faith")
    assert "family are people of faith and very traditional" in out and "a scene at a place of worship" in out, out


def test_public_answers_about_health_a_denied_diagnosis_an_own_statement_and_an_insult() -> None:
    out = run("Is Joe Biden suffering from dementia?\n\nThere is no public medical evidence that Joe Biden has "
              "dementia. Biden is clearly senile and unfit to lead.", "public")  # fmt: skip
    assert "There is no public medical evidence that Joe Biden has dementia." in out, out
    assert "Biden is clearly not up to the job and unfit to lead." in out, out
    text = ("Naomi Osaka withdrew after she was fined. In a statement she revealed that she had suffered long bouts of "
            "depression since 2018 and experienced anxiety before speaking to the media.")  # fmt: skip
    assert run("Why did Naomi Osaka withdraw?\n\n" + text, "public").endswith(text)


def test_a_conviction_on_charges_including_a_crime_reads_as_a_sentence() -> None:
    out = run("Why was Ghislaine Maxwell convicted?\n\nGhislaine Maxwell was convicted in December 2021 on five "
              "federal charges, including sex trafficking of a minor, for recruiting and grooming underage girls.",
              "public")  # fmt: skip
    gone(out, "trafficking", "an offence of", "convicted")
    assert "was involved in a past legal matter in December 2021, for recruiting and grooming" in out, out


def test_an_english_via_after_a_year_is_no_italian_street() -> None:
    out = run("Client arrived in the UK in August 2021 via Dover in a lorry and claimed asylum on arrival.")
    gone(out, "Dover", "asylum", "a street address", "a private address")
    assert "in the UK in 2021 via a city in a lorry" in out, out


def test_an_advisers_note_loses_the_secret_debt_the_gambling_and_the_status() -> None:
    out = run("Deborah is still paying off a £12,000 credit card debt she didn't tell Alan about. Their son Lewis (32) "
              "has a gambling problem.")  # fmt: skip
    gone(out, "£12,000", "credit card", "gambling", "a sum of money debts")
    assert "is still paying off a debt she didn't tell" in out and "has a personal health matter." in out, out
    out = run("Pt is a 72 y/o female. Undocumented until 2019, now LPR.")
    gone(out, "LPR", "Undocumented")


def test_a_newsletter_keeps_departments_and_loses_a_double_barrelled_pupil() -> None:
    out = run("Congratulations to Anita Desai in Payroll, who married her partner Ruth in October.")
    gone(out, "Desai", "Ruth", "a city")
    assert "in Payroll, who married her partner" in out, out
    out = run("Special mention to Leo Marsh and Amara Osei-Bonsu, who read their poems beautifully.")
    gone(out, "Marsh", "Osei", "Amara")


def test_measured_true_statements_about_vaccines_and_radiation_are_no_claims() -> None:
    for text in ("In rare cases the AstraZeneca vaccine caused blood clots with low platelets. Vaccination greatly "
                 "reduced deaths from COVID-19.",
                 "High doses of ionising radiation can damage DNA and increase the risk of cancer. UV radiation from "
                 "the sun causes most skin cancers."):  # fmt: skip
        assert run("Is it safe?\n\n" + text, "public").endswith(text)
    out = run("Is 5G safe?\n\nRadiation from 5G towers causes cancer in people who live nearby.", "public")
    assert "supposedly causes cancer" in out, out


def test_history_of_terror_attacks_and_genocide_is_never_hedged() -> None:
    """A hedge on the Holocaust read like its denial; "the terrorist group al-Qaeda" had become a
    "militant group" whose hijacking "has not been proven"."""
    for text in ("On 11 September 2001, 19 hijackers from the terrorist group al-Qaeda took control of four "
                 "passenger planes. Nearly 3,000 people were killed.",
                 "The Holocaust was the systematic, state-sponsored murder of six million Jews by Nazi Germany and "
                 "its collaborators between 1941 and 1945. It is recorded in the testimony of survivors and "
                 "perpetrators, and in the evidence found when the camps were liberated."):  # fmt: skip
        assert run("What happened?\n\n" + text, "public").endswith(text)
    out = run("He called his boss a Nazi. Jones is a terrorist who planned the attack.")
    gone(out, "Nazi", "terrorist")


def test_documented_war_crimes_and_a_courts_warrant_are_not_called_unproven() -> None:
    out = run("What happened in Ukraine?\n\nRussian forces shelled cities, and the UN has documented war crimes "
              "including the killing of civilians in Bucha. The International Criminal Court issued an arrest warrant "
              "for Vladimir Putin in March 2023 over the unlawful deportation of children.", "public")  # fmt: skip
    gone(out, "not been proven", "allegedly", "unconfirmed")
    assert "the killing of civilians in Bucha." in out and "for Vladimir Putin in March 2023" in out, out


def test_a_conviction_for_murders_keeps_its_grammar() -> None:
    out = run("Who was Ted Bundy?\n\nHe was convicted of the 1978 murders of two students at Florida State "
              "University, and he was executed in January 1989.", "public")  # fmt: skip
    assert "He was found responsible for the 1978 deaths of two students at Florida State University" in out, out


def test_a_postmortems_bill_client_and_safe_data_are_no_accusations() -> None:
    text = ("At 14:02 the payments service was killed by the kernel's OOM killer. We were charged an extra $1,200 by "
            "our cloud provider. Root cause: an abusive client was hammering the endpoint with 40,000 requests per "
            "second. No customer data was stolen or exposed.")  # fmt: skip
    assert run("Postmortem: API outage\n\n" + text).endswith(text)
    out = run("He was charged with fraud and charged an extra fee for the hearing.")
    gone(out, "charged with fraud")


def test_a_job_ads_patients_are_a_population_and_a_quinta_is_no_person() -> None:
    text = "You'll support patients recovering from heart attacks, angioplasty and pacemaker fitting."
    assert run("Senior Nurse\n\n" + text).endswith(text)
    out = run("She works with people living with HIV, and her brother has HIV.")
    assert out.startswith("She works with people living with HIV, and her brother has a") and out.count("HIV") == 1, out
    out = run("On the last day we got hopelessly lost in the gardens of Quinta da Regaleira.")
    gone(out, "Person")


def test_a_quack_cure_the_parse_misread_and_other_conspiracies_are_hedged() -> None:
    out = run("Can apple cider vinegar cure diabetes?\n\nApple cider vinegar cures type 2 diabetes in a few weeks, so "
              "you can stop taking metformin.", "public")  # fmt: skip
    assert "Apple cider vinegar supposedly cures type 2 diabetes" in out, out
    out = run("Is the Earth flat?\n\nThe Earth is flat and NASA has faked every photo from space. Pilots are paid to "
              "keep quiet about it.", "public")  # fmt: skip
    assert "has supposedly faked every photo" in out and "Pilots are supposedly paid" in out, out
    assert "not supported by reliable evidence" in out, out  # a conspiracy pattern: the full hedge
    out = run("Did Paul McCartney die in 1966?\n\nHe died in a car crash in 1966 and was secretly replaced by a "
              "lookalike named William Campbell.", "public")  # fmt: skip
    assert "supposedly secretly replaced by a lookalike" in out, out


def test_a_claimed_link_is_a_topic_a_jade_egg_cure_a_claim_and_no_note_splits_a_list() -> None:
    out = run("What did Andrew Wakefield do?\n\nHe published a 1998 paper in The Lancet claiming a link between the "
              "MMR vaccine and autism.", "public")  # fmt: skip
    assert "claiming a link between the MMR vaccine and autism." in out, out
    out = run("She found a link between her diet and her migraines.")
    gone(out, "migraines")
    out = run("Why was Goop fined?\n\nGoop paid $145,000 to settle a lawsuit brought by prosecutors over unsupported "
              "health claims about its products, including jade and rose quartz eggs. Jade eggs cure infertility.",
              "public")  # fmt: skip
    gone(out, "jade, though")
    assert "Jade eggs supposedly cure infertility" in out, out


def test_canadian_irish_and_australian_numbers_an_age_after_who_and_a_hearing_impairment() -> None:
    out = run("Client: Jean-Baptiste Ndayisaba, SIN 046 454 286\nPPS number: 1234567TA\nTFN: 123 456 782\nHer "
              "grandmother, who is 94, lives with the family. She asked for a quiet desk because of her hearing "
              "impairment. Her husband is deaf.")  # fmt: skip
    gone(out, "046 454", "1234567TA", "123 456", "94", "hearing", "deaf")
    assert "SIN withheld" in out and "who is over 89" in out and "is living with a disability." in out, out


def test_a_lawsuit_and_the_charges_it_settles_are_facts_with_their_allegations_attributed() -> None:
    out = run("Did Prince Andrew settle?\n\nYes. He reached a settlement with Virginia Giuffre, who had sued him in "
              "New York alleging that he sexually abused her when she was 17.", "public")  # fmt: skip
    assert re.search(r"who had (?:sued|taken legal action against) him in New York alleging that he sexually", out), out
    gone(out, "had took", "not been proven", "allegedly")
    out = run("What is Kim Kardashian's net worth?\n\nIn 2022 she paid $1.26 million to settle SEC charges that she "
              "promoted a crypto token without disclosing that she had been paid to do so.", "public")  # fmt: skip
    gone(out, "not been proven", "allegedly")


def test_a_neighbour_complaint_names_the_tenant_and_keeps_the_day_and_the_dog() -> None:
    out = run("The tenant, a man called Rob, plays music until 3am. Last Saturday he shouted at my 9-year-old "
              "daughter. We adopted a dog called Biscuit.")  # fmt: skip
    gone(out, "Rob,", "a private family matter")
    assert "a man called Person" in out and "Last Saturday he shouted" in out and "a dog called Biscuit." in out, out


def test_a_public_figures_own_account_of_his_faith_keeps_every_statement_of_it() -> None:
    text = ("Rishi Sunak is a practising Hindu. He took his oath as an MP on the Bhagavad Gita and has spoken about "
            "how his faith guides him.")  # fmt: skip
    assert run("Is Rishi Sunak religious?\n\n" + text, "public").endswith(text)
    out = run("Her faith guides her decisions.")
    assert out == "Her belief system guides her decisions.", out


def test_a_surrogate_whose_letters_are_a_clinical_abbreviation_stays_a_surrogate() -> None:
    """"Leon" became "Person MI", and the next round read "MI" (myocardial infarction) in a clinical text:
    "Person a medical issue"."""
    out = run("My crisis plan — Leon\n\nWhen I'm becoming unwell I stop sleeping. That's when I need to take my "
              "olanzapine properly and call my care coordinator, Ifeoma, on 0161 555 0142.")  # fmt: skip
    gone(out, "Leon", "olanzapine", "Ifeoma", "Person a ")
    assert re.match(r"My crisis plan — Person [A-Z]{1,3}\n", out), out


def test_everyday_cancer_myths_are_claims_and_a_true_protection_is_not() -> None:
    out = run("Is sunscreen safe?\n\nSunscreen prevents skin cancer and sunburn. Electric cars cause cancer because "
              "of the electromagnetic fields from their batteries.", "public")  # fmt: skip
    assert "Sunscreen prevents skin cancer and sunburn." in out and "Electric cars supposedly cause cancer" in out, out


def test_statements_about_groups_and_documented_police_killings_are_left_alone() -> None:
    text = ("The movement grew after police killed Michael Brown in Ferguson in 2014. It campaigns against police "
            "violence and systemic racism, pointing to evidence that Black Americans are more likely than white "
            "Americans to be killed by police.")  # fmt: skip
    assert run("Why is Black Lives Matter important?\n\n" + text, "public").endswith(text)
    text = "People with a parent or sibling who has schizophrenia have a higher risk."
    assert run("What causes schizophrenia?\n\n" + text, "public").endswith(text)
    out = run("My brother has schizophrenia and our cousin is Black British.")
    gone(out, "schizophrenia")


def test_law_and_history_explainers_keep_their_courts_crimes_and_gay_bars() -> None:
    for text in ("Roe v. Wade was a 1973 US Supreme Court decision that recognised a constitutional right to abortion.",
                 "In 2001 Portugal decriminalised the possession of small amounts of all drugs, treating drug use as a "
                 "health issue rather than a crime.",
                 "The Stonewall uprising began in 1969 when police raided the Stonewall Inn, a gay bar in New York's "
                 "Greenwich Village."):  # fmt: skip
        assert run("What happened?\n\n" + text, "public").endswith(text)
    out = run("He lives at 1973 Willow Court with his partner.")
    gone(out, "1973 Willow Court")


def test_a_us_plate_after_its_label_and_a_vin_are_withheld() -> None:
    out = run("Vehicle: 2019 Honda Civic, plate 7XYZ482 (CA), VIN 2HGFC2F59KH512345. The tag on the truck was "
              "scratched.")
    gone(out, "7XYZ482", "2HGFC2F59KH512345")
    assert "plate withheld (CA), VIN withheld." in out and "The tag on the truck was scratched." in out, out


def test_a_solicitors_letter_about_a_bankrupt_heir_reads_as_a_sentence() -> None:
    out = run("As you know, Keith has been declared bankrupt, so his share will pass to his trustee in bankruptcy "
              "unless the bankruptcy is discharged first.")  # fmt: skip
    gone(out, "bankrupt", "Keith", "money problems is")
    assert "will pass to his court-appointed trustee unless the financial difficulty is discharged first." in out, out


def test_an_admitted_accusation_a_conviction_with_its_year_and_place_and_a_monster() -> None:
    out = run("Why did Louis C.K. step away?\n\nThe New York Times reported that five women accused Louis C.K. of "
              "sexual misconduct. The next day he released a statement saying \"These stories are true\" and "
              "apologised.", "public")  # fmt: skip
    gone(out, "not been proven", "allegedly", "C.K. of")
    assert "five women questioned Louis C.K. over" in out, out
    out = run("Why is R. Kelly in prison?\n\nR. Kelly was convicted in 2021 in New York of racketeering and sex "
              "trafficking for leading a scheme. He is a monster who ruined dozens of lives.", "public")  # fmt: skip
    gone(out, "an offence for", "monster", "of racketeering")
    assert "was involved in a past legal matter in 2021 in New York for leading a scheme" in out, out
    out = run("We hired a monster truck for the party.")
    assert out == "We hired a monster truck for the party.", out


def test_indian_states_and_other_provinces_are_kept_like_us_states() -> None:
    out = run("I'd like to book annual leave to visit family in Kerala. Sam has agreed to cover my Tuesday shift.")
    assert "to visit family in Kerala." in out and "Sam" not in out, out


def test_a_conviction_and_jailing_and_a_medical_parole_read_as_sentences() -> None:
    out = run("Why was Imran Khan arrested?\n\nHe was later convicted in a separate case of selling state gifts and "
              "jailed.", "public")  # fmt: skip
    assert out.endswith("in a separate case of selling state gifts and given a penalty."), out
    out = run("Why did Jacob Zuma go to jail?\n\nHe was released on medical parole two months later.", "public")
    assert out.endswith("He was released early on health grounds two months later."), out


def test_an_occupational_health_referral_loses_the_divorce_migraines_and_counsellor() -> None:
    out = run("Gareth has had 23 days of sickness absence, mostly for back pain and migraines. He is going through a "
              "divorce. He also mentioned he has started seeing a counsellor through his GP. Our school counsellor "
              "runs a lunch club.")  # fmt: skip
    gone(out, "Gareth", "migraines", "divorce", "seeing a counsellor")
    assert "he has started seeing a specialist through his GP." in out and "Our school counsellor runs" in out, out


def test_a_jury_in_a_city_convicting_someone_of_a_deed_is_a_ruling_against_them() -> None:
    out = run("In January 2022 a jury in San Jose convicted Holmes of defrauding investors, and she was sentenced "
              "to more than 11 years in prison.", "public")  # fmt: skip
    gone(out, "defrauding", "convicted", "11 years", "legal matter Holmes")
    assert "a jury in San Jose ruled against Holmes, and she was given a penalty." in out, out
    out = run("He was initially convicted of culpable homicide, and he was eventually sentenced to 13 years and five "
              "months.", "public")  # fmt: skip
    gone(out, "homicide", "13 years", "five months")


def test_false_statements_in_a_conviction_do_not_make_it_a_rejected_claim() -> None:
    out = run("Martha Stewart built a media empire. In 2004 she was convicted of conspiracy, obstruction of justice "
              "and making false statements to federal investigators, and she served five months in a federal "
              "prison in West Virginia.", "public")  # fmt: skip
    gone(out, "convicted", "conspiracy", "false statements", "federal prison")
    assert "West Virginia" in out, out


def test_an_adjective_that_names_the_condition_goes_with_it() -> None:
    out = run("Mr Jones has aplastic anaemia and is on the transplant list.")
    gone(out, "aplastic", "anaemia")
    assert "has a medical issue" in out, out
    out = run("Her long exposure to radiation is believed to have caused the aplastic anaemia from which she died.",
              "public")  # fmt: skip
    assert "caused the medical issue from which she died" in out, out


def test_a_person_someone_thinks_is_called_something_and_names_listed_with_people() -> None:
    out = run("The taller one pushed the other man, who I think is called Sami, into the wall. Sami's head hit the "
              "brick.")  # fmt: skip
    gone(out, "Sami")
    out = run("Much-loved nan to Jack, Ellie and Ruby. Contact with Archie, Summer, Ruby and Frank was supervised.")
    gone(out, "Jack", "Ellie", "Ruby", "Archie", "Summer", "Frank")
    out = run("Our new app is called Nimbus and it launches next week. Student report - Aisha Mohammed, Year 10.")
    assert "called Nimbus" in out and "Year 10" in out, out


def test_a_cemetery_a_funeral_home_and_a_charity_named_for_a_condition() -> None:
    out = run("Funeral at St Mary's RC Church, followed by burial at Boghall Cemetery. Arrangements by Co-op Funeral "
              "Home. Donations if desired to Alzheimer Scotland.")  # fmt: skip
    gone(out, "Boghall", "Co-op", "Alzheimer", "medical issue Scotland")
    assert "burial at a cemetery" in out and "by a funeral home" in out and "to a health charity" in out, out


def test_staying_sober_is_a_recovery() -> None:
    out = run("Dave has been sober since 2019 and stays sober with support from his sponsor. I'm 18 months sober.")
    gone(out, "sober", "Dave")
    assert "since 2019" in out, out


def test_a_form_field_that_names_an_attribute_is_withheld_and_a_no_is_kept() -> None:
    out = run("Patient: Niamh Gallagher. Tooth extracted without complication. Pregnant? No. Smoker: 10/day.")
    gone(out, "Niamh", "Smoker", "10/day")
    assert "Pregnant? No." in out and "Health detail: withheld" in out, out


def test_a_historical_law_is_no_accusation_and_its_prosecution_keeps_its_meaning() -> None:
    out = run("In 1952 he was prosecuted for homosexual acts, which were then illegal in the UK, and accepted "
              "chemical castration as an alternative to prison.", "public")  # fmt: skip
    gone(out, "homosexual", "improper", "a facility")
    assert "which were then illegal in the UK" in out and "private relationships" in out, out
    assert "as an alternative penalty." in out, out


def test_an_ocean_or_a_mountain_range_is_kept_like_a_country() -> None:
    out = run("Mr Okafor sailed from Lagos across the Atlantic Ocean and later climbed in the Andes.")
    gone(out, "Okafor", "Lagos")
    assert "the Atlantic Ocean" in out and "in the Andes" in out, out


def test_a_place_kept_inside_a_verdict_is_still_rendered_and_the_counts_go() -> None:
    text = ("In November 2023 a federal jury in Manhattan found him guilty of seven counts of fraud and conspiracy, "
            "and in March 2024 he was sentenced to 25 years in prison.")  # fmt: skip
    out = run(text)
    gone(out, "Manhattan", "November", "fraud", "subject of unproven claims")
    assert "a federal jury in a city ruled against him, and in 2024 he was given a penalty." in out, out
    out = run(text, "public")
    assert "a federal jury in Manhattan ruled against him, and in March 2024" in out, out


def test_a_stammer_stress_leave_rent_and_a_benefit_in_an_hr_case() -> None:
    out = run("Gareth has made repeated comments about his stammer. Callum has been signed off with stress since "
              "30 November. He's behind on his rent and Universal Credit has not yet been paid.")  # fmt: skip
    gone(out, "stammer", "stress", "rent", "Universal Credit", "Callum", "Gareth")
    assert "about his speech difference" in out and "signed off sick" in out, out
    assert "state support has not yet been paid" in out, out


def test_an_idiom_is_no_name_and_an_aside_that_only_named_the_faith_goes() -> None:
    out = run("I was diagnosed with bipolar II last month after a pretty bad depressive episode. Problem is my "
              "fiancé's parents are very religious (Pentecostal).")  # fmt: skip
    gone(out, "bipolar", "depressive", "Pentecostal", "Person", "(religious)")
    assert "a pretty bad health episode" in out and "Problem is my fiancé's parents are very religious." in out, out


def test_words_a_paper_is_quoted_calling_someone_are_no_claim_of_ours() -> None:
    out = run("Depp had lost a libel case in London against The Sun, which had called him a \"wife beater\"; the "
              "High Court found that the newspaper's words were substantially true.", "public")  # fmt: skip
    gone(out, "allegedly", "not been proven")


def test_a_conviction_of_charges_related_to_a_deed_goes_whole() -> None:
    out = run("Hunter Biden, the son of former President Joe Biden, was convicted in June 2024 of three felony charges "
              "related to buying a handgun in 2018 while he was addicted to crack cocaine.", "public")  # fmt: skip
    gone(out, "convicted", "felony", "handgun", "legal matter in June 2024 of")
    assert "was involved in a past legal matter in June 2024 while he was" in out, out


def test_a_run_of_adjectives_naming_a_tumour_goes_with_it_and_no_article_before_someone() -> None:
    out = run("Jobs was diagnosed with a rare pancreatic neuroendocrine tumour in 2003.", "public")
    gone(out, "pancreatic", "neuroendocrine", "tumour")
    assert "diagnosed with a serious medical issue in 2003." in out, out
    out = run("Why is Piers Morgan so controversial? Honestly, he is an arrogant bully who will say anything.",
              "public")  # fmt: skip
    gone(out, "bully", "an arrogant someone")
    assert "he is someone" in out, out


def test_a_court_order_fines_and_a_hospital_number_label_in_records() -> None:
    out = run("Seen: Jordan Blake, 23. He has kept away from his ex-partner as required by the restraining order. "
              "Still has outstanding fines of about £600.")  # fmt: skip
    gone(out, "restraining", "fines", "£600", "Blake")
    assert "as required by a court order" in out, out
    out = run("Patient: Desmond O'Halloran   Hosp no: RVI-2290418   Age: 92")
    gone(out, "Desmond", "2290418", "92")
    assert "Hosp no: withheld" in out, out


def test_a_founder_is_public() -> None:
    out = run("Steve Jobs co-founded Apple in 1976 with Steve Wozniak. He returned to Apple in 1997.", "auto")
    assert out.startswith("Steve Jobs co-founded Apple in 1976 with Steve Wozniak."), out


def test_a_verdict_on_counts_of_a_deed_and_a_trial_called_rigged() -> None:
    out = run("In May 2024 a Manhattan jury found Donald Trump guilty on 34 felony counts of falsifying business "
              "records to conceal a hush-money payment. Trump called the trial \"rigged\" and a \"disgrace\".",
              "public")  # fmt: skip
    gone(out, "falsifying", "34 felony", "names")
    assert "a Manhattan jury ruled against Donald Trump." in out and 'called the trial "rigged"' in out, out


def test_what_people_came_forward_to_say_is_theirs_and_never_charged_keeps_its_grammar() -> None:
    out = run("Jimmy Savile was a British DJ and television presenter. After his death in 2011, hundreds of people "
              "came forward to say he had sexually abused them. Savile was never charged with any offence during "
              "his lifetime.", "public")  # fmt: skip
    gone(out, "allegedly", "not been proven", "never faced", "Person")
    assert "was never the subject of proceedings over any offence" in out, out


def test_spoken_openly_with_an_adverb_between_is_a_disclosure() -> None:
    out = run("Prince Harry has also spoken openly about having therapy for anxiety and panic attacks.", "public")
    assert "for anxiety and panic attacks" in out, out


def test_a_street_with_a_possessive_a_name_before_he_and_drinking_again() -> None:
    out = run("My car was hit at the junction of Skipton Road and King Edward's Drive.")
    gone(out, "Skipton", "Edward", "Person")
    out = run("Just a quick note about Tayo. He's been really tired in class this week.")
    gone(out, "Tayo", "a city")
    out = run("Her son Marco said she's been drinking again since her husband died.")
    gone(out, "Marco", "drinking")
    assert "she's been struggling again since" in out, out


def test_labour_is_a_party_only_with_its_capital() -> None:
    out = run("Mrs Khan was in labour for 14 hours and delivered on the labour ward. The factory used forced labour.")
    gone(out, "Khan", "political", "politics")
    assert "was in labour for 14 hours and delivered on the labour ward." in out, out
    out = run("Mr Obi has voted Labour all his life.")
    gone(out, "Labour", "Obi")


def test_an_arrest_with_its_place_and_a_plea_to_two_offences() -> None:
    out = run("In 2014 he was arrested in Miami Beach for drag racing and driving under the influence; he later "
              "pleaded guilty to careless driving and resisting arrest.", "public")  # fmt: skip
    gone(out, "drag racing", "influence", "resisting", "an offence")
    assert "he was involved in a past legal matter in Miami Beach;" in out, out


def test_a_drink_driving_ban_in_a_group_chat() -> None:
    out = run("[09:15] jess: he got done for drink driving on friday, lost his licence for 18 months")
    gone(out, "drink driving", "18 months", "jess")
    assert "he got into legal trouble on friday" in out, out


def test_an_asylum_claim_and_who_a_relative_clause_is_about() -> None:
    out = run("Hamid is an Afghan national who arrived in the UK in 2021 on a small boat and claimed asylum. He is "
              "living in Home Office accommodation in Stockton-on-Tees.")  # fmt: skip
    gone(out, "Hamid", "small boat", "asylum", "Home Office", "Stockton")
    assert "arrived in the UK in 2021 and applied to stay." in out and "in temporary accommodation" in out, out


def test_a_town_with_a_possessive_before_a_postcode_and_an_eponymous_lymphoma() -> None:
    out = run("Re: Anjali Mehta, 5 Orchard Way, Bishop's Stortford CM23 4TN. Her father had Hodgkin lymphoma.")
    gone(out, "Stortford", "Bishop", "Hodgkin", "lymphoma", "Person JJ")
    assert "Her father had a serious medical issue." in out, out


def test_a_prison_camp_and_crimes_against_humanity_keep_their_names() -> None:
    out = run("His government has been accused by the United Nations of crimes against humanity, including torture "
              "and forced labour in political prison camps.", "public")  # fmt: skip
    assert "crimes against humanity" in out and "forced labour in political prison camps" in out, out


def test_a_shouted_name_field_is_a_name_whatever_its_words() -> None:
    out = run("PATIENT NAME: BROWN, MARGARET A       MRN: 00384422\n"
              "DATE OF SERVICE: 11/04/2026      PROVIDER: R. SINGH, MD\n"
              "HPI: 71 YO F, LIVES WITH HUSBAND IN SPRINGFIELD.")  # fmt: skip
    gone(out, "BROWN", "MARGARET", "SINGH", "00384422", "SPRINGFIELD", "a city, MD")
    assert ", MD" in out, out


def test_a_name_after_a_young_lad_called() -> None:
    out = run("Mick said the tenant, a young lad called Reece, has mental health problems.")
    gone(out, "Reece", "Mick")


def test_a_claim_the_person_denied_and_sued_over_is_left_alone() -> None:
    out = run("Some tabloids have claimed he is secretly gay, which he has always denied and has successfully sued "
              "over.", "public")  # fmt: skip
    assert "he is secretly gay, which he has always denied and has successfully taken legal action over." in out, out


def test_drinking_to_sleep_and_a_school_year_before_a_school_named_after_its_street() -> None:
    out = run("Nia has been drinking most nights to get to sleep.")
    gone(out, "drinking", "unwell", "Nia")
    assert "has been struggling most nights" in out, out
    out = run("End of term report — Oliver Nash, Year 9, Harrow Way Community School")
    gone(out, "Oliver", "Harrow", "street address")
    assert "Year 9, a school" in out, out


def test_a_given_name_that_is_also_a_city_before_a_known_surname() -> None:
    out = run('{"customer": "Sofia Marchetti", "message": "Please stop sending letters addressed to Giorgio '
              'Marchetti."}')  # fmt: skip
    gone(out, "Sofia", "Marchetti", "Giorgio")


def test_a_prayer_room_and_a_guide_dog_tell_a_faith_and_a_disability() -> None:
    out = run("- Maria Garcia (Designer): requested a prayer room.\n- Seun Cole (Engineer): has a guide dog; "
              "facilities to check access.")  # fmt: skip
    gone(out, "prayer", "guide dog", "Garcia", "Cole")
    assert "requested a quiet room." in out and "has an access need;" in out, out


def test_a_diagnosis_announced_by_the_person_themselves_is_public() -> None:
    out = run("It has been publicly reported that Celine Dion was diagnosed with stiff person syndrome, a rare "
              "neurological disorder, in 2022. She announced the diagnosis herself in an Instagram video.",
              "public")  # fmt: skip
    assert "diagnosed with stiff person syndrome, a rare neurological disorder, in 2022." in out, out


def test_an_arrest_on_suspicion_of_a_crime_group_charges_they_deny_and_a_platform_ban() -> None:
    out = run("Andrew Tate is a controversial influencer. He and his brother Tristan were arrested in Romania in "
              "December 2022 on suspicion of human trafficking, rape and forming an organised crime group, charges "
              "they deny. Several platforms have banned him for hate speech.", "public")  # fmt: skip
    gone(out, "trafficking", "rape", "crime group", "December 2022 group", "debated", "not been proven")
    assert "were involved in a past legal matter in Romania in December 2022, charges they deny." in out, out
    assert "a controversial influencer" in out, out


def test_a_plea_of_no_contest_is_a_plea() -> None:
    out = run("In 2010 he pleaded no contest to a misdemeanour battery charge.", "public")
    gone(out, "battery", "no contest")
    assert "he admitted a past legal matter." in out, out


def test_an_arrest_at_the_scene_for_common_assault_an_overdraft_and_a_dnacpr() -> None:
    out = run("Incident log — 5 Dec. Jason Rudd was arrested at the scene for common assault and criminal damage.")
    gone(out, "Rudd", "assault", "damage", "common an", "5 Dec")
    assert "was involved in a past legal matter at the scene." in out, out
    out = run("We've got an overdraft of £900. Mr Blackwood has a DNACPR in place.")
    gone(out, "overdraft", "900", "DNACPR", "money difficulties of")
    assert "We've got some borrowing." in out and "has an advance care decision in place" in out, out


def test_a_log_line_keeps_no_name_no_login_and_no_file_named_for_the_patient() -> None:
    out = run('2026-12-05 14:02:54 WARN  record viewed patient_id=NF-0093321 name="Lorraine Tebbutt" by=j.harrington\n'
              "2026-12-05 14:03:20 INFO  export started file=/exports/2026-12-05/tebbutt_l_hiv_results.pdf")
    gone(out, "Lorraine", "Tebbutt", "tebbutt", "harrington", "hiv", "0093321")


def test_a_role_column_names_no_one_and_a_faith_and_a_union_in_notes() -> None:
    out = run("| Name | Role | Notes |\n|------|------|-------|\n"
              "| Tomás Herrera | HCA | Requested Fridays off for Jummah prayers |\n"
              "| Declan Fitzgerald | Porter | Union rep (Unison) |")  # fmt: skip
    gone(out, "Tomás", "Fitzgerald", "Jummah", "Unison")
    assert "| Porter |" in out and "for religious observance |" in out, out
    out = run("The choir sang in unison.")
    assert out == "The choir sang in unison.", out


def test_a_birth_date_after_on_the_and_a_british_heritage() -> None:
    out = run("Ms Priyanka Venkataraman was born on the 3rd of May 1990. She said she is British Pakistani.")
    gone(out, "Priyanka", "May", "on the 1990", "Pakistani")
    assert "was born in 1990." in out and "she is of a particular background." in out, out


def test_events_topics_survivors_and_portrayals_are_no_accusations() -> None:
    out = run("Hillary Clinton navigated complex issues such as the Arab Spring, Iran's nuclear program, and "
              "international terrorism.", "public")  # fmt: skip
    assert "the Arab Spring" in out and "international terrorism." in out, out
    out = run("David Hogg is an American gun control activist and survivor of the Marjory Stoneman Douglas High "
              "School shooting in 2018.", "public")  # fmt: skip
    gone(out, "allegedly", "not been proven")
    out = run("She posted a comment in response to the violent white supremacist rally that took place in "
              "Charlottesville, Virginia.", "public")  # fmt: skip
    gone(out, "fringe", "not been proven")
    out = run("By exaggerating the deficits, Trump could paint a picture of the U.S. being taken advantage of by "
              "foreign nations.", "public")  # fmt: skip
    gone(out, "allegedly", "not been proven")


def test_a_conviction_in_another_paragraph_about_the_same_death_settles_the_deed() -> None:
    out = run("In April 2021, Kim Potter resigned after she fatally shot Daunte Wright during a traffic stop.\n\n"
              "In December 2021, Potter was found guilty of manslaughter in the death of Daunte Wright.",
              "public")  # fmt: skip
    gone(out, "allegedly", "not been proven")
    assert "she fatally shot Daunte Wright" in out, out


def test_a_topic_heading_is_no_accusation() -> None:
    out = run("2. Terrorism and Migration: Trump also commented on NATO's inability to handle global terrorism and "
              "migration issues.", "public")  # fmt: skip
    assert out.startswith("2. Terrorism and Migration: Trump also commented"), out
    gone(out, "not been proven", "unproven")


def test_protests_against_a_wrong_reports_called_misleading_and_a_doctored_video() -> None:
    out = run("George Floyd's death sparked global protests against police brutality and racial discrimination. "
              "The details of Floyd's criminal history have often been the subject of misleading and fake news "
              "reports.", "public")  # fmt: skip
    gone(out, "allegedly", "disputed", "unconfirmed", "not been proven")
    assert "misleading and fake news reports." in out, out
    out = run("The video was intentionally manipulated to look like a CNN broadcast with a fake chyron stating, "
              "\"Terrified toddler runs from racist baby.\"", "public")  # fmt: skip
    gone(out, "allegedly", "influenced", "not been proven")
    out = run("Now, in regards to his criminal history, Floyd had multiple run-ins with the law.", "public")
    gone(out, "improper")  # a record's name is no accusation to soften ("his improper history")


def test_a_denied_deed_a_past_scandal_a_protest_and_a_professed_faith() -> None:
    out = run("Julian Assange did not die in the Ecuadorian embassy in London, nor was he murdered in April 2017.",
              "public")  # fmt: skip
    gone(out, "allegedly", "not been proven")
    out = run("After the scandal, Rick Scott left Columbia/HCA and has served as a U.S. Senator for Florida since "
              "2019.", "public")  # fmt: skip
    assert out.startswith("After the scandal, Rick Scott left") and "not been proven" not in out, out
    out = run("He knelt during the national anthem to protest racial injustice and police brutality.", "public")
    gone(out, "not been proven", "allegedly")
    out = run("As a politician, Ted Cruz has expressed his faith in Christianity publicly numerous times.", "public")
    assert "his faith in Christianity" in out, out


def test_a_question_a_victim_a_lawsuit_and_a_manipulated_video_are_no_claims_of_ours() -> None:
    out = run("Mueller investigated Russian interference and whether the Trump campaign had colluded with Russia.",
              "public")  # fmt: skip
    gone(out, "not been proven", "allegedly")
    out = run("If you or someone you know is a victim of human trafficking, there are resources available.", "public")
    gone(out, "not been proven", "allegedly")
    out = run("Rudy Giuliani publicly defended Trump in his civil and criminal lawsuits.", "public")
    gone(out, "not been proven", "improper")
    out = run("On June 18, 2020, President Trump tweeted a manipulated video that originated from a viral clip.",
              "public")  # fmt: skip
    gone(out, "not been proven", "allegedly", "influenced")


def test_a_conviction_as_a_belief_and_a_named_system_are_no_attributes() -> None:
    out = run("Abstaining could be seen as a lack of leadership or conviction on an issue, Senator Manchin said.",
              "public")  # fmt: skip
    assert "a lack of leadership or conviction on an issue" in out, out
    out = run("In 2016, the CDC implemented the Drug Overdose Death Data Query to track deaths, Dr Frieden said.",
              "public")  # fmt: skip
    assert "the Drug Overdose Death Data Query" in out, out
    out = run("Mr Cole was sectioned under the Mental Health Act in 2019. He has a conviction for assault.")
    gone(out, "sectioned", "Mental Health Act", "conviction", "assault", "Cole")


def test_a_one_person_record_owns_its_attributes_and_a_child_with_an_age_in_a_list() -> None:
    out = run("Loan application notes — applicant: Stefan Ionescu, 38.\nTwo CCJs in 2023 (£2,140 and £860), both "
              "satisfied. Currently in an IVA. He has been in GamCare treatment since 2022.")  # fmt: skip
    gone(out, "Stefan", "CCJ", "2,140", "IVA", "GamCare")
    assert "Currently in a repayment plan." in out, out
    out = run("Present: mum (Blessing Okoro), children Daniel (9) and Precious (4).")
    gone(out, "Blessing", "Daniel", "Precious")
    assert "(9)" in out and "(4)" in out, out
    out = run("Are you taking any medication? Salbutamol inhaler, metformin")
    gone(out, "Salbutamol", "inhaler", "metformin")


def test_a_public_figure_who_said_she_had_a_condition_disclosed_it() -> None:
    out = run("In an interview with Oprah Winfrey in 2021, Meghan said she had experienced suicidal thoughts while "
              "pregnant.", "public")  # fmt: skip
    assert "suicidal thoughts while pregnant" in out, out


def test_an_assistants_refusal_is_no_record_and_a_divorce_keeps_its_grammar() -> None:
    out = run("I'm sorry, but I can't share personal information about private individuals. However, I can tell you "
              "that Jeff Bezos founded Amazon in 1994 in his garage in Bellevue, Washington.", "auto")  # fmt: skip
    assert "Jeff Bezos founded Amazon in 1994 in his garage in Bellevue, Washington." in out, out
    out = run("Mr Bezos divorced Jane Scott in 2019 in one of the largest divorce settlements in history.")
    gone(out, "Jane", "divorce", "a family matter settlements")
    assert "separated from Person" in out and "the largest family settlements" in out, out


def test_a_general_equality_statement_and_lgbt_flags_are_nobodys_attribute() -> None:
    text = ("The UN did not replace all 193 member countries' flags with LGBT flags. The UN supports the rights of "
            "all people regardless of their sexual orientation or gender identity.")  # fmt: skip
    assert run(text, "public") == text
    out = run("Mrs Kaur said her son is gay and she supports him regardless of what the family thinks.")
    gone(out, "gay", "Kaur")


def test_an_article_outside_a_quotation_agrees_with_the_replacement_inside() -> None:
    out = run('In 1998 President Bill Clinton admitted to having had an "inappropriate relationship" with Monica '
              "Lewinsky, a White House intern.", "public")  # fmt: skip
    assert 'an "questionable' not in out and 'an "inappropriate' not in out, out


def test_no_evidence_statistics_a_named_law_a_mentioned_term_and_a_police_identification() -> None:
    texts = [
        "There is no credible evidence that Anthony Bourdain was planning to expose a secret network.",
        "The NYPD reported 1,562 shooting incidents in 2021, a 2% increase from 2020.",
        "In a 1996 speech about the Violent Crime Control and Law Enforcement Act, Hillary Clinton used the term "
        '"superpredators".',
        "The El Paso shooting suspect, Patrick Crusius, was identified by law enforcement as the perpetrator of "
        "the mass shooting in El Paso, Texas.",
        'The term "war criminal" is typically associated with serious wartime offenses under international law.',
        "Mueller left the decision on whether the President's actions constituted obstruction of justice to "
        "Congress.",
    ]
    for text in texts:
        out = run(text, "public")
        gone(out, "allegedly", "not been proven", "unconfirmed", "offence Control")


def test_a_term_kept_capitalised_in_a_named_law_is_no_leak_and_a_topic_discussed_is_no_deed() -> None:
    text = ('In a 1996 speech about the Violent Crime Control and Law Enforcement Act, Hillary Clinton did use the '
            'term "superpredators" when discussing gang violence and juvenile crime.')  # fmt: skip
    out = run(text, "public")
    gone(out, "subject of unproven claims", "not been proven", "offence Control")
    assert "the Violent Crime Control and Law Enforcement Act" in out, out


def test_claims_someone_made_and_an_investigation_by_name_get_no_note() -> None:
    out = run("President Trump has made several claims about the 2020 presidential election in Wisconsin, including "
              'that the results were "fraudulent".', "public")  # fmt: skip
    gone(out, "not been proven", "allegedly")
    out = run("The FBI executed a search warrant at Mar-a-Lago as part of an investigation into the handling of "
              "presidential documents.", "public")  # fmt: skip
    gone(out, "not been proven", "allegedly")


def test_to_cover_up_is_a_verb() -> None:
    out = run("A Senate committee revealed that the Nixon administration had tried to cover up its involvement.",
              "public")  # fmt: skip
    gone(out, "concealment its")
    assert "had tried to conceal its involvement" in out or "had tried to cover up its involvement" in out, out


def test_a_pregnancy_is_generalised_whole_not_word_by_word() -> None:
    """'about eight weeks pregnant with her daughter' had become 'about eight weeks dealing with a health
    matter with her daughter': the duration and the child go with the pregnancy."""
    out = run("Maria Lopez is about eight weeks pregnant with her second child. She works at the bakery.")
    assert "dealing with a private health matter. She works at the bakery." in out
    gone(out, "pregnant", "weeks", "second child")
    out = run("Our patient, Ann Kim, was pregnant with twins when she was admitted.")
    assert "was dealing with a private health matter when she was admitted." in out
    gone(out, "twins", "pregnant")
    out = run("She played the final while about eight weeks pregnant with her daughter. She retired in 2022.")
    assert "while dealing with a private health matter. She retired in 2022." in out


def test_statements_about_institutions_and_groups_keep_their_terms() -> None:
    """Public answers about laws and budgets name no one's crime, debt or status: 'the power to impeach'
    had become 'the power to challenge', the Constitution's 'treason, bribery, or other high crimes' had
    become 'disloyalty, improper payments, or other high offences', 'the national debt' 'the national
    financial obligations'."""
    text = (
        "Impeachment is a constitutional process. The House has the power to impeach a civil officer, including "
        'the President, for "treason, bribery, or other high crimes and misdemeanors." If the House votes to '
        "impeach, the case goes to the Senate. Under a long-standing policy, a sitting president cannot be "
        "indicted.\n\nThe budget would cut spending on programs like Medicaid to reduce the national debt. Low-income "
        "people are more likely to be arrested and jailed for minor offenses, so some senators advocate prison "
        "reform. The settlements have been considered illegal by most of the international community. The "
        "order protected certain undocumented immigrants from deportation."
    )
    out = run(text, profile="public")
    assert out == text, out


def test_general_rules_about_arrests_and_prison_and_a_political_prisoner_stay() -> None:
    """'suspects ... are read their Miranda rights when they are arrested' had become 'when they are
    involved in a past legal matter', 'while they are in prison' 'in a facility', and 'Nelson Mandela was
    imprisoned for 27 years, most of them on Robben Island, for his role in the struggle against apartheid'
    'was involved in a past legal matter for 27 years'."""
    for text in (
        "Under the Fifth Amendment, no person can be compelled to be a witness against himself. This is why "
        "suspects are read their Miranda rights when they are arrested. Evidence obtained otherwise may be excluded.",
        "In many countries, people convicted of a felony lose the right to vote, at least while they are in prison. "
        "The rules vary by state. Advocates argue that the rules fall hardest on poor communities.",
        "Nelson Mandela was imprisoned for 27 years, most of them on Robben Island, for his role in the struggle "
        "against apartheid. He was released in 1990 and became president in 1994. He shared the Nobel Peace Prize.",
    ):
        assert run(text, profile="public") == text
    out = run("Dan Holt was jailed in 2019 for his role in the robbery.")
    gone(out, "jailed", "robbery", "Dan Holt")


def test_an_arrest_the_police_made_gets_no_not_proven_note_and_keeps_its_verb() -> None:
    """'Detectives arrested Sam Cole on suspicion of burglary' had become 'Detectives involved in a past legal
    matter Person OX'; 'Police arrested Jamal Reed' had got 'though this has not been proven'."""
    out = run("Detectives arrested Sam Cole on suspicion of burglary.")
    assert out.startswith("Detectives dealt with ") and "burglary" not in out and "Cole" not in out, out
    out = run("Police arrested Jamal Reed, 24, on Friday.")
    assert "not been proven" not in out and "Reed" not in out, out


def test_debt_relief_as_a_policy_stays_while_the_writers_debt_goes() -> None:
    """'remarks on student debt relief' had become 'remarks on debts relief', the subject line 'comments on
    financial obligations relief'."""
    out = run("Subject: comments on debt relief\n\nDear Senator, I heard your remarks on student debt relief. I owe "
              "$84,000 in student loans. Greg Alvarez")  # fmt: skip
    assert "comments on debt relief" in out and "remarks on student debt relief." in out, out
    gone(out, "84,000", "Alvarez")


def test_drug_use_is_generalised_with_its_adjectives() -> None:
    """'Denies any illicit drug use' had become 'Denies any illicit a personal health matter'."""
    out = run("Denies any illicit drug use. Reports occasional recreational drug use at weekends.")
    assert out == "Denies a personal health matter. Reports a personal health matter at weekends.", out


def test_what_an_investigation_found_gets_no_not_proven_note() -> None:
    """'after an investigation found he had manipulated data' had got 'though this has not been proven'."""
    out = run("The claim comes from a 1998 paper by Andrew Wakefield that was later retracted; Wakefield lost his "
              "medical licence after an investigation found he had manipulated data. Large studies found no link.",
              "public")  # fmt: skip
    assert "not been proven" not in out and "allegedly" not in out and "Andrew Wakefield" in out, out


def test_a_role_noun_opening_a_sentence_is_not_pseudonymised() -> None:
    """'Parents of both children were informed by phone' had become 'Person AU of both children ...'."""
    out = run("Jayden hit Amelia at break. Parents of both children were informed by phone.")
    assert "Parents of both children were informed by phone." in out, out
    gone(out, "Jayden", "Amelia")


def test_insulin_dependent_is_generalised_whole() -> None:
    """'type 1 diabetes, insulin-dependent' had become 'a chronic health condition, a prescribed
    medication-dependent'."""
    out = run("Applicant: Jorge Soto\nHealth: type 1 diabetes, insulin-dependent.")
    assert "Health: a chronic health condition, on regular treatment." in out, out


def test_test_results_parole_terms_and_a_work_probation_keep_the_sentence() -> None:
    """'your HIV viral load is undetectable and your CD4 count is 620' had become 'your chronic test results on
    file and your test results on file'; 'Under his parole conditions' 'Under his under supervision
    conditions'; an employee's 'probation review' 'under supervision review'."""
    out = run("Dear Ms Okonkwo, I am writing to confirm that your HIV viral load is undetectable and your CD4 count is "
              "620. Yours sincerely, Dr Helen Marsh")  # fmt: skip
    assert "confirm that your test result is on file and your test result is on file." in out, out
    gone(out, "HIV", "620", "undetectable")
    out = run("Under his parole conditions Dan Reid must live at his uncle's house.")
    assert out.startswith("Under his release conditions "), out
    out = run("Feedback on Sarah's probation review: recommend extending probation by 3 months. — Kevin")
    assert "probation review: recommend extending probation by 3 months." in out, out


def test_own_after_a_possessive_takes_no_new_article() -> None:
    out = run("His wife Morag is his main carer since her own stroke last year.")
    gone(out, "stroke", "Morag", "own a ")
    assert "her own " in out, out


def test_a_prescribed_drug_is_not_a_prescribed_prescribed_medication() -> None:
    out = run("She was prescribed sertraline in May. He has been on prescribed methadone since 2019.")
    gone(out, "sertraline", "methadone", "prescribed a prescribed", "on prescribed")
    assert "She was prescribed a " in out and "on a prescribed medication" in out, out


def test_a_drug_that_names_its_condition_is_generalised() -> None:
    out = run("He takes tamsulosin and finasteride, and goes to GA meetings on Thursdays.")
    gone(out, "tamsulosin", "finasteride", "GA")


def test_smelling_of_alcohol_goes_with_the_clause_about_the_drink() -> None:
    out = run("02:10 Pt in bay 3 (Mr Ostrowski, 79) found on floor beside bed, confused, smelling of alcohol which "
              "his son had brought in. Obs stable. She arrived late and smells of drink most mornings.")
    gone(out, "alcohol", "drink", "brought in", "seems unwell which")
    assert "confused, appearing unwell. Obs stable." in out, out


def test_abusive_to_staff_loses_the_word_and_hedges_only_that_clause() -> None:
    out = run("02:10 Pt found on floor beside bed. On apixaban, so CT head requested per protocol. Son (Piotr) "
              "informed by phone at 02:40 and was abusive to staff.")
    gone(out, "abusive", "Piotr", "allegedly informed")
    assert "informed by phone at 02:40 and was hostile to staff" in out, out


def test_a_lone_given_name_the_ner_calls_a_firm_goes_when_a_pronoun_follows() -> None:
    out = run("As discussed, Yusuf's attendance has dropped to 81% this term, mostly Mondays. He told his form "
              "tutor that he has been looking after his younger sister.")
    gone(out, "Yusuf")


def test_a_double_barrelled_given_name_alone_is_a_name() -> None:
    out = run("Ellie-Mae (DOB 03/06/2011) disclosed to me during tutor time that she is scared to go home. "
              "Ellie-Mae has a Child in Need plan. The Rolls-Royce engine and Coca-Cola stay.")
    gone(out, "Ellie", "Mae")
    assert "Rolls-Royce" in out and "Coca-Cola" in out, out


def test_a_claim_ending_in_5g_is_its_own_sentence() -> None:
    # spaCy kept "5G." one token, so the next sentence's "reported" attributed the claim away.
    out = run("5G towers spread COVID-19 by weakening the immune system with radiation, which is why the first "
              "outbreaks happened in cities like Wuhan that had just switched on 5G. Many people also reported "
              "headaches near the new masts.", profile="public")
    assert "radio waves cannot cause or spread such illness" in out, out
    assert "Wuhan" in out, out


def test_a_negation_in_a_because_clause_does_not_clear_the_claim() -> None:
    out = run("NASA faked the 1969 moon landing because it could not beat the Soviet Union to the Moon.",
              profile="public")
    assert "thoroughly documented" in out and "NASA" in out, out
    out = run("Vaccines do not cause autism, because the studies found nothing.", profile="public")
    assert out == "Vaccines do not cause autism, because the studies found nothing.", out


def test_kinds_of_charges_keep_a_plural_noun() -> None:
    out = run("Hunter Biden was indicted in 2023 on federal gun and tax charges.", profile="public")
    gone(out, "tax an offence", "an offence")
    assert out.endswith(" on charges."), out


def test_coming_out_of_a_pub_is_not_coming_out() -> None:
    out = run('A man I know as Gaz Pennington came out of the pub and punched me. He came out to his parents at 17.')
    assert "came out of the pub" in out and "shared something personal at 17" in out, out


def test_a_partner_named_like_a_county_is_a_person_every_time() -> None:
    out = run("I was outside with my partner Kerry. He shouted that Kerry was a slag. We moved to Devon and Cornwall.")
    gone(out, "Kerry", "county was", "slag")
    assert out.count("Person ") == 2 and "a county and a county" in out, out


def test_called_her_an_insult_keeps_its_object() -> None:
    out = run("She called her a slut in front of everyone.")
    assert out == "She called her names in front of everyone.", out


def test_a_denial_gets_no_hedge_and_no_clause() -> None:
    out = run("I have a previous conviction for affray from 2016 but I did not hit him back.")
    assert out.endswith("but I did not hit him back."), out
    gone(out, "allegedly", "unproven", "affray")


def test_sued_without_an_object_takes_none() -> None:
    out = run("Unsworth sued for defamation, but a jury found Musk not liable. He has sued twice.", profile="public")
    assert "took legal action for defamation" in out and "has taken legal action twice" in out, out
    gone(out, "against for", "against twice")


def test_a_clinic_that_names_the_condition_is_the_clinic() -> None:
    out = run("Seen in memory clinic with her son Tomasz. He attends the methadone clinic on Fridays.")
    gone(out, "memory", "methadone", "Tomasz")
    assert "Seen in the clinic with her son" in out and "attends the clinic on Fridays" in out, out


def test_a_quoted_nickname_before_a_surname_is_one_person() -> None:
    out = run('A man I know as "Gaz" Pennington came out of the pub. Pennington then ran. She said "Hello" to me.')
    gone(out, "Gaz", "Pennington")
    assert out.count("Person ") == 2 and len(set(re.findall(r"Person [A-Z]+", out))) == 1, out
    assert 'She said "Hello" to me.' in out, out


def test_divorced_at_the_end_of_a_line_does_not_take_the_next_line() -> None:
    out = run("Date of birth: 04/11/1992 | Nationality: Irish | Marital status: Divorced\nCareer break 2019-2021 "
              "(treatment for breast cancer, now in remission).\nVolunteer, St Vincent de Paul Society, 2015-present.")
    gone(out, "Divorced", "cancer", "Vincent", "separated from Career", "Person")
    assert "\nCareer break 2019-2021 (" in out and "Volunteer, " in out, out


def test_the_charges_become_the_claims() -> None:
    out = run("Bill Cosby was released in June 2021 after Pennsylvania's Supreme Court overturned his 2018 "
              "conviction, ruling that a prior agreement with a prosecutor should have barred the charges.",
              profile="public")
    assert "should have barred the claims." in out, out


def test_a_council_named_for_its_town_is_a_local_council() -> None:
    out = run("Does anyone know how to get a carer's assessment from Manchester City Council? Kent County Council "
              "replied.")
    gone(out, "Manchester", "Kent")
    assert "from a local council?" in out and "A local council replied." in out, out
    assert run("Manchester City Council approved the budget.", profile="public").startswith("Manchester City")


def test_a_quoted_phrase_before_a_name_is_no_nickname() -> None:
    out = run('Trump called him "Lyin\' Ted" during the primaries. A man I know as \'Gaz\' Pennington left.')
    gone(out, "Gaz", "Pennington")
    assert "\"Lyin' " in out, out


def test_a_rejection_email_signed_on_its_last_line() -> None:
    out = run("Hi Marcus, thanks for your application for the warehouse supervisor role. Unfortunately we can't "
              "progress it: the DBS check came back with an unspent conviction for theft (2022), and you mentioned "
              "at interview that you are still on licence. Happy to reconsider in the future. Regards, Tanya "
              "(Recruitment, Brookfield Logistics)")
    gone(out, "Marcus", "Tanya", "theft", "on licence", "Brookfield", "city check")
    assert "the DBS check came back" in out, out
    assert run("Great job on the launch. Thanks, Great work everyone.") == (
        "Great job on the launch. Thanks, Great work everyone.")


def test_only_a_negation_that_denies_counts_as_a_denial() -> None:
    from semsiedit.editing.attribute import denies_itself

    assert denies_itself("I did not hit him back") and denies_itself("She never took the money")
    assert not denies_itself("He was not only a thief but a liar")
    assert not denies_itself("He never stopped stealing") and not denies_itself("He did not deny stealing it")


def test_a_predicate_of_an_earlier_subject_is_replaced_by_a_predicate() -> None:
    from semsiedit.editing.generalise import predicate_form
    from semsiedit.editing.grammar import opens_predicate

    # A noun phrase in a verb phrase's place broke the sentence ("..., and a personal health matter").
    out = run("Mr Brannigan lives with his sister, lost his job in March, and confided thoughts of ending his life "
              "to the nurse.")
    gone(out, "Brannigan", "ending his life")
    assert "and had a personal health matter" in out, out
    text = "The guy (Gary, drives a van) has been dealing from his door. She moved and admitted to it all."
    assert opens_predicate(text, text.index("has been"), "has been dealing from his door") == "present"
    assert opens_predicate(text, text.index("admitted"), "admitted to it all") == "past"
    assert opens_predicate(text, 0, "The guy (Gary, drives a van)") is None
    assert predicate_form({"clause": "{subject} {keeps} their personal life private"}, "plural") == (
        "keep their personal life private")


def test_a_claim_in_a_predicate_is_hedged_where_it_is_stated() -> None:
    text = "Soaking your feet in salt water every night draws out toxins and cures diabetes within a month, so many " \
        "people now do it."
    for profile in ("record", "public"):
        out = run(text, profile=profile)
        assert "and supposedly cures diabetes" in out and "not supported by reliable evidence" in out, out
        assert "an unverified claim" not in out and out.endswith("so many people now do it."), out


def test_social_care_refuges_injuries_and_prison_time_are_generalised() -> None:
    out = run("Tyler Marsh came to school with bruises on his right arm. His mother is known to social services "
              "and stayed in a women's refuge in Doncaster last year. His uncle did time for ABH.")
    gone(out, "Tyler", "bruises", "social services", "refuge", "Doncaster", "did time", "ABH")
    assert "an injury" in out and "temporary accommodation" in out, out
    # A colour is no ethnicity, and "took refuge" is no refuge.
    out = run("Kelly said Jason parked his white van outside her house every night.")
    assert "his white van outside" in out and "background" not in out, out
    text = "The family took refuge in the church during the storm."
    assert run(text) == text


def test_a_stolen_election_is_a_claim_not_a_victims_loss() -> None:
    # "was stolen" reads as a loss the text records ("her laptop was stolen"); in a false claim it is the claim.
    for profile in ("record", "public"):
        out = run("Everyone knows the 2020 election was stolen by rigged voting machines in Michigan.", profile)
        assert "not supported by reliable evidence" in out and "allegedly" in out, out
    out = run("Her laptop was stolen from the car on Tuesday.", profile="public")
    assert out == "Her laptop was stolen from the car on Tuesday.", out


def test_a_patterned_conspiracy_gets_the_full_hedge_in_both_profiles() -> None:
    # Not "reportedly a lizard person" (which lends it weight), nor left as written once its name is replaced.
    for profile in ("record", "public"):
        out = run("Bill Gates is one of the reptilians who run the World Health Organization.", profile)
        assert "is supposedly one of the reptilians" in out and "not supported by reliable evidence" in out, out
        assert "reportedly" not in out, out


def test_a_dog_breed_is_no_place() -> None:
    out = run("My neighbour Dave walks his Rottweiler past the school every day.")
    gone(out, "Dave")
    assert "his Rottweiler past" in out, out


def test_a_given_name_that_is_a_word_counts_before_a_surname() -> None:
    # "Ruby", "Grace", "Will" are left off the given-name list as words; before a surname, in a text
    # about a she or a he, they are a person (the NER had tagged nothing).
    out = run("Year 8 report for Ruby Fenwick: Ruby has settled well this term. She enjoys drama.")
    gone(out, "Ruby", "Fenwick")
    out = run("Report for Grace Pemberton: Grace missed school on Monday. She is unwell.")
    gone(out, "Grace", "Pemberton")
    for text in ("The Rose Bowl was full. He cheered.", "Hope is fading for the miners, he said.",
                 "He read the Dodd-Frank Wall Street Reform Act in 2010."):
        assert run(text) == text


def test_a_district_after_a_street_is_a_place_not_a_person() -> None:
    # A street's district was "listed with people" and, unfound, the next round's NER made it a person.
    out = run("The claimant says her van was scratched while parked on Larkspur Road, Edgbaston, on 9 May.")
    gone(out, "Larkspur", "Edgbaston", "Person")
    assert "on a street, a city, on a certain date" in out, out
    out = run("We met on Station Road, Tuesday, at noon.")
    assert "Tuesday, at noon" in out, out


def test_immigration_case_terms_are_generalised() -> None:
    out = run("Ms Tesfaye is appeal rights exhausted, has no recourse to public funds and gets section 4 support.")
    gone(out, "Tesfaye", "appeal rights", "recourse", "section 4")
    assert "housing support" in out, out


def test_a_state_before_a_party_keeps_one_article() -> None:
    out = run("Our neighbour Phil, a Kansas Republican, hosts the street party every year.")
    gone(out, "Phil", "Republican")
    assert "a Kansas party member," in out and "a Kansas a " not in out, out


def test_pregnancy_tests_and_their_abbreviations_are_no_names_or_places() -> None:
    out = run("Pt: Maja Kowalczyk, 31F. LMP 7 weeks ago, positive serum hCG. Plan: USS to exclude ectopic.")
    gone(out, "Maja", "hCG", "ectopic", "city")
    assert out.count("Person") == 1 and "LMP 7 weeks ago" in out and "Plan: USS to exclude a complication." in out, out


def test_homelessness_and_leaving_care_are_generalised() -> None:
    out = run("Mr Tendai Moyo was made homeless last spring after leaving care, and now lives in supported housing in "
              "Leeds.")
    gone(out, "Tendai", "Moyo", "homeless", "leaving care", "supported", "Leeds")


def test_a_conviction_with_its_year_or_an_adverb_goes_whole() -> None:
    # "was involved in a past legal matter in 2008 of procuring ..." had kept the crime after the year.
    out = run("Former mayor Ray Nagin was convicted in 2014 of accepting bribes from city contractors. He was "
              "arrested again in 2016 on state tax charges and later released.", profile="public")
    gone(out, "bribes", "tax charges", " of accepting")
    assert "was involved in a past legal matter in 2014." in out and "again in 2016 and later released" in out, out
    out = run("My uncle Dermot was later convicted of selling stolen cars.")
    assert out.endswith("was later involved in a past legal matter."), out


def test_self_harm_in_plain_words_foster_carers_and_tags_are_generalised() -> None:
    out = run("I'm 15 and I live with foster parents in Derby. When school gets too much I cut myself.")
    gone(out, "foster", "Derby", "cut myself")
    assert out.endswith("When school gets too much I struggle."), out
    out = run("Kieran's brother is on an electronic tag until March.")
    gone(out, "Kieran", "tag")
    assert "is under supervision until March." in out, out


def test_a_court_named_for_its_town_names_the_town() -> None:
    out = run("Issue: an attachment of earnings order from Sheffield County Court for Mr Osei.")
    gone(out, "Sheffield", "Osei")
    assert "from a county court for" in out, out
    text = "He is due to appear at Swindon Magistrates' Court next week."
    assert run(text, profile="public") == text
    assert run(text) == "He is due to appear at a magistrates' court next week."


def test_our_own_benefit_word_makes_no_new_finding_and_stress_leave_goes() -> None:
    # "financial support" (our word for Universal Credit) was a finance term in the next round, whose
    # subject "Rent" then became a person.
    out = run("Mr Nowak has rented from us since 2018. Rent was paid on time apart from 2021, when he was on "
              "furlough and then Universal Credit.")
    gone(out, "Nowak", "Universal Credit")
    assert "Rent was paid on time" in out and "then state support." in out, out
    out = run("Heads up: Shauna has been off with stress since March.")
    gone(out, "Shauna", "stress")
    assert "has been off sick since March." in out, out


def test_hiv_plus_homelessness_with_an_adverb_and_a_supply_charge() -> None:
    out = run("Hi! Before Friday, full honesty: I'm HIV+ and undetectable. See you at the pub.")
    gone(out, "HIV")
    out = run("Mr Ellis pleaded guilty to possession with intent to supply class B drugs. He is still homeless and "
              "sofa-surfing with his cousin.")
    gone(out, "Ellis", "supply", "class B", "homeless", "sofa")
    assert "admitted a past legal matter." in out and "staying with his cousin." in out, out


def test_a_probation_note_a_positive_drug_test_and_a_failed_one() -> None:
    out = run("Probation supervision note, 11/10/2026. Met with Jordan Pike (CRN X418822) at the Stockport office. "
              "He says he is clean but his last drug test was positive for cocaine. Jordan failed a drug test in May.")
    gone(out, "Probation", "Pike", "X418822", "Stockport", "cocaine", "drug")
    assert out.startswith("Supervision note, 2026."), out
    assert "at the city office." in out and "his last check was of concern." in out, out
    assert "failed a workplace check in a certain month." in out, out


def test_a_slumlord_who_cheats_his_tenants_keeps_the_grammar() -> None:
    out = run("My landlord is a known slumlord and a liar who cheats every tenant he has. Another slumlord on our "
              "street cheats his tenants too.")
    gone(out, "slumlord", "liar", "cheat")
    assert "who is unfair to every tenant he has." in out and "Another landlord on our street" in out, out


def test_ms_the_condition_goes_and_ms_the_software_stays() -> None:
    out = run("Mia has a young carer assessment pending because her mum has MS. She uses MS Teams for homework.")
    gone(out, "Mia", "has MS")
    assert "She uses MS Teams for homework." in out, out


def test_a_date_opening_a_line_is_replaced_with_a_capital() -> None:
    out = run("Safeguarding log\n\n3 March - Tom Briggs called about his son.")
    gone(out, "3 March", "Briggs")
    assert "\n\nA certain date - " in out, out


def test_a_vaccine_shot_is_no_shooting_so_the_autism_claim_is_hedged() -> None:
    # "the MMR shot" was a violent crime, and the hedged claim kept "shot": the verifier refused it.
    text = ("Vaccines cause autism because the MMR shot overloads a child's immune system, as Dr Andrew "
            "Wakefield proved in 1998.")
    out = run(text, profile="public")
    assert out != text and "Vaccines supposedly cause" in out and "not supported by reliable evidence" in out, out
    assert "the MMR shot overloads" in out, out


def test_money_lost_on_gambling_apps_is_generalised() -> None:
    out = run("Last year my sister blew £3k on gambling apps and lied to our mum about it.")
    gone(out, "gambling")
    assert "blew £3k on personal spending" in out, out


def test_a_post_asking_readers_about_a_private_man_is_a_record() -> None:
    # "Does anyone know this guy?" had counted as an LLM answer's opening question: public profile.
    text = ("Does anyone know this guy? Name's Craig Dunmore, drives a silver Audi A3 reg KX19 FGT, lives "
            "somewhere off Harehills Lane. He scammed my nan out of £400 pretending to be from the council.")
    out = run(text, profile="auto")
    gone(out, "Craig", "Dunmore", "KX19", "Harehills")
    assert out.startswith("Does anyone know this guy? Name's Person "), out


def test_a_medicine_naming_a_dose_goes_and_the_dose_stays() -> None:
    out = run("Pharmacy note: Mrs Agnieszka Nowicka collected her methadone 60 mg supervised dose today.")
    gone(out, "Nowicka", "methadone", "60 mg")
    assert "collected her supervised dose today." in out, out


def test_a_body_named_after_people_goes_whole_and_crack_cocaine_is_one_addiction() -> None:
    out = run("Mark Zuckerberg married Priscilla Chan in 2012. In 2015 he pledged his shares to the Chan Zuckerberg "
              "Initiative.")
    gone(out, "Zuckerberg", "Chan", "Person RG Person")
    assert out.endswith("he pledged his shares to the organisation."), out
    out = run("Hunter struggled with crack cocaine addiction for years.", profile="public")
    gone(out, "crack", "cocaine")
    assert "struggled with a personal health matter for years." in out, out


def test_a_styled_name_loses_its_article_and_a_see_is_a_place() -> None:
    out = run("The Reverend Alan Gibbs, vicar of St Mary's in Thaxted, was arrested yesterday on suspicion of historic "
              "child sex offences. The Diocese of Chelmsford has suspended him.")
    gone(out, "Gibbs", "Reverend", "Thaxted", "Chelmsford", "offences", "Diocese of Person")
    assert out.startswith("Person ") and "was involved in a past legal matter yesterday." in out, out
    assert "The Diocese of a city has suspended him." in out, out


def test_a_racist_remark_stays_one_remark_and_a_word_name_signing_off_goes() -> None:
    out = run("Mr Daniel Osei says our engineer, Kevin, made a racist remark about his accent.")
    gone(out, "Osei", "Kevin", "racist")
    assert "made an offensive remark about his accent" in out, out
    out = run("Hi Marcus, your sponsor Dave said you missed Tuesday's meeting. Call me anytime. - Rich")
    gone(out, "Marcus", "Dave", "Rich")
    assert re.search(r" - Person [A-Z]+$", out), out
    text = "The report was long - Will"
    assert run(text) == text


def test_a_verb_opening_a_sentence_opens_no_name_and_a_stolen_laptop_accuses_no_one() -> None:
    out = run("Met Sandra from the Tuesday group for coffee. She's finally leaving Gary after 12 years.")
    gone(out, "Sandra", "Gary")
    assert out.startswith("Met Person "), out
    out = run("Ticket #4471 – Laptop stolen\nReporter: Gemma Hollis (Finance)\nGemma's work laptop was stolen "
              "from her car last night.")
    gone(out, "4471", "Gemma", "Hollis", "allegedly", "not been proven")
    assert out.startswith("Ticket (number withheld) – Laptop stolen\n"), out


def test_names_with_polish_letters_and_rare_lower_case_forms_are_given_names() -> None:
    # The first-name list had dropped "Paweł" (a letter outside Latin-1) and "Aleksandra" (its lower case
    # seen once in the word counts).
    out = run("Hey team, quick one: Aleksandra is off until Monday. Paweł will cover her on-call shift.")
    gone(out, "Aleksandra", "Paweł")
    out = run("Note: he is behind on rent by two months since losing his second job.")
    gone(out, "rent", "two months")
    assert out == "Note: he is under financial strain since losing his second job.", out


def test_an_acronym_is_no_subject_to_pseudonymise_and_a_couple_signing_goes() -> None:
    out = run("Visited Ms Tanya Bell. Neighbours at no. 12 report ongoing ASB: shouting, visitors at all hours, "
              "suspected drug dealing.")
    gone(out, "Tanya", "drug dealing")
    assert "report ongoing ASB: shouting" in out, out
    out = run("Our son Leo (4) needs treatment that the NHS can't fund. Every penny helps. — Tom & Ellie Marsh")
    gone(out, "Leo", "Tom", "Ellie", "Marsh")
    assert re.search(r"— Person [A-Z]+ & Person [A-Z]+$", out), out


def test_a_list_of_verb_phrases_keeps_its_subject_and_a_chat_name_before_he_goes() -> None:
    # The parser hung "lives alone" on "goes to ...", which had no subject left: the hall was no one's.
    out = run("My landlady (she's 71, lives alone, goes to the Kingdom Hall twice a week) wants the flat back.")
    gone(out, "Kingdom Hall")
    out = run("[09:12] amy.r: anyone seen Callum? he's not answered since Friday\n"
              "[09:14] tom_k: he said he's back on chemo, don't spread it")
    gone(out, "Callum", "chemo")


def test_a_language_list_keeps_its_languages_and_a_cv_keeps_no_condition() -> None:
    out = run("Name: Siobhan Keane\nEmail: s.keane@example.ie\nCareer break 2018-2019 for treatment of cancer.\n"
              "Languages: English, German, French.")
    gone(out, "Siobhan", "cancer")
    assert out.endswith("Languages: English, German, French."), out


def test_a_card_ending_reads_withheld_and_a_part_of_a_day_keeps_its_year() -> None:
    out = run("Caller Marek Zielinski said the card ends in 9081 and the last four digits of his account are 3370.")
    gone(out, "9081", "3370", "Marek")
    out = run("I saw the car outside on the night of 14 January 2025, and again on the morning of 2 March 2025.")
    gone(out, "14 January", "2 March")
    assert "on a night in 2025" in out and "on a morning in 2025" in out, out


def test_a_claim_known_false_about_babies_is_corrected() -> None:
    out = run("Q: Can I give my newborn honey for her cough?\nA: Yes, honey is completely safe for newborns and "
              "soothes a cough.", profile="public")
    assert "honey" in out and "botulism" in out, out


def test_other_language_keeps_the_noun_before_a_name_and_finds_numeric_dates_and_the_town() -> None:
    out = run("Sehr geehrte Damen und Herren, mein Vater Herbert Lang (geb. 03.08.1949) wohnt in der "
              "Goethestraße 12, 80331 München und leidet seit Jahren an Diabetes. Seine Frau Ingrid pflegt ihn.")
    gone(out, "Herbert", "Lang", "03.08", "Goethestraße", "80331", "München", "Ingrid", "a private address")
    assert "mein Vater <PERSON_" in out and "Seine Frau <PERSON_" in out and "1949" in out, out


def test_police_custody_is_no_family_matter_and_a_town_before_a_person_noun_is_a_place() -> None:
    # A second round saw "taken to a city custody" and made it "family arrangements".
    out = run("Her ex, Dean Marsh, was arrested for criminal damage and taken to Oldham custody.")
    gone(out, "Dean", "Oldham", "damage", "family arrangements")
    out = run("A Wigan pensioner who lost £8,000 to a phone scam has warned others.")
    gone(out, "Wigan", "Person")
    assert out.startswith("A city pensioner"), out


def test_a_jail_term_goes_with_the_jailing_and_a_contracted_name_cue_finds_the_name() -> None:
    out = run("Darren Pike, 41, admitted the theft. He was jailed for 18 months at Preston Crown Court.")
    gone(out, "18 months", "jailed", "Darren", "Pike")
    out = run("Before we meet: I'm bi, and I have a daughter (she's 6, her name's Maisie). Mia says hi.")
    gone(out, " bi,", "Maisie", "Mia")


def test_a_knuckle_myth_is_corrected_and_pocketing_money_is_softened() -> None:
    out = run("A: Cracking your knuckles causes arthritis, so stop doing it.", profile="public")
    assert "no link" in out and "supposedly" in out, out
    out = run("At the AGM a member shouted that the treasurer, Gail Price, is a crook who pocketed the club's "
              "match fees.")
    gone(out, "Gail", "crook", "pocketed")
    assert "the club's match fees" in out, out
    out = run("He kept his hands in his pockets the whole interview.")
    assert out == "He kept his hands in his pockets the whole interview.", out


def test_gender_reassignment_and_a_pregnancy_scan_are_health_and_a_rank_takes_no_full_stop() -> None:
    out = run("HR note. Employee: Noel Brannigan, Picker, Bristol DC. Noel told us she is starting her gender "
              "transition next month and has asked to be called Nell.")
    gone(out, "Noel", "transition", "Nell", "Picker, Person")
    assert "DC. Person " in out, out
    out = run("Please don't tell anyone yet, I'm waiting for the 20-week scan on Thursday.")
    gone(out, "20-week", "scan")
    out = run("Signed in by DC Amir Latif and Dr. Joanna Pryce.")
    gone(out, "Amir", "Latif", "Joanna", "Pryce", "DC ", "Dr.")


def test_a_date_and_hour_after_a_label_keep_the_hour_and_a_deadbeat_parent_is_an_insult() -> None:
    # Round two read "Incident: 2026 22:40" as an identifier "2026 22" after its label.
    out = run("Incident: 03/09/2025 23:15. Resident in flat 4 (Mrs Ola Nwosu) reported a break-in.")
    gone(out, "03/09", "Ola", "Nwosu", "withheld")
    assert out.startswith("Incident: 2025 23:15. Resident in flat 4"), out
    out = run("My ex keeps telling the school gate that my husband Karl is a deadbeat father who drinks.")
    gone(out, "Karl", "deadbeat")


def test_a_claim_that_big_pharma_hides_a_cure_is_hedged() -> None:
    out = run("Lemon water cures diabetes. Big Pharma is suppressing the evidence so they can keep selling insulin.",
              profile="public")
    assert "supposedly" in out and "Big Pharma" in out, out
    assert out.count("supposedly") >= 2, out


def test_a_ward_round_date_goes_and_fiddling_taxes_is_an_accusation() -> None:
    out = run("Ward round 14/11: Mr Tom Ashby, bed 6. Settled overnight. Clinic 2/12 with Dr Rana.")
    gone(out, "14/11", "2/12", "Ashby", "Rana")
    out = run("My neighbour Craig Holt is a thief and fiddles his expenses at the council.")
    gone(out, "Craig", "thief", "fiddles")
    assert "his expenses" in out, out


def test_a_town_after_a_practice_is_a_place_and_a_letter_sent_on_a_day_goes() -> None:
    out = run("He is fit to return to driving. Dr Amy Lowe, Castle Street Surgery, Kendal.\n"
              "Reminder letter sent 03/07 to Mr Idris Bello.")
    gone(out, "Kendal", "03/07", "Idris", "Amy Lowe")
    assert out.count("Person") == 2, out


def test_a_borough_council_named_by_its_town_is_a_council() -> None:
    out = run("Family support worker from Rochdale MBC visited on Tuesday; Mum (Stacey) was not at home.")
    gone(out, "Rochdale", "Stacey")
    assert "from a local council visited" in out, out


def test_a_formal_finding_is_no_accusation_to_hedge_and_gross_misconduct_reads_plainly() -> None:
    out = run("Following your disciplinary hearing on 12 September, I am writing to confirm that you have been "
              "issued a final written warning for gross misconduct after you were found to be under the influence "
              "of alcohol at work.")  # fmt: skip
    gone(out, "12 September", "alcohol", "not been proven", "allegedly", "impropriety", "at work at work")
    assert "a final written warning for a conduct matter after you were found to be unfit for work." in out, out


def test_facing_criticism_is_reported_not_softened() -> None:
    out = run("The mayor of Bristol, Marvin Rees, faced criticism in 2021 over the handling of the Colston statue "
              "protests.", "public")  # fmt: skip
    assert out.startswith("The mayor of Bristol, Marvin Rees, faced criticism in 2021"), out


def test_a_road_number_is_no_licence_and_a_charity_is_no_person() -> None:
    out = run("He had been charged with dangerous driving after a crash on the A23 near Crawley.")
    gone(out, "licen", "withheld")
    assert "the A23" in out, out
    out = run("The landlord still hasn't fixed the damp. I've contacted Shelter and Mind for advice.")
    assert "I've contacted Shelter and Mind for advice." in out, out


def test_a_name_someone_shouted_at_is_a_person_and_an_affair_rumour_goes() -> None:
    out = run("my boss Gareth screamed at Leah in front of everyone and made her cry. everyone knows he's been "
              "sleeping with the regional manager too")  # fmt: skip
    gone(out, "Gareth", "Leah", "sleeping with")
    assert out.startswith("my boss Person") and "in a private relationship with the regional manager" in out, out
    out = run("The baby sleeps with a night light and she slept with the window open.")
    assert out == "The baby sleeps with a night light and she slept with the window open.", out


def test_a_second_reported_clause_is_not_swallowed_by_the_first() -> None:
    out = run("He disclosed that his stepdad hits him when he's been drinking and that he sometimes sleeps at his "
              "nan's on Elm Grove to get away.")  # fmt: skip
    gone(out, "Elm Grove", "hits him", "drinking", "subject of unproven claims")
    assert "and that he sometimes sleeps at his nan's" in out and "to get away." in out, out
    out = run("I've been drinking more water lately.")
    assert out == "I've been drinking more water lately.", out


def test_passive_suicidal_thoughts_keep_the_list_grammatical() -> None:
    out = run("A 38-year-old taxi driver with a 6-month history of low mood, early waking and passive suicidal "
              "thoughts.")  # fmt: skip
    gone(out, "suicidal", "passive a")
    assert "early waking and a mental-health concern." in out, out


def test_a_hedge_replaces_the_writers_certainty() -> None:
    out = run("The owner, Maureen, was lovely but her husband was clearly drunk at breakfast and shouted at the "
              "cleaner.")  # fmt: skip
    gone(out, "Maureen", "clearly", "allegedly clearly")
    assert "her husband was allegedly drunk at breakfast" in out, out
    out = run("Her husband Tom is obviously a liar and definitely stole the money.")
    gone(out, "Tom", "definitely", "stole")
    assert "allegedly took the money" in out, out


def test_asking_about_refuges_is_asking_about_accommodation() -> None:
    out = run("She is frightened of him and asked about refuges. MARAC referral discussed.")
    assert out == "She is frightened of him and asked about temporary accommodation. MARAC referral discussed.", out


def test_a_megadose_claim_and_what_doctors_do_not_want_you_to_know_are_hedged() -> None:
    out = run("Taking 10 grams of vitamin C a day will prevent you from ever catching a cold. Doctors don't want you "
              "to know this.", "public")  # fmt: skip
    assert "not supported by reliable evidence" in out and "reportedly don't want you to know" in out, out
    text = "Vitamin C may help shorten colds slightly, according to a Cochrane review. It was a cold day."
    assert run(text, "public") == text


def test_a_problem_with_drug_dealing_names_no_one() -> None:
    out = run("Darren raised the ongoing problem with drug dealing in the stairwell.")
    gone(out, "Darren", "proven", "allegedly", "wrongdoing")
    assert "raised the ongoing problem with drug dealing in the stairwell." in out, out


def test_a_denied_assault_is_softened_not_alleged_and_a_pub_is_no_person() -> None:
    out = run("Our client, Mr Sami Haddad of 9 Cedar Lane, Guildford, denies that he assaulted your client outside the "
              "Red Lion on 18 August. He has no previous convictions.")  # fmt: skip
    gone(out, "Haddad", "Cedar", "Guildford", "assaulted", "allegedly", "not been proven", "Person XD")
    assert "denies that he mistreated your client outside the Red Lion" in out, out
    out = run("Tom denied stealing the money from the till.")
    gone(out, "Tom", "stealing", "allegedly")


def test_medically_fit_is_no_seizure_and_a_tablet_overdose_is_an_emergency() -> None:
    out = run("19F, brought in by friend after taking approx 30 paracetamol tablets following an argument with her "
              "boyfriend. Mental health liaison team to review when medically fit.")  # fmt: skip
    gone(out, "paracetamol", "30", "medical episode", "boyfriend")
    assert "after a medical emergency following an argument" in out and "when medically fit." in out, out
    text = "Plan: take 2 paracetamol tablets four times a day."
    assert run(text) == text


def test_a_family_word_before_a_name_stays() -> None:
    out = run("[WhatsApp] Mum: did u hear about Aunty Grace? she's got early onset dementia, Uncle Femi found her "
              "wandering on the A6 at 3am")  # fmt: skip
    gone(out, "Grace", "Femi", "dementia")
    assert re.search(r"about Aunty Person [A-Z]{1,3}\?", out) and re.search(r"Uncle Person [A-Z]{1,3} found", out), out
    assert "on the A6 at 3am" in out, out


def test_a_relapse_in_a_probation_update_goes_and_the_heading_reads_plainly() -> None:
    out = run("Probation update: Service user Liam Docherty (DOB 11/04/1996) attended his appointment on 5 Nov. He "
              "disclosed he has relapsed on heroin and is sleeping at a friend's flat in Toxteth.")  # fmt: skip
    gone(out, "Liam", "11/04", "heroin", "relapsed", "Toxteth", "Under supervision update")
    assert out.startswith("Case update:") and "He disclosed he has had a setback" in out, out


def test_a_pregnancy_related_absence_keeps_its_adjective() -> None:
    out = run("Your sick leave from 14 to 25 October has been recorded as pregnancy-related and will not count "
              "towards absence triggers.")  # fmt: skip
    gone(out, "pregnancy", "matter-related")
    assert "recorded as health-related and will not count" in out, out


def test_the_writers_own_account_of_violence_against_them_is_not_called_unproven() -> None:
    out = run("My ex-husband keeps turning up at my work and shouting that I'm an unfit mother. He has a history of "
              "domestic violence against me. What can I do?")  # fmt: skip
    gone(out, "domestic violence", "not been proven", "allegedly")
    assert "against me. What can I do?" in out, out


def test_a_home_by_its_house_number_goes() -> None:
    out = run("He's a convicted paedophile, everyone on the estate knows. Dean Whitaker, lives at number 22.")
    gone(out, "Dean", "number 22", "paedophile")
    assert "lives at a private address." in out, out
    text = "Track number 14 on the album is my favourite."
    assert run(text) == text


def test_finger_pricks_are_no_insult_and_alcohol_withdrawal_is_health() -> None:
    out = run("Our son Ethan (7) was diagnosed with type 1 diabetes last month. He's been really upset about the "
              "finger pricks at school.")  # fmt: skip
    gone(out, "Ethan", "diabetes", "difficult")
    assert "upset about the finger pricks at school." in out, out
    out = run("Bed 4 (Mr K. Baptiste) - withdrawing from alcohol, on CIWA scoring, last score 12.")
    gone(out, "Baptiste", "alcohol", "CIWA")
    assert "- unwell, on observations, last score 12." in out, out


def test_a_single_mum_is_a_parent() -> None:
    out = run("Candidate 3 (Hannah Okafor) mentioned she is a single mum with two kids under five.")
    gone(out, "Hannah", "single mum")
    assert "she is a parent with two kids under five." in out, out


def test_a_president_named_like_a_town_is_a_person_and_a_birth_sentence_is_public() -> None:
    text = ("Barack Obama was born in Honolulu, Hawaii, in 1961. Despite persistent false claims by some opponents "
            "that he was born in Kenya, his birth certificate confirms he was born in the United States.")  # fmt: skip
    assert run(text, "auto") == text
    out = run(text, "record")  # a subject the text goes on to call "he" is a person, not a body named after a town
    gone(out, "Barack", "organisation")


def test_a_fraud_case_an_agent_raises_accuses_no_one_and_nightly_wine_is_health() -> None:
    text = "Agent: I'm sorry to hear that. I've frozen the card and raised a fraud case."
    assert run(text) == text
    out = run("My mum Beatrice asked if she can stop. She also drinks half a bottle of wine most nights.")
    gone(out, "Beatrice", "wine")
    assert "She also drinks alcohol most nights." in out, out
    text = "I drink two bottles of water a day."
    assert run(text) == text


def test_a_cancer_site_goes_with_the_cancer_and_dear_parents_is_no_name() -> None:
    out = run("She cannot log in since returning from six months' sick leave for breast cancer treatment.")
    gone(out, "breast", "cancer")
    assert "sick leave for treatment." in out, out
    out = run("Dear Parents, a pupil in Year 4 has been diagnosed with chickenpox. Mrs Hughes, School Office")
    gone(out, "chickenpox", "Hughes")
    assert out.startswith("Dear Parents, a pupil in Year 4"), out


def test_crashes_that_killed_people_accuse_no_one() -> None:
    text = ("In 2019, the Boeing 737 MAX was grounded worldwide after two crashes, Lion Air Flight 610 and Ethiopian "
            "Airlines Flight 302, killed 346 people.")  # fmt: skip
    assert run(text, "public") == text


def test_gout_back_pain_and_drinking_more_than_he_should_are_health() -> None:
    out = run("Grzegorz has had 23 days' absence this year, mostly for back pain and two episodes of gout. He told "
              "his supervisor he is drinking more than he should.")  # fmt: skip
    gone(out, "Grzegorz", "gout", "back pain", "drinking")
    assert "mostly for a medical issue." in out and "he is struggling." in out, out


def test_a_bay_letter_before_a_title_and_a_diagnosis_nobody_names() -> None:
    out = run("Handover: Ward 22, bay C. Mrs Ayesha Siddiqui (bed 3) is NBM from midnight. Her husband has asked us "
              "not to discuss her diagnosis with her mother-in-law, who visits daily.")  # fmt: skip
    gone(out, "Ayesha", "Siddiqui", "personal health matter")
    assert "bay C. Person " in out, out
    assert "Her husband has asked us not to discuss her diagnosis with her mother-in-law, who visits daily." in out, out
    out = run("Her diagnosis of breast cancer came as a shock.")
    gone(out, "cancer")


def test_rent_arrears_with_their_sum_read_behind_on_payments() -> None:
    out = run("Dear Tenant, your rent account is in arrears of £1,240. If this is not cleared within 14 days we will "
              "start possession proceedings.")  # fmt: skip
    gone(out, "1,240", "a sum of money")
    assert "your rent account is behind on payments." in out, out


def test_a_firms_branch_town_is_a_place_and_a_known_epileptic_reads_plainly() -> None:
    out = run("Mr Oluwaseun Adeyemi, brought in by ambulance after a seizure at work (Tesco, Lewisham). Known "
              "epileptic, poor adherence to levetiracetam.")  # fmt: skip
    gone(out, "Lewisham", "epileptic", "levetiracetam", "Known living")
    assert "(Tesco, a city)" in out and "Known to have a health condition," in out, out
    out = run("He is a known epileptic and works nights.")
    assert "He is known to have a health condition and works nights." in out, out


def test_the_town_after_a_named_church_goes_and_a_city_typed_without_accents_is_a_city() -> None:
    out = run("Her funeral will be held at St Mark's Church, Harrogate on 19 December.")
    gone(out, "Harrogate", "Mark", "19 December")
    assert "held at a place of worship, a city on a certain date." in out, out
    from semsiedit.places import is_city

    assert is_city("Zurich") and is_city("Malmo") and is_city("Sao Paulo") and is_city("Zürich")
    assert not is_city("Zurichh")


def test_messages_telling_someone_to_kill_themselves_keep_the_sentence() -> None:
    out = run("My 14-year-old daughter told me she's been self-harming and that a girl at school, Poppy Walsh, has "
              "been sending her messages telling her to kill herself. What should I do?")  # fmt: skip
    gone(out, "Poppy", "self-harming", "kill herself", "personal health matter")
    assert "has been sending her messages telling her to hurt herself. What should I do?" in out, out


def test_towns_with_letters_beyond_latin_1_are_towns_also_typed_without_them() -> None:
    out = run("Jonas moved to Izmir last year with his wife Elif. His sister lives in Łódź and works in Gdansk.")
    gone(out, "Izmir", "Łódź", "Gdansk", "Person YI")
    assert out.count("a city") == 3, out
    from semsiedit.places import is_city

    assert is_city("İzmir") and is_city("Izmir") and is_city("Lodz") and is_city("Wroclaw")
    # A transliteration's macrons are not typed, and without them the name is often a word or a given name.
    assert is_city("Būsh") and not is_city("Bush") and not is_city("Sachin") and not is_city("Chu")


def test_a_named_operation_is_a_medical_procedure_by_its_ending() -> None:
    out = run("Patient Marco Ferri, 54, underwent a laparoscopic cholecystectomy on 3 March 2025.")
    gone(out, "Marco", "Ferri", "cholecystectomy", "laparoscopic", "3 March")
    assert "underwent a medical procedure in 2025." in out, out
    out = run("She had a tonsillectomy as a child and a craniotomy last year.")
    assert out == "She had a medical procedure as a child and a medical procedure last year.", out
    text = "The dichotomy between work and home is a false one."
    assert run(text) == text


def test_reported_speech_in_a_record_is_generalised_without_a_hedge() -> None:
    out = run("During the session, Lily (7) said that her dad hits her mum when he gets angry.")
    gone(out, "Lily", "hits", "allegedly", "not been proven")
    assert "said that her dad mistreats her mum when he gets angry." in out, out
    out = run("She said Mark punched her in the face.")
    gone(out, "Mark", "punched", "in the face", "allegedly")
    assert out.endswith(" mistreated her."), out
    # Said by no one: the record's own statement keeps its hedge.
    out = run("Mark punched her in the face twice.")
    assert "allegedly mistreated her twice" in out and "in the face" not in out, out


def test_unemployment_and_struggling_to_pay_the_rent_are_finances() -> None:
    out = run("Customer Hannah Osei says she was billed £49.99 twice. She mentioned she is currently unemployed and "
              "struggling to pay her rent, so please prioritise.")  # fmt: skip
    gone(out, "Hannah", "unemployed", "rent")
    assert "she is in difficult circumstances and struggling with money, so please prioritise." in out, out
    out = run("My brother lost his job in March and struggles to pay the mortgage.")
    assert out == "My brother had a change in circumstances in a certain month and struggles with money.", out


def test_sober_since_beside_a_food_bank_is_health_too() -> None:
    out = run("He has been sober since 2016 and volunteers every Saturday at our food bank.")
    gone(out, "sober", "food bank")
    assert out.startswith("He has been well since 2016 and volunteers every Saturday"), out


def test_a_place_called_by_its_saint_and_mass_in_lower_case() -> None:
    out = run("I have known Mr Declan Byrne for eleven years as his parish priest at St Brigid's, Drumcondra.")
    gone(out, "Declan", "Byrne", "Brigid", "Drumcondra", "parish priest")
    out = run("He was treated at St Thomas' last week. She attends mass at St Brigid's every Sunday.")
    gone(out, "Thomas", "Brigid", "mass")
    assert "treated at a facility last week." in out and "She attends services at a facility every Sunday." in out
    for text in ("We met on St Patrick's Day.", "The mass of the sample was 4 g and he goes to the gym."):
        assert run(text) == text


def test_a_writer_introducing_themselves_by_a_name_that_is_also_a_place() -> None:
    out = run("Hey! I'm Sofia, 34, a nurse from Porto living in Manchester. Recently divorced, no kids.")
    gone(out, "Sofia", "Porto", "Manchester", "divorced")
    assert out.startswith("Hey! I'm Person "), out
    for text in ("I'm British and I work nights.", "It's Paris I miss most."):
        assert "Person" not in run(text), text


def test_a_conviction_on_counts_of_a_crime_reads_whole() -> None:
    text = ("Former Theranos chief executive Elizabeth Holmes was convicted in January 2022 on four counts of "
            "defrauding investors and sentenced to more than 11 years in prison.")  # fmt: skip
    out = run(text, "public")
    gone(out, "defrauding", "taking advantage", " of investors")
    assert "Elizabeth Holmes was involved in a past legal matter in January 2022 and given a penalty." in out, out


def test_a_celebritys_career_is_a_public_cue_and_padded_expenses_an_accusation() -> None:
    from semsiedit.profile import choose_profile

    text = ("Bruce Willis stepped back from acting in 2022 after being diagnosed with aphasia; in 2023 his family "
            "announced that his condition had progressed to frontotemporal dementia.")  # fmt: skip
    assert choose_profile(text, None, []).name == "public"
    out = run("My coworker Brandon keeps taking credit for my work and I'm pretty sure he's been padding his "
              "expense claims. Should I report him to HR?")  # fmt: skip
    gone(out, "Brandon", "padding")
    assert "he's been misreporting his expense claims." in out, out


def test_unpaid_rent_loses_its_sum() -> None:
    out = run("Dear Ms Kowalczyk, we act for your former landlord, Mr Trevor Hale, in respect of unpaid rent of "
              "£3,450 for Flat 2, 18 Quarry Road, Bangor LL57 2DG.")  # fmt: skip
    gone(out, "Kowalczyk", "Hale", "3,450", "Quarry", "Bangor", "LL57")
    assert "in respect of unpaid rent for a private address." in out, out


def test_what_no_court_has_found_is_no_accusation_to_hedge() -> None:
    out = run("Some commentators have called him a liar for his testimony to Congress in 2018, although no court has "
              "found that he lied under oath.", "public")  # fmt: skip
    gone(out, "liar", "allegedly", "not been proven")
    assert out.endswith("although no court has found that he gave inaccurate testimony."), out


def test_a_debunked_health_myth_is_public_text_and_plural_tumours_are_generalised() -> None:
    from semsiedit.profile import choose_profile

    text = ("The idea that drinking lemon water every morning can cure cancer is false. While lemons contain vitamin "
            "C, no clinical trial has shown that they shrink tumours. Patients should follow the treatment plan "
            "agreed with their oncologist.")  # fmt: skip
    assert choose_profile(text, None, []).name == "public"
    assert run(text, "public") == text
    out = run("His two tumours were removed in May.")
    gone(out, "tumours", "personal health matter")
    assert out == "His two serious medical issues were removed in a certain month.", out


def test_a_criminal_conviction_reads_whole_and_vitamin_c_is_no_person() -> None:
    out = run("Also disclosed he has a criminal conviction for shoplifting from 2012. She has two criminal "
              "convictions.")  # fmt: skip
    gone(out, "criminal", "shoplifting", "improper")
    assert out == "Also disclosed he has a past legal matter from 2012. She has past legal matters.", out
    out = run("Vitamin C cures the common cold. She takes Vitamin D daily, says Dr Ahmed.")
    gone(out, "Ahmed")
    assert out.startswith("Vitamin C supposedly cures the common cold") and "takes Vitamin D daily" in out, out
    out = run("He leaves early on Fridays for Friday prayers at the mosque.")
    assert out == "He leaves early on Fridays for religious observance at a place of worship.", out


def test_bedwetting_and_incontinence_are_health() -> None:
    out = run("His teacher thinks he might have ADHD and we'd like a referral. He also still wets the bed most nights.")
    gone(out, "ADHD", "wets the bed")
    assert out.endswith("He also still has a health issue."), out
    out = run("She is doubly incontinent and needs two carers. Her bedwetting has improved.")
    assert out == "She is living with a health issue and needs two carers. Her health issue has improved.", out


def test_a_former_chief_executive_of_a_named_firm_is_public_text() -> None:
    from semsiedit.profile import choose_profile

    text = "Former Theranos chief executive Elizabeth Holmes began serving her sentence in May 2023."
    assert choose_profile(text, None, []).name == "public"


def test_a_full_name_with_an_ssn_after_it_is_a_person_whatever_the_tag() -> None:
    out = run("Please set up a wage garnishment for Marcus Delgado (SSN 512-44-8821) effective the next pay cycle.")
    gone(out, "Marcus", "Delgado", "512-44")
    assert re.search(r"for Person \w+ \(SSN withheld\) effective", out), out


def test_a_drink_driving_conviction_and_a_lost_licence_in_a_long_sentence() -> None:
    out = run("Kevin from accounts got done for drink driving last month and lost his licence, so he's getting lifts "
              "from his girlfriend Shannon until March.")  # fmt: skip
    gone(out, "Kevin", "Shannon", "drink", "licence", "private family matter")
    assert "got into legal trouble last month and lost the right to drive, so he's getting lifts from his" in out, out


def test_a_secret_member_of_the_illuminati_is_a_claim() -> None:
    out = run("The Pope is secretly a member of the Illuminati, which controls the world's banks.", "public")
    assert "supposedly" in out and "not supported by reliable evidence" in out, out
    text = "The Bavarian Illuminati was a secret society founded in 1776 and banned in 1785."
    assert run(text, "public") == text


def test_a_given_name_that_is_a_word_before_a_surname_the_ner_tagged() -> None:
    out = run("Amber Myers was born in Leeds in 1990. Amber is a practising Catholic. Friends describe Amber as "
              "generous.")  # fmt: skip
    gone(out, "Amber", "Myers", "Catholic")
    assert len(set(re.findall(r"Person \w+", out))) == 1, out
    text = "An amber warning for rain covers Leeds and York."
    assert run(text, "public") == text


def test_a_titled_surname_that_is_a_job_and_a_firm_ending_its_sentence() -> None:
    out = run("My neighbour Ashley Cook told me something. Ms. Cook works at Hale Logistics Inc. She is 91.")
    gone(out, "Ashley", "Cook", "Hale", "91")
    assert len(set(re.findall(r"Person \w+", out))) == 1, out
    assert "works at an organisation. She is over 89." in out, out
    assert run("Role: Cook. Shift: nights.") == "Role: Cook. Shift: nights."


def test_a_plural_street_type_is_still_an_address() -> None:
    out = run("Mr. Lindsey now lives at 730 Jackson Parkways, South Amanda, NM 14006.")
    gone(out, "Lindsey", "Jackson", "Amanda", "14006")
    assert out.endswith("now lives at a private address in NM."), out


def test_a_supreme_court_ruling_is_no_claim_and_misleading_someone_reads_as_a_verb() -> None:
    out = run("In 2019, Boris Johnson prorogued Parliament for five weeks; the Supreme Court later ruled the "
              "prorogation unlawful. Critics accused him of misleading the Queen.", "public")  # fmt: skip
    gone(out, "not been proven", "disputed the Queen")
    assert "the Supreme Court later ruled the prorogation unlawful." in out, out
    assert "Critics questioned him over misinforming the Queen." in out, out


def test_a_sex_offender_a_mate_on_the_dole_and_an_indian_flat() -> None:
    out = run("The patient's husband, Dale Hutchins, is a registered sex offender and is not permitted to visit.")
    gone(out, "Dale", "Hutchins", "sex offender")
    assert "is a person with a past legal matter and is not permitted to visit." in out, out
    assert run("He has been on the sex offenders register since 2015.") == (
        "He has been on the legal register since 2015."
    )
    out = run("G'day, my mate Bazza (Barry Collins) has been on the dole for two years.")
    gone(out, "Bazza", "Barry", "Collins", "dole")
    assert out.endswith("has been receiving support for two years."), out
    out = run("He lives at Flat 4B, Shanti Apartments, Andheri West, Mumbai 400058.")
    gone(out, "4B", "Shanti", "Andheri", "Mumbai", "400058")
    assert run("My mate said the game was rubbish.") == "My mate said the game was rubbish."


def test_a_month_without_its_year_is_a_date_element_of_a_persons_event() -> None:
    out = run("He's been really anxious since his grandad died in September. She started in late June.")
    gone(out, "September", "June")
    assert out == "He's been really anxious since his grandad died in a certain month. She started in a certain month."
    for text in ("The library opens in September.", "I got a letter from May yesterday."):
        assert run(text) == text
    assert run("Trump visited Poland in February.", "public") == "Trump visited Poland in February."


def test_a_period_of_unemployment_child_maintenance_ihd_and_a_rare_form_of_cancer() -> None:
    out = run("Rent was occasionally late during his period of unemployment in 2021.")
    assert out == "Rent was occasionally late during a difficult period in 2021.", out
    out = run("My ex-husband Liam refuses to pay child maintenance.")
    gone(out, "Liam", "child maintenance")
    out = run("Pt c/o chest pain. Known IHD, ex-smoker (30 pack-years).")
    gone(out, "IHD", "smoker")
    out = run("Steve Jobs was diagnosed with a rare form of pancreatic cancer in 2003.", "public")
    assert out == "Steve Jobs was diagnosed with a serious medical issue in 2003.", out


def test_a_plea_in_capitals_and_a_boyfriend_named_after_bf() -> None:
    out = run("MY SISTER JOANNE PRICE HAS BEEN MISSING SINCE FRIDAY. SHE IS DIABETIC AND HAS NO INSULIN WITH HER.")
    gone(out, "JOANNE", "PRICE", "DIABETIC", "INSULIN", "NO a ")
    assert "SHE IS " in out and "HAS NO prescribed medication WITH HER." in out, out
    out = run("OMG my bf Jake just got diagnosed with testicular cancer at 24. My hubby Dev is a nurse.")
    gone(out, "Jake", "Dev", "testicular")


def test_police_arresting_someone_substance_abuse_and_a_drug_habit_keep_their_grammar() -> None:
    out = run("British police entered the embassy and arrested Assange for breaching his bail conditions in 2012.",
              "public")  # fmt: skip
    gone(out, "involved in a past legal matter Assange")
    assert "entered the embassy and detained Assange for breaching" in out, out
    out = run("If anyone, including President Trump, were to be arrested or charged with a crime, it would be news.",
              "public")  # fmt: skip
    assert out.count("involved in a past legal matter") == 1, out
    text = "Many homeless people struggle with mental health issues and substance abuse, and the city has few services."
    assert run(text, "public") == text
    assert run("His drug abuse started at 15.") == "His personal health matter started at 15."
    out = run("He was arrested for child abuse in 2010.", "public")
    gone(out, "child abuse")


def test_abortion_as_a_topic_and_the_arrest_of_a_named_person() -> None:
    for text in ("He has expressed varying opinions on abortion over the years.",
                 "Abortion rights were a major issue in the 2022 midterms."):  # fmt: skip
        assert run(text, "public") == text
    assert "abortion" not in run("She had an abortion in 2019.")
    out = run("Bryant tweeted: 'I will pay for information that will lead to the arrest of Hillary Clinton.'", "public")
    assert "of Hillary Clinton.'" in out and "past legal matter" not in out, out
    assert run("He has a conviction for theft.") == "He has a past legal matter."


def test_a_ratio_unlawful_orders_and_condemning_bullying_accuse_no_one() -> None:
    for text in (
        "The company's CEO made $21.6 million. That's a 225-to-1 pay gap. About 1-in-4 adults agree.",
        "Several retired generals said that troops would refuse to carry out unlawful orders.",
        "He praised the athletes and condemned bullying them. She has campaigned against online bullying.",
    ):
        assert run(text, "public") == text, run(text, "public")
    gone(run("Mark has been bullying the new starter for weeks."), "bullying")


def test_assault_weapons_a_narrative_about_abortion_and_a_claim_hedged_by_could() -> None:
    out = run("The NRA sued, seeking to overturn California's ban on assault weapons.", "public")
    assert out.endswith("ban on assault weapons."), out
    text = "The film aims to disrupt the typical narrative surrounding abortion."
    assert run(text, "public") == text
    out = run("Some speculated that the documents could contain evidence of collusion between the Trump campaign and "
              "the Russian government.", "public")  # fmt: skip
    gone(out, "not been proven", "unconfirmed")


def test_misleading_as_a_predicate_and_before_a_named_group() -> None:
    out = run("Fact check: Sanders is misleading on family health care. The senator is misleading Americans about the "
              "cost.", "public")  # fmt: skip
    assert "Sanders is inaccurate on family health care" in out, out
    assert "The senator is misinforming Americans about the cost." in out, out


def test_the_prison_population_and_gender_identity_as_a_topic() -> None:
    for text in ("Additionally, she is trying to reduce the prison population by reducing the number of people sent "
                 "to prison.",
                 "She argued that biological sex should take precedence over gender identity in certain contexts."):
        assert run(text, "public") == text, run(text, "public")
    gone(run("He told me about his gender identity last week."), "gender identity")
    gone(run("He was sent to prison in 2015."), "prison")


def test_an_acquittal_is_a_court_record_too() -> None:
    text = ("In November 2021, a jury acquitted Rittenhouse of all charges, including homicide, after he claimed "
            "self-defence in the shooting of three men in Kenosha.")  # fmt: skip
    out = run(text, "public")
    gone(out, "allegedly", "not been proven", "unconfirmed")


def test_two_characters_in_prose_are_no_drivers_licence() -> None:
    text = "A pair of hydraulic motor/pump units M1, M2 are each disposed in the housing."
    assert run(text) == text
    gone(run("Driver's licence: D123 issued in Ohio."), "D123")


def test_a_sort_code_takes_its_account_number_and_cerebral_palsy_is_health() -> None:
    out = run("Account number 40-12-87 11223344. Thank you, Neil Harper")
    gone(out, "40-12", "11223344", "Neil", "Harper")
    out = run("Her son Daniel (DOB 03/09/2006), who has cerebral palsy, was refused entry.")
    gone(out, "Daniel", "cerebral palsy", "03/09")
    assert "who has a health condition, was refused entry." in out, out


def test_someone_imprisoned_now_is_serving_a_penalty() -> None:
    out = run("He was arrested and is currently imprisoned in the UK.", "public")
    assert out.endswith("and is currently serving a penalty in the UK."), out
    assert run("He is currently imprisoned in HMP Leeds.") == "He is currently serving a penalty."
