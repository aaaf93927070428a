"""The HTML review page: one self-contained file (inline CSS and JS, no network; works from file://).

Built from the JSONL records a rewrite writes (`rewritten` + the `semsiedit` report), so
`rewrite --html` and `report RESULTS.jsonl --html` render the same page. Every piece of text is
HTML-escaped; the original (sensitive) values appear only with `show_values`, and only when the
records carry them (a rewrite run with `--show-values`).
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from semsiedit.errors import InputError
from semsiedit.types import CATEGORIES

ASSETS = Path(__file__).resolve().parent / "data" / "review"
SORTS = {"order": "input order", "needs-review": "needs review first", "leakage": "leakage after (high first)",
         "utility": "utility (low first)", "edits": "edits (most first)"}


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def read_records(path: Path, warn=None) -> Iterator[dict[str, Any]]:
    """The records of a rewrite's JSONL output; lines that are not records are reported and skipped."""
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    if warn:
                        warn(f"{path}:{number}: not JSON")
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("semsiedit"), dict):
                    if warn:
                        warn(f"{path}:{number}: no `semsiedit` report (is this a rewrite's JSONL output?)")
                    continue
                yield record
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text") from None


def needs_review(report: dict[str, Any]) -> tuple[bool | None, list[str]]:
    """(flag, reasons) from a report; None when the report has no `needs_review` field."""
    value = report.get("needs_review")
    reasons = report.get("review_reasons") or []
    if isinstance(value, dict):
        reasons = value.get("reasons") or reasons
        flag = value.get("value", value.get("needs_review"))
        value = bool(flag) if flag is not None else bool(reasons)
    if value is None:
        return None, []
    if isinstance(reasons, str):
        reasons = [reasons]
    return bool(value), [str(r) for r in reasons]


