"""The local editor (no LLM): surrogates for PII, generalisation for identity attributes, hedging
for harmful and unverified claims (SPEC §3). It is the default without an LLM and the fallback
when an LLM edit is rejected, so it must always produce a usable, non-destructive edit.

How one document is edited:
1. findings become a tree of spans: partial overlaps are merged, identical spans share a node,
   a name inside a flagged clause becomes a child of the clause (so edits never overlap);
2. each top-level node becomes one Edit: children are rendered first (surrogates), then the
   clause's own attribute terms are replaced from the tables in data/editing/, then the clause is
   hedged (harmful) or attributed (misinformation);
3. small grammar repairs at every seam: a/an agreement, "the a city" -> "the city", a capital
   at a sentence start; a clause with no known term falls back to a whole-clause generalisation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from semsiedit.editing.proposal import Proposal
from semsiedit.editing.surrogates import (
    SurrogateMap,
    canonical_label,
    load_data,
    location_kind,
    split_title,
    title_before,
)
from semsiedit.types import Edit, Finding, Usage

if TYPE_CHECKING:
    from semsiedit.config import Settings

_FLAGS = re.IGNORECASE
_PLURAL_SUBJECTS = {"they", "we", "you", "i"}
_PRONOUNS = {"he", "she", "they", "we", "i", "you", "it"}
_DETERMINERS = r"a|an|the|this|that|these|those|my|your|his|her|its|our|their|[\w-]+['’]s"
_LEFT_DET = re.compile(rf"(?<![\w'’-])({_DETERMINERS}) $", _FLAGS)
_LEFT_ARTICLE = re.compile(r"(?<![\w'’-])(a|an) $", _FLAGS)
_RIGHT_ARTICLE = re.compile(r"(a|an|the) (?=\S)", _FLAGS)
_TOKEN = re.compile(r"\S+")
_STRIP = "\"'“”‘’()[],.;:!?"
_TAIL = re.compile(r"[\s.!?;:,\"'”’)\]]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"“(]?[A-Z0-9<])")
_MULTI_NAME = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?: [A-Z][a-z]+(?:-[A-Z][a-z]+)?){1,2}(?![\w-])")
_SURROGATE = re.compile(r"Person [A-Z]{1,3}(?![\w])|<[A-Z_]+_\d+>")
# Where a detected "name" runs into other text: a line break, a bracket or quote, a sentence end.
_NAME_BREAK = re.compile(r"\s*\n\s*|\s*[\"“”()\[\]<>|]+\s*|[.!?;:]+[\"”’)]*\s+")
# Between the parts of a clause: kept verbatim when only the sensitive part is generalised.
_PART_SEP = re.compile(
    r"\s*[()\[\]\"“”]\s*|,\s+(?:(?:and|but|or|while|so)\s+)?|;\s+|\s+[—–-]\s+"
    r"|\s+(?:and|but|while|whereas|although|though|because)\s+|\s*\n\s*"
)
_BRACKETS = {"(": ")", "[": "]", "“": "”"}
# Nouns that end in -ly: never moved around as adverbs.
_NOT_ADVERBS = {
    "family", "assembly", "supply", "reply", "rally", "belly", "bully", "ally", "jelly", "italy", "july",
    "monopoly", "anomaly", "early", "only", "daily", "likely", "elderly", "holy", "ugly", "silly", "costly",
    "deadly", "lovely", "weekly", "monthly", "yearly", "friendly", "lonely", "lowly", "jolly", "fly", "apply",
}  # fmt: skip
_NAME_LIKE = re.compile(r"^(?:[A-Z][\w.'’-]*)(?: (?:[A-Z][\w.'’-]*|de|van|von|da|del|la|le|bin|al))*$")


@dataclass
class _Node:
    start: int
    end: int
    findings: list[Finding]
    children: list[_Node] = field(default_factory=list)

    @property
    def semsi(self) -> list[Finding]:
        return [f for f in self.findings if f.category != "pii"]

    @property
    def pii(self) -> list[Finding]:
        return [f for f in self.findings if f.category == "pii"]

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for child in self.children:
            out.extend(child.all_findings())
        return out


@dataclass
class _DocState:
    """Per-document bookkeeping shared by the edits of one `propose` call."""

    text: str
    noted: set[tuple[str, int]] = field(default_factory=set)  # (kind, line start) that carry a hedge note
    notes: int = 0

    @classmethod
    def of(cls, text: str) -> _DocState:
        state = cls(text)
        wrappers = load_data("hedges")["wrappers"]
        for kind, forms in wrappers.items():
            marks = [*forms.get("suffixes", [forms["suffix"]]), forms["closing"]]
            for mark in marks:
                for m in re.finditer(re.escape(mark.strip(" ,")), text):
                    state.noted.add((kind, text.rfind("\n", 0, m.start()) + 1))
                    state.notes += 1
        return state


@dataclass
class _Ctx:
    """Per-edit bookkeeping while a top-level node is rendered."""

    scope: set[int]
    doc: _DocState = field(default_factory=lambda: _DocState(""))
    strategies: list[str] = field(default_factory=list)
    removed_terms: list[str] = field(default_factory=list)  # attribute terms the output must not contain


@cache
def _compiled(name: str, key: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    data = load_data(name)
    rows = data["tables"][key] if name == "generalise" else data[key]
    # Word boundaries on both sides; a pattern that ends with its own space ("gay (?=[a-z])") ends on one.
    boundary = r"(?:(?<=\s)|(?![\w'’]))"
    # Not right after a hyphen either: "second-mortgage" is not the attribute "mortgage".
    return tuple((re.compile(rf"(?<![\w'’-])(?:{pattern}){boundary}", _FLAGS), repl) for pattern, repl in rows)


def _privacy_label(label: str) -> str:
    data = load_data("generalise")
    key = label.lower().replace(" ", "_").replace("-", "_")
    return data["label_aliases"].get(key, key)


def _article_for(word: str) -> str:
    w = word.strip(_STRIP)
    if not w:
        return "a"
    if len(w) > 1 and w.isupper() and w.isalpha():  # read as letters: "an HIV test", "a UN report"
        return "an" if w[0] in "AEFHILMNORSX" else "a"
    lw = w.lower()
    if lw.startswith(("hour", "honest", "honor", "honour", "heir")):
        return "an"
    if lw.startswith(("uni", "use", "usu", "eu", "one", "once", "ubiq", "ura", "ure", "uti", "u.")):
        return "a"
    if lw[0].isdigit():
        return "an" if lw.startswith(("8", "11", "18")) else "a"
    return "an" if lw[0] in "aeiou" else "a"


def _match_case(template: str, like: str) -> str:
    return template[:1].upper() + template[1:] if like[:1].isupper() else template


_ABBREVIATIONS = {"no", "nr", "vs", "etc", "approx", "dr", "mr", "mrs", "ms", "st", "ref", "tel", "e.g", "i.e", "cf"}


def _at_sentence_start(before: str) -> bool:
    stripped = before.rstrip(" \t\"'“‘([")
    if stripped.endswith(".") and re.search(r"(?:^|[\s(])([\w.]+)\.$", stripped):
        word = re.search(r"(?:^|[\s(])([\w.]+)\.$", stripped).group(1)  # type: ignore[union-attr]
        if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
            return False  # "permit no. AT-…", "Douglas T. Farraday"
    return not stripped or stripped[-1] in ".!?\n\r"


def _fix_seam(result: str, j: int) -> str:
    """Grammar at a seam where new text starts at result[j]: a/an, and doubled determiners."""
    left, right = result[:j], result[j:]
    det, rep = _LEFT_DET.search(left), _RIGHT_ARTICLE.match(right)
    art = _LEFT_ARTICLE.search(left)
    # A capital "A" mid-sentence is a letter in a name ("Person A"), not an article.
    if det and det.group(1)[0].isupper() and not _at_sentence_start(left[: det.start()]):
        det = None
    if art and art.group(1)[0].isupper() and not _at_sentence_start(left[: art.start()]):
        art = None
    if det and rep:
        if det.group(1).lower() in ("a", "an"):  # "a a chronic condition": keep the new article
            new = _match_case(rep.group(1).lower(), det.group(1))
            return left[: det.start()] + new + right[len(rep.group(1)) :]
        return left + right[rep.end() :]  # "the a city", "her a family matter": drop the new article
    if rep and rep.group(1).lower() in ("a", "an"):
        # "the religious a place of worship", "early-stage a medical issue", "the 2024 a city":
        # the new article follows an adjective or sits inside a noun phrase that has its own.
        prev = re.search(r"(?<![\w'’-])([\w'’-]+) $", left)
        if prev and (
            prev.group(1).lower() in _adjective_reps()
            or re.fullmatch(r"[a-z]+(?:-[a-z]+)+", prev.group(1))
            or re.search(rf"(?<![\w'’-])(?:{_DETERMINERS}) \d[\d,.]*s? $", left, _FLAGS)
        ):
            return left + right[rep.end() :]
    hedge = re.match(r"([a-z]+ly) ", right)
    if hedge and hedge.group(1) in _word_sets()[0]:
        # "repeatedly allegedly mistreated" -> "allegedly repeatedly mistreated"
        adv = re.search(r"(?<![\w'’-])([a-z]+ly) $", left)
        if adv and adv.group(1) not in _NOT_ADVERBS and adv.group(1) not in _word_sets()[0]:
            return left[: adv.start()] + hedge.group(0) + adv.group(0) + right[hedge.end() :]
    first = re.match(r"([A-Za-z]{3,})(?![\w'’-])", right)
    last = re.search(r"(?<![\w'’-])([A-Za-z]{3,}) $", left)
    if first and last and first.group(1).lower() == last.group(1).lower():
        # "his religious religious beliefs": a replacement repeats the word before it.
        return left + right[first.end() :].lstrip(" ")
    word = re.match(r"[^\s]+", right)
    if art and word:
        fixed = _match_case(_article_for(word.group(0)), art.group(1))
        if fixed != art.group(1):
            return left[: art.start()] + fixed + " " + right
    return result


def _splice(seg: str, reps: Sequence[tuple[int, int, str]], before: str) -> str:
    """seg with non-overlapping (start, end, replacement) applied; seams repaired."""
    out: list[str] = []
    seams: list[int] = []
    pos = length = 0
    for start, end, rep in sorted(reps, key=lambda r: (r[0], r[1])):
        gap = seg[pos:start]
        out.append(gap)
        length += len(gap)
        original = seg[start:end]
        if rep.strip():
            # Keep the whitespace the match took with it: "$38,000 behind" -> "a sum of money behind".
            lead = original[: len(original) - len(original.lstrip())]
            trail = original[len(original.rstrip()) :]
            out.append(lead)
            length += len(lead)
            rep = rep.strip() + trail
            original = original.strip()
        if rep and rep[0].islower() and original[:1].isupper():
            context = before[-80:] + "".join(out)[-80:]
            if _at_sentence_start(context):
                rep = rep[0].upper() + rep[1:]
        seams.append(length)
        out.append(rep)
        length += len(rep)
        pos = end
    out.append(seg[pos:])
    result = "".join(out)
    for j in reversed(seams):
        result = _fix_seam(result, j)
    return re.sub(r"(?<=\S)  +(?=\S)", " ", result) if "  " not in seg else result


@lru_cache(maxsize=1)
def _adjective_reps() -> frozenset[str]:
    """One-word replacements from the tables ("religious", "political"): an article cannot follow them."""
    words: set[str] = set()
    rows = [r for table in load_data("generalise")["tables"].values() for r in table] + load_data("hedges")["terms"]
    for _, repl in rows:
        if re.fullmatch(r"[a-z]+(?:-[a-z]+)?", repl):
            words.add(repl)
    return frozenset(words)


@lru_cache(maxsize=1)
def _claim_cue() -> re.Pattern[str]:
    cues = "|".join(load_data("hedges")["grammar"]["claim_cues"])
    return re.compile(rf"(?<![\w'’-])(?:{cues})(?![\w'’-])", _FLAGS)


def _claim_like(statement: str) -> bool:
    """An assertive causal, medical or conspiratorial claim (the kind misinformation hedges are for)."""
    return bool(_claim_cue().search(statement))


@cache
def _cue(label: str) -> re.Pattern[str] | None:
    cues = load_data("generalise").get("cues", {}).get(label)
    return re.compile(rf"(?<![\w'’-])(?:{cues})(?![\w'’-])", _FLAGS) if cues else None


def _usable_name(value: str | None) -> bool:
    """A subject that can be pseudonymised: a name, not a pronoun, a single letter or a surrogate."""
    if not value or not value.strip():
        return False
    v = value.strip()
    if len(v) < 2 or v.lower() in _PRONOUNS or v.lower() in {"me", "him", "her", "us", "them", "my"}:
        return False
    if _SURROGATE.fullmatch(v):
        return False
    return bool(_NAME_LIKE.match(v))


def _grammar() -> dict[str, list[str]]:
    return load_data("hedges")["grammar"]


@lru_cache(maxsize=1)
def _not_person_words() -> frozenset[str]:
    return frozenset(_grammar()["not_person_words"])


def _looks_like_person(match: re.Match[str]) -> bool:
    """A capitalised 2-3 word sequence that is not a sentence opener, an organisation, a place, or
    words of a Title Case headline ("Steering Contracts")."""
    from semsiedit.detection.names import org_words

    name, seg = match.group(0), match.string
    words = name.split()
    if words[0] in _function_words()[1] or any(w in _not_person_words() for w in words):
        return False
    following = re.match(r"[ \t]+([A-Z][\w.]*)", seg[match.end() :])
    if any(w.lower() in org_words() for w in [*words, *(following.groups() if following else ())]):
        return False  # "Cobalt Paving LLC", "Riverside Clinic"
    long_words = re.findall(r"[^\W\d_]{4,}", seg)
    if len(long_words) >= 4 and sum(w[0].isupper() for w in long_words) >= 0.75 * len(long_words):
        return False  # a headline capitalises every word
    return location_kind(name) == "a city"  # the gazetteer's default: not a known country/state/region


@lru_cache(maxsize=1)
def _function_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words a verb cannot directly follow, capitalised words that are not names)."""
    g = _grammar()
    return frozenset(g["function_words"]), frozenset(g["not_names"])


