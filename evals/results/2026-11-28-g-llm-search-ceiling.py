"""English dev archive questions searched with the human Japanese original as the 'LLM wording' (a ceiling)."""
import json, sys, dataclasses
from pathlib import Path
from evals.run import load_qrels, resolve
from rag.retrieval import Retriever
from rag.settings import Settings
qs = {q["id"]: q for q in map(json.loads, open("evals/data/queries.jsonl"))}
r = Retriever.open(dataclasses.replace(Settings(), index_dir=Path("/tmp/arch-v9"), embed_model="use"))
split = sys.argv[1]
ids = [k for k, q in qs.items() if q["corpus"] == "scale" and q["lang"] == "en" and q["split"] == split and q.get("translates") and not q.get("unanswerable")]
gold = resolve(load_qrels(), ((c.id, c.text) for c in r.chunks), set(ids), "scale")
res = {"en": [], "fused": [], "ja": []}
for k in ids:
    g = gold.get(k, {})
    en = [h.chunk.id for h in r.search(qs[k]["text"], k=10).hits]
    ja = [h.chunk.id for h in r.search(qs[qs[k]["translates"]]["text"], k=10).hits]
    fu = [h.chunk.id for h in r.search(qs[k]["text"], k=10, also=[qs[qs[k]["translates"]]["text"]]).hits]
    for name, run in (("en", en), ("ja", ja), ("fused", fu)):
        res[name].append(any(c in g for c in run[:5]))
print(len(ids), {n: round(sum(v) / len(v), 3) for n, v in res.items()})
