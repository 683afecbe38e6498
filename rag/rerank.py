"""Second stage: a linear reranker over the fused candidates, fitted per index without labels.

First-stage fusion (RRF of BM25 and dense ranks) weighs both retrievers the same on every
corpus, and on a large archive of minutes the embedding's cross-lingual, paraphrase-level
match drowns among near-duplicates while exact terms still separate passages. Which signal
to trust is a property of the corpus, so each index learns it from itself:

1. **Pseudo-queries** (:func:`pseudo_queries`): a random sentence of a random chunk, cut to
   its content words (particles and auxiliaries dropped), the rarest of them kept, the
   order shuffled: how staff type a question with the passage's words in mind. The chunk
   it came from is the one right answer.
2. **Features** (:data:`FEATURES`) of each candidate for the query: BM25 score and rank,
   dense similarity and rank, how much of the query's idf mass the passage covers, whether
   it holds every query term, how much of that mass one of its sentences holds, the
   query's numbers found in it, its chunk type and length.
3. **Fit** (:func:`fit`): logistic regression of "is the source chunk" on the features of
   the first stage's candidates; its coefficients become the reranker's weights.

``rag ingest`` prints the weights it chose; ``rag search --json`` shows the first-stage
ranks beside the reranked order.

>>> r = LinearRanker(("bm25", "dense"), (1.0, 2.0), 0.0)
>>> r.score(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
[1.0, 2.0]
"""

from __future__ import annotations

import bisect
import math
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rag.text import SENTENCE_END, digits_folded, nfkc

FEATURES = (
    "bm25",  # BM25 score over the best candidate's
    "bm25_rr",  # 1 / (60 + BM25 rank); 0 when BM25 did not rank it
    "dense",  # cosine similarity
    "dense_gap",  # similarity minus the best candidate's
    "dense_rr",  # 1 / (60 + dense rank); 0 when the dense search did not rank it
    "coverage",  # share of the query's idf mass found in the passage
    "all_terms",  # 1 when every query term is in the passage
    "numbers",  # share of the query's numbers written in the passage
    "procedure",  # chunk type: the chair's procedure
    "header",  # chunk type: a document's header or overview
    "length",  # log of the passage's length in characters, centred on 400
    "place",  # the passage is about a place the query names
    "date_match",  # the passage's date falls in the period the query names (令和4年度)
    "meeting_match",  # its meeting is the one the query names (予算特別委員会)
    "bill_match",  # it names or decides the bill the query names (議案第70号)
    "rrf",  # the first stage's fused score: 1/(60 + BM25 rank) + 1/(60 + dense rank)
    "sentence",  # share of the query's idf mass found together in one sentence (0 for
    # the candidates past the SENTENCE_READS that hold most of it in the whole passage)
)
RERANKER_FILE = "reranker.json"  # in the index generation it was fitted on
CANDIDATES = 100  # first-stage candidates the reranker sees
SENTENCE_READS = 30  # candidates whose sentences are read (the "sentence" feature)
# An English question's: translations and the cross-lingual embedding each rank its answer
# lower, so both retrievers are read deeper
CANDIDATES_EN = 200
# A question asks for one side's turn (:func:`rag.facts.wanted_speaker`): the member's for
# who asked or a member or party it is about, the official's for a fact, a reason or a
# way. A passage that is the other side's turn alone (the question restating the topic, or
# the reply to who-asked) loses this many standard deviations of the reranker's scores
# over the query's candidates (in the scores' own spread, since each index's ranker has its
# own scale). The pseudo-queries the reranker is fitted on ask nothing of anyone, so the
# weight is set by hand: chosen on the dev split (0 to 4 tried; minutes MRR@10 0.691 →
# 0.759, archive 0.480 → 0.503; evals/results/2026-11-27-e-role-prior-dev-grid.txt).
ROLE_PRIOR = 3.0
# A Japanese question naming a person who speaks (「ひぐちのりこ委員が触れた…」): that
# person's turns gain this many standard deviations, and are never the other side's for
# :data:`ROLE_PRIOR`. A minutes' speaker labels are metadata, not text, so neither
# retriever sees the name. Chosen on the dev split
# (evals/results/2026-11-29-k-speaker-boost-dev-grid.txt).
SPEAKER_BOOST = 2.0
# A question on a sitting's roll (who attended, was absent, how many: rag.facts.asks_roll):
# the minutes' header passages, which list it and share few words with any question, gain
# this many standard deviations. Chosen on the dev split
# (evals/results/2026-11-29-l-roll-boost-dev-grid.txt).
ROLL_BOOST = 2.0
# An English question: its candidates' dense similarity, in standard deviations over the
# candidates, adds this many standard deviations of the reranker's scores. The reranker is
# fitted on Japanese pseudo-queries, whose words a passage holds as typed; an English
# question's terms reach a passage only through translations, so its term features are
# looser and the cross-lingual embedding deserves more say than the fit gives it. Chosen
# on the dev split's English questions: at 0.25 no corpus worse, the archive clearly better
# (evals/results/2026-11-29-o-english-dense-dev-grid.txt).
ENGLISH_DENSE = 0.25


