from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from rag.bm25 import BM25
from rag.retrieval import rrf
from rag.tokenizing import Tokenizer, romanize
from tests.conftest import REPORT

WORDS = [f"w{i}" for i in range(40)] + ["x", "y"]  # and suffixes of one character


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=8, max_size=30),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
)
def test_bm25_matches_rank_bm25(docs: list[list[str]], query: list[str]) -> None:
    """Oracle: rank_bm25's BM25Okapi. Its idf floors negative values (terms in more than
    half the documents), so compare on query terms rarer than that."""
    n = len(docs)
    query = [t for t in query if sum(t in d for d in docs) < n / 2]
    ours = BM25.build(docs, k1=1.5, b=0.75, idf="okapi").scores(query)
    theirs = BM25Okapi(docs, k1=1.5, b=0.75).get_scores(query)
    assert np.allclose(ours, theirs)


def test_bm25_lucene_idf_never_negative_and_roundtrips(tmp_path) -> None:  # type: ignore[no-untyped-def]
    docs = [["a", "b"], ["a", "c"], ["a", "d"]]
    bm = BM25.build(docs)
    assert (bm.scores(["a"]) > 0).all()
    bm.save(tmp_path)
    assert np.allclose(BM25.load(tmp_path).scores(["c", "a"]), bm.scores(["c", "a"]))


def test_rrf_worked_example() -> None:
    # Cormack et al. 2009: score = sum 1/(k + rank), k = 60
    fused = rrf({"dense": [1, 2, 3], "bm25": [3, 1]}, {"dense": 1.0, "bm25": 1.0}, k=60)
    expected = {1: 1 / 61 + 1 / 62, 2: 1 / 62, 3: 1 / 63 + 1 / 61}
    assert [r for r, _ in fused] == [1, 3, 2]
    assert all(np.isclose(s, expected[r]) for r, s in fused)
    weighted = rrf({"dense": [1], "bm25": [2]}, {"dense": 1.0, "bm25": 2.0})
    assert [r for r, _ in weighted] == [2, 1]


def test_tokenizer_bridges_english_queries() -> None:
    tok = Tokenizer()
    assert tok("盛岡市はコストメリットを出せた") == [
        "盛岡",
        "morioka",
        "市",
        "コスト",
        "cost",
        "メリット",
        "merit",
        "出せ",
    ]
    assert tok("How did Morioka get cloud cost savings?") == ["morioka", "cloud", "cost", "saving"]
    assert "出す" in Tokenizer("lemma")("出せた")
    assert romanize("センダイ") == "sendai" and romanize("シナガワ") == "shinagawa"


def test_a_nouns_okurigana_variants_are_one_term() -> None:
    """Minutes write 申込み, 申込 and 申し込み for one word (取組, 取組み, 取り組み; 手続,
    手続き): each is one BM25 term, so a question in one spelling finds the others. A
    verb keeps its surface, and a word in other kanji (子ども, 子供) is another term."""
    tok = Tokenizer()
    assert tok("申込者") == ["申し込み", "者"] and tok("220名の申込み") == ["220", "名", "申し込み"]
    assert {t for w in ("取組", "取組み", "取り組み") for t in tok(w)} == {"取り組み"}
    assert tok("手続") == tok("手続き") == ["手続き"]
    assert "子ども" in tok("子どもの居場所") and "子供" not in tok("子どもの居場所")
    scores = BM25.build([tok("窓口の申込を受け付ける"), tok("窓口の相談")]).scores(tok("申し込み"))
    assert scores[0] > 0 and scores[1] == 0


def test_raw_feature_fields_are_fugashi_s_named_fields() -> None:
    """Tokenising reads MeCab's raw CSV at the places of the fields it needs; where none of
    them is quoted or missing it must give fugashi's parsed fields, else fugashi parses."""
    from rag.tokenizing import _NEEDED, _fields, _layout, fold, mecab_words

    at = _layout()
    text = REPORT.read_text(encoding="utf-8")[:20000] if REPORT.exists() else ""
    text += '「，」と"引用,符"は、ChatGPT 1,000円 "a,b" 盛岡市の南部鉄器、Nanbu'
    split = 0
    for w in mecab_words(fold(text)):
        assert [getattr(w.feature, n) for n in _NEEDED] == [list(w.feature)[i] for i in at]
        fields = _fields(w.feature_raw, max(at))
        if fields is not None:
            split += 1
            assert [fields[i] for i in at] == [getattr(w.feature, n) for n in _NEEDED]
    assert split > 100
    assert _fields('"a,b",名詞,' + ",".join("x" * 20), max(at)) is None  # quoted
    assert _fields("名詞,普通名詞,一般,*,*,*", max(at)) is None  # an unknown word's 6


