"""The second stage's parts on hand-made data: features, pseudo-queries, the fit."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from rag import rerank as R
from rag.bm25 import BM25
from rag.text import digits_folded, nfkc

# characters NFKC turns into digits, dots or commas, or joins to a neighbour, and others
_POOL = list("0123456789０１２３.,．，①⑩½²٣⒈㋀𝟏ﾞｶ a年\u0301\u00a0")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_POOL), max_size=14).map("".join))
def test_the_digit_fold_has_the_nfkc_fold_s_runs_of_digits_and_dots(text: str) -> None:
    """Equal runs: so a number (digits and dots) is found in one exactly where in the other."""
    runs = re.compile(r"[0-9.]+")
    assert runs.findall(digits_folded(text)) == runs.findall(nfkc(text).replace(",", ""))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(1, 8))
def test_term_presence_is_the_matrix_s_nonzero_entries(
    seed: int, n_rows: int, n_terms: int
) -> None:
    rng = np.random.default_rng(seed)
    dense = rng.integers(0, 3, size=(n_rows, n_terms)) * (rng.random((n_rows, n_terms)) < 0.4)
    m = sparse.csc_matrix(dense.astype(np.uint16))
    if m.nnz:  # a stored zero counts as absent
        m.data[0] = 0
        dense[m.indices[0], int(np.searchsorted(m.indptr, 0, side="right")) - 1] = 0
    rows = rng.integers(0, n_rows, size=int(rng.integers(1, 12)))
    terms = [int(t) for t in rng.integers(0, n_terms, size=int(rng.integers(1, 4)))]
    expected = dense[rows][:, terms] != 0
    assert np.array_equal(
        BM25(m, np.ones(n_rows), {}, 1.2, 0.75, "lucene").present(rows, terms), expected
    )
    with pytest.raises(IndexError, match="rows outside"):
        BM25(m, None, {}, 1.2, 0.75, "lucene").present(np.array([n_rows]), terms)
    # postings in another order (never written so): read the long way, same answer
    order = np.concatenate(
        [rng.permutation(np.arange(a, z)) for a, z in zip(m.indptr[:-1], m.indptr[1:], strict=True)]
    )
    shuffled = sparse.csc_matrix((m.data[order], m.indices[order], m.indptr), shape=m.shape)
    shuffled.has_sorted_indices = False
    assert np.array_equal(
        BM25(shuffled, None, {}, 1.2, 0.75, "lucene").present(rows, terms), expected
    )


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
    bm25 = BM25(matrix, None, {"a": 0, "b": 1, "c": 2}, 1.2, 0.75, "lucene")
    X = R.features(
        cands, [0, 1], np.array([1.0, 3.0]), {"70"}, bm25.present, texts.__getitem__,
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


def test_an_english_questions_dense_similarity_reorders_equal_scores() -> None:
    from rag.rerank import ENGLISH_DENSE, english_dense

    scores = np.array([2.0, 2.0, 0.0, 4.0])
    dense = np.array([0.2, 0.6, 0.4, 0.4])
    moved = english_dense(scores, dense)
    assert ENGLISH_DENSE > 0 and moved[1] > moved[0]  # tied, the closer one first
    assert moved[3] == scores[3] and moved[2] == scores[2]  # at the mean: unchanged
    z = (dense[1] - dense.mean()) / dense.std()  # standard deviations above the mean
    assert abs(float(moved[1] - scores[1]) - ENGLISH_DENSE * float(scores.std()) * z) < 1e-9
    one = np.array([1.0])
    assert english_dense(one, np.array([0.3])) is one  # nothing to compare
    flat = np.array([1.0, 1.0])
    assert english_dense(flat, np.array([0.1, 0.9])).tolist() == [1.0, 1.0]  # no spread
