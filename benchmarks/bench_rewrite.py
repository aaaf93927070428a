"""Local rewrite end to end: throughput, stage breakdown, peak memory, streaming memory (SPEC §7).

    python benchmarks/bench_rewrite.py [--limit N] [--stream-rows 2000] [--compare-docs 40]
    python benchmarks/bench_rewrite.py --whole [--whole-docs 100] [--reps 2]        # issue 13
    python benchmarks/bench_rewrite.py --skip-throughput --stream-rows 100000 --stream-seconds 600
    python benchmarks/bench_rewrite.py --skip-throughput --compare-docs 0 --stream-rows 100000 \
        --stream-records --stream-seconds 5400      # 100k distinct synthetic records

0. --whole: whole processes (imports and model loads included), alternating, medians, on the first
   --whole-docs answers: `semsiedit rewrite DATA -o out.jsonl` (the defaults: ONNX embeddings,
   workers = auto) vs Presidio analyze + anonymize (benchmarks/presidio_ref.py --anonymize), and the
   levers side by side: --workers 1; torch embeddings and --workers 1 (the defaults before issue
   13's last session); --engine ray (a local Ray instance on this machine's CPUs); rules-only
   detection (learned_detection = false). Ratios: semsiedit/Presidio docs/s, onnx/torch, workers
   auto/1, ray/local, learned + rules / rules only.

1. Throughput: `build_loop(Settings())` (local critic + local editor + scorer), all documents fed to
   `loop.run_many` like the batch runner (lock-step batches of `loop.LOCKSTEP_BATCH`):
   detect -> rewrite -> verify, up to 3 rounds, then score. Prints docs/s (target >= 5 on 2 cores),
   the time per stage (timed on the stage objects), peak RSS (ru_maxrss and sampled VmRSS).
2. Texts embedded per document by stage, before (rules-only detection) and after (learned detection
   sharing its sentence vectors with the scorer), on the first --compare-docs documents.
3. Side by side, alternating, on the first --compare-docs documents with the embedding cache cleared
   before each run: lock-step batches vs one document at a time (`loop.run`), median of 3 -> ratio.
4. Streaming memory of a whole `semsiedit rewrite big.jsonl -o out.jsonl` process: the answers
   repeated to --stream-rows rows in a temp JSONL (--stream-distinct prefixes every row with a line
   of its own, a new name and number, so caches keyed by content keep seeing new keys); this script
   samples the memory of the process and its workers (their PSS summed, from /proc) with the rows
   written so far, and stops it after --stream-seconds when the whole file cannot be done in the
   time (a 100k-row run takes hours on 2 cores): memory at several row counts, and end / after 200
   rows (flat ~ 1.0x). --stream-records streams distinct seeded synthetic records (semsiedit.synthetic:
   a new person, address, date and number in every row; ~360 characters each) instead, which is how
   a 100k-row run fits in about an hour. --stream-rows 0 skips.
"""

from __future__ import annotations

import functools
import json
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from _common import (
    REPO,
    RssSampler,
    header,
    load_average,
    load_rows,
    maxrss_mb,
    median,
    parser,
    quiet_libraries,
    rss_mb,
    write_jsonl,
)

TARGET_DOCS_S = 5.0


class StageTimer:
    """Wraps methods of the stage objects (on the instances, so identities the loop checks hold)."""

    def __init__(self, embedder=None) -> None:
        self.embedder = embedder  # counts texts sent to the embedding model per stage
        self.encoded: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.items: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()

    def wrap(self, obj, method: str, stage: str, count=None) -> None:
        original = getattr(obj, method)

        @functools.wraps(original)  # keeps the signature the loop inspects (contexts)
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            e0 = self.embedder.encoded if self.embedder is not None else 0
            try:
                return original(*args, **kwargs)
            finally:
                dt = time.perf_counter() - t0
                with self._lock:
                    if self.embedder is not None:
                        self.encoded[stage] += self.embedder.encoded - e0
                    self.seconds[stage] += dt
                    self.calls[stage] += 1
                    if count is not None:
                        self.items[stage] += count(*args)

        setattr(obj, method, timed)

    def reset(self) -> None:
        self.encoded.clear()
        self.seconds.clear()
        self.calls.clear()
        self.items.clear()


