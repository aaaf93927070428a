"""Verify: the guards every proposed edit must pass before it touches the text (SPEC §2).

A rejected LLM edit is not lost work: the loop hands its findings to the local editor instead,
so the output is never worse than the local editor's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from semsiedit.detection.first_names import first_names
from semsiedit.detection.names import is_stop_word
from semsiedit.text import PERSON_STAND_IN, in_full_names, value_survives
from semsiedit.types import Edit, EditDecision, Finding

# Strategies whose output is legitimately much shorter than the span ("Maria Gonzalez" -> "Person A").
GENERALISING_STRATEGIES = {"pseudonym", "placeholder", "fake", "generalise", "descriptor", "suppress"}
REFUSAL = re.compile(
    r"^\s*(i\s*(?:am|'m)\s+sorry|i\s+(?:can(?:'|no)t|cannot|won't|will not)\s+(?:help|assist|comply|provide|do)|"
    r"as an ai\b|i'm unable to|i am unable to)",
    re.IGNORECASE,
)
# Signs that a model echoed our framing or the reply format instead of giving prose.
FRAMING = re.compile(r"</?document>|</?question>|\"edits\"\s*:|\"findings\"\s*:|\"replacement\"\s*:")


def normalise(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def sensitive_values(findings: Sequence[Finding]) -> list[str]:
    """The exact values an edit must not keep: PII strings, and whole flagged statements."""
    return [normalise(f.text) for f in findings if f.text.strip()]


def check_edit(
    edit: Edit, covered: Sequence[Finding], *, min_length_ratio: float, text: str | None = None
) -> str | None:
    """Return why `edit` must be rejected, or None. `covered`: the findings inside the edit's span;
    with the `text` the edit applies to, the replacement must also keep the form of the span (`check_form`)."""
    replacement = edit.replacement
    if not replacement.strip():
        return "deletes_content: empty replacement"
    if any(unicodedata.category(ch) == "Cc" and ch not in "\r\n\t" for ch in replacement):
        return "invalid_text: control characters"
    if REFUSAL.search(replacement):
        return "invalid_text: refusal"
    if FRAMING.search(replacement):
        return "invalid_text: echoes prompt or reply format"
    if normalise(replacement) == normalise(edit.original):
        return "keeps_value: replacement equals the original span"
    for finding in covered:
        # A PII value must not survive at all; a flagged statement must not survive verbatim.
        # Whole words only: "ER" is not kept by "Person A", nor "Tom" by "Tomorrow".
        if value_survives(finding.text, replacement) and not _framed(finding, replacement):
            return f"keeps_value: still contains the {finding.category} value"
    shortened = len(replacement.strip()) < min_length_ratio * len(edit.original.strip())
    if shortened and edit.strategy not in GENERALISING_STRATEGIES and not all(f.category == "pii" for f in covered):
        return "deletes_content: replacement drastically shorter than the span"
    if text is not None:
        return check_form(text, edit)
    return None


def _framed(finding: Finding, replacement: str) -> bool:
    if finding.category != "misinformation":
        return False
    from semsiedit.editing.attribute import framed_advice

    return framed_advice(finding.text, replacement)


def findings_inside(edit: Edit, findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if edit.start <= f.start and f.end <= edit.end]


def verify_edits(edits: Sequence[Edit], findings: Sequence[Finding], *, min_length_ratio: float) -> list[EditDecision]:
    """Static guards (a), (b), (d); the loop adds re-detection and the utility floor (c)."""
    decisions = []
    for edit in edits:
        reason = check_edit(edit, findings_inside(edit, findings), min_length_ratio=min_length_ratio)
        decisions.append(EditDecision(edit, accepted=reason is None, reason=reason or ""))
    return decisions


# -- the form guard: a replacement keeps the grammatical role and number of the span ------------------

_ARTICLE_BEFORE = re.compile(r"(?<![\w'’-])(?:a|an)\s+$", re.IGNORECASE)
# Determiners (English and the common European ones) and attributive adjectives before a common noun.
_DETERMINER_BEFORE = re.compile(
    r"(?<![\w'’-])(?:a|an|the|this|my|your|his|her|our|their|ein|eine|einen|einem|einer|der|die|das|den|dem|"
    r"le|la|les|un|une|el|los|las|una|il|lo|het|een)(?:\s+(?-i:[a-zäöüßéèàç-]+)){0,2}\s+$",
    re.IGNORECASE,
)
_SURROGATE = re.compile(PERSON_STAND_IN)


@lru_cache(maxsize=1)
def _person_nouns() -> frozenset[str]:
    from semsiedit.detection.lexicon import load_lexicon
    from semsiedit.detection.names import lexicon, titles

    # The role nouns the name-cue recognizer finds names after ("my coworker Brenda") are person nouns too.
    roles = {r.lower().split()[-1] for r in lexicon()["role_nouns"]}
    return frozenset(load_lexicon("cues")["person_nouns"]) | roles | {t.lower() for t in titles()}


def org_name_end(text: str, end: int) -> int | None:
    """Where the organisation's name that continues at `end` ends ("Harcourt| & Lyle Solicitors"), or None."""
    from semsiedit.detection.names import org_words

    m = re.match(r"\s*(?:&|\+|and)\s+((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)", text[end : end + 80])
    if not m:
        return None
    words = list(re.finditer(r"[A-Z][\w'’.-]*", m.group(1)))
    last = [w for w in words if w.group(0).strip(".,").lower() in org_words()]
    return end + m.start(1) + last[-1].end() if last else None


