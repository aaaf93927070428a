"""`semsiedit doctor`: what is installed, what loads, what answers. Secrets are never printed."""

from __future__ import annotations

import importlib.metadata
import time
from typing import TextIO

from semsiedit.config import Settings
from semsiedit.errors import BackendUnavailable


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def checks(settings: Settings) -> list[tuple[str, bool, str]]:
    """(component, ok, detail) rows; each check is independent so one failure hides nothing."""
    from semsiedit import models

    models.set_offline_environment()
    rows: list[tuple[str, bool, str]] = []
    for dist in ("typer", "rich", "openai", "spacy", "presidio-analyzer", "sentence-transformers", "torch"):
        version = _version(dist)
        rows.append((f"package {dist}", version is not None, version or "not installed"))

    started = time.perf_counter()
    try:
        name = models.resolve_spacy_model(settings.spacy_model)
        nlp = models.load_spacy(settings.spacy_model)
        took = time.perf_counter() - started
        rows.append(("spaCy model", True, f"{name} ({nlp.meta.get('version', '?')}), {took:.1f}s"))
    except BackendUnavailable as exc:
        rows.append(("spaCy model", False, str(exc)))

    started = time.perf_counter()
    try:
        from semsiedit.detection import DetectionEngine

        found = DetectionEngine(settings).detect("Call Maria Gonzalez at maria@example.com.")
        rows.append(("Presidio + SemSI detectors", bool(found), f"{len(found)} findings on a probe, "
                     f"{time.perf_counter() - started:.1f}s"))
    except Exception as exc:  # doctor reports every failure instead of stopping
        rows.append(("Presidio + SemSI detectors", False, f"{type(exc).__name__}: {exc}"))

    started = time.perf_counter()
    try:
        path = models.resolve_embedding_model(settings.embedding_model)
        embedder = models.load_embedder(settings.embedding_model, settings.embedding_backend)
        dim = getattr(embedder, "get_embedding_dimension", embedder.get_sentence_embedding_dimension)()
        runtime = "ONNX Runtime" if type(embedder).__name__ == "OnnxSentenceEncoder" else "torch"
        rows.append(("embedding model", True, f"{settings.embedding_model} at {path} ({dim} dims, {runtime}), "
                     f"{time.perf_counter() - started:.1f}s"))
    except BackendUnavailable as exc:
        rows.append(("embedding model", False, str(exc)))

    if settings.learned_detection:
        started = time.perf_counter()
        try:
            from semsiedit.detection.learned import LearnedDetector

            vectors = LearnedDetector(weights=settings.learned_weights, settings=settings).embedder  # checks its probe
            rows.append(("learned detector", True, f"{vectors.backend} {vectors.model_name} vectors ({vectors.dim} "
                         f"dims) match the weights, {time.perf_counter() - started:.1f}s"))  # fmt: skip
        except BackendUnavailable as exc:
            rows.append(("learned detector", False, str(exc)))

    if not settings.llm_configured:
        rows.append(("LLM backend", True, "none configured: local editor (set --model / --base-url to add one)"))
    else:
        rows.append(_llm_check(settings))
    return rows


def _llm_check(settings: Settings) -> tuple[str, bool, str]:
    from semsiedit.errors import LLMError
    from semsiedit.llm import make_client

    where = settings.base_url or "https://api.openai.com/v1"
    try:
        client = make_client(settings)
        started = time.perf_counter()
        result = client.complete_text("Answer with one word.", "Say OK.")
        return ("LLM backend", True, f"{settings.model} at {where}: answered in {time.perf_counter() - started:.1f}s"
                f" ({result.usage.completion_tokens} tokens)")
    except (LLMError, BackendUnavailable) as exc:
        return ("LLM backend", False, f"{settings.model} at {where}: {exc}")


def run(settings: Settings, *, console=None, stdout: TextIO | None = None) -> bool:
    from rich.console import Console
    from rich.table import Table

    rows = checks(settings)
    table = Table(title="semsiedit doctor")
    table.add_column("component")
    table.add_column("status")
    table.add_column("detail")
    for name, ok, detail in rows:
        table.add_row(name, "[green]ok[/green]" if ok else "[red]missing[/red]", detail)
    Console(file=stdout).print(table)
    return all(ok for _name, ok, _detail in rows)
