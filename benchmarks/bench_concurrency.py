"""`--jobs N` speed-up against an OpenAI-compatible server with a fixed latency (SPEC §7).

    python benchmarks/bench_concurrency.py [--limit 24] [--latency 0.3] [--jobs 4] [--reps 3]

A loopback-only fake server (tests/fault_server.py, threaded, in a child process: a real server
never competes with the client for its interpreter lock) waits --latency seconds and then answers
every critic request with a valid CriticReply and every editor request with a valid EditorReply (one
replacement per flagged id). The same documents go through `build_loop` (LLM critic + LLM editor,
no_cache=True) as one stream, like the batch runner (jobs=1: lock-step batches; jobs=N: one document
per worker thread, in order), with jobs=1 and jobs=N interleaved with the same runs at latency 0
(the local-compute floor). Configurations (--config):
  full        the whole loop (3 rounds max, scoring on): what `semsiedit rewrite --jobs N` does
  llm-bound   max_iterations=1, no scoring: less local work between the LLM waves
Median wall times, the ratio jobs=1 / jobs=N (target >= 3x for 4 jobs), and the share of the LLM
waiting that jobs=N hides behind local work (wall time minus the latency-0 floor) are printed. The server
binds 127.0.0.1 only, stops itself after the run (and after --server-lifetime seconds at most), and
the request count is bounded by the documents x rounds. With jobs=N one document's detection and
scoring overlap the others' LLM waits, but detection runs one document at a time (a lock), so the
speed-up is bounded by the share of local compute (Amdahl): try --latency 1.0 for a latency closer
to a real LLM's.
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


class ServerProcess:
    """The fake server in a child process (forked before the models load). `latency` and the request
    count live in shared memory, so the same server serves the latency-0 floor runs."""

    def __init__(self, fault_server, latency: float, lifetime: float) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.latency = ctx.Value("d", latency)
        self.requests = ctx.Value("i", 0)
        self._stop = ctx.Event()
        self._port = ctx.Queue()
        self._process = ctx.Process(target=self._serve, args=(fault_server, lifetime), daemon=True)

    def _serve(self, fault_server, lifetime: float) -> None:
        def rule(body: dict):
            with self.requests.get_lock():
                self.requests.value += 1
            reply = fake_reply(body)
            tokens = len(json.dumps(reply)) // 4 + 1
            return fault_server.sleep(self.latency.value, fault_server.json_reply(reply, completion_tokens=tokens))

        with fault_server.FaultServer(rules=[rule], max_lifetime=lifetime) as server:
            self._port.put(server.base_url)
            self._stop.wait(lifetime)

    def start(self) -> ServerProcess:
        self._process.start()
        self.base_url = self._port.get(timeout=30)
        return self

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    @property
    def request_count(self) -> int:
        return self.requests.value


def run(build_loop, settings, docs) -> float:
    loop = build_loop(settings)
    if loop.scorer is not None:
        loop.scorer.embedder._cache.clear()  # process-wide cache: every run must embed from scratch
    t0 = time.perf_counter()
    loop.run_many(docs)  # what the batch runner does: run_iter over the whole stream
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
    server = ServerProcess(fault_server, args.latency, args.server_lifetime).start()  # fork before torch loads

    from semsiedit.config import Settings
    from semsiedit.loop import build_loop
    from semsiedit.types import Document

    docs = [Document(id=str(i), text=str(r.get("answer") or ""), context=r.get("prompt")) for i, r in enumerate(rows)]
    header(f"concurrency: {len(docs)} documents, server latency {args.latency:.2f}s, jobs 1 vs {args.jobs}")
    with server:
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
                    jobs, server.latency.value = key
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
            if t1 - f1 > 0:
                hidden = 1 - max(0.0, tn - fn) / (t1 - f1)
                n = args.jobs
                print(f"  LLM waiting hidden by jobs={n} (1 - (t{n} - floor{n}) / (t1 - floor1)): "
                      f"{hidden * 100:.0f}%; local compute is {f1 / t1 * 100:.0f}% of the jobs=1 time")  # fmt: skip
    print(f"server stopped; {server.request_count} requests served in total")


if __name__ == "__main__":
    main()
