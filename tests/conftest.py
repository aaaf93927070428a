"""Shared fixtures.

- `llama_server` (session): a real llama.cpp server with SmolLM2-135M; skipped when llama-cpp-python or
  the model package is missing, unless SEMSIEDIT_REQUIRE_LLM=1 (CI), where a missing server fails.
- `llm_settings` / `llm_client`: Settings and an OpenAIChatClient pointed at that server.
- `fault_server`: a scripted fault-injecting server (tests/fault_server.py), stopped after the test.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/ helpers import as plain modules

from fault_server import FaultServer
from llm_server import LlamaServer, find_model, missing_requirements, start_llama_server

from semsiedit.config import Settings
from semsiedit.llm.openai_client import OpenAIChatClient

REQUIRE_LLM_ENV = "SEMSIEDIT_REQUIRE_LLM"


def _llm_required() -> bool:
    return os.environ.get(REQUIRE_LLM_ENV, "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT/v1) of a llama.cpp server shared by the whole session."""
    missing = missing_requirements()
    if missing:
        message = f"real LLM server unavailable, missing: {', '.join(missing)} (run .ci/install_llm.sh)"
        if _llm_required():
            pytest.fail(f"{REQUIRE_LLM_ENV}=1 but {message}", pytrace=False)
        pytest.skip(message)
    model = find_model()
    assert model is not None
    try:
        server: LlamaServer = start_llama_server(model)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    print(f"\nllama_cpp.server ready on {server.base_url} in {server.started_in_s:.1f}s", file=sys.stderr)
    try:
        yield server.base_url
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)


@pytest.fixture
def llm_settings(llama_server: str, tmp_path: Path) -> Settings:
    return Settings(
        model="smollm2",  # llama.cpp serves one model and ignores the name
        base_url=llama_server,
        # Generous: SmolLM2 on a busy 2-core machine can take minutes per document (a CI runner is one).
        timeout=300,
        document_timeout=900,
        max_retries=1,
        max_tokens=512,
        temperature=0,
        cache_dir=tmp_path / "cache",
        no_cache=True,
    )


@pytest.fixture
def llm_client(llm_settings: Settings) -> OpenAIChatClient:
    return OpenAIChatClient(llm_settings)


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    with FaultServer() as server:
        yield server
