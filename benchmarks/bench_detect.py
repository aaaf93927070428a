"""Detection throughput on the SemSI-Bench answers: semsiedit vs Presidio (SPEC §7).

    python benchmarks/bench_detect.py [--limit N] [--reps 3]

Compared on the same texts and the same spaCy model (the offline one `semsiedit.models` resolves):
  semsiedit   DetectionEngine.detect_many (one nlp.pipe pass shared by Presidio and the SemSI
              recognizer, plus addresses/birthdates; finds SemSI too)
  rules       the same engine with learned_detection=false: the rule recognizers alone (the detector
              before the learned SemSI model); semsiedit/rules is the learned detector's cost
  sem-pii     the same engine with categories=["pii"] only: the like-for-like comparison with Presidio
  naive       Presidio AnalyzerEngine.analyze called once per document (Presidio runs spaCy itself)
  batch       Presidio BatchAnalyzerEngine.analyze_iterator (spaCy nlp.pipe inside Presidio)
  spacy       nlp.pipe alone, for reference (the parse every method pays for)
Everything is loaded and warmed up before timing; the methods are interleaved chunk by chunk (order
rotated) for --reps passes; docs/s by median wall time, best wall time and CPU time are reported with
the ratios semsiedit/naive and semsiedit/batch.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from _common import header, load_rows, median, parser, quiet_libraries, texts_of


def build_presidio(model_name: str, entities: list[str]):
    """Presidio's stock analyzer with its own spaCy engine on the resolved offline model (no download)."""
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    from semsiedit.detection.pii import _UNMAPPED_SPACY_LABELS

    ner = NerModelConfiguration(labels_to_ignore=list(_UNMAPPED_SPACY_LABELS))
    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model_name}], ner_model_configuration=ner)
    nlp_engine.load()  # the resolved name is an installed package: spaCy loads it, nothing is downloaded
    log = logging.getLogger("presidio-analyzer")
    log.setLevel(logging.ERROR)
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    supported = set(analyzer.get_supported_entities("en"))
    return analyzer, BatchAnalyzerEngine(analyzer_engine=analyzer), [e for e in entities if e in supported]


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--reps", type=int, default=3, help="alternating repetitions per method (median reported)")
    p.add_argument("--batch-size", type=int, default=32, help="nlp.pipe / Presidio batch size")
    p.add_argument("--chunk", type=int, default=50, help="documents per interleaved chunk")
    args = p.parse_args()
    texts = texts_of(load_rows(args.data, args.limit))
    quiet_libraries()

    from semsiedit.config import Settings
    from semsiedit.detection import DetectionEngine
    from semsiedit.detection.pii import default_entities
    from semsiedit.models import resolve_spacy_model

    header(f"detect: {len(texts)} documents, {sum(map(len, texts))} characters")
    settings = Settings()
    t0 = time.perf_counter()
    engine = DetectionEngine(settings).load()
    print(f"semsiedit DetectionEngine.load: {time.perf_counter() - t0:.1f}s")
    model_name = resolve_spacy_model(settings.spacy_model)
    entities = engine._pii.entities if engine._pii is not None else default_entities()
    threshold = settings.pii_score_threshold
    t0 = time.perf_counter()
    analyzer, batch_analyzer, entities = build_presidio(model_name, entities)
    print(f"Presidio AnalyzerEngine (own spaCy {model_name!r}): {time.perf_counter() - t0:.1f}s")
    nlp = engine._nlp
    pii_engine = DetectionEngine(Settings(categories=["pii"])).load()  # same spaCy pipeline (cached load)
    rules_engine = DetectionEngine(Settings(learned_detection=False)).load()
    embedder = engine._learned.embedder if engine._learned is not None else None

    def run_semsiedit(xs):
        if embedder is not None:
            embedder._cache.clear()  # every pass encodes its sentences, as a fresh run would
        return engine.detect_many(xs, batch_size=args.batch_size)

    def run_rules(xs):
        return rules_engine.detect_many(xs, batch_size=args.batch_size)

    def run_pii_only(xs):
        return pii_engine.detect_many(xs, batch_size=args.batch_size)

    def run_naive(xs):
        return [analyzer.analyze(x, language="en", entities=entities, score_threshold=threshold) for x in xs]

    def run_batch(xs):
        return list(
            batch_analyzer.analyze_iterator(
                xs, language="en", batch_size=args.batch_size, entities=entities, score_threshold=threshold
            )
        )

    def run_spacy(xs):
        return [len(d) for d in nlp.pipe(xs, batch_size=args.batch_size)]

    methods = {
        "semsiedit": run_semsiedit,
        "rules": run_rules,
        "sem-pii": run_pii_only,
        "naive": run_naive,
        "batch": run_batch,
        "spacy": run_spacy,
    }
    warm = texts[:20]
    for fn in methods.values():
        fn(warm)

    # Interleaved in chunks of --chunk documents (order rotated per chunk), so that load from other
    # work on a shared machine falls on all methods alike; wall and CPU seconds summed per pass.
    names = list(methods)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    outputs: dict[str, list] = {}
    for _rep in range(args.reps):
        w = dict.fromkeys(names, 0.0)
        c = dict.fromkeys(names, 0.0)
        out: dict[str, list] = {name: [] for name in names}
        for k, i in enumerate(range(0, len(texts), args.chunk)):
            chunk = texts[i : i + args.chunk]
            for name in names[k % len(names) :] + names[: k % len(names)]:
                t0, c0 = time.perf_counter(), time.process_time()
                out[name].extend(methods[name](chunk))
                w[name] += time.perf_counter() - t0
                c[name] += time.process_time() - c0
        for name in names:
            wall[name].append(w[name])
            cpu[name].append(c[name])
        outputs = out

    n = len(texts)
    rate = {name: n / median(ts) for name, ts in wall.items()}
    cpu_rate = {name: n / median(ts) for name, ts in cpu.items()}
    best = {name: n / min(ts) for name, ts in wall.items()}
    print(
        f"{args.reps} passes, interleaved in chunks of {args.chunk} docs; docs/s by median wall time, best wall "
        "time and median CPU time (CPU time is the least sensitive to other load):"
    )
    labels = {
        "semsiedit": "semsiedit DetectionEngine.detect_many",
        "rules": "semsiedit rules only (no learned model)",
        "sem-pii": "semsiedit detect_many, pii only",
        "naive": "Presidio analyze() per document",
        "batch": "Presidio BatchAnalyzerEngine",
        "spacy": "(reference) spaCy nlp.pipe only",
    }
    print(f"  {'':<40} {'median':>8} {'best':>8} {'CPU':>8}   wall s per pass")
    for name in names:
        print(
            f"  {labels[name]:<40} {rate[name]:8.1f} {best[name]:8.1f} {cpu_rate[name]:8.1f}   "
            f"{', '.join(f'{t:.1f}' for t in wall[name])}"
        )
    for label, r in (("median wall", rate), ("CPU", cpu_rate)):
        r_rules = r["semsiedit"] / r["rules"]
        print(f"ratio by {label}: semsiedit (learned + rules) / rules only {r_rules:.2f}x "
              f"[{'OK' if r_rules >= 1 else 'SLOWER'}: target >= 1x]")  # fmt: skip
        r_naive = r["semsiedit"] / r["naive"]
        print(
            f"ratios by {label}: semsiedit/naive {r_naive:.2f}x [{'OK' if r_naive > 1 else 'SLOWER'}: target > 1x], "
            f"semsiedit/batch {r['semsiedit'] / r['batch']:.2f}x; pii only (like for like): "
            f"/naive {r['sem-pii'] / r['naive']:.2f}x, /batch {r['sem-pii'] / r['batch']:.2f}x"
        )

    cats = Counter(f.category for doc in outputs["semsiedit"] for f in doc)
    pres = Counter(r.entity_type for doc in outputs["naive"] for r in doc)
    bat = sum(len(doc) for doc in outputs["batch"])
    print(f"semsiedit findings: {sum(cats.values())} ({', '.join(f'{k} {v}' for k, v in sorted(cats.items()))})")
    print(
        f"Presidio findings: naive {sum(pres.values())}, batch {bat} "
        f"({', '.join(f'{k} {v}' for k, v in pres.most_common(6))})"
    )


if __name__ == "__main__":
    main()
