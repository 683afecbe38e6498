"""Retrieval: dense (FAISS), keyword (BM25) and hybrid search with metadata filters.

Filters are applied before the top-k cut: a filtered search scores every chunk that passes
the filter, so it never comes back empty because the cut came first. Hybrid search fuses
the two rankings by reciprocal rank fusion (Cormack, Clarke & Büttcher 2009, k = 60),
``score(d) = Σ_r w_r / (k + rank_r(d))``, with configurable weights.

>>> r = Retriever.open(Settings())                      # doctest: +SKIP
>>> r.search("How did Morioka get cloud cost savings?", k=3).hits[0].chunk.id  # doctest: +SKIP
'sumida-dx-r05#006'
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.chunking import Chunk
from rag.embedding import BatchedEmbeddings, load_embeddings
from rag.indexing import StoredIndex, load_index
from rag.settings import Settings
from rag.tokenizing import Tokenizer
from rag.vectorstores import open_store

MODES = ("hybrid", "dense", "bm25")
FILTER_KEYS = (
    "doc",
    "city",
    "meeting",
    "section",
    "kind",
    "date_from",
    "date_to",
    "role",
    "speaker",
)
MAX_QUERY_CHARS = 2000


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

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "mode": self.mode,
            "hits": [h.to_json() for h in self.hits],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


class QueryError(ValueError):
    """A query or filter that cannot be run; the message names the field."""


def _norm(s: Any) -> str:
    return unicodedata.normalize("NFKC", str(s or "")).lower()


def parse_filters(items: Sequence[str]) -> dict[str, str]:
    """``["city=盛岡市", "date_from=2023-01-01"]`` → dict, checking the keys."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or key not in FILTER_KEYS:
            raise QueryError(
                f"filter {item!r}: use key=value with key one of {', '.join(FILTER_KEYS)}"
            )
        out[key] = value.strip()
    return out


def matches(meta: Mapping[str, Any], filters: Mapping[str, str]) -> bool:
    """Does a chunk's metadata pass every filter? Text comparisons are NFKC, case-blind."""
    for key, value in filters.items():
        v = _norm(value)
        if key == "doc" and _norm(meta.get("doc_id")) != v:
            return False
        if key in ("city", "meeting", "section"):
            field_value = meta.get(key) or (meta.get("section") if key == "meeting" else None)
            if v not in _norm(field_value):
                return False
        if key == "kind" and _norm(meta.get("kind")) != v:
            return False
        date = str(meta.get("date") or "")
        if key == "date_from" and (not date or date < value):
            return False
        if key == "date_to" and (not date or date[: len(value)] > value):
            return False
        if key == "role" and v not in [_norm(r) for r in meta.get("roles", [])]:
            return False
        if key == "speaker":
            people = [meta.get("questioner") or {}, *meta.get("answerers", [])]
            names = [_norm(p.get("name")) + " " + _norm(p.get("role")) for p in people]
            names += [_norm(s) for s in meta.get("speakers", [])]
            if not any(v in n for n in names):
                return False
    return True


