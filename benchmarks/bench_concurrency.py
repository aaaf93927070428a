"""`--jobs N` speed-up against an OpenAI-compatible server with a fixed latency (SPEC §7).

    python benchmarks/bench_concurrency.py [--limit 24] [--latency 0.3] [--jobs 4] [--reps 3]

A loopback-only fake server (tests/fault_server.py, threaded) waits --latency seconds and then answers
every critic request with a valid CriticReply and every editor request with a valid EditorReply (one
replacement per flagged id). The same documents go through `build_loop` (LLM critic + LLM editor,
no_cache=True) in batches like the batch runner (`max(8, jobs*4)` documents), with jobs=1 and jobs=N
interleaved with the same runs at latency 0 (the local-compute floor). Configurations (--config):
  full        the whole loop (3 rounds max, scoring on): what `semsiedit rewrite --jobs N` does
  llm-bound   max_iterations=1, no scoring: less local work between the LLM waves
Median wall times, the ratio jobs=1 / jobs=N (target >= 3x for 4 jobs), and the speed-up of the
LLM-waiting part alone (wall time minus the latency-0 floor) are printed. The server
binds 127.0.0.1 only, stops itself after the run (and after --server-lifetime seconds at most), and
the request count is bounded by the documents x rounds. Detection, local fallback edits and scoring
run on the main thread between the concurrent LLM waves, so the speed-up is bounded by how much of
the wall time is LLM waiting (Amdahl): try --latency 1.0 for a latency closer to a real LLM's.
"""

from __future__ import annotations

import json
import re
import time

from _common import header, import_tests_helper, load_rows, median, parser, quiet_libraries

TARGET = 3.0
_FINDING = re.compile(r'^- (\S+) \[(\w+)/[^\]]*\]: (".*?")(?: — .*)?$', re.MULTILINE)


def fake_reply(body: dict) -> dict:
    """A valid critic or editor reply for the request (decided from the prompt)."""
    user = next((m["content"] for m in reversed(body.get("messages", [])) if m.get("role") == "user"), "")
    if "Flagged spans:" in user:
        edits = []
        for fid, category, _quote in _FINDING.findall(user.split("Flagged spans:", 1)[1]):
            replacement = "a person" if category == "pii" else "some details that have not been confirmed"
            edits.append({"id": fid, "replacement": replacement})
        return {"edits": edits}
    return {"findings": []}  # the critic: the detectors' findings stand


def make_server(fault_server, latency: dict, lifetime: float):
    """`latency["s"]` is read per request, so the same server serves the latency-0 floor runs."""

    def rule(body: dict):
        reply = fake_reply(body)
        tokens = len(json.dumps(reply)) // 4 + 1
        return fault_server.sleep(latency["s"], fault_server.json_reply(reply, completion_tokens=tokens))

    return fault_server.FaultServer(rules=[rule], max_lifetime=lifetime)


def run(build_loop, settings, docs) -> float:
    loop = build_loop(settings)
    if loop.scorer is not None:
        loop.scorer.embedder._cache.clear()  # process-wide cache: every run must embed from scratch
    batch = max(8, settings.jobs * 4)  # RewriteOptions.batch_size in semsiedit.api.rewrite_paths
    t0 = time.perf_counter()
    for i in range(0, len(docs), batch):
        loop.run_many(docs[i : i + batch])
    return time.perf_counter() - t0


def main() -> None:
    p = parser(__doc__.splitlines()[0], limit=24)
    p.add_argument("--latency", type=float, default=0.3, help="seconds the fake server waits per request")
    p.add_argument("--jobs", type=int, default=4)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--config", choices=("full", "llm-bound", "both"), default="full")
    p.add_argument("--server-lifetime", type=float, default=900.0, help="the server stops itself after this")
    args = p.parse_args()
    rows = load_rows(args.data, args.limit)
    quiet_libraries()
    fault_server = import_tests_helper("fault_server")

    from semsiedit.config import Settings
    from semsiedit.loop import build_loop
    from semsiedit.types import Document

    docs = [Document(id=str(i), text=str(r.get("answer") or ""), context=r.get("prompt")) for i, r in enumerate(rows)]
    header(f"concurrency: {len(docs)} documents, server latency {args.latency:.2f}s, jobs 1 vs {args.jobs}")
    latency = {"s": args.latency}
    with make_server(fault_server, latency, args.server_lifetime) as server:
        common = dict(model="fake", base_url=server.base_url, no_cache=True, max_retries=0, timeout=30)
        configs = {
            "full": dict(common),
            "llm-bound": dict(common, max_iterations=1, score=False),
        }
        if args.config != "both":
            configs = {args.config: configs[args.config]}
        # Warm-up: load spaCy, Presidio and the embedder once (process-wide caches) and the openai import.
        run(build_loop, Settings(**common), docs[:2])
        runs = [(1, args.latency), (args.jobs, args.latency), (1, 0.0), (args.jobs, 0.0)]
        for name, extra in configs.items():
            times: dict[tuple[int, float], list[float]] = {r: [] for r in runs}
            requests = 0
            for rep in range(args.reps):
                for key in runs[rep % len(runs) :] + runs[: rep % len(runs)]:
                    jobs, latency["s"] = key
                    before = server.request_count
                    times[key].append(run(build_loop, Settings(**extra, jobs=jobs), docs))
                    requests = server.request_count - before
            t1, tn = median(times[runs[0]]), median(times[runs[1]])
            f1, fn = median(times[runs[2]]), median(times[runs[3]])
            ratio = t1 / tn
            print(f"[{name}] median of {args.reps} interleaved runs; {requests} requests per run "
                  f"(serial LLM wait {requests * args.latency:.1f}s at {args.latency:g}s each):")  # fmt: skip
            for (jobs, lat), ts in times.items():
                label = f"jobs={jobs}, latency {lat:g}s" + ("  (local-compute floor)" if lat == 0 else "")
                print(f"  {label:<40} {median(ts):6.2f}s  ({', '.join(f'{t:.1f}' for t in ts)})")
            verdict = "OK" if ratio >= TARGET else "BELOW"
            print(f"  speed-up jobs=1 / jobs={args.jobs} (wall): {ratio:.2f}x  [{verdict} target >= {TARGET:.0f}x]")
            if tn - fn > 0:
                part = (t1 - f1) / (tn - fn)
                print(f"  speed-up of the LLM-waiting part, (t1 - floor1) / (t{args.jobs} - floor{args.jobs}): "
                      f"{part:.2f}x; local compute is {f1 / t1 * 100:.0f}% of the jobs=1 time")  # fmt: skip
    print(f"server stopped; {server.request_count} requests served in total")


if __name__ == "__main__":
    main()
