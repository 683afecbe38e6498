"""The pinned evals: real runs on the test split of the sample corpus (and ../shared minutes
when present), failing when a metric drops below its committed value minus the tolerance;
and checks of the eval data (split, sizes) and of the statistics beside the scores."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evals import split as splitting
from evals.compare import compare_files
from evals.pin import ANSWER_METRICS
from evals.run import (
    NOT_INDEXED,
    ROOT,
    facts_present,
    groups_of,
    load_facts,
    load_queries,
    metrics,
    missing_data,
    resolve,
    run_answers,
    run_condition,
    score_runs,
    summarise,
    to_markdown,
)
from evals.stats import bootstrap_ci, bootstrap_stat, paired

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
    got = run_condition(condition, index_cache, corpus, split="test")["scores"]["all"]
    want = EXPECTED["retrieval"][key]
    assert got["n"] == want["n"], (key, "the test split changed: re-pin", got["n"])
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert got[metric] >= want[metric] - TOL, (key, metric, got)


@pytest.mark.integration
@pytest.mark.parametrize("corpus", sorted(EXPECTED["answers"]))
def test_pinned_answer_scores(corpus: str, index_cache: Path) -> None:
    if missing_data(corpus):
        pytest.skip(f"{corpus}: {missing_data(corpus)}")
    want = EXPECTED["answers"][corpus]
    got = run_answers(index_cache, [corpus], threshold=want["threshold"], split="test")["scores"]
    assert got["n"] == want["n"], (corpus, "the test split changed: re-pin", got["n"])
    for metric in ANSWER_METRICS:
        assert metric in want, (corpus, metric, "not pinned: run python -m evals.pin")
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
    """The scale needles on the full embedded index: 30 minutes to build, so only when
    RAG_SCALE_INDEX names one (see docs/scaling.md)."""
    import os

    index = os.environ.get("RAG_SCALE_INDEX")
    if not index or not Path(index).exists():
        pytest.skip("set RAG_SCALE_INDEX to an index built from ../shared/scale")
    corpus, condition = key.split("/")
    if missing_data(corpus):
        pytest.skip(f"{corpus}: {missing_data(corpus)}")
    got = run_condition(condition, tmp_path, corpus, Path(index), split="test")["scores"]["all"]
    want = EXPECTED["full_index"][key]
    for metric in ("hit@1", "hit@5", "mrr@10", "ndcg@10"):
        assert got[metric] >= want[metric] - TOL, (key, metric, got)


def test_every_question_has_a_split_and_twins_share_it() -> None:
    queries, quotes = splitting.read_queries(), splitting.read_quotes()
    assert splitting.problems(queries, quotes) == []
    # a Japanese question and its English twin (same gold quote) sit on one side
    assert {q["split"] for q in queries if q["id"] in ("r01", "r02")} in ({"dev"}, {"test"})


def test_test_and_dev_are_disjoint_and_cover_every_stratum() -> None:
    dev, test = load_queries(split="dev"), load_queries(split="test")
    assert not {q["id"] for q in dev} & {q["id"] for q in test}
    assert len(dev) + len(test) == len(load_queries())
    strata = lambda qs: {(q["corpus"], bool(q.get("unanswerable"))) for q in qs}  # noqa: E731
    assert strata(dev) == strata(test)


def test_every_answerable_question_has_key_facts_its_twin_shares() -> None:
    # a question without facts would score 0 however it is answered
    facts = load_facts()
    answerable = [q for q in load_queries() if not q.get("unanswerable")]
    assert [q["id"] for q in answerable if not facts.get(q["id"])] == []
    twins = [q for q in answerable if q.get("translates")]
    assert twins and all(facts[q["id"]] for q in twins)
    assert facts["n19e"] == facts["n19"]  # written without facts of its own


def test_the_eval_set_is_as_large_as_promised() -> None:
    queries = load_queries()
    by = Counter(q["corpus"] for q in queries)
    assert len(queries) >= 150
    assert by["minutes"] >= 40
    assert sum(q.get("origin") == "random" for q in queries) >= 40
    assert sum(q["lang"] == "en" for q in queries) >= 25
    assert sum(bool(q.get("unanswerable")) for q in queries) >= 15
    assert all(q.get("source") for q in queries if q.get("origin") == "random")


def test_new_questions_are_dealt_without_moving_recorded_ones() -> None:
    queries = [
        {"id": "a", "lang": "ja", "corpus": "x", "split": "test"},
        {"id": "b", "lang": "en", "corpus": "x"},
        *({"id": f"c{i}", "lang": "ja", "corpus": "x"} for i in range(6)),
    ]
    quotes = {"a": {"同じ引用"}, "b": {"同じ引用"}}
    splitting.deal(queries, quotes)
    by_id = {q["id"]: q["split"] for q in queries}
    assert by_id["a"] == by_id["b"] == "test"  # the twin joins its group's side
    assert Counter(by_id[f"c{i}"] for i in range(6)) == {"dev": 3, "test": 3}


def test_a_quote_the_index_dropped_scores_zero_and_a_typo_fails() -> None:
    chunks = [("c1", "関係のない文")]
    in_source = {"q": [("株式会社ICSという地元の企業", 2)]}  # in corpus/, not in chunks
    gold = resolve(in_source, chunks, {"q"}, corpus="sample")
    assert gold == {"q": {NOT_INDEXED: 2}}
    assert score_runs({"q": ["c1"]}, gold)["q"] == dict.fromkeys(
        ("hit@1", "hit@5", "mrr@10", "ndcg@10"), 0.0
    )
    with pytest.raises(SystemExit, match="in no document"):
        resolve({"q": [("どこにもない引用文", 2)]}, chunks, {"q"}, corpus="sample")


@settings(max_examples=40, deadline=None)
@given(
    ranked=st.lists(st.sampled_from("abcdefghijkl"), min_size=1, max_size=12, unique=True),
    rels=st.dictionaries(st.sampled_from("abcdefghijkl"), st.integers(1, 2), min_size=1),
)
def test_ranx_metrics_match_the_textbook_formulas(ranked: list[str], rels: dict[str, int]) -> None:
    first = next((i for i, c in enumerate(ranked[:10], 1) if c in rels), None)
    dcg = sum(rels.get(c, 0) / math.log2(i + 1) for i, c in enumerate(ranked[:10], 1))
    ideal = sum(r / math.log2(i + 1) for i, r in enumerate(sorted(rels.values())[::-1][:10], 1))
    got = metrics(ranked, rels)
    assert got["hit@1"] == float(first == 1)
    assert got["hit@5"] == float(first is not None and first <= 5)
    assert got["mrr@10"] == pytest.approx(1 / first if first else 0.0)
    assert got["ndcg@10"] == pytest.approx(dcg / ideal)


def test_bootstrap_interval_holds_the_mean_and_is_seeded() -> None:
    values = [1.0] * 30 + [0.0] * 20
    lo, hi = bootstrap_ci(values)
    assert lo < 0.6 < hi and hi - lo < 0.35
    assert bootstrap_ci(values) == (lo, hi)
    assert bootstrap_ci([1.0] * 10) == (1.0, 1.0)
    assert bootstrap_stat(values, lambda xs: sum(xs) / len(xs)) == (lo, hi)


def test_paired_test_tells_a_real_change_from_noise() -> None:
    old = [0.0] * 25 + [1.0] * 25
    assert paired(old, [1.0] * 50).verdict == "better"
    assert paired(old, [1.0] * 50).p < 0.01
    assert paired([1.0] * 50, old).verdict == "worse"
    noisy = old[:]
    noisy[0], noisy[30] = 1.0, 0.0  # one question gained, one lost
    r = paired(old, noisy)
    assert r.verdict == "within the interval" and r.diff == 0.0 and r.p > 0.5
    few = [0.0] * 4 + [1.0] * 21  # four questions gained, none lost: interval > 0, p ≈ 0.13
    assert paired(few, [1.0] * 25).ci[0] > 0
    assert paired(few, [1.0] * 25).verdict == "within the interval"
    with pytest.raises(ValueError):
        paired([1.0], [1.0, 0.0])


def test_compare_pairs_results_files_by_question(tmp_path: Path) -> None:
    def write(name: str, hits: list[float]) -> Path:
        per_q = {
            f"q{i}": {"hit@1": h, "hit@5": h, "mrr@10": h, "ndcg@10": h} for i, h in enumerate(hits)
        }
        path = tmp_path / name
        payload = {"retrieval": [{"corpus": "c", "condition": "bm25:use", "per_query": per_q}]}
        path.write_text(json.dumps(payload))
        return path

    rows = compare_files(write("a.json", [0.0] * 40), write("b.json", [1.0] * 40), "mrr@10")
    assert [(c, k, r.verdict) for c, k, r in rows] == [("c", "bm25:use", "better")]


def test_compare_pairs_answers_counting_refusals_as_no_facts(tmp_path: Path) -> None:
    def write(name: str, confidence: float, facts: float) -> Path:
        qs = [
            {
                "id": f"q{i}",
                "corpus": "c",
                "unanswerable": False,
                "confidence": confidence,
                "facts": facts,
                "cited_gold": 1,
            }
            for i in range(40)
        ]
        qs.append(
            {
                "id": "u",
                "corpus": "c",
                "unanswerable": True,
                "confidence": 0.9,
                "facts": 0.0,
                "cited_gold": 0,
            }
        )
        path = tmp_path / name
        path.write_text(json.dumps({"answers": {"threshold": 0.3, "questions": qs}}))
        return path

    refused = write("refused.json", 0.1, 1.0)  # facts in the text, but below the gate
    answered = write("answered.json", 0.9, 1.0)
    [(corpus, kind, r)] = compare_files(refused, answered, "facts")
    assert (corpus, kind, r.n, r.mean_a, r.mean_b) == ("c", "answers", 40, 0.0, 1.0)
    assert r.verdict == "better"


def test_an_answer_refused_by_its_status_counts_as_a_refusal() -> None:
    from evals.run import answer_scores

    base = {"corpus": "c", "lang": "ja", "facts": 1.0, "cited": ["x"], "cited_gold": 1}
    qs = [
        dict(base, id="a", unanswerable=False, confidence=0.9, status="answered"),
        # past the gate, but the LLM's reply had no valid citation: refused
        dict(base, id="b", unanswerable=False, confidence=0.9, status="no_answer", warnings=1),
        dict(base, id="u", unanswerable=True, confidence=0.9, status="no_answer", facts=0.0),
    ]
    s = answer_scores(qs, 0.3)
    assert s["answered"] == 1 and s["facts_present"] == 0.5
    assert s["no_answer_recall"] == 1.0 and s["no_answer_precision"] == 0.5
    assert s["checker_refusals"] == 1  # "b"; "u" was refused by its own status, no warning


def test_a_batch_of_questions_is_reported_apart() -> None:
    """The questions added on one day count in their own row of the results (retrieval
    and answers), beside all, their language and ``random``."""
    new = {"id": "m99", "lang": "ja", "batch": "2026-11-28"}
    assert groups_of(new) == ["all", "ja", "batch 2026-11-28"]
    assert groups_of({"id": "n1", "lang": "en", "origin": "random"}) == ["all", "en", "random"]
    per = [({"id": "a", "lang": "ja"}, {m: 1.0 for m in ("hit@1", "hit@5", "mrr@10", "ndcg@10")})]
    per += [(new, {m: 0.0 for m in ("hit@1", "hit@5", "mrr@10", "ndcg@10")})]
    scores = summarise(per)
    assert scores["batch 2026-11-28"]["n"] == 1 and scores["all"]["mrr@10"] == 0.5
    result = {"corpus": "minutes", "condition": "hybrid:use", "split": "test", "build_s": 0}
    md = to_markdown([{**result, "scores": scores}], None)
    assert "| minutes | hybrid:use | batch 2026-11-28 | 1 | 0.000" in md
