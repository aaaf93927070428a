"""Generalise: an identity attribute becomes a category ("bipolar disorder" -> "a health condition"),
from the tables in data/editing/generalise.json; a statement with no known term is generalised
in part (only the clauses that carry the attribute) or whole (a template of the right form)."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from semsiedit.editing.grammar import (
    FLAGS,
    PLURAL_SUBJECTS,
    PRONOUNS,
    STRIP,
    TAIL,
    agree_possessive,
    collapse_repeats,
    is_clause,
    keep_marks,
    match_case,
    opens_predicate,
    splice,
)
from semsiedit.editing.pseudonymise import pseudonymise_names, subject_of
from semsiedit.editing.suppress import pii_descriptor
from semsiedit.editing.surrogates import load_data
from semsiedit.profile import names_a_politician

if TYPE_CHECKING:
    from semsiedit.editing.spans import Ctx, Node

_PART_SEP = re.compile(
    r"\s*[()\[\]\"“”]\s*|,\s+(?:(?:and|but|or|while|so)\s+)?|;\s+|\s+[—–-]\s+"
    r"|\s+(?:and|but|while|whereas|although|though|because)\s+|\s*\n\s*"
)


@cache
def compiled(name: str, key: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    data = load_data(name)
    return compiled_rows(data["tables"][key] if name == "generalise" else data[key])


def compiled_rows(rows: list[list[str]]) -> tuple[tuple[re.Pattern[str], str], ...]:
    # Word boundaries on both sides; a pattern that ends with its own space ("gay (?=[a-z])") ends on one.
    boundary = r"(?:(?<=\s)|(?![\w'’]))"
    # Not right after a hyphen either: "second-mortgage" is not the attribute "mortgage". A space
    # in a row is any one whitespace character: hard-wrapped text breaks terms across lines
    # ("I'm on Universal\nCredit"); a blank line (two characters) still separates them.
    return tuple(
        (re.compile(rf"(?<![\w'’-])(?:{_loose_spacing(pattern)}){boundary}", FLAGS), repl) for pattern, repl in rows
    )


def _loose_spacing(pattern: str) -> str:
    """A row's space matches any one whitespace character (hard-wrapped text breaks a term across
    lines), and a hyphen between letters a space too ("self harming" for "self-harming").
    Character classes are left as they are ("[a-z]" keeps its range)."""
    out: list[str] = []
    in_class = escaped = False
    for i, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]" or pattern[i - 1] == "["
        elif ch == "[":
            in_class = True
        elif ch == " ":
            ch = r"\s"
        elif ch == "-" and pattern[i - 1 : i].isalpha() and pattern[i + 1 : i + 2].isalpha():
            ch = r"[-\s]"
        out.append(ch)
    return "".join(out)


def preload() -> None:
    """Compile every table now (~0.6 s, otherwise spread over the first documents that need them):
    the process engine calls it before forking, so the workers share one compiled copy."""
    data = load_data("generalise")
    for key in data["tables"]:
        compiled("generalise", key)
    for label in data.get("last_resort", {}):
        _last_resort(label)
    for label in data.get("cues", {}):
        cue_for(label)
    compiled("hedges", "terms")


def is_table_term(value: str) -> bool:
    """A value some privacy table generalises whole ("Smoker", "Diabetic"): an attribute, not a name."""
    tables = load_data("generalise")["tables"]
    return any(pattern.fullmatch(value.strip()) for key in tables for pattern, _ in compiled("generalise", key))


def privacy_label(label: str) -> str:
    data = load_data("generalise")
    key = label.lower().replace(" ", "_").replace("-", "_")
    return data["label_aliases"].get(key, key)


@cache
def cue_for(label: str) -> re.Pattern[str] | None:
    cues = load_data("generalise").get("cues", {}).get(label)
    return re.compile(rf"(?<![\w'’-])(?:{cues})(?![\w'’-])", FLAGS) if cues else None


def generalise_nrp(text: str, node: Node, value: str) -> str:
    """Nationality/religious/political group: reuse the privacy tables, else a neutral phrase."""
    for key in ("religion", "politics", "ethnicity"):
        for pattern, repl in compiled("generalise", key):
            m = pattern.fullmatch(value.strip())
            if m and repl:
                return m.expand(repl)
    after = text[node.end : node.end + 2]
    if re.match(r" [a-z]", after):
        return "particular"  # adjective before a noun: "a Pakistani activist" -> "a particular activist"
    if re.search(r"(?<![\w'’])(?:is|was|are|were) $", text[max(0, node.start - 6) : node.start], FLAGS):
        return "of a particular background"
    return "a particular group"


_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)")


def generalise_record_id(label: str, value: str) -> str | None:
    """Safe Harbor generalisations a surrogate would overdo: a date (of birth too) keeps only its year, an age over 89
    becomes "over 89", a ZIP code or postcode its kind. None for other labels."""
    if label == "DATE_TIME":
        year = _YEAR.search(value)
        return year.group(0) if year else None
    if label == "DATE_OF_BIRTH":
        # The year of birth is allowed unless it gives an age over 89 (Safe Harbor).
        year = _YEAR.search(value)
        return year.group(0) if year and date.today().year - int(year.group(0)) <= 89 else None
    if label == "AGE":
        return "over 89"
    if label == "ZIP_CODE":
        return "a ZIP code" if re.fullmatch(r"\d{5}(?:-\d{4})?", value.strip()) else "a postcode"
    return None


# Quoted words ("the Jews are responsible for all the wars"): what someone said, not an attribute here.
_QUOTED = re.compile(r"[\"“][^\"“”]*(?:[\"”]|$)")


def tables_for(node: Node) -> list[tuple[str, tuple[tuple[re.Pattern[str], str], ...]]]:
    tables = load_data("generalise")["tables"]
    out: list[tuple[str, tuple[tuple[re.Pattern[str], str], ...]]] = []
    for f in node.semsi:
        if f.category == "privacy":
            label = privacy_label(f.label)
            keys = [label] if label in tables else list(tables)
            # One clause often carries two attributes ("He is Muslim and a Republican") under one label:
            # the tables of the other labels whose cue words it contains apply too.
            # Not a politician's party ("Senator Hollis, a Republican, was convicted of …"): that is public.
            keys += [
                k
                for k in tables
                if k not in keys
                and (cue := cue_for(k)) is not None
                and cue.search(_QUOTED.sub(" ", f.text))  # not a word someone is quoted saying
                and not (k == "politics" and names_a_politician(f.text))
            ]
            out.extend(("privacy", compiled("generalise", k)) for k in keys)
        elif f.category == "harmful":
            out.append(("harmful", compiled("hedges", "terms")))
    if node.semsi and any(f.category == "privacy" for f in node.semsi) and node.children:
        # Terms of the other privacy tables, only to win over a "name" the detector found inside
        # one ("Jehovah" in "Jehovah's Witnesses"): see _render_semsi.
        out.extend(("privacy-cross", compiled("generalise", k)) for k in tables)
    seen: set[int] = set()
    unique = []
    for cat, table in out:
        if id(table) not in seen:
            seen.add(id(table))
            unique.append((cat, table))
    return unique


@cache
def _last_resort(label: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    return compiled_rows(load_data("generalise").get("last_resort", {}).get(label, []))


def last_resort_terms(seg: str, node: Node) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, replacement) in `seg` from the `last_resort` rows of the node's
    privacy labels: an attribute named by its frame, not by a listed term ("diagnosed with glandular
    fever")."""
    out: list[tuple[int, int, str]] = []
    for label in dict.fromkeys(privacy_label(f.label) for f in node.semsi if f.category == "privacy"):
        for pattern, repl in _last_resort(label):
            for m in pattern.finditer(seg):
                if not any(m.start() < e and s < m.end() for s, e, _ in out):
                    out.append((m.start(), m.end(), m.expand(repl)))
    return out


