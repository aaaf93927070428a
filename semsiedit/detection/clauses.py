"""Clauses and subjects in a spaCy parse, for the SemSI recognizer (semsi.py): the clause a term
belongs to and its span, whether a sentence is a verbless note, who a pronoun or a noun phrase names,
and whether a term sits inside a name rather than stating an attribute."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from typing import TYPE_CHECKING

from semsiedit.detection.lexicon import TermMatcher, cue_words, load_lexicon, token_keys
from semsiedit.detection.names import not_names, org_words
from semsiedit.spacy_components import sentence_bounds
from semsiedit.text import split_sentences

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Dependency labels that start a clause of their own (with its own subject or shared one via conj).
CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "relcl", "conj", "parataxis", "csubj", "acl"})
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
# Right-hand sub-clauses left out of a clause span: coordinated clauses are separate statements.
_SPLIT_DEPS = frozenset({"conj", "parataxis"})
_TRIM_POS = frozenset({"PUNCT", "SPACE", "CCONJ", "SCONJ"})
_RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom", "whose"})
_THIRD_PERSON = frozenset({"he", "him", "his", "she", "her", "hers", "they", "them", "their", "it", "its"})


def clause_head(token: Token) -> Token:
    """The verb that heads the clause containing `token` (the sentence root at worst)."""
    h = token
    while True:
        if h.pos_ in {"VERB", "AUX"} and h.dep_ in CLAUSE_DEPS:
            return h
        if h.head is h or h.dep_ == "ROOT":
            return h
        h = h.head


def clause_span(head: Token, keep: Span) -> tuple[int, int]:
    """Character span of the clause headed by `head`, without coordinated clauses that do not hold `keep`,
    trimmed of edge punctuation, conjunctions and whitespace."""
    keep_ids = {t.i for t in keep}
    dropped: set[int] = set()
    # A coordinated clause of the head, or deeper one that opens a new reported clause ("hits him when
    # he's been drinking and that he sleeps at his nan's": the parser hangs it on "drinking").
    split = [c for c in head.children if c.dep_ in _SPLIT_DEPS]
    split += [t for t in head.subtree if t.dep_ == "conj" and t.head is not head and _opens_that_clause(t)]
    for child in split:
        if child.pos_ in {"VERB", "AUX"} and child.i > head.i:
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
    # The parser sometimes runs two sentences into one ("… in cities with 5G. Wuhan was …"): a clause
    # never crosses a boundary of the sentences the scorer and the editor use.
    first, last = _sentence_around(doc, keep[0].idx, keep[-1].idx)
    while lo < hi and doc[lo].idx < first and lo not in keep_ids:
        lo += 1
    while hi > lo and doc[hi].idx >= last and hi not in keep_ids:
        hi -= 1
    while lo < hi and (doc[lo].pos_ in _TRIM_POS or doc[lo].is_space) and lo not in keep_ids:
        lo += 1
    while hi > lo and (doc[hi].pos_ in _TRIM_POS or doc[hi].is_space) and hi not in keep_ids:
        hi -= 1
    return doc[lo].idx, doc[hi].idx + len(doc[hi].text)


def _opens_that_clause(verb: Token) -> bool:
    """A verb with its own "that" before it: "... and that he sometimes sleeps at his nan's"."""
    return any(c.dep_ == "mark" and c.lower_ == "that" and c.i < verb.i for c in verb.children)


def _sentence_around(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """(start of the sentence holding `start`, end of the one holding `end`), by `text.split_sentences`."""
    bounds = sentence_bounds(doc)
    lo = next((s for s, e in reversed(bounds) if s <= start), 0)
    hi = next((e for s, e in bounds if e > end), None)
    if hi is None:  # past the last sentence (doc.text joins every token: read it only here)
        hi = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
    return lo, hi


def fragment(sent: Span) -> bool:
    """A note with no subject anywhere ("History of COPD and type 2 diabetes, managed with metformin.";
    "Takes lithium daily."), the way clinical and case notes are written; a statement with a
    subject of its own ("Fraud is a crime") is not one."""
    # A relative clause's own subject does not count: "Currently on a Tier 2 visa, which expires in June."
    subjects = [t for t in sent if t.dep_ in SUBJECT_DEPS and t.lower_ not in _RELATIVE_PRONOUNS]
    return not subjects and any(t.is_alpha for t in sent)


def is_subject_entity(token: Token, allowed_ents: frozenset[str], matcher: TermMatcher) -> bool:
    """A token of an allowed entity that is not a lone lexicon word the NER mistook for a name."""
    if token.ent_type_ not in allowed_ents or (token.ent_iob_ == "B" and matcher.is_single_term(token)):
        return False
    # "GP to review on Thursday": a role the NER tagged as an organisation is nobody's name.
    return plausible_name(token) and entity_text(token).lower() not in not_names()


def plausible_name(token: Token) -> bool:
    """spaCy's small model tags some common nouns as PERSON ("fentanyl", "COVID-19"): a person's name
    starts with a capital and has no digits."""
    if token.ent_type_ != "PERSON":
        return True
    name = entity_text(token)
    return name[:1].isupper() and not any(ch.isdigit() for ch in name)


def entity_text(token: Token) -> str:
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


def noun_phrase(token: Token) -> str:
    """'Senator Smith', 'the patient': the token with its compounds, determiners and possessors."""
    parts = [
        t for t in token.subtree if t.i <= token.i and t.dep_ in {"compound", "det", "poss", "amod", "case", "nummod"}
    ]
    start = min([t.i for t in parts] + [token.i])
    return token.doc[start : token.i + 1].text


# Tokens looked back for a pronoun's antecedent: bounded, so a long text without names stays linear.
_ANTECEDENT_WINDOW = 1000


def antecedent(pronoun: Token, allowed_ents: frozenset[str]) -> str | None:
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
        if tok.ent_type_ in wanted and tok.ent_type_ in allowed_ents and plausible_name(tok):
            return doc[i:end].text
    return None


def has_cue(sent: Span, *kinds: str, exclude: Collection[int] = ()) -> bool:
    """Whether `sent` holds a cue of one of `kinds` (lexicons/cues.json), leaving out the tokens at the
    `exclude` indices (a clause the cue would not speak for)."""
    kept = [t for t in sent if t.i not in exclude] if exclude else list(sent)
    text = f" {''.join(t.text_with_ws for t in kept).lower()} "
    verbs_only = _verbs_only()
    for kind in kinds:
        singles, phrases = cue_words(kind)
        for token in kept:
            keys = [k for k in token_keys(token) if k in singles]
            if keys and (token.pos_ in ("VERB", "AUX") or not all(k in verbs_only for k in keys)):
                return True
        if any(f" {p} " in text or f" {p}," in text for p in phrases):
            return True
    return False


# Subordinate clauses of reason and time ("… because it could not beat the Soviets", "… when they
# had not yet …"): a negation inside one denies that clause, not the statement it hangs on.
_REASON_OR_TIME = frozenset({"because", "since", "when", "while", "after", "before", "until", "once"})


def reason_or_time_clauses(sent: Span) -> set[int]:
    """Token indices of the adverbial clauses of `sent` opened by a reason or time conjunction."""
    out: set[int] = set()
    for tok in sent:
        if tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _REASON_OR_TIME for c in tok.children):
            out.update(t.i for t in tok.subtree)
    return out


@cache
def _verbs_only() -> frozenset[str]:
    return frozenset(load_lexicon("cues").get("verbs_only", ()))


# A line break ends the clause unless the line ran on mid-sentence (a hard wrap after a lower-case word),
# but a line that opens a chat message, a log entry or a bullet ("[12/03/2024, 21:05] Jade:", "<tom_w>",
# "- ") always starts anew.
_LINE_BREAK = re.compile(
    r"(?<![a-z,;:(-])[ \t]*\n\s*|\n[ \t]*\n\s*"
    r"|[ \t]*\n[ \t]*(?=\[|<[\w.-]+>|[-*•>][ \t]|\d{1,4}[:/.-]\d|[A-Z][\w.'’ -]{0,30}:[ \t])"
)


def within_lines(text: str, cstart: int, cend: int, tstart: int, tend: int) -> tuple[int, int]:
    """A clause does not run across a line that ends without a sentence going on (a name, an address or
    a heading line above it: "Gregory Paulsen\n14 Elm Street, OR 97999\nHe is a Baptist"). A break
    that hard-wraps one sentence (`text.split_sentences`: "suspected bipolar II\ndisorder") is none."""
    starts: set[int] | None = None
    for m in _LINE_BREAK.finditer(text, cstart, cend):
        if starts is None:
            starts = {s for s, _ in split_sentences(text)}
        if m.end() not in starts and m.end() < len(text):
            continue
        if m.end() <= tstart:
            cstart = m.end()
        elif m.start() >= tend:
            cend = m.start()
            break
    return cstart, cend


def lone_acronym(span: Span) -> bool:
    """A one-token acronym term the NER calls an entity on its own ("going through IVF" as ORG): the
    term, not a name that contains it."""
    if len(span) != 1 or not span[0].text.isupper() or span[0].ent_iob_ != "B":
        return False
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    return nxt is None or nxt.ent_iob_ != "I"


def in_organisation_name(span: Span) -> bool:
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