def documents(rows):
    from semsiedit.types import Document

    return [Document(id=str(r.get("uid") or i), text=str(r.get("answer") or ""), context=r.get("prompt"))
            for i, r in enumerate(rows)]  # fmt: skip


def throughput(args, rows) -> None:
    from semsiedit.config import Settings
    from semsiedit.loop import LOCKSTEP_BATCH, build_loop

    docs = documents(rows)
    header(f"local rewrite: {len(docs)} documents, lock-step batches of {LOCKSTEP_BATCH}")
    rss0 = rss_mb()
    t0 = time.perf_counter()
    settings = Settings()
    loop = build_loop(settings)
    loop.detector.load()
    _ = loop.scorer.embedder.model
    load_s = time.perf_counter() - t0
    loop.run_many(docs[:LOCKSTEP_BATCH])  # warm-up: first-call costs (lexicons, lazy imports)
    embedder = loop.scorer.embedder
    embedder._cache.clear()
    print(f"models loaded in {load_s:.1f}s; RSS {rss0:.0f} -> {rss_mb():.0f} MiB after load + warm-up")

    timer = StageTimer(embedder)
    timer.wrap(loop.detector, "detect_many", "detect", count=lambda texts, *a: len(texts))
    timer.wrap(loop.critic, "critique", "critique")
    timer.wrap(loop.local_editor, "propose", "edit")
    timer.wrap(loop.scorer, "score_many", "score", count=lambda items, *a: len(items))

    encoded0 = embedder.encoded
    with RssSampler(0.2) as sampler:
        t0, c0 = time.perf_counter(), time.process_time()
        results = loop.run_many(docs)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
    rate = len(docs) / wall
    print(f"throughput: {len(docs)} docs in {wall:.1f}s = {rate:.2f} docs/s "
          f"[{'OK' if rate >= TARGET_DOCS_S else 'BELOW'} target >= {TARGET_DOCS_S:.0f} docs/s]")  # fmt: skip
    print(f"CPU time {cpu:.1f}s for {wall:.1f}s wall ({cpu / wall:.2f} cores busy on average; < 2 on 2 idle "
          "cores means waiting for the CPU or single-threaded stages)")  # fmt: skip
    accounted = 0.0
    print("time per stage (sum over the run):")
    for stage in ("detect", "critique", "edit", "score"):
        s = timer.seconds.get(stage, 0.0)
        accounted += s
        extra = f", {timer.items[stage]} texts" if stage in timer.items else ""
        if stage in ("detect", "score"):
            extra += f"; {timer.encoded[stage] / len(docs):.1f} texts embedded per document"
        print(f"  {stage:<9} {s:7.2f}s  {s / wall * 100:5.1f}%  ({timer.calls[stage]} calls{extra})")
    print(f"  {'other':<9} {wall - accounted:7.2f}s  {(wall - accounted) / wall * 100:5.1f}%  (verify, apply, loop)")
    rounds = [len(r.rounds) for r in results]
    print(f"detect passes per document: {timer.items['detect'] / len(docs):.2f} (edit rounds: mean "
          f"{sum(rounds) / len(rounds):.2f}, max {max(rounds)}); sentences/spans embedded: "
          f"{embedder.encoded - encoded0}")  # fmt: skip
    changed = sum(r.rewritten != r.original for r in results)
    print(f"documents changed: {changed}/{len(docs)}")
    print(f"memory: RSS peak sampled {sampler.peak:.0f} MiB, ru_maxrss {maxrss_mb():.0f} MiB, now {rss_mb():.0f} MiB")

    # -- lock-step batches vs one document at a time, alternating --------------------------------
    subset = docs[: args.compare_docs]
    if not subset:
        return
    times: dict[str, list[float]] = {"batched": [], "single": []}
    for rep in range(args.reps):
        order = ("batched", "single") if rep % 2 == 0 else ("single", "batched")
        for name in order:
            embedder._cache.clear()  # both start cold: the scorer must embed everything again
            t0 = time.perf_counter()
            if name == "batched":
                loop.run_many(subset)
            else:
                for doc in subset:
                    loop.run(doc)
            times[name].append(time.perf_counter() - t0)
    b, s = median(times["batched"]), median(times["single"])
    print(f"side by side on {len(subset)} docs, median of {args.reps} alternating runs (embedding cache cleared):")
    runs = ", ".join(f"{t:.1f}" for t in times["batched"])
    print(f"  batches of {LOCKSTEP_BATCH}:    {len(subset) / b:6.2f} docs/s ({runs} s)")
    print(f"  one at a time:    {len(subset) / s:6.2f} docs/s ({', '.join(f'{t:.1f}' for t in times['single'])} s)")
    print(f"  ratio batched/single: {s / b:.2f}x")


