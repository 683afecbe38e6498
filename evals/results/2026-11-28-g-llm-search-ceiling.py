"""The ceiling of the LLM mode's Japanese search of English questions: each English twin on
the archive searched with its Japanese original (written by a person) as the model's
wording, against the English question alone and the Japanese one alone (hit@5).

    python evals/results/2026-11-28-g-llm-search-ceiling.py INDEX_DIR dev|test
"""

import dataclasses
import json
import sys
from pathlib import Path

from evals.run import load_qrels, resolve
from rag.retrieval import Retriever
from rag.settings import Settings

index, split = Path(sys.argv[1]), sys.argv[2]
lines = Path("evals/data/queries.jsonl").read_text(encoding="utf-8").splitlines()
queries = {q["id"]: q for q in map(json.loads, lines)}
r = Retriever.open(dataclasses.replace(Settings(), index_dir=index, embed_model="use"))
ids = [
    k
    for k, q in queries.items()
    if q["corpus"] == "scale"
    and q["lang"] == "en"
    and q["split"] == split
    and q.get("translates")
    and not q.get("unanswerable")
]
gold = resolve(load_qrels(), ((c.id, c.text) for c in r.chunks), set(ids), "scale")
found: dict[str, list[bool]] = {"english": [], "fused": [], "japanese": []}
for k in ids:
    english, japanese = queries[k]["text"], queries[queries[k]["translates"]]["text"]
    runs = {
        "english": r.search(english, k=5),
        "fused": r.search(english, k=5, also=[japanese]),
        "japanese": r.search(japanese, k=5),
    }
    for name, run in runs.items():
        found[name].append(any(h.chunk.id in gold.get(k, {}) for h in run.hits))
print(len(ids), {name: round(sum(v) / len(v), 3) for name, v in found.items()})
