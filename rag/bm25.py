"""Keyword retrieval: Okapi BM25 over :mod:`rag.tokenizing` tokens, as a sparse matrix.

Scores follow Robertson et al.'s BM25 with Lucene's non-negative idf
``log(1 + (N - df + 0.5) / (df + 0.5))``; ``idf="okapi"`` gives the classic
``log((N - df + 0.5) / (df + 0.5))`` used by ``rank_bm25.BM25Okapi``.

The index keeps each term's count in each document (``uint16``, CSC) and each document's
length; a query weighs the postings of its own terms, with the arithmetic of the build, so
the scores are the ones a matrix of precomputed float64 weights gives, from half the
bytes (the weights a quarter, the row indices as before). The counts also give back each document's bag of tokens (:meth:`BM25.bags`),
which an incremental ingest reuses instead of storing the tokens again. An index written
before (format 1 or 2) holds the weights themselves, and is read as such.

>>> bm = BM25.build([["盛岡", "クラウド"], ["仙台", "ドローン"]])
>>> int(bm.scores(["クラウド"]).argmax())
0
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

FILES = ("tf", "indices", "indptr", "lengths")  # bm25.<name>.npy
LEGACY_FILES = ("data", "indices", "indptr")  # format 2: the weights themselves


class BM25:
    def __init__(
        self,
        matrix: sparse.csc_matrix,
        lengths: np.ndarray | None,
        vocab: dict[str, int],
        k1: float,
        b: float,
        idf: str,
    ) -> None:
        # (n_docs, n_terms), non-zero where a document holds a term: the term's count, or
        # its whole BM25 weight when ``lengths`` is None (an index of format 1 or 2)
        self.matrix = matrix if matrix.format == "csc" else matrix.tocsc()
        self.lengths = lengths
        self.vocab = vocab
        self.k1, self.b, self.idf = k1, b, idf
        self._df = np.diff(self.matrix.indptr)  # documents holding each term
        n = self.matrix.shape[0]
        self._idf = _idf(n, self._df, idf)
        self._norm: np.ndarray | None = None
        if lengths is not None:
            self._norm = self.saturation(lengths)

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
        wide = bool(vals) and max(vals) > np.iinfo(np.uint16).max  # never seen in minutes
        tf = sparse.csc_matrix(
            (np.asarray(vals, dtype=np.uint32 if wide else np.uint16), (rows, cols)),
            shape=(len(docs), len(vocab)),
        )
        tf.sort_indices()
        return cls(tf, lengths, vocab, k1, b, idf)

    def df_of(self, term: str) -> int:
        """Documents holding ``term`` (0 for a term the index never saw)."""
        j = self.vocab.get(term)
        return 0 if j is None else int(self._df[j])

    def idf_of(self, term: str) -> float:
        """Lucene idf of a term; a term the index never saw gets the largest idf."""
        j = self.vocab.get(term)
        df = 0 if j is None else int(self._df[j])
        return float(_idf(self.matrix.shape[0], df, "lucene"))

    def idf_of_df(self, df: int) -> float:
        """The idf this index's scores use (:attr:`idf`) for a term held by ``df`` documents."""
        return float(_idf(self.matrix.shape[0], df, self.idf))

    def saturation(self, lengths: np.ndarray) -> np.ndarray:
        """``k1 * (1 - b + b * length / mean length)`` of each document: the term-frequency
        saturation this index's scores divide by, for documents of ``lengths``."""
        avgdl = float(lengths.mean()) if len(lengths) else 0.0
        return np.asarray(self.k1 * (1 - self.b + self.b * lengths / max(avgdl, 1e-9)))

    @property
    def counts(self) -> bool:
        """Whether the matrix holds term counts (not an older index's precomputed weights)."""
        return self.lengths is not None

    def _column(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding term ``j`` and the term's BM25 weight in each."""
        m = self.matrix  # CSC: column j is data[indptr[j]:indptr[j + 1]], rows unique
        a, z = m.indptr[j], m.indptr[j + 1]
        rows = m.indices[a:z]
        if self._norm is None:
            return rows, m.data[a:z]
        tf = m.data[a:z].astype(np.float64)
        return rows, self._idf[j] * tf * (self.k1 + 1) / (tf + self._norm[rows])

    def present(self, rows: np.ndarray, terms: Sequence[int]) -> np.ndarray:
        """``(len(rows), len(terms))`` booleans: whether each row holds each term (a column
        of the matrix; a stored zero counts as absent). Each candidate row is looked up in
        the term's sorted postings, so a query touches ``len(rows) * len(terms)`` entries;
        the row-major copy of the queried columns this replaced took 5 ms on the archive."""
        m = self.matrix
        rows = np.asarray(rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= m.shape[0]):
            raise IndexError(f"rows outside 0..{m.shape[0] - 1}")
        if not m.has_sorted_indices:  # never written so; an older index, read the long way
            return np.asarray((m[:, list(terms)].tocsr()[rows] != 0).toarray())
        rows = rows.astype(m.indices.dtype)  # else searchsorted copies every posting list
        out = np.zeros((len(rows), len(terms)), dtype=bool)
        for k, j in enumerate(terms):  # term columns come from the vocabulary
            a, z = int(m.indptr[j]), int(m.indptr[j + 1])
            if z == a:
                continue
            held = m.indices[a:z]
            at = np.minimum(np.searchsorted(held, rows), z - a - 1)
            out[:, k] = (held[at] == rows) & (m.data[a:z][at] != 0)
        return out

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query (repeated terms count again)."""
        out = np.zeros(self.matrix.shape[0], dtype=np.float64)
        for t in query_tokens:
            j = self.vocab.get(t)
            if j is not None:
                rows, weights = self._column(j)
                out[rows] += weights
        return out

    def scores_any(self, groups: Sequence[Sequence[tuple[Sequence[str], float]]]) -> np.ndarray:
        """BM25 score of every document for a query whose terms come in groups of
        alternatives, each alternative a few tokens with a weight: the translations of one
        English word (cost → 費用, コスト, 経費). A group is scored as one term, the
        structured query of cross-language retrieval (Pirkola 1998):

        - its idf is that of the documents holding any alternative, so a rare wrong sense
          of a word weighs no more than its common sense; the other side of it: a common
          wrong sense lowers the idf of the whole group (Darwish & Oard 2003 weight each
          alternative's document frequency by its translation probability instead; our
          weights are ranks, not probabilities);
        - a document gets the best alternative's weighted term-frequency part (its BM25
          weight over its idf), so a word with four translations counts once, not four
          times.

        An alternative of several tokens (補聴器 held as 補聴 + 器) scores only in documents
        that hold all of them but a one-character suffix (:meth:`_all_of`); its
        term-frequency part is its tokens' BM25 weights over their summed idf (a missing
        suffix adds nothing). An alternative of weight 0 is no translation. Groups of one
        plain token score as :meth:`scores` does, in one pass."""

        def plain(group: Sequence[tuple[Sequence[str], float]]) -> bool:  # one token, weight 1
            return len(group) == 1 and len(group[0][0]) == 1 and group[0][1] == 1

        out = self.scores([g[0][0][0] for g in groups if plain(g)])
        for group in groups:
            if plain(group):
                continue
            best = np.zeros_like(out)
            for tokens, weight in group:  # each alternative's postings, not whole arrays
                rows, w = self._all_of(tokens)
                idf = sum(self._idf[self.vocab[t]] for t in tokens if t in self.vocab)
                if len(rows) and idf != 0 and weight > 0:  # okapi's idf may be negative
                    best[rows] = np.maximum(best[rows], weight * w / idf)
            # the documents holding any alternative are those it scores in
            out = out + self.idf_of_df(int(np.count_nonzero(best))) * best
        return out

    def _all_of(self, tokens: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(rows, BM25 score of ``tokens`` in each) over the documents that hold every token
        of more than one character: a suffix (的 of 一時的, 金 of 助成金) may be missing, the
        stem may not (保護金 is not 金 alone); every token when none is longer."""
        distinct = list(dict.fromkeys(tokens))
        needed = [t for t in distinct if len(t) > 1] or distinct
        columns = {}
        for t in distinct:
            j = self.vocab.get(t)
            if j is not None:
                rows, w = self._column(j)
                if not self.matrix.has_sorted_indices:  # an older index: sort for lookups
                    order = np.argsort(rows, kind="stable")
                    rows, w = rows[order], w[order]
                columns[t] = (rows, w)
        if any(t not in columns for t in needed):
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        rows = columns[needed[0]][0]
        for t in needed[1:]:
            rows = np.intersect1d(rows, columns[t][0], assume_unique=True)
        score = np.zeros(len(rows))
        for t in tokens:  # a repeated token counts again, as in scores()
            if t in columns and len(columns[t][0]):
                held, w = columns[t]
                at = np.minimum(np.searchsorted(held, rows), len(held) - 1)
                score += np.where(held[at] == rows, w[at], 0.0)
        return rows, score

    def weights(self) -> np.ndarray:
        """Every non-zero weight, in the matrix's (CSC) order."""
        if self._norm is None:
            return np.asarray(self.matrix.data, dtype=np.float64)
        m = self.matrix
        terms = np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))
        tf = m.data.astype(np.float64)
        return self._idf[terms] * tf * (self.k1 + 1) / (tf + self._norm[m.indices])

    def same_as(self, other: BM25) -> bool:
        """Whether both give every document the same score for every query."""
        a, b = self.matrix, other.matrix
        if not (
            a.shape == b.shape
            and a.nnz == b.nnz
            and self.vocab == other.vocab
            and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices)
        ):
            return False
        if self.lengths is not None and other.lengths is not None:  # both counts
            return bool(
                (self.k1, self.b, self.idf) == (other.k1, other.b, other.idf)
                and np.array_equal(a.data, b.data)
                and np.array_equal(self.lengths, other.lengths)
            )
        return bool(np.array_equal(self.weights(), other.weights()))

    def bags(self, rows: Iterable[int]) -> dict[int, list[str]]:
        """The tokens of each of ``rows`` as a bag (each term as often as it occurs, terms
        in the order they first entered the vocabulary); empty for an index that holds
        weights rather than counts."""
        if self._norm is None:
            return {}
        terms = list(self.vocab)
        if any(self.vocab[t] != j for j, t in enumerate(terms)):  # ids not 0..n-1 in order
            terms = [t for t, _ in sorted(self.vocab.items(), key=lambda kv: kv[1])]
        csr = self.matrix.tocsr()
        csr.sort_indices()
        out: dict[int, list[str]] = {}
        for r in rows:
            a, z = csr.indptr[r], csr.indptr[r + 1]
            counts = zip(csr.indices[a:z].tolist(), csr.data[a:z].tolist(), strict=True)
            out[int(r)] = [terms[j] for j, n in counts for _ in range(n)]
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
        """Write the counts as raw ``.npy`` arrays (memory-mapped by :meth:`load`) and the
        vocabulary and parameters as ``bm25.json``."""
        if self.lengths is None:
            raise ValueError("an index read from weights (format 1 or 2) is not saved again")
        m = self.matrix
        index = np.int32 if max(m.nnz, m.shape[0]) < 2**31 - 1 else np.int64
        arrays = {
            "tf": np.asarray(m.data),  # uint16, or uint32 if a chunk repeats a term more
            "indices": np.asarray(m.indices, dtype=index),
            "indptr": np.asarray(m.indptr, dtype=index),
            "lengths": np.asarray(self.lengths, dtype=np.uint32),
        }
        for name in FILES:
            arr = np.ascontiguousarray(arrays[name])
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
        queries touch their columns). An index of format 2 (``bm25.data.npy``, the weights)
        is mapped too; one of format 1 (``bm25.npz``) is read whole."""
        meta = json.loads((folder / "bm25.json").read_text(encoding="utf-8"))
        lengths = None
        if (folder / "bm25.npz").exists():
            matrix = sparse.load_npz(folder / "bm25.npz").tocsc()
        else:
            shape = tuple(int(x) for x in meta["shape"])
            counted = (folder / "bm25.tf.npy").exists()
            names = FILES[:3] if counted else LEGACY_FILES
            arrays = [_mapped(folder / f"bm25.{n}.npy") for n in names]
            if len(arrays[2]) != shape[1] + 1 or len(arrays[0]) != len(arrays[1]):
                raise ValueError(f"bm25 arrays of {shape} do not fit together")
            matrix = sparse.csc_matrix(tuple(arrays), shape=shape, copy=False)
            if counted:
                matrix.has_sorted_indices = True  # as build() wrote it: no scan at a query
                lengths = np.asarray(_mapped(folder / "bm25.lengths.npy"), dtype=np.float64)
                if len(lengths) != shape[0]:
                    raise ValueError(
                        f"bm25.lengths.npy: {len(lengths)} lengths for {shape[0]} rows"
                    )
        return cls(matrix, lengths, meta["vocab"], meta["k1"], meta["b"], meta["idf"])


def _idf(n: int, df: Any, kind: str) -> Any:
    """Lucene's non-negative idf ``log(1 + (N - df + 0.5) / (df + 0.5))``, or the classic
    ``log((N - df + 0.5) / (df + 0.5))`` (``kind="okapi"``), of a count or an array."""
    ratio = (n - df + 0.5) / (df + 0.5)
    return np.log1p(ratio) if kind == "lucene" else np.log(ratio)


def _mapped(path: Path) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError) as e:
        raise ValueError(f"{path.name}: {e}") from e
