"""ChatClient for any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, llama.cpp ...).

What this adds on top of the `openai` package:
- structured output with capability fallback: OpenAI `json_schema` -> llama.cpp `json_object` + schema
  (grammar-constrained) -> plain `json_object` -> plain text parsed strictly. A server that rejects a
  form is remembered per client, so only the first call pays for the probe;
- our own bounded retries (the SDK's are off) so that backoff, jitter and Retry-After are under our
  control and testable with an injected sleep;
- pydantic validation of every reply, and one repair round for an invalid or truncated reply;
- every failure ends as `LLMError(kind, message)`, and no message ever contains the API key.

`openai` is imported inside functions only: `semsiedit --help` must not pay for it.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from semsiedit.errors import LLMError
from semsiedit.llm.base import ChatResult, time_left, top_level_objects
from semsiedit.llm.cache import ResponseCache, cache_key
from semsiedit.types import Usage

if TYPE_CHECKING:
    from openai import OpenAI

    from semsiedit.config import Settings

log = logging.getLogger("semsiedit.llm")

# Structured-output modes, strongest first. The client only ever moves down this list.
JSON_MODES: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object", "text")

# Words a server uses when it rejects a response_format it does not know.
_FORMAT_WORDS = ("response_format", "json_schema", "schema", "json_object")
_UNSUPPORTED_WORDS = ("unsupported", "not supported", "unknown parameter", "unrecognized", "extra_forbidden")
_REFUSAL_RE = re.compile(
    r"\b(i\s*(?:can(?:no|['’])t|cannot|am\s+(?:not\s+able|unable)|['’]m\s+(?:not\s+able|unable|sorry)"
    r"|won['’]t|will\s+not)|as\s+an\s+ai|i\s+apologi[sz]e|sorry,)",
    re.IGNORECASE,
)
_RETRYABLE_STATUS = {408, 409, 429}


class _Retryable(Exception):
    """One attempt failed in a way that another attempt may fix."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after


class _ModeUnsupported(Exception):
    """The server rejected the response_format of the current mode: try the next mode, no retry."""


class _Reply:
    __slots__ = ("completion_tokens", "content", "finish_reason", "prompt_tokens")

    def __init__(self, content: str, finish_reason: str | None, prompt_tokens: int, completion_tokens: int) -> None:
        self.content = content
        self.finish_reason = finish_reason
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now_dt = datetime.fromtimestamp(time.time() if now is None else now, tz=UTC)
    return max(0.0, (when - now_dt).total_seconds())


def looks_like_refusal(text: str) -> bool:
    """A reply with no JSON at all that reads like "I can't help with that"."""
    return "{" not in text and bool(_REFUSAL_RE.search(text))


