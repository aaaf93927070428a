"""The on-disk LLM reply cache: keys, persistence, threads, and zero HTTP requests on a re-run."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from fault_server import FaultServer, json_reply, ok, status

from semsiedit.config import Settings
from semsiedit.errors import LLMError
from semsiedit.llm.cache import CACHE_FILE, ResponseCache, cache_key, default_cache_dir
from semsiedit.llm.openai_client import OpenAIChatClient
from semsiedit.schemas import CriticReply, EditorReply

GOOD_CRITIC = {"findings": [{"quote": "HIV", "category": "privacy", "severity": 3}]}
KEY_PARTS: dict[str, Any] = {
    "base_url": "http://h/v1",
    "model": "m",
    "temperature": 0.0,
    "max_tokens": 512,
    "schema_name": "CriticReply",
    "schema": {"type": "object"},
    "system": "sys",
    "user": "user",
}


def cached_client(server: FaultServer, cache_dir: Path, **overrides: Any) -> OpenAIChatClient:
    values: dict[str, Any] = {"model": "m", "base_url": server.base_url, "cache_dir": cache_dir, "max_retries": 0}
    values.update(overrides)
    settings = Settings(**values)
    return OpenAIChatClient(settings, cache=ResponseCache.from_settings(settings), sleep=lambda s: None)


@pytest.mark.parametrize(
    "part, value",
    [
        ("base_url", "http://other/v1"),
        ("model", "m2"),
        ("temperature", 0.7),
        ("max_tokens", 256),
        ("schema_name", "EditorReply"),
        ("schema", {"type": "array"}),
        ("system", "sys (prompt file edited)"),
        ("user", "another document"),
    ],
)
def test_key_depends_on_every_part(part: str, value: Any) -> None:
    assert cache_key(**KEY_PARTS) == cache_key(**KEY_PARTS)
    assert cache_key(**{**KEY_PARTS, part: value}) != cache_key(**KEY_PARTS)


def test_roundtrip_persistence_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "c" / CACHE_FILE
    with ResponseCache(path) as cache:
        assert cache.get("k") is None
        cache.put("k", "reply text", prompt_tokens=3, completion_tokens=4, model="m")
        hit = cache.get("k")
        assert hit is not None and (hit.text, hit.prompt_tokens, hit.completion_tokens) == ("reply text", 3, 4)
        assert (cache.hits, cache.misses) == (1, 1)
    with ResponseCache(path) as again:
        assert len(again) == 1
        assert again.get("k") is not None
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert (path.stat().st_mode & 0o077) == 0  # the cache holds sensitive text: owner only


def test_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_cache_dir(Settings(cache_dir=tmp_path / "x")) == tmp_path / "x"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir(Settings()) == tmp_path / "xdg" / "semsiedit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir(None) == tmp_path / "home" / ".cache" / "semsiedit"


def test_no_cache_setting_disables(tmp_path: Path) -> None:
    assert ResponseCache.from_settings(Settings(no_cache=True, cache_dir=tmp_path)) is None
    cache = ResponseCache.from_settings(Settings(cache_dir=tmp_path))
    assert cache is not None and cache.path == tmp_path / CACHE_FILE


def test_unusable_location_degrades_to_no_cache(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = ResponseCache(blocker / CACHE_FILE)
    assert not cache.enabled
    cache.put("k", "v")
    assert cache.get("k") is None


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / CACHE_FILE)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                cache.put(f"{n}-{i}", f"text {n} {i}")
                hit = cache.get(f"{n}-{i}")
                assert hit is not None and hit.text == f"text {n} {i}"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    assert len(cache) == 400


def test_second_identical_run_makes_no_http_requests(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.default = json_reply(GOOD_CRITIC, prompt_tokens=40, completion_tokens=9)
    docs = [f"document {i}" for i in range(3)]

    first = cached_client(fault_server, tmp_path)
    results = [first.complete_json("sys", d, CriticReply) for d in docs]
    assert fault_server.request_count == 3
    assert all(r.usage.calls == 1 and r.usage.cached_calls == 0 and not r.cached for r in results)

    # A new client and a new cache object on the same folder: what a re-run or --resume does.
    fault_server.default = status(500)  # any request now would fail the test
    second = cached_client(fault_server, tmp_path)
    again = [second.complete_json("sys", d, CriticReply) for d in docs]
    assert fault_server.request_count == 3
    for r in again:
        assert r.cached and isinstance(r.data, CriticReply) and r.data.findings[0].quote == "HIV"
        assert (r.usage.calls, r.usage.cached_calls, r.usage.prompt_tokens, r.usage.completion_tokens) == (0, 1, 0, 0)


def test_text_replies_are_cached_too(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.push(ok("an answer"))
    assert cached_client(fault_server, tmp_path).complete_text("s", "q").text == "an answer"
    result = cached_client(fault_server, tmp_path).complete_text("s", "q")
    assert result.text == "an answer" and result.cached
    assert fault_server.request_count == 1


def test_any_change_misses(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.default = json_reply(GOOD_CRITIC)
    cached_client(fault_server, tmp_path).complete_json("sys", "doc", CriticReply)
    cached_client(fault_server, tmp_path).complete_json("sys v2", "doc", CriticReply)
    cached_client(fault_server, tmp_path, model="other").complete_json("sys", "doc", CriticReply)
    cached_client(fault_server, tmp_path, temperature=0.5).complete_json("sys", "doc", CriticReply)
    assert fault_server.request_count == 4


def test_no_cache_means_every_call_hits_the_server(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.default = json_reply(GOOD_CRITIC)
    for _ in range(2):
        client = cached_client(fault_server, tmp_path, no_cache=True)
        assert client.cache is None
        client.complete_json("sys", "doc", CriticReply)
    assert fault_server.request_count == 2
    assert not (tmp_path / CACHE_FILE).exists()


def test_failures_are_not_cached(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.push(status(503))
    with pytest.raises(LLMError):
        cached_client(fault_server, tmp_path).complete_json("s", "u", CriticReply)
    fault_server.push(json_reply(GOOD_CRITIC))
    assert not cached_client(fault_server, tmp_path).complete_json("s", "u", CriticReply).cached
    assert fault_server.request_count == 2


def test_repaired_reply_is_cached_in_its_valid_form(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.push(ok('{"edits": "bad"}'), json_reply({"edits": [{"id": "f1", "replacement": "x"}]}))
    cached_client(fault_server, tmp_path).complete_json("s", "u", EditorReply)
    result = cached_client(fault_server, tmp_path).complete_json("s", "u", EditorReply)
    assert result.cached and json.loads(result.text)["edits"][0]["id"] == "f1"
    assert fault_server.request_count == 2


def test_cached_entry_that_no_longer_validates_is_asked_again(fault_server: FaultServer, tmp_path: Path) -> None:
    client = cached_client(fault_server, tmp_path)
    assert client.cache is not None
    key = client._key("s", "u", CriticReply, CriticReply.model_json_schema())
    client.cache.put(key, '{"findings": "stale"}')
    fault_server.push(json_reply(GOOD_CRITIC))
    result = client.complete_json("s", "u", CriticReply)
    assert not result.cached and fault_server.request_count == 1


def test_replies_are_encrypted_at_rest_and_cache_clear_removes_them(tmp_path: Path, monkeypatch, capsys) -> None:
    """Issue 12.9: critic quotes and rewrites never sit in the cache in clear."""
    import sqlite3
    import stat

    from cli_runner import run_main

    secret = '{"findings": [{"quote": "Maria Gonzalez has HIV"}]}'
    cache = ResponseCache(tmp_path / "c" / "llm-cache.sqlite3")
    cache.put("k", secret)
    assert cache.get("k").text == secret
    cache.close()
    raw = b"".join(p.read_bytes() for p in (tmp_path / "c").iterdir() if p.name.startswith("llm-cache"))
    assert b"Gonzalez" not in raw and b"HIV" not in raw
    key = tmp_path / "c" / "cache.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # Another key (or an old plain-text row) is a miss, never garbage.
    with sqlite3.connect(tmp_path / "c" / "llm-cache.sqlite3") as conn:
        conn.execute("INSERT INTO replies (key, text, created) VALUES ('plain', 'in clear', 0)")
    again = ResponseCache(tmp_path / "c" / "llm-cache.sqlite3")
    assert again.get("k").text == secret and again.get("plain") is None
    again.close()

    code, _out, err = run_main(["cache", "clear", "--cache-dir", str(tmp_path / "c")], monkeypatch, capsys)
    assert code == 0 and "removed 2 cached replies" in err
    assert not key.exists() and not (tmp_path / "c" / "llm-cache.sqlite3").exists()