@pytest.mark.integration
def test_tokens_from_worker_processes_are_the_serial_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers give the same tokens in the same order; the caller tokenises nothing
    itself; a worker that fails is named."""
    import sys

    from rag import tokenizing

    lines = [x for x in REPORT.read_text(encoding="utf-8").split("\n") if x.strip()]
    n = tokenizing.POOL_MIN_TEXTS
    texts = (lines * (n // len(lines) + 1))[:n]
    texts[123] = "盛岡市の南部鉄器 Nanbu"
    serial = tokenizing.tokenize_all(texts, "lemma", workers=1)

    def here(texts: list[str], field: str) -> list[list[str]]:
        raise AssertionError("tokenised in the calling process")

    monkeypatch.setattr(tokenizing, "_tokenize_part", here)
    assert tokenizing.tokenize_all(texts, "lemma", workers=2) == serial
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="BM25 tokenising: a worker process ended"):
        tokenizing.tokenize_all(texts, "lemma", workers=2)


def test_rows_with_all_terms_are_the_postings_intersected() -> None:
    from rag.bm25 import BM25

    bm25 = BM25.build([["待機", "児童"], ["児童"], ["待機", "児童", "保育"], []])
    assert bm25.rows_with_all(["待機", "児童"]).tolist() == [0, 2]
    assert bm25.rows_with_all(["児童"]).tolist() == [0, 1, 2]
    assert bm25.rows_with_all(["待機", "未知"]).tolist() == []
    assert bm25.rows_with_all([]).tolist() == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0]), max_size=60),
    st.integers(min_value=0, max_value=70),
)
def test_top_rows_equals_a_stable_sort_of_every_positive_score(
    values: list[float], depth: int
) -> None:
    from rag.retrieval import top_rows

    scores = np.asarray(values)
    positive = np.flatnonzero(scores > 0)
    expected = positive[np.argsort(-scores[positive], kind="stable")][:depth]
    assert top_rows(scores, depth).tolist() == expected.tolist()


def _weights_as_format_2_built_them(docs: list[list[str]], k1: float, b: float) -> BM25:
    """The build of 7c7d809, verbatim: every weight precomputed in float64."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    lengths = np.zeros(len(docs), dtype=np.float64)
    for i, toks in enumerate(docs):
        lengths[i] = len(toks)
        counts: dict[int, int] = {}
        for t in toks:
            j = vocab.setdefault(t, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows += [i] * len(counts)
        cols += list(counts)
        vals += list(counts.values())
    n = len(docs)
    tf = sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n, len(vocab))
    )
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
    idf_v = np.log1p((n - df + 0.5) / (df + 0.5))
    avgdl = lengths.mean() if n else 0.0
    norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
    tf = tf.tocoo()
    weights = idf_v[tf.col] * tf.data * (k1 + 1) / (tf.data + norm[tf.row])
    matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
    return BM25(matrix, None, vocab, k1, b, "lucene")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=0, max_size=30), min_size=1, max_size=40),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
)
def test_scores_from_counts_are_bit_identical_to_precomputed_weights(
    docs: list[list[str]], query: list[str]
) -> None:
    import tempfile
    from pathlib import Path

    old = _weights_as_format_2_built_them(docs, 1.5, 0.75)
    new = BM25.build(docs)
    assert np.array_equal(new.scores(query), old.scores(query))
    assert new.same_as(old) and old.same_as(new)
    with tempfile.TemporaryDirectory() as d:
        new.save(Path(d))
        assert np.array_equal(BM25.load(Path(d)).scores(query), old.scores(query))


