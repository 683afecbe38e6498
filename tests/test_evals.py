"""The pinned evals: real runs on the sample corpus (and ../shared minutes when present),
failing when a metric drops below its committed value minus the tolerance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.run import ROOT, facts_present, metrics, missing_data, run_answers, run_condition

EXPECTED = json.loads((ROOT / "evals" / "expected.json").read_text(encoding="utf-8"))
TOL = EXPECTED["tolerance"]


def keys(table: dict[str, object]) -> list[object]:
    """The pinned conditions; those on corpora from ../shared are marked ``shared``."""
    return [
        k if k.startswith("sample/") else pytest.param(k, marks=pytest.mark.shared)
        for k in sorted(x for x in table if "/" in x)
    ]


@pytest.mark.integration
@pytest.mark.parametrize("key", keys(EXPECTED["retrieval"]))
def test_pinned_retrieval_scores(key: str, index_cache: Path) -> None:
    corpus, condition = key.split("/")
    if missing_data(corpus):
        pytest.skip(f"{corpus}: {missing_data(corpus)}")
    got = run_condition(condition, index_cache, corpus)["scores"]["all"]
    want = EXPECTED["retrieval"][key]
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert got[metric] >= want[metric] - TOL, (key, metric, got)


@pytest.mark.integration
def test_pinned_answer_scores(index_cache: Path) -> None:
    want = EXPECTED["answers"]["sample"]
    got = run_answers(index_cache, ["sample"], threshold=want["threshold"])["scores"]
    for metric in (
        "facts_present",
        "citation_precision",
        "no_answer_precision",
        "no_answer_recall",
    ):
        assert got[metric] >= want[metric] - TOL, (metric, got)


def test_metrics_worked_example() -> None:
    # gold at rank 2 with relevance 2: MRR 1/2, nDCG (2/log2(3)) / (2/log2(2))
    m = metrics(["a", "g", "b"], {"g": 2})
    assert m["hit@1"] == 0.0 and m["hit@5"] == 1.0 and m["mrr@10"] == 0.5
    assert abs(m["ndcg@10"] - 1 / 1.584962500721156) < 1e-9


def test_facts_present_counts_alternatives_and_ignores_spacing() -> None:
    assert facts_present("人口は 109 万 8,219 人です", ["109万8,219"]) == 1.0
    assert facts_present("神戸市を参考にした", ["神戸市|Kobe", "2019年"]) == 0.5


@pytest.mark.integration
@pytest.mark.parametrize("key", keys(EXPECTED.get("full_index", {})))
def test_pinned_scores_on_the_full_scale_index(key: str, tmp_path: Path) -> None:
    """The scale needles on the full embedded index: 27 minutes to build, so only when
    RAG_SCALE_INDEX names one (see docs/scaling.md)."""
    import os

    index = os.environ.get("RAG_SCALE_INDEX")
    if not index or not Path(index).exists():
        pytest.skip("set RAG_SCALE_INDEX to an index built from ../shared/scale")
    corpus, condition = key.split("/")
    if missing_data(corpus):
        pytest.skip(f"{corpus}: {missing_data(corpus)}")
    got = run_condition(condition, tmp_path, corpus, Path(index))["scores"]["all"]
    want = EXPECTED["full_index"][key]
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert got[metric] >= want[metric] - TOL, (key, metric, got)
