"""Local SemSI recognizer: spaCy dependency parse + curated lexicons, no LLM.

A SemSI finding is a *statement* (subject + predicate) that carries harm to its subject (SPEC §1), so
every finding covers the clause that carries the sensitive term and names the clause's subject:

- privacy: an identity-attribute term (health, religion, ...) in a clause about a person;
- harmful: a reputation-harmful predicate (accused of, fraud, lied, ...) in a clause about a named
  person, organisation or group;
- misinformation: a hazardous claim pattern ("vaccines cause autism", "X is a hoax") stated as fact,
  i.e. with no hedge, attribution or negation in its sentence; and, at severity 1, an unverified
  specific claim (claims.py): a plain statement about a named subject with a checkable date, number or
  amount ("Kirk Douglas died on February 5, 2020"), unless it states a person's sensitive attribute
  (then it is privacy).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache, cached_property
from typing import TYPE_CHECKING

from semsiedit.detection.claims import claim_heads, claim_subject, is_plain_statement, named_subject, specific_detail
from semsiedit.detection.lexicon import TermMatcher, cue_words, load_lexicon, other_sense, term_matcher, token_keys
from semsiedit.detection.names import org_words
from semsiedit.types import Category, Finding

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

SOURCE = "semsi-local"
# Dependency labels that start a clause of their own (with its own subject or shared one via conj).
_CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "relcl", "conj", "parataxis", "csubj", "acl"})
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
# Right-hand sub-clauses left out of a clause span: coordinated clauses are separate statements.
_SPLIT_DEPS = frozenset({"conj", "parataxis"})
_TRIM_POS = frozenset({"PUNCT", "SPACE", "CCONJ", "SCONJ"})
_PRIVACY_SUBJECT_ENTS = frozenset({"PERSON"})
_HARMFUL_SUBJECT_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# A term inside one of these entities is part of a name ("Christian Bale", "Catholic Church").
# Attributes whose terms are names: a congregation, a party, a union ("Jehovah's Witnesses", "Labour",
# "Data Workers Union") name the religion, the politics, the membership.
_NAMED_ATTRIBUTES = frozenset({"religion", "politics", "union"})
_NAME_ENTS = frozenset({"PERSON", "ORG", "WORK_OF_ART", "FAC", "LAW", "EVENT", "PRODUCT"})
_THIRD_PERSON = frozenset({"he", "him", "his", "she", "her", "hers", "they", "them", "their", "it", "its"})


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

    @cached_property
    def _person_nouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["person_nouns"])

    @cached_property
    def _pronouns(self) -> frozenset[str]:
        return frozenset(load_lexicon("cues")["personal_pronouns"])

    @cached_property
    def _misinfo(self) -> tuple[list[tuple[re.Pattern[str], str, int]], dict]:
        lex = load_lexicon("misinformation")
        patterns = [(re.compile(p["pattern"], re.IGNORECASE), p["label"], int(p["severity"])) for p in lex["patterns"]]
        causal = dict(lex["causal"])

        def alternation(words: list[str]) -> re.Pattern[str]:
            body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
            return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

        causal["subjects_re"] = alternation(causal["subjects"])
        causal["objects_re"] = alternation(causal["objects"])
        causal["verb_heads"] = {v.split()[0]: v.split()[1:] for v in causal["verbs"]}
        return patterns, causal

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
            findings += self._misinformation(doc, offset, private)
        return findings

    # -- privacy and harmful -------------------------------------------------------------------

    def _lexicon_findings(
        self, doc: Doc, category: Category, subject_ents: frozenset[str], offset: int
    ) -> list[Finding]:
        out: list[Finding] = []
        text = doc.text  # a property that joins every token: read it once
        sents: list[Span] = []  # filled on first use: `span.sent` walks the whole doc on every call
        negated: dict[int, bool] = {}  # sentence start -> has a negation cue
        for start, end, term in term_matcher(category).find(doc):
            span = doc[start:end]
            entity = any(t.ent_type_ in _NAME_ENTS for t in span) and not _lone_acronym(span)
            named = entity or _in_organisation_name(span)
            if named and term.label not in _NAMED_ATTRIBUTES:
                continue
            if other_sense(category, text, span.start_char, span.end_char):
                continue  # "charged twice" for a payment, "our health data", "the European Union"
            head = clause_head(span.root)
            subject = self._subject(head, subject_ents, category)
            if subject is None and not (
                category == "privacy" and term.severity >= 2 and _fragment(self._sentence(doc, start, sents))
            ):
                continue  # a general statement ("Fraud is a crime"), not about anyone
            cstart, cend = _within_lines(text, *clause_span(head, span), span.start_char, span.end_char)
            severity = term.severity
            # A verbless note ("History of COPD, managed with metformin.") is about the record's person.
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
            cache[sent.start] = _has_cue(sent, "negations")
        return cache[sent.start]

    def _subject(self, head: Token, allowed_ents: frozenset[str], category: Category) -> str | None:
        """Who the clause is about, when it is about a person (or, for harmful, an organisation/group)."""
        clause = head
        subj: Token | None = None
        # Coordinated and open clauses share their subject with the clause they hang from.
        for _ in range(4):
            subj = next((c for c in clause.children if c.dep_ in _SUBJECT_DEPS), None)
            if subj is not None or clause.head is clause or clause.dep_ not in {"conj", "xcomp", "advcl", "acl"}:
                break
            clause = clause.head
        if subj is not None and subj.lower_ in ("who", "that") and clause.dep_ == "relcl":
            subj = clause.head  # "Brooks, who is openly gay, ...": the relative clause is about Brooks
        if subj is not None:
            named = self._person_like(subj, allowed_ents, category)
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
            if _is_subject_entity(tok, allowed_ents, matcher):
                return _entity_text(tok)
        return None

    def _person_like(self, subj: Token, allowed_ents: frozenset[str], category: Category) -> str | None:
        matcher = term_matcher(category)
        for tok in subj.subtree:  # "Maria's diagnosis", "Senator Smith"
            # spaCy's small model tags a capitalised lexicon word as an entity ("Fraud is a crime").
            if _is_subject_entity(tok, allowed_ents, matcher):
                return _entity_text(tok)
        lower = subj.lower_
        if lower in self._pronouns:
            if lower in {"i", "me", "my", "we", "our", "you", "your"}:
                return subj.text
            return _antecedent(subj, allowed_ents) or subj.text
        if subj.lemma_.lower() in self._person_nouns or subj.lower_ in self._person_nouns:
            return _noun_phrase(subj)
        # A proper-noun subject the NER missed ("Acme fired ..."), but not a capitalised common word
        # opening the sentence ("Fraud is a crime").
        if subj.pos_ == "PROPN" and category == "harmful" and not subj.is_sent_start:
            return _noun_phrase(subj)
        # A name the NER missed ("Dennis is a Methodist", "Jones is a crook"), even opening the
        # sentence: a capitalised proper noun that is not itself a lexicon term or a word that is
        # never a name.
        if category in ("privacy", "harmful") and subj.pos_ == "PROPN" and subj.text[:1].isupper() and subj.is_alpha:
            from semsiedit.detection.names import not_names

            if not matcher.is_single_term(subj) and subj.lower_ not in not_names():
                return _noun_phrase(subj)
        return None

    # -- misinformation ------------------------------------------------------------------------

    def _misinformation(self, doc: Doc, offset: int, private: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        patterns, causal = self._misinfo
        out: list[Finding] = []
        text = doc.text  # a property that joins every token: read it once
        for sent in doc.sents:
            if sent.text.rstrip().endswith("?") or _has_cue(sent, "hedges", "attributions", "negations"):
                continue
            hits: list[tuple[int, int, str, int, str]] = []  # char start, end, label, severity, what matched
            for pattern, label, severity in patterns:
                for m in pattern.finditer(sent.text):
                    hits.append((sent.start_char + m.start(), sent.start_char + m.end(), label, severity, m.group()))
            hits += self._causal_claims(sent, causal)
            if not hits and self.specific_claims and is_plain_statement(sent):
                out += self._specific_claims(doc, text, sent, offset, private)
            for cstart, cend, label, severity, matched in hits:
                span = doc.char_span(cstart, cend, alignment_mode="expand")
                if span is None or not len(span):
                    continue
                head = clause_head(span.root)
                start, end = clause_span(head, span)
                start, end = min(start, cstart), max(end, cend)
                subj = next((c for c in head.children if c.dep_ in _SUBJECT_DEPS), None)
                out.append(
                    Finding(
                        start=start + offset,
                        end=end + offset,
                        text=text[start:end],
                        category="misinformation",
                        label="unverified_claim" if label == "medical" else f"unverified_{label}",
                        severity=severity,
                        score=0.7,
                        source=SOURCE,
                        reason=f"{label} claim stated as fact: '{matched}'",
                        subject=_noun_phrase(subj) if subj is not None else None,
                    )
                )
        return out

    def _specific_claims(
        self, doc: Doc, text: str, sent: Span, offset: int, private: Sequence[tuple[int, int]]
    ) -> list[Finding]:
        """Clauses about a named subject that state a specific date, number or amount as fact."""
        out: list[Finding] = []
        severity = int(load_lexicon("misinformation")["specific_claims"]["severity"])
        for head in claim_heads(sent):
            subj = claim_subject(head)
            who = named_subject(subj) if subj is not None else None
            if who is None:
                continue
            start, end = clause_span(head, doc[head.i : head.i + 1])
            detail = specific_detail(sent, start, end)
            if detail is None or any(a < end and start < b for a, b in private):
                continue
            out.append(
                Finding(
                    start=start + offset,
                    end=end + offset,
                    text=text[start:end],
                    category="misinformation",
                    label="unverified_specific_claim",
                    severity=severity,
                    score=0.5,
                    source=SOURCE,
                    reason=f"specific claim stated as fact: '{detail}' about {who}",
                    subject=who,
                )
            )
        return out

    def _causal_claims(self, sent: Span, causal: dict) -> list[tuple[int, int, str, int, str]]:
        """'<claim subject> <causal verb> <hazard>' within one clause, e.g. 'vaccines cause autism'."""
        hits = []
        for tok in sent:
            if tok.pos_ not in {"VERB", "AUX"} or tok.lemma_.lower() not in causal["verb_heads"]:
                continue
            rest = causal["verb_heads"][tok.lemma_.lower()]
            following = [t.lower_ for t in tok.doc[tok.i + 1 : tok.i + 1 + len(rest)]]
            if rest and following != rest:
                continue
            sub = list(tok.subtree)
            left = tok.doc[sub[0].i : tok.i].text
            right = tok.doc[tok.i + 1 : sub[-1].i + 1].text
            # The subject may hang on the clause above ("5G towers are spreading the virus"), or
            # two above through a control verb ("vaccines are known to trigger ...").
            subj_text = left
            head = tok
            for _ in range(2):
                if causal["subjects_re"].search(subj_text) or head.head is head:
                    break
                head = head.head
                subj_text = " ".join(c.text for c in head.children if c.dep_ in _SUBJECT_DEPS)
            if causal["subjects_re"].search(subj_text) and causal["objects_re"].search(right):
                hits.append((tok.idx, tok.idx + len(tok.text), causal["label"], int(causal["severity"]), tok.text))
        return hits


# -- parse helpers (module level: reused by tests and other recognizers) -------------------------


def clause_head(token: Token) -> Token:
    """The verb that heads the clause containing `token` (the sentence root at worst)."""
    h = token
    while True:
        if h.pos_ in {"VERB", "AUX"} and h.dep_ in _CLAUSE_DEPS:
            return h
        if h.head is h or h.dep_ == "ROOT":
            return h
        h = h.head


def clause_span(head: Token, keep: Span) -> tuple[int, int]:
    """Character span of the clause headed by `head`, without coordinated clauses that do not hold `keep`,
    trimmed of edge punctuation, conjunctions and whitespace."""
    keep_ids = {t.i for t in keep}
    dropped: set[int] = set()
    for child in head.children:
        if child.dep_ in _SPLIT_DEPS and child.pos_ in {"VERB", "AUX"} and child.i > head.i:
            ids = {t.i for t in child.subtree}
            if not ids & keep_ids:
                dropped |= ids
    ids = sorted({t.i for t in head.subtree} - dropped | keep_ids)
    doc = head.doc
    lo, hi = ids[0], ids[-1]
    # Stop at a dropped gap: a coordinated clause leaves its "and" and comma behind.
    for i in range(head.i, hi + 1):
        if i in dropped:
            hi = max(i - 1, max(keep_ids))
            break
    while lo < hi and (doc[lo].pos_ in _TRIM_POS or doc[lo].is_space) and lo not in keep_ids:
        lo += 1
    while hi > lo and (doc[hi].pos_ in _TRIM_POS or doc[hi].is_space) and hi not in keep_ids:
        hi -= 1
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _fragment(sent: Span) -> bool:
    """A note with no subject anywhere ("History of COPD and type 2 diabetes, managed with metformin.";
    "Takes lithium daily."), the way clinical and case notes are written; a statement with a
    subject of its own ("Fraud is a crime") is not one."""
    return not any(t.dep_ in _SUBJECT_DEPS for t in sent) and any(t.is_alpha for t in sent)


def _is_subject_entity(token: Token, allowed_ents: frozenset[str], matcher: TermMatcher) -> bool:
    """A token of an allowed entity that is not a lone lexicon word the NER mistook for a name."""
    if token.ent_type_ not in allowed_ents or (token.ent_iob_ == "B" and matcher.is_single_term(token)):
        return False
    return _plausible_name(token)


def _plausible_name(token: Token) -> bool:
    """spaCy's small model tags some common nouns as PERSON ("fentanyl", "COVID-19"): a person's name
    starts with a capital and has no digits."""
    if token.ent_type_ != "PERSON":
        return True
    name = _entity_text(token)
    return name[:1].isupper() and not any(ch.isdigit() for ch in name)


def _entity_text(token: Token) -> str:
    """The text of the entity `token` is in. Walks the IOB tags around the token: `doc.ents` builds
    every entity of the document on each access, which made long documents quadratic (issue 12.5)."""
    if token.ent_iob_ not in ("B", "I"):
        return token.text
    doc = token.doc
    start = token.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = token.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end].text


def _noun_phrase(token: Token) -> str:
    """'Senator Smith', 'the patient': the token with its compounds, determiners and possessors."""
    parts = [
        t for t in token.subtree if t.i <= token.i and t.dep_ in {"compound", "det", "poss", "amod", "case", "nummod"}
    ]
    start = min([t.i for t in parts] + [token.i])
    return token.doc[start : token.i + 1].text


# Tokens looked back for a pronoun's antecedent: bounded, so a long text without names stays linear.
_ANTECEDENT_WINDOW = 1000


def _antecedent(pronoun: Token, allowed_ents: frozenset[str]) -> str | None:
    """Naive coreference: the nearest preceding entity of an allowed type."""
    wanted = {"PERSON"} if pronoun.lower_ in _THIRD_PERSON - {"it", "its"} else allowed_ents
    # Backwards from the pronoun over tokens (not `doc.ents`, which is rebuilt on every access): the
    # first entity start found is the nearest preceding entity that ends before the pronoun.
    doc = pronoun.doc
    for i in range(pronoun.i - 1, max(-1, pronoun.i - 1 - _ANTECEDENT_WINDOW), -1):
        tok = doc[i]
        if tok.ent_iob_ != "B":
            continue
        end = i + 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        if end > pronoun.i:
            continue
        if tok.ent_type_ in wanted and tok.ent_type_ in allowed_ents and _plausible_name(tok):
            return doc[i:end].text
    return None


def _has_cue(sent: Span, *kinds: str) -> bool:
    text = f" {sent.text.lower()} "
    verbs_only = _verbs_only()
    for kind in kinds:
        singles, phrases = cue_words(kind)
        for token in sent:
            keys = [k for k in token_keys(token) if k in singles]
            if keys and (token.pos_ in ("VERB", "AUX") or not all(k in verbs_only for k in keys)):
                return True
        if any(f" {p} " in text or f" {p}," in text for p in phrases):
            return True
    return False


@cache
def _verbs_only() -> frozenset[str]:
    return frozenset(load_lexicon("cues").get("verbs_only", ()))


_LINE_BREAK = re.compile(r"(?<![a-z,;:(-])[ \t]*\n\s*|\n[ \t]*\n\s*")


def _within_lines(text: str, cstart: int, cend: int, tstart: int, tend: int) -> tuple[int, int]:
    """A clause does not run across a line that ends without a sentence going on (a name, an address or
    a heading line above it: "Gregory Paulsen\n14 Elm Street, OR 97999\nHe is a Baptist")."""
    for m in _LINE_BREAK.finditer(text, cstart, cend):
        if m.end() <= tstart:
            cstart = m.end()
        elif m.start() >= tend:
            cend = m.start()
            break
    return cstart, cend


def _lone_acronym(span: Span) -> bool:
    """A one-token acronym term the NER calls an entity on its own ("going through IVF" as ORG): the
    term, not a name that contains it."""
    if len(span) != 1 or not span[0].text.isupper() or span[0].ent_iob_ != "B":
        return False
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return nxt is None or nxt.ent_iob_ != "I"


def _in_organisation_name(span: Span) -> bool:
    """A capitalised term inside a capitalised run that names an organisation ("Riverside Family
    Clinic", "Family Court"): the small model often leaves such names untagged."""
    if not all(t.text[:1].isupper() for t in span if t.is_alpha):
        return False
    doc = span.doc
    start, end = span.start, span.end
    while start > 0 and doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha:
        start -= 1
    while end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha:
        end += 1
    return end - start > span.end - span.start and any(t.text.lower() in org_words() for t in doc[start:end])