# -- summary --------------------------------------------------------------------------------------
def _summary(records: list[dict[str, Any]]) -> dict[str, Any]:
    flagged = {c: [0, 0] for c in CATEGORIES}
    findings = {c: [0, 0] for c in CATEGORIES}
    scored = [r["semsiedit"]["scores"] for r in records if r["semsiedit"].get("scores")]
    for record in records:
        rep = record["semsiedit"]
        for i, key in enumerate(("findings_before", "findings_after")):
            for c in CATEGORIES:
                n = int((rep.get(key) or {}).get(c, 0) or 0)
                findings[c][i] += n
                flagged[c][i] += n > 0

    def mean(key: str) -> float | None:
        values = [s[key] for s in scored if isinstance(s.get(key), int | float)]
        return sum(values) / len(values) if values else None

    return {
        "documents": len(records),
        "flagged": flagged,
        "findings": findings,
        "docs_flagged": [sum(any((r["semsiedit"].get(k) or {}).values()) for r in records)
                         for k in ("findings_before", "findings_after")],
        "needs_review": sum(needs_review(r["semsiedit"])[0] is True for r in records),
        "has_needs_review": any(needs_review(r["semsiedit"])[0] is not None for r in records),
        "errors": sum(bool(r["semsiedit"].get("error")) for r in records),
        "leakage_before": mean("leakage_before"),
        "leakage_after": mean("leakage_after"),
        "utility": mean("utility"),
        "edits": sum(int(r["semsiedit"].get("edits") or 0) for r in records),
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _summary_html(s: dict[str, Any], pareto: Path | None) -> str:
    cards = [("documents", s["documents"]),
             ("flagged before → after", f"{s['docs_flagged'][0]} → {s['docs_flagged'][1]}"),
             ("leakage before → after", f"{_fmt(s['leakage_before'])} → {_fmt(s['leakage_after'])}"),
             ("utility", _fmt(s["utility"])),
             ("edits", s["edits"])]
    if s["has_needs_review"]:
        cards.append(("need review", s["needs_review"]))
    if s["errors"]:
        cards.append(("errors", s["errors"]))
    out = ['<section class="summary" id="summary"><h2>Summary</h2><div class="cards">']
    out += [f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>' for k, v in cards]
    out.append('</div><table class="cats"><tr><th>category</th><th>documents flagged before → after</th>'
               '<th>findings before → after</th></tr>')
    for c in CATEGORIES:
        f, n = s["flagged"][c], s["findings"][c]
        out.append(f"<tr><td>{_e(c)}</td><td>{f[0]} → {f[1]}</td><td>{n[0]} → {n[1]}</td></tr>")
    out.append("</table>")
    if pareto is not None:
        data = base64.b64encode(pareto.read_bytes()).decode("ascii")
        out.append(f'<div class="pareto"><img alt="Pareto plot: leakage against utility" '
                   f'src="data:image/png;base64,{data}"></div>')
    out.append("</section>")
    return "".join(out)


# -- one document ---------------------------------------------------------------------------------
def _detail(h: dict[str, Any], show_values: bool) -> str:
    lines = [f"{h.get('category', '?')} · {h.get('strategy', '?')} · {h.get('editor', '?')} editor · "
             f"round {h.get('round', '?')}"]
    for f in h.get("findings") or []:
        lines.append(f"finding: {f.get('label', '?')} ({f.get('category', '?')}), severity {f.get('severity', '?')}, "
                     f"source {f.get('source', '?')}")
    for earlier in h.get("earlier") or []:
        lines.append(f"over an earlier {earlier.get('strategy', '?')} ({earlier.get('category', '?')}, "
                     f"round {earlier.get('round', '?')})")
    if show_values and h.get("original") is not None:
        lines.append(f"original: {h['original']}")
    return "\n".join(lines)


def _marked_text(text: str, highlights: list[dict[str, Any]], show_values: bool) -> str:
    out, pos = [], 0
    for h in sorted(highlights, key=lambda h: (h["start"], h["end"])):
        start, end = int(h["start"]), int(h["end"])
        if start < pos or end > len(text):
            continue  # overlapping or stale offsets: show the text plain rather than wrong
        cat = str(h.get("category", "pii"))
        strategy = str(h.get("strategy", "edit")).split(":")[-1]
        out.append(_e(text[pos:start]))
        out.append(f'<mark class="cat-{_e(cat)} strat-{_e(strategy)}" data-category="{_e(cat)}" '
                   f'data-strategy="{_e(strategy)}" title="{_e(cat)} · {_e(strategy)}" '
                   f'data-detail="{_e(_detail(h, show_values))}">{_e(text[start:end])}</mark>')
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def _doc_html(index: int, record: dict[str, Any], show_values: bool, original: str | None) -> str:
    rep = record["semsiedit"]
    doc_id = str(rep.get("id") or record.get("id") or f"document {index + 1}")
    flag, reasons = needs_review(rep)
    scores = rep.get("scores") or {}
    highlights = rep.get("highlights")
    cats = sorted({c for c in CATEGORIES if (rep.get("findings_before") or {}).get(c)}
                  | {str(h.get("category")) for h in highlights or []})
    attrs = {
        "id": f"doc-{index + 1}", "data-order": index, "data-needs-review": "1" if flag else "0",
        "data-categories": " ".join(cats), "data-edits": rep.get("edits") or 0,
        "data-leakage": scores.get("leakage_after", ""), "data-utility": scores.get("utility", ""),
    }
    head = [f'<article class="doc" {" ".join(f"{k}={chr(34)}{_e(v)}{chr(34)}" for k, v in attrs.items())}>',
            f"<h2><span>{_e(doc_id)}</span>"]
    if flag is True:
        head.append('<span class="badge review">needs review</span>')
    elif flag is False:
        head.append('<span class="badge ok">reviewed by thresholds: ok</span>')
    if rep.get("error"):
        head.append('<span class="badge err">error</span>')
    head.append(f'<span class="badge">{_e(rep.get("path", "?"))} path</span></h2>')
    parts = [f"edits <b>{_e(rep.get('edits', 0))}</b>"]
    if scores:
        parts += [f"leakage <b>{_fmt(scores.get('leakage_before'))} → {_fmt(scores.get('leakage_after'))}</b>",
                  f"utility <b>{_fmt(scores.get('utility'))}</b>",
                  f"length ratio <b>{_fmt(scores.get('length_ratio'), 2)}</b>",
                  f"spans leaked <b>{_e(scores.get('leaked_spans', '–'))}/{_e(scores.get('total_spans', '–'))}</b>"]
    fb, fa = rep.get("findings_before") or {}, rep.get("findings_after") or {}
    parts += [f"{_e(c)} <b>{_e(fb.get(c, 0))} → {_e(fa.get(c, 0))}</b>" for c in CATEGORIES if fb.get(c) or fa.get(c)]
    if rep.get("source"):
        parts.append(f"source {_e(rep['source'])}")
    body = [f'<div class="scores">{" · ".join(parts)}</div>']
    if reasons:
        body.append(f'<div class="reasons">{_e("; ".join(reasons))}</div>')
    if rep.get("error"):
        body.append(f'<div class="reasons">error: {_e(rep["error"])}</div>')
    text = record.get("rewritten")
    if not isinstance(text, str):
        body.append('<div class="none">no rewritten text in this record</div>')
    else:
        body.append(f'<div class="text">{_marked_text(text, highlights or [], show_values)}</div>')
        if highlights is None:
            body.append('<div class="none">this report has no edit positions (made by an older semsiedit)</div>')
    if show_values and original is not None:
        body.append(f'<details class="orig"><summary>original text</summary><div class="text">{_e(original)}'
                    "</div></details>")
    return "".join(head + body) + "</article>"


def render(records: Iterable[dict[str, Any]], *, show_values: bool = False, pareto: Path | None = None,
           title: str = "semsiedit review", originals: dict[int, str] | None = None) -> str:
    """The whole page as one string. `originals`: record index -> original text (only shown with
    `show_values`)."""
    records = list(records)
    summary = _summary(records)
    options = "".join(f'<option value="{_e(c)}">{_e(c)}</option>' for c in ("all", *CATEGORIES))
    sorts = "".join(f'<option value="{_e(k)}">{_e(v)}</option>' for k, v in SORTS.items())
    legend = "".join(f'<span><mark class="cat-{c}">{c}</mark></span>' for c in CATEGORIES)
    docs = "".join(_doc_html(i, r, show_values, (originals or {}).get(i)) for i, r in enumerate(records))
    values_note = "original values shown (--show-values)" if show_values else "original values hidden"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        # No network: nothing may load from anywhere but this file.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<title>{_e(title)}</title><style>{_asset('review.css')}</style></head><body>"
        f'<header class="top"><h1>{_e(title)}</h1><div class="sub">{summary["documents"]} documents · '
        f"{_e(values_note)} · generated {_e(when)}</div></header><main>"
        f"{_summary_html(summary, pareto)}"
        '<div class="controls" id="controls">'
        '<label><input type="checkbox" id="f-needs"> needs review only</label>'
        f'<label>category <select id="f-category">{options}</select></label>'
        f'<label>sort <select id="f-sort">{sorts}</select></label>'
        '<span id="shown"></span>'
        f'<span class="legend">{legend}</span>'
        '<span class="hint">j / → next · k / ← previous · click a highlight for details</span></div>'
        f'<div id="docs">{docs}</div></main>'
        f"<script>{_asset('review.js')}</script></body></html>\n"
    )


def write_review(path: Path, records: Iterable[dict[str, Any]], **kwargs: Any) -> None:
    from semsiedit.sinks import atomic_write_text

    atomic_write_text(path, render(records, **kwargs))


def report_command(results: Path, html_path: Path | None, *, show_values: bool, pareto: Path | None,
                   warn, stdout) -> int:
    """`semsiedit report`: the review page from a rewrite's JSONL output; returns the record count."""
    from semsiedit.sinks import check_no_clobber

    check_no_clobber({"--html": html_path}, [results, *([pareto] if pareto else [])])
    records = list(read_records(results, warn))
    if not records:
        raise InputError(f"{results}: no rewrite records (JSONL lines with a `semsiedit` report)")
    if pareto is None and (results.parent / "pareto.png").is_file():
        pareto = results.parent / "pareto.png"
    if pareto is not None and not pareto.is_file():
        raise InputError(f"--pareto {pareto}: no such file")
    if html_path is None:
        stdout.write(json.dumps(_summary(records), indent=2) + "\n")
    else:
        write_review(html_path, records, show_values=show_values, pareto=pareto,
                     title=f"semsiedit review: {results.name}")
    return len(records)
