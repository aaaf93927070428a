"""Pseudonymise: names and other direct identifiers become surrogates (data/editing/surrogates.json,
through semsiedit/editing/surrogates.py), and the subject of a statement is named consistently."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from semsiedit.detection.lexicon import term_matcher
from semsiedit.detection.names import DEDICATIONS, NICKNAMED, not_a_location
from semsiedit.editing.grammar import FLAGS, PRONOUNS, STRIP, function_words, grammar, match_case
from semsiedit.editing.surrogates import canonical_label, split_title, title_before
from semsiedit.places import is_city, is_known_place, location_kind, state_code
from semsiedit.text import STAND_IN, paragraph_around, wrapped_line

if TYPE_CHECKING:
    from semsiedit.editing.spans import Ctx, Node

MULTI_NAME = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?: [A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2}(?![\w-])")
SURROGATE = re.compile(STAND_IN)
# Where a detected "name" runs into other text: a line break, a bracket or quote, a sentence end.
_NAME_BREAK = re.compile(r"\s*\n\s*|\s*[\"“”()\[\]<>|]+\s*|[.!?;:]+[\"”’)]*\s+")
_NAME_LIKE = re.compile(r"^(?:[A-Z][\w.'’-]*)(?: (?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le|bin|al))*$")


def usable_name(value: str | None) -> bool:
    """A subject that can be pseudonymised: a name, not a pronoun, a single letter or a surrogate."""
    if not value or not value.strip():
        return False
    v = value.strip()
    if len(v) < 2 or v.lower() in PRONOUNS or v.lower() in {"me", "him", "her", "us", "them", "my"}:
        return False
    if SURROGATE.fullmatch(v):
        return False
    # A role noun opening the sentence ("Parents of both children were informed"), not a name.
    if " " not in v and {v.lower(), v.lower().removesuffix("s")} & person_nouns():
        return False
    # Text in capitals looks like a name word by word: "SHE IS DIABETIC" is a pronoun and a verb.
    if v.isupper() and any(w.lower() in PRONOUNS or w.lower() in function_words()[0] for w in v.split()):
        return False
    return bool(_NAME_LIKE.match(v))


@lru_cache(maxsize=1)
def _not_person_words() -> frozenset[str]:
    return frozenset(grammar()["not_person_words"])


@lru_cache(maxsize=1)
def _verb_words() -> frozenset[str]:
    g = grammar()
    return frozenset(w.lower() for w in [*g["participles"], *g["verbs"], *g.get("headline_verbs", [])])


def verb_in_name(value: str) -> bool:
    """A detected "name" with a verb in it ("Mayor Accused" in a Title Case headline) is no name."""
    words = split_title(value.strip())[1].split()
    return any(w.lower().strip(".,'’") in _verb_words() for w in words)


def looks_like_person(match: re.Match[str]) -> bool:
    """A capitalised 2-3 word sequence that is not a sentence opener, an organisation, a place, or
    words of a Title Case headline ("Steering Contracts")."""
    from semsiedit.detection.first_names import is_given_name
    from semsiedit.detection.names import after_the, is_title, org_words, vehicle_makes

    name, seg = match.group(0), match.string
    words = name.split()
    if words[0] in function_words()[1] or any(w in _not_person_words() for w in words):
        return False
    if words[0] in vehicle_makes():
        return False  # "a blue Vauxhall Corsa": a car
    if after_the(seg, match.start()) and not (
        is_title(words[0]) or is_given_name(words[0])
    ):
        return False  # "outside the Red Lion": a pub's or a building's name
    if term_matcher("privacy").has_term(name):
        return False  # "applied for Universal Credit": an attribute term, the tables' to generalise
    if len(words) > 1 and words[-1] == "General" and not is_title(words[0]):
        return False  # "Northgate General", "Mass General": a hospital
    following = re.match(r"[ \t]+([A-Z][\w.]*)", seg[match.end() :])
    if any(w.lower() in org_words() for w in [*words, *(following.groups() if following else ())]):
        return False  # "Cobalt Paving LLC", "Riverside Clinic"
    long_words = re.findall(r"[^\W\d_]{4,}", seg)
    if len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) >= 0.75 * len(long_words):
        return False  # a headline capitalises every word
    return location_kind(name) == "a city"  # the gazetteer's default: not a known country/state/region


def name_core(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside a PERSON finding that runs into other text ("Rebecca Harcourt\\nPartner",
    "Person I.” Haßler"): the first piece that is not our own surrogate; the rest stays as it is.
    None when every piece is a surrogate already."""
    value = text[start:end]
    if NICKNAMED.fullmatch(value):
        return start, end  # 'Robert "Bob" Hale': the quotes are inside the name
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _NAME_BREAK.finditer(value):
        if m.start() == 0 and m.end() == len(value):
            break
        punct = m.group(0).strip()
        if not punct and wrapped_line(text[: start + m.start()], text, start + m.end()):
            continue  # a hard wrap inside prose: "your manager, Sandeep\nGill, discriminated ..."
        if punct[:1] in ".!?;:" and "\n" not in m.group(0):
            word = re.search(r"(?:^|\s)(\S+)$", value[: m.start()])
            # "Douglas T. Farraday", "Dr. Maria": an initial or a title, not the end of a sentence.
            initials = word and re.fullmatch(r"(?:[A-Z]\.)*[A-Z]", word.group(1))
            short = word and len(word.group(1)) <= 2
            if word and (initials or short or title_before(word.group(1) + " ", len(word.group(1)) + 1)):
                continue
        pieces.append((pos, m.start()))
        pos = m.end()
    pieces.append((pos, len(value)))
    for a, b in pieces:
        piece = value[a:b]
        core = piece.strip(STRIP + " \t")
        if not core or not any(ch.isupper() for ch in core) or SURROGATE.fullmatch(core):
            continue
        if SURROGATE.search(piece):
            continue
        lead = len(piece) - len(piece.lstrip(STRIP + " \t"))
        stop = start + a + lead + len(core)
        initial = re.search(r"(?:^|[\s.])[A-Z]$", core)
        if initial and re.match(r"\.(?:[,;:)]|[ \t]{2,}|\t)", text[stop : stop + 3]):
            stop += 1  # "client R.K., 38", "Hernandez, Luis A.    MRN": the initial's full stop
        return start + a + lead, stop
    return None


