"""The LLM editor: one structured call per text, one replacement per flagged span (SPEC §3).

Span edits, not whole-text regeneration: the model sees the document and the numbered findings
and answers {"edits": [{"id", "replacement"}]}. Ids it invents are ignored, ids it skips are
noted; the loop hands those (and any edit verify rejects) to the local editor. `LLMError`
propagates: choosing the fallback path is the loop's job.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from semsiedit.editing.proposal import Proposal
from semsiedit.prompts import frame, load_prompt
from semsiedit.schemas import EditorReply
from semsiedit.types import Edit, Finding, Usage

if TYPE_CHECKING:
    from semsiedit.config import Settings
    from semsiedit.llm.base import ChatClient
    from semsiedit.profile import Profile


def finding_ids(findings: Sequence[Finding]) -> list[str]:
    """The id each finding is shown under: its own, else "f<position>" (unique either way)."""
    ids: list[str] = []
    for i, f in enumerate(findings, 1):
        fid = f.id or f"f{i}"
        while fid in ids:
            fid = f"{fid}_{i}"
        ids.append(fid)
    return ids


def format_findings(findings: Sequence[Finding], ids: Sequence[str] | None = None) -> str:
    """`- f1 [privacy/health, severity 3]: "quote" — reason`, one line per finding.

    The quote is JSON-escaped so that quotes and newlines inside it cannot break the list.
    """
    ids = list(ids) if ids is not None else finding_ids(findings)
    lines = []
    for fid, f in zip(ids, findings, strict=True):
        line = f"- {fid} [{f.category}/{f.label}, severity {f.severity}]: {json.dumps(f.text, ensure_ascii=False)}"
        if f.reason.strip():
            line += f" — {' '.join(f.reason.split())}"
        lines.append(line)
    return "\n".join(lines)


class LLMEditor:
    """Asks a chat model for a replacement of each flagged span."""

    def __init__(self, client: ChatClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    takes_profile = True  # the loop passes the document's protection profile

    def render(
        self, text: str, context: str | None, findings: Sequence[Finding], profile: Profile | None = None
    ) -> tuple[str, str]:
        """(system, user) messages for one request."""
        prompt = load_prompt("editor")
        framed = frame(text, context)
        if profile is not None:
            framed["context_block"] = profile.prompt_block() + framed["context_block"]
        user = prompt.render(**framed, findings=format_findings(findings))
        return prompt.system, user

    def propose(
        self, text: str, context: str | None, findings: Sequence[Finding], profile: Profile | None = None
    ) -> Proposal:
        notes: list[str] = []
        if not findings:
            return Proposal([], Usage(), notes)
        system, user = self.render(text, context, findings, profile)
        result = self.client.complete_json(system, user, EditorReply)  # LLMError goes to the loop
        reply = result.data
        if not isinstance(reply, EditorReply):
            reply = EditorReply.model_validate(reply.model_dump() if reply is not None else {})
        by_id = dict(zip(finding_ids(findings), findings, strict=True))
        edits: list[Edit] = []
        answered: set[str] = set()
        unknown: list[str] = []
        for item in reply.edits:
            fid = item.id.strip()
            finding = by_id.get(fid)
            if finding is None:
                unknown.append(fid)
                continue
            if fid in answered:
                notes.append(f"llm editor: duplicate replacement for {fid}; first kept")
                continue
            if text[finding.start : finding.end] != finding.text:
                notes.append(f"llm editor: finding {fid} offsets do not match the text; skipped")
                continue
            answered.add(fid)
            edits.append(
                Edit(
                    start=finding.start,
                    end=finding.end,
                    original=finding.text,
                    replacement=item.replacement,
                    finding_ids=[fid],
                    category=finding.category,
                    editor="llm",
                    strategy="llm",
                )
            )
        if unknown:
            notes.append(f"llm editor: ignored replacements for unknown ids {', '.join(sorted(set(unknown)))}")
        missing = [fid for fid in by_id if fid not in answered]
        if missing:
            notes.append(f"llm editor: no replacement for {', '.join(missing)}")
        usage = Usage()
        usage.add(result.usage)
        return Proposal(edits, usage, notes)