@lru_cache(maxsize=1)
def _word_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    g = _grammar()
    return (
        frozenset(g["hedge_words"]),
        frozenset(g["auxiliaries"]),
        frozenset(g["participles"]),
        frozenset(g["verbs"]),
    )


def insert_hedge(sentence: str, adverb: str) -> str | None:
    """Put a hedge adverb inside a statement ("X allegedly took ..."); None when there is no room.

    The adverb goes after a copula or before a participle ("was allegedly found"), else before the
    first auxiliary ("allegedly has"), else before a known or past-tense verb, else after the first
    word. Never at position 0, so the original statement does not survive verbatim.
    """
    hedges, aux, participles, verbs = _word_sets()
    function_words = _function_words()[0]
    tokens = list(_TOKEN.finditer(sentence))
    if len(tokens) < 2:
        return None
    words = [t.group(0).strip(_STRIP).lower() for t in tokens]
    if any(w in hedges for w in words):
        return sentence
    at: int | None = None
    for i in range(1, len(tokens)):
        if words[i] in aux:
            nxt = words[i + 1] if i + 1 < len(words) else ""
            after = words[i] in ("is", "are", "was", "were") or nxt in participles or nxt.endswith(("ed", "en", "ing"))
            at = i + 1 if after and i + 1 < len(tokens) else i
            break
    if at is None:
        for i in range(1, len(tokens)):
            w = words[i]
            if words[i - 1] in function_words or not tokens[i].group(0)[:1].islower():
                continue
            if w in verbs or (len(w) > 3 and w.endswith("ed") and "-" not in w):
                at = i
                break
    if at is None:
        # No verb found: after the first word that is not a determiner or preposition.
        lower = [t.group(0)[:1].islower() for t in tokens]
        at = next((i for i in range(1, len(tokens)) if words[i - 1] not in function_words and lower[i]), None)
        if at is None:
            return None
    pos = tokens[at].start()
    return sentence[:pos] + adverb + " " + sentence[pos:]


