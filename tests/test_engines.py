"""Engines (issue 13): --workers processes and --engine ray give the local engine's output, in order.

Real parts throughout: spaCy, Presidio, the embedding model, forked workers, a real local Ray
instance (2 CPUs, started once per session). Descriptor numbers ("Person A", "<PERSON_2>") are
masked before comparing (they were order-dependent before surrogates became a function of the
value and the run key); everything else must be equal.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from semsiedit.config import Settings
from semsiedit.engines import make_engine
from semsiedit.errors import InputError
from semsiedit.loop import build_loop
from semsiedit.types import Document

FIXTURE = Path(__file__).parent / "fixtures" / "semsi_small.jsonl"
_NUMBERED = re.compile(r"<([A-Z_]+)_\d+>|\bPerson [A-Z]{1,3}\b")


def _docs() -> list[Document]:
    rows = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Document(id=r["uid"], text=r["answer"], context=r.get("prompt")) for r in rows]


def _masked(text: str) -> str:
    return _NUMBERED.sub(lambda m: f"<{m.group(1)}>" if m.group(1) else "Person ?", text)


def _comparable(pairs) -> list[tuple]:
    return [
        (doc.id, res.id, _masked(res.rewritten), [(f.start, f.end, f.category, f.label) for f in res.findings_before],
         [(f.start, f.end, f.label) for f in res.findings_after], len(res.rounds))
        for doc, res in pairs
    ]  # fmt: skip


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(pseudonyms="placeholder")


@pytest.fixture(scope="module")
def local(settings: Settings) -> list[tuple]:
    docs = _docs()
    return _comparable(zip(docs, build_loop(settings).run_many(docs), strict=True))


def test_engine_choice_errors_are_usage_errors(settings: Settings) -> None:
    with pytest.raises(InputError, match="--engine must be local or ray"):
        make_engine(settings, "spark")
    with pytest.raises(InputError, match="--ray-address needs --engine ray"):
        make_engine(settings, "local", ray_address="127.0.0.1:6379")


@pytest.mark.slow
def test_worker_processes_match_one_process_in_input_order(settings: Settings, local: list[tuple]) -> None:
    from semsiedit.engines.local import ProcessEngine
    from semsiedit.language import _identifier

    _identifier.cache_clear()  # the `local` run may have loaded it
    docs = _docs()
    # Batches of 2: the documents really are spread over both workers.
    engine = ProcessEngine(settings.model_copy(update={"workers": 2}), 2, batch_size=2)
    pairs, frozen = [], []
    for pair in engine.run_iter(iter(docs)):
        pairs.append(pair)
        frozen.append(gc.get_freeze_count())
    assert [d.id for d, _ in pairs] == [d.id for d in docs]
    assert _comparable(pairs) == local
    assert all(res.scores is not None for _, res in pairs)
    # The parent's collector leaves the objects the workers share alone while they run (their pages
    # stay shared), and takes them back afterwards.
    assert min(frozen) > 0 and gc.get_freeze_count() == 0
    # The language classifier was loaded before the fork, so the workers share it rather than each
    # loading ~75 MiB of its own at the first document that needs it.
    assert _identifier.cache_info().currsize == 1


@pytest.mark.slow
def test_auto_workers_fork_only_for_a_large_enough_input(
    settings: Settings, local: list[tuple], monkeypatch: pytest.MonkeyPatch
) -> None:
    """workers = 0: an input shorter than AUTO_MIN_DOCS stays in this process; a longer one gets a
    worker per idle CPU (two here, whatever the machine's load), with the one-process output."""
    from semsiedit.detection import engine as detection_engine
    from semsiedit.engines import local as engines_local

    docs = _docs()
    monkeypatch.setattr(detection_engine, "idle_cpus", lambda: 2)
    monkeypatch.setattr(engines_local, "AUTO_MIN_DOCS", len(docs))
    auto = make_engine(settings.model_copy(update={"workers": 0}))
    assert isinstance(auto, engines_local.AutoEngine)
    pairs = list(auto.run_iter(iter(docs)))
    assert auto.workers == 2 and _comparable(pairs) == local
    few = make_engine(settings.model_copy(update={"workers": 0}))
    assert _comparable(few.run_iter(iter(docs[:-1]))) == local[:-1] and few.workers == 1
    # With an LLM configured the run is never split (it waits on the server; --jobs overlaps that).
    llm = settings.model_copy(update={"workers": 0, "model": "m", "base_url": "http://127.0.0.1:9/v1"})
    assert not isinstance(make_engine(llm), engines_local.AutoEngine)


@pytest.fixture(scope="session")
def ray_local() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason='--engine ray needs pip install "semsiedit[ray]"')
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_windows_grow_with_the_actor_pool(settings: Settings) -> None:
    """A window holds at least DOCS_PER_ACTOR documents per actor: each window loads the models once
    per actor, so fixed windows on a large cluster would spend more time loading than working."""
    from semsiedit.engines.ray import DOCS_PER_ACTOR, WINDOW, RayEngine

    engine = RayEngine(settings)
    assert engine.window_size(1) == WINDOW
    assert engine.window_size(64) == 64 * DOCS_PER_ACTOR > WINDOW


