"""gikai-rag app entry point: `python app.py [--host --port]`.

The Gradio chat UI comes with its own issue. Until then this builds (or updates) the index
on first run, with a progress bar, and answers questions typed at a prompt with cited
answers (follow-ups such as 「仙台市は？」 are understood from the earlier questions).
"""

from __future__ import annotations

import argparse
import sys

from rag.answering import Answerer
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
    answerer = Answerer(Retriever.open(settings))
    print("gikai-rag: the chat UI comes later; ask here (empty line to quit).")
    questions = [args.once] if args.once else iter(lambda: input("? ").strip(), "")
    history: list[str] = []
    for q in questions:
        try:
            answer = answerer.ask(q, history=history)
        except QueryError as e:
            print(f"error: {e}")
            continue
        history.append(answer.standalone_question)
        print(answer.answer)
        for c in answer.citations or answer.nearest:
            m = c.metadata
            where = m.get("city") or m.get("meeting") or ""
            print(f"  [{c.n}] {m['title']} {where} {m.get('date') or ''} ({c.id})")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (EOFError, KeyboardInterrupt):
        sys.exit(0)
