"""Hybrid query time by stage and by question language (not a test).

    RAG_INDEX_DIR=/path/to/index python -m benchmarks.query_stages [--rounds 2]

Runs every eval question (``evals/data/queries.jsonl``, Japanese and English) through
``Retriever.search(k=10)`` after a warm-up, and prints p50 / p95 of each stage the search
times (query embedding, FAISS, BM25, the first stage as a whole, the reranker's features
and scoring, the total) for Japanese and English questions apart: English questions read
200 candidates and their translations, Japanese ones 100. Results also go to
benchmarks/results/query-stages-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from evals.run import load_queries
from rag.retrieval import Retriever
from rag.settings import Settings
from rag.text import question_language

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=2, help="passes over the questions")
    args = ap.parse_args()
    settings = Settings()
    if os.environ.get("RAG_INDEX_DIR"):
        settings = replace(settings, index_dir=Path(os.environ["RAG_INDEX_DIR"]))
    retriever = Retriever.open(settings)
    questions = [q["text"] for q in load_queries(None, "all")]
    for q in questions[:5] + ["How many people used it?"]:  # warm-up: tables, rankers
        retriever.search(q, k=10)
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    for _ in range(args.rounds):
        for q in questions:
            result = retriever.search(q, k=10)
            for stage, ms in result.timings_ms.items():
                times[(question_language(q), stage)].append(ms)
    out = {}
    for (lang, stage), xs in sorted(times.items()):
        p50, p95 = np.percentile(xs, 50), np.percentile(xs, 95)
        out[f"{lang}/{stage}"] = {"n": len(xs), "p50": round(p50, 2), "p95": round(p95, 2)}
        print(f"{lang} {stage:<12} n={len(xs):<4} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    load = os.getloadavg()[0]
    print(f"load average {load:.2f}")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"query-stages-{time.strftime('%Y%m%d-%H%M')}.json"
    path.write_text(json.dumps({"stages": out, "load": load}, indent=1), encoding="utf-8")
    print(f"→ {path.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    main()
