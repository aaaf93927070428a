"""spaCy's own pipeline against the same pipeline with semsiedit's exact stand-ins (spacy_speedups.py).

    python benchmarks/bench_spacy_speedups.py [--limit N] [--reps 3]

Two copies of the configured spaCy model in one process, one untouched, one with `speed_up`; both
warmed up on the first 20 answers, then each component is timed (CPU seconds) over the same answers,
the two pipelines alternating, `--reps` passes; medians. Also checks that both annotate every token
alike (tag, POS, morphology, lemma, dependency, entity), so a ratio is never bought with a change.
"""

from __future__ import annotations

import time

from _common import header, load_rows, median, parser, quiet_libraries, texts_of


def component_times(nlp, texts: list[str]) -> tuple[dict[str, float], list]:
    docs = [nlp.make_doc(t) for t in texts]
    times: dict[str, float] = {}
    for name, proc in nlp.pipeline:
        started = time.process_time()
        docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
        times[name] = time.process_time() - started
    return times, docs


def annotations(docs: list) -> list:
    return [[(t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.ent_type_) for t in d] for d in docs]


def main() -> None:
    p = parser(__doc__.splitlines()[0], limit=200)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    quiet_libraries()
    import spacy

    from semsiedit.models import resolve_spacy_model
    from semsiedit.spacy_speedups import speed_up

    texts = texts_of(load_rows(args.data, args.limit))
    header(f"spaCy components, plain vs sped up: {len(texts)} documents, {args.reps} alternating passes")
    name = resolve_spacy_model("en_core_web_sm")
    plain, fast = spacy.load(name), spacy.load(name)
    print(f"sped up: {', '.join(speed_up(fast)) or 'nothing'}")
    for nlp in (plain, fast):
        component_times(nlp, texts[:20])
    runs: dict[str, list[dict[str, float]]] = {"plain": [], "fast": []}
    same = True
    for rep in range(args.reps):
        order = [("plain", plain), ("fast", fast)] if rep % 2 == 0 else [("fast", fast), ("plain", plain)]
        got = {}
        for label, nlp in order:
            times, docs = component_times(nlp, texts)
            runs[label].append(times)
            got[label] = annotations(docs)
        same = same and got["plain"] == got["fast"]
    print(f"{'component':18} {'plain s':>8} {'fast s':>8} {'ratio':>7}")
    totals = {"plain": 0.0, "fast": 0.0}
    for component in runs["plain"][0]:
        a = median([r[component] for r in runs["plain"]])
        b = median([r[component] for r in runs["fast"]])
        totals["plain"] += a
        totals["fast"] += b
        print(f"{component:18} {a:8.2f} {b:8.2f} {a / b if b else float('inf'):6.2f}x")
    print(f"{'whole parse':18} {totals['plain']:8.2f} {totals['fast']:8.2f} {totals['plain'] / totals['fast']:6.2f}x")
    print(f"annotations identical on every token: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
