"""Load and chunk structured minutes (default: ../shared/scale), streaming; print time,
counts and peak RSS.

    python -m benchmarks.load_scale [PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from rag.chunking import chunk_source
from rag.loading import LoadError, load_documents

DEFAULT = Path(__file__).resolve().parents[2] / "shared/scale/shinagawa-minutes-r02-r07.jsonl.xz"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=0, help="stop after N meetings")
    args = ap.parse_args()
    t0 = time.perf_counter()
    errors: list[LoadError] = []
    meetings = turns = chunks = chars = 0
    roles: dict[str, int] = {}
    for doc in load_documents([args.path], errors):
        meetings += 1
        turns += len(doc.voices)
        chars += sum(len(v.text) for v in doc.voices)
        for c in chunk_source(doc):
            chunks += 1
            for r in c.metadata["roles"]:
                roles[r] = roles.get(r, 0) + 1
        if args.limit and meetings >= args.limit:
            break
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"meetings={meetings} turns={turns} chars={chars:,} chunks={chunks} errors={len(errors)}")
    print(f"time={dt:.1f}s ({turns / dt:,.0f} turns/s) peak_rss={rss:.0f} MiB roles={roles}")


if __name__ == "__main__":
    main()
