"""The word model's run-time TF-IDF (plain numpy) against scikit-learn's TfidfVectorizer, which trains it."""

from __future__ import annotations

import numpy as np
import pytest

from semsiedit.detection.learned_words import WordModel, fit_vectorizer, terms, word_model

TEXTS = [
    "There is no evidence that the senator took bribes; the claim is false.",
    "The senator allegedly took bribes from a donor, according to a tabloid.",
    "Vaccines don't cause autism. The claim was debunked in 2010, and again in 2019!",
    "Café owners in Zürich — naïve or not — denied the affair.",
    "",
]


def test_terms_are_lower_case_words_and_neighbouring_pairs() -> None:
    assert terms("No evidence, I said: a NO") == ["no", "evidence", "said", "no", "no evidence", "evidence said",
                                                  "said no"]  # fmt: skip


def test_the_vector_and_probabilities_match_scikit_learn() -> None:
    pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression

    vec, M = fit_vectorizer(TEXTS[:4])
    y = np.array([0, 1, 0, 1])
    clf = LogisticRegression(C=1.0).fit(M, y)
    model = word_model(vec, {"harmful": clf.coef_[0].astype(np.float32)}, {"harmful": float(clf.intercept_[0])})
    for text in [*TEXTS, "The senator took no bribes at all"]:
        expected = vec.transform([text]).toarray()[0]
        cols, values = model.vector(text)
        got = np.zeros_like(expected)
        got[cols] = values
        np.testing.assert_allclose(got, expected, atol=1e-6)
        assert model.probabilities(text)["harmful"] == pytest.approx(clf.predict_proba(vec.transform([text]))[0, 1],
                                                                     abs=1e-5)  # fmt: skip


def test_storage_round_trip() -> None:
    pytest.importorskip("sklearn")
    vec, _ = fit_vectorizer(TEXTS[:4])
    coef = {"privacy": np.arange(len(vec.vocabulary_), dtype=np.float32) / 100}
    model = word_model(vec, coef, {"privacy": -0.5})
    again = WordModel.from_arrays(model.arrays(), {"privacy": -0.5})
    assert again.vocabulary == model.vocabulary
    assert again.probabilities(TEXTS[1]) == pytest.approx(model.probabilities(TEXTS[1]))
