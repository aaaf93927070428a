"""`semsiedit eval`: the loop (or the detectors) over a labelled SemSI-format dataset (SPEC §4, §5).

For rewrites, every configuration (the settings, each `--sweep` variation, and two baselines —
"redact everything" and "Presidio replace") is one point of leakage against utility; the points
and their frontier are drawn in `pareto.png`. Leakage is measured twice: on the spans our
detectors find in the original, and on the judge's gold `<<<…>>>` spans when the dataset has them.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from semsiedit.config import Settings
from semsiedit.errors import InputError
from semsiedit.plots import plot_pareto
from semsiedit.sinks import atomic_write_text
from semsiedit.types import CATEGORIES, SEMSI_CATEGORIES, Document, Finding

if TYPE_CHECKING:
    from rich.console import Console

SEVERITY_FIELDS = {"privacy": "scorePrivacy", "harmful": "scoreHarmful", "misinformation": "scoreMisinformation"}


def load_rows(path: Path, field_name: str, limit: int | None = None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: malformed JSON ({exc.msg})") from None
            if not isinstance(row, dict) or not isinstance(row.get(field_name), str):
                raise InputError(f"{path}:{lineno}: no text field {field_name!r} (choose it with --field)")
            rows.append(row)
            if limit and len(rows) >= limit:
                break
    if not rows:
        raise InputError(f"{path}: no rows")
    return rows


def row_id(row: dict[str, Any], index: int) -> str:
    return str(row.get("uid") or row.get("ID") or row.get("id") or index)


def gold_findings(row: dict[str, Any], text: str) -> list[Finding]:
    """The judge's spans, as findings with the judge's severity."""
    from semsiedit.agreement import gold_spans

    out = []
    for cat in SEMSI_CATEGORIES:
        flag = str(row.get(f"if{cat.capitalize()}", "no")).strip().lower() == "yes"
        if not flag:
            continue
        try:
            severity = int(row.get(SEVERITY_FIELDS[cat]) or 2)
        except (TypeError, ValueError):
            severity = 2
        for start, end in gold_spans(row.get(cat), text):
            out.append(Finding(start, end, text[start:end], cat, "gold", max(1, min(3, severity)), 1.0, "judge"))
    return out


@dataclass
class ConfigRun:
    """One point on the plot: a configuration's rewrites of every row, and their scores."""

    name: str
    kind: str  # semsiedit | baseline | external
    rewrites: list[str]
    findings_before: list[list[Finding]]
    findings_after: list[list[Finding]]
    reports: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0
    llm_calls: int = 0
    completion_tokens: int = 0
    edits: int = 0
    summary: dict[str, Any] = field(default_factory=dict)


def parse_sweep(items: Sequence[str], base: Settings) -> list[tuple[str, Settings]]:
    """`max_iterations=0,1,2,3` (repeatable: the cartesian product) -> named settings."""
    if not items:
        return [("semsiedit", base)]
    axes: list[tuple[str, list[str]]] = []
    for item in items:
        name, sep, values = item.partition("=")
        name = name.strip()
        if not sep or name not in Settings.model_fields:
            raise InputError(f"--sweep {item!r}: expected SETTING=v1,v2 with a known setting")
        axes.append((name, [v.strip() for v in values.split(",") if v.strip()]))
    configs = []
    for combo in itertools.product(*(values for _name, values in axes)):
        changes = {name: value for (name, _values), value in zip(axes, combo, strict=True)}
        try:
            settings = Settings(**{**base.model_dump(), **changes})
        except Exception as exc:
            raise InputError(f"--sweep: invalid value ({exc})") from None
        configs.append((",".join(f"{k}={v}" for k, v in changes.items()), settings))
    return configs


def _run_semsiedit(name: str, settings: Settings, docs: list[Document], progress: Callable[[int], None]) -> ConfigRun:
    from semsiedit.loop import build_loop

    loop = build_loop(settings, with_scorer=False)  # scored below, with gold spans, in one batch
    started = time.perf_counter()
    results = []
    for _doc, result in loop.run_iter(docs):
        results.append(result)
        progress(1)
    run = ConfigRun(
        name, "semsiedit", [r.rewritten for r in results], [r.findings_before for r in results],
        [r.findings_after for r in results], [r.to_report() for r in results],
        elapsed_s=time.perf_counter() - started,
    )
    run.llm_calls = sum(r.usage.calls for r in results)
    run.completion_tokens = sum(r.usage.completion_tokens for r in results)
    run.edits = sum(r.edits_applied for r in results)
    return run


