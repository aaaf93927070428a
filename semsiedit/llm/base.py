"""The vocabulary every chat backend implements: two calls and one result type.

`complete_json` returns a reply already validated against a pydantic model; a backend that cannot
get a valid reply after its retries raises `LLMError` and the caller falls back to local editing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from semsiedit.errors import LLMError
from semsiedit.types import Usage

_deadline = threading.local()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Calls made on this thread inside the block end by `seconds` from now: each request's timeout is
    cut to what is left and no retry starts after it (the per-document deadline)."""
    previous = getattr(_deadline, "at", None)
    _deadline.at = time.monotonic() + max(0.0, seconds)
    try:
        yield
    finally:
        _deadline.at = previous


def time_left() -> float | None:
    """Seconds until this thread's deadline, or None when there is none."""
    at = getattr(_deadline, "at", None)
    return None if at is None else at - time.monotonic()


@dataclass
class ChatResult:
    text: str = ""
    data: BaseModel | None = None  # the validated reply of complete_json
    usage: Usage = field(default_factory=Usage)
    cached: bool = False


class ChatClient(Protocol):
    model: str

    def complete_json(self, system: str, user: str, schema: type[BaseModel]) -> ChatResult: ...

    def complete_text(self, system: str, user: str) -> ChatResult: ...


class ScriptedChatClient:
    """A chat client that answers from a script: for unit tests of loop logic only.

    `replies` is a list of strings (raw model output) or callables(system, user) -> str, consumed
    in order; an `LLMError` instance in the list is raised instead. Integration tests use the real
    llama.cpp server, never this.
    """

    def __init__(self, replies: list[str | LLMError | Callable[[str, str], str]], model: str = "scripted") -> None:
        self.replies = list(replies)
        self.model = model
        self.requests: list[tuple[str, str]] = []

    def _next(self, system: str, user: str) -> str:
        self.requests.append((system, user))
        if not self.replies:
            raise LLMError("exhausted", "scripted client has no more replies")
        reply = self.replies.pop(0)
        if isinstance(reply, LLMError):
            raise reply
        return reply(system, user) if callable(reply) else reply

    def complete_text(self, system: str, user: str) -> ChatResult:
        text = self._next(system, user)
        return ChatResult(text=text, usage=Usage(calls=1, completion_tokens=len(text.split())))

    def complete_json(self, system: str, user: str, schema: type[BaseModel]) -> ChatResult:
        text = self._next(system, user)
        data = parse_json_reply(text, schema)
        return ChatResult(text=text, data=data, usage=Usage(calls=1, completion_tokens=len(text.split())))


def top_level_objects(text: str) -> list[str]:
    """The balanced top-level `{...}` slices of a text, in order (braces inside strings ignored)."""
    found: list[str] = []
    depth, start, in_string, escaped = 0, -1, False, False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"' and depth > 0:
            in_string = True
        elif ch == "{":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                found.append(text[start : i + 1])
    return found


def parse_json_reply(text: str, schema: type[BaseModel]) -> Any:
    """Strict parser for plain-text replies: the first top-level JSON object that validates.

    Only top-level objects count: with an all-defaults schema such as CriticReply, a nested
    {"quote": ...} would otherwise pass as "no findings".
    """
    for candidate in top_level_objects(text):
        try:
            return schema.model_validate_json(candidate)
        except ValidationError:
            continue
    raise LLMError("malformed", f"no valid {schema.__name__} JSON object in the reply")
