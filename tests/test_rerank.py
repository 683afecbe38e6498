"""The second stage's parts on hand-made data: features, pseudo-queries, the fit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from rag import rerank as R


def test_features_read_presence_from_the_term_matrix() -> None:
    # three chunks, terms 0..2; chunk 1 holds both query terms, chunk 2 only the rarer one
    matrix = sparse.csc_matrix(np.array([[1.0, 0, 0], [0.5, 2.0, 0], [0, 1.5, 0.2]]))
    cands = R.Candidates(
        rows=np.array([1, 2, 0]),
        bm25=np.array([3.0, 1.5, 0.5]),
        bm25_rank=np.array([1, 2, 0]),
        dense=np.array([0.8, np.nan, 0.5]),
        dense_rank=np.array([2, 0, 1]),
    )
    texts = {0: "議案第70号は可決", 1: "議案第70号について", 2: "別の話"}
    X = R.features(
        cands, [0, 1], np.array([1.0, 3.0]), {"70"}, matrix, texts.__getitem__,
        ["qa", "procedure", "qa"],
    )  # fmt: skip
    col = {n: i for i, n in enumerate(R.FEATURES)}
    assert X[:, col["bm25"]].tolist() == [1.0, 0.5, pytest.approx(1 / 6)]
    assert X[:, col["coverage"]].tolist() == [1.0, 0.75, 0.25]
    assert X[:, col["all_terms"]].tolist() == [1.0, 0.0, 0.0]
    assert X[:, col["numbers"]].tolist() == [1.0, 0.0, 1.0]
    assert X[:, col["procedure"]].tolist() == [1.0, 0.0, 0.0]  # row 1 is the procedure
    assert X[1, col["dense"]] == 0.0 and X[1, col["dense_rr"]] == 0.0  # unknown to dense
    assert X[2, col["bm25_rr"]] == 0.0


def test_pseudo_queries_keep_rare_content_words_and_are_reproducible() -> None:
    texts = ["市は令和6年度にガバメントクラウドへ移行する方針です。", "短い。", ""]

    def words(text: str) -> list[tuple[str, str]]:
        from rag.tokenizing import mecab_words

        return [(w.surface, w.feature.pos1) for w in mecab_words(text)]

    idf = {"ガバメント": 5.0, "クラウド": 4.0, "移行": 3.0}.get
    a = R.pseudo_queries(texts, words, lambda w: idf(w) or 1.0, n=5, seed=3)
    assert a == R.pseudo_queries(texts, words, lambda w: idf(w) or 1.0, n=5, seed=3)
    assert a and all(row == 0 for _, row in a)  # the others have no usable sentence
    for query, _ in a:
        assert "は" not in query.split() and "ガバメント" in query  # the rarest word is kept


def test_fit_finds_the_feature_that_marks_the_source() -> None:
    rng = np.random.default_rng(0)
    X, y = [], []
    for _ in range(60):
        feats = rng.normal(size=(20, len(R.FEATURES)))
        labels = np.zeros(20, dtype=int)
        labels[0] = 1
        feats[0, R.FEATURES.index("coverage")] += 3.0  # only coverage tells the source apart
        X.append(feats)
        y.append(labels)
    model = R.fit(X, y)
    weights = dict(zip(model.names, model.weights, strict=True))
    assert max(weights, key=lambda n: abs(weights[n])) == "coverage"
    assert R.LinearRanker.from_json(model.to_json()).names == R.FEATURES
    with pytest.raises(ValueError, match="no source chunk"):
        R.fit([np.zeros((3, len(R.FEATURES)))], [np.zeros(3, dtype=int)])
