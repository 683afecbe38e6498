"""Chunking time against the number of turns: it must grow linearly.

A hostile or merely unusual document, one member speaking 200k short turns in a row (a 50 KB
.docx can hold that many), once made chunking quadratic. This prints parse and chunk times
for generated minutes of 2k, 4k, 8k and 16k turns in three shapes, and the time per turn,
which stays flat when chunking is linear.

    PYTHONPATH=. python benchmarks/chunk_scaling.py [--sizes 2000 4000 8000 16000]
"""

from __future__ import annotations

import argparse
import time

from rag.chunking import chunk_document
from rag.loading import SourceDoc
from rag.parsing import parse_document

SHAPES = {
    # one member, turn after turn: the case that was quadratic
    "one member": lambda i: f"○４番（田中次郎君）　第{i}の点について伺います。",
    # question and answer alternating (一問一答)
    "q and a": lambda i: (
        f"○４番（田中次郎君）　第{i}の点について伺います。"
        if i % 2 == 0
        else f"○市長（山本一郎君）　第{i}の点についてお答えいたします。"
    ),
    # the chair alone: procedure chunks, decisions read
    "chair only": lambda i: f"○議長（佐藤太郎君）　議案第{i}号は原案のとおり可決されました。",
}


def document(shape: str, turns: int) -> SourceDoc:
    line = SHAPES[shape]
    text = "\n".join(line(i) for i in range(turns)) + "\n"
    return SourceDoc(
        f"bench-{turns}", "bench.txt", "utf-8", "0", text=text, meta={"kind": "minutes"}
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", nargs="*", type=int, default=[2000, 4000, 8000, 16000])
    args = ap.parse_args(argv)
    print("| shape | turns | parse s | chunk s | chunks | µs per turn (chunk) |")
    print("|---|---|---|---|---|---|")
    for shape in SHAPES:
        for n in args.sizes:
            doc = document(shape, n)
            t0 = time.perf_counter()
            parsed = parse_document(doc)
            t1 = time.perf_counter()
            chunks = chunk_document(parsed)
            t2 = time.perf_counter()
            print(
                f"| {shape} | {n} | {t1 - t0:.2f} | {t2 - t1:.2f} | {len(chunks)} "
                f"| {1e6 * (t2 - t1) / n:.0f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
