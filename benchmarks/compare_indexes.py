"""Two indexes of the same documents, compared row by row: cosine between their vectors and
whether their BM25 matrices are the same (not a test; for a change of embedding engine).

    python -m benchmarks.compare_indexes OLD_INDEX_DIR NEW_INDEX_DIR
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rag.indexing import load_index
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    args = ap.parse_args()
    a = load_index(Settings(index_dir=args.old))
    b = load_index(Settings(index_dir=args.new))
    if [c.id for c in a.chunks] != [c.id for c in b.chunks]:
        raise SystemExit("the two indexes do not hold the same chunks in the same rows")
    n = len(a.chunks)
    cos = np.empty(n)
    for start in range(0, n, 10_000):
        rows = np.arange(start, min(n, start + 10_000))
        va, vb = a.vectors(rows), b.vectors(rows)
        cos[rows] = (va * vb).sum(1) / np.linalg.norm(va, axis=1) / np.linalg.norm(vb, axis=1)
    worst = int(cos.argmin())
    print(f"{n} chunks; cosine min {cos.min():.6f}, mean {cos.mean():.7f}")
    print(f"below 0.9999: {(cos < 0.9999).sum()}, below 0.999: {(cos < 0.999).sum()}")
    print(f"lowest: row {worst}, {a.chunks[worst].embed_text[:80]!r}")
    print(f"BM25 the same: {a.bm25.same_as(b.bm25)}")


if __name__ == "__main__":
    main()