def _redact(text: str, findings: Sequence[Finding], label: Callable[[Finding], str]) -> str:
    """Replace every finding (outermost first, overlaps merged) by a label."""
    spans: list[list[Any]] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if spans and f.start < spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], f.end)
            continue
        spans.append([f.start, f.end, label(f)])
    for start, end, tag in reversed(spans):
        text = text[:start] + tag + text[end:]
    return text


def _baselines(docs: list[Document], settings: Settings, detector, before: list[list[Finding]]) -> list[ConfigRun]:
    """"Redact everything" (every detected span -> [REDACTED]) and Presidio's replace anonymizer."""
    from semsiedit.agreement import PresidioBaseline

    runs = []
    started = time.perf_counter()
    redacted = [_redact(d.text, f, lambda _f: "[REDACTED]") for d, f in zip(docs, before, strict=True)]
    runs.append(ConfigRun("redact everything", "baseline", redacted, before, detector.detect_many(redacted),
                          elapsed_s=time.perf_counter() - started))
    started = time.perf_counter()
    presidio = PresidioBaseline(settings).detect_many([d.text for d in docs])
    # Presidio's replace operator: each entity becomes <ENTITY_TYPE>.
    pii_only = [[f for f in fs if f.category == "privacy"] for fs in presidio]  # one copy per entity
    replaced = [_redact(d.text, f, lambda f: f"<{f.label}>") for d, f in zip(docs, pii_only, strict=True)]
    runs.append(ConfigRun("Presidio replace", "baseline", replaced, before, detector.detect_many(replaced),
                          elapsed_s=time.perf_counter() - started))
    return runs


def _summarise(run: ConfigRun, docs: list[Document], gold: list[list[Finding]], scorer) -> list[dict[str, Any]]:
    """Fill `run.summary`; return per-document rows."""
    detected_scores = scorer.score_many(
        [(d.text, new, before) for d, new, before in zip(docs, run.rewrites, run.findings_before, strict=True)]
    )
    has_gold = any(gold)
    gold_scores = (
        scorer.score_many([(d.text, new, g) for d, new, g in zip(docs, run.rewrites, gold, strict=True)])
        if has_gold else [None] * len(docs)
    )
    n = len(docs)

    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    def occurrence(findings: list[list[Finding]]) -> dict[str, float]:
        return {c: round(sum(any(f.category == c for f in fs) for fs in findings) / n, 4) for c in CATEGORIES}

    leak_before = mean([s.leakage_before for s in detected_scores if s.total_spans])
    leak_after = mean([s.leakage_after for s in detected_scores if s.total_spans])
    utility = mean([s.utility for s in detected_scores])
    summary: dict[str, Any] = {
        "name": run.name,
        "kind": run.kind,
        "documents": n,
        "occurrence_before": occurrence(run.findings_before),
        "occurrence_after": occurrence(run.findings_after),
        "leakage_before": round(leak_before, 4),
        "leakage_after": round(leak_after, 4),
        "leakage_reduction_pct": round((leak_before - leak_after) / leak_before * 100, 2) if leak_before else 0.0,
        "leaked_spans": sum(s.leaked_spans for s in detected_scores),
        "utility": round(utility, 4),
        "utility_whole": round(mean([s.utility_whole for s in detected_scores]), 4),
        "utility_loss_pct": round((1 - utility) * 100, 2),
        "length_ratio": round(mean([s.length_ratio for s in detected_scores]), 4),
        "truncated_docs": sum(s.length_ratio < 0.7 for s in detected_scores),
        "edits": run.edits,
        "llm_calls": run.llm_calls,
        "completion_tokens": run.completion_tokens,
        "elapsed_s": round(run.elapsed_s, 2),
        "docs_per_s": round(n / run.elapsed_s, 2) if run.elapsed_s else None,
    }
    if has_gold:
        flagged = [s for s, g in zip(gold_scores, gold, strict=True) if g]
        g_before = mean([s.leakage_before for s in flagged])
        g_after = mean([s.leakage_after for s in flagged])
        summary["gold_leakage_before"] = round(g_before, 4)
        summary["gold_leakage_after"] = round(g_after, 4)
        summary["gold_leakage_reduction_pct"] = round((g_before - g_after) / g_before * 100, 2) if g_before else 0.0
        summary["gold_leaked_spans"] = sum(s.leaked_spans for s in flagged)
        summary["gold_spans"] = sum(s.total_spans for s in flagged)
    run.summary = summary
    rows = []
    for i, (doc, scores) in enumerate(zip(docs, detected_scores, strict=True)):
        row = {
            "config": run.name,
            "id": doc.id,
            "scores": scores.to_dict(),
            "findings_before": {c: sum(f.category == c for f in run.findings_before[i]) for c in CATEGORIES},
            "findings_after": {c: sum(f.category == c for f in run.findings_after[i]) for c in CATEGORIES},
            "rewritten": run.rewrites[i],
        }
        if gold_scores[i] is not None:
            row["gold_scores"] = gold_scores[i].to_dict()
        if run.reports:
            report = run.reports[i]
            row.update(path=report["path"], edits=report["edits"], iterations=report["iterations"])
        rows.append(row)
    return rows


