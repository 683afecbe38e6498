"""Dense stores: the chunk ids nearest a query vector, under a filter, with similarities.

:class:`DenseStore` is the one seam the retriever uses; two stores implement it.

- :class:`FaissChunkStore` wraps the FAISS index that ``rag ingest`` writes next to the
  chunks (flat below ``ann_threshold`` chunks, HNSW above). With filters it scores the
  matching rows exactly. It is also a LangChain ``VectorStore`` (``similarity_search``,
  ``as_retriever()``…), so a LangChain user can plug it into their own chain.
- :class:`MilvusChunkStore` keeps the vectors and the filterable metadata in a Milvus
  collection through ``langchain_milvus.Milvus`` (itself a LangChain ``VectorStore``, as
  ``.store``): ``milvus-lite`` (a local file, used in the tests) or a Milvus server or
  cluster by URI (``RAG_MILVUS_URI=http://milvus:19530``). Milvus applies the filters (as a
  boolean expression) and returns its own scores; no FAISS file is written or read.
  ``rag ingest`` keeps the collection in step with the index (upserts what changed,
  deletes what was removed).

BM25 stays in-process (fugashi tokens) on both backends: see docs/scaling.md for why.

>>> store.rank(query_vector, 10, Filters(city="盛岡市"))   # doctest: +SKIP
[('sumida-dx-r05#006', 0.61), ...]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from rag.chunking import Chunk
from rag.filters import Filters, milvus_fields

COLLECTION = "gikai_chunks"
VectorSource = np.ndarray | Callable[[Sequence[int]], np.ndarray]


class DenseStore(Protocol):
    """Nearest chunks to a unit query vector, filters applied before the cut."""

    def rank(self, vector: np.ndarray, depth: int, where: Filters) -> list[tuple[str, float]]:
        """Up to ``depth`` ``(chunk id, similarity)`` pairs passing ``where``, best first."""
        ...

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> list[float | None]:
        """The similarity of ``vector`` to each chunk of ``ids`` (None where unknown)."""
        ...


class FaissChunkStore(VectorStore):
    """Chunks and their FAISS index (as ``rag ingest`` wrote them), as a LangChain
    VectorStore and a :class:`DenseStore`."""

    def __init__(self, chunks: Sequence[Chunk], dense: Any, embeddings: Embeddings) -> None:
        self.chunks = chunks
        self.dense = dense  # faiss.Index whose row n is chunks[n]
        self._embeddings = embeddings
        self._rows = {c.id: n for n, c in enumerate(chunks)}
        self._allowed: tuple[Filters, np.ndarray] | None = None

    @property
    def embeddings(self) -> Embeddings:
        return self._embeddings

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) == 0:
            return np.zeros((0, self.dense.d), dtype=np.float32)
        return np.asarray(self.dense.reconstruct_batch(rows), dtype=np.float32)

    def _rows_passing(self, where: Filters) -> np.ndarray:
        last = self._allowed  # read once: other threads may search meanwhile
        if last is None or last[0] != where:
            rows = [n for n, c in enumerate(self.chunks) if where.matches(c.metadata)]
            last = self._allowed = (where, np.asarray(rows, dtype=np.int64))
        return last[1]

    def rank(self, vector: np.ndarray, depth: int, where: Filters) -> list[tuple[str, float]]:
        if not where:
            sims, rows = self.dense.search(vector[None, :], min(depth, len(self.chunks)))
            found = [(int(r), float(s)) for r, s in zip(rows[0], sims[0], strict=True) if r >= 0]
        else:
            allowed = self._rows_passing(where)
            scores = self.vectors(allowed) @ vector
            order = np.argsort(-scores, kind="stable")[:depth]
            found = [(int(allowed[i]), float(scores[i])) for i in order]
        return [(self.chunks[r].id, s) for r, s in found]

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> list[float | None]:
        rows = np.asarray([self._rows[i] for i in ids], dtype=np.int64)
        return [float(x) for x in self.vectors(rows) @ vector]

    def similarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4, filter: Any = None, **_: Any
    ) -> list[tuple[Document, float]]:
        found = self.rank(np.asarray(embedding, dtype=np.float32), k, Filters.parse(filter))
        return [(_document(self.chunks[self._rows[i]]), s) for i, s in found]

    def similarity_search_by_vector(
        self, embedding: list[float], k: int = 4, **kwargs: Any
    ) -> list[Document]:
        return [d for d, _ in self.similarity_search_with_score_by_vector(embedding, k, **kwargs)]

    def similarity_search(self, query: str, k: int = 4, **kwargs: Any) -> list[Document]:
        return self.similarity_search_by_vector(self._embeddings.embed_query(query), k, **kwargs)

    def similarity_search_with_score(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        vector = self._embeddings.embed_query(query)
        return self.similarity_search_with_score_by_vector(vector, k, **kwargs)

    def add_texts(self, texts: Iterable[str], metadatas: Any = None, **kwargs: Any) -> list[str]:
        raise NotImplementedError("the FAISS store is written by `rag ingest`, not added to")

    @classmethod
    def from_texts(
        cls, texts: list[str], embedding: Embeddings, metadatas: Any = None, **kwargs: Any
    ) -> FaissChunkStore:
        raise NotImplementedError("build the index with `rag ingest`, then open it")


def _document(chunk: Chunk) -> Document:
    return Document(page_content=chunk.text, metadata={"id": chunk.id, **chunk.metadata})


class MilvusChunkStore:
    """Chunks' vectors in Milvus, behind ``langchain_milvus.Milvus`` (``.store``, a
    LangChain VectorStore); a :class:`DenseStore`."""

    def __init__(self, uri: str, embeddings: Embeddings) -> None:
        from langchain_milvus import Milvus

        self.uri = uri
        self.store = Milvus(
            embedding_function=embeddings,
            collection_name=COLLECTION,
            connection_args={"uri": uri},
            primary_field="id",
            auto_id=False,
            index_params={"index_type": "AUTOINDEX", "metric_type": "IP"},
            search_params={"metric_type": "IP"},
            consistency_level="Strong",
            enable_dynamic_field=True,
        )

    def sync(
        self,
        chunks: Sequence[Chunk],
        vectors: VectorSource,
        refresh: Iterable[str] = (),
        batch: int = 1000,
    ) -> dict[str, int]:
        """Make the collection hold exactly ``chunks``: add what it lacks, replace the chunks
        of the documents in ``refresh`` (added or changed), delete what is gone.

        ``vectors`` is the array of all chunks' vectors, or a function giving the vectors
        of some rows (called only for the rows to add)."""
        vectors_of = vectors.__getitem__ if isinstance(vectors, np.ndarray) else vectors
        have = set(self.ids())
        fresh = set(refresh)
        todo = [
            i for i, c in enumerate(chunks) if c.id not in have or c.metadata["doc_id"] in fresh
        ]
        gone = sorted(have - {c.id for c in chunks})
        replaced = [chunks[i].id for i in todo if chunks[i].id in have]
        for a in range(0, len(gone + replaced), batch):
            self.store.delete(ids=(gone + replaced)[a : a + batch])
        for a in range(0, len(todo), batch):
            rows = todo[a : a + batch]
            self.store.add_embeddings(
                texts=[chunks[i].text for i in rows],
                embeddings=np.asarray(vectors_of(rows), dtype=np.float32).tolist(),
                metadatas=[milvus_fields(chunks[i].metadata) for i in rows],
                ids=[chunks[i].id for i in rows],
            )
        return {"added": len(todo) - len(replaced), "replaced": len(replaced), "deleted": len(gone)}

    def count(self) -> int:
        client = self.store.client
        if not client.has_collection(COLLECTION):
            return 0
        return int(client.get_collection_stats(COLLECTION)["row_count"])

    def ids(self) -> list[str]:
        client = self.store.client
        if not client.has_collection(COLLECTION):
            return []
        out: list[str] = []
        iterator = client.query_iterator(
            COLLECTION, filter="", output_fields=["id"], batch_size=1000
        )
        while batch := iterator.next():
            out.extend(str(r["id"]) for r in batch)
        iterator.close()
        return out

    def _search(self, vector: np.ndarray, k: int, expr: str | None) -> list[tuple[str, float]]:
        found = self.store.similarity_search_with_score_by_vector(
            np.asarray(vector, dtype=np.float32).tolist(), k=k, expr=expr
        )
        return [(str(d.metadata["id"]), float(s)) for d, s in found if d.metadata.get("id")]

    def rank(self, vector: np.ndarray, depth: int, where: Filters) -> list[tuple[str, float]]:
        return self._search(vector, depth, where.milvus_expr() or None)

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> list[float | None]:
        if not ids:
            return []
        expr = f"id in {json.dumps(list(ids), ensure_ascii=False)}"
        scores = dict(self._search(vector, len(ids), expr))
        return [scores.get(i) for i in ids]
