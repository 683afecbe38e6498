"""Retrieval: dense (a :class:`~rag.vectorstores.DenseStore`: FAISS or Milvus), keyword (BM25) and hybrid search with metadata filters.

Filters are applied before the top-k cut: a filtered search scores every chunk that passes
the filter, so it never comes back empty because the cut came first. Hybrid search fuses
the two rankings by reciprocal rank fusion (Cormack, Clarke & Büttcher 2009, k = 60),
``score(d) = Σ_r w_r / (k + rank_r(d))``, with configurable weights.

>>> r = Retriever.open(Settings())                      # doctest: +SKIP
>>> r.search("How did Morioka get cloud cost savings?", k=3).hits[0].chunk.id  # doctest: +SKIP
'sumida-dx-r05#006'
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
import warnings
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from rag import bilingual
from rag.bilingual import LEXICON_FILE, Lexicon
from rag.chunking import Chunk
from rag.embedding import BatchedEmbeddings, as_batched, load_embeddings
from rag.facts import asks_roll, wanted_speaker
from rag.filters import Filters
from rag.indexing import StoredIndex, load_index, open_dense_store
from rag.municipalities import place_of
from rag.places import Gazetteer
from rag.rerank import (
    CANDIDATES,
    CANDIDATES_EN,
    ENGLISH_DENSE,
    FEATURES,
    MIN_PSEUDO_QUERIES,
    PSEUDO_QUERIES,
    RERANKER_FILE,
    ROLE_PRIOR,
    ROLL_BOOST,
    SPEAKER_BOOST,
    Candidates,
    LinearRanker,
    english_dense,
    features,
    fit,
    pseudo_queries,
    query_numbers,
)
from rag.settings import Settings
from rag.speakers import strip_spaces
from rag.text import question_language, squash
from rag.tokenizing import Tokenizer, english_stop_words, person_names, pos_words
from rag.understanding import Hints, meeting_names, understand
from rag.vectorstores import DenseStore

MODES = ("hybrid", "fusion", "dense", "bm25")
# a query as groups of weighted alternatives, each alternative a few BM25 tokens
Groups = list[list[tuple[tuple[str, ...], float]]]


def _side(roles: Sequence[str], chunk_type: str) -> str:
    """``member`` or ``official`` when a passage is a turn of that side alone, else "". A
    committee chair's report is a member's turn that states the committee's work, not a
    question: it is neither side's."""
    if chunk_type == "report" or isinstance(roles, str):  # roles is a list of categories
        return ""
    sides = {r for r in roles if r in ("member", "official")}
    return sides.pop() if len(sides) == 1 else ""


def _tokens_of(groups: Groups) -> list[str]:
    """Every BM25 token of a query's groups, once, in order."""
    return list(dict.fromkeys(t for group in groups for alt, _ in group for t in alt))


