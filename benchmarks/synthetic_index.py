"""A synthetic index several times the size of a real one, in the current format (not a test).

    python -m benchmarks.synthetic_index --source /data/scale-index --times 3 --out /tmp/idx300k
    RAG_INDEX_DIR=/tmp/idx300k python -m benchmarks.footprint --queries 200

Each chunk of the source index is repeated ``--times`` times (ids suffixed ``~k``, the
same text and metadata), its vector perturbed with Gaussian noise (σ = 0.05 per dimension,
renormalised, as ``benchmarks.scale --synthetic`` does) so that the copies are near, not
equal, and the BM25 counts stacked. The generation is written by the same code as
``rag ingest`` (chunk table, float16 HNSW above the threshold, BM25 counts), so
``benchmarks.footprint`` measures start-up, RSS and query time at that size. The source's
fitted reranker and term list are copied, so opening does not fit them again.

What it does not model: the BM25 idf of a corpus with that many *distinct* documents (every
term's document frequency is multiplied), and the document-level runs of the chunk table
(the copies share their document's, so the table's ``parts`` stays the source's size).
"""

from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np
from scipy import sparse

from rag.bilingual import LEXICON_FILE
from rag.bm25 import BM25
from rag.chunking import Chunk
from rag.indexing import FORMAT_VERSION, build_dense, load_index, write_generation
from rag.rerank import RERANKER_FILE
from rag.settings import Settings

NOISE = 0.05
CARRIED = (RERANKER_FILE, LEXICON_FILE)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", type=Path, required=True, help="an index folder (CURRENT)")
    ap.add_argument("--times", type=int, default=3)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    t0 = time.perf_counter()
    src = load_index(Settings(index_dir=args.source), check=False)
    n, m = len(src.chunks), args.times
    print(f"source: {n} chunks; writing {n * m}", flush=True)
    chunks = [
        Chunk(f"{c.id}~{k}" if k else c.id, c.text, c.embed_text, dict(c.metadata))  # type: ignore[arg-type]
        for k in range(m)
        for c in src.chunks
    ]
    base = src.vectors()
    rng = np.random.default_rng(0)
    parts = [base]
    for _ in range(1, m):
        noisy = base + rng.normal(0, NOISE, base.shape).astype(np.float32)
        parts.append(noisy / np.linalg.norm(noisy, axis=1, keepdims=True))
    vectors = np.vstack(parts)
    print(f"vectors ready ({time.perf_counter() - t0:.0f} s)", flush=True)
    t1 = time.perf_counter()
    dense = build_dense(vectors, int(src.manifest.get("ann_threshold", 20000)))
    print(f"dense built in {time.perf_counter() - t1:.0f} s", flush=True)
    b = src.bm25
    if b.lengths is None:
        raise SystemExit(f"{args.source}: BM25 of an older format; run `rag ingest` on it first")
    tf = sparse.vstack([b.matrix.tocsr()] * m).tocsc()
    tf.sort_indices()
    bm25 = BM25(tf, np.tile(np.asarray(b.lengths), m), b.vocab, b.k1, b.b, b.idf)
    manifest = {
        **src.manifest,
        "format_version": FORMAT_VERSION,
        "n_chunks": len(chunks),
        "synthetic": f"{args.source} x{m}",
    }
    manifest.pop("files", None)
    if args.out.exists():
        shutil.rmtree(args.out)
    carry = [src.folder / f for f in CARRIED if (src.folder / f).is_file()]
    t2 = time.perf_counter()
    folder = write_generation(args.out, manifest, chunks, dense, bm25, carry)
    print(f"written in {time.perf_counter() - t2:.0f} s: {folder}", flush=True)
    size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
    print(f"{len(chunks)} chunks, {size:.1f} MiB on disk, {time.perf_counter() - t0:.0f} s in all")


if __name__ == "__main__":
    main()
