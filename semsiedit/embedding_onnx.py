"""ONNX Runtime backend for the sentence embeddings (`embedding_backend = "onnx"`).

sentence-transformers' own ONNX route needs optimum, which cannot be installed next to this
transformers (docs/limitations.md), so the graph is exported here with `torch.onnx.export` from the
*installed* model: transformer + attention-masked mean pooling + L2 normalisation in one graph,
dynamic batch and sequence axes. It is exported once and cached under the user cache directory
(`~/.cache/semsiedit/onnx/<model>-<hash>/`); nothing is downloaded. `OnnxSentenceEncoder.encode`
takes the arguments `Embedder.encode` passes to a SentenceTransformer, so the scorer does not know
which backend it has. Texts are sorted by length before batching (less padding), and the export is
checked against torch (cosine >= 0.999) before it is cached.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from semsiedit.errors import BackendUnavailable

OPSET = 17
MIN_COSINE = 0.999
_CHECK_TEXTS = (
    "Maria Gonzalez was diagnosed with diabetes in 2019.",
    "The council approved the new budget after a long debate about schools and roads.",
    "ok",
)


def cache_root(kind: str = "onnx") -> Path:
    """Where models derived locally from the installed one are kept (`onnx`, `static`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "semsiedit" / kind


def build_in_child(builder: str, model_dir: str, target: Path) -> None:
    """Run `builder` ("module:function", called as function(model_dir, target)) in a child process.

    Exporting or distilling imports torch and the transformer (~500 MiB that is never given back):
    in this process it would stay for the whole run and, before `--workers` forks, in every worker
    (measured on a 100k-row stream: 1.39 GiB instead of 0.83)."""
    module, function = builder.split(":")
    code = f"import sys; from {module} import {function} as f; f(sys.argv[1], __import__('pathlib').Path(sys.argv[2]))"
    done = subprocess.run([sys.executable, "-c", code, model_dir, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        # The traceback's last line without its exception's class: "... differs from torch (cosine 0.98)".
        raise RuntimeError(re.sub(r"^[\w.]+: ", "", lines[-1]) if lines else f"exit status {done.returncode}")


def model_fingerprint(model_dir: Path) -> str:
    """The installed model's files by name and size: a derived model is rebuilt when they change."""
    h = hashlib.sha256()
    for p in sorted(model_dir.rglob("*")):
        if p.is_file() and p.suffix in (".json", ".safetensors", ".bin", ".txt"):
            h.update(p.relative_to(model_dir).as_posix().encode())
            h.update(str(p.stat().st_size).encode())
    return h.hexdigest()[:16]


def export_path(model_dir: str) -> Path:
    d = Path(model_dir)
    return cache_root() / f"{d.name}-{model_fingerprint(d)}" / "model.onnx"


def export(model_dir: str, target: Path) -> None:
    """torch.onnx.export of the SentenceTransformer at `model_dir`, pooling and normalising inside."""
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(model_dir, device="cpu")
    transformer = st[0].auto_model.eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            mask = attention_mask.unsqueeze(-1).to(out[0].dtype)
            summed = (out[0] * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    tok = st.tokenizer(list(_CHECK_TEXTS), padding=True, truncation=True, return_tensors="pt")
    args = (tok["input_ids"], tok["attention_mask"], tok["token_type_ids"])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")  # concurrent first runs each write their own
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "embedding": {0: "batch"}}  # fmt: skip
    # The tracer's warnings (TracerWarning, opset notes) are about graph shapes this model does not
    # have (checked below against torch): a user's first run should not print a page of them.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Pooled(), args, str(tmp), input_names=list(axes)[:3], output_names=["embedding"],
            dynamic_axes=axes, opset_version=OPSET, dynamo=False,
        )  # fmt: skip
    reference = st.encode(list(_CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    got = OnnxSentenceEncoder(model_dir, tmp).encode(list(_CHECK_TEXTS))
    cosine = float(np.min(np.sum(reference * got, axis=1)))
    if cosine < MIN_COSINE:
        tmp.unlink(missing_ok=True)
        raise BackendUnavailable(f"ONNX export of {model_dir} differs from torch (cosine {cosine:.4f})")
    os.replace(tmp, target)


def _load_tokenizer(model_dir: Path) -> tuple[Any, int, int]:
    """(tokenizer, pad id, pad type id): the model's fast tokenizer from its `tokenizer.json`, set up
    as SentenceTransformer calls it, and the padding values its file names (0, 0 for MiniLM).

    The `tokenizers` library directly, not transformers' AutoTokenizer: importing transformers
    costs ~5 CPU-seconds per process, more than the ONNX backend saves on a hundred documents.
    Truncation is the model's `max_seq_length` (sentence_bert_config.json; 256 for MiniLM); no
    padding here (the encoder pads each batch to its longest text): the file's own settings (fixed
    128) are training leftovers.
    """
    import json

    from tokenizers import Tokenizer

    path = model_dir / "tokenizer.json"
    if not path.is_file():
        raise BackendUnavailable(f"{model_dir} has no tokenizer.json (needed by the ONNX backend)")
    tokenizer = Tokenizer.from_file(str(path))
    max_length = 256
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        max_length = int(json.loads(config.read_text(encoding="utf-8")).get("max_seq_length") or max_length)
    tokenizer.enable_truncation(max_length=max_length)
    pad = tokenizer.padding or {}
    tokenizer.no_padding()
    return tokenizer, int(pad.get("pad_id", 0)), int(pad.get("pad_type_id", 0))


class OnnxSentenceEncoder:
    """The subset of SentenceTransformer that `Embedder` uses, on ONNX Runtime's CPU provider."""

    def __init__(self, model_dir: str, onnx_path: Path, threads: int | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise BackendUnavailable("the ONNX embedding backend needs: pip install onnxruntime onnx") from None
        self.tokenizer, self._pad_id, self._pad_type_id = _load_tokenizer(Path(model_dir))
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Sentence batches come in every (batch, length) shape: a memory pattern is planned and kept
        # per shape, so on a long stream they pile up (1,382 dev sentences: 261 -> 222 MiB RSS, 2%
        # slower; ONNX Runtime's advice for dynamic shapes).
        options.enable_mem_pattern = False
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._dim = int(self.session.get_outputs()[0].shape[-1])

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    def encode(self, texts: list[str], batch_size: int = 32, **_: Any) -> np.ndarray:
        """Unit vectors, one row per text (normalised in the graph).

        Batched by token count, not characters: each batch is padded to its longest text, and
        sorted by characters a quarter of the dev answers' padded tokens were padding (the model's
        time goes by tokens, padding included)."""
        encoded = self.tokenizer.encode_batch(texts)  # truncated, not padded
        lengths = [len(e.ids) for e in encoded]
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for k in range(0, len(order), batch_size):
            idx = order[k : k + batch_size]
            width = max(1, max(lengths[i] for i in idx))
            ids = np.full((len(idx), width), self._pad_id, dtype=np.int64)
            types = np.full((len(idx), width), self._pad_type_id, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):  # padded on the right, as the tokenizer pads
                n = lengths[i]
                ids[row, :n], types[row, :n], mask[row, :n] = encoded[i].ids, encoded[i].type_ids, 1
            out[idx] = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        return out


def load_onnx_encoder(model_dir: str) -> OnnxSentenceEncoder:
    target = export_path(model_dir)
    if not target.is_file():
        logging.getLogger("semsiedit").info("exporting the embedding model to ONNX once, into %s", target.parent)
        try:
            build_in_child("semsiedit.embedding_onnx:export", model_dir, target)
        except RuntimeError as exc:
            raise BackendUnavailable(f"ONNX export of {model_dir} failed ({exc})") from None
    # --workers sets OMP_NUM_THREADS per worker; ONNX Runtime's own pool would take every core.
    threads = int(os.environ.get("OMP_NUM_THREADS") or 0) or None
    return OnnxSentenceEncoder(model_dir, target, threads=threads)
