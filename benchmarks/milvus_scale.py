"""Milvus (milvus-lite) at the scale of the corpus (not a test): sync time, dense query
latency, and agreement with FAISS on the same questions.

    RAG_INDEX_DIR=/path/to/scale-index python -m benchmarks.milvus_scale [--uri FILE-or-URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace

from benchmarks.scale import questions
from rag.embedding import load_embeddings
from rag.indexing import load_index
from rag.retrieval import Retriever
from rag.settings import Settings
from rag.vectorstores import MilvusChunkStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", default="/tmp/gikai-scale-milvus.db")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    settings = Settings.from_env()
    index = load_index(settings)
    emb = load_embeddings(settings.embed_model, settings.threads)
    store = MilvusChunkStore(args.uri, emb)
    t0 = time.perf_counter()
    done = store.sync(index.chunks, index.vectors())
    sync_s = time.perf_counter() - t0
    print(f"sync {done} in {sync_s:.1f} s", flush=True)
    faiss_r = Retriever(index, emb, settings)
    milvus_r = Retriever(index, emb, replace(settings, vector_store="milvus", milvus_uri=args.uri))
    qs = questions(faiss_r, args.queries)
    out: dict[str, object] = {"chunks": len(index.chunks), "sync": done, "sync_s": round(sync_s, 1)}
    for name, r in (("faiss", faiss_r), ("milvus", milvus_r)):
        for mode in ("dense", "hybrid"):
            ms = []
            for q in qs:
                t = time.perf_counter()
                r.search(q, k=10, mode=mode)
                ms.append((time.perf_counter() - t) * 1000)
            q100 = statistics.quantiles(ms, n=100)
            out[f"{name}_{mode}_p50_ms"], out[f"{name}_{mode}_p95_ms"] = (
                round(q100[49], 1),
                round(q100[94], 1),
            )
    overlap = []
    for q in qs:
        a = {h.chunk.id for h in faiss_r.search(q, k=10, mode="dense").hits}
        b = {h.chunk.id for h in milvus_r.search(q, k=10, mode="dense").hits}
        overlap.append(len(a & b) / 10)
    out["dense_top10_overlap_faiss_vs_milvus"] = round(sum(overlap) / len(overlap), 4)
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
