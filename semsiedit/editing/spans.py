"""Findings -> a tree of non-overlapping spans, and the bookkeeping of one local-editor run.

Partial overlaps are merged, identical spans share a node, a name inside a flagged clause becomes
a child of the clause, so that the edits of one document never overlap.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from semsiedit.detection.casual_names import SOURCE as LOWERCASE_NAME_SOURCE
from semsiedit.detection.foreign import POSSESSIVES
from semsiedit.editing.grammar import core_range
from semsiedit.editing.pseudonymise import name_core
from semsiedit.editing.surrogates import SurrogateMap, canonical_label, load_data, split_title, title_before
from semsiedit.types import Finding


@dataclass
class Node:
    start: int
    end: int
    findings: list[Finding]
    children: list[Node] = field(default_factory=list)

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
class DocState:
    """Per-document bookkeeping shared by the edits of one `propose` call."""

    text: str
    noted: set[tuple[str, int]] = field(default_factory=set)  # (kind, line start) that carry a hedge note
    notes: int = 0

    @classmethod
    def of(cls, text: str) -> DocState:
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
class Ctx:
    """Per-edit bookkeeping while a top-level node is rendered."""

    scope: set[int]
    doc: DocState = field(default_factory=lambda: DocState(""))
    surrogates: SurrogateMap = field(default_factory=SurrogateMap)
    mode: str = "descriptor"  # Settings.pseudonyms
    profile: str = "record"  # the document's protection profile (semsiedit/profile.py)
    strategies: list[str] = field(default_factory=list)
    removed_terms: list[str] = field(default_factory=list)  # attribute terms the output must not contain
    # Statements the renderer chose to leave as written (a weak cue in a record): no leak to fix.
    left_as_written: list[Finding] = field(default_factory=list)


def validate(text: str, findings: Sequence[Finding], notes: list[str]) -> list[Finding]:
    """Findings whose offsets fit the text; a stale offset is repaired by locating the quote."""
    out = []
    for i, f in enumerate(findings):
        name = f.id or f"#{i + 1}"
        if not f.text.strip():
            notes.append(f"local editor: finding {name} is empty; skipped")
            continue
        if 0 <= f.start < f.end <= len(text) and text[f.start : f.end] == f.text:
            out.append(_without_stray_brackets(f))
            continue
        hits = [m.start() for m in re.finditer(re.escape(f.text), text)]
        if not hits:
            notes.append(f"local editor: finding {name} not found in the text; skipped")
            continue
        start = min(hits, key=lambda h: abs(h - f.start))
        out.append(Finding(**{**f.__dict__, "start": start, "end": start + len(f.text)}))
        notes.append(f"local editor: finding {name} offsets repaired")
    return out


_PAIRS = {")": "(", "]": "[", "}": "{"}


def _without_stray_brackets(f: Finding) -> Finding:
    """A finding that took the bracket closing (or opening) the text's own parenthetical
    ("+1 415 555 0183)") loses that bracket, so no edit can delete it."""
    start, end = f.start, f.end
    value = f.text
    while value and value[-1] in _PAIRS and value.count(value[-1]) > value.count(_PAIRS[value[-1]]):
        value, end = value[:-1], end - 1
    while value and value[0] in "([{" and value.count(value[0]) > value.count({"(": ")", "[": "]", "{": "}"}[value[0]]):
        value, start = value[1:], start + 1
    if (start, end) == (f.start, f.end) or not value.strip():
        return f
    return Finding(**{**f.__dict__, "start": start, "end": end, "text": value})


def span_range(text: str, f: Finding) -> tuple[int, int] | None:
    start, end = f.start, f.end
    if f.category == "pii" and canonical_label(f.label) == "PERSON" and LOWERCASE_NAME_SOURCE in f.source:
        return start, end  # "hi dr lee, its jamie": a lower-case message's names have no capital to trim by
    if f.category == "pii" and canonical_label(f.label) == "PERSON":
        trimmed = name_core(text, start, end)
        if trimmed is None:
            return None  # nothing but our own surrogates: not a new name
        start, end = trimmed
        # "my brother Kenneth": a kinship word before the name is not a title ("Brother Kenneth").
        lower = re.match(r"(?:[a-z][\w'’-]* )+(?=[A-Z])", text[start:end])
        if lower and lower.group(0).split()[0] not in ("de", "van", "von", "da", "del", "la", "le", "bin", "al"):
            start += lower.end()
        title = title_before(text, start)
        owner = re.search(r"([^\W\d_]+)[ \t]+$", text[max(0, start - title - 12) : start - title]) if title else None
        if not split_title(text[start:end])[0] and not (owner and owner.group(1).lower() in POSSESSIVES):
            # "Dr. Maria Gonzalez" -> "Person A", not "Dr. Person A"; "seine Frau Ingrid" is his wife.
            start -= title
    elif f.category == "pii" and canonical_label(f.label) in ("URL", "EMAIL_ADDRESS"):
        # "…/TEST-LANGFORD." : the full stop ends the sentence, it is not part of the URL.
        while end - start > 1 and text[end - 1] in ".,;:!?":
            end -= 1
    return start, end


def build_tree(text: str, findings: list[Finding]) -> list[Node]:
    spans = [[*r, f] for f in findings if (r := span_range(text, f)) is not None]
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
        groups.setdefault(core_range(text, start, end), []).append((start, end, f))
    nodes = [
        Node(min(s for s, _, _ in members), max(e for _, e, _ in members), [f for _, _, f in members])
        for members in groups.values()
    ]
    nodes.sort(key=lambda n: (n.start, -n.end))
    roots: list[Node] = []
    stack: list[Node] = []
    for node in nodes:
        while stack and not (stack[-1].start <= node.start and node.end <= stack[-1].end):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    for root in roots:
        flatten(root)
    return roots


# -- one top-level edit -------------------------------------------------------------------


def flatten(node: Node) -> None:
    """A statement inside a flagged statement joins it: one rewrite sees every term and category."""
    children: list[Node] = []
    for child in node.children:
        flatten(child)
        if node.semsi and not node.pii and child.semsi and not child.pii:
            node.findings.extend(child.findings)
            children.extend(child.children)
        else:
            children.append(child)
    node.children = sorted(children, key=lambda c: c.start)


def group_overlapping(text: str, findings: Sequence[Finding]) -> list[Finding]:
    """One finding per cluster of overlapping findings, spanning the cluster.

    The LLM editor gets one span to rewrite where a name sits inside a flagged clause, so its
    edits never overlap; the guards still check every member's value against the replacement.
    The cluster keeps the id, category and label of its widest member, and the highest severity.
    """
    from dataclasses import replace

    clusters: list[list[Finding]] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if clusters and finding.start < max(f.end for f in clusters[-1]):
            clusters[-1].append(finding)
        else:
            clusters.append([finding])
    groups = []
    for cluster in clusters:
        widest = max(cluster, key=lambda f: (f.end - f.start, f.category != "pii"))
        start, end = min(f.start for f in cluster), max(f.end for f in cluster)
        groups.append(replace(widest, start=start, end=end, text=text[start:end],
                              severity=max(f.severity for f in cluster)))
    return groups