def _org_follows(after: str, *, joined: bool = False) -> bool:
    """Whether `after` continues an organisation's name: "& Lyle Solicitors", "and Partners LLP"."""
    from semsiedit.detection.names import org_words

    m = re.match(
        r"\s*(?:(?:&|\+|and)\s+)?((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)"
        if joined
        else r"\s*(?:&|\+|and)\s+((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*)",
        after,
    )
    return bool(m) and any(w.strip(".,").lower() in org_words() for w in m.group(1).split())


_PLURAL_EXCEPTIONS = frozenset({
    "is", "was", "has", "does", "this", "its", "his", "hers", "news", "series", "status", "bias", "basis", "crisis",
    "analysis", "process", "business", "illness", "witness", "access", "success", "progress", "address", "class",
    "religious", "various", "serious", "previous", "famous", "dangerous", "nervous", "anonymous", "us", "yes",
})  # fmt: skip
_ADJECTIVE_END = re.compile(r"(?:ive|ous|ful|less|able|ible|ish|ic|ical|al|ary|ent|ant)$")
# Nouns that end like adjectives: "a criminal", "a Catholic", "a radical" are noun phrases.
_NOUNS_LIKE_ADJECTIVES = frozenset({
    "criminal", "radical", "liberal", "catholic", "anglican", "evangelical", "heretic", "lunatic", "alcoholic",
    "schizophrenic", "diabetic", "epileptic", "individual", "official", "rival", "national", "immigrant", "migrant",
    "agent", "servant", "tenant", "patient", "client", "resident", "student", "parent", "president",
})  # fmt: skip


def _verbs() -> frozenset[str]:
    from semsiedit.editing.grammar import word_sets

    _, aux, _, verbs = word_sets()
    return aux | verbs


def _has_verb(phrase: str) -> bool:
    words = [w.strip(".,;:!?\"'()").lower() for w in phrase.split()]
    verbs = _verbs()
    return any(w in verbs or (len(w) > 4 and w.endswith("ed")) for w in words)


def _part_of_a_full_name(text: str, edit: Edit) -> bool:
    """The word also stands elsewhere in the text inside a capitalised full name ("Evelyn Marchetti"),
    so "the next day Marchetti" is that person, not a common noun."""
    return any(s >= edit.end or e <= edit.start for s, e in in_full_names(text, edit.original.strip()))


