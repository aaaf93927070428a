"""The learned SemSI detector, merged with the rule recognizers (model card: docs/model_card.md).

Per SemSI category a logistic regression scores every sentence (features: learned_features.py). The
rules and the model are merged with two thresholds per category, both chosen on training folds
grouped by prompt (semsiedit/training/train.py):

- a rule finding (a clause about a subject, from semsi.py) is kept when the model's probability for
  its sentence reaches `keep`: the rules give the span and the subject, the model confirms them;
- a sentence whose probability reaches `add` becomes a finding of its own (the statement is the
  sentence; its subject is the first named person — or, for harmful and misinformation, organisation,
  group or place — in it), unless a kept rule finding already covers it. A learned misinformation
  sentence needs such a subject: the calibrated threshold is low, and without one a plain statement
  of general knowledge would be flagged.

A rule finding of substantial severity (3: HIV, sexual orientation, murder ...) always stays: the model
learned one judge's view of LLM answers about public figures and must not veto a special category of
personal data in a record. `specific_claims = true` keeps every specific-claim rule finding even when
the model does not confirm it: more misinformation recall, less precision (docs/limitations.md).
Inference is plain numpy; the sentence vectors come from the process-wide `Embedder`, so the scorer
finds them in its cache.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from semsiedit.detection.learned_features import FEATURE_VERSION, SPECIFIC_CLAIM_LABEL, rule_columns, sentence_features
from semsiedit.text import split_sentences
from semsiedit.types import SEMSI_CATEGORIES, Category, Finding

if TYPE_CHECKING:
    from semsiedit.scoring import Embedder
    from semsiedit.training.data import SentenceTable

WEIGHTS_PATH = Path(__file__).resolve().parent.parent / "data" / "models" / "semsi_detector.npz"
SOURCE = "semsi-learned"
FLOOR_SEVERITY = 3  # rule findings this severe are kept whatever the model says
LABELS = {"privacy": "private_statement", "harmful": "harmful_statement", "misinformation": "unverified_claim"}
# Who a learned statement may be about: the entity types the rules accept per category.
SUBJECT_ENTS = {
    "privacy": ("PERSON",),
    "harmful": ("PERSON", "ORG", "NORP", "GPE"),
    "misinformation": ("PERSON", "ORG", "NORP", "GPE"),
}
Entity = tuple[int, int, str, str]  # start, end, spaCy label, text


@dataclass
class LearnedModel:
    """Standardisation + per-category weights and thresholds, stored as one .npz (no pickle)."""

    mean: np.ndarray
    scale: np.ndarray
    categories: dict[str, dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        arrays: dict[str, np.ndarray] = {"mean": self.mean, "scale": self.scale}
        meta = dict(self.meta)
        meta["categories"] = {}
        for cat, w in self.categories.items():
            arrays[f"{cat}_coef"] = np.asarray(w["coef"], np.float32)
            arrays[f"{cat}_sev_coef"] = np.asarray(w["sev_coef"], np.float32)
            meta["categories"][cat] = {k: float(w[k]) for k in ("intercept", "add", "keep", "sev_intercept")}
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
                cats = {
                    cat: {"coef": data[f"{cat}_coef"], "sev_coef": data[f"{cat}_sev_coef"], **v}
                    for cat, v in meta.pop("categories").items()
                }
                model = cls(data["mean"], data["scale"], cats, meta)
        except (OSError, KeyError, ValueError) as exc:
            raise BackendUnavailable(f"learned detector weights at {path} unreadable ({exc})") from None
        if model.meta.get("feature_version") != FEATURE_VERSION:
            raise BackendUnavailable(
                f"learned detector weights at {path} are for feature version {model.meta.get('feature_version')}, "
                f"this semsiedit computes version {FEATURE_VERSION}; retrain: python -m semsiedit.training"
            )
        return model

    def probabilities(self, X: np.ndarray) -> dict[str, np.ndarray]:
        Z = (X - self.mean) / self.scale
        return {c: 1 / (1 + np.exp(-(Z @ w["coef"] + w["intercept"]))) for c, w in self.categories.items()}

    def severities(self, X: np.ndarray) -> dict[str, np.ndarray]:
        Z = (X - self.mean) / self.scale
        return {
            c: np.clip(np.rint(Z @ w["sev_coef"] + w["sev_intercept"]), 1, 3).astype(int)
            for c, w in self.categories.items()
        }


def doc_scores(
    probs: np.ndarray, table: SentenceTable, rows: np.ndarray, category: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the best sentence probability, and the best probability of a sentence with a rule hit
    of `category` (-inf when none; +inf when a rule finding of FLOOR_SEVERITY is there, kept anyway) —
    the two numbers the `add` / `keep` thresholds are compared with."""
    cols = rule_columns(table.X.shape[1])[category]
    hit = table.X[:, cols].max(axis=1) > 0
    floor = table.X[:, cols[0] + 1] >= FLOOR_SEVERITY / 3 - 1e-6  # the severity/3 column of the category
    best_all = np.full(len(table.answers), -np.inf)
    best_rule = np.full(len(table.answers), -np.inf)
    np.maximum.at(best_all, table.row, probs)
    np.maximum.at(best_rule, table.row[hit], np.where(floor[hit], np.inf, probs[hit]))
    return best_all[rows], best_rule[rows]


