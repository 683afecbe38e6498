"""Keyword retrieval: Okapi BM25 over :mod:`rag.tokenizing` tokens, as a sparse matrix.

Scores follow Robertson et al.'s BM25 with Lucene's non-negative idf
``log(1 + (N - df + 0.5) / (df + 0.5))``; ``idf="okapi"`` gives the classic
``log((N - df + 0.5) / (df + 0.5))`` used by ``rank_bm25.BM25Okapi``.

>>> bm = BM25.build([["盛岡", "クラウド"], ["仙台", "ドローン"]])
>>> bm.scores(["クラウド"]).argmax()
0
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse


class BM25:
    def __init__(
        self, matrix: sparse.csc_matrix, vocab: dict[str, int], k1: float, b: float, idf: str
    ) -> None:
        self.matrix = matrix.tocsc()  # (n_docs, n_terms), each entry a term's full BM25 weight
        self.vocab = vocab
        self.k1, self.b, self.idf = k1, b, idf
        self._df = np.diff(matrix.tocsc().indptr)  # documents holding each term

    @classmethod
    def build(
        cls, docs: Sequence[Sequence[str]], k1: float = 1.5, b: float = 0.75, idf: str = "lucene"
    ) -> BM25:
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
        ratio = (n - df + 0.5) / (df + 0.5)
        idf_v = np.log1p(ratio) if idf == "lucene" else np.log(ratio)
        avgdl = lengths.mean() if n else 0.0
        norm = k1 * (1 - b + b * lengths / max(avgdl, 1e-9))
        tf = tf.tocoo()
        weights = idf_v[tf.col] * tf.data * (k1 + 1) / (tf.data + norm[tf.row])
        matrix = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)
        return cls(matrix, vocab, k1, b, idf)

    def idf_of(self, term: str) -> float:
        """Lucene idf of a term; a term the index never saw gets the largest idf."""
        n = self.matrix.shape[0]
        j = self.vocab.get(term)
        df = 0 if j is None else int(self._df[j])
        return float(np.log1p((n - df + 0.5) / (df + 0.5)))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (repeated terms count again)."""
        out = np.zeros(self.matrix.shape[0], dtype=np.float64)
        m = self.matrix  # CSC: column j is data[indptr[j]:indptr[j + 1]], rows unique
        for t in query_tokens:
            j = self.vocab.get(t)
            if j is not None:
                a, z = m.indptr[j], m.indptr[j + 1]
                out[m.indices[a:z]] += m.data[a:z]
        return out

    def rows_with_all(self, terms: Sequence[str]) -> np.ndarray:
        """The documents that hold every one of ``terms`` (sorted row numbers)."""
        m = self.matrix
        rows: np.ndarray | None = None
        for t in dict.fromkeys(terms):
            j = self.vocab.get(t)
            if j is None:
                return np.empty(0, dtype=np.int64)
            held = np.asarray(m.indices[m.indptr[j] : m.indptr[j + 1]], dtype=np.int64)
            rows = np.sort(held) if rows is None else np.intersect1d(rows, held)
        return rows if rows is not None else np.empty(0, dtype=np.int64)

    def save(self, folder: Path) -> None:
        """Write the matrix as three raw ``.npy`` arrays (memory-mapped by :meth:`load`) and
        the vocabulary and parameters as ``bm25.json``."""
        m = self.matrix.tocsc()
        index = np.int32 if max(m.nnz, m.shape[0]) < 2**31 - 1 else np.int64
        for name, arr in (("data", m.data), ("indices", m.indices), ("indptr", m.indptr)):
            arr = np.ascontiguousarray(arr, dtype=arr.dtype if name == "data" else index)
            with (folder / f"bm25.{name}.npy").open("wb") as fh:  # a full disk: ENOSPC
                np.lib.format.write_array_header_1_0(
                    fh, np.lib.format.header_data_from_array_1_0(arr)
                )
                fh.write(arr.data)  # C-contiguous: its bytes as laid out
        meta = {
            "k1": self.k1,
            "b": self.b,
            "idf": self.idf,
            "shape": list(m.shape),
            "vocab": self.vocab,
        }
        (folder / "bm25.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> BM25:
        """Open what :meth:`save` wrote, the arrays memory-mapped (read-only, paged in as
        queries touch their columns); an index of format 1 (``bm25.npz``) is read whole."""
        meta = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        if (folder / "bm25.npz").exists():
            matrix = sparse.load_npz(folder / "bm25.npz").tocsc()
        else:
            arrays = [_mapped(folder / f"bm25.{n}.npy") for n in FILES]
            shape = tuple(int(x) for x in meta["shape"])
            if len(arrays[2]) != shape[1] + 1 or len(arrays[0]) != len(arrays[1]):
                raise ValueError(f"bm25 arrays of {shape} do not fit together")
            matrix = sparse.csc_matrix(tuple(arrays), shape=shape, copy=False)
        return cls(matrix, meta["vocab"], meta["k1"], meta["b"], meta["idf"])


FILES = ("data", "indices", "indptr")  # bm25.<name>.npy


def _mapped(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError) as e:
        raise ValueError(f"{path.name}: {e}") from e
