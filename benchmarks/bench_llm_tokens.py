"""LLM output tokens per document: semsiedit's span edits vs a whole-text rewrite loop (SPEC §7).

    python benchmarks/bench_llm_tokens.py [--limit 20] [--iterations 3]

Starts the real local llama.cpp server (tests/llm_server.py: llama-cpp-python + SmolLM2-135M-Instruct,
loopback only, stopped at the end). SmolLM2-135M answers poorly; we count tokens, not quality.
For each document, alternately:
  semsiedit   build_loop(Settings(model="smollm2", base_url=server, no_cache=True,
              max_iterations=--iterations)): LLM critic + LLM editor (span replacements as JSON);
              tokens from DocumentResult.usage
  whole-text  the paper's approach: ask the model to rewrite the whole answer without the sensitive
              information, 3 rounds, each round given the previous rewrite (openai client directly,
              max_tokens = 2x the document's token count); tokens from the response usage
Prints mean completion (output) tokens per document for both and the ratio, plus prompt tokens, calls
and seconds per document.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import urllib.request

from _common import header, import_tests_helper, load_rows, parser, quiet_libraries

WHOLE_ROUNDS = 3
WHOLE_SYSTEM = (
    "You are a privacy editor. Rewrite the ANSWER so that it no longer reveals sensitive information: "
    "personal data, private attributes of people (health, sexuality, religion, politics, finances...), "
    "harmful claims about named people or organisations, and false or unverifiable claims. Keep everything "
    "else, including the length and the structure. Reply with the rewritten answer only."
)


def whole_user(question: str | None, answer: str) -> str:
    q = f"QUESTION:\n{question}\n\n" if question else ""
    return f"{q}ANSWER:\n{answer}\n\nRewrite the answer to remove the sensitive information."


def count_tokens(base_url: str, text: str) -> int:
    """Tokens of `text` with the served model's tokenizer (llama-cpp-python's /extras/tokenize/count)."""
    root = base_url.removesuffix("/v1")
    data = json.dumps({"input": text}).encode()
    req = urllib.request.Request(
        root + "/extras/tokenize/count", data=data, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return int(json.load(resp)["count"])
    except (OSError, ValueError, KeyError):
        return max(1, len(text) // 4)


def whole_text_loop(client, question: str | None, answer: str, max_tokens: int) -> dict:
    current = answer
    out = {"completion_tokens": 0, "prompt_tokens": 0, "calls": 0}
    for _ in range(WHOLE_ROUNDS):
        messages = [
            {"role": "system", "content": WHOLE_SYSTEM},
            {"role": "user", "content": whole_user(question, current)},
        ]
        resp = client.chat.completions.create(model="smollm2", messages=messages, temperature=0, max_tokens=max_tokens)
        out["calls"] += 1
        if resp.usage is not None:
            out["completion_tokens"] += resp.usage.completion_tokens
            out["prompt_tokens"] += resp.usage.prompt_tokens
        current = (resp.choices[0].message.content or "").strip() or current
    out["text"] = current
    return out


def main() -> None:
    p = parser(__doc__.splitlines()[0], limit=20)
    p.add_argument("--iterations", type=int, default=3, help="semsiedit max_iterations (1 or 3)")
    args = p.parse_args()
    rows = load_rows(args.data, args.limit)
    quiet_libraries()
    llm_server = import_tests_helper("llm_server")
    missing = llm_server.missing_requirements()
    if missing:
        sys.exit(f"cannot start the local LLM server, missing: {', '.join(missing)} (see .ci/install_llm.sh)")

    from openai import OpenAI

    from semsiedit.config import Settings
    from semsiedit.loop import build_loop
    from semsiedit.types import Document

    header(f"LLM tokens: {len(rows)} documents, semsiedit max_iterations={args.iterations}")
    # SIGTERM (e.g. `timeout`) must still run the `finally` below, which stops the server we started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = llm_server.start_llama_server(llm_server.find_model())
    print(f"llama_cpp.server ({server.model_path.name}) ready on {server.base_url} in {server.started_in_s:.1f}s")
    try:
        settings = Settings(
            model="smollm2", base_url=server.base_url, no_cache=True, timeout=120, max_retries=1,
            max_tokens=512, temperature=0, max_iterations=args.iterations,
        )  # fmt: skip
        loop = build_loop(settings)
        loop.detector.load()
        _ = loop.scorer.embedder.model if loop.scorer is not None else None
        client = OpenAI(base_url=server.base_url, api_key="not-needed", timeout=300, max_retries=0)

        sem = {"completion_tokens": 0, "prompt_tokens": 0, "calls": 0, "seconds": 0.0, "failures": 0}
        whole = {"completion_tokens": 0, "prompt_tokens": 0, "calls": 0, "seconds": 0.0}
        doc_tokens = 0
        fallback = 0
        for i, row in enumerate(rows):
            answer, question = str(row.get("answer") or ""), row.get("prompt")
            n_tok = count_tokens(server.base_url, answer)
            doc_tokens += n_tok
            order = ("sem", "whole") if i % 2 == 0 else ("whole", "sem")
            for which in order:
                t0 = time.perf_counter()
                if which == "sem":
                    result = loop.run(Document(id=str(i), text=answer, context=question))
                    u = result.usage
                    sem["completion_tokens"] += u.completion_tokens
                    sem["prompt_tokens"] += u.prompt_tokens
                    sem["calls"] += u.calls
                    sem["failures"] += u.failures
                    fallback += result.path == "fallback"
                    sem["seconds"] += time.perf_counter() - t0
                    s_tok = u.completion_tokens
                else:
                    w = whole_text_loop(client, question, answer, max_tokens=2 * n_tok)
                    for k in ("completion_tokens", "prompt_tokens", "calls"):
                        whole[k] += w[k]
                    whole["seconds"] += time.perf_counter() - t0
                    w_tok = w["completion_tokens"]
            print(f"  doc {i + 1:>3}/{len(rows)}: {n_tok:4d} tokens; output tokens semsiedit {s_tok:4d}, "
                  f"whole-text {w_tok:4d}", flush=True)  # fmt: skip
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)

    n = len(rows)
    print(f"documents: {n}, mean document length {doc_tokens / n:.0f} tokens")
    print(f"{'':<34}{'semsiedit':>12}{'whole-text':>12}")
    for label, key in (("completion tokens / doc", "completion_tokens"), ("prompt tokens / doc", "prompt_tokens"),
                       ("LLM calls / doc", "calls"), ("seconds / doc", "seconds")):  # fmt: skip
        print(f"  {label:<32}{sem[key] / n:12.1f}{whole[key] / n:12.1f}")
    ratio = sem["completion_tokens"] / whole["completion_tokens"] if whole["completion_tokens"] else float("nan")
    print(f"ratio output tokens semsiedit / whole-text: {ratio:.2f}x  "
          f"[{'OK' if ratio < 0.5 else 'NOT well under'}: target well under 1x]")  # fmt: skip
    print(f"ratio seconds semsiedit / whole-text: {sem['seconds'] / whole['seconds']:.2f}x")
    # A model that actually rewrites (the paper's GPT-5) emits about the document's length every round; a
    # tiny model often answers a few words instead, which flatters the measured whole-text figure.
    faithful = WHOLE_ROUNDS * doc_tokens / n
    share = sem["completion_tokens"] / n / faithful
    print(f"reference: a faithful {WHOLE_ROUNDS}-round whole-text rewrite emits ~{faithful:.0f} tokens/doc "
          f"({WHOLE_ROUNDS} x document length); semsiedit / that: {share:.2f}x")  # fmt: skip
    print(f"semsiedit: {sem['failures']} failed LLM calls, {fallback}/{n} documents used the local fallback")


if __name__ == "__main__":
    main()
