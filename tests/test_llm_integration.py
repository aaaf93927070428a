"""OpenAIChatClient against a real llama.cpp server (llama-cpp-python + SmolLM2-135M-Instruct).

The model is tiny and answers poorly, so these tests assert on protocol, structure and validity — the
reply validates, the client settled on the grammar-constrained mode, tokens were counted — never on
the quality of the content.
"""

from __future__ import annotations

import string

import pytest

from semsiedit.config import Settings
from semsiedit.errors import LLMError
from semsiedit.llm.cache import ResponseCache
from semsiedit.llm.openai_client import OpenAIChatClient
from semsiedit.prompts import load_prompt
from semsiedit.schemas import CriticReply, EditorReply

pytestmark = pytest.mark.llm

DOC = "Maria Gonzalez, 42, was diagnosed with HIV last spring and told her manager at Acme Corp."


def render(name: str, **values: str) -> tuple[str, str]:
    # safe_substitute: these tests exercise the client, not the exact placeholders of each prompt file.
    prompt = load_prompt(name)
    return prompt.system, string.Template(prompt.user).safe_substitute({"context_block": "", **values})


def test_critic_reply_through_the_llama_cpp_fallback(llm_client: OpenAIChatClient) -> None:
    system, user = render("critic", text=DOC)
    result = llm_client.complete_json(system, user, CriticReply)
    assert isinstance(result.data, CriticReply)
    for item in result.data.findings:
        assert item.quote and item.category in ("pii", "privacy", "harmful", "misinformation")
        assert 1 <= item.severity <= 3
    # llama.cpp answers HTTP 500 to OpenAI's json_schema form; the client must have moved to the
    # grammar-constrained llama.cpp dialect, not further down to unconstrained modes.
    assert [mode for mode, _ in llm_client.abandoned_modes] == ["json_schema"]
    assert llm_client.json_mode == "json_object_schema"
    assert result.usage.calls >= 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert not result.cached


def test_editor_reply(llm_client: OpenAIChatClient) -> None:
    findings = '- f1 (privacy): "diagnosed with HIV"\n- f2 (pii): "Maria Gonzalez"'
    system, user = render("editor", text=DOC, findings=findings)
    result = llm_client.complete_json(system, user, EditorReply)
    assert isinstance(result.data, EditorReply)
    assert all(e.id for e in result.data.edits)
    assert llm_client.json_mode == "json_object_schema"
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0


def test_complete_text(llm_client: OpenAIChatClient) -> None:
    system, user = render("generator", question="What is the capital of France?")
    result = llm_client.complete_text(system, user)
    assert isinstance(result.text, str) and result.text.strip()
    assert result.usage.calls == 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0


def test_unconstrained_modes_never_return_unvalidated_data(llm_settings: Settings) -> None:
    # Plain json_object and plain text are not grammar-constrained: the tiny model may or may not
    # produce valid JSON. Whatever it does, the client returns a validated object or raises LLMError.
    system, user = render("critic", text=DOC)
    for mode in ("json_object", "text"):
        client = OpenAIChatClient(llm_settings, json_mode=mode)
        try:
            result = client.complete_json(system, user, CriticReply)
        except LLMError as exc:
            assert exc.kind in ("malformed", "refused")
        else:
            assert isinstance(result.data, CriticReply)
        assert client.json_mode == mode


def test_second_identical_call_is_served_from_the_cache(llm_settings: Settings) -> None:
    settings = llm_settings.model_copy(update={"no_cache": False})
    cache = ResponseCache.from_settings(settings)
    assert cache is not None
    system, user = render("critic", text="Tom's phone number is 555-0100.")
    first = OpenAIChatClient(settings, cache=cache).complete_json(system, user, CriticReply)
    second = OpenAIChatClient(settings, cache=cache).complete_json(system, user, CriticReply)
    assert not first.cached and second.cached
    assert second.data == first.data
    assert (second.usage.calls, second.usage.cached_calls) == (0, 1)