def _external_run(path: Path, docs: list[Document], detector, field_name: str) -> ConfigRun:
    """Rewrites produced elsewhere: JSONL rows with `rewritten` (or the dataset's text field), joined
    by id when the rows carry one, else by line order."""
    rows = load_rows(path, "rewritten") if _has_field(path, "rewritten") else load_rows(path, field_name)
    key = "rewritten" if "rewritten" in rows[0] else field_name
    by_id = {row_id(r, i): r[key] for i, r in enumerate(rows)}
    if all(d.id in by_id for d in docs):
        rewrites = [by_id[d.id] for d in docs]
    elif len(rows) == len(docs):
        rewrites = [r[key] for r in rows]
    else:
        raise InputError(f"{path}: {len(rows)} rewrites for {len(docs)} rows and ids do not match")
    before = detector.detect_many([d.text for d in docs])
    return ConfigRun(path.stem, "external", rewrites, before, detector.detect_many(rewrites))


def _has_field(path: Path, name: str) -> bool:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    return name in json.loads(line)
                except json.JSONDecodeError:
                    return False
    return False


def evaluate_rewrites(
    dataset: Path,
    settings: Settings,
    *,
    sweep: Sequence[str] = (),
    baselines: bool = True,
    rewritten: Path | None = None,
    field_name: str = "answer",
    context_field: str | None = "prompt",
    limit: int | None = None,
    console: Console | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """All configurations over the dataset: (summaries, per-document rows)."""
    from semsiedit.detection import DetectionEngine
    from semsiedit.scoring import Scorer

    rows = load_rows(dataset, field_name, limit)
    docs = [Document(row_id(r, i), r[field_name], r.get(context_field) if context_field else None, str(dataset), r)
            for i, r in enumerate(rows)]
    gold = [gold_findings(r, d.text) for r, d in zip(rows, docs, strict=True)]
    detector = DetectionEngine(settings)
    scorer = Scorer(settings)
    runs: list[ConfigRun] = []
    configs = [] if rewritten else parse_sweep(sweep, settings)
    total = len(docs) * len(configs)
    progress_bar = _progress(console, total)
    with progress_bar as bar:
        task = bar.add_task("eval", total=total) if bar else None
        for name, config in configs:
            runs.append(_run_semsiedit(name, config, docs, lambda n: bar.advance(task, n) if bar else None))
    if rewritten:
        runs.append(_external_run(rewritten, docs, detector, field_name))
    if baselines:
        runs.extend(_baselines(docs, settings, detector, runs[0].findings_before))
    per_doc: list[dict[str, Any]] = []
    for run in runs:
        per_doc.extend(_summarise(run, docs, gold, scorer))
    return [run.summary for run in runs], per_doc


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _progress(console: Console | None, total: int):
    if console is None or not console.is_terminal or total == 0:
        return _NoProgress()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("evaluating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True)


def summary_table(summaries: list[dict[str, Any]]):
    from rich.table import Table

    gold = all("gold_leakage_after" in s for s in summaries)
    table = Table(title="leakage against utility")
    columns = ["configuration", "occurrence any→after", "leakage before→after", "reduction"]
    if gold:
        columns += ["gold leakage before→after", "gold reduction"]
    columns += ["utility", "utility loss", "length", "edits", "docs/s"]
    for c in columns:
        table.add_column(c, justify="left" if c == "configuration" else "right")
    for s in summaries:
        occ_b = max(s["occurrence_before"][c] for c in SEMSI_CATEGORIES)
        occ_a = max(s["occurrence_after"][c] for c in SEMSI_CATEGORIES)
        row = [s["name"], f"{occ_b:.0%}→{occ_a:.0%}", f"{s['leakage_before']:.3f}→{s['leakage_after']:.3f}",
               f"{s['leakage_reduction_pct']:.1f}%"]
        if gold:
            row += [f"{s['gold_leakage_before']:.3f}→{s['gold_leakage_after']:.3f}",
                    f"{s['gold_leakage_reduction_pct']:.1f}%"]
        row += [f"{s['utility']:.3f}", f"{s['utility_loss_pct']:.1f}%", f"{s['length_ratio']:.2f}", str(s["edits"]),
                f"{s['docs_per_s'] or 0:.1f}"]
        table.add_row(*row)
    return table


def run_eval_command(
    dataset: Path,
    settings: Settings,
    *,
    task: str,
    out: Path | None,
    rewritten: Path | None,
    sweep: Sequence[str],
    baselines: bool,
    field: str,
    context_field: str | None,
    limit: int | None,
    as_json: bool,
    console: Console | None,
    stdout=None,
) -> dict[str, Any]:
    import sys

    from semsiedit.models import set_offline_environment

    set_offline_environment()
    stdout = stdout or sys.stdout
    if out:
        from semsiedit.sinks import check_no_clobber

        names = ("detect_agreement.json",) if task == "detect" else ("summary.json", "per_doc.jsonl", "pareto.png")
        for name in names:
            check_no_clobber({"--out": out / name}, [dataset, *([rewritten] if rewritten else [])])
    if task == "detect":
        from semsiedit.agreement import PresidioBaseline, evaluate_detection, format_agreement_table
        from semsiedit.detection import DetectionEngine

        rows = load_rows(dataset, field, limit)
        result = {"semsiedit": evaluate_detection(rows, DetectionEngine(settings), field=field,
                                                  context_field=context_field)}  # fmt: skip
        if settings.learned_detection:  # side by side: the same engine with the rules alone
            rules = settings.model_copy(update={"learned_detection": False})
            result["rules only"] = evaluate_detection(rows, DetectionEngine(rules), field=field)
        result["presidio"] = evaluate_detection(rows, PresidioBaseline(settings), field=field)
        if out:
            atomic_write_text(out / "detect_agreement.json", json.dumps(result, indent=2) + "\n")
        if as_json:
            stdout.write(json.dumps(result, indent=2) + "\n")
        else:
            from rich.console import Console as RichConsole

            RichConsole(file=stdout).print(format_agreement_table(result))
        return result

    summaries, per_doc = evaluate_rewrites(
        dataset, settings, sweep=sweep, baselines=baselines, rewritten=rewritten, field_name=field,
        context_field=context_field, limit=limit, console=console,
    )
    result = {"dataset": str(dataset), "settings": settings.public_dict(), "configurations": summaries}
    if out:
        atomic_write_text(out / "summary.json", json.dumps(result, indent=2) + "\n")
        atomic_write_text(out / "per_doc.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in per_doc))
        documents = summaries[0]["documents"] if summaries else 0
        plot_pareto(summaries, out / "pareto.png", f"{dataset.name}: leakage against utility ({documents} docs)")
    if as_json:
        stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        from rich.console import Console as RichConsole

        RichConsole(file=stdout, width=200).print(summary_table(summaries))
        if out:
            written = ", ".join(str(out / name) for name in ("summary.json", "per_doc.jsonl", "pareto.png"))
            RichConsole(file=stdout).print(f"wrote {written}")
    return result
