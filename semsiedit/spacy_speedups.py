"""Exact, faster stand-ins for two pure-Python steps of spaCy's CNN pipelines (issue 13).

Measured on the dev answers with `en_core_web_sm`, the attribute ruler (tag -> POS/morph rules run
through spaCy's general `Matcher`) and the rule lemmatizer cost about a third of the whole parse,
more than the dependency parser. Both are installed over the loaded components, not in place of them:

- `AttributeMatch` replaces only `AttributeRuler.match`: the ruler's own patterns, indexed by an
  exact token value (LOWER, ORTH, TAG or DEP) so each token is checked against the few rules that can
  fire on it instead of running the Matcher's state machine over all ~180. It returns what `match`
  returns (same tuples, same order), and the ruler's own `set_annotations` applies them.
- `cache_lemmas` memoises `Lemmatizer.lemmatize` on (word, POS, morphology), the inputs the rule
  lemmatizer reads (spaCy's own cache skips every early return: punctuation, base forms, words of a
  POS with no tables), and turns the lemma index's word lists into sets: each new word was tested
  against a list of up to 57,000 words by linear scan, ~160 µs a word.

A pipeline whose rules use anything these do not handle keeps spaCy's code (`speed_up` returns what
it installed). `tests/test_spacy_speedups.py` checks token-for-token equality with spaCy's output.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# Token attributes the patterns may test, in the column order of `Doc.to_array`.
_COLUMNS = ("ORTH", "LOWER", "TAG", "DEP", "IS_SPACE")
# An exact value of these can index a pattern; the most selective first.
_ANCHORS = ("LOWER", "ORTH", "TAG", "DEP")
_ANCHOR_COLUMNS = tuple(_COLUMNS.index(name) for name in _ANCHORS)
# Entries (~300 bytes each, and spaCy's own cache beside it): a stream of distinct records adds about
# three new words a document, so the cap, not the vocabulary, bounds a long stream's memory. The 400
# dev answers need about 9,000.
LEMMA_CACHE_SIZE = 30_000


class _Unsupported(Exception):
    """A pattern this matcher cannot reproduce exactly: keep spaCy's."""


def _check(column: int, value: Any, hash_of: Callable[[str], int]) -> tuple[int, str, Any]:
    """One attribute test as (column, kind, operand)."""
    if isinstance(value, bool):
        return column, "eq", int(value)
    if isinstance(value, str):
        return column, "eq", hash_of(value)
    if isinstance(value, dict) and len(value) == 1:
        (op, operand), = value.items()
        if op == "IN" and all(isinstance(v, str) for v in operand):
            return column, "in", frozenset(hash_of(v) for v in operand)
        if op == "NOT_IN" and all(isinstance(v, str) for v in operand):
            return column, "not_in", frozenset(hash_of(v) for v in operand)
        if op == "REGEX" and isinstance(operand, str):
            return column, "regex", re.compile(operand)
    raise _Unsupported(value)


class AttributeMatch:
    """`AttributeRuler.match` for one ruler, by index lookups instead of the Matcher."""

    def __init__(self, ruler: Any) -> None:
        from spacy.strings import get_string_id

        self._strings = ruler.vocab.strings
        self._anchored: dict[tuple[int, int], list[tuple[int, int, int, list]]] = {}
        self._scanned: list[tuple[int, int, list]] = []
        self._match_ids: list[int] = []
        for rule, entry in enumerate(ruler.patterns):
            self._match_ids.append(get_string_id(str(rule)))
            for pattern in entry["patterns"]:
                specs = []
                for token in pattern:
                    if not token or any(k not in _COLUMNS for k in token):
                        raise _Unsupported(token)
                    specs.append([_check(_COLUMNS.index(k), v, get_string_id) for k, v in token.items()])
                self._index(rule, specs)

    def _index(self, rule: int, specs: list[list[tuple[int, str, Any]]]) -> None:
        for column in _ANCHOR_COLUMNS:
            for position, checks in enumerate(specs):
                for col, kind, operand in checks:
                    if col != column or kind not in ("eq", "in"):
                        continue
                    for value in (operand,) if kind == "eq" else operand:
                        self._anchored.setdefault((column, value), []).append((rule, position, len(specs), specs))
                    return
        self._scanned.append((rule, len(specs), specs))

    def _passes(self, checks: list[tuple[int, str, Any]], row: list[int]) -> bool:
        for column, kind, operand in checks:
            value = row[column]
            if kind == "eq":
                if value != operand:
                    return False
            elif kind == "in":
                if value not in operand:
                    return False
            elif kind == "not_in":
                if value in operand:
                    return False
            elif not operand.search(self._strings[value] if value else ""):
                return False
        return True

    def __call__(self, doc: Any) -> list[tuple[int, int, int, int]]:
        from spacy.attrs import IDS

        rows = doc.to_array([IDS[name] for name in _COLUMNS]).tolist()
        n = len(rows)
        found: set[tuple[int, int, int]] = set()
        for i, row in enumerate(rows):
            candidates = [
                (rule, i - position, length, specs)
                for column in _ANCHOR_COLUMNS
                for rule, position, length, specs in self._anchored.get((column, row[column]), ())
            ]
            candidates += [(rule, i, length, specs) for rule, length, specs in self._scanned]
            for rule, start, length, specs in candidates:
                if start < 0 or start + length > n or (rule, start, start + length) in found:
                    continue
                if all(self._passes(checks, rows[start + j]) for j, checks in enumerate(specs)):
                    found.add((rule, start, start + length))
        # The ruler's order: by rule (later rules win), then position.
        return [(rule, self._match_ids[rule], start, end) for rule, start, end in sorted(found)]


def cache_lemmas(lemmatizer: Any) -> None:
    """Memoise the rule lemmatizer on the token's word, POS and morphology (what it reads), and
    make its word-list lookups set lookups (the lists are only ever tested with `in`)."""
    if lemmatizer.lookups.has_table("lemma_index"):
        index = lemmatizer.lookups.get_table("lemma_index")
        for pos, words in list(index.items()):
            if isinstance(words, list):
                index[pos] = frozenset(words)
    compute: Callable[[Any], list[str]] = lemmatizer.lemmatize
    cache: dict[tuple[int, int, int], list[str]] = {}

    def lemmatize(token: Any) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        forms = cache.get(key)
        if forms is None:
            if len(cache) >= LEMMA_CACHE_SIZE:
                cache.clear()
                lemmatizer.cache.clear()  # spaCy's own cache grows with every new word too
            forms = cache[key] = compute(token)
        return forms

    lemmatizer.lemmatize = lemmatize


def speed_up(nlp: Any) -> list[str]:
    """Install the stand-ins on a loaded pipeline; the names of the components sped up."""
    done = []
    if "attribute_ruler" in nlp.pipe_names:
        ruler = nlp.get_pipe("attribute_ruler")
        try:
            ruler.match = AttributeMatch(ruler)
            done.append("attribute_ruler")
        except _Unsupported:
            pass
    if "lemmatizer" in nlp.pipe_names:
        lemmatizer = nlp.get_pipe("lemmatizer")
        if getattr(lemmatizer, "mode", None) == "rule" and isinstance(getattr(lemmatizer, "cache", None), dict):
            cache_lemmas(lemmatizer)
            done.append("lemmatizer")
    return done
