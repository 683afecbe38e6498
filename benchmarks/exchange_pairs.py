"""Draw a seeded random sample of exchange pairs for judging by hand.

Pairs are formed exactly as :func:`rag.exchanges.find_exchanges` forms them from its hits
(:func:`rag.exchanges.exchanges_of` over every chunk, with the ``question_id`` links), before
any topic check, and deduplicated as it deduplicates them. Two sources:

- ``minutes``: the real minutes in ``../shared/minutes``, chunked in memory (nothing embedded);
- ``archive``: the chunks of a built index (``chunks.jsonl`` of its live generation), read
  without opening the index: nothing is written there.

    python -m benchmarks.exchange_pairs --n 25 --seed 1 [--source minutes|archive|both]

Prints each pair and writes ``build/exchange-pairs-<source>-<seed>.jsonl`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rag.chunking import Chunk, chunk_source
from rag.exchanges import Side, exchanges_of, pair_index
from rag.indexing import current_folder
from rag.loading import load_documents
from rag.text import sentences

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
MINUTES = SHARED / "minutes"
ARCHIVE = ROOT.parent / "scale-run" / "index"
SHOWN = 3  # sentences printed per side


def minutes_chunks(folder: Path = MINUTES) -> list[Chunk]:
    return [c for doc in load_documents([folder]) for c in chunk_source(doc)]


def archive_chunks(index_dir: Path = ARCHIVE) -> list[Chunk]:
    """The chunks of the index's live generation, read line by line (format 1 JSONL)."""
    folder = current_folder(index_dir)
    if folder is None or not (folder / "chunks.jsonl").exists():
        raise SystemExit(f"{index_dir}: no live generation with a chunks.jsonl")
    out = []
    with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            out.append(Chunk(d["id"], d["text"], d["embed_text"], d["metadata"]))
    return out


def all_pairs(chunks: Sequence[Chunk]) -> Iterator[tuple[Chunk, Side, Side | None]]:
    """Every distinct pair a search could form, with the chunk that gave it."""
    index = pair_index(chunks)
    seen: set[tuple[str, str]] = set()
    for chunk in chunks:
        for q, a in exchanges_of(chunk, index):
            key = (q.chunk_id + "|" + q.text[:40], a.chunk_id if a else "")
            if key not in seen:
                seen.add(key)
                yield chunk, q, a


def _first(text: str, n: int = SHOWN) -> str:
    return "".join(s for _, s in list(sentences(text))[:n])


def _who(side: Side | None) -> str:
    if side is None:
        return "(none)"
    s = side.speaker
    bits = [str(s.get(k)) for k in ("label", "role", "category") if s.get(k)]
    return " / ".join(bits) or "(no speaker)"


def record(source: str, n: int, chunk: Chunk, q: Side, a: Side | None) -> dict[str, Any]:
    meta = chunk.metadata
    return {
        "id": f"{source}-{n:02d}",
        "source": source,
        "date": meta.get("date"),
        "meeting": meta.get("meeting"),
        "hit_chunk": chunk.id,
        "chunk_type": meta.get("chunk_type"),
        "question": {"id": q.chunk_id, "speaker": dict(q.speaker), "text": q.text},
        "answer": None
        if a is None
        else {"id": a.chunk_id, "speaker": dict(a.speaker), "text": a.text},
    }


def show(r: dict[str, Any]) -> str:
    q, a = r["question"], r["answer"]
    lines = [
        f"## {r['id']}  {r['date']}  {r['meeting']}  (hit {r['hit_chunk']}, {r['chunk_type']})",
        f"- Q [{q['id']}] {_who(Side('', q['speaker'], (), ''))}",
        f"  {_first(q['text'])}",
    ]
    if a is None:
        lines.append("- A: (no answer recorded)")
    else:
        lines += [
            f"- A [{a['id']}] {_who(Side('', a['speaker'], (), ''))}",
            f"  {_first(a['text'])}",
        ]
    return "\n".join(lines)


Pair = tuple[Chunk, Side, Side | None]


def sample(pairs: Iterable[Pair], n: int, seed: int) -> tuple[list[Pair], int]:
    """``n`` pairs drawn at random (``seed``), and how many there were to draw from."""
    pool = list(pairs)
    return random.Random(seed).sample(pool, min(n, len(pool))), len(pool)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=["minutes", "archive", "both"], default="both")
    ap.add_argument("--n", type=int, default=25, help="pairs per source")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--minutes", type=Path, default=MINUTES)
    ap.add_argument("--index-dir", type=Path, default=ARCHIVE)
    ap.add_argument("--out", type=Path, default=ROOT / "build")
    args = ap.parse_args(argv)
    sources = ["minutes", "archive"] if args.source == "both" else [args.source]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"exchange-pairs-{args.source}-{args.seed}"
    records: list[dict[str, Any]] = []
    for source in sources:
        t0 = time.perf_counter()
        chunks = (
            minutes_chunks(args.minutes) if source == "minutes" else archive_chunks(args.index_dir)
        )
        t1 = time.perf_counter()
        drawn, total = sample(all_pairs(chunks), args.n, args.seed)
        print(
            f"# {source}: {len(chunks)} chunks, {total} pairs "
            f"(loaded in {t1 - t0:.1f}s, paired in {time.perf_counter() - t1:.1f}s); "
            f"{len(drawn)} drawn with seed {args.seed}",
            file=sys.stderr,
        )
        records += [record(source, i + 1, *p) for i, p in enumerate(drawn)]
    with stem.with_suffix(".jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    md = "\n\n".join(show(r) for r in records) + "\n"
    stem.with_suffix(".md").write_text(md, encoding="utf-8")
    print(md)
    print(f"written: {stem}.jsonl, {stem}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
