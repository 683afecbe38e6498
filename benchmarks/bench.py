"""Retrieval benchmark (not a test): build throughput, per-stage query latency, cold start,
peak RSS.

    python -m benchmarks.bench                        # the sample corpus
    python -m benchmarks.bench --scale 200            # first 200 meetings of ../shared/scale
    python -m benchmarks.bench --scale 0              # all of it
"""

from __future__ import annotations

import argparse
import itertools
import json
import lzma
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rag.indexing import ingest
from rag.retrieval import Retriever
from rag.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCALE = ROOT.parent / "shared/scale/shinagawa-minutes-r02-r07.jsonl.xz"
QUERIES = [
    "How did Morioka get cloud cost savings?",
    "仙台市はガバメントクラウドでコストメリットを出せていますか",
    "情報公開請求の研修",
    "保育園の待機児童対策",
    "What is the budget for school lunches?",
    "防災訓練の参加者数",
    "区の公式LINEの登録者数",
    "自転車の放置対策について",
]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=None, help="meetings of ../shared/scale (0 = all)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = ROOT / "corpus"
        if args.scale is not None:
            if not SCALE.exists():
                sys.exit(f"{SCALE} is absent")
            corpus = Path(tmp) / "scale.jsonl"
            with lzma.open(SCALE, "rt", encoding="utf-8") as src, corpus.open("w") as dst:
                lines = src if args.scale == 0 else itertools.islice(src, args.scale)
                dst.writelines(lines)
        s = replace(Settings.from_env(), index_dir=Path(tmp) / "index", corpus=(corpus,))
        if args.model:
            s = replace(s, embed_model=args.model)
        t0 = time.perf_counter()
        report = ingest([corpus], s, progress=True)
        build = time.perf_counter() - t0
        print(
            f"corpus={corpus.name} model={s.embed_model} chunks={report.chunks} "
            f"index={report.index_type}"
        )
        print(f"build: {build:.1f}s, {report.chunks / build:.1f} chunks/s")
        cmd = [
            sys.executable,
            "-c",
            "import time;t=time.perf_counter();from rag.settings import Settings;"
            "from rag.retrieval import Retriever;from dataclasses import replace;from pathlib import Path;"
            f"r=Retriever.open(replace(Settings.from_env(),index_dir=Path({str(s.index_dir)!r}),embed_model={s.embed_model!r}));"
            "r.search('盛岡市のクラウド',k=5);print(time.perf_counter()-t)",
        ]
        cold = float(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        print(f"cold start (open index, load model, first query): {cold:.2f}s")
        r = Retriever.open(s)
        r.search("warm up", k=5)
        stages: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for q in QUERIES:
                for k, v in r.search(q, k=10).timings_ms.items():
                    stages.setdefault(k, []).append(v)
        for k, v in stages.items():
            print(f"query {k:6s} p50={statistics.median(v):8.2f} ms  p95={_pct(v, 95):8.2f} ms")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MiB")
        print(
            json.dumps(
                {"chunks": report.chunks, "build_s": round(build, 1), "cold_s": round(cold, 2)}
            )
        )


if __name__ == "__main__":
    main()
