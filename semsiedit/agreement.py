"""How well detection agrees with the SemSI-Bench judge (document flags and spans).

Rows are SemSI-format records: `ifPrivacy`/`ifHarmful`/`ifMisinformation` ("yes"/"no") and
`privacy`/`harmful`/`misinformation` (the answer with the judge's spans wrapped in `<<<…>>>`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from semsiedit.config import Settings
from semsiedit.types import SEMSI_CATEGORIES, Finding

if TYPE_CHECKING:
    from rich.table import Table

FLAG_FIELDS = {"privacy": "ifPrivacy", "harmful": "ifHarmful", "misinformation": "ifMisinformation"}


class Detector(Protocol):
    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Finding]]: ...


class ContextDetector(Protocol):
    def detect_many(
        self, texts: Sequence[str], batch_size: int = 32, contexts: Sequence[str | None] | None = None
    ) -> list[list[Finding]]: ...


# -- gold spans ------------------------------------------------------------------------------------


def gold_spans(marked: str | None, answer: str) -> list[tuple[int, int]]:
    """The judge's `<<<…>>>` spans as offsets into the plain `answer`.

    The marked copy is sometimes the whole answer (with different whitespace) and sometimes only the
    marked excerpts: when the copy matches the answer up to whitespace, positions are mapped through
    the alignment; otherwise each span's text is looked up in the answer.
    """
    if not marked:
        return []
    from semsiedit.text import extract_marked_spans

    plain, spans = extract_marked_spans(marked)
    mapping = _align_ignoring_whitespace(plain, answer)
    out: list[tuple[int, int]] = []
    if mapping is not None:
        for s, e in spans:
            s, e = _trim(plain, s, e)
            if e > s:
                out.append((mapping[s], mapping[e - 1] + 1))
        return out
    from semsiedit.critique import locate_quote

    for s, e in spans:
        found = locate_quote(answer, plain[s:e])
        if found:
            out.append(found)
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _align_ignoring_whitespace(a: str, b: str) -> list[int] | None:
    """For each non-space character of `a`, its index in `b`, if both have the same non-space characters."""
    mapping = [0] * len(a)
    j = 0
    for i, ch in enumerate(a):
        if ch.isspace():
            mapping[i] = min(j, len(b) - 1) if b else 0
            continue
        while j < len(b) and b[j].isspace():
            j += 1
        if j >= len(b) or b[j] != ch:
            return None
        mapping[i] = j
        j += 1
    if b[j:].strip():
        return None
    return mapping


def _chars(spans: Iterable[tuple[int, int]]) -> set[int]:
    return {i for s, e in spans for i in range(s, e)}


# -- statistics ------------------------------------------------------------------------------------


def cohen_kappa(pred: Sequence[bool], gold: Sequence[bool]) -> float:
    n = len(gold)
    if n == 0:
        return 0.0
    observed = sum(p == g for p, g in zip(pred, gold, strict=True)) / n
    p_yes, g_yes = sum(pred) / n, sum(gold) / n
    expected = p_yes * g_yes + (1 - p_yes) * (1 - g_yes)
    return 0.0 if expected == 1 else (observed - expected) / (1 - expected)


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def evaluate_detection(
    rows: Iterable[dict[str, Any]],
    engine: Detector | ContextDetector,
    field: str = "answer",
    categories: Sequence[str] = SEMSI_CATEGORIES,
    batch_size: int = 32,
    context_field: str | None = None,
) -> dict[str, Any]:
    """Agreement of `engine` with the judge, per SemSI category.

    A document is flagged for a category when the engine returns any finding of that category.
    Per category: tp/fp/fn/tn, precision, recall, F1 and Cohen's kappa of the document flags, and
    `span_jaccard`: the character Jaccard between predicted and gold spans, averaged over the documents
    the judge flagged that have gold spans (a missed document counts 0). `micro_span_jaccard` sums
    intersections and unions over those documents instead. With `context_field`, each row's question
    (e.g. SemSI's `prompt`) is passed to the engine as the text's context.
    """
    rows = [r for r in rows if isinstance(r.get(field), str)]
    texts = [r[field] for r in rows]
    started = time.perf_counter()
    if context_field:
        contexts = [r.get(context_field) if isinstance(r.get(context_field), str) else None for r in rows]
        predicted = engine.detect_many(texts, batch_size=batch_size, contexts=contexts)  # type: ignore[call-arg]
    else:
        predicted = engine.detect_many(texts, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {
        "documents": len(rows),
        "elapsed_s": round(elapsed, 3),
        "docs_per_s": round(len(rows) / elapsed, 2) if elapsed > 0 else None,
        "categories": {},
    }
    for cat in categories:
        gold = [str(r.get(FLAG_FIELDS[cat], "no")).strip().lower() == "yes" for r in rows]
        pred = [any(f.category == cat for f in found) for found in predicted]
        tp = sum(p and g for p, g in zip(pred, gold, strict=True))
        fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
        fn = sum(g and not p for p, g in zip(pred, gold, strict=True))
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        jaccards: list[float] = []
        inter_total = union_total = 0
        for row, text, found, g in zip(rows, texts, predicted, gold, strict=True):
            gspans = gold_spans(row.get(cat), text) if g else []
            if not gspans:
                continue
            gold_chars = _chars(gspans)
            pred_chars = _chars((f.start, f.end) for f in found if f.category == cat)
            inter, union = len(gold_chars & pred_chars), len(gold_chars | pred_chars)
            jaccards.append(_ratio(inter, union))
            inter_total += inter
            union_total += union
        result["categories"][cat] = {
            "gold": sum(gold),
            "predicted": sum(pred),
            "tp": tp,
            "fp": fp,
            "fn": fn,
            "tn": len(rows) - tp - fp - fn,
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(_ratio(2 * precision * recall, precision + recall), 4),
            "kappa": round(cohen_kappa(pred, gold), 4),
            "span_jaccard": round(sum(jaccards) / len(jaccards), 4) if jaccards else 0.0,
            "micro_span_jaccard": round(_ratio(inter_total, union_total), 4),
            "span_documents": len(jaccards),
        }
    # Any SemSI category at all: the document-level "is this answer sensitive" agreement.
    gold_any = [any(str(r.get(FLAG_FIELDS[c], "no")).strip().lower() == "yes" for c in categories) for r in rows]
    pred_any = [any(f.category in categories for f in found) for found in predicted]
    tp = sum(p and g for p, g in zip(pred_any, gold_any, strict=True))
    precision, recall = _ratio(tp, sum(pred_any)), _ratio(tp, sum(gold_any))
    result["any_category"] = {
        "gold": sum(gold_any),
        "predicted": sum(pred_any),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(_ratio(2 * precision * recall, precision + recall), 4),
        "kappa": round(cohen_kappa(pred_any, gold_any), 4),
    }
    return result


# -- plain Presidio baseline -----------------------------------------------------------------------


class PresidioBaseline:
    """Plain Presidio as a SemSI detector, for comparison tables.

    Definition: Presidio's AnalyzerEngine with its default recognizers and all its entities (its own
    spaCy run per document, one `analyze` call per text, score threshold from settings); every entity
    it finds counts as a finding of *every* SemSI category. So a document is flagged for privacy,
    harmful and misinformation alike when Presidio finds any entity in it, and the entity spans are
    the predicted spans. This is what "just run a PII detector" gives on SemSI.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._analyzer = None

    def _load(self) -> Any:
        if self._analyzer is None:
            from semsiedit.detection.pii import make_analyzer
            from semsiedit.models import load_spacy, set_offline_environment

            set_offline_environment()
            self._analyzer = make_analyzer(load_spacy(self.settings.spacy_model), self.settings.spacy_model)[0]
        return self._analyzer

    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Finding]]:
        analyzer = self._load()
        out: list[list[Finding]] = []
        for text in texts:  # the naive per-document loop: Presidio parses each text itself
            results = analyzer.analyze(text, "en", score_threshold=self.settings.pii_score_threshold) if text else []
            out.append(
                [
                    Finding(r.start, r.end, text[r.start : r.end], cat, r.entity_type, 2, float(r.score), "presidio")
                    for r in results
                    for cat in SEMSI_CATEGORIES
                ]
            )
        return out