def fallback(text: str, node: Node, ctx: Ctx, *, reason: str) -> str:
    """Replace the whole span by a generalisation of its category (no known term, or a leak)."""
    ctx.strategies.append("generalise")
    if node.pii and not node.semsi:
        return pii_descriptor(node.pii[0].label)
    seg = text[node.start : node.end]
    categories = [f.category for f in node.semsi]
    # The widest statement decides the form: in "her stepdad hits her mum when he's been drinking" the
    # accusation holds the drinking, and "She has a personal health matter" changed who it was about.
    widest = max(node.semsi, key=lambda f: f.end - f.start, default=None)
    privacy = [f for f in node.semsi if f.category == "privacy"]
    if widest is not None and widest.category != "privacy" and not any(
        f.end - f.start >= widest.end - widest.start for f in privacy
    ):
        privacy = []
    if privacy:
        fallbacks = load_data("generalise")["fallbacks"]
        forms = fallbacks.get(privacy_label(privacy[0].label), fallbacks["_default"])
    else:
        kind = "misinformation" if "misinformation" in categories else "harmful"
        forms = load_data("hedges")["wrappers"][kind]
    if privacy and reason == "no_term" and not node.children:
        kept = partial(text, node, ctx, forms, privacy_label(privacy[0].label))
        if kept is not None:
            return kept
    label = _FIELD_LABEL.match(seg)
    if privacy and label and _LINE_START.search(text, 0, node.start):
        # "Diagnosis: Rhabdomyolysis ...": the form's label stays, its value becomes the descriptor.
        return keep_marks(seg, label.group() + forms["np"])
    tense = opens_predicate(text, node.start, seg)
    if tense and "{subject}" in forms["clause"] and not is_clause(text, node.start, seg):
        # A predicate of a subject before it: a predicate replaces it ("..., and had a personal health
        # matter"), in its tense; the words after it (a full stop, a bracket) stay.
        tail_m = TAIL.search(seg)
        return keep_marks(seg, predicate_form(forms, tense) + (seg[tail_m.start() :] if tail_m else ""))
    if not is_clause(text, node.start, seg):
        named = pseudonymise_names(seg, ctx) if not privacy else seg
        return keep_marks(seg, named if named != seg else forms["np"])
    filled = clause_form(forms, subject_of(text, node, ctx))
    tail_m = TAIL.search(seg)
    tail = seg[tail_m.start() :] if tail_m else ""
    lead = seg[: len(seg) - len(seg.lstrip())]
    return keep_marks(seg, lead + match_case(filled, seg.lstrip()) + tail)


