"""ONNX Runtime embedding backend (issue 13): exported locally from the installed model, cached,
and equal to the torch model's embeddings (cosine >= 0.999)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason='embedding_backend = "onnx" needs pip install "semsiedit[onnx]"')


@pytest.mark.slow
def test_onnx_backend_matches_torch_and_is_cached(tmp_path, monkeypatch) -> None:
    from semsiedit import embedding_onnx
    from semsiedit.models import load_embedder, resolve_embedding_model
    from semsiedit.scoring import Embedder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = resolve_embedding_model("all-MiniLM-L6-v2")
    encoder = embedding_onnx.load_onnx_encoder(path)
    cached = embedding_onnx.export_path(path)
    assert cached.is_file() and str(cached).startswith(str(tmp_path))
    texts = [
        "Zoë Müller was treated for depression at St. Mary's in 2021.",
        "The committee met on Tuesday.",
        "a",
        "The report, which ran to forty pages, accused the mayor's office of hiding the audit " * 8,  # truncated
    ]
    reference = load_embedder("all-MiniLM-L6-v2").encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    got = encoder.encode(texts, batch_size=2)
    assert got.shape == reference.shape
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4)
    assert float(np.min(np.sum(got * reference, axis=1))) >= 0.999
    # Through the scorer's interface, the second load reuses the cached export (no re-export).
    mtime = cached.stat().st_mtime_ns
    vectors = Embedder("all-MiniLM-L6-v2", model=embedding_onnx.load_onnx_encoder(path)).encode(texts[:2])
    assert cached.stat().st_mtime_ns == mtime
    assert float(np.min(np.sum(vectors * reference[:2], axis=1))) >= 0.999


def test_torch_is_used_when_the_onnx_export_cannot_be_made(monkeypatch) -> None:
    from semsiedit import embedding_onnx, models

    def broken(_path: str):
        raise models.BackendUnavailable("no exporter here")

    monkeypatch.setattr(embedding_onnx, "load_onnx_encoder", broken)
    models.load_embedder.cache_clear()
    try:
        model = models.load_embedder("all-MiniLM-L6-v2", "onnx")
        assert type(model).__name__ == "SentenceTransformer"
    finally:
        models.load_embedder.cache_clear()
