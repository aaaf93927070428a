"""Local SemSI recognizer: spaCy dependency parse + curated lexicons, no LLM.

A SemSI finding is a *statement* (subject + predicate) that carries harm to its subject (SPEC §1), so
every finding covers the clause that carries the sensitive term and names the clause's subject:

- privacy: an identity-attribute term (health, religion, ...) in a clause about a person;
- harmful: a reputation-harmful predicate (accused of, fraud, lied, ...) in a clause about a named
  person, organisation or group;
- misinformation (misinformation.py): a hazardous claim pattern ("vaccines cause autism", "X is a
  hoax") stated as fact, i.e. with no hedge, attribution or negation in its sentence; and, at severity 1, an unverified
  specific claim (claims.py): a plain statement about a named subject with a checkable date, number or
  amount ("Kirk Douglas died on February 5, 2020"), unless it states a person's sensitive attribute
  (then it is privacy).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, cached_property
from typing import TYPE_CHECKING

from semsiedit.detection.clauses import (
    SUBJECT_DEPS,
    antecedent,
    clause_head,
    clause_span,
    entity_text,
    fragment,
    has_cue,
    in_organisation_name,
    is_subject_entity,
    lone_acronym,
    noun_phrase,
    plausible_name,
    within_lines,
)
from semsiedit.detection.first_names import first_names
from semsiedit.detection.lexicon import Term, load_lexicon, not_senses, other_sense, term_matcher
from semsiedit.detection.misinformation import SOURCE, MisinformationRecognizer
from semsiedit.detection.names import is_job_title
from semsiedit.spacy_components import doc_text
from semsiedit.text import PERSON_STAND_IN
from semsiedit.types import Category, Finding

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

_PRIVACY_SUBJECT_ENTS = frozenset({"PERSON"})
_HARMFUL_SUBJECT_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# A term inside one of these entities is part of a name ("Christian Bale", "Catholic Church").
# Attributes whose terms are names: a congregation, a party, a union ("Jehovah's Witnesses", "Labour",
# "Data Workers Union") name the religion, the politics, the membership.
_POSSESSIVES = frozenset({"his", "her", "their", "your", "my", "our"})


def _possessor(span: Span) -> str | None:
    """The possessive pronoun on the term's own noun ("your failed drug test"), or on the noun the term
    modifies ("his ADHD medication"), if any."""
    heads = [*span, *(t.head for t in span if t.dep_ in ("compound", "amod") and t.head not in span)]
    for tok in heads:
        for child in tok.children:
            if child.dep_ == "poss" and child.lower_ in _POSSESSIVES:
                return child.text
    return None



_GROUP_LABELS = frozenset({"immigration", "ethnicity", "religion"})


def _others_as_object(span: Span) -> bool:
    """A plural group term that is the object of the clause ("allowed refugees in", "works with
    Muslims"): the people acted on, not an attribute of the clause's subject ("they are refugees")."""
    root = span.root
    if root.dep_ == "compound" and root.head.lemma_.lower() in _TOPIC_NOUNS:
        return True  # "the 2015 refugee crisis", "immigration policy": a topic, not a person's status
    group = root.head
    if root.dep_ in ("amod", "compound") and group.dep_ in ("dobj", "pobj") and group.lower_ in _PEOPLE_NOUNS:
        return True  # 'go "death con 3 on JEWISH PEOPLE"', "attacks on Muslim families": a group acted on
    if root.tag_ not in ("NNS", "NNPS"):
        return False
    # "allowed a million asylum seekers to enter": the subject of a clause the main verb governs.
    return root.dep_ in ("dobj", "pobj") or (root.dep_ == "nsubj" and root.head.dep_ in ("ccomp", "xcomp"))


# Plural nouns for people, which an attribute before them describes as a group.
_PEOPLE_NOUNS = frozenset({
    "people", "families", "communities", "immigrants", "migrants", "refugees", "workers", "voters", "citizens",
    "residents", "students", "children", "men", "women", "groups", "neighbours", "neighbors", "leaders",
    "americans", "populations", "minorities", "worshippers", "believers", "congregations", "employees",
})  # fmt: skip
_POPULATION_NOUNS = frozenset({
    "people", "adults", "patients", "participants", "subjects", "individuals", "children", "adolescents", "women",
    "men", "volunteers", "respondents", "cases", "veterans", "residents", "users", "smokers", "survivors",
})  # fmt: skip


# A population and what it has, then a list that runs up to the term (no clause break between).
_POPULATION_BEFORE = re.compile(
    r"\b(?:patients|people|adults|children|women|men|residents|individuals|those|anyone)\s+(?:who\s+(?:are|have)\s+)?"
    r"(?:recovering from|living with|suffering from|diagnosed with|affected by|at risk of|with)\s+"
    r"(?:(?:[\w'’-]+\s+){0,2}[\w'’-]+(?:,\s+(?:and\s+|or\s+)?|\s+(?:and|or)\s+))*$"
    # "People with a parent or sibling who has schizophrenia": a relative of the population.
    r"|\bpeople\s+with\s+(?:an?\s+)?[\w-]+(?:\s+or\s+(?:an?\s+)?[\w-]+)?\s+who\s+(?:has|have|had)\s+$",
    re.IGNORECASE,
)


def _a_population(span: Span) -> bool:
    """A study population, not a person: "1,248 adults with type 2 diabetes", "patients with
    epilepsy": the attribute qualifies a plural noun counted or named as a group, no one's own."""
    before = doc_text(span.doc)[max(0, span.start_char - 90) : span.start_char]
    if _POPULATION_BEFORE.search(before):
        return True  # the parse lost it in a list: "support patients recovering from heart attacks, angioplasty …"
    root = span.root
    while root.dep_ == "conj" and root.head is not root:
        root = root.head  # "… recovering from heart attacks, angioplasty and pacemaker fitting"
    head = root.head
    if root.dep_ == "pobj" and head.lower_ in ("from", "with") and head.head.dep_ in ("acl", "relcl"):
        # "support patients recovering from heart attacks", "people living with HIV": the verb qualifies them.
        head = head.head
    elif root.dep_ != "pobj" or head.lower_ not in ("with", "of", "without"):
        return False
    group = head.head
    if group.pos_ in ("VERB", "AUX") and head.lower_ == "with":
        # "studied 1,248 adults with type 2 diabetes": the parser hangs the "with" on the verb.
        group = next((c for c in group.children if c.dep_ == "dobj"), group)
    if group.tag_ not in ("NNS", "NNPS") or any(c.dep_ == "poss" for c in group.children):
        return False  # "her children with autism": hers
    if group.ent_type_ in ("DATE", "TIME"):
        return False  # "out for two weeks with long COVID": a stretch of time, no population
    return group.lower_ in _POPULATION_NOUNS or any(c.dep_ == "nummod" for c in group.children)


def _someone_in(sent: Span) -> str | None:
    """The first person the sentence names (a listed given name) or refers to (a personal pronoun)."""
    for tok in sent:
        nxt = tok.nbor() if tok.i + 1 < len(tok.doc) else None
        case = nxt is not None and nxt.lower_ in ("v", "v.", "vs", "vs.")  # "Roe v. Wade" is a court case
        if tok.text in first_names() and tok.text[:1].isupper() and not case:
            return tok.text
        if tok.lower_ in _PERSONAL_PRONOUNS:
            return tok.text
    return None


_BARE_HEALTH_NOUNS = frozenset({"diagnosis", "diagnoses", "condition", "illness", "treatment"})


def _bare_reference(span: Span) -> bool:
    """A generic health noun after "the" or a possessive, with nothing naming the condition ("unaware of the
    diagnosis", "the treatment went well"): it refers back to what the text said before, which is
    found there, and says nothing itself."""
    if len(span) != 1 or span[0].lower_ not in _BARE_HEALTH_NOUNS or span.start == 0:
        return False
    before = span.doc[span.start - 1]
    # Or a possessive ("not to discuss her diagnosis with her mother-in-law"): still no condition named.
    # "the diagnosis of lupus", "her cancer treatment" may name it; "discuss her diagnosis with her mother" does not.
    return before.lower_ in ("the", "her", "his", "their") and not any(
        c.dep_ in ("amod", "compound") or (c.dep_ == "prep" and c.lower_ != "with") for c in span[0].children
    )


_TOPIC_NOUNS = frozenset({
    "crisis", "policy", "system", "law", "camp", "route", "debate", "reform", "quota", "minister", "ministry",
    "department", "agency", "charity", "organisation", "organization", "lawyer", "advocate", "sector",
})  # fmt: skip


_PERSONAL_PRONOUNS = frozenset({"she", "he", "her", "him", "his", "i", "me", "my", "you", "your"})


def _diagnosis_of(span: Span) -> str | None:
    """The person a diagnosis stated of "it" is about ("she was in hospital, they think it's lupus"):
    the nearest personal pronoun before it in the sentence."""
    head = span.root.head
    # Or what a test shows: "his A1C is 9.1, which confirms type 1 diabetes", "the scan showed a tumour".
    stated = head.lemma_ == "be" and any(c.dep_ == "nsubj" and c.lower_ in ("it", "that") for c in head.children)
    shown = head.lemma_ in _SHOWING_VERBS and any(
        c.dep_ == "nsubj" and (c.lower_ in ("it", "that", "which", "this") or c.lemma_.lower() in _TESTS)
        for c in head.children
    )
    if not (stated or shown):
        return None
    before = [t for t in span.sent if t.i < span.start and (t.lower_ in _PERSONAL_PRONOUNS or (
        shown and t.text in first_names() and t.text[:1].isupper()))]  # fmt: skip
    return before[-1].text if before else None


def _if_you(head: Token) -> bool:
    """The clause is a condition put to the reader ("If … you are pregnant", "unless you have asthma")."""
    top = head
    while top.dep_ == "conj" and top.head is not top:
        top = top.head
    conditional = any(c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in top.children)
    return conditional and any(c.dep_ in ("nsubj", "nsubjpass") and c.lower_ == "you" for c in head.children)


_SHOWING_VERBS = frozenset({"confirm", "show", "suggest", "indicate", "reveal"})
_TESTS = frozenset({"result", "test", "scan", "biopsy", "x-ray", "mri", "ct", "bloods", "ecg", "report"})


_NAMED_ATTRIBUTES = frozenset({"religion", "politics", "union"})
_PRISON_PREFIXES = frozenset({"HMP", "HMYOI"})
_NAME_ENTS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "FAC", "LAW", "EVENT", "PRODUCT"})


