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

- `numpy_gemm` gives the pipeline's neural layers (tok2vec, tagger, parser, NER) thinc's numpy ops
  with its matrix product done by numpy (OpenBLAS) instead of BLIS: the `blis` wheel picks its
  kernels by CPU model and falls back to its slow generic ones on a model it does not know (this
  AMD EPYC: `BLIS_ARCH_DEBUG=1` prints "selecting sub-configuration 'generic'", 3-5x slower than
  OpenBLAS on the tok2vec's shapes), while OpenBLAS dispatches on the CPU's features. The products
  differ only in rounding; the annotations are the same (tests/test_spacy_speedups.py; no token of
  the dev answers changed). The parser's per-step product runs in spaCy's C code and keeps BLIS.

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
# Distinct (word, tag, dependency) rows whose ruler matches are kept (~200 bytes each).
PLAN_CACHE_SIZE = 20_000


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
        self._plans: dict[tuple[int, ...], tuple[list[int], list[tuple[int, int, int, list]]]] = {}
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

    def _plan(self, row: list[int]) -> tuple[list[int], list[tuple[int, int, int, list]]]:
        """For a token with these attribute values: the one-token rules it matches (decided by the
        row alone, so kept per distinct row: most tokens are common words), and the longer patterns
        it may take part in, as (rule, its position in the pattern, length, specs)."""
        key = tuple(row)
        plan = self._plans.get(key)
        if plan is None:
            singles: list[int] = []
            longer: list[tuple[int, int, int, list]] = []
            entries = [entry for column in _ANCHOR_COLUMNS for entry in self._anchored.get((column, row[column]), ())]
            entries += [(rule, 0, length, specs) for rule, length, specs in self._scanned]
            for rule, position, length, specs in entries:
                if length > 1:
                    longer.append((rule, position, length, specs))
                elif self._passes(specs[0], row):
                    singles.append(rule)
            if len(self._plans) >= PLAN_CACHE_SIZE:
                self._plans.clear()
            plan = self._plans[key] = (singles, longer)
        return plan

    def __call__(self, doc: Any) -> list[tuple[int, int, int, int]]:
        from spacy.attrs import IDS

        rows = doc.to_array([IDS[name] for name in _COLUMNS]).tolist()
        n = len(rows)
        found: set[tuple[int, int, int]] = set()
        for i, row in enumerate(rows):
            singles, longer = self._plan(row)
            found.update((rule, i, i + 1) for rule in singles)
            for rule, position, length, specs in longer:
                start = i - position
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


def _numpy_gemm_ops() -> Any:
    """thinc's NumpyOps with `gemm` done by numpy.matmul (see the module docstring)."""
    import numpy
    from thinc.api import NumpyOps

    class NumpyGemmOps(NumpyOps):
        def gemm(self, x: Any, y: Any, out: Any = None, trans1: bool = False, trans2: bool = False) -> Any:
            x = x.T if trans1 else x
            y = y.T if trans2 else y
            if out is None:
                return numpy.matmul(x, y)
            numpy.matmul(x, y, out=out)
            return out

    return NumpyGemmOps()


def numpy_gemm(nlp: Any) -> bool:
    """Put every layer of the pipeline's models on numpy's matrix product; False if none has a model."""
    from thinc.api import Model, NumpyOps

    ops = None
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if not isinstance(model, Model):
            continue
        for layer in model.walk():
            if type(layer.ops) is NumpyOps:  # not a GPU's or an already replaced one
                ops = ops or _numpy_gemm_ops()
                layer.ops = ops
    return ops is not None


def speed_up(nlp: Any) -> list[str]:
    """Install the stand-ins on a loaded pipeline; the names of the components sped up."""
    done = ["gemm"] if numpy_gemm(nlp) else []
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
