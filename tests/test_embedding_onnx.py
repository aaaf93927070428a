"""ONNX Runtime embedding backend (issue 13): exported locally from the installed model, cached,
and equal to the torch model's embeddings (cosine >= 0.999)."""

from __future__ import annotations

from pathlib import Path

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
    # No memory pattern per input shape: on a long stream of every (batch, length) shape they pile up.
    assert encoder.session.get_session_options().enable_mem_pattern is False


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


def test_auto_falls_back_to_torch_without_a_warning(monkeypatch, caplog) -> None:
    from semsiedit import embedding_onnx, models

    def broken(_path: str):
        raise models.BackendUnavailable("no runtime here")

    monkeypatch.setattr(embedding_onnx, "load_onnx_encoder", broken)
    models.load_embedder.cache_clear()
    try:
        with caplog.at_level("DEBUG", logger="semsiedit"):
            model = models.load_embedder("all-MiniLM-L6-v2", "auto")
        assert type(model).__name__ == "SentenceTransformer"
        assert [r.levelname for r in caplog.records if "ONNX" in r.getMessage()] == ["DEBUG"]
    finally:
        models.load_embedder.cache_clear()


def test_tokenizer_gives_the_ids_sentence_transformers_gives() -> None:
    """The ONNX path tokenizes with `tokenizers` directly (no transformers import): same ids,
    truncation at the model's max_seq_length included."""
    from transformers import AutoTokenizer

    from semsiedit.embedding_onnx import _load_tokenizer
    from semsiedit.models import resolve_embedding_model

    path = resolve_embedding_model("all-MiniLM-L6-v2")
    reference = AutoTokenizer.from_pretrained(path)
    ours, pad_id, _ = _load_tokenizer(Path(path))
    texts = ["Zoë Müller — naïve café 😀", "", "  spaced   out\n\nlines ", "word " * 400, "Dr. O'Neill: x@y.org"]
    want = reference(texts, truncation=True, max_length=256)
    got = ours.encode_batch(texts)  # not padded: the encoder pads each batch of similar lengths itself
    assert [e.ids for e in got] == want["input_ids"]
    assert max(len(e.ids) for e in got) == 256
    assert pad_id == reference.pad_token_id


def test_batches_of_mixed_lengths_embed_as_one_text_alone() -> None:
    """Each batch is padded to its longest text by the encoder: a text's vector does not depend on
    what it was batched with (to float rounding)."""
    import numpy as np

    from semsiedit.embedding_onnx import load_onnx_encoder
    from semsiedit.models import resolve_embedding_model

    encoder = load_onnx_encoder(resolve_embedding_model("all-MiniLM-L6-v2"))
    texts = ["ok", "Maria Gonzalez was diagnosed with diabetes in 2019.", "", "word " * 300, "The council met."]
    together = encoder.encode(texts, batch_size=2)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_default_rewrite_imports_neither_torch_nor_transformers(tmp_path) -> None:
    """The default backend (auto -> onnx) scores a rewrite without the ~13 CPU-s of importing
    sentence-transformers, transformers and torch, once the export is cached."""
    import subprocess
    import sys

    from semsiedit import embedding_onnx
    from semsiedit.config import Settings
    from semsiedit.models import resolve_embedding_model

    assert Settings().embedding_backend == "auto"
    embedding_onnx.load_onnx_encoder(resolve_embedding_model("all-MiniLM-L6-v2"))  # the export, cached once
    script = (
        "import sys\n"
        "from semsiedit.api import rewrite_text\n"
        "result = rewrite_text('Maria Lopez was treated for depression at Mercy Hospital in 2021.')\n"
        "assert result.scores is not None and result.rewritten != result.original\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _write_pid(model_dir: str, target: Path) -> None:
    import os

    if model_dir == "broken":
        raise ValueError("the model is broken")
    target.write_text(str(os.getpid()))


def test_derived_models_are_built_in_a_child_process(tmp_path, monkeypatch) -> None:
    """Exporting or distilling imports torch for good: a child process does it, so the long run (and
    every worker forked from it) never holds torch; the child's error comes back as one line."""
    import os
    import sys

    from semsiedit.embedding_onnx import build_in_child

    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), *sys.path]))
    target = tmp_path / "built"
    build_in_child("test_embedding_onnx:_write_pid", "model", target)
    assert target.read_text().isdigit() and int(target.read_text()) != os.getpid()
    with pytest.raises(RuntimeError, match=r"^the model is broken$"):
        build_in_child("test_embedding_onnx:_write_pid", "broken", target)