def english_dense(
    scores: np.ndarray, dense: np.ndarray, weight: float = ENGLISH_DENSE
) -> np.ndarray:
    """``scores`` plus ``weight`` standard deviations of them per standard deviation of the
    candidates' dense similarity (:data:`ENGLISH_DENSE`); unchanged for fewer than two
    candidates or scores all alike.

    >>> english_dense(np.array([1.0, 1.0, 3.0]), np.array([0.9, 0.1, 0.5])).round(2).tolist()
    [1.29, 0.71, 3.0]
    """
    spread = float(scores.std()) if len(scores) > 1 else 0.0
    if not weight or not spread:
        return scores
    z = (dense - dense.mean()) / (float(dense.std()) or 1.0)
    return np.asarray(scores + weight * spread * z)


# Pseudo-queries a fit draws: 3 per chunk, at least MIN (a small index's chunks give several
# each, with other words) and at most MAX. 600 at most let one document more or less move
# the archive's dev MRR@10 by 0.02 through the draw alone; 3000 hold it within 0.006
# (evals/results/2026-11-29-u-reranker-draws-dev.txt), for 52 s of fitting instead of 12.
PSEUDO_QUERIES, MIN_PSEUDO_QUERIES = 3000, 300
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CONTENT_POS = {"名詞", "動詞", "形容詞", "副詞", "形状詞", "接頭辞"}


@dataclass(frozen=True)
class LinearRanker:
    """Weights over :data:`FEATURES`, as fitted by :func:`fit`."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def score(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X @ np.asarray(self.weights) + self.bias, dtype=np.float64)

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.names),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LinearRanker:
        names = tuple(str(n) for n in data["features"])
        if names != FEATURES:
            raise ValueError(f"reranker features {names} are not this version's {FEATURES}")
        return cls(names, tuple(float(w) for w in data["weights"]), float(data["bias"]))

    @classmethod
    def load(cls, path: Path) -> LinearRanker | None:
        """The reranker saved at ``path``; None when there is none or it is of another
        version (the search then fuses by RRF alone)."""
        import json

        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path: Path) -> None:
        """Written whole or not at all (a temporary file, then a rename)."""
        import json

        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json()), encoding="utf-8")
        tmp.replace(path)

    def describe(self) -> str:
        """The weights, largest first: what this index learned to trust."""
        pairs = sorted(zip(self.names, self.weights, strict=True), key=lambda p: -abs(p[1]))
        return ", ".join(f"{n} {w:+.2f}" for n, w in pairs)


@dataclass(frozen=True)
class Candidates:
    """The first stage's candidates for one query, with what each retriever said of them."""

    rows: np.ndarray  # chunk rows
    bm25: np.ndarray  # BM25 score of each row (0 when it has none)
    bm25_rank: np.ndarray  # 1-based rank in the BM25 list, 0 when not in it
    dense: np.ndarray  # cosine similarity (nan when unknown)
    dense_rank: np.ndarray  # 1-based rank in the dense list, 0 when not in it
    tokens: tuple[str, ...] = ()  # the query's BM25 tokens
    query_vector: np.ndarray | None = field(default=None, repr=False, compare=False)


def query_numbers(query: str) -> set[str]:
    return {m.replace(",", "") for m in _NUMBER.findall(nfkc(query))}


def features(
    cands: Candidates,
    query_terms: Sequence[int],
    query_idf: np.ndarray,
    numbers: set[str],
    present: Callable[[np.ndarray, Sequence[int]], np.ndarray],
    texts: Callable[[int], str],
    chunk_types: Sequence[str],
    in_place: Sequence[bool] = (),
    hinted: Sequence[tuple[bool, bool, bool]] = (),
    lengths: np.ndarray | None = None,
    term_texts: Sequence[str] = (),
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate.

    ``present(rows, terms)`` says which rows hold which BM25 terms (:meth:`BM25.present`),
    so term presence is read from the BM25 index, not from the text; ``query_terms`` are
    the query's term columns and ``query_idf`` their idf. ``lengths`` (characters of each
    chunk's text, by row) spares reading the texts: they are then read only to match the
    query's numbers, and, given ``term_texts`` (the query's terms as written, in the order
    of ``query_terms``), to find them together in one sentence.
    """
    n = len(cands.rows)
    X = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if n == 0:
        return X
    top_bm25 = max(float(cands.bm25.max()), 1e-9)
    X[:, 0] = cands.bm25 / top_bm25
    X[:, 1] = np.where(cands.bm25_rank > 0, 1.0 / (60 + cands.bm25_rank), 0.0)
    dense = np.nan_to_num(cands.dense, nan=0.0)
    X[:, 2] = dense
    X[:, 3] = dense - dense.max()
    X[:, 4] = np.where(cands.dense_rank > 0, 1.0 / (60 + cands.dense_rank), 0.0)
    if len(query_terms):
        held = present(cands.rows, query_terms)
        mass = float(query_idf.sum()) or 1.0
        X[:, 5] = held @ query_idf / mass
        X[:, 6] = held.all(axis=1)
    together: set[int] = set()
    if term_texts and len(term_texts) == len(query_terms):
        # read for the candidates that hold the most of the query (coverage, then BM25):
        # a sentence rarely holds more than its passage does (only a term found inside a
        # longer word, 市 in 市民, can add), and reading every candidate's text doubled a
        # query's time at archive scale
        order = np.lexsort((-X[:, 0], -X[:, 5]))[:SENTENCE_READS]
        together = {int(i) for i in order if X[i, 5] > 0}
    written = [_as_written(t) for t in term_texts]
    for i, row in enumerate(cands.rows):
        read = numbers or i in together or lengths is None
        text = texts(int(row)) if read else ""
        if i in together:
            X[i, 16] = _sentence_share(text, written, query_idf)
        if numbers:
            folded = digits_folded(text)
            X[i, 7] = sum(num in folded for num in numbers) / len(numbers)
        kind = chunk_types[int(row)]
        X[i, 8] = kind == "procedure"
        X[i, 9] = kind in ("header", "overview")
        size = len(text) if lengths is None else int(lengths[int(row)])
        X[i, 10] = math.log(max(size, 1) / 400.0)
    if len(in_place):
        X[:, 11] = np.asarray(in_place, dtype=np.float64)
    if len(hinted):
        X[:, 12:15] = np.asarray(hinted, dtype=np.float64)
    X[:, 15] = X[:, 1] + X[:, 4]
    return X


def _as_written(term: str) -> tuple[str, ...]:
    """A folded query term and, if it has ASCII letters or digits, its full-width form: the
    ways a lower-cased passage may write it (dx, ｄｘ; 2023, ２０２３). Cheaper than folding
    each candidate's text (NFKC of 100 passages took 15 ms)."""
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in term)
    return (term,) if wide == term else (term, wide)


