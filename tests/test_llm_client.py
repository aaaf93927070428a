"""OpenAIChatClient against the scripted fault server: one test per fault, counting requests at the server
so that removing a mechanism (retries, Retry-After, fallback, repair) makes a test fail."""

from __future__ import annotations

import email.utils
import json
import logging
import subprocess
import sys
import threading
import time
import traceback
from typing import Any

import pytest
from fault_server import (
    FaultServer,
    json_reply,
    non_json,
    ok,
    refusal,
    reject_response_format,
    sleep,
    status,
    truncated,
    unused_port,
)

from semsiedit.config import Settings
from semsiedit.errors import LLMError
from semsiedit.llm import make_client
from semsiedit.llm.openai_client import JSON_MODES, OpenAIChatClient, looks_like_refusal, parse_retry_after
from semsiedit.schemas import CriticReply, EditorReply

SECRET = "sk-test-SECRET123"
GOOD_CRITIC = {"findings": [{"quote": "HIV", "category": "privacy", "severity": 3, "reason": "health"}]}
GOOD_EDITOR = {"edits": [{"id": "f1", "replacement": "a chronic condition"}]}


def settings_for(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "model": "test-model",
        "base_url": base_url,
        "api_key": SECRET,
        "timeout": 5,
        "max_retries": 2,
        "no_cache": True,
    }
    values.update(overrides)
    return Settings(**values)


class Recorder:
    """Injected sleep: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def client_for(server_url: str, recorder: Recorder | None = None, **overrides: Any) -> OpenAIChatClient:
    return OpenAIChatClient(
        settings_for(server_url, **overrides),
        sleep=recorder if recorder is not None else Recorder(),
        rng=lambda: 1.0,  # jitter at its top: delays are exactly base * 2**n
    )


def assert_no_secret(exc: BaseException, caplog: pytest.LogCaptureFixture | None = None) -> None:
    rendered = "".join(traceback.format_exception(exc))
    assert SECRET not in rendered
    assert SECRET not in repr(exc)
    if caplog is not None:
        assert SECRET not in caplog.text


# --------------------------------------------------------------------------- happy path


def test_json_schema_mode_returns_validated_reply_and_usage(fault_server: FaultServer) -> None:
    fault_server.push(json_reply(GOOD_CRITIC, prompt_tokens=30, completion_tokens=12))
    client = client_for(fault_server.base_url)
    result = client.complete_json("sys", "user", CriticReply)
    assert isinstance(result.data, CriticReply)
    assert result.data.findings[0].quote == "HIV"
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (1, 30, 12)
    assert not result.cached
    rf = fault_server.requests[0]["response_format"]
    assert rf["type"] == "json_schema"
    assert rf["json_schema"]["name"] == "CriticReply"
    assert rf["json_schema"]["strict"] is False
    assert rf["json_schema"]["schema"] == CriticReply.model_json_schema()
    assert fault_server.requests[0]["model"] == "test-model"
    assert client.json_mode == "json_schema"


def test_complete_text(fault_server: FaultServer) -> None:
    fault_server.push(ok("A plain answer.", prompt_tokens=5, completion_tokens=4))
    result = client_for(fault_server.base_url).complete_text("sys", "question")
    assert result.text == "A plain answer."
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (1, 5, 4)
    body = fault_server.requests[0]
    assert "response_format" not in body
    assert body["messages"] == [{"role": "system", "content": "sys"}, {"role": "user", "content": "question"}]


def test_sdk_retries_are_off_and_key_is_sent_as_bearer(fault_server: FaultServer) -> None:
    fault_server.push(status(500))
    client = client_for(fault_server.base_url, max_retries=0)
    with pytest.raises(LLMError):
        client.complete_text("s", "u")
    assert fault_server.request_count == 1  # the SDK did not retry behind our back
    assert fault_server.headers[0].get("authorization") == f"Bearer {SECRET}"


# --------------------------------------------------------------------------- structured-output fallback


def test_json_schema_rejected_with_500_falls_back_to_llama_dialect_without_retries(fault_server: FaultServer) -> None:
    fault_server.rules.append(reject_response_format("json_schema", status_code=500))
    fault_server.push(json_reply(GOOD_CRITIC), json_reply(GOOD_EDITOR))
    rec = Recorder()
    client = client_for(fault_server.base_url, rec)
    result = client.complete_json("sys", "user", CriticReply)
    assert isinstance(result.data, CriticReply)
    formats = fault_server.response_formats()
    assert [f["type"] for f in formats] == ["json_schema", "json_object"]
    assert formats[1]["schema"] == CriticReply.model_json_schema()
    assert client.json_mode == "json_object_schema"
    assert [m for m, _ in client.abandoned_modes] == ["json_schema"]
    assert rec.slept == []  # a mode switch is not a retry: no backoff
    # Remembered: the next call goes straight to the mode that works.
    client.complete_json("sys", "user", EditorReply)
    assert fault_server.request_count == 3
    assert fault_server.response_formats()[2]["type"] == "json_object"


def test_fallback_through_every_mode_to_plain_text(fault_server: FaultServer) -> None:
    def reject(body: dict[str, Any]) -> Any:
        rf = body.get("response_format")
        if rf is None:
            return None
        if rf["type"] == "json_schema":
            return status(500, body='{"error": {"message": "unknown response_format type"}}')
        if "schema" in rf:
            return status(400, body='{"error": {"message": "Unsupported parameter"}}')
        return status(400, body='{"error": {"message": "response_format is not supported by this model"}}')

    fault_server.rules.append(reject)
    fault_server.push(ok("Sure! Here it is:\n```json\n" + json.dumps(GOOD_CRITIC) + "\n```"))
    client = client_for(fault_server.base_url)
    result = client.complete_json("SYSTEM PROMPT", "user", CriticReply)
    assert isinstance(result.data, CriticReply) and result.data.findings[0].category == "privacy"
    assert client.json_mode == "text"
    assert [m for m, _ in client.abandoned_modes] == list(JSON_MODES[:3])
    assert fault_server.request_count == 4
    last = fault_server.requests[-1]
    assert "response_format" not in last
    # Without server-side enforcement the schema travels in the system prompt.
    assert last["messages"][0]["content"].startswith("SYSTEM PROMPT")
    assert '"findings"' in last["messages"][0]["content"]


def test_plain_500_is_retried_not_taken_for_a_format_rejection(fault_server: FaultServer) -> None:
    fault_server.push(status(500), json_reply(GOOD_CRITIC))
    rec = Recorder()
    client = client_for(fault_server.base_url, rec)
    assert isinstance(client.complete_json("s", "u", CriticReply).data, CriticReply)
    assert fault_server.request_count == 2
    assert client.json_mode == "json_schema"
    assert rec.slept == [0.5]


# --------------------------------------------------------------------------- faults and retries


def test_5xx_bounded_retries_with_exponential_backoff(
    fault_server: FaultServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fault_server.push(status(503), status(502), status(500), status(500), status(500))
    rec = Recorder()
    client = client_for(fault_server.base_url, rec, max_retries=3)
    with pytest.raises(LLMError) as info:
        client.complete_text("s", "u")
    assert info.value.kind == "server_error"
    assert fault_server.request_count == 4  # 1 + max_retries, not one more
    assert rec.slept == [0.5, 1.0, 2.0]
    assert_no_secret(info.value, caplog)


def test_backoff_is_capped_and_jittered() -> None:
    client = OpenAIChatClient(settings_for("http://127.0.0.1:9/v1"), rng=lambda: 0.0)
    assert client._delay(0, None) == pytest.approx(0.25)  # half of base at the bottom of the jitter
    client = OpenAIChatClient(settings_for("http://127.0.0.1:9/v1"), rng=lambda: 1.0)
    assert client._delay(10, None) == pytest.approx(8.0)  # cap


def test_429_honours_retry_after_seconds(fault_server: FaultServer) -> None:
    fault_server.push(status(429, retry_after=3), json_reply(GOOD_CRITIC))
    rec = Recorder()
    result = client_for(fault_server.base_url, rec).complete_json("s", "u", CriticReply)
    assert isinstance(result.data, CriticReply)
    assert rec.slept == [3.0]
    assert fault_server.request_count == 2


def test_429_honours_retry_after_http_date_and_caps_it(fault_server: FaultServer) -> None:
    soon = email.utils.formatdate(time.time() + 6, usegmt=True)
    fault_server.push(status(429, retry_after=soon), status(429, retry_after=3600), ok("fine"))
    rec = Recorder()
    client_for(fault_server.base_url, rec).complete_text("s", "u")
    assert 3.5 <= rec.slept[0] <= 6.0
    assert rec.slept[1] == 30.0  # a server asking for an hour does not stall a batch for an hour


def test_429_exhausted_is_rate_limit(fault_server: FaultServer) -> None:
    fault_server.default = status(429, retry_after=1)
    rec = Recorder()
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url, rec).complete_json("s", "u", CriticReply)
    assert info.value.kind == "rate_limit"
    assert fault_server.request_count == 3
    assert rec.slept == [1.0, 1.0]


def test_timeout_is_retried_then_reported(fault_server: FaultServer) -> None:
    fault_server.push(sleep(3), sleep(3), sleep(3))
    rec = Recorder()
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url, rec, timeout=0.3).complete_text("s", "u")
    assert info.value.kind == "timeout"
    assert fault_server.request_count == 3
    assert len(rec.slept) == 2
    assert time.monotonic() - started < 2.5  # the client gave up on each attempt at its timeout


def test_slow_reply_within_timeout_is_fine(fault_server: FaultServer) -> None:
    fault_server.push(sleep(0.2, then=ok("late but fine")))
    assert client_for(fault_server.base_url, timeout=3).complete_text("s", "u").text == "late but fine"


def test_connection_refused() -> None:
    rec = Recorder()
    client = client_for(f"http://127.0.0.1:{unused_port()}/v1", rec)
    with pytest.raises(LLMError) as info:
        client.complete_json("s", "u", CriticReply)
    assert info.value.kind == "connection"
    assert len(rec.slept) == 2  # retried max_retries times before giving up
    assert_no_secret(info.value)


def test_truncated_body_is_malformed(fault_server: FaultServer) -> None:
    fault_server.push(truncated(), truncated(), truncated())
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url).complete_json("s", "u", CriticReply)
    assert info.value.kind == "malformed"
    assert fault_server.request_count == 3


def test_non_json_body_is_retried_then_malformed(fault_server: FaultServer) -> None:
    fault_server.push(non_json(), non_json("[1, 2]"), non_json('{"not": "a completion"}'))
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url).complete_text("s", "u")
    assert info.value.kind == "malformed"
    assert fault_server.request_count == 3


def test_non_json_body_then_recovery(fault_server: FaultServer) -> None:
    fault_server.push(non_json(), json_reply(GOOD_EDITOR))
    result = client_for(fault_server.base_url).complete_json("s", "u", EditorReply)
    assert isinstance(result.data, EditorReply)
    assert fault_server.request_count == 2


@pytest.mark.parametrize("as_field", [True, False], ids=["refusal-field", "refusal-content"])
def test_refusal_is_retried_then_refused(fault_server: FaultServer, as_field: bool) -> None:
    fault_server.default = refusal("I can't help with that.", field=as_field)
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url).complete_json("s", "u", CriticReply)
    assert info.value.kind == "refused"
    assert fault_server.request_count == 3


def test_refusal_then_answer(fault_server: FaultServer) -> None:
    fault_server.push(refusal(field=True), json_reply(GOOD_CRITIC))
    result = client_for(fault_server.base_url).complete_json("s", "u", CriticReply)
    assert isinstance(result.data, CriticReply)
    assert result.usage.calls == 2


def test_looks_like_refusal() -> None:
    assert looks_like_refusal("I'm sorry, but I cannot help with that request.")
    assert looks_like_refusal("I can’t assist with this.")
    assert not looks_like_refusal('I cannot say more. {"findings": []}')
    assert not looks_like_refusal("The patient can't sleep.")


@pytest.mark.parametrize("code", [401, 403])
def test_auth_errors_fail_at_once_without_the_key(
    fault_server: FaultServer, caplog: pytest.LogCaptureFixture, code: int
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = json.dumps({"error": {"message": f"Incorrect API key provided: {SECRET}"}})
    fault_server.default = status(code, body=echo)
    rec = Recorder()
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url, rec).complete_json("s", "u", CriticReply)
    assert info.value.kind == "auth"
    assert fault_server.request_count == 1
    assert rec.slept == []
    assert_no_secret(info.value, caplog)


def test_other_4xx_is_final_and_scrubbed(fault_server: FaultServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fault_server.default = status(404, body=f'{{"error": {{"message": "model not found for key {SECRET}"}}}}')
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url).complete_text("s", "u")
    assert info.value.kind == "server_error"
    assert "404" in str(info.value)
    assert fault_server.request_count == 1
    assert_no_secret(info.value, caplog)
    assert SECRET not in repr(client_for(fault_server.base_url))


# --------------------------------------------------------------------------- repair round


def test_invalid_reply_gets_one_repair(fault_server: FaultServer) -> None:
    bad = json.dumps({"findings": [{"quote": "", "category": "gossip"}]})
    fault_server.push(ok(bad, prompt_tokens=10, completion_tokens=5), json_reply(GOOD_CRITIC, prompt_tokens=20))
    result = client_for(fault_server.base_url).complete_json("sys", "user", CriticReply)
    assert isinstance(result.data, CriticReply)
    assert fault_server.request_count == 2
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (2, 30, 12)
    repair = fault_server.requests[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert repair[2]["content"] == bad
    assert "not valid" in repair[3]["content"] and "findings.0" in repair[3]["content"]


def test_reply_cut_at_max_tokens_gets_a_repair(fault_server: FaultServer) -> None:
    fault_server.push(ok('{"edits": [{"id": "f1", "replacem', finish_reason="length"), json_reply(GOOD_EDITOR))
    result = client_for(fault_server.base_url).complete_json("s", "u", EditorReply)
    assert isinstance(result.data, EditorReply)
    assert fault_server.request_count == 2
    assert "cut off" in fault_server.requests[1]["messages"][-1]["content"]


def test_only_one_repair(fault_server: FaultServer) -> None:
    fault_server.default = ok('{"findings": "nope"}')
    rec = Recorder()
    with pytest.raises(LLMError) as info:
        client_for(fault_server.base_url, rec).complete_json("s", "u", CriticReply)
    assert info.value.kind == "malformed"
    assert fault_server.request_count == 2
    assert rec.slept == []


# --------------------------------------------------------------------------- misc


def test_concurrent_calls_from_threads(fault_server: FaultServer) -> None:
    fault_server.default = json_reply(GOOD_CRITIC)
    client = client_for(fault_server.base_url)
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            assert isinstance(client.complete_json("s", f"doc {i}", CriticReply).data, CriticReply)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert fault_server.request_count == 8


def test_parse_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("1.5") == 1.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 12, usegmt=True), now=now) == pytest.approx(12, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0.0


def test_make_client(tmp_path: Any) -> None:
    assert make_client(Settings()) is None
    client = make_client(Settings(model="m", cache_dir=tmp_path))
    assert isinstance(client, OpenAIChatClient) and client.cache is not None
    assert client.cache.path.parent == tmp_path
    client = make_client(Settings(model="m", no_cache=True))
    assert isinstance(client, OpenAIChatClient) and client.cache is None


def test_importing_the_llm_package_does_not_import_openai() -> None:
    code = "import sys, semsiedit.llm; sys.exit(1 if 'openai' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --------------------------------------------------------------------------- concurrency


def test_jobs_bounds_requests_in_flight_across_threads() -> None:
    """`--jobs 2`: six threads share the client, the server never sees more than two requests at once."""
    lock = threading.Lock()
    in_flight = {"now": 0, "max": 0}

    def slow_rule(body: dict[str, Any]):
        with lock:
            in_flight["now"] += 1
            in_flight["max"] = max(in_flight["max"], in_flight["now"])
        time.sleep(0.2)
        with lock:
            in_flight["now"] -= 1
        return json_reply(GOOD_EDITOR)

    with FaultServer(rules=[slow_rule]) as server:
        client = client_for(server.base_url, jobs=2)
        threads = [threading.Thread(target=client.complete_json, args=("sys", f"user {i}", EditorReply))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert server.request_count == 6
    assert in_flight["max"] == 2
