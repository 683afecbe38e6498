"""BM25 in-process (fugashi) vs Milvus's full-text search (not a test), on the evals.

    pip install jieba && python -m benchmarks.milvus_fts [--corpora sample minutes]

Milvus 2.5+ can score BM25 itself over an analysed VARCHAR field. milvus-lite (the embedded
Milvus that runs offline here) offers only the ``standard`` and ``jieba`` tokenizers;
Lindera, Milvus's Japanese one, is refused. So three ways are compared on the same chunks
and questions:

- ``rag`` — this project's BM25 over fugashi tokens (what the app uses);
- ``milvus standard, fugashi-pretokenised`` — the chunks and questions tokenised by fugashi
  here and sent space-separated, Milvus's standard analyzer then splitting at the spaces;
- ``milvus jieba, raw text`` — Milvus segmenting the Japanese text with jieba (a Chinese
  segmenter).

Reported: hit@1, hit@5, MRR@10 on each corpus's answerable questions, and p50 latency.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from evals.run import CORPORA, load_qrels, load_queries, metrics, missing_data, resolve
from rag.indexing import ingest
from rag.retrieval import Retriever
from rag.settings import Settings


def milvus_fts(uri: str, name: str, texts: list[str], analyzer: dict[str, Any]) -> Any:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    client = MilvusClient(uri)
    schema = client.create_schema(auto_id=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field(
        "text", DataType.VARCHAR, max_length=60000, enable_analyzer=True, analyzer_params=analyzer
    )
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=["text"],
            output_field_names=["sparse"],
        )
    )
    index = client.prepare_index_params()
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(name, schema=schema, index_params=index)
    for a in range(0, len(texts), 500):
        client.insert(name, [{"row": a + i, "text": t} for i, t in enumerate(texts[a : a + 500])])
    return client


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpora", nargs="*", default=["sample", "minutes"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in args.corpora:
            if missing_data(corpus):
                print(f"{corpus}: skipped ({missing_data(corpus)})")
                continue
            settings = replace(
                Settings(), index_dir=Path(tmp) / corpus, corpus=tuple(CORPORA[corpus])
            )
            ingest(list(settings.corpus), settings)
            retriever = Retriever.open(settings)
            chunks = retriever.chunks
            tok = retriever.tokenizer
            queries = [q for q in load_queries(corpus) if not q.get("unanswerable")]
            gold = resolve(
                load_qrels(), ((c.id, c.text) for c in chunks), {q["id"] for q in queries}, corpus
            )
            uri = str(Path(tmp) / f"{corpus}-fts.db")
            ways = {
                "rag (fugashi BM25, in-process)": None,
                "milvus standard, fugashi-pretokenised": (
                    milvus_fts(
                        uri,
                        "pre",
                        [" ".join(tok(c.embed_text)) for c in chunks],
                        {"tokenizer": "standard"},
                    ),
                    "pre",
                    lambda q, tok=tok: " ".join(tok(q)),
                ),
                "milvus jieba, raw text": (
                    milvus_fts(
                        uri, "jieba", [c.embed_text for c in chunks], {"tokenizer": "jieba"}
                    ),
                    "jieba",
                    lambda q: q,
                ),
            }
            for way, setup in ways.items():
                rows, ms = [], []
                for q in queries:
                    t0 = time.perf_counter()
                    if setup is None:
                        ranked = [
                            h.chunk.id for h in retriever.search(q["text"], k=10, mode="bm25").hits
                        ]
                    else:
                        client, name, prep = setup
                        res = client.search(
                            name,
                            [prep(q["text"])],
                            anns_field="sparse",
                            limit=10,
                            output_fields=["row"],
                        )
                        ranked = [chunks[int(hit["entity"]["row"])].id for hit in res[0]]
                    ms.append((time.perf_counter() - t0) * 1000)
                    rows.append(metrics(ranked, gold[q["id"]]))
                n = len(rows)
                score = {
                    k: round(sum(r[k] for r in rows) / n, 3) for k in ("hit@1", "hit@5", "mrr@10")
                }
                print(
                    f"| {corpus} | {way} | {score['hit@1']} | {score['hit@5']} | {score['mrr@10']} | {statistics.median(ms):.1f} ms |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