# The name of an identifier right before its value ("MRN 00482913", "Employee ID E-40917", "#88213"):
# the value stands in a label's slot, so it reads "MRN withheld", not "MRN a confidential detail".
_ID_LABEL = re.compile(
    r"(?:(?<![\w'’])(?:passport|account|policy|reference|member(?:ship)?|licen[cs]e|case|claim|serial|tax|patient|"
    r"record|insurance|employee|staff|student|badge|collar|shoulder|warrant|juror|NHS|social security) "
    r"(?:number|no\.?|#)|#|"
    r"(?<![\w'’])(?:MRN|IDs?|No\.?|nos?\.|ref(?:erence)?|account|acct\.?|policy|member|licen[cs]e|"
    r"plate|badge|case|claim|invoice|order|ticket|file|serial|passport|SSN|SIN|PPSN?|TFN|VIN|NHS|NPI|PIN|CRN|IMEI|GPhC|GMC|NMC|"
    r"HCPC|DEA|customer|client|"
    r"subscriber|patient|payroll|juror|prisoner|inmate|incident|employee|"
    r"ICD(?:-?\d+(?:-CM)?)?|DSM-5|(?:diagnosis|dx) codes?|"
    r"(?:card|passport|account|licence|number|Visa|Mastercard|Amex|Maestro) (?:ending|ends)(?: in| with)?|ending in|"
    r"last (?:four|4)(?: digits)?(?: of [\w ]{2,20}?)?(?: are| is)?|"
    r"reg|registration|"
    r"sort code|IBAN|BIC|SWIFT|routing number))[ \t]?\n?$",
    re.IGNORECASE,
)


def _not_a_name_word(value: str) -> bool:
    """A subject that is a gerund, a role noun or ends in a common word ("B. Several" where the parser
    ran "block B. Several residents" together): not a name to replace."""
    from semsiedit.detection.names import is_common_word

    words = value.split()
    return bool(re.fullmatch(r"[A-Z][a-z]+ing", value)) or not words or is_common_word(words[-1], "")


def slot(text: str, start: int) -> str:
    before = text[max(0, start - 40) : start]
    if re.search(r",[ \t]*(?-i:[A-Z]{2})[ \t]+$", before) and state_code(before.split()[-1]):
        return "np"  # "Boise, ID 83709": Idaho before a ZIP code, not an identifier's label
    if re.search(r"(?:^|\n)[ \t]*(?:to|cc|bcc|from|reply-to|sender|recipients?)[ \t]*:[ \t]*$", before, FLAGS):
        return "np"  # an e-mail header names no type: "To: an e-mail address", not "To: withheld"
    if re.search(r"(?:[:=]|(?<![\w'’])(?:is|was|are|were))\s*$", before, FLAGS) or _ID_LABEL.search(before):
        return "label"
    contact = r"at|to|on|via|through|from|under|with|call|text|phone|ring|dial|contact|e-?mail|reach|message|visit"
    if re.search(rf"(?<![\w'’])(?:{contact})\s+$", before, FLAGS):
        return "prep"
    return "np"


