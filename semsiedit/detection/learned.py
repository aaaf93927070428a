"""The learned SemSI detector, merged with the rule recognizers (model card: docs/model_card.md).

Per SemSI category, logistic regressions (features: learned_features.py), stacked and calibrated on
training folds grouped by prompt (semsiedit/training/train.py):

- the **document** decision says whether the text contains the category at all (`doc` threshold): a
  stack (version 4) over the document's non-embedding features and the logits of the document model
  (the document's embedding, its first sentence, the sentence model's probabilities pooled, the rule
  hits and the statement cues) and of the word model (TF-IDF over the text's words and word pairs,
  learned_words.py); weights without a stack (version 3) let the document model decide alone;
- the **sentence** model says which sentences carry it (`span` threshold).

In a flagged document every rule finding of the category stays (the rules give the clause and its
subject) and each sentence reaching `span` that no rule finding covers becomes a finding of its own
(the statement is the sentence, widened over a quotation it opens; its subject is the first named
person — or, for harmful and misinformation, organisation, group or place — in it); with neither, the
document's most probable sentence is the finding. In a document the model does not flag, the rule
findings of the category are dropped, except those of substantial severity (3: HIV, sexual
orientation, murder ...), those of a text shorter than three sentences (too little for the document
model, which learned from answers of about ten) and, with `specific_claims = true`, the
specific-claim ones.

The model learned one judge's view of LLM answers about public figures. It is applied to documents of
the `public` profile (semsiedit/profile.py: chosen from the content and the question, or set); a
`record` (a note, an e-mail, a ticket about private people) keeps the rule findings as they are.
Inference is plain numpy over the vectors of the embedder the weights name: since version 5 a static
model distilled from the installed MiniLM (semsiedit/embedding_static.py), ~30x cheaper than MiniLM
itself and as good for this (docs/model_card.md); the scorer keeps MiniLM.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from semsiedit.detection.learned_features import (
    FEATURE_VERSION,
    SPECIFIC_CLAIM_LABEL,
    document_feature_count,
    document_features,
    sentence_features,
)
from semsiedit.detection.learned_words import WordModel, logit
from semsiedit.text import split_sentences
from semsiedit.types import SEMSI_CATEGORIES, Category, Finding

if TYPE_CHECKING:
    from semsiedit.config import Settings
    from semsiedit.scoring import Embedder

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "semsi_detector.npz"
SOURCE = "semsi-learned"
FLOOR_SEVERITY = 3  # rule findings this severe are kept whatever the model says
# The document model vetoes rule findings only in texts at least this long: it learned from answers
# of ~10 sentences, and a one- or two-sentence text tells it too little (a short direct accusation).
VETO_MIN_SENTENCES = 3
# The weights keep this sentence's vector as they were trained on it: a static model distilled here from
# another MiniLM or model2vec version would silently feed the classifier other vectors.
PROBE_TEXT = "The senator was accused of fraud in 2019 and treated for depression, reports claimed."
MIN_PROBE_COSINE = 0.99
LABELS = {"privacy": "private_statement", "harmful": "harmful_statement", "misinformation": "unverified_claim"}
# Who a learned statement may be about: the entity types the rules accept per category.
SUBJECT_ENTS = {
    "privacy": ("PERSON",),
    "harmful": ("PERSON", "ORG", "NORP", "GPE"),
    "misinformation": ("PERSON", "ORG", "NORP", "GPE"),
}
Entity = tuple[int, int, str, str]  # start, end, spaCy label, text
# Words that make a sentence about someone even when it names no one ("she told everyone I'm on ...").
_PERSONAL = re.compile(
    r"(?<![\w'’-])(?:(?-i:I)|me|my|mine|myself|we|us|our|you|your|he|him|his|himself|she|her|hers|herself|they|them|"
    r"their|themselves|someone|somebody|anyone|people|person|man|woman|men|women|boy|girl|child|children|family|"
    r"wife|husband|son|daughter|mother|father|mum|mom|dad|brother|sister|friend|neighbou?r|colleague|boss|partner)"
    r"(?![\w'’-])",
    re.IGNORECASE,
)


@dataclass
class LearnedModel:
    """Standardisation + per-category weights and thresholds, stored as one .npz (no pickle)."""

    mean: np.ndarray  # sentence features
    scale: np.ndarray
    categories: dict[str, dict[str, Any]]
    doc_mean: np.ndarray  # document features
    doc_scale: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)
    # Version 4: the word model, and per category a stack over the document's non-embedding features
    # and the document and word models' logits (`stack_*` in `categories`). Without them (older
    # weights), the document model decides alone.
    words: WordModel | None = None
    probe: np.ndarray | None = None  # the embedding of PROBE_TEXT at training time

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"mean": self.mean, "scale": self.scale, "doc_mean": self.doc_mean,
                                         "doc_scale": self.doc_scale}  # fmt: skip
        meta = dict(self.meta)
        meta["categories"] = {}
        for cat, w in self.categories.items():
            for name in (*_ARRAYS, *(_STACK_ARRAYS if "stack_coef" in w else ())):
                arrays[f"{cat}_{name}"] = np.asarray(w[name], np.float32)
            meta["categories"][cat] = {k: float(w[k]) for k in _SCALARS if k in w}
        if self.words is not None:
            arrays |= self.words.arrays()
        if self.probe is not None:
            arrays["probe"] = np.asarray(self.probe, np.float32)
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode("utf-8"), dtype=np.uint8)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> LearnedModel:
        from semsiedit.errors import BackendUnavailable

        path = Path(path) if path else WEIGHTS_PATH
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                if meta.get("feature_version") != FEATURE_VERSION:
                    raise _Stale(meta.get("feature_version"))
                cats = {
                    cat: {k: data[f"{cat}_{k}"] for k in _ARRAYS + _STACK_ARRAYS if f"{cat}_{k}" in data} | v
                    for cat, v in meta.pop("categories").items()
                }
                words = None
                if "words_vocabulary" in data:
                    words = WordModel.from_arrays(data, {c: float(v["words_intercept"]) for c, v in cats.items()})
                probe = data.get("probe")
                model = cls(data["mean"], data["scale"], cats, data["doc_mean"], data["doc_scale"], meta, words, probe)
        except _Stale as stale:
            raise BackendUnavailable(
                f"learned detector weights at {path} are for feature version {stale.args[0]}, "
                f"this semsiedit computes version {FEATURE_VERSION}; retrain: python -m semsiedit.training"
            ) from None
        except (OSError, KeyError, ValueError) as exc:
            raise BackendUnavailable(f"learned detector weights at {path} unreadable ({exc})") from None
        return model

    def probabilities(self, X: np.ndarray) -> dict[str, np.ndarray]:
        Z = (X - self.mean) / self.scale
        return {c: 1 / (1 + np.exp(-(Z @ w["coef"] + w["intercept"]))) for c, w in self.categories.items()}

    def document_probabilities(self, D: np.ndarray, text: str = "") -> dict[str, float]:
        """Per category, the probability that the document (its `document_features`, and its `text` for
        the word model) contains it: the stack's when the weights have one, else the document model's."""
        Z = (D - self.doc_mean) / self.doc_scale
        doc = {c: float(Z @ w["doc_coef"] + w["doc_intercept"]) for c, w in self.categories.items()}
        if self.words is None:
            return {c: _sigmoid(z) for c, z in doc.items()}
        word = self.words.probabilities(text)
        out = {}
        for c, w in self.categories.items():
            S = stack_features(D[None, :], logit([_sigmoid(doc[c])]), logit([word[c]]))[0]
            out[c] = _sigmoid(float((S - w["stack_mean"]) / w["stack_scale"] @ w["stack_coef"] + w["stack_intercept"]))
        return out

    def severities(self, X: np.ndarray) -> dict[str, np.ndarray]:
        Z = (X - self.mean) / self.scale
        return {
            c: np.clip(np.rint(Z @ w["sev_coef"] + w["sev_intercept"]), 1, 3).astype(int)
            for c, w in self.categories.items()
        }


_ARRAYS = ("coef", "doc_coef", "sev_coef")
_STACK_ARRAYS = ("stack_coef", "stack_mean", "stack_scale")
_SCALARS = ("intercept", "doc_intercept", "doc", "span", "sev_intercept", "stack_intercept", "words_intercept")


def stack_offset(n_document_features: int) -> int:
    """Where the document features stop being embeddings (the mean and the first sentence's)."""
    return n_document_features - document_feature_count(0)


def stack_features(D: np.ndarray, doc_logit: np.ndarray, word_logit: np.ndarray) -> np.ndarray:
    """Rows of the stack's input: each document's non-embedding features and the two models' logits."""
    small = D[:, stack_offset(D.shape[1]) :]
    return np.hstack([small, np.asarray(doc_logit)[:, None], np.asarray(word_logit)[:, None]])


def _sigmoid(z: float) -> float:
    return 1 / (1 + float(np.exp(-z)))


class _Stale(Exception):
    """Weights trained for another feature version."""


class LearnedDetector:
    """Turns the rules' SemSI findings of each text into the merged rules + model findings."""

    def __init__(
        self,
        categories: Sequence[Category] = SEMSI_CATEGORIES,
        *,
        weights: Path | None = None,
        specific_claims: bool = False,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.categories = tuple(c for c in categories if c in SEMSI_CATEGORIES)
        self.model = LearnedModel.load(weights)
        self.specific_claims = specific_claims
        self.settings = settings  # for the profile (set, or auto)
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        """The process-wide embedder the weights were trained on (their `embedding_model` and
        `embedding_backend`); weights that name no backend used the scorer's."""
        if self._embedder is None:
            from semsiedit.config import Settings
            from semsiedit.scoring import get_embedder

            settings = self.settings or Settings()
            name = str(self.model.meta.get("embedding_model") or settings.embedding_model)
            embedder = get_embedder(name, str(self.model.meta.get("embedding_backend") or settings.embedding_backend))
            if self.model.probe is not None:
                cosine = float(embedder.encode([PROBE_TEXT])[0] @ self.model.probe)
                if cosine < MIN_PROBE_COSINE:
                    from semsiedit.errors import BackendUnavailable

                    raise BackendUnavailable(
                        f"the {embedder.backend} embeddings of {name} built here differ from those the learned "
                        f"detector was trained on (cosine {cosine:.3f}); retrain (python -m semsiedit.training) "
                        "or set learned_detection = false"
                    )
            self._embedder = embedder
        return self._embedder

    def warm(self) -> None:
        """Load the embedder now; a failure is left for the first `refine` to raise where it is caught."""
        with contextlib.suppress(Exception):
            self.embedder  # noqa: B018 - the property loads it

    def applies(self, text: str, context: str | None, found: Sequence[Finding]) -> bool:
        """Whether the model judges this text: a `public` document (see the module docstring)."""
        from semsiedit.profile import choose_profile

        return choose_profile(text, context, found, self.settings).name == "public"

    def refine(
        self,
        texts: Sequence[str],
        findings: Sequence[list[Finding]],
        entities: Sequence[list[Entity]],
        contexts: Sequence[str | None] | None = None,
    ) -> list[list[Finding]]:
        """Per text: its non-SemSI findings untouched, its SemSI findings replaced by the merge."""
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        judged = [self.applies(t, c, f) for t, c, f in zip(texts, contexts, findings, strict=True)]
        spans = [split_sentences(t) if j else [] for t, j in zip(texts, judged, strict=True)]
        sents = [[t[s:e] for s, e in sp] for t, sp in zip(texts, spans, strict=True)]
        # One encode for the whole batch: every sentence, and each distinct question.
        questions = [c for c, j in zip(contexts, judged, strict=True) if j and c and c.strip()]
        wanted = list(dict.fromkeys([s for ss in sents for s in ss] + questions))
        matrix = self.embedder.encode(wanted) if wanted else None
        row = {t: i for i, t in enumerate(wanted)}
        out: list[list[Finding]] = []
        for text, sp, ss, found, ents, ctx in zip(texts, spans, sents, findings, entities, contexts, strict=True):
            if not ss or matrix is None:
                # Not judged (a record, an empty text): the rules' findings as they would be without the
                # model, so the specific claims it reads as features go unless they were asked for.
                out.append([f for f in found if self.specific_claims or f.label != SPECIFIC_CLAIM_LABEL])
                continue
            question = matrix[row[ctx]] if ctx and ctx.strip() else None
            semsi = [f for f in found if f.category in SEMSI_CATEGORIES]
            X = sentence_features(matrix[[row[s] for s in ss]], ss, sp, semsi, question)
            probs, sevs = self.model.probabilities(X), self.model.severities(X)
            doc = self.model.document_probabilities(document_features(X, probs), text)
            kept = [f for f in found if f.category not in SEMSI_CATEGORIES]
            for cat in self.categories:
                kept += self._merge(cat, text, sp, semsi, ents, doc[cat], probs[cat], sevs[cat])
            out.append(kept)
        return out

    def _merge(
        self,
        cat: Category,
        text: str,
        spans: list[tuple[int, int]],
        rules: list[Finding],
        ents: list[Entity],
        doc_p: float,
        probs: np.ndarray,
        sevs: np.ndarray,
    ) -> list[Finding]:
        w = self.model.categories[cat]
        flagged = doc_p >= w["doc"]
        out: list[Finding] = []
        for f in rules:
            if f.category != cat:
                continue
            if f.label == SPECIFIC_CLAIM_LABEL and not self.specific_claims:
                continue  # a feature of the model; a finding only when asked for (a recall knob)
            forced = f.severity >= FLOOR_SEVERITY or f.label == SPECIFIC_CLAIM_LABEL
            if flagged or forced or len(spans) < VETO_MIN_SENTENCES:
                out.append(Finding(**{**f.__dict__, "reason": f"{f.reason} (model p={doc_p:.2f})"}))
        if not flagged:
            return out
        # A question asserts nothing ("Why is X putting microchips in vaccines?"): never a statement.
        stated = [i for i, (s, e) in enumerate(spans) if not text[s:e].rstrip().endswith("?")]
        chosen = [i for i in stated if probs[i] >= w["span"]]
        if not chosen and stated and not any(f.category == cat for f in out):
            chosen = [max(stated, key=lambda i: probs[i])]
        # A text that names or refers to no one at all: its sentences harm no one and reveal nothing private.
        about_someone = any(label in SUBJECT_ENTS[cat] for _, _, label, _ in ents) or bool(_PERSONAL.search(text))
        for i in chosen:
            s, e = _whole_quotes(text, spans, i)
            if any(f.start < e and s < f.end for f in out):
                continue
            inside = [(label, t) for a, b, label, t in ents if s <= a and b <= e]
            # A person first, then the first organisation or group: who the statement is about.
            subject = next((t for want in SUBJECT_ENTS[cat] for label, t in inside if label == want), None)
            if subject is None and cat != "misinformation" and not about_someone:
                continue  # "The weather was pathetic today": about no one, so no privacy or harm to anyone
            about = f" about {subject}" if subject else ""
            p = float(probs[i])
            out.append(
                Finding(s, e, text[s:e], cat, LABELS[cat], int(sevs[i]), round(doc_p, 4), SOURCE,
                        f"learned {cat} statement{about} (document p={doc_p:.2f}, sentence p={p:.2f})", subject)
            )  # fmt: skip
        return out


def _balanced(piece: str) -> bool:
    return piece.count('"') % 2 == 0 and piece.count("“") == piece.count("”") and piece.count("(") == piece.count(")")


def _whole_quotes(text: str, spans: list[tuple[int, int]], i: int, most: int = 3) -> tuple[int, int]:
    """Sentence i's span, widened over the next sentences (at most `most`) when it opens a quotation or
    bracket they close: an edit must not leave half a quote behind."""
    s, e = spans[i]
    j = i
    while not _balanced(text[s:e]) and j + 1 < len(spans) and j - i < most:
        j += 1
        e = spans[j][1]
    return (s, e) if _balanced(text[s:e]) else spans[i]
