"""Reporting: per-document records for machines, summary tables for people (stderr only)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from semsiedit.types import CATEGORIES, DocumentResult, Finding


@dataclass
class BatchSummary:
    """Running totals for a batch; rendered at the end and returned by the library call."""

    documents: int = 0
    skipped_existing: int = 0
    problems: list[str] = field(default_factory=list)
    findings_before: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    findings_after: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    docs_flagged_before: int = 0
    docs_flagged_after: int = 0
    edits: int = 0
    fallbacks: int = 0
    fallback_documents: int = 0
    leakage_before: float = 0.0
    leakage_after: float = 0.0
    utility: float = 0.0
    scored: int = 0
    leaked_spans: int = 0
    llm_calls: int = 0
    llm_cached_calls: int = 0
    llm_failures: int = 0
    llm_unavailable_documents: int = 0
    completion_tokens: int = 0
    elapsed_s: float = 0.0
    needs_review: int = 0
    profiles: dict[str, int] = field(default_factory=dict)

    def add(self, result: DocumentResult) -> None:
        self.documents += 1
        for f in result.findings_before:
            self.findings_before[f.category] += 1
        for f in result.findings_after:
            self.findings_after[f.category] += 1
        self.docs_flagged_before += bool(result.findings_before)
        self.docs_flagged_after += bool(result.findings_after)
        self.edits += result.edits_applied
        self.fallbacks += result.fallbacks
        self.fallback_documents += result.path == "fallback"
        self.llm_calls += result.usage.calls
        self.llm_cached_calls += result.usage.cached_calls
        self.llm_failures += result.usage.failures
        self.llm_unavailable_documents += result.llm_unavailable
        self.completion_tokens += result.usage.completion_tokens
        self.needs_review += result.needs_review
        if result.profile:
            self.profiles[result.profile["name"]] = self.profiles.get(result.profile["name"], 0) + 1
        if result.scores:
            self.scored += 1
            self.leakage_before += result.scores.leakage_before
            self.leakage_after += result.scores.leakage_after
            self.utility += result.scores.utility
            self.leaked_spans += result.scores.leaked_spans

    @property
    def backend_down(self) -> bool:
        """The LLM server was unusable for every document: the whole batch got the local rewrite."""
        return self.documents > 0 and self.llm_unavailable_documents == self.documents

    def means(self) -> dict[str, float]:
        n = max(self.scored, 1)
        before, after = self.leakage_before / n, self.leakage_after / n
        return {
            "leakage_before": before,
            "leakage_after": after,
            "leakage_reduction_pct": (before - after) / before * 100 if before else 0.0,
            "utility": self.utility / n if self.scored else 1.0,
            "utility_loss_pct": (1 - self.utility / n) * 100 if self.scored else 0.0,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "skipped_existing": self.skipped_existing,
            "problems": len(self.problems),
            "findings_before": self.findings_before,
            "findings_after": self.findings_after,
            "docs_flagged_before": self.docs_flagged_before,
            "docs_flagged_after": self.docs_flagged_after,
            "edits": self.edits,
            "fallback_edits": self.fallbacks,
            "fallback_documents": self.fallback_documents,
            "leaked_spans": self.leaked_spans,
            "llm_calls": self.llm_calls,
            "llm_cached_calls": self.llm_cached_calls,
            "llm_failures": self.llm_failures,
            "llm_unavailable_documents": self.llm_unavailable_documents,
            "completion_tokens": self.completion_tokens,
            "elapsed_s": round(self.elapsed_s, 3),
            "needs_review": self.needs_review,
            "profiles": self.profiles,
            **{k: round(v, 4) for k, v in self.means().items()},
        }


def summary_table(summary: BatchSummary):
    from rich.table import Table

    m = summary.means()
    table = Table(title="semsiedit summary", show_header=True, header_style="bold")
    table.add_column("measure")
    table.add_column("value", justify="right")
    rows = [
        ("documents", str(summary.documents)),
        ("skipped (already done)", str(summary.skipped_existing)),
        ("unreadable / skipped", str(len(summary.problems))),
        ("documents flagged before → after", f"{summary.docs_flagged_before} → {summary.docs_flagged_after}"),
    ]
    for c in CATEGORIES:
        rows.append((f"  {c} findings before → after", f"{summary.findings_before[c]} → {summary.findings_after[c]}"))
    rows += [("edits applied", str(summary.edits)), ("documents that need review", str(summary.needs_review))]
    if summary.profiles:
        rows.append(("profiles", ", ".join(f"{k} {v}" for k, v in sorted(summary.profiles.items()))))
    if summary.scored:
        rows += [
            ("leakage before → after", f"{m['leakage_before']:.3f} → {m['leakage_after']:.3f}"),
            ("leakage reduction", f"{m['leakage_reduction_pct']:.1f}%"),
            ("utility (loss)", f"{m['utility']:.3f} ({m['utility_loss_pct']:.1f}%)"),
            ("spans still leaked", str(summary.leaked_spans)),
        ]
    if summary.llm_calls or summary.llm_cached_calls or summary.llm_failures or summary.fallback_documents:
        rows += [
            ("LLM calls (cached, failed)",
             f"{summary.llm_calls} ({summary.llm_cached_calls}, {summary.llm_failures})"),
            ("completion tokens", str(summary.completion_tokens)),
            ("documents that fell back to local", str(summary.fallback_documents)),
        ]
    rows.append(("time", f"{summary.elapsed_s:.1f} s"))
    for name, value in rows:
        table.add_row(name, value)
    return table


def findings_table(doc_id: str, text: str, findings: Sequence[Finding], show_values: bool):
    from rich.table import Table

    table = Table(title=doc_id, show_header=True, header_style="bold", title_justify="left")
    for column in ("offsets", "category", "label", "sev", "score", "source"):
        table.add_column(column)
    if show_values:
        table.add_column("text", overflow="fold")  # never cut a value the user asked to see
    for f in findings:
        row = [f"{f.start}-{f.end}", f.category, f.label, str(f.severity), f"{f.score:.2f}", f.source]
        if show_values:
            row.append(text[f.start : f.end].replace("\n", " ")[:80])
        table.add_row(*row)
    return table


def unified_diff(original: str, rewritten: str, name: str) -> str:
    lines = difflib.unified_diff(
        original.splitlines(keepends=True),
        rewritten.splitlines(keepends=True),
        fromfile=f"a/{name.lstrip('/')}",  # an absolute path reads "a/tmp/note.txt", as git writes it
        tofile=f"b/{name.lstrip('/')}",
    )
    out = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return out
