"""Where each accepted edit ended up in the final rewrite (for the review page).

Edits are recorded per round with offsets into that round's input text. Following them forward
gives, for every region of the final text that an edit wrote, the edit that wrote it and the earlier
edits it absorbed (a round-2 clause rewrite over a round-1 surrogate). Offsets only: no sensitive
value unless `show_values` (then `original`: the text each edit replaced, in its round's text).
"""

from __future__ import annotations

from typing import Any

from semsiedit.types import DocumentResult, Edit, RoundRecord


def _info(edit: Edit, record: RoundRecord, show_values: bool) -> dict[str, Any]:
    by_id = {f.id: f for f in record.findings}
    findings = [by_id[i] for i in edit.finding_ids if i in by_id]
    info: dict[str, Any] = {
        "round": record.iteration,
        "category": edit.category or (findings[0].category if findings else "pii"),
        "strategy": edit.strategy or "edit",
        "editor": edit.editor,
        "findings": [{"category": f.category, "label": f.label, "severity": f.severity, "source": f.source}
                     for f in findings],
    }
    if show_values:
        info["original"] = edit.original
    return info


def edit_highlights(result: DocumentResult, show_values: bool = False) -> list[dict[str, Any]]:
    """[{start, end, round, category, strategy, editor, findings, earlier}] in `result.rewritten`."""
    regions: list[dict[str, Any]] = []  # in the coordinates of the current round's text
    for record in result.rounds:
        edits = sorted((d.edit for d in record.decisions if d.accepted), key=lambda e: (e.start, e.end))
        if not edits:
            continue
        new: list[dict[str, Any]] = []
        absorbed: set[int] = set()
        delta = 0
        for edit in edits:
            start = edit.start + delta
            earlier = []
            for i, region in enumerate(regions):
                inside = region["start"] < edit.end and edit.start < region["end"]
                if inside or (edit.start == edit.end and region["start"] < edit.start < region["end"]):
                    absorbed.add(i)
                    earlier.extend([{k: v for k, v in region.items() if k not in ("start", "end", "earlier")},
                                    *region["earlier"]])
            new.append({"start": start, "end": start + len(edit.replacement),
                        **_info(edit, record, show_values), "earlier": earlier})
            delta += len(edit.replacement) - (edit.end - edit.start)
        for i, region in enumerate(regions):
            if i in absorbed:
                continue
            shift = sum(len(e.replacement) - (e.end - e.start) for e in edits if e.end <= region["start"])
            new.append({**region, "start": region["start"] + shift, "end": region["end"] + shift})
        regions = sorted(new, key=lambda r: (r["start"], r["end"]))
    return [r for r in regions if r["end"] > r["start"] and r["end"] <= len(result.rewritten)]