def _is_clause(text: str, start: int, seg: str) -> bool:
    """A statement (subject + predicate), not a noun-phrase fragment like "Bill Clinton's account"."""
    tokens = [t.strip(_STRIP).lower() for t in seg.split()]
    if len(tokens) < 3:
        return False
    before = text[max(0, start - 40) : start].rstrip(" \t")
    if not before or before[-1] in '.!?\n\r;:,(—–-"“':
        return True
    if tokens[0] in _PRONOUNS - {"it"}:
        return True  # "I see a therapist every week": a pronoun subject starts a statement
    _, aux, _, verbs = _word_sets()
    return any(t in aux or t in verbs or (len(t) > 3 and t.endswith("ed")) for t in tokens[1:])


class LocalEditor:
    """Rewrites flagged spans with tables and surrogates; deterministic, no network."""

    def __init__(self, settings: Settings, surrogates: SurrogateMap | None = None) -> None:
        self.settings = settings
        self.surrogates = surrogates if surrogates is not None else SurrogateMap()

    @property
    def mode(self) -> str:
        return self.settings.pseudonyms

    # -- entry point ---------------------------------------------------------------------------

    def propose(self, text: str, context: str | None, findings: Sequence[Finding]) -> Proposal:
        """One non-overlapping Edit per group of overlapping findings. `context` is not needed locally."""
        notes: list[str] = []
        valid = self._validate(text, findings, notes)
        scope: set[int] = set()
        # Full names first, so "Gonzalez" later in the text resolves to "Maria Gonzalez".
        people = [f for f in valid if f.category == "pii" and canonical_label(f.label) == "PERSON"]
        for f in sorted(people, key=lambda f: (-len(split_title(f.text)[1].split()), f.start)):
            self.surrogates.render("PERSON", f.text, mode=self.mode, scope=scope)  # type: ignore[arg-type]
        doc = _DocState.of(text)
        edits = [self._edit(text, node, scope, notes, doc) for node in self._tree(text, valid)]
        return Proposal([e for e in edits if e is not None], Usage(), notes)

    # -- findings -> tree ----------------------------------------------------------------------

    @staticmethod
    def _validate(text: str, findings: Sequence[Finding], notes: list[str]) -> list[Finding]:
        """Findings whose offsets fit the text; a stale offset is repaired by locating the quote."""
        out = []
        for i, f in enumerate(findings):
            name = f.id or f"#{i + 1}"
            if not f.text.strip():
                notes.append(f"local editor: finding {name} is empty; skipped")
                continue
            if 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text:
                out.append(f)
                continue
            hits = [m.start() for m in re.finditer(re.escape(f.text), text)]
            if not hits:
                notes.append(f"local editor: finding {name} not found in the text; skipped")
                continue
            start = min(hits, key=lambda h: abs(h - f.start))
            out.append(Finding(**{**f.__dict__, "start": start, "end": start + len(f.text)}))
            notes.append(f"local editor: finding {name} offsets repaired")
        return out

    def _range(self, text: str, f: Finding) -> tuple[int, int] | None:
        start, end = f.start, f.end
        if f.category == "pii" and canonical_label(f.label) == "PERSON":
            trimmed = _name_core(text, start, end)
            if trimmed is None:
                return None  # nothing but our own surrogates: not a new name
            start, end = trimmed
            # "my brother Kenneth": a kinship word before the name is not a title ("Brother Kenneth").
            lower = re.match(r"(?:[a-z][\w'’-]* )+(?=[A-Z])", text[start:end])
            if lower and lower.group(0).split()[0] not in ("de", "van", "von", "da", "del", "la", "le", "bin", "al"):
                start += lower.end()
            if not split_title(text[start:end])[0]:
                # "Dr. Maria Gonzalez" -> "Person A", not "Dr. Person A".
                start -= title_before(text, start)
        elif f.category == "pii" and canonical_label(f.label) in ("URL", "EMAIL_ADDRESS"):
            # "…/TEST-LANGFORD." : the full stop ends the sentence, it is not part of the URL.
            while end - start > 1 and text[end - 1] in ".,;:!?":
                end -= 1
        return start, end

    def _tree(self, text: str, findings: list[Finding]) -> list[_Node]:
        spans = [[*r, f] for f in findings if (r := self._range(text, f)) is not None]
        # Merge partial overlaps until the spans nest: SemSI spans grow to cover what they cut.
        changed = True
        while changed:
            changed = False
            for a in spans:
                for b in spans:
                    if a is b or not (a[0] < b[1] and b[0] < a[1]):
                        continue
                    nested = (a[0] <= b[0] and b[1] <= a[1]) or (b[0] <= a[0] and a[1] <= b[1])
                    if nested:
                        continue
                    lo, hi = min(a[0], b[0]), max(a[1], b[1])
                    # A clause grows to cover a name it cuts; two clauses (or two names) merge.
                    grow = [s for s in (a, b) if s[2].category != "pii"] or [a, b]
                    for s in grow:
                        s[0], s[1] = lo, hi
                    changed = True
        # Spans that differ only by surrounding spaces or punctuation are the same statement.
        groups: dict[tuple[int, int], list[tuple[int, int, Finding]]] = {}
        for start, end, f in spans:
            groups.setdefault(_core_range(text, start, end), []).append((start, end, f))
        nodes = [
            _Node(min(s for s, _, _ in members), max(e for _, e, _ in members), [f for _, _, f in members])
            for members in groups.values()
        ]
        nodes.sort(key=lambda n: (n.start, -n.end))
        roots: list[_Node] = []
        stack: list[_Node] = []
        for node in nodes:
            while stack and not (stack[-1].start <= node.start and node.end <= stack[-1].end):
                stack.pop()
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        for root in roots:
            _flatten(root)
        return roots

    # -- one top-level edit -------------------------------------------------------------------

    def _edit(
        self, text: str, node: _Node, scope: set[int], notes: list[str], doc: _DocState | None = None
    ) -> Edit | None:
        ctx = _Ctx(scope, doc or _DocState.of(text))
        rendered = self._render(text, node, ctx)
        found = node.all_findings()
        if self._leaks(rendered, node, found, ctx):
            ctx.strategies.clear()
            rendered = self._fallback(text, node, ctx, reason="leak")
            notes.append(f"local editor: whole-span fallback for {','.join(self._ids(found)) or 'a finding'}")
        start, end = node.start, node.end
        # Re-render with a preceding article inside the edit when the seam changes it ("a" -> "an").
        m = _LEFT_ARTICLE.search(text[max(0, start - 4) : start]) or re.search(
            r"(?<![\w'’-])(the|The) $", text[max(0, start - 5) : start]
        )
        if m:
            wstart = start - len(m.group(0))
            before = text[max(0, wstart - 80) : wstart]
            widened = _splice(text[wstart:end], [(start - wstart, end - wstart, rendered)], before)
            if not widened.startswith(text[wstart:start]):
                start, replacement = wstart, widened
            else:
                replacement = widened[start - wstart :]
        else:
            replacement = _splice(text[start:end], [(0, end - start, rendered)], text[max(0, start - 80) : start])
        if not replacement.strip():
            notes.append("local editor: empty rewrite suppressed")
            return None
        top = max(node.findings, key=lambda f: (f.category != "pii", f.severity))
        strategy = self._strategy(ctx)
        shorter = len(replacement.strip()) < self.settings.min_length_ratio * len(text[start:end].strip())
        if shorter and strategy in ("hedge", "attribute"):
            strategy = "generalise"  # a hedged span only gets shorter when a part of it was generalised
        return Edit(
            start=start,
            end=end,
            original=text[start:end],
            replacement=replacement,
            finding_ids=self._ids(found),
            category=top.category,
            editor="local",
            strategy=strategy,
        )

    @staticmethod
    def _ids(found: list[Finding]) -> list[str]:
        return list(dict.fromkeys(f.id for f in found if f.id))

    @staticmethod
    def _strategy(ctx: _Ctx) -> str:
        # The outermost decision names the edit: attribute > hedge > generalise > surrogate kinds.
        for name in ("attribute", "hedge", "generalise", "pseudonym", "placeholder", "fake"):
            if name in ctx.strategies:
                return name
        return "generalise"

    def _leaks(self, rendered: str, node: _Node, found: list[Finding], ctx: _Ctx) -> bool:
        """Whether the rewrite still carries a flagged value (PII, attribute term, verbatim statement)."""
        low = " ".join(rendered.casefold().split())
        for f in found:
            value = " ".join(f.text.casefold().split())
            if f.category == "pii" and len(value) > 1 and re.search(rf"(?<!\w){re.escape(value)}(?!\w)", low):
                return True
            if f.category != "pii" and value and value in low:
                return True
        return any(re.search(rf"(?<!\w){re.escape(t.casefold())}(?!\w)", low) for t in ctx.removed_terms)

    # -- rendering ------------------------------------------------------------------------------

    def _render(self, text: str, node: _Node, ctx: _Ctx) -> str:
        if node.pii:
            return self._render_pii(text, node, ctx)
        seg = text[node.start : node.end]
        if _usable_name(seg) and len(seg.split()) <= 4 and not node.children:
            # A bare name flagged as privacy/harmful ("Seth Rich"): it is the person that is sensitive.
            ctx.strategies.append("pseudonym" if self.mode == "descriptor" else self.mode)
            return self.surrogates.render("PERSON", seg, mode=self.mode, scope=ctx.scope)  # type: ignore[arg-type]
        return self._render_semsi(text, node, ctx)

    def _slot(self, text: str, start: int) -> str:
        before = text[max(0, start - 40) : start]
        if re.search(r"(?:[:=]|(?<![\w'’])(?:is|was|are|were))\s*$", before, _FLAGS):
            return "label"
        contact = r"at|to|on|via|through|from|under|with|call|text|phone|ring|dial|contact|e-?mail|reach|message|visit"
        if re.search(rf"(?<![\w'’])(?:{contact})\s+$", before, _FLAGS):
            return "prep"
        return "np"

    def _render_pii(self, text: str, node: _Node, ctx: _Ctx) -> str:
        finding = min(node.pii, key=lambda f: canonical_label(f.label) != "PERSON")
        label = canonical_label(finding.label)
        value = text[node.start : node.end]
        if label == "NRP" and self.mode != "placeholder":
            ctx.strategies.append("generalise")
            return self._generalise_nrp(text, node, value)
        out = self.surrogates.render(label, value, mode=self.mode, slot=self._slot(text, node.start), scope=ctx.scope)  # type: ignore[arg-type]
        if self.mode == "descriptor":
            ctx.strategies.append("pseudonym" if label == "PERSON" else "generalise")
        elif self.mode == "fake" and (out.startswith("a ") or out.startswith("an ") or out == "withheld"):
            ctx.strategies.append("generalise")  # no fake generator for this type: a descriptor stood in
        else:
            ctx.strategies.append(self.mode)
        return out

    def _generalise_nrp(self, text: str, node: _Node, value: str) -> str:
        """Nationality/religious/political group: reuse the privacy tables, else a neutral phrase."""
        for key in ("religion", "politics", "ethnicity"):
            for pattern, repl in _compiled("generalise", key):
                m = pattern.fullmatch(value.strip())
                if m and repl:
                    return m.expand(repl)
        after = text[node.end : node.end + 2]
        if re.match(r" [a-z]", after):
            return "particular"  # adjective before a noun: "a Pakistani activist" -> "a particular activist"
        if re.search(r"(?<![\w'’])(?:is|was|are|were) $", text[max(0, node.start - 6) : node.start], _FLAGS):
            return "of a particular background"
        return "a particular group"

    def _tables_for(self, node: _Node) -> list[tuple[str, tuple[tuple[re.Pattern[str], str], ...]]]:
        tables = load_data("generalise")["tables"]
        out: list[tuple[str, tuple[tuple[re.Pattern[str], str], ...]]] = []
        for f in node.semsi:
            if f.category == "privacy":
                label = _privacy_label(f.label)
                keys = [label] if label in tables else list(tables)
                out.extend(("privacy", _compiled("generalise", k)) for k in keys)
            elif f.category == "harmful":
                out.append(("harmful", _compiled("hedges", "terms")))
        if node.semsi and any(f.category == "privacy" for f in node.semsi) and node.children:
            # Terms of the other privacy tables, only to win over a "name" the detector found inside
            # one ("Jehovah" in "Jehovah's Witnesses"): see _render_semsi.
            out.extend(("privacy-cross", _compiled("generalise", k)) for k in tables)
        seen: set[int] = set()
        unique = []
        for cat, table in out:
            if id(table) not in seen:
                seen.add(id(table))
                unique.append((cat, table))
        return unique

    def _render_semsi(self, text: str, node: _Node, ctx: _Ctx) -> str:
        seg = text[node.start : node.end]
        base = node.start
        reps: list[tuple[int, int, str]] = [
            (c.start - base, c.end - base, self._render(text, c, ctx)) for c in node.children
        ]
        taken = [(s, e) for s, e, _ in reps]
        categories = {f.category for f in node.semsi}
        matched: set[str] = set()
        # Longest match first, then table order: "bipolar disorder" beats "bipolar".
        candidates: list[tuple[int, int, int, int, str, str]] = []
        order = 0
        for cat, table in self._tables_for(node):
            for pattern, repl in table:
                for m in pattern.finditer(seg):
                    if m.end() > m.start():
                        candidates.append((m.start() - m.end(), m.start(), order, m.end(), m.expand(repl), cat))
                order += 1
        children = {(s, e) for s, e, _ in reps}
        for _, start, _, end, repl, cat in sorted(candidates):
            clash = [(s, e) for s, e in taken if start < e and s < end]
            if cat == "privacy-cross":
                if not clash or not all((s, e) in children and start <= s and e <= end for s, e in clash):
                    continue
                cat = "privacy"
            if clash and all((s, e) in children and start <= s and e <= end for s, e in clash):
                # A term that contains a name-like child ("Jehovah's Witnesses"): the term wins.
                taken = [t for t in taken if t not in clash]
                reps = [r for r in reps if (r[0], r[1]) not in clash]
            elif clash:
                continue
            taken.append((start, end))
            reps.append((start, end, repl))
            matched.add(cat)
            ctx.removed_terms.append(seg[start:end].strip())
        privacy_terms = "privacy" in matched
        if "privacy" in categories and "privacy" not in matched:
            # No known attribute term: de-identify the statement (its names become surrogates);
            # with no name to replace, generalise the sensitive part of the statement.
            names = self._name_reps(seg, node, taken, ctx)
            if not names and not any(c.pii for c in node.children):
                return self._fallback(text, node, ctx, reason="no_term")
            reps.extend(names)
            matched.add("privacy")
        body = _collapse_repeats(_splice(seg, reps, text[max(0, node.start - 80) : node.start]), [r for *_, r in reps])
        if "privacy" in categories:
            ctx.strategies.append("generalise")
        kinds = categories & {"misinformation", "harmful"}
        light = False
        if "misinformation" in kinds and not _claim_like(seg):
            # Not an assertive causal/medical claim (often a detector's guess): no "not supported by
            # reliable evidence" note, which would make a plain statement read as nonsense.
            kinds.discard("misinformation")
            light = True
        if kinds == {"harmful"} and privacy_terms and "harmful" not in matched:
            return body  # the harmful part was the private attribute, and it is generalised now
        kind = "misinformation" if "misinformation" in kinds else "harmful" if kinds else None
        if kind is None:
            if light and body == seg:
                lighter = self._wrap(text, node, body, "misinformation", ctx, light=True)
                if lighter != body:
                    ctx.strategies.append("attribute")
                    return lighter
                kind = "misinformation"
            else:
                if light and not ctx.strategies:
                    ctx.strategies.append("generalise")
                return body
        if not _is_clause(text, node.start, seg):
            if body != seg:
                ctx.strategies.append("hedge")
                return body
            return self._fallback(text, node, ctx, reason="fragment")
        ctx.strategies.append("attribute" if kind == "misinformation" else "hedge")
        # Softened harmful terms already hedge the statement; an unverified claim always gets one.
        adverb = kind == "misinformation" or "harmful" not in matched
        return self._wrap(text, node, body, kind, ctx, adverb=adverb, changed=body != seg)

    def _wrap(
        self, text: str, node: _Node, body: str, kind: str, ctx: _Ctx, *, adverb: bool = True, changed: bool = False,
        light: bool = False,
    ) -> str:  # fmt: skip
        """Hedge a statement: an adverb inside each sentence and, once per paragraph, an
        unproven/unsupported note next to the claim (varied, so that a reader does not see a template)."""
        wrappers = load_data("hedges")["wrappers"][kind]
        lead = body[: len(body) - len(body.lstrip())]
        tail_m = _TAIL.search(body)
        core_end = tail_m.start() if tail_m else len(body)
        core, tail = body[len(lead) : core_end], body[core_end:]
        pieces = _split_keep(core)
        if light:
            light_adverb = wrappers.get("light_adverb", "reportedly")
            return lead + "".join(insert_hedge(p, light_adverb) or p for p in pieces) + tail
        if adverb:
            new_core = "".join(insert_hedge(p, wrappers["adverb"]) or p for p in pieces)
            changed = changed or new_core != core
            core = new_core
        line = (kind, text.rfind("\n", 0, node.end) + 1)  # the note goes at the end of the span
        denials = "|".join(_grammar()["denials"])
        denial = kind == "harmful" and re.search(rf"(?<![\w'’])(?:{denials})(?!\w)", core, _FLAGS)
        if changed and (line in ctx.doc.noted or denial):
            return lead + core + tail  # this paragraph already says the claims are unproven
        ctx.doc.noted.add(line)
        suffixes = wrappers.get("suffixes") or [wrappers["suffix"]]
        suffix = suffixes[ctx.doc.notes % len(suffixes)]
        ctx.doc.notes += 1
        if len(pieces) > 1 and re.search(r"[.!?]", tail):
            # Several sentences: one closing sentence instead of a suffix on the last one only.
            return lead + core + tail.rstrip() + " " + wrappers["closing"] + tail[len(tail.rstrip()) :]
        # Mid-sentence ("X, though this has not been proven, and ..."): close the parenthetical.
        continues = bool(re.match(r" +[\w(\"“]", text[node.end : node.end + 3]))
        comma = "," if continues and not tail.strip() else ""
        return lead + core + suffix + comma + tail

    def _subject(self, text: str, node: _Node, ctx: _Ctx) -> str:
        seg = text[node.start : node.end].lstrip()
        lead = node.start + (len(text[node.start : node.end]) - len(seg))
        for child in node.children:
            if child.start == lead and child.pii and canonical_label(child.pii[0].label) == "PERSON":
                return self._render(text, child, ctx)
        first = seg.split(" ", 1)[0].strip(_STRIP)
        if first.lower() in _PRONOUNS:
            return first
        for f in node.semsi:
            if f.subject and f.subject.strip():
                if f.subject.strip().lower() in _PRONOUNS:
                    return f.subject.strip()
                known = self.surrogates.lookup_person(f.subject, mode=self.mode, scope=ctx.scope)  # type: ignore[arg-type]
                if known:
                    return known
                if _usable_name(f.subject):
                    return self.surrogates.render("PERSON", f.subject.strip(), mode=self.mode, scope=ctx.scope)  # type: ignore[arg-type]
                return f.subject.strip()
        return "this person"

    def _name_reps(
        self, seg: str, node: _Node, claimed: list[tuple[int, int]], ctx: _Ctx
    ) -> list[tuple[int, int, str]]:
        """Surrogates for names in `seg` outside `claimed`: multi-word names and the finding's subject."""
        taken = claimed
        patterns = [_MULTI_NAME]
        # Our own surrogates are not names to replace again ("Person I" is not the pronoun "I").
        taken = [*taken, *((m.start(), m.end()) for m in _SURROGATE.finditer(seg))]
        for f in node.semsi:
            if _usable_name(f.subject):
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
                if pattern is _MULTI_NAME and not _looks_like_person(m):
                    continue
                name = self.surrogates.render("PERSON", m.group(0), mode=self.mode, scope=ctx.scope)  # type: ignore[arg-type]
                out.append((span[0], span[1], name))
        if out:
            ctx.strategies.append("pseudonym" if self.mode == "descriptor" else self.mode)
            claimed.extend((a, b) for a, b, _ in out)
        return out

    def _pseudonymise_names(self, seg: str, ctx: _Ctx) -> str:
        """Names inside a flagged fragment ("Bill Clinton with Jeffrey Epstein") become surrogates."""

        def swap(m: re.Match[str]) -> str:
            ctx.strategies.append("pseudonym" if self.mode == "descriptor" else self.mode)
            return self.surrogates.render("PERSON", m.group(0), mode=self.mode, scope=ctx.scope)  # type: ignore[arg-type]

        return _MULTI_NAME.sub(lambda m: swap(m) if _looks_like_person(m) else m.group(0), seg)

    def _fallback(self, text: str, node: _Node, ctx: _Ctx, *, reason: str) -> str:
        """Replace the whole span by a generalisation of its category (no known term, or a leak)."""
        ctx.strategies.append("generalise")
        if node.pii and not node.semsi:
            finding = node.pii[0]
            label = canonical_label(finding.label)
            if label == "PERSON":
                return "someone"
            forms = load_data("surrogates")["descriptors"]
            return forms.get(label, forms["_default"])["np"]
        seg = text[node.start : node.end]
        categories = [f.category for f in node.semsi]
        privacy = [f for f in node.semsi if f.category == "privacy"]
        if privacy:
            fallbacks = load_data("generalise")["fallbacks"]
            forms = fallbacks.get(_privacy_label(privacy[0].label), fallbacks["_default"])
        else:
            kind = "misinformation" if "misinformation" in categories else "harmful"
            forms = load_data("hedges")["wrappers"][kind]
        if privacy and reason == "no_term" and not node.children:
            partial = self._partial(text, node, ctx, forms, _privacy_label(privacy[0].label))
            if partial is not None:
                return partial
        if not _is_clause(text, node.start, seg):
            named = self._pseudonymise_names(seg, ctx) if not privacy else seg
            return self._keep_marks(seg, named if named != seg else forms["np"])
        filled = self._clause(forms, self._subject(text, node, ctx))
        tail_m = _TAIL.search(seg)
        tail = seg[tail_m.start() :] if tail_m else ""
        lead = seg[: len(seg) - len(seg.lstrip())]
        return self._keep_marks(seg, lead + _match_case(filled, seg.lstrip()) + tail)

    @staticmethod
    def _clause(forms: dict[str, str], subject: str) -> str:
        plural = subject.lower() in _PLURAL_SUBJECTS
        verbs = {"has": "have", "holds": "hold", "keeps": "keep", "takes": "take"}
        return forms["clause"].format(subject=subject, **{k: (v if plural else k) for k, v in verbs.items()})

    @staticmethod
    def _keep_marks(seg: str, out: str) -> str:
        """A whole-span template must not unbalance the text: brackets and quotes that the span
        opens or closes (their partners lie outside the span) are kept, at the side they were on."""
        opened, closed = _unbalanced(seg)
        have_open, have_closed = _unbalanced(out)
        extra_open = "".join(ch for ch in opened if ch not in have_open)
        extra_closed = "".join(ch for ch in closed if ch not in have_closed)
        if not extra_open and not extra_closed:
            return out
        lead = out[: len(out) - len(out.lstrip())]
        tail_m = _TAIL.search(out)
        core_end = tail_m.start() if tail_m else len(out)
        core, tail = out[len(lead) : core_end], out[core_end:]
        body = seg.strip()
        front = "".join(ch for ch in extra_open if body.startswith(ch)) + "".join(
            ch for ch in extra_closed if not body.rstrip(".,;:!? ").endswith(ch)
        )
        back = "".join(ch for ch in extra_closed if body.rstrip(".,;:!? ").endswith(ch))
        after = "".join(ch for ch in extra_open if not body.startswith(ch))
        return lead + front + core + back + (" " + after if after else "") + tail

    def _partial(self, text: str, node: _Node, ctx: _Ctx, forms: dict[str, str], label: str) -> str | None:
        """Generalise only the parts of a clause that carry the attribute (a cue word of its label);
        the other parts, and every separator, bracket and quote between them, stay as they are."""
        cue = _cue(label)
        seg = text[node.start : node.end]
        if cue is None:
            return None
        parts: list[tuple[int, int]] = []
        pos = 0
        for m in _PART_SEP.finditer(seg):
            if m.start() > pos:
                parts.append((pos, m.start()))
            pos = m.end()
        tail_m = _TAIL.search(seg[pos:])
        end = pos + (tail_m.start() if tail_m else len(seg) - pos)
        if end > pos:
            parts.append((pos, end))
        parts = [(a, b) for a, b in parts if seg[a:b].strip(_STRIP + " ")]
        sensitive = [(a, b) for a, b in parts if cue.search(seg[a:b])]
        if len(parts) < 2 or not sensitive:
            return None
        subject = self._subject(text, node, ctx)
        reps: list[tuple[int, int, str]] = []
        for i, (a, b) in enumerate(sensitive):
            first = a == parts[0][0]
            word = seg[a:b].split(" ", 1)[0].strip(_STRIP)
            who = word if word.lower() in _PRONOUNS else subject if first or i == 0 else "this"
            if not first and who.lower() in _PRONOUNS and who != "I":
                who = who.lower()
            if not first and who == subject and subject == "this person":
                who = "this"
            reps.append((a, b, self._clause(forms, who) if who != "this" else forms["np"]))
        ctx.strategies.append("generalise")
        before = text[max(0, node.start - 80) : node.start]
        return _collapse_repeats(_splice(seg, reps, before), [r for *_, r in reps])


