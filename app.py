"""gikai-rag app entry point: `python app.py [--host --port]`.

The Gradio chat UI comes with its own issue. Until then this builds (or updates) the index
on first run, with a progress bar, and answers questions typed at a prompt with the top
passages and their provenance.
"""

from __future__ import annotations

import argparse
import sys

from rag.indexing import ingest
from rag.retrieval import QueryError, Retriever
from rag.settings import Settings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=7860)
    ap.add_argument("--once", metavar="QUESTION", help="answer one question and exit")
    args = ap.parse_args(argv)
    settings = Settings.from_env()
    report = ingest(list(settings.corpus), settings, progress=True)
    for e in report.errors:
        print(f"error: {e}", file=sys.stderr)
    print(report.summary())
    retriever = Retriever.open(settings)
    print("gikai-rag: the chat UI comes later; ask here (empty line to quit).")
    questions = [args.once] if args.once else iter(lambda: input("? ").strip(), "")
    for q in questions:
        try:
            result = retriever.search(q, k=3)
        except QueryError as e:
            print(f"error: {e}")
            continue
        for h in result.hits:
            m = h.chunk.metadata
            who = (m.get("questioner") or {}).get("name") or ""
            print(
                f"[{h.rank}] {m['title']} {m.get('city') or m.get('meeting') or ''} {who} {m.get('date')}"
            )
            print("    " + h.chunk.text[:300].replace("\n", " "))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, KeyboardInterrupt):
        sys.exit(0)