def test_counts_past_uint16_are_kept_and_differences_are_seen(tmp_path) -> None:  # type: ignore[no-untyped-def]
    docs = [["議会"] * 70_000 + ["予算"], ["予算", "議会"], ["児童"]]
    bm = BM25.build(docs)
    assert bm.matrix.data.dtype == np.uint32 and int(bm.matrix.data.max()) == 70_000
    bm.save(tmp_path)
    again = BM25.load(tmp_path)
    assert np.array_equal(again.scores(["議会"]), bm.scores(["議会"])) and again.same_as(bm)
    assert not bm.same_as(BM25.build([["議会"] * 69_999 + ["予算"], ["予算", "議会"], ["児童"]]))
    assert not bm.same_as(BM25.build(docs, k1=1.2))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12), min_size=4, max_size=20),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
    st.lists(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
                st.floats(0.1, 1.0),
            ),
            min_size=2,
            max_size=4,
        ),
        max_size=3,
    ),
)
def test_grouped_alternatives_score_their_best_once(
    docs: list[list[str]],
    single: list[str],
    groups: list[list[tuple[list[str], float]]],
) -> None:
    """Oracle: each document scored by hand from :meth:`BM25.scores`. A group of one
    alternative of weight 1 is a plain term; a group of several is one term (a structured
    query): its idf is that of the documents holding any alternative, and each document
    gets its best alternative's weighted term frequency part (score over idf), not their
    sum (four translations of one word count once); an alternative of several tokens
    counts only where all of them are."""
    bm = BM25.build(docs)
    plain = [[((t,), 1.0)] for t in single]
    assert np.allclose(bm.scores_any(plain), bm.scores(single))
    grouped = [[(tuple(a), w) for a, w in g] for g in groups]
    holds = [set(d) for d in docs]

    def where(a: tuple[str, ...]) -> np.ndarray:  # documents holding its stems, or all
        needed = {t for t in a if len(t) > 1} or set(a)
        return np.array([needed <= h for h in holds])

    def tf_part(a: tuple[str, ...], w: float) -> np.ndarray:
        idf = sum(bm.idf_of(t) for t in a if t in bm.vocab)
        return np.where(where(a), w * bm.scores(list(a)) / idf, 0.0) if idf else 0 * where(a)

    expected = bm.scores(single).copy()
    for g in grouped:
        df = int(np.any([where(a) for a, _ in g], axis=0).sum())
        idf = np.log1p((len(docs) - df + 0.5) / (df + 0.5))
        expected += idf * np.max([tf_part(a, w) for a, w in g], axis=0)
    assert np.allclose(bm.scores_any(plain + grouped), expected)


def test_a_rare_wrong_translation_weighs_no_more_than_the_common_one() -> None:
    """An English word's translations share one idf: the document holding the rare sense
    (稀) scores as the one holding the common sense (費用), where each translation's own
    idf would put the rare one far ahead."""
    docs = [["費用"], ["稀"]] + [["費用", "他"]] * 20 + [["他"]] * 20
    bm = BM25.build(docs)
    s = bm.scores_any([[(("費用",), 1.0), (("稀",), 1.0)]])
    assert s[0] == pytest.approx(s[1]) and s[0] > 0
    assert bm.scores(["稀"])[1] > 2 * bm.scores(["費用"])[0]  # apart, the rare sense leads
    assert s[-1] == 0


def test_a_group_scores_under_okapi_idf_too() -> None:
    """With the classic idf a term held by most documents has a negative idf; its
    alternative still scores, as the group's other one does."""
    docs = [["費用"], ["稀"]] + [["費用", "他"]] * 15 + [["他"]] * 3
    s = BM25.build(docs, idf="okapi").scores_any([[(("費用",), 1.0), (("稀",), 1.0)]])
    assert s[0] == pytest.approx(s[1]) and s[0] != 0 and s[-1] == 0


def test_a_compound_alternative_needs_its_stems_and_not_its_suffix() -> None:
    bm = BM25.build([["保護"], ["金"], ["保護", "金"], ["x"], ["y"], ["x", "y"], ["他"]])
    s = bm.scores_any([[(("保護", "金"), 1.0), (("ghost",), 1.0)]])  # 保護金 held in parts
    assert s[0] > 0 and s[1] == 0 and s[2] > s[0]  # the stem alone counts; the suffix not
    s = bm.scores_any([[(("x", "y"), 1.0), (("他",), 0.0)]])  # no stem: every piece needed
    assert s[3] == s[4] == 0 and s[5] > 0


def test_sentence_share_places_terms_in_their_sentence() -> None:
    from rag.rerank import _as_written, _sentence_share

    idf = np.array([2.0, 1.0, 1.0])
    terms = [_as_written(t) for t in ("dx", "計画", "予算")]
    assert terms[0] == ("dx", "ｄｘ")  # a passage may write it full-width
    text = "ＤＸの計画を立てた。予算は別です。"
    assert _sentence_share(text, terms, idf) == 0.75  # dx + 計画 together, 予算 apart
    assert _sentence_share("ＤＸ。計画と予算", terms, idf) == 0.5  # right after 。: next one
    assert _sentence_share("ＤＸの計画と予算", terms, idf) == 1.0
    assert _sentence_share("関係ない", terms, idf) == 0.0