# The characters either side of a value inside a file path or URL path.
_IN_A_PATH = re.compile(r"[/\\][/\\._-]")


# Kinds whose descriptor names what the value was ("an e-mail address", "a city"): kept in a table's cell.
_NAMED_KINDS = frozenset({"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "LOCATION", "ADDRESS", "URL", "DATE_TIME",
                          "ORGANIZATION", "NRP", "IP_ADDRESS", "USERNAME"})  # fmt: skip


def _whole_cell(text: str, start: int, end: int) -> bool:
    """The value fills a cell of a CSV, tab-separated or pipe table row."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not re.search(r"[,|\t]", text[line_start:line_end]):
        return False
    before, after = text[line_start:start].rstrip(" "), text[end:line_end].lstrip(" ")
    return (not before or before[-1] in ",|\t") and (not after.strip() or after[0] in ",|\t")


def render_pii(text: str, node: Node, ctx: Ctx) -> str:
    finding = min(node.pii, key=lambda f: canonical_label(f.label) != "PERSON")
    label = canonical_label(finding.label)
    value = text[node.start : node.end]
    if ctx.mode == "descriptor" and _IN_A_PATH.match(text[node.start - 1 : node.start] + text[node.end : node.end + 1]):
        ctx.strategies.append("generalise")
        return f"[{label}]"  # "/exports/40417/report.csv" -> "/exports/[ID]/report.csv": a phrase would break the path
    where = slot(text, node.start)
    if label == "ADDRESS" and where == "label" and re.search(r":[ \t]*\Z", text[max(0, node.start - 4) : node.start]):
        where = "prep"  # a form's field reads "Address: a private address"; "Her address is withheld"
    elif where == "np" and label not in _NAMED_KINDS and _whole_cell(text, node.start, node.end):
        where = "label"  # a table's cell: "1041,Hannah Price" reads "withheld,Person RM"
    out = ctx.surrogates.render(label, value, mode=ctx.mode, slot=where, scope=ctx.scope)  # type: ignore[arg-type]
    if ctx.mode == "descriptor":
        ctx.strategies.append("pseudonym" if label == "PERSON" else "generalise")
    elif ctx.mode == "fake" and (out.startswith("a ") or out.startswith("an ") or out == "withheld"):
        ctx.strategies.append("generalise")  # no fake generator for this type: a descriptor stood in
    else:
        ctx.strategies.append(ctx.mode)
    return out


_POSSESSORS = {"her": "she", "his": "he", "their": "they", "its": "it", "my": "I", "our": "we", "your": "you"}


@lru_cache(maxsize=1)
def person_nouns() -> frozenset[str]:
    return frozenset(grammar()["person_nouns"])


_POSSESSIVE_SUBJECTS = {"his": "he", "her": "she", "their": "they", "my": "I", "our": "we", "your": "you"}


def subject_of(text: str, node: Node, ctx: Ctx) -> str:
    seg = text[node.start : node.end].lstrip()
    lead = node.start + (len(text[node.start : node.end]) - len(seg))
    for child in node.children:
        if child.start == lead and child.pii and canonical_label(child.pii[0].label) == "PERSON":
            return text[child.start : child.end] if ctx.profile == "public" else render_pii(text, child, ctx)
    first = seg.split(" ", 1)[0].strip(STRIP)
    if first.lower() in PRONOUNS:
        return first
    possessor = _POSSESSORS.get(first.lower())
    if possessor:
        words = seg.split()
        noun = words[1].strip(STRIP).lower() if len(words) > 1 else ""
        # "her son ..." is about the son; "her marriage to X ..." about her, not about X.
        return f"{first} {words[1].strip(STRIP)}" if noun in person_nouns() else match_case(possessor, first)
    paragraph = text[slice(*paragraph_around(text, node.start, node.end))]
    for f in node.semsi:
        if f.subject and f.subject.strip().lower() in _POSSESSIVE_SUBJECTS:
            return match_case(_POSSESSIVE_SUBJECTS[f.subject.strip().lower()], f.subject.strip())  # "his" -> "he"
        if f.subject and f.subject.strip():
            if f.subject.strip().lower() not in PRONOUNS and f.subject.strip() not in paragraph:
                continue  # named elsewhere (a byline above a headline): not who this statement is about
            if f.subject.strip().lower() in PRONOUNS or ctx.profile == "public":
                return f.subject.strip()  # public people keep their names
            known = ctx.surrogates.lookup_person(f.subject, mode=ctx.mode, scope=ctx.scope)  # type: ignore[arg-type]
            if known:
                return known
            subject = f.subject.strip()
            place = is_city(subject) or is_known_place(subject) or any(
                c.pii and canonical_label(c.pii[0].label) != "PERSON" and text[c.start : c.end].strip() == subject
                for c in node.children
            )
            if place:
                continue  # "a federal jury in Manhattan found him guilty": the place is nobody to hedge about
            if usable_name(f.subject):
                return ctx.surrogates.render("PERSON", f.subject.strip(), mode=ctx.mode, scope=ctx.scope)  # type: ignore[arg-type]
            return f.subject.strip()
    return "this person"


def name_reps(seg: str, node: Node, claimed: list[tuple[int, int]], ctx: Ctx) -> list[tuple[int, int, str]]:
    """Surrogates for names in `seg` outside `claimed`: multi-word names and the finding's subject.
    None under the public profile: public people keep their names."""
    if ctx.profile == "public":
        return []
    taken = claimed
    patterns = [MULTI_NAME]
    # Our own surrogates are not names to replace again ("Person I" is not the pronoun "I").
    taken = [*taken, *((m.start(), m.end()) for m in SURROGATE.finditer(seg))]
    for f in node.semsi:
        # A gerund opening the sentence ("Drinking bleach cures ...") or a role noun ("Wife present",
        # "Patient is ...") is the subject, not a name.
        # Nor is the attribute itself, when the parse made it its own subject (a form's "Smoker: Yes"), nor a
        # country or state the statement happens to name ("A jury in Delaware found him ..."): both profiles
        # keep those.
        subject = (f.subject or "").strip()
        no_person = (
            subject == f.text.strip()
            or (f.subject is not None and is_known_place(subject))
            or subject in not_a_location()  # a department, an agency, a chain: "the DBS check came back ..."
            or (subject.isalpha() and subject.isupper() and len(subject) <= 5)  # "report ongoing ASB: ..."
        )
        if usable_name(f.subject) and not _not_a_name_word(subject) and not no_person:
            assert f.subject is not None
            parts = [p for p in split_title(f.subject.strip())[1].split() if len(p) > 2 and p[0].isupper()]
            alternatives = sorted({f.subject.strip(), *parts}, key=len, reverse=True)
            names = "|".join(map(re.escape, alternatives))
            patterns.append(re.compile(rf"(?<![\w'’-])(?:{names})(?![\w-])"))
    out: list[tuple[int, int, str]] = []
    for pattern in patterns:
        for m in pattern.finditer(seg):
            span = (m.start(), m.end())
            if any(span[0] < e and s < span[1] for s, e in [*taken, *[(a, b) for a, b, _ in out]]):
                continue
            label = "PERSON"
            if pattern is MULTI_NAME and m.group(0).split()[0] in DEDICATIONS:
                label = "ORGANIZATION"  # "she's in the Royal Alex": a hospital, not a person
                if possessive := re.match(r"['’]s(?![\w'’-])", seg[span[1] :]):
                    span = (span[0], span[1] + possessive.end())  # "at St Bede's": the school's name is whole
            elif pattern is MULTI_NAME and not looks_like_person(m):
                continue
            name = ctx.surrogates.render(label, seg[span[0] : span[1]], mode=ctx.mode, scope=ctx.scope)  # type: ignore[arg-type]
            out.append((span[0], span[1], name))
    if out:
        ctx.strategies.append("pseudonym" if ctx.mode == "descriptor" else ctx.mode)
        claimed.extend((a, b) for a, b, _ in out)
    return out


def pseudonymise_names(seg: str, ctx: Ctx) -> str:
    """Names inside a flagged fragment ("Bill Clinton with Jeffrey Epstein") become surrogates
    (not under the public profile)."""
    if ctx.profile == "public":
        return seg

    def swap(m: re.Match[str]) -> str:
        ctx.strategies.append("pseudonym" if ctx.mode == "descriptor" else ctx.mode)
        return ctx.surrogates.render("PERSON", m.group(0), mode=ctx.mode, scope=ctx.scope)  # type: ignore[arg-type]

    return MULTI_NAME.sub(lambda m: swap(m) if looks_like_person(m) else m.group(0), seg)