_ONE_PERSON_RECORD = re.compile(
    r"(?:^|[—–-][ \t]*)(?:applicant|client|tenant|claimant|customer|employee|borrower|policyholder|service user|"
    r"pupil|student|member|candidate|(?:full |candidate |employee |applicant )?name)[ \t]*:[ \t]*(?-i:[A-Z])",
    re.IGNORECASE | re.MULTILINE,
)


@cache
def _clinical(key: str) -> re.Pattern[str]:
    """clinical.json's `context` (a text about health care) or `note` (a clinical note itself)."""
    return re.compile(load_lexicon("clinical")[key], re.IGNORECASE)


def _with_clinical_abbreviations(doc: Doc, matches: list[tuple[int, int, Term]]) -> list[tuple[int, int, Term]]:
    """`matches` and the clinical abbreviations written exactly as listed ("hx of MI", "CHF"), for a
    clinical text: elsewhere they are a state, a currency or a first name."""
    taken = {i for start, end, _ in matches for i in range(start, end)}
    extra = [
        (start, end, term)
        for start, end, term in term_matcher("clinical").find(doc)
        if doc[start:end].text == term.original and not taken & set(range(start, end))
    ]
    return sorted(matches + extra, key=lambda m: m[0]) if extra else matches


class SemsiRecognizer:
    """Finds privacy, harmful and misinformation statements in a parsed spaCy Doc."""

    def __init__(
        self,
        categories: tuple[Category, ...] = ("privacy", "harmful", "misinformation"),
        *,
        specific_claims: bool = False,
    ) -> None:
        self.categories = categories
        # Off by default: a dated fact about a named person is ordinary content in records and notes;
        # it is worth flagging in LLM answers (`eval`, `ask` turn it on).
        self.specific_claims = specific_claims
        self._claims = MisinformationRecognizer(specific_claims=specific_claims)

    def preload(self) -> None:
        """Load the lexicons and compile their patterns now (otherwise the first document does): a
        process that forks workers then does it once for all of them, and they share the pages."""
        for category in ("privacy", "harmful"):
            if category in self.categories:
                term_matcher(category)
                not_senses(category)
        if "misinformation" in self.categories:
            self._claims._misinfo  # noqa: B018 - the cached property compiles the claim patterns

    @cached_property
    def _person_nouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["person_nouns"])

    @cached_property
    def _group_nouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["group_nouns"])

    @cached_property
    def _demonstrative_nouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["demonstrative_person_nouns"])

    @cached_property
    def _pronouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["personal_pronouns"])

    def analyze(self, doc: Doc, offset: int = 0) -> list[Finding]:
        """Findings in `doc`; offsets are shifted by `offset` (the doc's position in a chunked text)."""
        findings: list[Finding] = []
        wanted = {"privacy", "misinformation"} & set(self.categories)
        privacy = self._lexicon_findings(doc, "privacy", _PRIVACY_SUBJECT_ENTS, offset) if wanted else []
        if "privacy" in self.categories:
            findings += privacy
        if "harmful" in self.categories:
            findings += self._lexicon_findings(doc, "harmful", _HARMFUL_SUBJECT_ENTS, offset)
        if "misinformation" in self.categories:
            # A statement of a person's sensitive attribute ("Maria was diagnosed with HIV in 2021") is a
            # privacy matter to generalise, not a public claim to attribute, even when it carries a date.
            private = [(f.start - offset, f.end - offset) for f in privacy if f.severity >= 2]
            findings += self._claims.analyze(doc, offset, private)
        return findings

    # -- privacy and harmful -------------------------------------------------------------------

    def _lexicon_findings(
        self, doc: Doc, category: Category, subject_ents: frozenset[str], offset: int
    ) -> list[Finding]:
        out: list[Finding] = []
        text = doc_text(doc)
        sents: list[Span] = []  # filled on first use: `span.sent` walks the whole doc on every call
        negated: dict[int, bool] = {}  # sentence start -> has a negation cue
        matches = term_matcher(category).find(doc)
        # In a clinical note every condition and medicine is the patient's ("Plan: restart donepezil").
        note = category == "privacy" and bool(_clinical("note").search(text))
        # A record about one person ("Loan application notes — applicant: Stefan Ionescu"): an attribute in a
        # sentence with no person for its subject ("two CCJs in 2023, both satisfied") is that person's.
        # Not a patient's: a clinical note has its own rule, and says general things ("Diabetes is common").
        about_one = category == "privacy" and bool(_ONE_PERSON_RECORD.search(text))
        if note or (category == "privacy" and _clinical("context").search(text)):
            matches = _with_clinical_abbreviations(doc, matches)
        for start, end, term in matches:
            span = doc[start:end]
            if start > 0 and re.fullmatch(PERSON_STAND_IN, f"{doc[start - 1].text} {span.text}"):
                continue  # our own surrogate from an earlier round ("Person ED"), not a clinical abbreviation
            # Inside a name only when the whole term is: "NA meetings" is not the name "NA".
            # Not a "person" the NER made of a drug and its dose ("Atorvastatin 40 mg").
            entity = all(t.ent_type_ in _NAME_ENTS for t in span) and not lone_acronym(span) and plausible_name(span[0])
            if entity and (
                (term.label == "health" and all(t.ent_type_ in ("LAW", "ORG", "FAC") for t in span))
                or entity_text(span[0]) == span.text
            ):
                # Detained "under the Mental Health Act", treated at "the Cancer Centre": the law or the
                # place names the condition (a charity or a street does not: not_senses). An entity that
                # is the term itself is the attribute: "started on Wegovy" (a medicine the NER took for a
                # product), "his Universal Credit claim" (a benefit it took for an organisation). A
                # person's name stays a name ("Michael Parkinson").
                entity = False
            # "Michael Parkinson": a capitalised term right after a given name is a surname.
            surname = span.start > 0 and span.text[:1].isupper() and doc[span.start - 1].text in first_names()
            # "HMP Exeter" names a prison: the name is the attribute.
            named = (entity or in_organisation_name(span) or surname) and span.text not in _PRISON_PREFIXES
            if named and term.label not in _NAMED_ATTRIBUTES:
                continue
            if other_sense(category, text, span.start_char, span.end_char):
                continue  # "charged twice" for a payment, "our health data", "the European Union"
            if span.end < len(doc) and span.text[:1].isupper() and is_job_title(doc[span.end].text):
                continue  # "Disability Adviser", "Diabetes Nurse": a job's name, nobody's attribute
            if category == "privacy" and term.label in _GROUP_LABELS and _others_as_object(span):
                continue  # "she allowed a million asylum seekers to enter": people she acted on, not her status
            if category == "privacy" and _a_population(span):
                continue  # "we studied 1,248 adults with type 2 diabetes": a study population
            acts = span.root.dep_ in ("nsubj", "nsubjpass") and span.text[:1].isupper()
            if category == "privacy" and term.label == "politics" and acts:
                continue  # "Labour won the 2024 general election": the party acts, nobody's affiliation
            if category == "privacy" and _bare_reference(span):
                continue  # "her line manager is unaware of the diagnosis": names no condition
            head = clause_head(span.root)
            if category == "privacy" and _if_you(head):
                continue  # "if you are pregnant, please speak to your GP": advice to anyone, no one's attribute
            subject = self._subject(head, subject_ents, category)
            if subject is None and category == "privacy":
                subject = _possessor(span)  # "The decision follows your failed drug test": yours
            if subject is None and category == "privacy" and term.label == "health":
                subject = _diagnosis_of(span)  # "she's been in hospital, they think it's lupus": hers
            if subject is None and category == "privacy" and term.severity >= 3:
                # "Team, FYI Marcus in logistics has been signed off after a suicide attempt": the parse
                # made "Team" the subject; the gravest attributes go with the person the sentence names.
                subject = _someone_in(self._sentence(doc, start, sents))
            if subject is None and not (
                category == "privacy"
                and term.severity >= 2
                and (note or about_one or fragment(self._sentence(doc, start, sents)))
            ):
                continue  # a general statement ("Fraud is a crime"), not about anyone
            cstart, cend = within_lines(text, *clause_span(head, span), span.start_char, span.end_char)
            if text[cstart:cend].count("(") > text[cstart:cend].count(")") and text[cend : cend + 1] == ")":
                cend += 1  # the clause ends inside its own parenthesis: "self-harming (cutting)"
            severity = term.severity
            # A verbless note ("History of COPD, managed with metformin.") is about the record's person,
            # and so is any attribute in a clinical note ("Social work consulted as patient is undocumented").
            reason = f"{term.label.replace('_', ' ')}: '{span.text}' about {subject or 'the person the note is about'}"
            if category == "harmful" and self._negated(doc, start, sents, negated):
                # A denied accusation still ties the subject to it, but it weighs less.
                severity = max(1, severity - 1)
                reason += " (negated)"
            out.append(
                Finding(
                    start=cstart + offset,
                    end=cend + offset,
                    text=text[cstart:cend],
                    category=category,
                    label=term.label,
                    severity=severity,
                    score=0.6 if severity == 1 else 0.7,
                    source=SOURCE,
                    reason=reason,
                    subject=subject,
                )
            )
        return out

    @staticmethod
    def _sentence(doc: Doc, i: int, sents: list[Span]) -> Span:
        """The sentence of token i (`sents`: the doc's sentences, listed on first use)."""
        if not sents:
            sents.extend(doc.sents)
        return sents[bisect_right([s.start for s in sents], i) - 1]

    def _negated(self, doc: Doc, i: int, sents: list[Span], cache: dict[int, bool]) -> bool:
        sent = self._sentence(doc, i, sents)
        if sent.start not in cache:
            cache[sent.start] = has_cue(sent, "negations")
        return cache[sent.start]

    def _subject(self, head: Token, allowed_ents: frozenset[str], category: Category) -> str | None:
        """Who the clause is about, when it is about a person (or, for harmful, an organisation/group)."""
        clause = head
        subj: Token | None = None
        # Coordinated and open clauses share their subject with the clause they hang from.
        for _ in range(4):
            subj = next((c for c in clause.children if c.dep_ in SUBJECT_DEPS), None)
            if subj is None:
                # A misparse hangs the subject from the auxiliary ("he has\nepilepsy") or from a verb
                # taken for a compound ("The claimant reports depression").
                aux = (c for c in clause.children if c.dep_ in ("aux", "compound"))
                subj = next((g for a in aux for g in a.children if g.dep_ in SUBJECT_DEPS), None)
            if subj is None:
                # A list of verb phrases misparsed as clauses hung on the last one ("she's 67, lives
                # alone, goes to the Kingdom Hall"): the subject is the earlier clause's.
                earlier = (c for c in clause.children if c.dep_ in ("ccomp", "conj") and c.i < clause.i)
                subj = next((g for c in earlier for g in c.children if g.dep_ in SUBJECT_DEPS), None)
            if subj is not None or clause.head is clause or clause.dep_ not in {"conj", "xcomp", "advcl", "acl"}:
                break
            clause = clause.head
        if subj is not None and subj.lower_ in ("who", "that") and clause.dep_ == "relcl":
            subj = clause.head  # "Brooks, who is openly gay, ...": the relative clause is about Brooks
            if subj.dep_ == "attr":
                # "Hamid is an Afghan national who claimed asylum": about the copula's subject.
                subj = next((c for c in subj.head.children if c.dep_ in SUBJECT_DEPS), subj)
            elif subj.dep_ == "appos":
                subj = subj.head  # "Hamid, an Afghan national who claimed asylum, ..."
        if subj is not None:
            named = self._person_like(subj, allowed_ents, category)
            if named:
                return named
            # A misparse gives a clause two subjects ("Case note: Client Mariam Haidari arrived ..."):
            # the other one may be the person.
            for other in (c for c in clause.children if c.dep_ in SUBJECT_DEPS and c is not subj):
                named = self._person_like(other, allowed_ents, category)
                if named:
                    return named
            if clause.dep_ == "advcl" and clause.head.pos_ == "NOUN" and clause.head.dep_ == "ROOT":
                # A verbless note the parser hung a clause on: "SK's return to work after cancer treatment
                # was agreed" is about SK.
                named = self._person_like(clause.head, allowed_ents, category)
                if named:
                    return named
        if category == "harmful":
            # "Opponents called her a liar", "They accused him of fraud": the insult's target is the object.
            for obj in (c for c in head.children if c.dep_ in ("dobj", "dative")):
                named = self._person_like(obj, allowed_ents, category)
                if named:
                    return named
        # "Cancer killed John", "The scandal involved Acme": the nearest named entity in the clause.
        matcher = term_matcher(category)
        for tok in head.subtree:
            if is_subject_entity(tok, allowed_ents, matcher):
                return entity_text(tok)
        return None

    def _person_like(self, subj: Token, allowed_ents: frozenset[str], category: Category) -> str | None:
        matcher = term_matcher(category)
        for tok in subj.subtree:  # "Maria's diagnosis", "Senator Smith"
            # spaCy's small model tags a capitalised lexicon word as an entity ("Fraud is a crime").
            if is_subject_entity(tok, allowed_ents, matcher):
                return entity_text(tok)
        lower = subj.lower_
        if lower in self._pronouns:
            if lower in {"i", "me", "my", "we", "our", "you", "your"}:
                return subj.text
            return antecedent(subj, allowed_ents) or subj.text
        if subj.lemma_.lower() in self._person_nouns or subj.lower_ in self._person_nouns:
            return noun_phrase(subj)
        ages = (subj.doc[c.left_edge.i : c.i + 1].text for c in subj.children if c.dep_ in ("amod", "compound"))
        pointed = any(c.lower_ in ("this", "that") or c.dep_ == "poss" for c in subj.children)
        if pointed and any(_AGED.fullmatch(age) for age in ages):
            # "this 64-year-old retired midwife, who has …": the person a letter is about ("a 34-year-old
            # woman has been charged" in a news report is nobody the text identifies).
            return noun_phrase(subj)
        # A verb the parser took for a noun: "The claimant reports ..." parsed as "claimant reports".
        role = next((c for c in subj.children if c.dep_ == "compound" and c.lower_ in self._person_nouns), None)
        if role is not None:
            return noun_phrase(role)
        if subj.lower_ in self._group_nouns and any(c.dep_ in ("det", "poss") for c in subj.children):
            return noun_phrase(subj)  # "the family are strict Pentecostals"
        if subj.lower_ in self._demonstrative_nouns and any(
            c.lower_ in ("this", "that") or c.dep_ == "poss" for c in subj.children
        ):
            return noun_phrase(subj)  # "this lady, who has been suffering from panic attacks"
        # "His wage garnishment order came through", "Her diagnosis is ...": about the possessor.
        poss = next((c for c in subj.children if c.dep_ == "poss" and c.lower_ in self._pronouns), None)
        if poss is not None:
            if poss.lower_ in {"my", "our", "your"}:
                return poss.text
            return antecedent(poss, allowed_ents) or poss.text
        # "The defendant's previous convictions", "SK's return to work after cancer treatment": a person
        # noun or a person's initials own the attribute.
        owner = next((c for c in subj.children if c.dep_ == "poss" and (
            c.lower_ in self._person_nouns or re.fullmatch(r"[A-Z]{2,3}", c.text))), None)
        if owner is not None and category == "privacy":
            return noun_phrase(owner)
        # "Maria's HIV diagnosis": a given name the NER took for a nationality owns the attribute.
        named_poss = next((c for c in subj.children if c.dep_ == "poss" and c.text in first_names()), None)
        if named_poss is not None and category == "privacy" and not matcher.is_single_term(named_poss):
            return noun_phrase(named_poss)
        # A proper-noun subject the NER missed ("Acme fired ..."), but not a capitalised common word
        # opening the sentence ("Fraud is a crime").
        if subj.pos_ == "PROPN" and category == "harmful" and not subj.is_sent_start:
            return noun_phrase(subj)
        # A name the NER missed ("Dennis is a Methodist", "Jones is a crook"), even opening the
        # sentence: a capitalised proper noun that is not itself a lexicon term or a word that is
        # never a name.
        if category in ("privacy", "harmful") and subj.pos_ == "PROPN" and subj.text[:1].isupper() and subj.is_alpha:
            from semsiedit.detection.names import not_names

            # Not a country or a place the NER named ("Portugal decriminalised …, treating drug use as …"):
            # a person has a privacy attribute, a state has a policy.
            place = category == "privacy" and subj.ent_type_ in ("GPE", "LOC", "FAC", "EVENT", "LAW")
            if not matcher.is_single_term(subj) and subj.lower_ not in not_names() and not place:
                return noun_phrase(subj)
        # A surname the parse took for a common noun ("Tiger Woods crashed … Woods admitted …"): a part
        # of a person the text names elsewhere.
        if subj.text[:1].isupper() and subj.is_alpha and subj.text in _person_words(subj.doc):
            return subj.text
        return None

# -- parse helpers (module level: reused by tests and other recognizers) -------------------------


_AGED = re.compile(r"\d{1,3}-(?:year|yr)s?-old", re.IGNORECASE)


def _person_words(doc: Doc) -> frozenset[str]:
    """The capitalised words of the people the NER named in `doc` ("Tiger", "Woods")."""
    return frozenset(w for e in doc.ents if e.label_ == "PERSON" for w in e.text.split() if w[:1].isupper())
