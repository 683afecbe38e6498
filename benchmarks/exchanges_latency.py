"""Latency of past exchanges (:func:`rag.exchanges.find_exchanges`) and of their timeline on
a built index, by stage: search, pairing, total, timeline. p50/p95 over topic queries.

    python -m benchmarks.exchanges_latency [--index-dir ../scale-run/index]
        [--modes bm25,hybrid] [--repeat 3] [--json OUT]

The index is opened read-only: the retriever is built from :func:`rag.indexing.load_index`
without :meth:`Retriever.open` (which may fit a reranker or build a term list and save them
beside the index), and the files' sizes and times are checked unchanged at the end. Keyword
mode embeds nothing; ``hybrid`` (the default mode) loads the embedding model the index was
built with, and is skipped when that fails.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag.exchanges import find_exchanges, pair_index, timeline
from rag.indexing import current_folder, load_index
from rag.retrieval import Retriever
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
ARCHIVE = ROOT.parent / "scale-run" / "index"
QUERIES = (
    "待機児童",
    "電子決裁",
    "防災",
    "学校給食",
    "不登校",
    "再開発",
    "児童相談所",
    "自転車",
    "ごみの減量",
    "区営住宅",
)
TIMELINES = ("待機児童", "電子決裁")
YEARS = range(2020, 2026)


def _stamp(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_mode(retriever: Retriever, mode: str, repeat: int) -> dict[str, Any]:
    stages: dict[str, list[float]] = {"search": [], "pair": [], "total": [], "timeline": []}
    counts: dict[str, int] = {}
    first: dict[str, float] = {}
    for query in QUERIES:
        for n in range(repeat + 1):  # the first run warms the caches; it is reported apart
            result = find_exchanges(retriever, query, mode=mode, limit=10_000)
            t0 = time.perf_counter()
            timeline(result.exchanges, "year")
            timeline(result.exchanges, "year", split="party")
            tl = (time.perf_counter() - t0) * 1000
            if n == 0:
                first[query] = result.timings_ms["total"]
                continue
            for k in ("search", "pair", "total"):
                stages[k].append(result.timings_ms[k])
            stages["timeline"].append(tl)
        counts[query] = len(result.exchanges)
    return {
        "mode": mode,
        "runs": len(stages["total"]),
        "p50_ms": {k: round(statistics.median(v), 1) for k, v in stages.items()},
        "p95_ms": {k: round(_pct(v, 0.95), 1) for k, v in stages.items()},
        "first_run_total_ms": {k: round(v, 1) for k, v in first.items()},
        "exchanges": counts,
    }


def year_table(retriever: Retriever, query: str, mode: str, limit: int) -> dict[str, int]:
    result = find_exchanges(retriever, query, mode=mode, limit=limit)
    counts = {k: sum(c.values()) for k, c in timeline(result.exchanges, "year")}
    return {f"{y}年度": counts.get(f"{y}年度", 0) for y in YEARS}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index-dir", type=Path, default=ARCHIVE)
    ap.add_argument("--modes", default="bm25,hybrid")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    folder = current_folder(args.index_dir)
    if folder is None:
        raise SystemExit(f"{args.index_dir}: no index")
    before = _stamp(folder)
    settings = replace(Settings(), index_dir=args.index_dir)
    t0 = time.perf_counter()
    index = load_index(settings, check=False)
    settings = replace(settings, bm25_field=index.manifest["bm25"]["field"])
    keyword = Retriever(index, None, settings)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pair_index(keyword.chunks)
    index_s = time.perf_counter() - t0
    out: dict[str, Any] = {
        "index": str(folder),
        "chunks": len(keyword.chunks),
        "load_s": round(load_s, 1),
        "pair_index_s": round(index_s, 2),
        "modes": [],
    }
    print(f"{folder}: {len(keyword.chunks)} chunks, loaded in {load_s:.1f}s; "
          f"pair index built in {index_s:.2f}s (once per open index)", file=sys.stderr)  # fmt: skip
    for mode in args.modes.split(","):
        retriever = keyword
        if mode != "bm25":
            try:
                from rag.embedding import load_embeddings

                t0 = time.perf_counter()
                emb = load_embeddings(index.manifest["embedding"]["name"], settings.threads)
                retriever = Retriever(index, emb, settings)
                print(f"{mode}: model loaded in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
            except Exception as e:  # no model on this machine: report it, keep the rest
                out["modes"].append({"mode": mode, "skipped": f"{type(e).__name__}: {e}"})
                continue
        res = run_mode(retriever, mode, args.repeat)
        res["timeline_by_year"] = {
            q: {
                "limit_200": year_table(retriever, q, mode, 200),
                "all": year_table(retriever, q, mode, 10_000),
            }
            for q in TIMELINES
        }
        out["modes"].append(res)
        print(json.dumps(res, ensure_ascii=False, indent=1))
    after = _stamp(folder)
    out["index_unchanged"] = before == after
    print(f"index files unchanged: {before == after}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if before == after else 1


if __name__ == "__main__":
    raise SystemExit(main())
