"""Cells of delimited tables named by their column: under a "Name" header every cell is a person,
under "DOB" a birth date, under "Condition" a health attribute of the row's person.

A table is a header line split by one delimiter (comma, tab, semicolon or pipe) with at least one
known header (data/lexicons/columns.json), then at least one row with the same number of cells.
Quoted cells ("Smith, John") are one cell. The NER reads a CSV row as a run-on phrase and finds
little in it ("Evie Carter,2011-05-14,Type 1 diabetes"): the header says what each cell is.
"""

from __future__ import annotations

import re
from functools import cache

from semsiedit.detection.lexicon import load_lexicon
from semsiedit.text import alternation
from semsiedit.types import Finding

SOURCE = "semsi-table"
_DELIMITERS = ("\t", "|", ";", ",")
_LINE = re.compile(r"[^\r\n]+")
_EMPTY = frozenset({"none", "n/a", "na", "-", "no", "nil", "unknown", "null"})


@cache
def _columns() -> dict[str, tuple[str, str]]:
    """Normalised header -> (category, label)."""
    data = load_lexicon("columns")
    out: dict[str, tuple[str, str]] = {}
    for category in ("pii", "privacy"):
        for label, headers in data[category].items():
            out.update({_norm(h): (category, label) for h in headers})
    out.update({_norm(h): _SCREENED for h in data["screened"]})
    out.update({_norm(h): _NO_VALUES for h in data.get("no_values", [])})
    return out


_SCREENED = ("screened", "")  # a free-text column: only the privacy terms in a cell are findings
_NO_VALUES = ("none", "")  # a job, a team, a shift: nothing in the cell is a finding ("Porter" is no surname)


def is_known_header(word: str) -> bool:
    """A listed column header or form field ("Address", "Diagnosis", "Notes"), in any case."""
    return _norm(word) in _columns()


def header_label(word: str) -> tuple[str, str] | None:
    """(category, label) of a listed column header or form field ("Employer" -> pii ORGANIZATION)."""
    return _columns().get(_norm(word))


@cache
def _privacy_terms() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, label) per privacy label: the lexicon's terms as whole words, case-insensitive."""
    terms: dict[str, set[str]] = {}
    for group in load_lexicon("privacy")["groups"]:
        if int(group["severity"]) >= 2:  # not the weak cues ("lives with son": kinship is no attribute)
            terms.setdefault(group["label"], set()).update(t.lower() for t in group["terms"])
    return [(re.compile(rf"(?<![\w-])(?:{alternation(sorted(ts))})(?![\w-])", re.IGNORECASE), label)
            for label, ts in sorted(terms.items())]  # fmt: skip


def _screened(offset: int, cell: str, subject: str | None, name: str) -> list[Finding]:
    reason = f"a term of the privacy lexicon in the table column '{name}'"
    return [
        Finding(offset + m.start(), offset + m.end(), m.group(), "privacy", label, 2, 0.8, SOURCE, reason, subject)
        for pattern, label in _privacy_terms()
        for m in pattern.finditer(cell)
    ]


def _norm(header: str) -> str:
    return " ".join(re.sub(r"[\s_.\-#:*]+", " ", header.strip().strip("\"'")).lower().split())


def _cells(line: str, delimiter: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of `line`, trimmed of spaces and quotes; quoted delimiters kept."""
    spans: list[tuple[int, int]] = []
    start, quoted = 0, False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            spans.append((start, i))
            start = i + 1
    spans.append((start, len(line)))
    if delimiter == "|" and len(spans) > 2 and not line[: spans[0][1]].strip() and not line[spans[-1][0] :].strip():
        spans = spans[1:-1]  # "| a | b |": the outer pipes open and close the row
    out = []
    for s, e in spans:
        while s < e and line[s] in " \t\"'":
            s += 1
        while e > s and line[e - 1] in " \t\"'":
            e -= 1
        out.append((s, e))
    return out


def _header(line: str) -> tuple[str, list[tuple[str, str] | None]] | None:
    """The delimiter and each column's (category, label) when `line` is a table header."""
    for delimiter in _DELIMITERS:
        if delimiter not in line:
            continue
        cells = _cells(line, delimiter)
        if len(cells) < 2:
            continue
        kinds = [_columns().get(_norm(line[s:e])) for s, e in cells]
        if any(k not in (None, _NO_VALUES) for k in kinds) and all(len(line[s:e].split()) <= 4 for s, e in cells):
            return delimiter, kinds
    return None


def find_table_cells(text: str) -> tuple[list[Finding], list[tuple[int, int]]]:
    """A finding per cell of a known column, and the (start, end) of each table's header line and of
    each cell that holds no value (a 'Role' column's): nothing inside those is a finding."""
    lines = [(m.start(), m.group()) for m in _LINE.finditer(text)]
    out: list[Finding] = []
    headers: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        header = _header(lines[i][1])
        if header is None:
            i += 1
            continue
        delimiter, kinds = header
        names = [lines[i][1][s:e] for s, e in _cells(lines[i][1], delimiter)]
        headers.append((lines[i][0], lines[i][0] + len(lines[i][1])))
        j = i + 1
        while j < len(lines):
            offset, line = lines[j]
            cells = _cells(line, delimiter)
            if len(cells) != len(kinds):
                break
            if all(re.fullmatch(r"[-:=+ ]*", line[s:e]) for s, e in cells):
                j += 1
                continue  # "|---|---|": a Markdown table's rule
            people = [line[s:e] for (s, e), kind in zip(cells, kinds, strict=True) if kind == ("pii", "PERSON")]
            subject = " ".join(people) or None
            for (s, e), kind, name in zip(cells, kinds, names, strict=True):
                if kind == _NO_VALUES:
                    headers.append((offset + s, offset + e))
                    continue
                if kind is None or s == e or line[s:e].lower() in _EMPTY:
                    continue
                category, label = kind
                if kind == _SCREENED:
                    out += _screened(offset + s, line[s:e], subject, name)
                    continue
                out.append(
                    Finding(
                        start=offset + s, end=offset + e, text=line[s:e], category=category,  # type: ignore[arg-type]
                        label=label, severity=2, score=0.9, source=SOURCE,
                        reason=f"a cell of the table column '{name}'",
                        subject=subject if category == "privacy" else None,
                    )
                )  # fmt: skip
            j += 1
        i = j
    return out, headers


def cells_win(found: list[Finding], cells: list[Finding], headers: list[tuple[int, int]]) -> list[Finding]:
    """The table's reading of its cells over the parser's: nothing on a header line (a column's name
    is no value), no statement the parser made of a row ("Ahmed Rahimi | 00123456 | Muslim"), no name
    or place the NER found in a cell of another column ("Epilepsy" as a person); what lies inside a
    cell of its own kind stays."""
    if not headers:
        return found
    spans = [(c.start, c.end, c.category, c.label) for c in cells]
    kept = []
    for f in found:
        if any(s <= f.start and f.end <= e for s, e in headers):
            continue
        if f.source != SOURCE:
            inside = [(s, e, cat, label) for s, e, cat, label in spans if s <= f.start and f.end <= e]
            crosses = any(f.start < e and s < f.end for s, e, _, _ in spans)
            if inside and all(cat != f.category or (cat == "pii" and label != f.label) for _, _, cat, label in inside):
                continue
            if crosses and not inside and f.category != "pii":
                continue
        kept.append(f)
    return kept