def _sentence_share(text: str, terms: Sequence[tuple[str, ...]], idf: np.ndarray) -> float:
    """The largest share of the query terms' idf mass that one sentence of ``text`` holds:
    the terms close together, as an answer states them, not scattered over a long turn.
    ``terms`` are each term's written forms (:func:`_as_written`). Each term's places are
    found with ``str.find`` and put in their sentence by the sentence ends before them
    (a loop over sentences × terms took 20 ms a query at archive scale)."""
    low = text.lower()
    ends = [m.end() for m in SENTENCE_END.finditer(low)]
    held: dict[int, float] = {}
    for forms, w in zip(terms, idf, strict=True):
        seen: set[int] = set()
        for form in forms:
            i = low.find(form)
            while i >= 0:
                at = bisect.bisect_right(ends, i)
                if at not in seen:
                    seen.add(at)
                    held[at] = held.get(at, 0.0) + float(w)
                i = low.find(form, i + len(form))
    return max(held.values(), default=0.0) / (float(idf.sum()) or 1.0)


def pseudo_queries(
    texts: Sequence[str],
    words: Callable[[str], list[tuple[str, str]]],
    idf: Callable[[str], float],
    n: int,
    seed: int = 0,
    where: Callable[[int], list[str]] | None = None,
) -> list[tuple[str, int]]:
    """``n`` (query, source row) pairs drawn from the chunks themselves.

    ``words(text)`` gives (surface, part of speech) pairs; each query keeps 2–6 of the
    sentence's content words, the rarer first, in shuffled order. ``where(row)`` gives ways
    of naming when and where the chunk was said (「令和4年9月」, 「2022年度」, 「予算特別委員会」);
    a third of the queries name one, as staff often do.
    """
    rng = random.Random(seed)
    out: list[tuple[str, int]] = []
    for _ in range(n * 4):  # chunks with no usable sentence are skipped
        if len(out) >= n or not texts:
            break
        row = rng.randrange(len(texts))
        sentences = [s for s in re.split(r"(?<=[。！？!?])|\n", texts[row]) if len(s) >= 15]
        if not sentences:
            continue
        sentence = rng.choice(sentences)
        content = [w for w, pos in words(sentence) if pos in _CONTENT_POS and len(w) > 1]
        content = list(dict.fromkeys(content))
        if len(content) < 2:
            continue
        keep = sorted(content, key=lambda w: -idf(w))[: rng.randint(2, 6)]
        rng.shuffle(keep)
        named = where(row) if where else []
        if named and rng.random() < 1 / 3:
            keep.insert(0, rng.choice(named))
        out.append(("".join(keep) if rng.random() < 0.5 else " ".join(keep), row))
    return out


def fit(
    X: Sequence[np.ndarray], y: Sequence[np.ndarray], seed: int = 0, C: float = 1.0
) -> LinearRanker:
    """Logistic regression of "is the source chunk" over every query's candidates."""
    from sklearn.linear_model import LogisticRegression

    Xa = np.vstack(list(X))
    ya = np.concatenate(list(y))
    if ya.min() == ya.max():
        raise ValueError("reranker: the pseudo-queries found no source chunk among candidates")
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(Xa, ya)
    # rounded as saved, so the ranker in use is the one on disk
    return LinearRanker(
        FEATURES,
        tuple(round(float(w), 6) for w in model.coef_[0]),
        round(float(model.intercept_[0]), 6),
    )