def embedding_passes(subset) -> None:
    """Texts sent to the embedding model per document and stage, before (rules-only detection: only the
    scorer embeds) and after the learned detector (detection embeds every sentence version once; the
    scorer reuses those vectors and embeds only the spans), each from a cold cache."""
    from semsiedit.config import Settings
    from semsiedit.loop import build_loop

    print(f"texts embedded per document on {len(subset)} docs (cold cache), by stage:")
    for name, learned in (("before: rules-only detection", False), ("after: learned detection", True)):
        loop = build_loop(Settings(learned_detection=learned))
        embedder = loop.scorer.embedder
        embedder._cache.clear()
        timer = StageTimer(embedder)
        timer.wrap(loop.detector, "detect_many", "detect")
        timer.wrap(loop.scorer, "score_many", "score")
        e0, t0 = embedder.encoded, time.perf_counter()
        loop.run_many(subset)
        n = len(subset)
        print(f"  {name:<30} detect {timer.encoded['detect'] / n:5.1f}, score {timer.encoded['score'] / n:5.1f}, "
              f"total {(embedder.encoded - e0) / n:5.1f}  ({time.perf_counter() - t0:.1f}s)")  # fmt: skip


# -- whole processes (issue 13) -------------------------------------------------------------------


def _timed(cmd: list[str], stdout=subprocess.DEVNULL) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=stdout, stderr=subprocess.PIPE, text=True, cwd=REPO)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole(args, rows) -> None:
    rows = rows[: args.whole_docs]
    header(f"rewrite, whole processes: {len(rows)} documents, {args.reps} alternating runs each")
    print(f"load average before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="semsiedit-bench-") as tmp:
        data = write_jsonl(Path(tmp) / "data.jsonl", rows)
        torch_cfg = Path(tmp) / "torch.toml"
        torch_cfg.write_text('embedding_backend = "torch"\n', encoding="utf-8")
        rules_cfg = Path(tmp) / "rules.toml"
        rules_cfg.write_text("learned_detection = false\n", encoding="utf-8")
        py = sys.executable

        def rewrite(name: str, *extra: str) -> list[str]:
            return [py, "-m", "semsiedit", "rewrite", str(data), "-o", str(Path(tmp) / f"{name}.jsonl"), *extra]

        # "semsiedit" is the default command (ONNX embeddings, workers = auto); each lever turns
        # one thing back: torch embeddings, one process; --workers 1; Ray instead of local workers.
        methods = {
            "presidio": [py, str(Path(__file__).with_name("presidio_ref.py")), str(data), "--anonymize"],
            "semsiedit": rewrite("semsiedit"),
            "workers1": rewrite("workers1", "--workers", "1"),
            "torch": rewrite("torch", "--workers", "1", "--config", str(torch_cfg)),
            "ray": rewrite("ray", "--engine", "ray"),
            "rules": rewrite("rules", "--config", str(rules_cfg)),  # rules-only detection (not the same text)
        }
        names = [n for n in methods if n not in args.skip]
        # The one-time ONNX export is a cache fill, not part of a run.
        subprocess.run([*methods["semsiedit"][:4], str(REPO / "samples/answers.jsonl"), "-o",
                        str(Path(tmp) / "warm.jsonl")], cwd=REPO, capture_output=True, check=False)  # fmt: skip
        wall: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in names}
        for rep in range(args.reps):
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                out = Path(tmp) / f"{name}.stdout"
                with out.open("w") as fh:
                    w, c = _timed(methods[name], fh)
                wall[name].append(w)
                cpu[name].append(c)
                print(f"  rep {rep + 1}: {name:<10} {w:7.1f}s wall {c:7.1f}s CPU (all processes)", flush=True)
        outputs = {}
        for name in names:
            if name != "presidio":
                f = Path(tmp) / f"{name}.jsonl"
                outputs[name] = [json.loads(x)["rewritten"] for x in f.read_text(encoding="utf-8").splitlines()]
    n = len(rows)
    print("docs/s by median wall time and by median CPU time:")
    for name in names:
        w, c = median(wall[name]), median(cpu[name])
        print(f"  {name:<10} {n / w:7.2f} docs/s ({w:.1f}s wall)  {n / c:7.2f} docs/CPU-s ({c:.1f}s CPU)")

    def ratio(a: str, b: str, label: str, target: float | None = None) -> None:
        if a in names and b in names:
            rw = median(wall[b]) / median(wall[a])
            rc = median(cpu[b]) / median(cpu[a])
            verdict = f" [{'OK' if rw >= target else 'BELOW'} target >= {target}x]" if target else ""
            print(f"  {label:<32} {rw:5.2f}x by wall{verdict}, {rc:5.2f}x by CPU")

    print("ratios (docs/s of the first over the second):")
    ratio("semsiedit", "presidio", "semsiedit / Presidio", 1.0)
    for lever in ("workers1", "torch", "ray"):
        ratio(lever, "presidio", f"{lever} / Presidio", 1.0)
    ratio("workers1", "torch", "onnx / torch embeddings (1 proc)")
    ratio("semsiedit", "workers1", "workers auto / 1")
    ratio("ray", "semsiedit", "--engine ray / local")
    ratio("rules", "presidio", "rules-only detection / Presidio", 1.0)
    ratio("semsiedit", "rules", "learned + rules / rules only")
    base = outputs.get("semsiedit")
    for name, texts in outputs.items():
        if name not in ("semsiedit", "rules") and base is not None:
            same = sum(a == b for a, b in zip(base, texts, strict=True))
            print(f"  rewritten text equal to the local engine's: {name} {same}/{len(base)}")
    print(f"load average after: {load_average()}")