class OpenAIChatClient:
    """The ChatClient protocol over the `openai` package.

    Attributes: `model`; `json_mode` (the structured-output mode the client has settled on, one of
    JSON_MODES); `abandoned_modes` (modes the server rejected, with a short reason); `cache`.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        cache: ResponseCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        retry_after_cap: float = 30.0,
        json_mode: str = "json_schema",
        rng: Callable[[], float] = random.random,
    ) -> None:
        if json_mode not in JSON_MODES:
            raise ValueError(f"json_mode must be one of {JSON_MODES}")
        self.settings = settings
        self.model = settings.model or "default"
        self.base_url = settings.base_url
        self.cache = cache
        self.json_mode = json_mode
        self.abandoned_modes: list[tuple[str, str]] = []
        self.max_attempts = settings.max_retries + 1
        self._sleep = sleep
        self._rng = rng
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self._secret = settings.api_key.get_secret_value() if settings.api_key else ""
        self._lock = threading.Lock()
        # `--jobs N` means N requests in flight at most, however many threads share this client
        # (the loop keeps more documents than that in progress, to have local work between replies).
        self._slots = threading.BoundedSemaphore(settings.jobs)
        self._client: OpenAI | None = None

    def __repr__(self) -> str:  # never show the key
        return f"OpenAIChatClient(model={self.model!r}, base_url={self.base_url!r}, json_mode={self.json_mode!r})"

    # ------------------------------------------------------------------ public API

    def complete_text(self, system: str, user: str) -> ChatResult:
        key = self._key(system, user, None)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            return ChatResult(text=hit.text, usage=Usage(cached_calls=1), cached=True)
        usage = Usage()
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        reply = self._call(messages, None, usage, json_wanted=False)
        text = reply.content.strip()
        if not text:
            raise LLMError("malformed", "empty reply from the model")
        self._store(key, reply.content, usage)
        return ChatResult(text=reply.content, usage=usage)

    def complete_json(self, system: str, user: str, schema: type[BaseModel]) -> ChatResult:
        json_schema = schema.model_json_schema()
        key = self._key(system, user, schema, json_schema)
        hit = self.cache.get(key) if self.cache is not None else None
        if hit is not None:
            try:
                data = self._validate(hit.text, schema)
                return ChatResult(text=hit.text, data=data, usage=Usage(cached_calls=1), cached=True)
            except _InvalidReply:
                pass  # e.g. the schema changed in a compatible-looking way: ask again

        usage = Usage()
        messages: list[dict[str, str]] = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        reply = self._call_json(messages, schema, json_schema, usage)
        try:
            data = self._validate(reply.content, schema, truncated=reply.finish_reason == "length")
        except _InvalidReply as bad:
            # One repair round: show the model its reply and what is wrong with it.
            log.debug("invalid %s reply (%s); asking for a repair", schema.__name__, bad.summary)
            messages = [
                *messages,
                {"role": "assistant", "content": reply.content},
                {"role": "user", "content": self._repair_prompt(bad)},
            ]
            reply = self._call_json(messages, schema, json_schema, usage)
            try:
                data = self._validate(reply.content, schema, truncated=reply.finish_reason == "length")
            except _InvalidReply as still_bad:
                kind = "refused" if looks_like_refusal(reply.content) else "malformed"
                raise LLMError(
                    kind, f"reply does not match {schema.__name__} after one repair: {still_bad.summary}"
                ) from None
        text = reply.content.strip()
        self._store(key, text, usage)
        return ChatResult(text=text, data=data, usage=usage)

    # ------------------------------------------------------------------ structured output

    def _call_json(
        self, messages: list[dict[str, str]], schema: type[BaseModel], json_schema: dict[str, Any], usage: Usage
    ) -> _Reply:
        while True:
            mode = self.json_mode
            response_format = self._response_format(mode, schema, json_schema)
            sent = (
                messages
                if mode in ("json_schema", "json_object_schema")
                else self._with_schema_hint(messages, json_schema)
            )
            try:
                return self._call(sent, response_format, usage, json_wanted=True)
            except _ModeUnsupported as exc:
                self._abandon(mode, str(exc))

    @staticmethod
    def _response_format(mode: str, schema: type[BaseModel], json_schema: dict[str, Any]) -> dict[str, Any] | None:
        if mode == "json_schema":
            name = re.sub(r"[^A-Za-z0-9_-]", "_", schema.__name__)[:64]
            return {"type": "json_schema", "json_schema": {"name": name, "schema": json_schema, "strict": False}}
        if mode == "json_object_schema":  # llama.cpp's dialect: the schema becomes a grammar
            return {"type": "json_object", "schema": json_schema}
        if mode == "json_object":
            return {"type": "json_object"}
        return None

    @staticmethod
    def _with_schema_hint(messages: list[dict[str, str]], json_schema: dict[str, Any]) -> list[dict[str, str]]:
        # Without server-side enforcement the model only knows the shape from the prompt.
        hint = (
            "\n\nReply with one JSON object only (no prose, no code fences) that validates against this "
            f"JSON schema:\n{json.dumps(json_schema, separators=(',', ':'))}"
        )
        first, *rest = messages
        return [{"role": first["role"], "content": first["content"] + hint}, *rest]

    def _abandon(self, mode: str, reason: str) -> None:
        with self._lock:
            if self.json_mode != mode:
                return  # another thread already moved on
            index = JSON_MODES.index(mode)
            self.json_mode = JSON_MODES[index + 1]
            self.abandoned_modes.append((mode, reason[:200]))
        log.info("LLM server rejected response_format mode %s; using %s from now on", mode, self.json_mode)

    def _validate(self, content: str, schema: type[BaseModel], *, truncated: bool = False) -> BaseModel:
        text = content.strip()
        try:
            return schema.model_validate_json(text)
        except ValidationError as exc:
            first_error = exc
        # Code fences or chatter around the object (plain-text mode, weak models): top-level objects only.
        for candidate in top_level_objects(text):
            try:
                return schema.model_validate_json(candidate)
            except ValidationError:
                continue
        errors = first_error.errors(include_input=False, include_url=False)[:3]
        summary = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in errors)
        if truncated:
            summary = f"reply was cut off at the max_tokens limit; {summary}"
        raise _InvalidReply(summary)

    @staticmethod
    def _repair_prompt(bad: _InvalidReply) -> str:
        shorter = " Keep it short: the previous reply was too long." if "cut off" in bad.summary else ""
        return (
            f"Your reply above is not valid: {bad.summary}.{shorter} Reply again with only the corrected JSON "
            "object that matches the required schema: no explanation, no code fences."
        )

    # ------------------------------------------------------------------ transport and retries

    def _openai(self) -> OpenAI:
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI(
                    base_url=self.base_url,
                    api_key=self._secret or "not-needed",
                    timeout=self.settings.timeout,
                    max_retries=0,  # our own retries: we control backoff and Retry-After
                )
            return self._client

    def _call(
        self, messages: list[dict[str, str]], response_format: dict[str, Any] | None, usage: Usage, *, json_wanted: bool
    ) -> _Reply:
        last: _Retryable | None = None
        made = 0
        for attempt in range(self.max_attempts):
            if attempt:
                assert last is not None
                delay = self._delay(attempt - 1, last.retry_after)
                left = time_left()
                if left is not None and left <= delay:
                    break  # the document's deadline comes first: no retry that cannot finish
                log.debug("LLM %s; retry %d/%d in %.2fs", last.kind, attempt, self.max_attempts - 1, delay)
                self._sleep(delay)
            left = time_left()
            if left is not None and left <= 0:
                raise LLMError("timeout", "the document's LLM deadline has passed")
            made += 1
            try:
                return self._attempt(messages, response_format, usage, json_wanted=json_wanted, budget=left)
            except _Retryable as exc:
                last = exc
        assert last is not None
        raise LLMError(last.kind, self._scrub(f"{last.message} (gave up after {made} attempts)"))

    def _delay(self, retry_index: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.retry_after_cap)
        # Exponential backoff with "equal jitter": never 0, never above the cap.
        ceiling = min(self.backoff_cap, self.backoff_base * (2**retry_index))
        return ceiling / 2 + self._rng() * ceiling / 2

    def _attempt(
        self, messages: list[dict[str, str]], response_format: dict[str, Any] | None, usage: Usage, *,
        json_wanted: bool, budget: float | None = None,
    ) -> _Reply:  # fmt: skip
        import openai

        timeout = self.settings.timeout if budget is None else max(0.05, min(self.settings.timeout, budget))
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "timeout": timeout,
        }
        if response_format is not None:
            kwargs["response_format"] = response_format
        try:
            with self._slots:
                response = self._openai().chat.completions.create(**kwargs)
        except openai.APITimeoutError:
            raise _Retryable("timeout", f"no reply within {timeout:g}s") from None
        except openai.APIConnectionError as exc:
            cause = exc.__cause__ or exc.__context__
            if cause is not None and "message body" in str(cause):
                # The server answered but the body was cut: a broken reply, not an unreachable server.
                raise _Retryable("malformed", "the reply body was cut off") from None
            raise _Retryable("connection", f"cannot reach the LLM server ({self._cause(exc)})") from None
        except openai.APIStatusError as exc:
            raise self._status_error(exc, response_format) from None
        except openai.APIResponseValidationError:
            raise _Retryable("malformed", "the server's reply is not a chat completion") from None
        except openai.OpenAIError as exc:
            raise _Retryable("malformed", f"unreadable reply ({type(exc).__name__})") from None
        except (ValueError, TypeError, KeyError) as exc:  # a body that is not JSON
            raise _Retryable("malformed", f"unreadable reply ({type(exc).__name__})") from None
        except Exception as exc:
            # httpx errors raised while reading a cut body escape the SDK's own wrapping.
            if type(exc).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "h11"):
                raise _Retryable("malformed", f"broken reply ({type(exc).__name__})") from None
            raise

        if isinstance(response, str) or not getattr(response, "choices", None):
            raise _Retryable("malformed", "reply has no choices")
        choice = response.choices[0]
        message = getattr(choice, "message", None)
        if message is None:
            raise _Retryable("malformed", "reply has no message")
        # Count what the server billed even when the content is unusable.
        usage.calls += 1
        tokens = getattr(response, "usage", None)
        prompt_tokens = int(getattr(tokens, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(tokens, "completion_tokens", 0) or 0)
        usage.prompt_tokens += prompt_tokens
        usage.completion_tokens += completion_tokens

        refusal = getattr(message, "refusal", None)
        content = message.content if isinstance(message.content, str) else ""
        if refusal:
            raise _Retryable("refused", "the model refused to answer")
        if json_wanted and looks_like_refusal(content):
            raise _Retryable("refused", "the model refused to answer (no JSON in the reply)")
        if not content.strip() and choice.finish_reason != "length":
            raise _Retryable("malformed", "empty reply")
        return _Reply(content, choice.finish_reason, prompt_tokens, completion_tokens)

    def _status_error(self, exc: Any, response_format: dict[str, Any] | None) -> Exception:
        """Map an HTTP error status to what to raise: next mode, a retry, or a final LLMError."""
        status = int(exc.status_code)
        body = self._body_text(exc)
        lowered = body.lower()
        if status in (401, 403):
            return LLMError("auth", f"HTTP {status}: the server rejected the API key or its permissions")
        if response_format is not None and status in (400, 422, 500):
            mentions_format = any(w in lowered for w in _FORMAT_WORDS)
            says_unsupported = any(w in lowered for w in _UNSUPPORTED_WORDS)
            if mentions_format or (status == 400 and says_unsupported):
                return _ModeUnsupported(f"HTTP {status}: {self._scrub(body[:160])}")
        retry_after = self._retry_after(exc)
        if status == 429:
            return _Retryable("rate_limit", "HTTP 429: rate limited", retry_after)
        if status >= 500 or status in _RETRYABLE_STATUS:
            return _Retryable("server_error", f"HTTP {status} from the LLM server", retry_after)
        return LLMError("server_error", self._scrub(f"HTTP {status}: {body[:200]}"))

    @staticmethod
    def _body_text(exc: Any) -> str:
        try:
            return str(exc.response.text)
        except Exception:
            return str(getattr(exc, "body", "") or "")

    @staticmethod
    def _retry_after(exc: Any) -> float | None:
        headers = getattr(getattr(exc, "response", None), "headers", None)
        if headers is None:
            return None
        ms = headers.get("retry-after-ms")
        if ms:
            try:
                return max(0.0, float(ms) / 1000)
            except ValueError:
                pass
        return parse_retry_after(headers.get("retry-after"))

    @staticmethod
    def _cause(exc: BaseException) -> str:
        cause = exc.__cause__ or exc.__context__
        return type(cause).__name__ if cause is not None else type(exc).__name__

    def _scrub(self, text: str) -> str:
        """Belt and braces: whatever a server echoes back, the key never leaves in a message."""
        if self._secret and len(self._secret) >= 4:
            text = text.replace(self._secret, "***")
        return re.sub(r"\bsk-[A-Za-z0-9_\-*]{6,}", "sk-***", text)

    # ------------------------------------------------------------------ cache

    def _key(
        self, system: str, user: str, schema: type[BaseModel] | None, json_schema: dict[str, Any] | None = None
    ) -> str:
        return cache_key(
            base_url=self.base_url,
            model=self.model,
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_tokens,
            schema_name=schema.__name__ if schema is not None else None,
            schema=json_schema,
            system=system,
            user=user,
        )

    def _store(self, key: str, text: str, usage: Usage) -> None:
        if self.cache is not None:
            self.cache.put(
                key,
                text,
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                model=self.model,
            )


class _InvalidReply(Exception):
    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary
