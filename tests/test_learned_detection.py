"""The learned SemSI detector: shipped weights, behaviour per category, the switch, and training."""

from __future__ import annotations

import importlib.resources
import json
from pathlib import Path

import numpy as np
import pytest

from semsiedit.config import Settings
from semsiedit.detection import DetectionEngine
from semsiedit.detection.learned import SOURCE, WEIGHTS_PATH, LearnedModel
from semsiedit.detection.learned_features import cue_flags, feature_count, sentence_features
from semsiedit.training.labels import UNKNOWN, covers, label_answer

TINY = Path(__file__).parent / "fixtures" / "semsi_train_tiny.jsonl"
SMALL = Path(__file__).parent / "fixtures" / "semsi_small.jsonl"


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return DetectionEngine(Settings(categories=["privacy", "harmful", "misinformation"], learned_detection=True)).load()


def _cats(engine: DetectionEngine, text: str, context: str | None = None) -> dict[str, list]:
    found = engine.detect_many([text], contexts=[context])[0]
    return {c: [f for f in found if f.category == c] for c in ("privacy", "harmful", "misinformation")}


# -- the shipped model -----------------------------------------------------------------------------


def test_weights_ship_inside_the_package() -> None:
    resource = importlib.resources.files("semsiedit") / "data" / "models" / "semsi_detector.npz"
    assert resource.is_file()
    assert Path(str(resource)).resolve() == WEIGHTS_PATH
    assert WEIGHTS_PATH.stat().st_size < 5 * 1024 * 1024  # "a few MB at most"
    model = LearnedModel.load()
    assert set(model.categories) == {"privacy", "harmful", "misinformation"}
    assert model.meta["embedding_model"] == "all-MiniLM-L6-v2"
    for w in model.categories.values():
        assert w["coef"].shape == model.mean.shape
        assert w["doc_coef"].shape == model.doc_mean.shape
        assert 0 < w["doc"] < 1 and 0 < w["span"] < 1


def test_unreadable_weights_give_a_clear_error(tmp_path: Path) -> None:
    from semsiedit.errors import BackendUnavailable

    bad = tmp_path / "w.npz"
    bad.write_bytes(b"not a zip")
    with pytest.raises(BackendUnavailable, match="unreadable"):
        LearnedModel.load(bad)


# -- behaviour per category: a positive, a hedged/attributed/negated one, a general statement ------


def test_privacy(engine: DetectionEngine) -> None:
    positive = _cats(engine, "Senator Mark Ellis was diagnosed with HIV in 2019 and has been in treatment since then.")
    assert positive["privacy"], "a person's diagnosis is private"
    assert any(f.subject and "Ellis" in f.subject for f in positive["privacy"])
    general = _cats(engine, "HIV is a virus that attacks the immune system. Treatment keeps it under control.")
    assert not general["privacy"], "a general statement is about no one"


def test_harmful(engine: DetectionEngine) -> None:
    positive = _cats(engine, "Mayor Linda Hart stole money from the city pension fund and lied to investigators.")
    assert positive["harmful"]
    negated = _cats(engine, "There is no evidence that Mayor Linda Hart stole anything; the audit cleared her.")
    assert len(negated["harmful"]) <= len(positive["harmful"])
    general = _cats(engine, "Embezzlement is a crime punished with fines and prison sentences.")
    assert not general["harmful"]


def test_misinformation(engine: DetectionEngine) -> None:
    positive = _cats(engine, "Vaccines cause autism, and the government has hidden the evidence for decades.")
    assert positive["misinformation"]
    hedged = _cats(
        engine,
        "Some people claim that vaccines cause autism, but large studies have found no link at all.",
    )
    assert not hedged["misinformation"], "an attributed and refuted claim is not misinformation"
    general = _cats(engine, "Water boils at 100 degrees Celsius at sea level.")
    assert not general["misinformation"], "general knowledge is about no one"


def test_learned_detector_is_on_by_default() -> None:
    """Fails when the learned detector is switched off by default: every SemSI finding of a public text
    then goes through the model (a kept rule finding carries the model's probability, a learned one is
    its own source), and misinformation is found without `specific_claims`."""
    assert Settings().learned_detection and not Settings().specific_claims
    rows = [json.loads(line) for line in SMALL.read_text(encoding="utf-8").splitlines()]
    texts = [r["answer"] for r in rows]
    semsi = ("privacy", "harmful", "misinformation")
    learned = DetectionEngine(Settings())
    found = [f for fs in learned.detect_many(texts, contexts=[r["prompt"] for r in rows]) for f in fs]
    judged = [f for f in found if f.category in semsi]
    assert judged and all(f.source == SOURCE or "model p=" in f.reason for f in judged)
    assert any(f.category == "misinformation" for f in judged), "misinformation is detected by default"
    rules = DetectionEngine(Settings(learned_detection=False))
    assert not any(f.source == SOURCE or "model p=" in f.reason for fs in rules.detect_many(texts) for f in fs)


def test_records_keep_the_rule_findings() -> None:
    """The model learned LLM answers about public figures; a record about a private person (the
    `record` profile) keeps exactly the rules' findings, and is not embedded for detection."""
    from semsiedit.scoring import get_embedder

    record = (
        "Patient: Maria Lopez. Seen on 3 May 2021.\nShe was diagnosed with type 2 diabetes and takes metformin.\n"
        "Her husband says she drinks heavily since she lost her job. Follow-up in two weeks."
    )
    cats = ["privacy", "harmful", "misinformation"]
    rules = DetectionEngine(Settings(categories=cats, learned_detection=False)).detect(record)
    learned_engine = DetectionEngine(Settings(categories=cats, learned_detection=True))
    embedder = get_embedder(learned_engine.settings.embedding_model)
    before = embedder.encoded
    learned = learned_engine.detect(record)
    assert [(f.start, f.end, f.label) for f in learned] == [(f.start, f.end, f.label) for f in rules]
    assert rules and embedder.encoded == before


def test_findings_are_statements_inside_the_text(engine: DetectionEngine) -> None:
    text = "Dr. Anna Berg was treated for breast cancer last year.\n\nShe later accused her manager of fraud."
    for f in engine.detect(text):
        assert text[f.start : f.end] == f.text
        assert f.end - f.start >= 10  # a clause or a sentence, not a single word


def test_detection_embeds_with_the_static_model_and_leaves_minilm_to_the_scorer() -> None:
    """The shipped weights were trained on static vectors distilled from MiniLM (embedding_static.py):
    detection sends nothing to the scorer's MiniLM, and scoring an unchanged text needs no model at all."""
    from semsiedit.scoring import Scorer, get_embedder

    settings = Settings(categories=["privacy", "harmful", "misinformation"], learned_detection=True)
    # Text about a public figure: the learned detector judges it (a record it leaves to the rules).
    text = "Senator Karl Lind was treated for depression in 2020, according to reports. He returned to the Senate."
    engine = DetectionEngine(settings).load()
    assert engine._learned is not None
    static = engine._learned.embedder  # its first use checks the probe vector
    scoring = get_embedder(settings.embedding_model, settings.embedding_backend)
    static_before, scoring_before = static.encoded, scoring.encoded
    engine.detect(text)
    assert static.backend == "static" and static.encoded > static_before
    Scorer(settings).score(text, text)
    assert scoring.encoded == scoring_before


def test_mismatched_static_vectors_are_refused(tmp_path: Path) -> None:
    """Weights whose probe vector the embeddings built here do not reproduce are refused with a clear
    error rather than fed other vectors."""
    from semsiedit.detection.learned import LearnedDetector
    from semsiedit.errors import BackendUnavailable

    model = LearnedModel.load()
    assert model.probe is not None
    model.probe = -model.probe
    path = tmp_path / "w.npz"
    model.save(path)
    detector = LearnedDetector(weights=path)
    with pytest.raises(BackendUnavailable, match="differ from those the learned detector was trained on"):
        _ = detector.embedder
    model.probe = np.asarray(LearnedModel.load().probe)
    model.save(path)
    assert LearnedDetector(weights=path).embedder.backend == "static"


# -- labels and features ---------------------------------------------------------------------------


def test_labels_cover_crossing_spans_but_not_spills() -> None:
    assert covers((0, 40), (10, 13))  # a short span inside the sentence
    assert covers((41, 90), (20, 70))  # a span crossing into this sentence substantially
    assert not covers((41, 90), (0, 43))  # two characters spilled over a boundary
    row = json.loads(TINY.read_text(encoding="utf-8").splitlines()[0])
    answer = label_answer(row)
    assert answer.labels["privacy"] == [0, 1, 0]
    assert answer.labels["harmful"] == [0, 0, 0] and answer.severity["privacy"] == 2
    broken = {**row, "privacy": "<<<a span that is not in the answer>>>"}
    assert label_answer(broken).labels["privacy"] == [UNKNOWN] * 3


def test_cues_and_feature_shape() -> None:
    hedge, attribution, negation, _voice, _modality = cue_flags("Critics claimed he might not have paid.")
    assert hedge and attribution and negation
    assert cue_flags("The sky is blue.")[:3] == [0.0, 0.0, 0.0]
    vecs = np.eye(3, 8, dtype=np.float32)
    X = sentence_features(vecs, ["A b.", "C d?", "E 5."], [(0, 4), (5, 9), (10, 14)], (), vecs[0])
    assert X.shape == (3, feature_count(8))
    assert np.isfinite(X).all()


# -- training --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_training_on_a_tiny_fixture(tmp_path: Path) -> None:
    from semsiedit.training.data import read_jsonl
    from semsiedit.training.train import train

    rows = read_jsonl(TINY)
    model, report = train(rows, folds=2, cache_dir=tmp_path / "cache", log=lambda _msg: None)
    out = tmp_path / "w.npz"
    model.save(out)
    again = LearnedModel.load(out)
    assert report["rows"] == len(rows) and report["folds"] == 2
    for cat in ("privacy", "harmful", "misinformation"):
        np.testing.assert_allclose(again.categories[cat]["coef"], model.categories[cat]["coef"])
        np.testing.assert_allclose(again.categories[cat]["doc_coef"], model.categories[cat]["doc_coef"])
        np.testing.assert_allclose(again.categories[cat]["stack_coef"], model.categories[cat]["stack_coef"])
    # The stacked document decision reads the word model too, and survives the round trip.
    assert again.words is not None and again.words.vocabulary == model.words.vocabulary
    text = rows[0]["answer"]
    D = np.zeros(len(model.doc_mean), np.float32)
    assert again.document_probabilities(D, text) == pytest.approx(model.document_probabilities(D, text), abs=1e-6)
    # Deterministic: a second run gives the same weights (cached features, fixed seed).
    model2, _ = train(rows, folds=2, cache_dir=tmp_path / "cache", log=lambda _msg: None)
    np.testing.assert_allclose(model2.categories["harmful"]["coef"], model.categories["harmful"]["coef"], rtol=1e-5)
    engine = DetectionEngine(Settings(categories=["privacy", "harmful", "misinformation"], learned_weights=out))
    found = engine.detect("Dan Price was fired after players accused him of abuse and bullying.")
    assert all(f.category in ("privacy", "harmful", "misinformation") for f in found)