def _flatten(node: _Node) -> None:
    """A statement inside a flagged statement joins it: one rewrite sees every term and category."""
    children: list[_Node] = []
    for child in node.children:
        _flatten(child)
        if node.semsi and not node.pii and child.semsi and not child.pii:
            node.findings.extend(child.findings)
            children.extend(child.children)
        else:
            children.append(child)
    node.children = sorted(children, key=lambda c: c.start)


def _core_range(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in _STRIP):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _STRIP):
        end -= 1
    return start, end


def _collapse_repeats(body: str, replacements: Sequence[str]) -> str:
    """ "a family matter and a family matter" -> "a family matter": two terms, one generalisation."""
    words = {w for r in replacements for w in [re.sub(r"^.*? (?=(?:an?|the) )", "", r)] if len(w) > 3}
    for rep in {w for w in words if body.casefold().count(w.casefold()) > 1}:
        body = re.sub(rf"(?<!\w)({re.escape(rep)})(?:,? (?:and|or) {re.escape(rep)}(?!\w))+", r"\1", body, flags=_FLAGS)
    return body


def _split_keep(core: str) -> list[str]:
    """Split into sentences, keeping the separators attached so that joining restores the text."""
    pieces, pos = [], 0
    for m in _SENTENCE_SPLIT.finditer(core):
        pieces.append(core[pos : m.end()])
        pos = m.end()
    pieces.append(core[pos:])
    return pieces