# -- streaming ------------------------------------------------------------------------------------


def _proc_rss_mb(pid: int) -> float | None:
    """Memory of the process and its worker processes (workers = auto forks them): the sum of their
    PSS, so pages the forked workers share with the parent are counted once, not once per process."""
    total, seen = 0.0, False
    for p in _tree(pid):
        kib = _field_kib(f"/proc/{p}/smaps_rollup", "Pss:") or _field_kib(f"/proc/{p}/status", "VmRSS:")
        if kib is not None:
            total, seen = total + kib / 1024, True
    return total if seen else None


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


def _field_kib(path: str, field: str) -> int | None:
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def streaming(args) -> None:
    rows = load_rows(args.data, args.limit)
    header(f"streaming memory: `semsiedit rewrite` on a {args.stream_rows}-row JSONL "
           f"(stopped after {args.stream_seconds:.0f}s if not done)")  # fmt: skip
    print(f"load average before: {load_average()}")
    fake = None
    if args.stream_distinct:
        from semsiedit.editing.surrogates import load_data

        fake = load_data("surrogates")["fake"]
    with tempfile.TemporaryDirectory(prefix="semsiedit-bench-") as tmp:
        src = Path(tmp) / "big.jsonl"
        out = Path(tmp) / "out.jsonl"
        with src.open("w", encoding="utf-8") as fh:
            if args.stream_records:
                # Distinct seeded synthetic records (clinical notes, e-mails, tickets ...): a new person,
                # address and number in every row, so every cache keeps meeting values it has not seen.
                from semsiedit.synthetic import generate

                for i, record in enumerate(generate(args.stream_rows, seed=7)):
                    fh.write(json.dumps({"uid": f"rec#{i}", "answer": record.text}, ensure_ascii=False) + "\n")
            for i in range(0 if args.stream_records else args.stream_rows):
                row = dict(rows[i % len(rows)])
                row["uid"] = f"{row.get('uid', 'row')}#{i}"
                if fake is not None:
                    # A line no other row has: a new person, number and sentence per row.
                    first = fake["first"][i % len(fake["first"])]
                    last = fake["last"][(i // len(fake["first"])) % len(fake["last"])]
                    row["answer"] = f"Record {i + 1000}: filed by {first} {last}.\n\n{row.get('answer') or ''}"
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"input: {src.stat().st_size / 2**20:.0f} MiB")
        cmd = [sys.executable, "-m", "semsiedit", "rewrite", str(src), "-o", str(out), "--id-field", "uid"]
        if args.stream_workers is not None:
            # workers = auto decides once, from the load at the start; a long run on a machine that is
            # busy for its first seconds would otherwise stay on one process for hours.
            cmd += ["--workers", str(args.stream_workers)]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        partial = out.with_name(out.name + ".partial")
        t0 = time.perf_counter()
        samples: list[tuple[float, int, float]] = []
        lines = offset = 0
        while proc.poll() is None:
            for f in (partial, out):
                try:
                    with f.open("rb") as fh:
                        fh.seek(offset)
                        chunk = fh.read()
                    offset += len(chunk)
                    lines += chunk.count(b"\n")
                    break
                except OSError:
                    continue
            mb = _proc_rss_mb(proc.pid)
            if mb is not None:
                samples.append((time.perf_counter() - t0, lines, mb))
            if time.perf_counter() - t0 > args.stream_seconds:
                proc.send_signal(signal.SIGINT)  # like Ctrl-C: the partial output is kept
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                break
            time.sleep(0.5)
        wall = time.perf_counter() - t0
        for f in (out, partial):  # the rows written after the last sample (the process ended meanwhile)
            if f.is_file():
                with f.open("rb") as fh:
                    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
                break
    if not samples:
        print("no samples (the process ended at once?)")
        return
    print(f"{lines} of {args.stream_rows} rows written in {wall:.0f}s ({lines / wall:.2f} docs/s, model loading "
          f"included){'' if lines >= args.stream_rows else ' - stopped at the time limit'}")  # fmt: skip
    after200 = next((mb for _, n, mb in samples if n >= 200), None)
    end = samples[-1][2]
    peak = max(mb for _, _, mb in samples)
    print(f"memory (PSS of the process and its workers) after the first 200 rows {after200 or float('nan'):.0f} "
          f"MiB; at the end {end:.0f} MiB; peak sampled {peak:.0f} MiB")  # fmt: skip
    if after200:
        r = end / after200
        print(f"ratio memory end / after 200 rows: {r:.2f}x  [{'flat' if r <= 1.1 else 'GROWING'}: target ~1.0x]")
    # The bounded caches (20,000 embeddings, 4,096 detected pieces per process) fill in the first
    # few thousand rows; growth after that is what would not stay flat on a long stream.
    tenth = next((mb for _, n, mb in samples if n >= max(lines // 10, 3000)), None)
    if tenth and lines >= 6000:
        r = end / tenth
        print(f"ratio memory end / at {max(lines // 10, 3000)} rows (caches filled): {r:.2f}x  "
              f"[{'flat' if r <= 1.05 else 'GROWING'}: target ~1.0x]")  # fmt: skip
    marks = [100, 200, 400, 800, 1200, 1600, 2000, 3000, 4000, 6000, 8000, 12000, 20000, *range(30000, 100001, 10000)]
    shown: list[str] = []
    for m in marks:
        hit = next((mb for _, n, mb in samples if n >= m), None)
        if hit is not None:
            shown.append(f"{m}: {hit:.0f}")
    print("memory (MiB) by rows written: " + ", ".join(shown))
    print(f"load average after: {load_average()}")


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--stream-rows", type=int, default=2000, help="rows in the streaming check (0: skip it)")
    p.add_argument("--stream-distinct", action="store_true",
                   help="give every streamed row a unique line (a new name and number)")
    p.add_argument("--stream-records", action="store_true",
                   help="stream distinct synthetic records (semsiedit.synthetic) instead of repeated dev answers")
    p.add_argument("--stream-workers", type=int, default=None,
                   help="--workers for the streaming run (default: the configured auto)")
    p.add_argument("--compare-docs", type=int, default=40, help="documents in the batched/single comparison")
    p.add_argument("--reps", type=int, default=3, help="repetitions of the batched/single comparison")
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--stream-seconds", type=float, default=900, help="stop the streaming run after this long")
    p.add_argument("--whole", action="store_true", help="whole-process comparison with Presidio and the levers")
    p.add_argument("--whole-docs", type=int, default=100, help="documents in the whole-process comparison")
    p.add_argument("--skip", nargs="*", default=[], help="whole-process methods to leave out")
    args = p.parse_args()
    quiet_libraries()
    rows = load_rows(args.data, args.limit)
    if args.whole:
        whole(args, rows)
        return
    if not args.skip_throughput:
        throughput(args, rows)
    if args.compare_docs:
        embedding_passes(documents(rows)[: args.compare_docs])
    if args.stream_rows > 0:
        streaming(args)


if __name__ == "__main__":
    main()