def rrf(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = 60
) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked row lists; returns ``(row, score)`` best first."""
    scores: dict[int, float] = {}
    for name, rows in rankings.items():
        w = weights.get(name, 1.0)
        for rank, row in enumerate(rows, 1):
            scores[row] = scores.get(row, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))


class Retriever:
    """Search over a loaded index. Build once per process with :meth:`open`."""

    def __init__(
        self, index: StoredIndex, embeddings: BatchedEmbeddings, settings: Settings
    ) -> None:
        self.index = index
        self.embeddings = embeddings
        self.settings = settings
        self.tokenizer = Tokenizer(index.manifest["bm25"]["field"])
        self.places = self._place_names()
        self.store = open_store(settings, index, embeddings)
        self._keys: dict[int, str] = {}

    def _place_names(self) -> dict[str, str]:
        """Names by which a query can mention a visited city: 盛岡市, 盛岡, morioka."""
        names: dict[str, str] = {}
        cities = {str(c.metadata["city"]) for c in self.chunks if c.metadata.get("city")}
        for city in sorted(cities):
            names[_norm(city)] = city
            stem = city.rstrip("市区町村")
            if len(stem) >= 2:
                names[_norm(stem)] = city
            for tok in self.tokenizer(city):
                if tok.isascii() and len(tok) >= 4:
                    names[tok] = city
        return names

    def mentioned_places(self, query: str) -> set[str]:
        q = _norm(query)
        words = set(re.findall(r"[a-z]+", q))
        return {
            city
            for name, city in self.places.items()
            if (name in words if name.isascii() else name in q)
        }

    @classmethod
    def open(cls, settings: Settings, embeddings: BatchedEmbeddings | None = None) -> Retriever:
        index = load_index(settings)
        emb = embeddings or load_embeddings(settings.embed_model, settings.threads)
        return cls(index, emb, settings)

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    def _text_key(self, row: int) -> str:
        key = self._keys.get(row)
        if key is None:
            text = unicodedata.normalize("NFKC", self.chunks[row].text)
            key = self._keys[row] = re.sub(r"\s+", "", text)
        return key

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
                continue  # still look further for page-bearing copies of kept passages
            seen[key] = len(kept)
            kept.append((row, score))
        return kept

    def _allowed(self, filters: Mapping[str, str]) -> np.ndarray | None:
        if not filters:
            return None
        return np.asarray(
            [i for i, c in enumerate(self.chunks) if matches(c.metadata, filters)], dtype=np.int64
        )

    def dense_rank(
        self,
        q: np.ndarray,
        depth: int,
        allowed: np.ndarray | None,
        filters: Mapping[str, str],
        t: dict[str, float],
    ) -> list[int]:
        t0 = time.perf_counter()
        out = self.store.rank(q[0], depth, allowed, filters)
        t["dense"] = (time.perf_counter() - t0) * 1000
        return out

    def bm25_rank(
        self, query: str, depth: int, allowed: np.ndarray | None, t: dict[str, float]
    ) -> list[int]:
        t0 = time.perf_counter()
        scores = self.index.bm25.scores(self.tokenizer(query))
        if allowed is not None:
            mask = np.full(len(scores), -np.inf)
            mask[allowed] = scores[allowed]
            scores = mask
        candidates = np.flatnonzero(scores > 0)
        order = candidates[np.argsort(-scores[candidates], kind="stable")][:depth]
        t["bm25"] = (time.perf_counter() - t0) * 1000
        return [int(r) for r in order]

    def search(
        self,
        query: str,
        k: int = 5,
        mode: str = "hybrid",
        filters: Mapping[str, str] | None = None,
        weights: Mapping[str, float] | None = None,
    ) -> SearchResult:
        query = query.strip()
        if not query:
            raise QueryError("query: empty")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(f"query: {len(query)} characters, the limit is {MAX_QUERY_CHARS}")
        if mode not in MODES:
            raise QueryError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        timings: dict[str, float] = {}
        t_all = time.perf_counter()
        allowed = self._allowed(filters or {})
        depth = max(50, 5 * k)
        rankings: dict[str, list[int]] = {}
        q: np.ndarray | None = None
        if mode in ("dense", "hybrid"):
            t0 = time.perf_counter()
            q = self.embeddings.encode([query], is_query=True)
            timings["embed"] = (time.perf_counter() - t0) * 1000
            rankings["dense"] = self.dense_rank(q, depth, allowed, filters or {}, timings)
        if mode in ("bm25", "hybrid"):
            rankings["bm25"] = self.bm25_rank(query, depth, allowed, timings)
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
                    (row, sc + (bonus if self.chunks[row].metadata.get("city") in places else 0.0))
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
            rows = np.asarray([row for row, _ in fused], dtype=np.int64)
            sims = [float(x) for x in self.index.vectors(rows) @ q[0]]
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
        return SearchResult(query, mode, hits, timings, None if q is None else q[0])


class HybridRetriever(BaseRetriever):
    """LangChain face of :class:`Retriever`: ``invoke(query)`` returns Documents whose
    metadata carry the chunk id, score and provenance."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any
    k: int = 5
    mode: str = "hybrid"
    filters: dict[str, str] = {}

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        result = self.retriever.search(query, k=self.k, mode=self.mode, filters=self.filters)
        return [
            Document(
                page_content=h.chunk.text,
                id=h.chunk.id,
                metadata={**h.chunk.metadata, "id": h.chunk.id, "score": h.score, "rank": h.rank},
            )
            for h in result.hits
        ]
