"""The critic stage: quote location, parsing and merging with a scripted client; one real-server test."""

from __future__ import annotations

import json
import re

import pytest

from semsiedit.config import Settings
from semsiedit.critique import Critique, LLMCritic, LocalCritic, locate_quote
from semsiedit.errors import LLMError
from semsiedit.llm.base import ScriptedChatClient
from semsiedit.types import Finding

TEXT = "Maria Gonzalez was diagnosed with HIV in 2019.\nShe  told her employer, Acme Corp, about it."


def _reply(*items: dict) -> str:
    return json.dumps({"findings": list(items)})


# -- locate_quote ------------------------------------------------------------------------------------


def test_locate_exact() -> None:
    assert locate_quote(TEXT, "diagnosed with HIV") == (19, 37)


def test_locate_case_and_whitespace_insensitive() -> None:
    start, end = locate_quote(TEXT, "she told HER employer")  # type: ignore[misc]
    assert TEXT[start:end] == "She  told her employer"


def test_locate_typographic_variants() -> None:
    text = "He said it’s “over” — finally."
    start, end = locate_quote(text, 'it\'s "over" - finally')  # type: ignore[misc]
    assert text[start:end] == "it’s “over” — finally"


def test_locate_fuzzy() -> None:
    start, end = locate_quote(TEXT, "Maria Gonzales was diagnosed with HIV in 2019")  # type: ignore[misc]
    assert TEXT[start:end].startswith("Maria Gonzalez was diagnosed with HIV")


def test_locate_unlocatable() -> None:
    assert locate_quote(TEXT, "an entirely different sentence about tax returns") is None
    assert locate_quote(TEXT, "") is None
    assert locate_quote(TEXT, "Marla") is None  # short quotes never match fuzzily


# -- critics -----------------------------------------------------------------------------------------


def _detected() -> list[Finding]:
    return [Finding(0, 14, "Maria Gonzalez", "pii", "PERSON", 2, 0.85, "presidio")]


def test_local_critic_keeps_detected_findings() -> None:
    out = LocalCritic(Settings(categories=["pii"])).critique(TEXT, None, _detected())
    assert isinstance(out, Critique)
    assert [(f.id, f.label) for f in out.findings] == [("f1", "PERSON")]
    assert out.usage.calls == 0


def test_llm_critic_locates_merges_and_drops() -> None:
    client = ScriptedChatClient(
        [
            _reply(
                {"quote": "diagnosed with hiv", "category": "privacy", "severity": 3, "reason": "health"},
                {"quote": "Maria Gonzalez", "category": "pii", "severity": 2, "subject": "Maria"},
                {"quote": "she was fired for stealing", "category": "harmful", "severity": 2},
                {"quote": "Acme Corp", "category": "misinformation", "severity": 1},
            )
        ]
    )
    critic = LLMCritic(client, Settings(categories=["pii", "privacy", "harmful"]))
    out = critic.critique(TEXT, "Why was Maria ill?", _detected())
    assert out.dropped_quotes == 1
    assert out.usage.calls == 1
    by_cat = {f.category: f for f in out.findings}
    assert set(by_cat) == {"pii", "privacy"}  # misinformation filtered by settings
    assert TEXT[by_cat["privacy"].start : by_cat["privacy"].end] == "diagnosed with HIV"
    assert by_cat["privacy"].source == "llm-critic" and by_cat["privacy"].label == "llm_privacy"
    assert by_cat["pii"].source == "llm-critic+presidio"
    assert [f.id for f in out.findings] == ["f1", "f2"]
    system, user = client.requests[0]
    assert re.search(r"<(question-[0-9a-f]{8})>\nWhy was Maria ill\?\n</\1>", user)
    assert TEXT in user and "privacy reviewer" in system


def test_llm_critic_without_context_has_no_question_block() -> None:
    client = ScriptedChatClient([_reply()])
    out = LLMCritic(client, Settings()).critique(TEXT, None, [])
    assert out.findings == [] and "<question" not in client.requests[0][1]


@pytest.mark.parametrize("failure", [LLMError("timeout", "slow"), "this is not json"])
def test_llm_critic_failure_falls_back_to_detected(failure: object) -> None:
    client = ScriptedChatClient([failure])  # type: ignore[list-item]
    out = LLMCritic(client, Settings()).critique(TEXT, None, _detected())
    assert [f.label for f in out.findings] == ["PERSON"]
    kind = "timeout" if isinstance(failure, LLMError) else "malformed"
    assert out.notes == [f"llm critic failed ({kind}): local findings used"]
    assert out.usage.failures == 1


@pytest.mark.llm
def test_llm_critic_against_real_server(llm_settings: Settings, llm_client: object) -> None:
    """A tiny real model: whatever it answers, the result is valid and every span is in the text."""
    critic = LLMCritic(llm_client, llm_settings)  # type: ignore[arg-type]
    out = critic.critique(TEXT, "What happened to Maria?", _detected())
    assert out.findings, "detected findings must survive whatever the model says"
    for f in out.findings:
        assert TEXT[f.start : f.end] == f.text
        assert f.category in llm_settings.categories
    assert out.usage.calls + out.usage.failures >= 1
    assert [f.id for f in out.findings] == [f"f{i}" for i in range(1, len(out.findings) + 1)]
