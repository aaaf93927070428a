"""Shared helpers for the benchmark scripts (not a test module; not part of the package).

Every benchmark reads the SemSI-Bench answers from `../shared/benchmarks/semsi/dev.jsonl` relative to
the repository root (override with --data) and never copies them into the repository.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/benchmarks/semsi/dev.jsonl"
TESTS = REPO / "tests"


def parser(description: str, *, limit: int | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"SemSI-Bench JSONL (default: {DEFAULT_DATA})")
    p.add_argument("--limit", type=int, default=limit, help="use only the first N documents")
    return p


def load_rows(path: Path, limit: int | None = None) -> list[dict]:
    """The benchmark rows (each has "answer"); exits with a clear message when the file is missing."""
    if not path.is_file():
        sys.exit(
            f"benchmark data not found: {path}\n"
            "expected the SemSI-Bench answers at ../shared/benchmarks/semsi/dev.jsonl (relative to the "
            "repository root); pass --data PATH to use another copy."
        )
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
            if limit is not None and len(rows) >= limit:
                break
    if not rows:
        sys.exit(f"{path}: no rows")
    return rows


def write_jsonl(path: Path, rows: Sequence[dict]) -> Path:
    """The rows as a JSONL dataset for a whole-process run."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def texts_of(rows: Sequence[dict]) -> list[str]:
    return [str(r.get("answer") or "") for r in rows]


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def rss_mb() -> float:
    """Current resident set size (VmRSS) of this process, in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def maxrss_mb() -> float:
    """Peak RSS of this process so far (ru_maxrss is in KiB on Linux), in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RssSampler:
    """Samples VmRSS every `interval` seconds on a daemon thread; use as a context manager."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - self._t0, rss_mb()))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._t0 = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.samples.append((time.perf_counter() - self._t0, rss_mb()))

    @property
    def peak(self) -> float:
        return max((mb for _, mb in self.samples), default=float("nan"))


def quiet_libraries() -> None:
    """Offline environment before any heavy import, and no progress bars or tokenizer threads."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def import_tests_helper(name: str):
    """Import tests/llm_server.py or tests/fault_server.py (plain modules, no pytest needed)."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import importlib

    return importlib.import_module(name)


def load_average() -> str:
    """The 1/5/15-minute load averages (the machine is usually shared: say how busy it was)."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" on {os.cpu_count()} CPUs"
    except OSError:
        return "n/a"


def header(title: str) -> None:
    print(f"\n== {title} ==")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, pid {os.getpid()}")
