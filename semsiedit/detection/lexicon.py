"""Lexicon data files and a token-sequence matcher over spaCy docs.

Lexicons live in `semsiedit/data/lexicons/*.json` so that they can be reviewed and extended without
touching code. Terms match a token's lower-case form or its lemma, so one entry covers inflections.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

_HYPHEN = re.compile(r"(?<=[^\W_])(-)(?=[^\W\d_])")  # spaCy's infix rule: after a letter or digit, before a letter
LEXICON_DIR = Path(__file__).resolve().parent.parent / "data" / "lexicons"


@cache
def load_lexicon(name: str) -> dict[str, Any]:
    """The parsed `data/lexicons/NAME.json`."""
    return json.loads((LEXICON_DIR / f"{name}.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lower-cased term tokens
    label: str
    severity: int
    original: str
    cased: bool = False  # matches only as capitalised ("Labour" the party, not "in labour")
    written: tuple[str, ...] = ()  # a cased term's words as written, capitals kept ("has MS")

    def capitals_match(self, tokens: Sequence[Token]) -> bool:
        """A cased term's capitals are in the text: "Labour", "has MS" (not "has Ms", "in labour")."""
        return all(_same_capitals(w, t.text) for w, t in zip(self.written, tokens, strict=False))


def _same_capitals(written: str, text: str) -> bool:
    if len(written) > 1 and written.isupper():
        return text.isupper()  # an acronym: "MS", not "Ms"
    return not written[:1].isupper() or text[:1].isupper()


def _split_term(term: str, *, lower: bool = True) -> tuple[str, ...]:
    """Tokenise a term the way spaCy's English tokenizer does for the characters our terms use."""
    words: list[str] = []
    for raw in (term.lower() if lower else term).split():
        clitic = next((c for c in ("'s", "n't") if raw.endswith(c) and len(raw) > len(c)), None)
        if clitic:
            raw = raw[: -len(clitic)]
        # spaCy splits a hyphen only before a letter ("HIV-positive", "12-week", not "COVID-19").
        words.extend(w for w in _HYPHEN.split(raw) if w)
        if clitic:
            words.append(clitic)
    return tuple(words)


def token_keys(token: Token) -> tuple[str, str]:
    """The two forms a term may match: lower-case surface form and lower-case lemma."""
    return token.lower_, (token.lemma_ or token.text).lower()


