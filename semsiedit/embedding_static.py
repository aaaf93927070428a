"""Static sentence embeddings for the learned detector (`backend = "static"`).

The learned SemSI detector reads every sentence of a public document; with MiniLM that encode cost
as much CPU as Presidio's whole analysis (benchmarks/RESULTS.md, session 14). A static model
distilled from the *installed* MiniLM with model2vec (each vocabulary token passed through the
transformer once, PCA to 256 dimensions, Zipf weighting) embeds a sentence as the mean of its tokens'
vectors: ~30× cheaper, and the detector trained on it agrees with the judge as well as the MiniLM one
(docs/model_card.md). The distillation runs once, offline, on first use (about a minute on two cores)
and is cached under `~/.cache/semsiedit/static/`; nothing is downloaded and no weights ship with the
package. Scoring keeps MiniLM: the metric is defined on it (docs/metrics.md).

`StaticSentenceEncoder.encode` takes the arguments `Embedder.encode` passes to a SentenceTransformer.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from semsiedit.embedding_onnx import build_in_child, cache_root, model_fingerprint
from semsiedit.errors import BackendUnavailable

PCA_DIMS = 256  # model2vec's default; the learned detector's weights were trained on these vectors


def static_path(model_dir: str) -> Path:
    import model2vec

    d = Path(model_dir)
    return cache_root("static") / f"{d.name}-{model_fingerprint(d)}-m2v{model2vec.__version__}-pca{PCA_DIMS}"


def distil(model_dir: str, target: Path) -> None:
    """model2vec's distillation of the transformer at `model_dir` into `target` (a folder)."""
    from model2vec.distill import distill

    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")  # concurrent first runs each write their own
    # model2vec reports progress with tqdm on stderr: a pipeline's stderr should stay clean.
    with contextlib.redirect_stderr(io.StringIO()):
        model = distill(model_name=model_dir, pca_dims=PCA_DIMS, device="cpu")
    model.save_pretrained(str(tmp))
    try:
        tmp.rename(target)
    except OSError:  # another process finished first: keep its copy
        shutil.rmtree(tmp, ignore_errors=True)
        if not target.is_dir():
            raise


class StaticSentenceEncoder:
    """The subset of SentenceTransformer that `Embedder` uses, on a model2vec StaticModel."""

    def __init__(self, path: Path) -> None:
        from model2vec import StaticModel

        self.model = StaticModel.from_pretrained(str(path), normalize=True)

    def get_sentence_embedding_dimension(self) -> int:
        return int(self.model.dim)

    def encode(self, texts: list[str], batch_size: int = 32, **_: Any) -> np.ndarray:
        """Unit vectors, one row per text (a text with no known token gets a zero vector)."""
        # One process: the inputs are a batch of sentences, far below what forking would pay for.
        vectors = self.model.encode(list(texts), batch_size=max(batch_size, 1024), use_multiprocessing=False)
        return np.asarray(vectors, dtype=np.float32)


def load_static_encoder(model_dir: str) -> StaticSentenceEncoder:
    try:
        import model2vec  # noqa: F401
    except ImportError:
        raise BackendUnavailable("the static embedding backend needs: pip install model2vec skeletoken") from None
    target = static_path(model_dir)
    if not target.is_dir():
        # A minute's pause deserves a word at a terminal; a pipeline's log stays quiet.
        log = logging.getLogger("semsiedit")
        report = log.warning if sys.stderr.isatty() else log.info
        report("building the detector's static embeddings from %s once (about a minute), into %s",
               Path(model_dir).name, target.parent)  # fmt: skip
        try:
            build_in_child("semsiedit.embedding_static:distil", model_dir, target)
        except RuntimeError as exc:  # the child's last line of error
            raise BackendUnavailable(f"static embeddings could not be built from {model_dir} ({exc})") from None
    return StaticSentenceEncoder(target)
