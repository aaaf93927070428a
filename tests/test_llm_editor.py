"""LLMEditor against a scripted chat client: prompt rendering, reply parsing, unknown/missing ids, errors."""

from __future__ import annotations

import json

import pytest

from semsiedit.config import Settings
from semsiedit.editing import LLMEditor, apply_edits, format_findings, resolve_overlaps
from semsiedit.errors import LLMError
from semsiedit.llm.base import ScriptedChatClient
from semsiedit.prompts import frame, load_prompt
from semsiedit.types import Finding

TEXT = "Maria Gonzalez was diagnosed with HIV last year. Call her at 555-123-4567."


def findings() -> list[Finding]:
    clause = "Maria Gonzalez was diagnosed with HIV last year"
    phone = "555-123-4567"
    return [
        Finding(0, len(clause), clause, "privacy", "health", severity=3, reason="health status", id="f1"),
        Finding(TEXT.index(phone), TEXT.index(phone) + len(phone), phone, "pii", "PHONE_NUMBER", id="f2"),
    ]


def reply(*edits: tuple[str, str]) -> str:
    return json.dumps({"edits": [{"id": i, "replacement": r} for i, r in edits]})


def test_prompt_carries_document_findings_and_context() -> None:
    client = ScriptedChatClient([reply(("f1", "The patient has a chronic condition"), ("f2", "the number on file"))])
    editor = LLMEditor(client, Settings(model="scripted"))
    editor.propose(TEXT, "Why was Maria ill?", findings())
    system, user = client.requests[0]
    assert system == load_prompt("editor").system
    tags = frame(TEXT, "Why was Maria ill?")
    q_tag = tags["doc_tag"].replace("document", "question")
    assert f"<{q_tag}>\nWhy was Maria ill?\n</{q_tag}>\n\n<{tags['doc_tag']}>\n{TEXT}\n</{tags['doc_tag']}>" in user
    quote = '"Maria Gonzalez was diagnosed with HIV last year"'
    assert f"- f1 [privacy/health, severity 3]: {quote} — health status" in user
    assert '- f2 [pii/PHONE_NUMBER, severity 2]: "555-123-4567"' in user
    assert "$" not in user  # every template field was filled


def test_no_context_no_question_block() -> None:
    client = ScriptedChatClient([reply()])
    LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert "<question" not in client.requests[0][1]
    assert client.requests[0][1].startswith(f"<{frame(TEXT)['doc_tag']}>\n")


def test_quotes_are_escaped_in_the_findings_list() -> None:
    f = Finding(0, 9, 'say "hi"\n', "harmful", "insult", id="f7")
    assert format_findings([f]) == '- f7 [harmful/insult, severity 2]: "say \\"hi\\"\\n"'


def test_edits_map_to_findings() -> None:
    client = ScriptedChatClient([reply(("f1", "The patient has a chronic condition"), ("f2", "the number on file"))])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert [(e.start, e.end, e.finding_ids) for e in proposal.edits] == [(0, 47, ["f1"]), (61, 73, ["f2"])]
    assert all(e.editor == "llm" and e.strategy == "llm" for e in proposal.edits)
    assert [e.category for e in proposal.edits] == ["privacy", "pii"]
    assert apply_edits(TEXT, proposal.edits) == "The patient has a chronic condition. Call her at the number on file."
    assert proposal.usage.calls == 1 and proposal.notes == []


def test_unknown_and_missing_ids_are_noted() -> None:
    client = ScriptedChatClient([reply(("f9", "something"), ("f1", "The patient has a chronic condition"))])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert [e.finding_ids for e in proposal.edits] == [["f1"]]
    assert any("unknown ids f9" in n for n in proposal.notes)
    assert any("no replacement for f2" in n for n in proposal.notes)


def test_duplicate_ids_keep_the_first() -> None:
    client = ScriptedChatClient([reply(("f2", "the number on file"), ("f2", "another"))])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert [e.replacement for e in proposal.edits] == ["the number on file"]
    assert any("duplicate" in n for n in proposal.notes)


def test_findings_without_ids_get_positional_ids() -> None:
    fs = findings()
    for f in fs:
        f.id = ""
    client = ScriptedChatClient([reply(("f2", "the number on file"))])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, fs)
    assert "- f1 [privacy/health" in client.requests[0][1]
    assert [(e.start, e.finding_ids) for e in proposal.edits] == [(61, ["f2"])]


def test_overlapping_findings_give_edits_the_caller_resolves() -> None:
    fs = [*findings(), Finding(0, 14, "Maria Gonzalez", "pii", "PERSON", id="f3")]
    client = ScriptedChatClient(
        [reply(("f1", "The patient has a chronic condition"), ("f2", "the number on file"), ("f3", "The patient"))]
    )
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, fs)
    assert len(proposal.edits) == 3
    kept, dropped = resolve_overlaps(proposal.edits)
    assert [e.finding_ids for e in dropped] == [["f3"]]
    assert apply_edits(TEXT, kept).startswith("The patient has a chronic condition.")


@pytest.mark.parametrize("error", [LLMError("timeout", "timed out"), LLMError("refused", "no")])
def test_llm_errors_propagate(error: LLMError) -> None:
    client = ScriptedChatClient([error])
    with pytest.raises(LLMError) as info:
        LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert info.value.kind == error.kind


def test_malformed_reply_is_an_llm_error() -> None:
    client = ScriptedChatClient(['{"edits": [{"replacement": "no id"}]}'])
    with pytest.raises(LLMError) as info:
        LLMEditor(client, Settings()).propose(TEXT, None, findings())
    assert info.value.kind == "malformed"


def test_no_findings_no_call() -> None:
    client = ScriptedChatClient([])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, [])
    assert proposal.edits == [] and client.requests == []


def test_stale_finding_offsets_are_skipped() -> None:
    fs = findings()
    fs[1].start += 1
    fs[1].end += 1
    client = ScriptedChatClient([reply(("f2", "the number on file"))])
    proposal = LLMEditor(client, Settings()).propose(TEXT, None, fs)
    assert proposal.edits == []
    assert any("offsets do not match" in n for n in proposal.notes)