class LearnedDetector:
    """Turns the rules' SemSI findings of each text into the merged rules + model findings."""

    def __init__(
        self,
        embedder: Embedder,
        categories: Sequence[Category] = SEMSI_CATEGORIES,
        *,
        weights: Path | None = None,
        specific_claims: bool = False,
    ) -> None:
        self.embedder = embedder
        self.categories = tuple(c for c in categories if c in SEMSI_CATEGORIES)
        self.model = LearnedModel.load(weights)
        self.specific_claims = specific_claims

    def refine(
        self,
        texts: Sequence[str],
        findings: Sequence[list[Finding]],
        entities: Sequence[list[Entity]],
        contexts: Sequence[str | None] | None = None,
    ) -> list[list[Finding]]:
        """Per text: its non-SemSI findings untouched, its SemSI findings replaced by the merge."""
        contexts = list(contexts) if contexts is not None else [None] * len(texts)
        spans = [split_sentences(t) for t in texts]
        sents = [[t[s:e] for s, e in sp] for t, sp in zip(texts, spans, strict=True)]
        # One encode for the whole batch: every sentence, and each distinct question.
        wanted = list(dict.fromkeys([s for ss in sents for s in ss] + [c for c in contexts if c and c.strip()]))
        matrix = self.embedder.encode(wanted) if wanted else None
        row = {t: i for i, t in enumerate(wanted)}
        out: list[list[Finding]] = []
        for text, sp, ss, found, ents, ctx in zip(texts, spans, sents, findings, entities, contexts, strict=True):
            if not ss or matrix is None:
                out.append(list(found))
                continue
            question = matrix[row[ctx]] if ctx and ctx.strip() else None
            semsi = [f for f in found if f.category in SEMSI_CATEGORIES]
            X = sentence_features(matrix[[row[s] for s in ss]], ss, sp, semsi, question)
            probs, sevs = self.model.probabilities(X), self.model.severities(X)
            kept = [f for f in found if f.category not in SEMSI_CATEGORIES]
            for cat in self.categories:
                kept += self._merge(cat, text, sp, semsi, ents, probs[cat], sevs[cat])
            out.append(kept)
        return out

    def _merge(
        self,
        cat: Category,
        text: str,
        spans: list[tuple[int, int]],
        rules: list[Finding],
        ents: list[Entity],
        probs: np.ndarray,
        sevs: np.ndarray,
    ) -> list[Finding]:
        w = self.model.categories[cat]
        out: list[Finding] = []
        for f in rules:
            if f.category != cat:
                continue
            p = max((float(probs[i]) for i, (s, e) in enumerate(spans) if f.start < e and s < f.end), default=0.0)
            forced = f.severity >= FLOOR_SEVERITY or (self.specific_claims and f.label == SPECIFIC_CLAIM_LABEL)
            if p >= w["keep"] or forced:
                out.append(Finding(**{**f.__dict__, "reason": f"{f.reason} (model p={p:.2f})"}))
        for i, (s, e) in enumerate(spans):
            p = float(probs[i])
            if p < w["add"]:
                continue
            s, e = _whole_quotes(text, spans, i)
            if any(f.start < e and s < f.end for f in out):
                continue
            inside = [(label, t) for a, b, label, t in ents if s <= a and b <= e]
            # A person first, then the first organisation or group: who the statement is about.
            subject = next((t for want in SUBJECT_ENTS[cat] for label, t in inside if label == want), None)
            if cat == "misinformation" and subject is None:
                continue  # a claim about no named one ("Water boils at 100 °C") is general knowledge
            about = f" about {subject}" if subject else ""
            out.append(
                Finding(s, e, text[s:e], cat, LABELS[cat], int(sevs[i]), round(p, 4), SOURCE,
                        f"learned {cat} statement{about} (p={p:.2f})", subject)
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
