"""Retrieval at scale (not a test): query latency by mode, and approximate vs exact search.

    RAG_INDEX_DIR=/path/to/scale-index python -m benchmarks.scale [--queries 200]
    python -m benchmarks.scale --synthetic 100000,300000,1000000

With an index (built by ``rag ingest ../shared/scale/…``), it reports:
- size on disk per file, and the vectors in memory;
- latency p50/p95 of ``Retriever.search`` (k=10) in dense, bm25 and hybrid mode, over
  questions made from random chunks (their first sentence) and the eval's scale needles;
- recall@10 of approximate indexes against exact search (IndexFlatIP) on the same query
  vectors: HNSW (M=32) at several efSearch, IVF-Flat at several nprobe, and int8 scalar
  quantisation (SQ8, flat), each with its build time, bytes per vector and latency.

``--synthetic`` does the same for the vector index alone at sizes beyond the corpus: the
index's own vectors are resampled with Gaussian noise (σ = 0.05 per dimension, then
renormalised) up to each size, so neighbourhoods stay as clustered as real chunks; the
queries are held-out real vectors. Reported: build time, bytes per vector (serialised
index), and latency p50/p95 for flat and HNSW.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from rag.embedding import load_embeddings
from rag.indexing import current_folder, load_index
from rag.retrieval import Retriever
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return round(q[49], 2), round(q[94], 2)


def questions(retriever: Retriever, n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    chunks = retriever.chunks
    out = []
    for c in rng.sample(chunks, n):
        first = re.split(r"(?<=[。？?])", c.text.replace("\n", ""))[0][:80]
        out.append(first or c.text[:80])
    needles = ROOT / "evals" / "data" / "queries.jsonl"
    for line in needles.read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        if q.get("corpus") == "scale":
            out.append(q["text"])
    return out


def latency(retriever: Retriever, qs: list[str]) -> dict[str, Any]:
    out = {}
    for mode in ("bm25", "dense", "hybrid"):
        retriever.search(qs[0], k=10, mode=mode)  # warm
        ms = []
        for q in qs:
            t0 = time.perf_counter()
            retriever.search(q, k=10, mode=mode)
            ms.append((time.perf_counter() - t0) * 1000)
        p50, p95 = pct(ms)
        out[mode] = {"p50_ms": p50, "p95_ms": p95}
        print(f"  {mode:6s} p50 {p50:8.2f} ms  p95 {p95:8.2f} ms", file=sys.stderr)
    return out


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(
        np.mean([len(set(f) & set(e)) / len(e) for f, e in zip(found, exact, strict=True)])
    )


def timed_search(index: Any, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, float, float]:
    ms = []
    rows = []
    for q in queries:
        t0 = time.perf_counter()
        _, idx = index.search(q[None, :], k)
        ms.append((time.perf_counter() - t0) * 1000)
        rows.append(idx[0])
    p50, p95 = pct(ms)
    return np.asarray(rows), p50, p95


def compare_ann(vectors: np.ndarray, queries: np.ndarray) -> list[dict[str, Any]]:
    n, dim = vectors.shape
    rows: list[dict[str, Any]] = []

    def add(name: str, index: Any, build_s: float, knob: str = "", setter: Any = None) -> None:
        size = len(faiss.serialize_index(index))
        for value in (setter or {"": None}).items() if isinstance(setter, dict) else [("", None)]:
            label, apply = value
            if apply:
                apply()
            found, p50, p95 = timed_search(index, queries)
            r = {
                "index": name + (f" {knob}={label}" if label else ""),
                "build_s": round(build_s, 1),
                "bytes_per_vector": round(size / n, 1),
                "recall@10": round(recall(found, exact), 4),
                "p50_ms": p50,
                "p95_ms": p95,
            }
            rows.append(r)
            print(f"  {r}", file=sys.stderr)

    t0 = time.perf_counter()
    flat = faiss.IndexFlatIP(dim)
    flat.add(vectors)
    build = time.perf_counter() - t0
    exact, _, _ = timed_search(flat, queries)
    add("flat (exact)", flat, build)

    t0 = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = 80
    hnsw.add(vectors)
    build = time.perf_counter() - t0

    def ef(v: int) -> Any:
        return lambda: setattr(hnsw.hnsw, "efSearch", v)

    add("HNSW M=32", hnsw, build, "efSearch", {str(v): ef(v) for v in (32, 64, 128, 256)})

    nlist = max(16, int(4 * np.sqrt(n)))
    t0 = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(vectors[np.random.default_rng(0).choice(n, min(n, 40 * nlist), replace=False)])
    ivf.add(vectors)
    build = time.perf_counter() - t0

    def probe(v: int) -> Any:
        return lambda: setattr(ivf, "nprobe", v)

    add(f"IVF-Flat nlist={nlist}", ivf, build, "nprobe", {str(v): probe(v) for v in (8, 32, 64)})

    t0 = time.perf_counter()
    sq8 = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    sq8.train(vectors)
    sq8.add(vectors)
    add("SQ8 flat (int8)", sq8, time.perf_counter() - t0)
    return rows


def synthetic(vectors: np.ndarray, sizes: list[int], n_queries: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(1)
    held = rng.choice(len(vectors), n_queries, replace=False)
    queries = vectors[held]
    base = np.delete(vectors, held, axis=0)
    out = []
    for size in sizes:
        picks = rng.integers(0, len(base), size)
        data = base[picks] + rng.normal(0, 0.05, (size, base.shape[1])).astype(np.float32)
        data /= np.linalg.norm(data, axis=1, keepdims=True)
        for name, make in (
            ("flat", lambda d: faiss.IndexFlatIP(d)),
            ("HNSW M=32", lambda d: faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)),
        ):
            index = make(data.shape[1])
            if hasattr(index, "hnsw"):
                index.hnsw.efConstruction = 80
                index.hnsw.efSearch = 128
            t0 = time.perf_counter()
            index.add(data)
            build = time.perf_counter() - t0
            _, p50, p95 = timed_search(index, queries)
            r = {
                "vectors": size,
                "index": name,
                "build_s": round(build, 1),
                "bytes_per_vector": round(len(faiss.serialize_index(index)) / size, 1),
                "p50_ms": p50,
                "p95_ms": p95,
            }
            out.append(r)
            print(f"  {r}", file=sys.stderr)
            del index
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--synthetic", help="comma-separated sizes, e.g. 100000,300000,1000000")
    ap.add_argument("--skip-ann", action="store_true")
    args = ap.parse_args()
    settings = Settings.from_env()
    folder = current_folder(settings.index_dir)
    assert folder is not None, f"no index in {settings.index_dir}"
    result: dict[str, Any] = {"index": str(folder), "date": time.strftime("%Y-%m-%d %H:%M")}
    t0 = time.perf_counter()
    index = load_index(settings)
    result["load_s"] = round(time.perf_counter() - t0, 1)
    result["chunks"] = len(index.chunks)
    result["disk_mib"] = {f.name: round(f.stat().st_size / 2**20, 1) for f in folder.iterdir()}
    vectors = index.vectors()
    if args.synthetic:
        sizes = [int(s) for s in args.synthetic.split(",")]
        result["synthetic"] = synthetic(vectors, sizes, args.queries)
    else:
        emb = load_embeddings(settings.embed_model, settings.threads)
        retriever = Retriever(index, emb, settings)
        qs = questions(retriever, args.queries)
        print(f"latency over {len(qs)} questions, {len(index.chunks)} chunks", file=sys.stderr)
        result["latency"] = latency(retriever, qs)
        if not args.skip_ann:
            qv = retriever.embeddings.encode(qs, is_query=True)
            result["ann"] = compare_ann(vectors, qv)
    out = ROOT / "benchmarks" / "results" / f"scale-{time.strftime('%Y-%m-%d-%H%M')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {k: v for k, v in result.items() if k not in ("ann", "synthetic")}, ensure_ascii=False
        )
    )
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
