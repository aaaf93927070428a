"""How often `--profile auto` picks the right profile without a question (issue 11.1).

    python benchmarks/bench_profiles.py [--train 1000] [--records 300] [--seed 0]

LLM answers about public figures should read as `public` (their names and places kept); records about
private people as `record`. Sources: the SemSI-Bench answers of `dev.jsonl` and a seeded sample of
`train.jsonl` (read from ../shared, never copied), given WITHOUT their question (a user's
`semsiedit rewrite answer.txt`: with the question, `auto` counts it as a strong public cue), and the
seeded synthetic records of `semsiedit/synthetic.py` (clinical notes, HR e-mails, tickets, posts,
biographies, letters). The profile is chosen from the text and the rule detectors' findings, as the
loop does (docs/profiles.md). A tie goes to `record` on purpose: an answer read as a record loses its
public names, a record read as public keeps its private ones.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import DEFAULT_DATA, load_rows, parser


def main() -> None:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--train", type=int, default=1000, help="answers sampled from train.jsonl (0: none)")
    p.add_argument("--records", type=int, default=300, help="synthetic records")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show", type=int, default=0, help="print this many misread texts per source")
    args = p.parse_args()

    from semsiedit.api import detect_texts
    from semsiedit.config import Settings
    from semsiedit.profile import choose_profile
    from semsiedit.synthetic import generate

    sources: list[tuple[str, str, list[str]]] = [
        ("dev.jsonl answers", "public", [r["answer"] for r in load_rows(args.data, args.limit)])
    ]
    train_path = Path(args.data).with_name("train.jsonl")
    if args.train and train_path.is_file():
        answers = [json.loads(line)["answer"] for line in train_path.open(encoding="utf-8")]
        sample = random.Random(args.seed).sample(answers, min(args.train, len(answers)))
        sources.append((f"train.jsonl answers ({len(sample)} sampled)", "public", sample))
    sources.append(("synthetic records", "record", [r.text for r in generate(args.records, seed=args.seed)]))

    # The profile is chosen before the learned detector runs (it only judges public text).
    settings = Settings(learned_detection=False)
    print(f"== auto profile without a question (data: {args.data if args.data != DEFAULT_DATA else 'dev.jsonl'})")
    for name, want, texts in sources:
        t0 = time.perf_counter()
        findings = detect_texts(texts, settings)
        chosen = [choose_profile(t, None, f, settings) for t, f in zip(texts, findings, strict=True)]
        right = sum(c.name == want for c in chosen)
        ties = Counter(c.reason for c in chosen if c.name != want).most_common(3)
        print(f"{name:38s} {want:6s} {right:5d}/{len(texts):<5d} = {right / len(texts):6.1%}"
              f"   ({time.perf_counter() - t0:.0f}s)")  # fmt: skip
        for reason, n in ties:
            print(f"    misread: {n:4d} x {reason}")
        misread = [t for t, c in zip(texts, chosen, strict=True) if c.name != want]
        for text in misread[: args.show]:
            print("    ---", " ".join(text.split())[:200])


if __name__ == "__main__":
    main()
