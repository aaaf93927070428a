"""`--workers N`: the CPU-bound local path on N processes, results in input order.

spaCy, Presidio, the recognizers and the local editor are single-threaded Python, so one process
keeps one core busy in detection and editing. The workers are forked from a parent that has already
loaded spaCy and Presidio (copy-on-write: loaded once), and each runs the whole loop — detect,
edit, verify, score — on lock-step batches of documents. The embedding model loads in each worker
(torch is never run before the fork: a forked OpenMP runtime can hang) with its threads split
between the workers. At most `2 * workers` batches are in flight, so memory stays flat on a large
dataset.

Per-document output equals the single-process run's: surrogates are a function of the value and
the run key, not of which worker met the value first (tests/test_engines.py).
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from semsiedit.config import Settings
from semsiedit.types import Document, DocumentResult

_LOOP: Any = None  # the parent's loop, inherited by the forked workers
# `workers = 0` forks only for inputs of at least this many documents: below, the workers' start
# (a fork, the embedding model per worker, one batch each) costs more than the second core saves.
AUTO_MIN_DOCS = 48
_THREADS = 1


def _init_worker(threads: int) -> None:
    # Before torch is imported in the worker: its thread pool is sized from these at first use.
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    global _THREADS
    _THREADS = threads


def _run_batch(docs: list[Document]) -> list[DocumentResult]:
    import sys

    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(_THREADS)
    return _LOOP.run_many(docs)


class ProcessEngine:
    def __init__(self, settings: Settings, workers: int, *, batch_size: int | None = None) -> None:
        from semsiedit.loop import LOCKSTEP_BATCH

        self.settings = settings
        self.workers = workers
        self.batch_size = batch_size or LOCKSTEP_BATCH

    def run_iter(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]:
        global _LOOP
        from semsiedit.batching import batches
        from semsiedit.detection.engine import available_cpus
        from semsiedit.loop import build_loop

        loop = build_loop(self.settings)
        loop.detector.load()  # spaCy + Presidio once, shared with every worker
        from semsiedit.language import preload

        preload()  # the language classifier too: a worker that loaded it on its own kept ~75 MiB more
        from semsiedit.editing.generalise import preload as compile_tables

        compile_tables()  # the editor's tables, compiled once here instead of in every worker
        _LOOP = loop
        threads = max(1, available_cpus() // self.workers)
        gc.collect()
        # Frozen, the inherited objects (and their pages) are left alone by the workers' garbage
        # collector, and by this process's until the workers are done: a full collection here walks
        # every object and writes to its header, and each page it writes to stops being shared (a
        # 100k-row stream measured the parent's private memory 48 -> 76 MiB that way).
        gc.freeze()
        try:
            pool = multiprocessing.get_context("fork").Pool(self.workers, _init_worker, (threads,))
        except BaseException:
            gc.unfreeze()
            raise
        pending: deque[tuple[list[Document], Any]] = deque()
        try:
            for batch in batches(docs, self.batch_size):
                pending.append((batch, pool.apply_async(_run_batch, (batch,))))
                if len(pending) >= 2 * self.workers:
                    yield from _ready(pending.popleft())
            while pending:
                yield from _ready(pending.popleft())
            pool.close()
        finally:
            pool.terminate()  # interrupted or failed: stop the workers, keep what was written
            pool.join()
            gc.unfreeze()


class AutoEngine:
    """`workers = 0`: forked workers when the input is large enough to pay for them, else this process.

    The documents are read lazily, so their number is not known in advance: the first
    AUTO_MIN_DOCS documents are read ahead; a shorter input (a file, a pipe of a few rows) runs
    in this process, where a fork and a model load per worker would cost more than a second core
    saves. A longer one gets one worker per idle CPU (`idle_cpus`: a machine busy with other work
    gets fewer, down to this process alone), at most MAX_AUTO_WORKERS. The LLM path is never
    split (make_engine): it waits on the server, which `--jobs` already overlaps.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers = 1  # decided in run_iter; kept for the report and tests

    def run_iter(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]:
        from semsiedit.detection.engine import MAX_AUTO_WORKERS, idle_cpus
        from semsiedit.loop import build_loop

        stream = iter(docs)
        head = list(itertools.islice(stream, AUTO_MIN_DOCS))
        rest = itertools.chain(head, stream)
        self.workers = min(idle_cpus(), MAX_AUTO_WORKERS) if len(head) >= AUTO_MIN_DOCS else 1
        if self.workers > 1:
            settings = self.settings.model_copy(update={"workers": self.workers})
            yield from ProcessEngine(settings, self.workers).run_iter(rest)
        else:
            yield from build_loop(self.settings.model_copy(update={"workers": 1})).run_iter(rest)


def _ready(item: tuple[list[Document], Any]) -> Iterator[tuple[Document, DocumentResult]]:
    batch, result = item
    yield from zip(batch, result.get(), strict=True)
