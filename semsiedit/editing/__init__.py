"""Editing: apply edits by offsets, the local editor (tables + surrogates) and the LLM editor.

Every editor implements `propose(text, context, findings) -> Proposal`; nothing here imports a
heavy library, so this package is cheap to import at start-up.
"""

from __future__ import annotations

from semsiedit.editing.apply import (
    EditConflict,
    apply_edits,
    check_edits,
    resolve_overlaps,
    widen_to_clause,
    widen_to_sentence,
)
from semsiedit.editing.llm import LLMEditor, format_findings
from semsiedit.editing.local import LocalEditor, insert_hedge
from semsiedit.editing.proposal import Proposal
from semsiedit.editing.surrogates import SurrogateMap

__all__ = [
    "EditConflict",
    "LLMEditor",
    "LocalEditor",
    "Proposal",
    "SurrogateMap",
    "apply_edits",
    "check_edits",
    "format_findings",
    "insert_hedge",
    "resolve_overlaps",
    "widen_to_clause",
    "widen_to_sentence",
]
