"""The pinned eval: real CLI-equivalent run on the sample corpus, scores from evals/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.run import ROOT, metrics, run_condition

pytestmark = pytest.mark.integration
EXPECTED = json.loads((ROOT / "evals" / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("condition", sorted(EXPECTED["conditions"]))
def test_pinned_retrieval_scores(condition: str, tmp_path: Path) -> None:
    got = run_condition(condition, tmp_path)["scores"]["all"]
    want = EXPECTED["conditions"][condition]
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert got[metric] >= want[metric] - EXPECTED["tolerance"], (condition, metric, got)


def test_metrics_worked_example() -> None:
    # gold at rank 2 with relevance 2: MRR 1/2, nDCG (2/log2(3)) / (2/log2(2))
    m = metrics(["a", "g", "b"], {"g": 2})
    assert m["hit@1"] == 0.0 and m["hit@5"] == 1.0 and m["mrr@10"] == 0.5
    assert abs(m["ndcg@10"] - 1 / 1.584962500721156) < 1e-9