@pytest.mark.slow
def test_ray_engine_matches_local_engine(ray_local: None, settings: Settings, local: list[tuple]) -> None:
    from semsiedit.engines.ray import RayEngine

    docs = _docs()
    # Windows of 4: two Datasets, the second one shorter; 2 actors each.
    engine = RayEngine(settings, actors=2, window=4, docs_per_actor=2)
    assert engine.window_size(2) == 4
    pairs = list(engine.run_iter(iter(docs)))
    assert [d.id for d, _ in pairs] == [d.id for d in docs]
    assert _comparable(pairs) == local
    scores = [res.scores for _, res in pairs]
    assert all(s is not None for s in scores)


def test_numpy_blas_runs_one_thread_unless_the_user_set_it() -> None:
    # OpenBLAS's own threads fought the worker processes and the scoring thread (RESULTS.md, session 24).
    code = (
        "import os; from semsiedit.models import set_offline_environment; set_offline_environment(); "
        "import numpy; from threadpoolctl import threadpool_info; "
        "print(os.environ['OPENBLAS_NUM_THREADS'], max(i['num_threads'] for i in threadpool_info() "
        "if i['user_api'] == 'blas'))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]
    out = subprocess.run([sys.executable, "-c", code], env={**env, "OPENBLAS_NUM_THREADS": "3"},
                         capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.split()[0] == "3"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_large_allocations_keep_their_own_mapping_after_a_large_free() -> None:
    # glibc raises its mmap threshold after a large free, so the next large buffer came from the heap
    # and a worker kept its high-water mark; set_offline_environment fixes the threshold.
    code = (
        "import ctypes, sys\n"
        "libc = ctypes.CDLL('libc.so.6')\n"
        "if not hasattr(libc, 'mallinfo2'): print('skip'); sys.exit()\n"
        "class Info(ctypes.Structure):\n"
        "    _fields_ = [(n, ctypes.c_size_t) for n in 'arena ordblks smblks hblks hblkhd usmblks fsmblks "
        "uordblks fordblks keepcost'.split()]\n"
        "libc.mallinfo2.restype = Info\n"
        "if sys.argv[1] == 'fixed':\n"
        "    from semsiedit.models import set_offline_environment; set_offline_environment()\n"
        "first = bytearray(3 << 20); del first\n"
        "before = libc.mallinfo2().hblkhd; second = bytearray(3 << 20)\n"
        "print((libc.mallinfo2().hblkhd - before) >> 20)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    runs = {how: subprocess.run([sys.executable, "-c", code, how], env=env, capture_output=True, text=True,
                                check=True).stdout.strip() for how in ("fixed", "dynamic")}  # fmt: skip
    if runs["fixed"] == "skip":
        pytest.skip("no mallinfo2 in this C library")
    assert runs == {"fixed": "3", "dynamic": "0"}
