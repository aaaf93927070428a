"""`--engine ray`: the loop on a Ray cluster through Ray Data (`pip install "semsiedit[ray]"`).

The driver reads the input with semsiedit's own sources (ids, fields, problem rows and `--resume`
behave exactly as locally) and writes with its own sinks; in between, each window of documents is a
Ray Dataset mapped by `map_batches` with an actor class, `RewriteActor`, that builds the loop — spaCy,
Presidio, the embedding model — once per actor and rewrites lock-step batches. The dataset keeps its
order (`preserve_order`), so results come back in input order. Windows bound the driver's memory on a
large dataset; each window starts its actor pool afresh (a model load per actor per window), so a
window holds at least DOCS_PER_ACTOR documents per actor, and the load (~10 s) stays a small share of
an actor's work however large the cluster. 100k rows on 64 actors: windows of 32,768 documents, 4
windows, 256 loads of ~512 documents each (with fixed 2,048-document windows: 49 windows, 3,136 loads
of 32 documents, the loads taking longer than the work).

`--ray-address` joins a running cluster (`ray start --head` on one machine, `ray start
--address=HEAD:6379` on the others); without it a local Ray instance is started for the run.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from semsiedit.config import Settings
from semsiedit.errors import BackendUnavailable
from semsiedit.types import Document, DocumentResult

WINDOW = 2048  # documents per Dataset at least: model loads per window vs documents held by the driver
DOCS_PER_ACTOR = 512  # ... and at least this many per actor (~1.5 MB of pickled documents each)
INSTALL_HINT = 'pip install "semsiedit[ray]"'


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise BackendUnavailable(f"--engine ray needs Ray Data; run: {INSTALL_HINT}") from None
    return ray


class RewriteActor:
    """One per Ray worker: the whole loop, loaded once in __init__, applied to batches of rows."""

    def __init__(self, settings: Settings) -> None:
        from semsiedit.loop import build_loop
        from semsiedit.models import set_offline_environment

        set_offline_environment()
        # One document batch per call already: no nested worker processes inside a Ray worker.
        self.loop = build_loop(settings.model_copy(update={"workers": 1, "detect_workers": 1}))

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        docs = [pickle.loads(bytes(b)) for b in batch["doc"]]
        results = self.loop.run_many(docs)
        return {"i": batch["i"], "result": [pickle.dumps(r) for r in results]}


class RayEngine:
    def __init__(
        self, settings: Settings, *, address: str | None = None, num_cpus: int | None = None,
        actors: int | None = None, window: int = WINDOW, docs_per_actor: int = DOCS_PER_ACTOR,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.address = address
        self.num_cpus = num_cpus
        self.actors = actors
        self.window = window
        self.docs_per_actor = docs_per_actor
        self._started = False

    def _init(self) -> Any:
        ray = _ray()
        if not ray.is_initialized():
            from semsiedit.models import set_offline_environment

            set_offline_environment()
            env = {"env_vars": {k: "1" for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}}
            env["env_vars"].update(TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="", TOKENIZERS_PARALLELISM="false",
                                   OPENBLAS_NUM_THREADS=os.environ["OPENBLAS_NUM_THREADS"])  # fmt: skip
            kwargs: dict[str, Any] = {"runtime_env": env, "log_to_driver": False, "include_dashboard": False}
            if self.address:
                kwargs = {"address": self.address, "runtime_env": env, "log_to_driver": False}
            elif self.num_cpus:
                kwargs["num_cpus"] = self.num_cpus
            ray.init(**kwargs)
            self._started = True
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        return ray

    def _actors(self, ray: Any) -> int:
        if self.actors:
            return self.actors
        return max(1, int(ray.cluster_resources().get("CPU", 1)))

    def window_size(self, actors: int) -> int:
        """Documents per Dataset: the configured window, grown with the actor pool."""
        return max(self.window, self.docs_per_actor * actors)

    def run_iter(self, docs: Iterable[Document]) -> Iterator[tuple[Document, DocumentResult]]:
        from semsiedit.batching import batches
        from semsiedit.loop import LOCKSTEP_BATCH

        ray = self._init()
        actors = self._actors(ray)
        try:
            for window in batches(docs, self.window_size(actors)):
                items = [{"i": i, "doc": pickle.dumps(d)} for i, d in enumerate(window)]
                ds = ray.data.from_items(items, override_num_blocks=min(len(items), 4 * actors))
                out = ds.map_batches(
                    RewriteActor,
                    fn_constructor_args=(self.settings,),
                    batch_size=LOCKSTEP_BATCH,
                    concurrency=min(actors, max(1, len(items) // LOCKSTEP_BATCH)),
                    num_cpus=1,
                    batch_format="numpy",
                )
                # preserve_order keeps the rows in order; the index makes sure of it.
                early: dict[int, bytes] = {}
                nxt = 0
                for row in out.iter_rows():
                    early[int(row["i"])] = row["result"]
                    while nxt in early:
                        yield window[nxt], pickle.loads(bytes(early.pop(nxt)))
                        nxt += 1
        finally:
            if self._started:
                ray.shutdown()
                self._started = False
