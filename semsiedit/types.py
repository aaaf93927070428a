"""The plain data that flows from one pipeline stage to the next.

detect -> Finding; critique -> Finding; rewrite -> Edit; verify -> EditDecision;
loop -> RoundRecord + DocumentResult; scoring -> Scores.  Every stage takes and returns these,
so a newcomer can read the pipeline as a sequence of functions over small records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Category = Literal["pii", "privacy", "harmful", "misinformation"]
CATEGORIES: tuple[Category, ...] = ("pii", "privacy", "harmful", "misinformation")
SEMSI_CATEGORIES: tuple[Category, ...] = ("privacy", "harmful", "misinformation")

# Which road a document's edits took: the LLM alone, the local editor alone, or the LLM with
# some edits (or the whole document) falling back to the local editor.
Path = Literal["llm", "local", "fallback"]


@dataclass
class Finding:
    """One sensitive span: character offsets into the text it was found in."""

    start: int
    end: int
    text: str
    category: Category
    label: str  # finer type: PERSON, EMAIL_ADDRESS, health, accusation, unverified_claim ...
    severity: int = 2  # 1 slight, 2 moderate, 3 substantial harm
    score: float = 1.0  # detector confidence 0-1
    source: str = ""  # presidio | spacy | semsi-local | llm-critic | ...
    reason: str = ""
    subject: str | None = None  # who the statement is about, when known
    id: str = ""  # stable within one round ("f1", "f2" ...), used by the editors

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        """Serialisable form. Sensitive values stay out unless asked for (SPEC §6)."""
        d = asdict(self)
        if not show_values:
            # Reasons quote what they found ("'HIV' about Maria ..."): values, so they go too.
            for key in ("text", "subject", "reason"):
                d.pop(key)
        return d


@dataclass
class Edit:
    """Replace text[start:end] (which must equal `original`) with `replacement`."""

    start: int
    end: int
    original: str
    replacement: str
    finding_ids: list[str] = field(default_factory=list)
    category: Category | None = None
    editor: str = "local"  # local | llm
    strategy: str = ""  # pseudonym | generalise | hedge | attribute | llm ...

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not show_values:
            d.pop("original")
            d.pop("replacement")
        return d


@dataclass
class EditDecision:
    """The verify stage's verdict on one proposed edit."""

    edit: Edit
    accepted: bool
    reason: str = ""  # why it was rejected: keeps_value | deletes_content | utility_floor | invalid_text | ...

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        return {"edit": self.edit.to_dict(show_values), "accepted": self.accepted, "reason": self.reason}


@dataclass
class Usage:
    """LLM cost bookkeeping."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_calls: int = 0
    failures: int = 0

    def add(self, other: Usage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_calls += other.cached_calls
        self.failures += other.failures


@dataclass
class RoundRecord:
    """What happened in one detect -> critique -> rewrite -> verify round."""

    iteration: int
    findings: list[Finding] = field(default_factory=list)
    decisions: list[EditDecision] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)  # e.g. "llm critic failed: timeout; local findings used"

    def to_dict(self, show_values: bool = False) -> dict[str, Any]:
        return {
            "iteration": self.iteration,
            "findings": [f.to_dict(show_values) for f in self.findings],
            "proposed": len(self.decisions),
            "accepted": sum(d.accepted for d in self.decisions),
            "rejected": [d.to_dict(show_values) for d in self.decisions if not d.accepted],
            "usage": asdict(self.usage),
            "notes": self.notes,
        }


@dataclass
class Scores:
    """Leakage against utility for one original/rewrite pair (SPEC §4)."""

    utility: float  # mean best-match cosine of original sentences in the rewrite
    utility_whole: float  # whole-text cosine
    leakage_before: float  # leakage of the original against itself (1.0 when any span, by definition)
    leakage_after: float
    leaked_spans: int
    total_spans: int
    length_ratio: float
    residuals: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    """One unit of input: a file, a JSONL record, or stdin."""

    id: str
    text: str
    context: str | None = None  # the question the text answers, if any
    source: str = ""  # path, "path:line", or "<stdin>"
    record: dict[str, Any] | None = None  # the JSONL record, passed through untouched
    newline: str = "\n"


@dataclass
class DocumentResult:
    """Everything the loop learned about one document."""

    id: str
    original: str
    rewritten: str
    findings_before: list[Finding] = field(default_factory=list)
    findings_after: list[Finding] = field(default_factory=list)
    rounds: list[RoundRecord] = field(default_factory=list)
    path: Path = "local"
    scores: Scores | None = None
    usage: Usage = field(default_factory=Usage)
    prompt_hashes: dict[str, str] = field(default_factory=dict)
    elapsed_s: float = 0.0
    error: str | None = None
    llm_unavailable: bool = False  # the server could not be used (down, timing out, refusing the key)
    profile: dict[str, str] | None = None  # the protection profile and why (semsiedit/profile.py)
    needs_review: bool = False  # a person should look at this rewrite (semsiedit/review.py)
    review_reasons: list[str] = field(default_factory=list)

    @property
    def edits_applied(self) -> int:
        return sum(d.accepted for r in self.rounds for d in r.decisions)

    @property
    def fallbacks(self) -> int:
        return sum(1 for r in self.rounds for d in r.decisions if d.accepted and d.edit.strategy.startswith("fallback"))

    def occurrence(self, after: bool) -> dict[str, bool]:
        findings = self.findings_after if after else self.findings_before
        return {c: any(f.category == c for f in findings) for c in CATEGORIES}

    def to_report(self, show_values: bool = False) -> dict[str, Any]:
        def by_category(findings: list[Finding]) -> dict[str, int]:
            return {c: sum(f.category == c for f in findings) for c in CATEGORIES}

        return {
            "id": self.id,
            "path": self.path,
            "iterations": len(self.rounds),
            "findings_before": by_category(self.findings_before),
            "findings_after": by_category(self.findings_after),
            "edits": self.edits_applied,
            "fallbacks": self.fallbacks,
            "scores": self.scores.to_dict() if self.scores else None,
            "usage": asdict(self.usage),
            "prompt_hashes": self.prompt_hashes,
            "elapsed_s": round(self.elapsed_s, 4),
            "error": self.error,
            "llm_unavailable": self.llm_unavailable,
            "profile": self.profile,
            "needs_review": self.needs_review,
            "review_reasons": self.review_reasons,
            "rounds": [r.to_dict(show_values) for r in self.rounds],
        }
