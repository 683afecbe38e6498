"""Vector stores behind LangChain's ``VectorStore`` interface: FAISS (default) and Milvus.

Both answer the same question for :class:`rag.retrieval.Retriever`: the chunk rows nearest
a query vector, with the caller's filters applied *before* the cut. Both are also plain
LangChain ``VectorStore`` objects (``similarity_search``, ``as_retriever()``…), so a LangChain
user can plug either into their own chain.

- :class:`FaissChunkStore` wraps the FAISS index that ``rag ingest`` writes next to the
  chunks (flat below ``ann_threshold`` chunks, HNSW above). With filters it scores the
  matching rows exactly.
- :class:`MilvusChunkStore` keeps the vectors and the filterable metadata in a Milvus
  collection through ``langchain_milvus.Milvus``: ``milvus-lite`` (a local file, used in the
  tests) or a Milvus server or cluster by URI (``RAG_MILVUS_URI=http://milvus:19530``).
  ``rag ingest`` keeps the collection in step with the index (upserts what changed,
  deletes what was removed). Filters become a Milvus boolean expression.

BM25 stays in-process (fugashi tokens) on both backends: see docs/scaling.md for why.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

COLLECTION = "gikai_chunks"
MILVUS_FIELDS = ("doc_id", "city", "meeting", "date", "kind", "roles", "speakers")


class FaissChunkStore(VectorStore):
    """The FAISS index of a :class:`rag.indexing.StoredIndex`, as a LangChain VectorStore."""

    def __init__(self, index: Any, embeddings: Embeddings) -> None:
        self.index = index
        self._embeddings = embeddings

    @property
    def embeddings(self) -> Embeddings:
        return self._embeddings

    def rank(
        self,
        q: np.ndarray,
        depth: int,
        allowed: np.ndarray | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Rows nearest ``q``; with ``allowed`` rows (the filters, resolved by the caller),
        exact over those."""
        if allowed is None:
            _, rows = self.index.dense.search(q[None, :], min(depth, len(self.index.chunks)))
            return [int(r) for r in rows[0] if r >= 0]
        sims = self.index.vectors(allowed) @ q
        order = np.argsort(-sims, kind="stable")[:depth]
        return [int(allowed[i]) for i in order]

    def similarity_search_with_score_by_vector(
        self, embedding: list[float], k: int = 4, filter: Mapping[str, str] | None = None, **_: Any
    ) -> list[tuple[Document, float]]:
        from rag.retrieval import matches

        q = np.asarray(embedding, dtype=np.float32)
        allowed = None
        if filter:
            chunks = self.index.chunks
            allowed = np.asarray(
                [i for i, c in enumerate(chunks) if matches(c.metadata, filter)], dtype=np.int64
            )
        rows = self.rank(q, k, allowed)
        sims = self.index.vectors(np.asarray(rows, dtype=np.int64)) @ q if rows else []
        return [
            (_document(self.index.chunks[r]), float(s)) for r, s in zip(rows, sims, strict=True)
        ]

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


def _document(chunk: Any) -> Document:
    return Document(page_content=chunk.text, metadata={"id": chunk.id, **chunk.metadata})


def milvus_metadata(meta: Mapping[str, Any]) -> dict[str, Any]:
    """The filterable fields, flat, as Milvus stores them (no nulls)."""
    return {
        "doc_id": str(meta.get("doc_id") or ""),
        "city": str(meta.get("city") or ""),
        "meeting": str(meta.get("meeting") or meta.get("section") or ""),
        "date": str(meta.get("date") or ""),
        "kind": str(meta.get("kind") or ""),
        "roles": list(meta.get("roles") or []),
        "speakers": json.dumps(meta.get("speakers") or [], ensure_ascii=False),
    }


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a double-quoted, escaped string literal


def milvus_expr(filters: Mapping[str, str]) -> str:
    """Our filters as a Milvus boolean expression (``rag.retrieval.matches`` semantics,
    except that text matches are exact-substring without NFKC folding)."""
    parts = []
    for key, value in filters.items():
        if key == "doc":
            parts.append(f"doc_id == {_quote(value)}")
        elif key in ("city", "meeting", "section"):
            field = "meeting" if key == "section" else key
            parts.append(f"{field} like {_quote('%' + value.replace('%', '') + '%')}")
        elif key == "kind":
            parts.append(f"kind == {_quote(value)}")
        elif key == "date_from":
            parts.append(f'(date != "" and date >= {_quote(value)})')
        elif key == "date_to":
            parts.append(f'(date != "" and date <= {_quote(value + "~")})')
        elif key == "role":
            parts.append(f"json_contains(roles, {_quote(value)})")
        elif key == "speaker":
            parts.append(f"speakers like {_quote('%' + value.replace('%', '') + '%')}")
    return " and ".join(parts)


class MilvusChunkStore:
    """Chunks' vectors in Milvus, behind ``langchain_milvus.Milvus`` (a VectorStore)."""

    def __init__(self, uri: str, embeddings: Embeddings, ids: Sequence[str], dim: int) -> None:
        from langchain_milvus import Milvus

        self.uri = uri
        self.rows = {chunk_id: n for n, chunk_id in enumerate(ids)}
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
        self.dim = dim

    def sync(
        self,
        chunks: Sequence[Any],
        vectors: np.ndarray,
        refresh: Iterable[str] = (),
        batch: int = 1000,
    ) -> dict[str, int]:
        """Make the collection hold exactly ``chunks``: add what it lacks, replace the chunks
        of the documents in ``refresh`` (added or changed), delete what is gone."""
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
                embeddings=vectors[rows].tolist(),
                metadatas=[milvus_metadata(chunks[i].metadata) for i in rows],
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

    def rank(
        self,
        q: np.ndarray,
        depth: int,
        allowed: np.ndarray | None = None,
        filters: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Rows nearest ``q``; Milvus applies ``filters`` itself, before the cut."""
        expr = milvus_expr(filters or {}) or None
        found = self.store.similarity_search_with_score_by_vector(q.tolist(), k=depth, expr=expr)
        return [self.rows[d.metadata["id"]] for d, _ in found if d.metadata.get("id") in self.rows]


def open_store(settings: Any, index: Any, embeddings: Any) -> FaissChunkStore | MilvusChunkStore:
    """The dense store the settings name, over the chunks of ``index``."""
    if settings.vector_store == "milvus":
        ids = [c.id for c in index.chunks]
        return MilvusChunkStore(settings.milvus_target, embeddings, ids, embeddings.dim)
    return FaissChunkStore(index, embeddings)
