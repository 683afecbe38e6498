"""Footprint of an index (not a test): each figure beside its floor, in one run.

    RAG_INDEX_DIR=/path/to/index python -m benchmarks.footprint [--queries 200]
    python -m benchmarks.footprint --index /tmp/idx --build ../shared/minutes   # also a build

Printed, with the load average of the machine beside each (the CPU may be shared):
- index size on disk, per file and in all;
- start: ``Retriever.open`` (model already loaded; the reranker already fitted) beside the
  time to read every file of the generation (warm page cache, both);
- RSS of this process: after the model loads, after the index opens, after the queries;
- query p50/p95 of hybrid search (k=10, the reranker included) beside its floor, the query
  embedding plus a raw FAISS search (k=10) of the same queries;
- with ``--build PATH``: ``rag ingest`` of PATH into a fresh folder beside embedding its
  chunks alone (the same texts, the same model); it then measures that index.

Results also go to benchmarks/results/footprint-<date>.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def rss_mib(field: str = "VmRSS") -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def load() -> float:
    return round(os.getloadavg()[0], 2)


def pct(values: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(values, n=100)
    return round(q[49], 2), round(q[94], 2)


def read_all(folder: Path) -> tuple[float, int]:
    """Seconds to read every byte of the files in ``folder`` (the floor of any start)."""
    buf = bytearray(16 << 20)
    total = 0
    t0 = time.perf_counter()
    for f in sorted(folder.iterdir()):
        if f.is_file():
            with f.open("rb", buffering=0) as fh:
                while n := fh.readinto(buf):
                    total += n
    return time.perf_counter() - t0, total


def line(name: str, value: str, floor: str = "") -> dict[str, Any]:
    print(f"{name:<34} {value:<22} {floor:<42} load {load()}", flush=True)
    return {"name": name, "value": value, "floor": floor, "load": load()}


def build(corpus: Path, index_dir: Path, settings: Any, emb: Any) -> list[dict[str, Any]]:
    from rag.indexing import ingest, load_index

    t0 = time.perf_counter()
    report = ingest([corpus], settings, emb, rebuild=True, progress=False)
    took = time.perf_counter() - t0
    texts = [c.embed_text for c in load_index(settings).chunks]
    t0 = time.perf_counter()
    emb.encode(texts)
    alone = time.perf_counter() - t0
    return [
        line(
            "build (rag ingest)",
            f"{took:.1f} s ({report.chunks} chunks)",
            f"embedding alone {alone:.1f} s (x{took / max(alone, 1e-9):.2f})",
        )
    ]


def rss_child(index_dir: Path) -> None:
    """A fresh process: load the model, open the index once, ask 20 questions, print RSS."""
    from benchmarks.scale import questions
    from rag.embedding import load_embeddings
    from rag.retrieval import Retriever
    from rag.settings import Settings

    settings = dataclasses.replace(Settings.from_env(), index_dir=index_dir)
    emb = load_embeddings(settings.embed_model, settings.threads)
    emb.embed_query("準備")
    model = rss_mib()
    retriever = Retriever.open(settings, emb)
    for q in questions(retriever, 20)[:20]:
        retriever.search(q, k=10, mode="hybrid")
    print(json.dumps([model, rss_mib()]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--index", type=Path, help="index folder (default: RAG_INDEX_DIR)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--build", type=Path, help="ingest these documents first (a fresh index)")
    ap.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        return rss_child(args.rss_child)

    import faiss
    import numpy as np

    from benchmarks.scale import questions
    from rag.embedding import load_embeddings
    from rag.indexing import current_folder
    from rag.retrieval import Retriever
    from rag.settings import Settings

    settings = Settings.from_env()
    if args.index or args.build:
        where = args.index or Path(tempfile.mkdtemp()) / "index"
        settings = dataclasses.replace(settings, index_dir=where)
    rows: list[dict[str, Any]] = []
    print(f"index {settings.index_dir}, {os.cpu_count()} CPUs, faiss {faiss.__version__}")
    rss0 = rss_mib()
    t0 = time.perf_counter()
    emb = load_embeddings(settings.embed_model, settings.threads)
    emb.embed_query("準備")
    rows.append(line("model load", f"{time.perf_counter() - t0:.2f} s", f"RSS {rss_mib()} MiB"))
    if args.build:
        rows += build(args.build, settings.index_dir, settings, emb)
    Retriever.open(settings, emb)  # fits the reranker once per generation, if not yet
    folder = current_folder(settings.index_dir)
    assert folder is not None
    sizes = {f.name: f.stat().st_size for f in sorted(folder.iterdir()) if f.is_file()}
    for name, size in sizes.items():
        rows.append(line(f"  {name}", f"{size / 2**20:.1f} MiB"))
    rows.append(line("index on disk", f"{sum(sizes.values()) / 2**20:.1f} MiB", "target ≤ 300 MiB"))

    read_s, nbytes = read_all(folder)  # warms the cache for the open below, as a server's
    read_s, nbytes = read_all(folder)
    rss_model = rss_mib()
    opens = []
    for _ in range(3):
        t0 = time.perf_counter()
        retriever = Retriever.open(settings, emb)
        opens.append(time.perf_counter() - t0)
        if _ < 2:
            del retriever
    rows.append(
        line(
            "Retriever.open (model loaded)",
            f"{min(opens):.2f} s (max {max(opens):.2f})",
            f"reading all {nbytes / 2**20:.0f} MiB: {read_s:.2f} s (x{min(opens) / read_s:.1f})",
        )
    )
    rss_open = rss_mib()

    qs = questions(retriever, min(args.queries, len(retriever.chunks)))
    dense = retriever.index.dense
    floor, full = [], []
    for q in qs:
        t0 = time.perf_counter()
        v = np.asarray(emb.embed_query(q), dtype=np.float32)
        if dense is not None:
            dense.search(v[None, :], 10)
        floor.append((time.perf_counter() - t0) * 1000)
    for q in qs:
        t0 = time.perf_counter()
        retriever.search(q, k=10, mode="hybrid")
        full.append((time.perf_counter() - t0) * 1000)
    p, f = pct(full), pct(floor)
    rows.append(
        line(
            f"hybrid query p50/p95 ({len(qs)} q)",
            f"{p[0]} / {p[1]} ms",
            f"embed query + FAISS k=10: {f[0]} / {f[1]} ms",
        )
    )
    rows.append(
        line(
            "RSS, this process (opened 4x)",
            f"{rss_mib()} MiB (peak {rss_mib('VmHWM')})",
            f"model alone {rss_model} MiB; after open {rss_open}; start {rss0}",
        )
    )
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.footprint", "--rss-child", str(settings.index_dir)],
        capture_output=True,
        text=True,
        cwd=Path.cwd(),
    )
    model, held = json.loads(child.stdout.strip().splitlines()[-1])
    rows.append(
        line(
            "RSS holding the index (1 open)",
            f"{held} MiB after 20 queries",
            f"model alone {model} MiB: the index adds {held - model:.0f} MiB",
        )
    )
    out = ROOT / "benchmarks" / "results" / f"footprint-{time.strftime('%Y%m%d-%H%M')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"index": str(settings.index_dir), "rows": rows}, indent=1))
    print(f"→ {out.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
