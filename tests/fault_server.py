"""A scripted, fault-injecting OpenAI-compatible server for client tests.

It speaks just enough of `POST /v1/chat/completions` (and `GET /v1/models`): each request takes the next
behaviour from a queue (ok, HTTP status, sleep past the client timeout, truncated body, non-JSON body,
refusal ...); when the queue is empty it answers with `default` (None: HTTP 599 "script exhausted", so a
test that makes more requests than it scripted fails loudly). Optional `rules` see each request body
first and may answer instead of the queue (e.g. "HTTP 500 to every json_schema request").

It records every request body, so tests count attempts and check the response_format they sent.
Connection refused is simply a port where nothing listens: see `unused_port()`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Behaviour:
    kind: str  # ok | status | truncated | non_json
    status: int = 200
    content: str | None = ""
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None
    seconds: float = 0.0  # delay before answering
    prompt_tokens: int = 11
    completion_tokens: int = 7


def ok(content: str, *, finish_reason: str = "stop", prompt_tokens: int = 11, completion_tokens: int = 7) -> Behaviour:
    return Behaviour(
        "ok",
        content=content,
        finish_reason=finish_reason,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )


def json_reply(obj: Any, **kwargs: Any) -> Behaviour:
    return ok(json.dumps(obj), **kwargs)


def status(code: int, *, retry_after: str | float | None = None, body: str | None = None) -> Behaviour:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    if body is None:
        body = json.dumps({"error": {"message": f"scripted HTTP {code}", "type": "fault_server", "code": code}})
    return Behaviour("status", status=code, headers=headers, body=body)


def sleep(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Hold the request this long, then answer `then` (use more than the client timeout for a timeout)."""
    b = replace(then) if then is not None else ok('{"late": true}')
    b.seconds = seconds
    return b


def truncated() -> Behaviour:
    """A 200 whose body is cut: Content-Length promises more than is sent, then the connection closes."""
    return Behaviour("truncated")


def non_json(body: str = "<html>502 Bad Gateway (proxy)</html>") -> Behaviour:
    """A 200 with a body that is not JSON at all."""
    return Behaviour("non_json", body=body)


def refusal(text: str = "I can't help with that.", *, field: bool = False) -> Behaviour:
    """A refusal: in `message.refusal` (OpenAI style) when field=True, else as plain content."""
    if field:
        return Behaviour("ok", content=None, refusal=text)
    return Behaviour("ok", content=text)


def completion_body(b: Behaviour, model: str = "fault-model") -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": b.content}
    if b.refusal is not None:
        message["refusal"] = b.refusal
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": b.finish_reason}],
        "usage": {
            "prompt_tokens": b.prompt_tokens,
            "completion_tokens": b.completion_tokens,
            "total_tokens": b.prompt_tokens + b.completion_tokens,
        },
    }


Rule = Callable[[dict[str, Any]], Behaviour | None]


def reject_response_format(*types: str, status_code: int = 500) -> Rule:
    """A rule answering like llama.cpp does to a response_format type it does not know."""

    def rule(body: dict[str, Any]) -> Behaviour | None:
        rf = body.get("response_format")
        if not isinstance(rf, dict) or rf.get("type") not in types:
            return None
        if types == ("json_object",) and "schema" in rf:
            return None
        message = f"Input should be 'text' or 'json_object' [loc: response_format.type, input: {rf.get('type')!r}]"
        return status(status_code, body=json.dumps({"error": {"message": message}}))

    return rule


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up makes our late write fail: expected, not news.
        pass


class FaultServer:
    """Threaded HTTP server on 127.0.0.1 with a free port; use as a context manager."""

    def __init__(
        self,
        script: list[Behaviour] | None = None,
        *,
        default: Behaviour | None = None,
        rules: list[Rule] | None = None,
        max_lifetime: float = 120.0,
    ) -> None:
        self.queue: deque[Behaviour] = deque(script or [])
        self.default = default
        self.rules = list(rules or [])
        self.requests: list[dict[str, Any]] = []  # bodies of chat-completion requests, in order
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self._thread: threading.Thread | None = None
        self._timer = threading.Timer(max_lifetime, self.stop)  # bounded even if a test forgets to stop it
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    def push(self, *behaviours: Behaviour) -> None:
        with self._lock:
            self.queue.extend(behaviours)

    def response_formats(self) -> list[Any]:
        with self._lock:
            return [r.get("response_format") for r in self.requests]

    def start(self) -> FaultServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()  # releases handlers that are "sleeping"
        self._timer.cancel()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Behaviour:
        for rule in self.rules:
            answer = rule(body)
            if answer is not None:
                return answer
        with self._lock:
            if self.queue:
                return self.queue.popleft()
        return self.default or status(599, body='{"error": {"message": "fault server: script exhausted"}}')

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, each reply waited ~40 ms
            # for the client's delayed ACK, which no real server does.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None, ctype: str = "") -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype or "application/json")
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(200, json.dumps({"object": "list", "data": [{"id": "fault-model"}]}).encode())
                else:
                    self._send(404, b'{"error": {"message": "not found"}}')

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, b'{"error": {"message": "not found"}}')
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with server._lock:
                    server.requests.append(body)
                    server.headers.append({k.lower(): v for k, v in self.headers.items()})
                b = server._next(body)
                if b.seconds > 0 and server._stop.wait(b.seconds):
                    return  # the server is stopping
                if b.kind == "status":
                    self._send(b.status, (b.body or "").encode(), b.headers)
                elif b.kind == "truncated":
                    payload = json.dumps(completion_body(ok('{"findings": []}'))).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                elif b.kind == "non_json":
                    self._send(200, (b.body or "").encode(), ctype="application/json")
                else:
                    self._send(200, json.dumps(completion_body(b, body.get("model", "fault-model"))).encode())

        return Handler


def unused_port() -> int:
    """A port with nothing listening on it (for connection-refused tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
