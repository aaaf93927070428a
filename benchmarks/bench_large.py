"""Large single documents (issue 12.5): the local path must be linear in time and bounded in memory.

    python benchmarks/bench_large.py [--sizes 0.25,1,5] [--score]

Builds one text per size by concatenating SemSI-Bench answers (../shared/benchmarks/semsi/dev.jsonl,
each paragraph given a number of its own so nothing repeats verbatim), rewrites each with a fresh
`semsiedit rewrite BIG.txt -o OUT.txt --no-score` process (model loading included), and prints
seconds, seconds per MB, peak RSS, and the time ratio of each size to the smallest side by side.
Targets: 1 MB <= 5.5x the time of 256 KB; peak RSS <= 2 GB at 5 MB.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, load_rows, parser

CHILD = (
    "import atexit, resource, sys\n"
    "atexit.register(lambda: print(f'PEAK_RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', "
    "file=sys.stderr))\n"
    "from semsiedit.cli import main\n"
    "main()\n"
)


def build_text(rows: list[dict], size_bytes: int) -> str:
    parts: list[str] = []
    total, i = 0, 0
    while total < size_bytes:
        answer = rows[i % len(rows)]["answer"].strip()
        para = f"Entry {i + 1}. {answer}\n\n"
        parts.append(para)
        total += len(para.encode("utf-8"))
        i += 1
    return "".join(parts)


def run_one(path: Path, out: Path, score: bool) -> tuple[float, int, int]:
    cmd = [sys.executable, "-c", CHILD, "rewrite", str(path), "-o", str(out), *([] if score else ["--no-score"])]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    peak = next((int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("PEAK_RSS_KB")), 0)
    return elapsed, peak, done.returncode


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--sizes", default="0.25,1,5", help="MB, comma-separated")
    p.add_argument("--score", action="store_true", help="also compute embedding scores")
    args = p.parse_args()
    rows = load_rows(args.data, args.limit)
    sizes = [float(x) for x in args.sizes.split(",")]
    print(f"{'MB':>6} {'seconds':>9} {'s/MB':>8} {'peak RSS':>10} {'time / first':>13} {'exit':>5}")
    first: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes:
            path = Path(tmp) / f"big_{mb}.txt"
            path.write_text(build_text(rows, int(mb * 1024 * 1024)), encoding="utf-8")
            elapsed, peak_kb, code = run_one(path, Path(tmp) / f"out_{mb}.txt", args.score)
            first = first or elapsed
            print(f"{mb:>6g} {elapsed:>9.1f} {elapsed / mb:>8.1f} {peak_kb / 1024:>8.0f}MB {elapsed / first:>12.2f}x "
                  f"{code:>5}", flush=True)


if __name__ == "__main__":
    main()