def check_form(text: str, edit: Edit) -> str | None:
    """Why `edit.replacement` cannot stand where `edit.original` stood in `text`, or None.

    - number and role after an indefinite article: "a fraud" -> not "an irregularities" (plural),
      not "a divisive" (an adjective where the noun was);
    - a name surrogate in a common-noun slot: "ein widerlicher Typ" -> not "ein widerlicher Person A";
    - part of an organisation's name: "Harcourt & Lyle Solicitors" -> not "Person C & Lyle Solicitors";
    """
    before = text[max(0, edit.start - 60) : edit.start]
    after = text[edit.end : edit.end + 60]
    rep = edit.replacement.strip()
    words = rep.split()
    if not words:
        return None
    if _SURROGATE.fullmatch(rep):
        det = _DETERMINER_BEFORE.search(before)
        if det is not None and any(is_stop_word(w) for w in det.group().split()[1:]):
            det = None  # "the results to Priya": a preposition ends the noun phrase before the name
        word_before = re.search(r"(\w+)\s+$", before)
        appositive = word_before is not None and (
            word_before.group(1).lower() in _person_nouns()
            # "the receptionist Amy": a known given name after a common noun is that person's name
            or (word_before.group(1).islower() and edit.original.strip() in first_names())
            # "a man called Rob": a naming verb's object is a name
            or word_before.group(1).lower() in ("called", "named")
        )
        if det and len(edit.original.split()) == 1 and not appositive and not _part_of_a_full_name(text, edit):
            return "breaks_form: a name in a common-noun slot"
        if _org_follows(after) or (re.search(r"(?:&|\band)\s+$", before) and _org_follows(" " + after, joined=True)):
            return "breaks_form: part of an organisation's name"
        return None
    original = edit.original.strip()
    lead = re.match(r"(?:a|an)\s+", rep, re.IGNORECASE)
    if lead and re.match(r"(?:a|an)\s+", original, re.IGNORECASE):
        # The editor took the article into its edit ("a racist" -> "a divisive"): compare what follows it.
        before, rep, original = before + "a ", rep[lead.end() :], re.sub(r"^(?:a|an)\s+", "", original, flags=re.I)
        words = rep.split()
    if words and _ARTICLE_BEFORE.search(before) and not re.match(r"(?:a|an|the)\b", rep, re.IGNORECASE):
        head = words[0].strip(".,;:!?\"'()").lower()
        noun_follows = bool(re.match(r"\s*[a-z]", after)) and not re.match(r"\s*(?:and|or|but|who|that|which)\b", after)
        noun_follows = noun_follows or after.startswith("-")  # "a 90-plus-year-old": a compound goes on
        if len(words) == 1 and head.endswith("s") and head not in _PLURAL_EXCEPTIONS and not noun_follows:
            return "breaks_form: a plural noun after 'a'"
        last = original.split()[-1].strip(".,;:!?\"'()").lower() if original.split() else ""
        adjective_span = bool(_ADJECTIVE_END.search(last)) and last not in _NOUNS_LIKE_ADJECTIVES
        if len(words) == 1 and _ADJECTIVE_END.search(head) and not noun_follows and not adjective_span:
            return "breaks_form: an adjective where a noun stood"
    return None


def edit_form(text: str, start: int, end: int) -> str:
    """The grammatical form of text[start:end] in its sentence: 'clause', 'noun' (a bare noun after an
    article), 'adj' (an adjective before a noun) or 'np'. What a generic stand-in must match."""
    span = text[start:end]
    before = text[max(0, start - 60) : start]
    if len(span.split()) >= 3 and _has_verb(span):
        return "clause"
    if _ARTICLE_BEFORE.search(before):
        return "noun"
    if re.match(r"\s+[a-z]", text[end : end + 3]) and len(span.split()) == 1:
        return "adj"
    return "np"
