"""The word level of the learned detector: TF-IDF over a document's words and word pairs, one logistic
regression per SemSI category (model card: docs/model_card.md).

Sentence embeddings say what a sentence is about; some of the judge's decisions turn on words ("no
evidence", "allegedly", "affair", "hoax"). The word model's probability is one input of the stacked
document decision (`LearnedModel.document_probabilities`). Trained with scikit-learn's
`TfidfVectorizer` (semsiedit/training/train.py); this module re-implements its transform in plain
Python and numpy so that run time needs no scikit-learn: lower case, tokens of two or more word
characters, the tokens and each pair of neighbours, sublinear term frequency, the trained inverse
document frequencies, unit length. `tests/test_learned_words.py` checks it against scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

# scikit-learn's default token_pattern, (?u)\b\w\w+\b: the same tokens at training and run time.
TOKEN = re.compile(r"\b\w\w+\b")
NGRAMS = (1, 2)
MIN_DF = 3
MAX_FEATURES = 50_000
C = 1.0  # inverse L2 strength of the word logistic regressions (chosen on grouped folds of train)


def vectorizer_settings(rows: int) -> dict[str, object]:
    """The `TfidfVectorizer` arguments training uses (a tiny training set keeps every word)."""
    return {"ngram_range": NGRAMS, "min_df": MIN_DF if rows >= 50 else 1, "sublinear_tf": True,
            "max_features": MAX_FEATURES, "dtype": np.float32}  # fmt: skip


def terms(text: str) -> list[str]:
    tokens = TOKEN.findall(text.lower())
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


@dataclass
class WordModel:
    """Vocabulary, inverse document frequencies and per-category weights over the TF-IDF vector."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: dict[str, np.ndarray]  # category -> (V,)
    intercept: dict[str, float]

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, unit-length TF-IDF values) of the text's known terms."""
        counts = Counter(self.vocabulary[t] for t in terms(text) if t in self.vocabulary)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        cols = np.fromiter(counts, np.int64, len(counts))
        tf = np.array([1.0 + math.log(counts[c]) for c in cols], np.float64)
        values = tf * self.idf[cols]
        return cols, (values / np.linalg.norm(values)).astype(np.float32)

    def probabilities(self, text: str) -> dict[str, float]:
        cols, values = self.vector(text)
        return {
            cat: 1.0 / (1.0 + math.exp(-(float(values @ w[cols]) + self.intercept[cat])))
            for cat, w in self.coef.items()
        }

    # -- storage: plain arrays inside the detector's .npz (no pickle) ------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        words = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        out = {"words_vocabulary": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
               "words_idf": self.idf.astype(np.float32)}  # fmt: skip
        out |= {f"words_{cat}_coef": w.astype(np.float32) for cat, w in self.coef.items()}
        return out

    @classmethod
    def from_arrays(cls, data, intercept: dict[str, float]) -> WordModel:
        words = bytes(data["words_vocabulary"]).decode("utf-8").split("\n")
        coef = {cat: np.asarray(data[f"words_{cat}_coef"], np.float32) for cat in intercept}
        return cls({w: i for i, w in enumerate(words)}, np.asarray(data["words_idf"], np.float64), coef,
                   dict(intercept))  # fmt: skip


def fit_vectorizer(texts: Sequence[str]):
    """A fitted scikit-learn `TfidfVectorizer` (training only) and the matrix of `texts`."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(**vectorizer_settings(len(texts)))  # type: ignore[arg-type]
    return vec, vec.fit_transform(texts)


def word_model(vec, coef: dict[str, np.ndarray], intercept: dict[str, float]) -> WordModel:
    vocabulary = {str(t): int(i) for t, i in vec.vocabulary_.items()}
    return WordModel(vocabulary, np.asarray(vec.idf_, np.float64), coef, intercept)


def logit(p: float | np.ndarray | Iterable[float]) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(q / (1 - q))
