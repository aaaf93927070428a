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
    # The first pass meets most words for the first time (a stream of new text); later passes find
    # them in the lemmatizers' caches (spaCy's own one too), so both are shown.
    print(f"{'CPU s':18} {'first pass':>28}   {'median of passes':>28}")
    print(f"{'component':18} {'plain':>8} {'fast':>8} {'ratio':>8}   {'plain':>8} {'fast':>8} {'ratio':>8}")
    totals = {"plain": [0.0, 0.0], "fast": [0.0, 0.0]}
    def cells(pairs) -> str:
        return "   ".join(f"{a:8.2f} {b:8.2f} {a / b if b else float('inf'):7.2f}x" for a, b in pairs)

    for component in runs["plain"][0]:
        first = (runs["plain"][0][component], runs["fast"][0][component])
        middle = tuple(median([r[component] for r in runs[label]]) for label in ("plain", "fast"))
        for k, (a, b) in enumerate((first, middle)):
            totals["plain"][k] += a
            totals["fast"][k] += b
        print(f"{component:18} " + cells((first, middle)))
    print(f"{'whole parse':18} " + cells(zip(totals["plain"], totals["fast"], strict=True)))
    print(f"annotations identical on every token: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
