"""Misinformation: a hazardous claim stated as fact (misinformation.json's patterns, and "<claim subject>
<causal verb> <hazard>" within one clause: "vaccines cause autism", "bleach cures COVID"), i.e. with no
hedge, attribution or negation in its sentence; and, at severity 1 and only with `specific_claims`, an
unverified specific claim (claims.py). Part of the SemSI recognizer (semsi.py), which hands it the parse."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING

from semsiedit.detection.claims import claim_heads, claim_subject, is_plain_statement, named_subject, specific_detail
from semsiedit.detection.clauses import (
    SUBJECT_DEPS,
    clause_head,
    clause_span,
    has_cue,
    noun_phrase,
    reason_or_time_clauses,
)
from semsiedit.detection.lexicon import load_lexicon
from semsiedit.spacy_components import doc_text
from semsiedit.types import Finding

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

SOURCE = "semsi-local"  # the SemSI recognizer's findings, these included (semsi.py imports it)

# A second predicate of the claim's subject, to the end of its sentence ("and is a safe home remedy").
_SAME_SUBJECT_PREDICATE = re.compile(
    r"\s+and\s+(?:is|are|was|were|has|have|had|can|could|will|would|does|do|did|also)\s[^.!?;:]*?(?=[ \t]*[.!?;:]|$)"
)


class MisinformationRecognizer:
    """Claims stated as fact in a parsed spaCy Doc."""

    def __init__(self, *, specific_claims: bool = False) -> None:
        self.specific_claims = specific_claims

    @cached_property
    def _misinfo(self) -> tuple[list[tuple[re.Pattern[str], str, int]], dict]:
        lex = load_lexicon("misinformation")
        patterns = [(re.compile(p["pattern"], re.IGNORECASE), p["label"], int(p["severity"])) for p in lex["patterns"]]
        causal = dict(lex["causal"])

        def words(items: list[str]) -> str:  # longest first: "cell phones" before "cell phone"
            return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))

        def alternation(items: list[str]) -> re.Pattern[str]:
            return re.compile(rf"(?<![\w-])(?:{words(items)})(?![\w-])", re.IGNORECASE)

        causal["subjects_re"] = alternation(causal["subjects"])
        causal["objects_re"] = alternation(causal["objects"])
        # A harm verb is a claim about a thing blamed for harm, a cure verb about a quack remedy:
        # "vaccines cause autism" and "bleach cures COVID" are claims, "vaccines prevent disease" is not.
        claimants: dict[str, tuple[list[str], list[str]]] = {}
        for verbs, subjects in (("verbs", "subjects"), ("cure_verbs", "remedies")):
            for verb in causal[verbs]:
                head, *rest = verb.split()
                claimants.setdefault(head, (rest, []))[1].extend(causal[subjects])
        causal["verb_heads"] = {head: (rest, alternation(subjects)) for head, (rest, subjects) in claimants.items()}
        causal["cover_ups_re"] = re.compile(lex.get("cover_ups") or r"(?!)", re.IGNORECASE)

        def forms(verbs: list[str]) -> str:  # "cure" -> "cure(?:s|es|d|ed)?", "lead to" -> "lead(?:…)?\s+to"
            return "|".join(
                re.escape(head) + "(?:s|es|d|ed)?" + "".join(rf"\s+{re.escape(w)}" for w in rest)
                for head, *rest in (verb.split() for verb in verbs)
            )

        objects = words(causal["objects"])
        causal["adjacent_re"] = re.compile(
            rf"(?<![\w-])(?:(?:{words(causal['remedies'])})\s+(?P<verb>{forms(causal['cure_verbs'])})"
            rf"|(?:{words(causal['subjects'])})\s+(?P<verb2>{forms(causal['verbs'])}))"
            rf"\s+(?:[\w'’-]+\s+){{0,3}}?(?:{objects})(?![\w-])",
            re.IGNORECASE,
        )
        return patterns, causal

    def analyze(self, doc: Doc, offset: int, private: Sequence[tuple[int, int]] = ()) -> list[Finding]:
        """Hazardous claims stated as fact in `doc`, and (with `specific_claims`) unverified specific
        claims; `private` spans (a person's sensitive attribute) are no specific claim."""
        patterns, causal = self._misinfo
        out: list[Finding] = []
        text = doc_text(doc)
        for sent in doc.sents:
            # Sliced once: spaCy's Span.text joins the tokens again on every access.
            sent_text = text[sent.start_char : sent.end_char]
            # "… and NASA has never admitted it" is a negation that asserts the claim, not one that clears it.
            clearing = ("hedges", "attributions", "negations")
            if causal["cover_ups_re"].search(sent_text):
                clearing = ("hedges", "attributions")
            if sent_text.rstrip().endswith("?"):
                continue
            asides: set[int] = set()
            if has_cue(sent, *clearing):
                # "NASA faked the moon landing because it could not beat the Soviet Union": the
                # negation and the modal speak of the reason, not the claim. An attribution ("as
                # experts say", "since critics claim") clears the claim from any clause.
                asides = reason_or_time_clauses(sent)
                scoped = tuple(kind for kind in clearing if kind != "attributions")
                if not asides or has_cue(sent, "attributions") or has_cue(sent, *scoped, exclude=asides):
                    continue
            hits: list[tuple[int, int, str, int, str]] = []  # char start, end, label, severity, what matched
            for pattern, label, severity in patterns:
                for m in pattern.finditer(sent_text):
                    hits.append((sent.start_char + m.start(), sent.start_char + m.end(), label, severity, m.group()))
            hits += self._causal_claims(sent, causal)
            if asides:  # a claim inside the negated aside itself is cleared by it
                inside = {doc[i].idx for i in asides}
                hits = [h for h in hits if not any(h[0] <= pos < h[1] for pos in inside)]
            if not hits and (m := causal["adjacent_re"].search(sent_text)):
                # The parse lost the verb ("Apple cider vinegar cures type 2 diabetes": "cures" a plural
                # noun): a listed subject right before a listed verb and a hazard a few words on.
                verb = "verb" if m.group("verb") else "verb2"
                start, end = sent.start_char + m.start(verb), sent.start_char + m.end(verb)
                hits.append((start, end, causal["label"], int(causal["severity"]), m.group()))
            if not hits and self.specific_claims and is_plain_statement(sent):
                out += self._specific_claims(doc, text, sent, offset, private)
            for cstart, cend, label, severity, matched in hits:
                span = doc.char_span(cstart, cend, alignment_mode="expand")
                if span is None or not len(span):
                    continue
                head = clause_head(span.root)
                while head.dep_ in ("advcl", "xcomp", "acl") and head.head is not head and any(
                    c.lower_ == "to" and c.dep_ in ("aux", "mark") for c in head.children
                ):
                    # A purpose ("adds it to the water to make people docile"): the claim is the clause it serves.
                    head = clause_head(head.head)
                start, end = clause_span(head, span)
                start, end = min(start, cstart), max(end, cend)
                if more := _SAME_SUBJECT_PREDICATE.match(text, end, sent.end_char):
                    end = more.end()  # "... kills the virus within hours and is a safe home remedy": one claim
                subj = next((c for c in head.children if c.dep_ in SUBJECT_DEPS), None)
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
                        subject=noun_phrase(subj) if subj is not None else None,
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
            # "5G towers were the real cause of the outbreak": the noun carries the claim.
            nominal = tok.pos_ == "NOUN" and tok.lemma_.lower() == "cause" and tok.dep_ in {"attr", "nsubj", "dobj"}
            # "5G networks were responsible for the spread of COVID-19": the adjective carries it.
            nominal = nominal or (tok.lower_ == "responsible" and tok.dep_ in {"acomp", "attr", "amod"})
            if not nominal and (tok.pos_ not in {"VERB", "AUX"} or tok.lemma_.lower() not in causal["verb_heads"]):
                continue
            rest, subjects_re = ([], causal["subjects_re"]) if nominal else causal["verb_heads"][tok.lemma_.lower()]
            following = [t.lower_ for t in tok.doc[tok.i + 1 : tok.i + 1 + len(rest)]]
            if rest and following != rest:
                continue
            sub = list(tok.subtree)
            left = tok.doc[sub[0].i : tok.i].text
            right = tok.doc[tok.i + 1 : sub[-1].i + 1].text
            agent = next((c for c in tok.children if c.dep_ == "agent"), None)
            patient = next((c for c in tok.children if c.dep_ == "nsubjpass"), None)
            if not nominal and agent is not None and patient is not None:
                # The passive turns it round: "Autism is caused by the MMR vaccine".
                by = tok.doc[agent.left_edge.i : agent.right_edge.i + 1].text
                what = tok.doc[patient.left_edge.i : patient.right_edge.i + 1].text
                if subjects_re.search(by) and causal["objects_re"].search(what):
                    hits.append((tok.idx, tok.idx + len(tok.text), causal["label"], int(causal["severity"]), tok.text))
                continue
            # The subject may hang on the clause above ("5G towers are spreading the virus"), or
            # two above through a control verb ("vaccines are known to trigger ...").
            subj_text = left
            head = tok
            for _ in range(3 if nominal else 2):
                if subjects_re.search(subj_text) or head.head is head:
                    break
                head = head.head
                # The whole subject phrase: "The 5G towers installed across Europe", not "towers".
                subj_text = " ".join(
                    tok.doc[c.left_edge.i : c.right_edge.i + 1].text for c in head.children if c.dep_ in SUBJECT_DEPS
                )
                if not subj_text and head.pos_ in ("NOUN", "PROPN") and tok.dep_ == "conj":
                    # "Fluoride in drinking water lowers IQ and causes cancer": the parser made the first
                    # verb a noun and the claim's verb a conjunct of the subject noun itself.
                    subj_text = head.text
            if subjects_re.search(subj_text) and causal["objects_re"].search(right):
                # A nominal claim is anchored on its verb ("were"), so the statement is that verb's clause.
                at = tok.head if nominal and tok.head.pos_ in {"AUX", "VERB"} else tok
                hits.append((at.idx, at.idx + len(at.text), causal["label"], int(causal["severity"]), at.text))
        return hits
