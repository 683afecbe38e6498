"""Is a change a win? ``python -m evals.compare OLD.json NEW.json [--metric mrr@10]``
(retrieval: hit@1, hit@5, mrr@10, ndcg@10; answers: facts, gold_cited_all).

Pairs the per-question scores of two results files of ``evals.run`` (same split) for each
corpus and condition they share, and prints the mean difference with its paired bootstrap
95% interval and a randomisation p-value (``evals/stats.py``). Runs are compared by
question, not by chunk id, so results from different chunkers compare fairly. Verdict
``within the interval`` means the change is not measurable on these questions.

>>> python -m evals.compare evals/results/OLD.json /tmp/new/DATE.json   # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from evals.run import answered
from evals.stats import Paired, paired

METRICS = ("hit@1", "hit@5", "mrr@10", "ndcg@10")
# answer metrics, per answerable question, a refusal scoring 0: the facts present, and
# whether a gold passage is cited (``gold_cited_all``; evals.run's ``gold_cited`` is the
# share among the answered ones)
ANSWER_METRICS = ("facts", "gold_cited_all")


def _per_query(path: Path) -> dict[tuple[str, str], dict[str, dict[str, float]]]:
    payload = json.loads(path.read_text(encoding="utf-8"))
    out = {}
    for r in payload.get("retrieval", []):
        if "per_query" not in r:
            continue
        out[(r["corpus"], r["condition"])] = r["per_query"]
    return out


def _per_answer(path: Path, metric: str) -> dict[tuple[str, str], dict[str, dict[str, float]]]:
    """Answer scores per answerable question, keyed like the retrieval ones (an extractive
    and an LLM run pair too)."""
    answers = json.loads(path.read_text(encoding="utf-8")).get("answers") or {}
    threshold = answers.get("threshold", 0.0)
    out: dict[tuple[str, str], dict[str, dict[str, float]]] = {}
    for q in answers.get("questions", []):
        if q["unanswerable"]:
            continue
        value = q["facts"] if metric == "facts" else float(q["cited_gold"] > 0)
        out.setdefault((q["corpus"], "answers"), {})[q["id"]] = {
            metric: value if answered(q, threshold) else 0.0
        }
    return out


def compare_files(old: Path, new: Path, metric: str) -> list[tuple[str, str, Paired]]:
    """One paired comparison per (corpus, condition) found in both files."""
    if metric not in METRICS + ANSWER_METRICS:
        raise SystemExit(f"--metric {metric!r}: expected one of {METRICS + ANSWER_METRICS}")
    if metric in ANSWER_METRICS:
        a, b = _per_answer(old, metric), _per_answer(new, metric)
    else:
        a, b = _per_query(old), _per_query(new)
    rows = []
    for key in sorted(a.keys() & b.keys()):
        qids = sorted(a[key].keys() & b[key].keys())
        if qids:
            result = paired([a[key][q][metric] for q in qids], [b[key][q][metric] for q in qids])
            rows.append((key[0], key[1], result))
    return rows


def to_markdown(rows: list[tuple[str, str, Paired]], metric: str) -> str:
    out: list[Any] = [
        f"| corpus | condition | n | {metric} old | new | diff [95% CI] | p | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for corpus, cond, r in rows:
        out.append(
            f"| {corpus} | {cond} | {r.n} | {r.mean_a:.3f} | {r.mean_b:.3f} "
            f"| {r.diff:+.3f} [{r.ci[0]:+.2f}, {r.ci[1]:+.2f}] | {r.p:.3f} | {r.verdict} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("old", type=Path)
    ap.add_argument("new", type=Path)
    ap.add_argument("--metric", default="mrr@10", choices=METRICS + ANSWER_METRICS)
    args = ap.parse_args(argv)
    rows = compare_files(args.old, args.new, args.metric)
    if not rows:
        raise SystemExit("no corpus/condition with per-question scores in both files")
    print(to_markdown(rows, args.metric))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