# A form field's label opening a statement ("Diagnosis: ", "Background: "), and the start of its line.
_FIELD_LABEL = re.compile(r"(?-i:[A-Z])[\w'’/&-]*(?:[ \t][\w'’/&-]+){0,3}[ \t]*:[ \t]+(?=\S)")
_LINE_START = re.compile(r"(?:^|\n)[ \t>*•·-]*\Z")


def clause_form(forms: dict[str, str], subject: str) -> str:
    plural = subject.lower() in PLURAL_SUBJECTS
    verbs = {"has": "have", "holds": "hold", "keeps": "keep", "takes": "take"}
    filled = forms["clause"].format(subject=subject, **{k: (v if plural else k) for k, v in verbs.items()})
    return agree_possessive(filled, subject)  # "I keep my personal life private"


_TENSES = {"present": ("has", "holds", "keeps", "takes"), "plural": ("have", "hold", "keep", "take"),
           "past": ("had", "held", "kept", "took")}


def predicate_form(forms: dict[str, str], tense: str) -> str:
    """The clause form without its subject: "had a personal health matter"."""
    verbs = dict(zip(("has", "holds", "keeps", "takes"), _TENSES[tense], strict=True))
    return forms["clause"].format(subject="", **verbs).strip()


def partial(text: str, node: Node, ctx: Ctx, forms: dict[str, str], label: str) -> str | None:
    """Generalise only the parts of a clause that carry the attribute (a cue word of its label);
    the other parts, and every separator, bracket and quote between them, stay as they are."""
    cue = cue_for(label)
    seg = text[node.start : node.end]
    if cue is None:
        return None
    parts: list[tuple[int, int]] = []
    pos = 0
    for m in _PART_SEP.finditer(seg):
        if m.start() > pos:
            parts.append((pos, m.start()))
        pos = m.end()
    tail_m = TAIL.search(seg[pos:])
    end = pos + (tail_m.start() if tail_m else len(seg) - pos)
    if end > pos:
        parts.append((pos, end))
    parts = [(a, b) for a, b in parts if seg[a:b].strip(STRIP + " ")]
    sensitive = [(a, b) for a, b in parts if cue.search(seg[a:b])]
    if len(parts) < 2 or not sensitive:
        return None
    subject = subject_of(text, node, ctx)
    reps: list[tuple[int, int, str]] = []
    for i, (a, b) in enumerate(sensitive):
        first = a == parts[0][0]
        word = seg[a:b].split(" ", 1)[0].strip(STRIP)
        who = word if word.lower() in PRONOUNS else subject if first or i == 0 else "this"
        if not first and who.lower() in PRONOUNS and who != "I":
            who = who.lower()
        if not first and who == subject and subject == "this person":
            who = "this"
        reps.append((a, b, clause_form(forms, who) if who != "this" else forms["np"]))
    ctx.strategies.append("generalise")
    before = text[max(0, node.start - 80) : node.start]
    return collapse_repeats(splice(seg, reps, before), [r for *_, r in reps])