MAX_QUERY_CHARS = 2000  # a longer query is refused, naming the field
FUSE_DEPTH = 20  # of each wording's list that reciprocal rank fusion reads (Retriever._fused)
# An English question's keyword score: BM25 of its translated groups plus this share of BM25
# over the passages put into English (rag.bilingual.DocumentTranslation); 0 turns it off.
# Chosen on the dev split's English questions (evals/results/2026-11-29-n-*)
DOCUMENT_TRANSLATION = 0.5
R = TypeVar("R", int, str)


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk: its rank, fused score, and its rank in each retriever."""

    chunk: Chunk
    score: float
    rank: int
    ranks: Mapping[str, int] = field(default_factory=dict)
    # Cosine similarity of query and chunk under the embedding model (None in bm25 mode).
    similarity: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "id": self.chunk.id,
            "score": round(float(self.score), 6),
            "similarity": None if self.similarity is None else round(self.similarity, 6),
            "text": self.chunk.text,
            "metadata": {**self.chunk.metadata, "retriever_ranks": dict(self.ranks)},
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    mode: str
    hits: list[Hit]
    timings_ms: dict[str, float]
    # the embedded query (None in bm25 mode), for callers that compare it with more texts
    query_vector: np.ndarray | None = field(default=None, repr=False, compare=False)
    # how the order was made: first-stage retrievers, then "rrf" or the reranker's weights
    stages: Mapping[str, Any] = field(default_factory=dict)
    # dates, meetings and bills read from the query (soft: they only reorder)
    understood: Hints = field(default_factory=Hints)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "stages": dict(self.stages),
            "understood": self.understood.to_json(),
            "hits": [h.to_json() for h in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


class QueryError(ValueError):
    """A query or filter that cannot be run; the message names the field."""


def top_rows(scores: np.ndarray, depth: int) -> np.ndarray:
    """The rows of the ``depth`` highest positive scores, best first, ties in row order:
    what a stable sort of every positive score gives, without sorting them all (a full
    sort of 100k scores was a third of a query's time on the archive).

    >>> top_rows(np.array([0.0, 2.0, 1.0, 2.0, 3.0]), 3).tolist()
    [4, 1, 3]
    """
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > depth > 0:
        values = scores[candidates]
        kth = np.partition(values, len(values) - depth)[len(values) - depth]
        candidates = candidates[values >= kth]  # the depth best and any tied with the last
    return candidates[np.argsort(-scores[candidates], kind="stable")][:depth]


def rrf(
    rankings: Mapping[str, Sequence[R]], weights: Mapping[str, float], k: int = 60
) -> list[tuple[R, float]]:
    """Reciprocal rank fusion of ranked lists (of rows, or chunk ids); returns ``(row,
    score)`` best first."""
    scores: dict[R, float] = {}
    for name, rows in rankings.items():
        w = weights.get(name, 1.0)
        for rank, row in enumerate(rows, 1):
            scores[row] = scores.get(row, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))


class Retriever:
    """Search over a loaded index. Build once per process with :meth:`open`.

    Without ``embeddings`` it is keyword-only: ``bm25`` mode works, and the dense modes
    raise :class:`QueryError` (the evals' BM25 condition embeds nothing).
    """

    def __init__(
        self,
        index: StoredIndex,
        embeddings: Embeddings | None,
        settings: Settings,
        store: DenseStore | None = None,
    ) -> None:
        self.index = index
        self.settings = settings
        self.tokenizer = Tokenizer(index.manifest["bm25"]["field"])
        # the visited cities of reports, the municipalities of the councils (rag.municipalities)
        cities = {p for c in self.chunks for p in (c.metadata.get("city"), place_of(c.metadata))}
        self.places = Gazetteer.from_places((str(p) for p in cities if p), self.tokenizer)
        self._embeddings = None if embeddings is None else as_batched(embeddings)
        self._store = store
        if self._embeddings is not None and store is None:
            self._store = open_dense_store(settings, index, self._embeddings)
        self._rows = {c.id: n for n, c in enumerate(index.chunks)}
        self._keys: dict[int, str] = {}
        self._types = [str(c.metadata.get("chunk_type") or "") for c in index.chunks]
        self.reranker = LinearRanker.load(index.folder / RERANKER_FILE)
        self._lexicon: Lexicon | None = None
        self._lexicon_lock = threading.Lock()
        self._translation: bilingual.DocumentTranslation | None = None
        self._allowed: tuple[Filters, np.ndarray] | None = None
        self._dated: tuple[str, str] | None = None

    def dated(self) -> tuple[str, str] | None:
        """The first and last date (ISO) of the minutes indexed, or None when there are none:
        the sittings the documents record. A report's date is the day it was approved, not
        the visit or the meetings it tells of, and does not count."""
        if self._dated is None:
            dates = [
                d
                for c in self.chunks
                if c.metadata.get("kind") == "minutes" and (d := str(c.metadata.get("date") or ""))
            ]
            self._dated = (min(dates), max(dates)) if dates else ("", "")
        return self._dated if self._dated[0] else None

    @property
    def embeddings(self) -> BatchedEmbeddings:
        if self._embeddings is None:
            raise QueryError("mode: this index was opened for keyword search only (bm25)")
        return self._embeddings

    @property
    def store(self) -> DenseStore:
        if self._store is None:
            raise QueryError("mode: this index was opened for keyword search only (bm25)")
        return self._store

    def mentioned_places(self, query: str) -> set[str]:
        return self.places.mentioned(query)

    @classmethod
    def open(
        cls, settings: Settings, embeddings: Embeddings | None = None, calibrate: bool = True
    ) -> Retriever:
        """The index of ``settings``; an index without a fitted reranker gets one first
        (:meth:`calibrate`, once per index generation) unless ``calibrate`` is False."""
        index = load_index(settings)
        emb = embeddings or load_embeddings(settings.embed_model, settings.threads)
        retriever = cls(index, emb, settings)
        if calibrate and retriever.reranker is None and retriever.chunks:
            retriever.calibrate()
        return retriever

    @functools.cached_property
    def _text_lengths(self) -> np.ndarray | None:
        """Characters of each chunk's text, by row (a reranker feature), where stored."""
        return self.index.text_lengths()

    @property
    def lexicon(self) -> Lexicon | None:
        """The English → Japanese term list, read when the first English query needs it;
        built if its file is missing or cannot be read (once, under a lock: concurrent
        first questions wait for the one build)."""
        if self._lexicon is None and self.chunks:
            with self._lexicon_lock:
                if self._lexicon is None:
                    found = Lexicon.load(self.index.folder / LEXICON_FILE)
                    try:
                        self._lexicon = found if found is not None else self.build_lexicon()
                    except Exception as e:  # noqa: BLE001 - English search must not fail on it
                        warnings.warn(
                            f"{self.index.folder}: no English term list ({e}); English "
                            "questions search with their own words only",
                            RuntimeWarning,
                            stacklevel=2,
                        )
                        self._lexicon = Lexicon()  # empty: not built again in this process
        return self._lexicon

    def build_lexicon(self) -> Lexicon:
        """The English → Japanese term list of this index (:mod:`rag.bilingual`), saved
        beside the index generation."""
        bm25 = self.index.bm25

        def frequency(term: str) -> int:  # a compound's is at most its rarest part's
            return min(map(bm25.df_of, bilingual.segments(term, bm25.vocab) or [term]))

        lexicon = bilingual.build(bm25.vocab, self.tokenizer, frequency=frequency)
        with contextlib.suppress(OSError):  # read-only: the list still serves from memory
            lexicon.save(self.index.folder / LEXICON_FILE)
        self._lexicon = lexicon
        self._translation = None  # put into English again through the new list
        return lexicon

    def query_tokens(self, query: str) -> list[str]:
        """BM25 tokens of ``query``; an English query also gets the Japanese terms its words
        translate to in this index's term list."""
        return _tokens_of(self.query_groups(query))

    def query_groups(self, query: str) -> Groups:
        """``query`` as groups of weighted alternatives (:meth:`BM25.scores_any`): each
        BM25 token its own group, and for an English query each unit of the term list
        (a word, or a few such as "hearing aid") one group: the English word itself and
        its translations, each as the index holds it (補聴器 as 補聴 + 器)."""
        tokens = self.tokenizer(query)
        single: Groups = [[((t,), 1.0)] for t in tokens]
        lexicon = self.lexicon if question_language(query) == "en" else None
        if not lexicon:
            return single
        stop = english_stop_words()  # question words (how, many) are no terms
        english = self.english_words(query)
        groups: Groups = []
        covered: set[str] = set()
        for unit, terms in lexicon.weighted_units(english):
            words = tuple(unit.split(" "))
            if len(words) == 1 and unit not in english:  # a pair typed apart: furusato nozei
                words = next(
                    (p for p in zip(english, english[1:], strict=False) if "".join(p) == unit),
                    words,
                )
            covered.update(words)
            # the English word itself is one alternative: the index may hold it (コスト →
            # cost, 品川 → shinagawa), and then it counts once, not beside its translations
            alts = [(words, 1.0)] + [(lexicon.cut(term), w) for term, w in terms]
            groups.append(alts)
        left = [g for g in single if g[0][0][0] not in covered and g[0][0][0] not in stop]
        return left + groups

    def english_words(self, query: str) -> list[str]:
        """The English words of an English question, as BM25 tokenises them, less the
        question words (how, many); empty for a Japanese question."""
        if question_language(query) != "en":
            return []
        stop = english_stop_words()
        return [t for t in self.tokenizer(query) if t.isascii() and t not in stop]

    def _translated(self, query: str) -> dict[str, float]:
        """The search's note that BM25 also read the passages put into English."""
        used = self.english_words(query) and DOCUMENT_TRANSLATION and self.document_translation
        return {"document_translation": DOCUMENT_TRANSLATION} if used else {}

    @property
    def document_translation(self) -> bilingual.DocumentTranslation | None:
        """The passages put into English through the term list's glosses, built on the
        first English question (under the term list's lock); None without a term list, or
        for an index of an older format (its BM25 holds weights, not counts)."""
        bm25 = self.index.bm25
        if self._translation is None and bm25.counts and (lexicon := self.lexicon):
            with self._lexicon_lock:
                if self._translation is None:
                    self._translation = bilingual.DocumentTranslation(bm25, lexicon)
        return self._translation

    def _named(self, row: int) -> list[str]:
        """Ways staff name when and where a chunk was said, for pseudo-queries."""
        meta = self.chunks[row].metadata
        out = [m for m in meeting_names(str(meta.get("meeting") or ""))]
        if meta.get("city") and meta.get("kind") == "report":  # the visited city
            out += [str(meta["city"])] * 2
        date = str(meta.get("date") or "")
        if len(date) >= 7:
            y, mo = int(date[:4]), int(date[5:7])
            fy = y if mo >= 4 else y - 1
            out += [f"{y}年{mo}月", f"{fy}年度"]
            if y >= 2019:
                out += [f"令和{y - 2018}年{mo}月", f"令和{fy - 2018}年度" if fy >= 2019 else ""]
        return [x for x in out if x]

    def calibrate(self, queries: int | None = None, seed: int = 0) -> LinearRanker | None:
        """Fit the second stage on pseudo-queries drawn from this index, save it beside the
        index generation and use it. None (and RRF alone) when the index is too small or
        the pseudo-queries never find their source among the candidates. English questions
        use it too: a ranker of its own, fitted on the same draws put into English through
        the term list, ranked dev's English questions no better (2026-11-27)."""
        n = queries or min(PSEUDO_QUERIES, max(MIN_PSEUDO_QUERIES, 3 * len(self.chunks)))
        texts = [c.text for c in self.chunks]
        pairs = pseudo_queries(texts, pos_words, self.index.bm25.idf_of, n, seed, self._named)
        # a draw of Latin words only (「DX 2023」) would be searched as an English question
        pairs = [(q, row) for q, row in pairs if question_language(q) == "ja"]
        X, y = [], []
        for query, row in pairs:
            cands = self.first_stage(query, Filters(), CANDIDATES, {})
            X.append(self.candidate_features(query, cands))
            y.append((cands.rows == row).astype(np.int64))
        try:
            ranker = fit(X, y, seed)
        except ValueError:
            return None
        with contextlib.suppress(OSError):  # read-only: the ranker still serves from memory
            ranker.save(self.index.folder / RERANKER_FILE)
        self.reranker = ranker
        return ranker

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    @functools.cached_property
    def speaker_terms(self) -> frozenset[str]:
        """The terms of the names of everyone who speaks in the index (a minutes' speaker
        label, 「◯ひぐちのりこ委員」, is kept in the metadata, not in the text)."""
        names = {str(n) for c in self.chunks for n in c.metadata.get("speakers") or () if n}
        return frozenset(t for n in names for t in self.tokenizer(n))

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The indexed passage with this id, else None."""
        row = self._rows.get(chunk_id)
        return None if row is None else self.chunks[row]

    def containing(
        self, terms: Sequence[str], filters: Filters | Mapping[str, str] | None = None
    ) -> list[Chunk]:
        """Every chunk (under ``filters``) whose BM25 tokens hold all the tokens of ``terms``:
        the candidates for counting a topic over the whole index, not only its best hits.
        A term that is written apart in a chunk still passes; callers check the text."""
        tokens = [t for term in terms for t in self.tokenizer(term)]
        if not tokens:
            return []
        rows = self.index.bm25.rows_with_all(tokens)
        allowed = self._rows_passing(Filters.parse(filters))
        if allowed is not None:
            rows = np.intersect1d(rows, allowed)
        return [self.chunks[int(r)] for r in rows]

    def _text_key(self, row: int) -> str:
        key = self._keys.get(row)
        if key is None:
            key = self._keys[row] = squash(self.chunks[row].text)
        return key

    @functools.cached_property
    def _paged(self) -> bool:
        """Whether any passage knows its page (PDFs): only then can a copy be preferred."""
        return any(c.metadata.get("page") is not None for c in self.chunks)

    def _distinct(self, fused: Sequence[tuple[int, float]], k: int) -> list[tuple[int, float]]:
        """The top ``k`` with each passage once: the same report indexed as .txt and .pdf
        gives identical chunks. The copy that knows its page is the one kept."""
        kept: list[tuple[int, float]] = []
        seen: dict[str, int] = {}
        for row, score in fused:
            key = self._text_key(row)
            if key in seen:
                at = seen[key]
                if not self.chunks[kept[at][0]].metadata.get("pages") and self.chunks[
                    row
                ].metadata.get("pages"):
                    kept[at] = (row, kept[at][1])
                continue
            if len(kept) == k:
                if not self._paged:
                    break  # no passage knows its page: no page-bearing copy to look for
                continue  # still look further for page-bearing copies of kept passages
            seen[key] = len(kept)
            kept.append((row, score))
        return kept

    def _rows_passing(self, where: Filters) -> np.ndarray | None:
        if not where:
            return None
        last = self._allowed  # read once: other threads may search meanwhile
        if last is None or last[0] != where:
            rows = [i for i, c in enumerate(self.chunks) if where.matches(c.metadata)]
            last = self._allowed = (where, np.asarray(rows, dtype=np.int64))
        return last[1]

    def dense_rank(
        self, q: np.ndarray, depth: int, where: Filters, t: dict[str, float]
    ) -> list[int]:
        t0 = time.perf_counter()
        found = self.store.rank(q, depth, where)
        t["dense"] = (time.perf_counter() - t0) * 1000
        return [self._rows[i] for i, _ in found if i in self._rows]

    def bm25_rank(
        self, query: str, depth: int, allowed: np.ndarray | None, t: dict[str, float]
    ) -> list[int]:
        return self._bm25(query, self.query_groups(query), depth, allowed, t)[0]

    def _bm25(
        self,
        query: str,
        groups: Groups,
        depth: int,
        allowed: np.ndarray | None,
        t: dict[str, float],
    ) -> tuple[list[int], np.ndarray]:
        """The keyword ranking: BM25 of the query's groups; for an English question, plus
        :data:`DOCUMENT_TRANSLATION` times BM25 of its words over the passages put into
        English (:class:`rag.bilingual.DocumentTranslation`)."""
        t0 = time.perf_counter()
        scores = self.index.bm25.scores_any(groups)
        words = self.english_words(query)
        if words and DOCUMENT_TRANSLATION and (translated := self.document_translation):
            scores = scores + DOCUMENT_TRANSLATION * translated.scores(words)
        if allowed is not None:
            mask = np.full(len(scores), -np.inf)
            mask[allowed] = scores[allowed]
            scores = mask
        order = top_rows(scores, depth)
        t["bm25"] = (time.perf_counter() - t0) * 1000
        return [int(r) for r in order], scores

    def first_stage(
        self, query: str, where: Filters, depth: int, timings: dict[str, float]
    ) -> Candidates:
        """Both retrievers' top ``depth`` for ``query``: what the reranker reorders."""
        t0 = time.perf_counter()
        q = self.embeddings.encode([query], is_query=True)[0]
        timings["embed"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        found = self.store.rank(q, depth, where)
        timings["dense"] = (time.perf_counter() - t0) * 1000
        dense: dict[int, float | None] = {self._rows[i]: s for i, s in found if i in self._rows}
        groups = self.query_groups(query)
        tokens = _tokens_of(groups)
        bm25_rows, scores = self._bm25(query, groups, depth, self._rows_passing(where), timings)
        rows = list(dict.fromkeys([*dense, *bm25_rows]))
        missing = [self.chunks[r].id for r in rows if r not in dense]
        if missing:  # BM25's candidates the dense search did not reach
            sims = self.store.similarities(q, missing)
            dense.update(zip((self._rows[i] for i in missing), sims, strict=True))
        d_rank = {self._rows[i]: n for n, (i, _) in enumerate(found, 1) if i in self._rows}
        b_rank = {r: n for n, r in enumerate(bm25_rows, 1)}
        arr = np.asarray(rows, dtype=np.int64)
        return Candidates(
            rows=arr,
            bm25=np.maximum(scores[arr], 0.0) if len(arr) else np.zeros(0),
            bm25_rank=np.asarray([b_rank.get(r, 0) for r in rows], dtype=np.int64),
            dense=np.asarray([np.nan if (d := dense.get(r)) is None else d for r in rows]),
            dense_rank=np.asarray([d_rank.get(r, 0) for r in rows], dtype=np.int64),
            tokens=tuple(tokens),
            query_vector=q,
        )

    def candidate_features(
        self, query: str, cands: Candidates, hints: Hints | None = None
    ) -> np.ndarray:
        """:data:`rag.rerank.FEATURES` of each candidate for ``query``."""
        bm25 = self.index.bm25
        terms = list(dict.fromkeys(t for t in cands.tokens if t in bm25.vocab))
        places = self.mentioned_places(query)
        hints = understand(query) if hints is None else hints
        hinted = (
            [
                (
                    hints.date_matches(str(meta.get("date") or "")),
                    hints.meeting_matches(meta),
                    hints.bill_matches(self.chunks[r].text, meta),
                )
                for r in cands.rows
                for meta in [self.chunks[r].metadata]
            ]
            if hints
            else []
        )
        return features(
            cands,
            [bm25.vocab[t] for t in terms],
            np.asarray([bm25.idf_of(t) for t in terms]),
            query_numbers(query),
            bm25.present,
            lambda r: self.chunks[r].text,
            self._types,
            [bool(places) and place_of(self.chunks[r].metadata) in places for r in cands.rows],
            hinted,
            self._text_lengths,
            terms,
        )

    def _elsewhere(self, query: str, rows: np.ndarray) -> np.ndarray:
        """For each row: whether its passage is about a known place that the query, which
        names places, does not name. A passage said elsewhere that names an asked place
        (品川区's minutes on 仙台市's example) is not elsewhere."""
        places = self.mentioned_places(query)
        if not places:
            return np.zeros(len(rows), dtype=bool)
        out = np.zeros(len(rows), dtype=bool)
        for i, r in enumerate(rows):
            city = place_of(self.chunks[r].metadata)
            if city and city not in places:
                text = self.chunks[r].text
                out[i] = not any(p in text for p in places)
        return out

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        filters: Filters | Mapping[str, str] | None = None,
        weights: Mapping[str, float] | None = None,
        hints: bool = True,
        ignore_hints: Collection[str] = (),
        also: Sequence[str] = (),
    ) -> SearchResult:
        """The ``k`` best passages for ``query``; ``filters`` as a :class:`Filters` or a
        mapping that :meth:`Filters.parse` accepts. With ``hints``, dates, meetings and bill
        numbers named in the query (:mod:`rag.understanding`) weigh in the hybrid ranking,
        less those whose label is in ``ignore_hints``. ``also`` holds other wordings of the
        same question (an English one put into Japanese by an LLM): each is searched as the
        query is, and the lists are fused by reciprocal rank (:meth:`_fused`). A wording
        that does not name the same known places as the query is another question (a weak
        model put "Morioka" as 宮城県) and is left out."""
        wordings = [w for w in dict.fromkeys(a.strip() for a in also) if w and w != query.strip()]
        if wordings:
            named = self.mentioned_places(query)
            wordings = [w for w in wordings if self.mentioned_places(w) == named]
        if wordings:
            return self._fused(query, wordings, k, mode, filters, weights, hints, ignore_hints)
        query = query.strip()
        if not query:
            raise QueryError("query: empty")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"query: {len(query)} characters, the limit is {MAX_QUERY_CHARS}")
        if mode not in MODES:
            raise QueryError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        where = Filters.parse(filters)
        timings: dict[str, float] = {}
        t_all = time.perf_counter()
        if mode == "hybrid" and self.reranker is not None:
            understood = understand(query).without(ignore_hints) if hints else Hints()
            return self._reranked(query, k, where, timings, t_all, understood)
        asked, mode = mode, "fusion" if mode == "hybrid" else mode
        depth = max(50, 5 * k)
        rankings: dict[str, list[int]] = {}
        q: np.ndarray | None = None
        if mode in ("dense", "fusion"):
            t0 = time.perf_counter()
            q = self.embeddings.encode([query], is_query=True)[0]
            timings["embed"] = (time.perf_counter() - t0) * 1000
            rankings["dense"] = self.dense_rank(q, depth, where, timings)
        if mode in ("bm25", "fusion"):
            rankings["bm25"] = self.bm25_rank(query, depth, self._rows_passing(where), timings)
        t0 = time.perf_counter()
        w = {
            "dense": self.settings.dense_weight,
            "bm25": self.settings.bm25_weight,
            **(weights or {}),
        }
        fused = rrf(rankings, w, self.settings.rrf_k)
        places = self.mentioned_places(query)
        if places:  # a question naming a visited city is about that city: one extra vote
            bonus = 1.0 / (self.settings.rrf_k + 1)
            fused = sorted(
                (
                    (row, sc + (bonus if place_of(self.chunks[row].metadata) in places else 0.0))
                    for row, sc in fused
                ),
                key=lambda x: (-x[1], x[0]),
            )
        fused = self._distinct(fused, k)
        positions = {
            name: {row: i + 1 for i, row in enumerate(rows)} for name, rows in rankings.items()
        }
        sims: list[float | None] = [None] * len(fused)
        if q is not None and fused:
            sims = self.store.similarities(q, [self.chunks[row].id for row, _ in fused])
        hits = [
            Hit(
                chunk=self.chunks[row],
                score=score,
                rank=n,
                ranks={name: pos[row] for name, pos in positions.items() if row in pos},
                similarity=sim,
            )
            for n, ((row, score), sim) in enumerate(zip(fused, sims, strict=True), 1)
        ]
        timings["fuse"] = (time.perf_counter() - t0) * 1000
        timings["total"] = (time.perf_counter() - t_all) * 1000
        stages: dict[str, Any] = {
            "first": sorted(rankings),
            "second": "rrf" if len(rankings) > 1 else None,
        }
        if "bm25" in rankings:
            stages.update(self._translated(query))
        return SearchResult(query, asked, hits, timings, q, stages)

    def _fused(
        self,
        query: str,
        wordings: Sequence[str],
        k: int,
        mode: str,
        filters: Filters | Mapping[str, str] | None,
        weights: Mapping[str, float] | None,
        hints: bool,
        ignore_hints: Collection[str],
    ) -> SearchResult:
        """``query`` and its other ``wordings``, each searched alone to :data:`FUSE_DEPTH`
        and fused by reciprocal rank, each list weighing the same (RAG-Fusion; LangChain's
        multi-query retrieval takes the union): a passage that several wordings find comes
        first. A hit keeps its ranks and adds its rank under each wording (``wording0`` is
        the query); its similarity is to the query's vector (the evidence gate reads it as
        the question's, not a wording's), and what was read from the query stays the
        result's."""
        t_all = time.perf_counter()
        depth = max(FUSE_DEPTH, k)
        runs = [
            self.search(q, depth, mode, filters, weights, hints, ignore_hints)
            for q in (query, *wordings)
        ]
        first: dict[str, Hit] = {}
        for run in runs:
            for h in run.hits:
                first.setdefault(h.chunk.id, h)
        rankings = {f"wording{i}": [h.chunk.id for h in r.hits] for i, r in enumerate(runs)}
        fused = rrf(rankings, {}, self.settings.rrf_k)[:k]
        positions = {
            name: {cid: n for n, cid in enumerate(ids, 1)} for name, ids in rankings.items()
        }
        hits = [
            replace(
                first[cid],
                score=score,
                rank=n,
                ranks={
                    **first[cid].ranks,
                    **{name: pos[cid] for name, pos in positions.items() if cid in pos},
                },
            )
            for n, (cid, score) in enumerate(fused, 1)
        ]
        main = runs[0]
        if main.query_vector is not None and hits:
            sims = self.store.similarities(main.query_vector, [h.chunk.id for h in hits])
            hits = [replace(h, similarity=sim) for h, sim in zip(hits, sims, strict=True)]
        timings = {f"wording{i}": r.timings_ms.get("total", 0.0) for i, r in enumerate(runs)}
        timings["total"] = (time.perf_counter() - t_all) * 1000
        stages = {**main.stages, "wordings": [main.query, *wordings], "fusion": "rrf"}
        return SearchResult(
            main.query, main.mode, hits, timings, main.query_vector, stages, main.understood
        )

    def _reranked(
        self,
        query: str,
        k: int,
        where: Filters,
        timings: dict[str, float],
        t_all: float,
        understood: Hints,
    ) -> SearchResult:
        """Hybrid search: both retrievers' candidates, reordered by the index's reranker."""
        assert self.reranker is not None
        t0 = time.perf_counter()
        depth = CANDIDATES_EN if question_language(query) == "en" else CANDIDATES
        cands = self.first_stage(query, where, max(depth, 5 * k), timings)
        timings["first_stage"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        X = self.candidate_features(query, cands, understood)
        scores = self.reranker.score(X)
        second: dict[str, Any] = {"reranker": self.reranker.to_json()}
        if ENGLISH_DENSE and question_language(query) == "en":
            # the cross-lingual embedding counts more where terms come through translations;
            # the boosts below are then in the spread of these scores (as measured on dev)
            scores = english_dense(scores, X[:, FEATURES.index("dense")], ENGLISH_DENSE)
            second["english_dense"] = ENGLISH_DENSE
        wanted = wanted_speaker(query)
        spread = float(scores.std()) if len(scores) else 0.0  # each ranker has its own scale
        named = named_speakers(query)
        n = len(cands.rows)
        by_named = (
            np.fromiter((spoken_by(self.chunks[r].metadata, named) for r in cands.rows), bool, n)
            if named
            else np.zeros(n, dtype=bool)
        )
        if by_named.any() and SPEAKER_BOOST:  # the person the question names speaks here
            scores = scores + SPEAKER_BOOST * spread * by_named
            second["named_speaker"] = {"names": named, "weight": SPEAKER_BOOST}
        if ROLL_BOOST and asks_roll(query):  # the roll is in the minutes' header
            header = np.fromiter((self._types[r] == "header" for r in cands.rows), bool, n)
            scores = scores + ROLL_BOOST * spread * header
            second["roll"] = {"weight": ROLL_BOOST}
        if wanted and ROLE_PRIOR:  # the other side's turn restates the topic, not the answer
            other = "official" if wanted == "member" else "member"
            penalty = ROLE_PRIOR * spread
            theirs = np.fromiter(
                (
                    _side(self.chunks[r].metadata.get("roles") or (), self._types[r]) == other
                    for r in cands.rows
                ),
                dtype=bool,
                count=n,
            )  # read per candidate: the hot metadata is in memory, and opening stays quick
            scores = scores - penalty * (theirs & ~by_named)
            second["role_prior"] = {"prefers": wanted, "weight": ROLE_PRIOR, "penalty": penalty}
        # A question that names a place asks about that place: passages known to be about
        # another place go after the rest (a soft filter, so it never empties the result).
        # A passage whose place is unknown (minutes without a header) is not elsewhere.
        elsewhere = self._elsewhere(query, cands.rows)
        order = np.lexsort((-scores, elsewhere))
        at = {int(cands.rows[i]): int(i) for i in order}
        ranked = self._distinct([(int(cands.rows[i]), float(scores[i])) for i in order], k)
        hits = []
        for n, (row, score) in enumerate(ranked, 1):
            i = at[row]
            ranks = {"bm25": int(cands.bm25_rank[i]), "dense": int(cands.dense_rank[i])}
            sim = cands.dense[i]
            hits.append(
                Hit(
                    chunk=self.chunks[row],
                    score=score,
                    rank=n,
                    ranks={name: r for name, r in ranks.items() if r},
                    similarity=None if np.isnan(sim) else float(sim),
                )
            )
        timings["rerank"] = (time.perf_counter() - t0) * 1000
        timings["total"] = (time.perf_counter() - t_all) * 1000
        stages = {"first": ["bm25", "dense"], "second": second, **self._translated(query)}
        return SearchResult(query, "hybrid", hits, timings, cands.query_vector, stages, understood)


def named_speakers(query: str) -> list[str]:
    """The people a Japanese question names (UniDic's 人名: 「ひぐちのりこ委員」 →
    ひぐちのりこ), whose turns it asks about."""
    return person_names(query) if question_language(query) == "ja" else []


def spoken_by(meta: Mapping[str, Any], names: Sequence[str]) -> bool:
    """Whether one of ``names`` (a full name, or a surname alone: the start of a speaker's
    name, so 林 is not 小林) speaks in a passage."""
    said = [strip_spaces(str(s)) for s in meta.get("speakers") or () if s]
    return any(s.startswith(n) for n in names for s in said)
