"""Removal rate per identifier/attribute type and utility on the seeded synthetic record set (issue 11.5).

    python benchmarks/bench_records.py [--n 60] [--seed 0] [--profile auto]

Every inserted value of a record (semsiedit/synthetic.py) is checked in the local editor's rewrite:
removed when it no longer survives as whole words. States are expected to survive (the record profile
keeps them). Sentences with nothing sensitive in them are expected to survive too: their similarity is
1.0 when kept verbatim, else the best cosine against the rewrite's sentences.
Targets: >= 98% of direct identifiers, >= 90% of quasi-identifiers and of sensitive attributes removed;
neutral sentences >= 0.97 similarity.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGETS = {"direct": 0.98, "quasi": 0.90, "attribute": 0.90}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=60, help="records (10 per domain at the default)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--profile", default="auto", help="record | public | auto")
    p.add_argument("--show", type=int, default=0, help="print this many survivors per type")
    args = p.parse_args()

    from semsiedit.config import Settings
    from semsiedit.loop import build_loop
    from semsiedit.scoring import get_embedder
    from semsiedit.synthetic import generate
    from semsiedit.text import sentences as split_sentences
    from semsiedit.text import value_survives
    from semsiedit.types import Document

    records = generate(args.n, seed=args.seed)
    settings = Settings(profile=args.profile)
    loop = build_loop(settings)
    t0 = time.perf_counter()
    results = loop.run_many([Document(id=r.id, text=r.text) for r in records])
    elapsed = time.perf_counter() - t0

    removed: dict[str, list[bool]] = defaultdict(list)
    by_kind: dict[str, list[bool]] = defaultdict(list)
    survivors: dict[str, list[str]] = defaultdict(list)
    neutral_pairs: list[tuple[str, list[str]]] = []
    profiles: dict[str, int] = defaultdict(int)
    for record, result in zip(records, results, strict=True):
        profiles[(result.profile or {}).get("name", "?")] += 1
        for span in record.spans:
            gone = not value_survives(span.value, result.rewritten)
            removed[span.type].append(gone)
            by_kind[span.kind].append(gone)
            if not gone and span.kind != "kept":
                survivors[span.type].append(span.value)
        sentences = [s for s in split_sentences(result.rewritten) if s.strip()]
        neutral_pairs += [(n, sentences) for n in record.neutral]

    embedder = get_embedder(settings.embedding_model)
    sims = []
    for sentence, candidates in neutral_pairs:
        if any(sentence in c for c in candidates):
            sims.append(1.0)
            continue
        vectors = embedder.encode([sentence, *candidates])
        sims.append(float(max(vectors[1:] @ vectors[0])) if candidates else 0.0)
    utility = [r.scores.utility for r in results if r.scores]

    print(f"bench_records: {len(records)} records, seed {args.seed}, profile {args.profile} "
          f"(chosen: {dict(profiles)}), {elapsed:.1f}s")  # fmt: skip
    print(f"{'type':<24}{'kind':<11}{'n':>5}{'removed':>9}")
    kinds = {s.type: s.kind for r in records for s in r.spans}
    for type_ in sorted(removed, key=lambda t: (kinds[t], t)):
        flags = removed[type_]
        label = "kept" if kinds[type_] == "kept" else "removed"
        rate = (1 - sum(flags) / len(flags)) if label == "kept" else sum(flags) / len(flags)
        print(f"{type_:<24}{kinds[type_]:<11}{len(flags):>5}{rate:>8.1%}{'' if label == 'removed' else ' kept'}")
        if args.show and survivors[type_]:
            print("    survived:", "; ".join(survivors[type_][: args.show]))
    print()
    for kind, target in TARGETS.items():
        flags = by_kind[kind]
        rate = sum(flags) / len(flags) if flags else 0.0
        print(f"{kind:<10} removed {rate:6.1%}  (target >= {target:.0%}) {'ok' if rate >= target else 'SHORT'}")
    mean_sim = sum(sims) / len(sims) if sims else 1.0
    print(f"neutral sentences: {len(sims)}, mean similarity {mean_sim:.3f}, min {min(sims, default=1):.3f} "
          f"(target >= 0.97) {'ok' if mean_sim >= 0.97 else 'SHORT'}")  # fmt: skip
    if utility:
        print(f"document utility: mean {sum(utility) / len(utility):.3f}")


if __name__ == "__main__":
    main()
