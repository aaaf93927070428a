"""What an editor returns: the Editor interface's result record (docs/architecture.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from semsiedit.types import Edit, Usage


@dataclass
class Proposal:
    """Proposed edits for one text (not yet verified or applied), with their LLM cost and notes."""

    edits: list[Edit] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)  # e.g. "llm editor: no replacement for f3"