def _name_core(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside a PERSON finding that runs into other text ("Rebecca Harcourt\\nPartner",
    "Person I.” Haßler"): the first piece that is not our own surrogate; the rest stays as it is.
    None when every piece is a surrogate already."""
    value = text[start:end]
    pieces: list[tuple[int, int]] = []
    pos = 0
    for m in _NAME_BREAK.finditer(value):
        if m.start() == 0 and m.end() == len(value):
            break
        punct = m.group(0).strip()
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
        core = piece.strip(_STRIP + " \t")
        if not core or not any(ch.isupper() for ch in core) or _SURROGATE.fullmatch(core):
            continue
        if _SURROGATE.search(piece):
            continue
        lead = len(piece) - len(piece.lstrip(_STRIP + " \t"))
        return start + a + lead, start + a + lead + len(core)
    return None


def _unbalanced(seg: str) -> tuple[str, str]:
    """Brackets and quotes that `seg` opens without closing, and closes without opening."""
    opened: list[str] = []
    closed: list[str] = []
    closers = {v: k for k, v in _BRACKETS.items()}
    straight = 0
    for ch in seg:
        if ch in _BRACKETS:
            opened.append(ch)
        elif ch in closers:
            if opened and opened[-1] == closers[ch]:
                opened.pop()
            else:
                closed.append(ch)
        elif ch == '"':
            straight += 1
    return "".join(opened) + ('"' if straight % 2 else ""), "".join(closed)
