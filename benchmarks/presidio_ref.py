"""Presidio reference run as a whole process (the comparison point of bench_detect/bench_rewrite).

    python benchmarks/presidio_ref.py DATA.jsonl [--anonymize] [--limit N] > out.jsonl

Stock Presidio, used the way its documentation shows: `BatchAnalyzerEngine.analyze_iterator` over the
texts (spaCy `nlp.pipe` inside Presidio) with Presidio's own `SpacyNlpEngine` on the same offline
spaCy model semsiedit resolves, asked for the same entities semsiedit's default configuration asks
for; with --anonymize, `AnonymizerEngine.anonymize` (default operator: `<ENTITY_TYPE>`) on each text.
One JSON line per text on stdout. Imports and model loads are part of the run on purpose.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("--field", default="answer")
    p.add_argument("--limit", type=int)
    p.add_argument("--anonymize", action="store_true")
    p.add_argument("--batch-size", type=int, default=32)
    args = p.parse_args()

    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine

    from semsiedit.detection.pii import _UNMAPPED_SPACY_LABELS, default_entities
    from semsiedit.models import resolve_spacy_model

    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    ner = NerModelConfiguration(labels_to_ignore=list(_UNMAPPED_SPACY_LABELS))
    model = resolve_spacy_model("en_core_web_sm")
    nlp_engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": model}], ner_model_configuration=ner)
    analyzer = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])
    supported = set(analyzer.get_supported_entities("en"))
    entities = [e for e in default_entities() if e in supported]
    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    anonymizer = None
    if args.anonymize:
        from presidio_anonymizer import AnonymizerEngine

        anonymizer = AnonymizerEngine()

    texts = []
    with args.data.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                texts.append(str(json.loads(line).get(args.field) or ""))
            if args.limit and len(texts) >= args.limit:
                break
    out = sys.stdout
    results = batch.analyze_iterator(texts, language="en", batch_size=args.batch_size, entities=entities)
    for text, found in zip(texts, results, strict=True):
        record: dict = {"findings": [[r.start, r.end, r.entity_type] for r in found]}
        if anonymizer is not None:
            record["text"] = anonymizer.anonymize(text=text, analyzer_results=found).text
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
