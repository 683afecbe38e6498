"""Pin the test split's scores: ``python -m evals.pin RESULTS.json [...]`` writes each
condition's scores (and intervals) from ``evals.run --split test`` results into
``evals/expected.json``, keeping the entries the results do not cover.

Run it after a change that moves the scores on purpose, and say so in the commit.
``--full-index`` pins results run on the whole embedded archive (``--index-dir``) under
``full_index``, which ``tests/test_evals.py`` checks when ``RAG_SCALE_INDEX`` names one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10")
ANSWER_METRICS = (
    "facts_present",
    "citation_precision",
    "gold_cited",
    "no_answer_precision",
    "no_answer_recall",
    "lead_facts_typed",
)


def pin(
    expected: dict[str, Any], results: dict[str, Any], full_index: bool = False
) -> dict[str, Any]:
    section = "full_index" if full_index else "retrieval"
    for r in results.get("retrieval", []):
        if r.get("split") != "test":
            raise SystemExit(f"{r['corpus']}/{r['condition']}: only the test split is pinned")
        s = r["scores"]["all"]
        command = f"python -m evals.run --corpora {r['corpus']} --conditions {r['condition']}"
        if full_index:
            command += " --split test --no-answers --index-dir $RAG_SCALE_INDEX"
        expected.setdefault(section, {})[f"{r['corpus']}/{r['condition']}"] = {
            "command": command,
            "n": s["n"],
            **{m: s[m] for m in METRICS},
            "ci": {m: s[f"{m}_ci"] for m in METRICS},
        }
    answers = {} if full_index else results.get("answers") or {}
    for corpus, s in (answers.get("by_corpus") or {}).items():
        if corpus == "scale":  # answered on a full index only (--index-dir): not pinned
            continue
        expected["answers"][corpus] = {
            "command": f"python -m evals.run --corpora {corpus}",
            "threshold": answers["threshold"],
            "n": s["n"],
            **{m: s[m] for m in ANSWER_METRICS},
            "ci": {m: s[f"{m}_ci"] for m in ANSWER_METRICS if f"{m}_ci" in s},
        }
    return expected


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("results", nargs="+", type=Path)
    ap.add_argument("--full-index", action="store_true", help="results on the whole archive")
    args = ap.parse_args()
    path = HERE / "expected.json"
    expected = json.loads(path.read_text(encoding="utf-8"))
    for r in args.results:
        expected = pin(expected, json.loads(r.read_text(encoding="utf-8")), args.full_index)
    path.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