class TermMatcher:
    """Finds lexicon terms in a doc, longest match first, by lower-case form or lemma."""

    def __init__(self, groups: list[dict[str, Any]], cased: Sequence[str] = ()) -> None:
        self._by_first: dict[str, list[Term]] = {}
        # (ending, label, severity): one word ending so is a term ("cholecystectomy" by "-ectomy").
        self._suffixes = [(e, g["label"], int(g["severity"])) for g in groups for e in g.get("suffixes", ())]
        cased_terms = frozenset(cased)
        for group in groups:
            for original in group.get("terms", ()):
                words = _split_term(original)
                if not words:
                    continue
                # A hyphenated term is also written with a space: "self harming", "HIV positive".
                spaced = tuple(w for w in words if w != "-")
                for form in dict.fromkeys([words, spaced] if len(spaced) > 1 else [words]):
                    cased = original in cased_terms
                    written = tuple(w for w in _split_term(original, lower=False) if w != "-") if cased else ()
                    term = Term(form, group["label"], int(group["severity"]), original, cased, written)
                    self._by_first.setdefault(form[0], []).append(term)
        for terms in self._by_first.values():
            # Longest first; at equal length the higher severity wins, so overlapping groups are deterministic.
            terms.sort(key=lambda t: (-len(t.words), -t.severity, t.label))

    def is_single_term(self, token: Token) -> bool:
        """Whether the token alone is a lexicon term (and not followed by more of its entity)."""
        nxt = token.nbor(1) if token.i + 1 < len(token.doc) else None
        if nxt is not None and nxt.ent_iob_ == "I":
            return False
        keys = token_keys(token)
        return any(len(t.words) == 1 for k in keys for t in self._by_first.get(k, ())) or bool(self._by_suffix(keys))

    def _by_suffix(self, keys: tuple[str, str]) -> Term | None:
        """The word as a term of a group's `suffixes`, with three letters or more before the ending."""
        word = keys[0]
        for ending, label, severity in self._suffixes:
            if word.endswith(ending) and len(word) >= len(ending) + 3 and word.isalpha():
                return Term((word,), label, severity, word)
        return None

    def is_whole_term(self, tokens: Sequence[Token]) -> bool:
        """Whether these tokens are exactly one lexicon term ("Universal Credit")."""
        if not tokens:
            return False
        keys = [token_keys(t) for t in tokens]
        candidates = {*self._by_first.get(keys[0][0], ()), *self._by_first.get(keys[0][1], ())}
        return any(
            len(t.words) == len(keys) and all(w in keys[k] for k, w in enumerate(t.words)) for t in candidates
        )

    def has_term(self, phrase: str) -> bool:
        """Whether the phrase, as written, is one of the terms ("Alzheimer's")."""
        words = _split_term(phrase)
        return any(t.words == words for t in self._by_first.get(words[0], ())) if words else False

    def find(self, doc: Doc) -> list[tuple[int, int, Term]]:
        """Non-overlapping (start_token, end_token, term) matches, left to right.

        Whitespace tokens within a paragraph are skipped, so a term that hard-wrapped prose breaks
        across lines ("a Jehovah's\nWitness") still matches; its span then holds the line break. A
        blank line stays between words: no term runs from one paragraph into the next."""
        words, keys = _word_keys(doc)
        matches: list[tuple[int, int, Term]] = []
        i = 0
        while i < len(keys):
            best: Term | None = None
            # In list order, not a set's: which of two equal terms ("EtOH", "ETOH") wins must not change
            # with the hash seed.
            firsts = dict.fromkeys([*self._by_first.get(keys[i][0], ()), *self._by_first.get(keys[i][1], ())])
            for candidate in firsts:
                n = len(candidate.words)
                fits = i + n <= len(keys) and all(w in keys[i + k] for k, w in enumerate(candidate.words))
                if fits and candidate.cased:
                    fits = candidate.capitals_match([doc[j] for j in words[i : i + n]])
                if fits and (best is None or (n, candidate.severity, candidate.label) > _key(best)):
                    best = candidate
            if best is None and self._suffixes:
                best = self._by_suffix(keys[i])
            if best is None:
                i += 1
                continue
            n = len(best.words)
            matches.append((words[i], words[i + n - 1] + 1, best))
            i += n
        return matches


_WORD_KEYS = "semsiedit.word_keys"


def _word_keys(doc: Doc) -> tuple[list[int], list[tuple[str, str]]]:
    """(indices of the tokens terms are matched on, their `token_keys`), kept in `doc.user_data`:
    every lexicon (privacy, harmful) walks the same tokens, and creating spaCy's Token objects is
    most of the cost."""
    cached = doc.user_data.get(_WORD_KEYS)
    if cached is None:
        tokens = [t for t in doc if not t.is_space or t.text.count("\n") > 1]
        cached = doc.user_data[_WORD_KEYS] = ([t.i for t in tokens], [token_keys(t) for t in tokens])
    return cached


def _key(term: Term) -> tuple[int, int, str]:
    return len(term.words), term.severity, term.label


@cache
def term_matcher(name: str) -> TermMatcher:
    lexicon = load_lexicon(name)
    return TermMatcher(lexicon["groups"], lexicon.get("cased_terms", ()))


@cache
def cue_words(kind: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Single-word cues (matched on token forms) and multi-word cues (matched in lower-cased text)."""
    cues = load_lexicon("cues")[kind]
    singles = frozenset(c.lower() for c in cues if " " not in c)
    phrases = tuple(c.lower() for c in cues if " " in c)
    return singles, phrases


@cache
def not_senses(category: str) -> tuple[re.Pattern[str], ...]:
    """Each `not_senses` regex of the lexicon on its own: one alternation would let one sense's match
    ("criminal cases") hide another's that overlaps it ("cases, such as ... common assault")."""
    return tuple(re.compile(p, re.IGNORECASE) for p in load_lexicon(category).get("not_senses") or [])


def other_sense(category: str, text: str, start: int, end: int) -> bool:
    """Whether the term at text[start:end] is used in a non-sensitive sense (a `not_senses` match
    around it, within its line)."""
    lo = max(text.rfind("\n", 0, start) + 1, start - 80)
    hi = text.find("\n", end)
    hi = min(hi if hi >= 0 else len(text), end + 80)
    window = text[lo:hi]
    matches = (m for pattern in not_senses(category) for m in pattern.finditer(window))
    return any(m.start() + lo <= start and end <= m.end() + lo for m in matches)