def presidio_baseline_flags(texts: Sequence[str], settings: Settings | None = None) -> list[dict[str, bool]]:
    """Per text, the SemSI flags of the plain-Presidio baseline (see `PresidioBaseline`)."""
    found = PresidioBaseline(settings).detect_many(texts)
    return [{cat: any(f.category == cat for f in fs) for cat in SEMSI_CATEGORIES} for fs in found]


# -- presentation ----------------------------------------------------------------------------------


def format_agreement_table(
    results: dict[str, dict[str, Any]] | dict[str, Any], title: str = "Detection agreement"
) -> Table:
    """A rich Table: one row per (detector, category). `results` is one `evaluate_detection` result or
    a mapping of detector name to result."""
    from rich.table import Table

    if "categories" in results:
        results = {"detector": results}
    table = Table(title=title)
    for col in ("detector", "category", "gold", "pred", "P", "R", "F1", "kappa", "span J"):
        table.add_column(col, justify="left" if col in ("detector", "category") else "right")
    for name, res in results.items():
        for cat, m in _rows(res):
            table.add_row(
                name,
                cat,
                str(m["gold"]),
                str(m["predicted"]),
                f"{m['precision']:.2f}",
                f"{m['recall']:.2f}",
                f"{m['f1']:.2f}",
                f"{m['kappa']:.2f}",
                f"{m['span_jaccard']:.2f}" if "span_jaccard" in m else "",
            )
    return table


def _rows(res: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = list(res["categories"].items())
    return [*rows, ("any", res["any_category"])] if "any_category" in res else rows


def format_agreement_text(results: dict[str, dict[str, Any]] | dict[str, Any]) -> str:
    """The same table as plain Markdown, for READMEs and logs."""
    if "categories" in results:
        results = {"detector": results}
    lines = [
        "| detector | category | gold | pred | P | R | F1 | kappa | span J |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, res in results.items():
        for cat, m in _rows(res):
            span = f"{m['span_jaccard']:.2f}" if "span_jaccard" in m else ""
            lines.append(
                f"| {name} | {cat} | {m['gold']} | {m['predicted']} | {m['precision']:.2f} | {m['recall']:.2f} "
                f"| {m['f1']:.2f} | {m['kappa']:.2f} | {span} |"
            )
    return "\n".join(lines)
