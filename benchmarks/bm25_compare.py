"""rag.bm25 against bm25s on the same fugashi tokens (not a test): build time, query time,
and how far the scores differ.

    RAG_INDEX_DIR=/path/to/index python -m benchmarks.bm25_compare [--queries 200]

The tokens are those the index stores (format 2) or its BM25 counts give back (format 3).
bm25s's ``lucene`` method has the same idf, ``log(1 + (N - df + 0.5) / (df + 0.5))``, but leaves out BM25's ``(k1 + 1)``
factor and keeps float32 weights; its scores are compared after multiplying by ``k1 + 1``.
bm25s is not a dependency: install it to run this (``pip install bm25s``).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import numpy as np

from rag.bm25 import BM25
from rag.indexing import load_index
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    import bm25s

    index = load_index(Settings.from_env())
    n = len(index.chunks)
    tokens = [index.tokens(range(a, min(a + 5000, n))) for a in range(0, n, 5000)]
    docs = [part[r] for part in tokens for r in sorted(part)]
    rng = random.Random(3)
    queries = [rng.sample(d, min(len(d), 6)) for d in rng.sample(docs, args.queries) if d]

    t0 = time.perf_counter()
    ours = BM25.build(docs, k1=index.bm25.k1, b=index.bm25.b)
    ours_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = bm25s.BM25(method="lucene", k1=ours.k1, b=ours.b)
    theirs.index(docs, show_progress=False)
    theirs_build = time.perf_counter() - t0

    ms_ours, ms_theirs, diffs, same_top = [], [], [], 0
    for q in queries:
        t0 = time.perf_counter()
        a = ours.scores(q)
        ms_ours.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        b = np.asarray(theirs.get_scores(q), dtype=np.float64) * (ours.k1 + 1)
        ms_theirs.append((time.perf_counter() - t0) * 1000)
        diffs.append(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-9))))
        same_top += list(np.argsort(-a, kind="stable")[:10]) == list(
            np.argsort(-b, kind="stable")[:10]
        )
    print(f"{n} chunks, {ours.matrix.nnz} weights, {len(queries)} queries of ≤ 6 tokens")
    print(f"build       rag.bm25 {ours_build:.2f} s   bm25s {theirs_build:.2f} s")
    for name, ms in (("rag.bm25", ms_ours), ("bm25s", ms_theirs)):
        q = statistics.quantiles(ms, n=100)
        print(f"query       {name:<9} p50 {q[49]:.2f} ms  p95 {q[94]:.2f} ms")
    print(
        f"scores      max relative difference {max(diffs):.2e}; same top 10: {same_top}/{len(queries)}"
    )


if __name__ == "__main__":
    main()
