"""Past exchanges: pairs from hand-made chunks (unit), then from real minutes (integration)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rag.chunking import Chunk
from rag.exchanges import (
    amounts,
    check_draft,
    find_exchanges,
    fiscal_year,
    pairs_in,
    quotes,
    stance,
    timeline,
    to_csv,
    to_docx,
    to_markdown,
    topic_terms,
)
from tests.conftest import ROOT

MEMBER = {"name": "佐藤花子", "role": "議員", "category": "member", "label": "3番（佐藤花子君）"}
MEMBER["party"] = "みらい会"
CHIEF = {"name": "鈴木一郎", "role": "子ども未来部長", "category": "official", "label": "部長"}
OTHER = {"name": "田中次郎", "role": "議員", "category": "member", "label": "5番（田中次郎君）"}


def unit(
    cid: str, date: str, asked: str, answered: str | None, who: dict[str, Any] = MEMBER
) -> Chunk:
    text = asked + ("\n" + answered if answered else "")
    offsets = [{"offset": 0, "n": 1, "speaker": who["label"]}]
    if answered:
        offsets.append({"offset": len(asked) + 1, "n": 2, "speaker": CHIEF["label"]})
    meta = {
        "doc_id": cid.split("#")[0],
        "meeting": f"{date[:4]}年定例会",
        "date": date,
        "questioner": who,
        "answerers": [CHIEF] if answered else [],
        "turn_offsets": offsets,
        "chunk_type": "qa",
    }
    return Chunk(cid, text, text, meta)


@dataclass
class FakeHit:
    chunk: Chunk
    score: float


@dataclass
class FakeResult:
    hits: list[FakeHit]


class FakeSearcher:
    """Returns every chunk, best first in the given order: the pairing and the topic check are
    what is tested, not the ranking."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks = chunks

    @property
    def chunks(self) -> list[Chunk]:
        return self._chunks

    def search(self, query: str, k: int = 5, mode: str = "hybrid", filters: Any = None) -> Any:
        hits = [FakeHit(c, 1.0 / (i + 1)) for i, c in enumerate(self._chunks)]
        return FakeResult(hits[:k])


CHUNKS = [
    unit(
        "a#001",
        "2021-06-10",
        "待機児童の解消について伺います。今年度の見込みはどうですか。",
        "待機児童数は令和3年4月1日時点で12人です。保育園の整備を進めてまいります。",
    ),
    unit(
        "b#004",
        "2023-02-20",
        "待機児童ゼロの達成について伺います。",
        "待機児童数は令和5年4月1日時点で0人となりました。",
        OTHER,
    ),
    unit(
        "c#002", "2024-09-05", "公園のトイレの改修について伺います。", "改修を検討してまいります。"
    ),
    unit("d#007", "2025-03-01", "待機児童の送迎ステーションについて伺います。", None),
]


def test_a_unit_gives_its_question_and_its_answer() -> None:
    [(q, a)] = pairs_in(CHUNKS[0])
    assert q is not None and a is not None
    assert q.text.startswith("待機児童の解消") and q.speaker["name"] == "佐藤花子"
    assert a.text.startswith("待機児童数は") and a.speaker["role"] == "子ども未来部長"


def test_a_linked_answer_part_is_paired_with_the_question_it_answers() -> None:
    answer_only = Chunk(
        "e#010",
        "次に、学童保育についてお答えします。定員を40人増やします。",
        "",
        {
            "question_id": "e#009",
            "question": "次に、学童保育の定員について伺います。",
            "questioner": MEMBER,
            "answerers": [CHIEF],
            "turn_offsets": [{"offset": 0, "n": 4, "speaker": CHIEF["label"]}],
            "date": "2022-12-01",
        },
    )
    [(q, a)] = pairs_in(answer_only)
    assert q is not None and q.chunk_id == "e#009" and "学童保育" in q.text
    assert a is not None and a.chunk_id == "e#010"


def test_exchanges_on_a_topic_newest_first_with_unanswered_questions() -> None:
    result = find_exchanges(FakeSearcher(CHUNKS), "待機児童", terms=["待機", "児童"])
    ids = [e.question.chunk_id for e in result.exchanges]
    assert ids == ["d#007", "b#004", "a#001"]  # the park's toilets are another topic
    assert result.exchanges[0].answer is None
    first = result.to_json()["exchanges"][-1]
    assert first["answer"]["quotes"] == ["待機児童数は令和3年4月1日時点で12人です。"]
    assert set(result.to_json()) == {"query", "exchanges", "timings_ms"}


def test_filters_on_member_party_and_department() -> None:
    from rag.exchanges import ExchangeQuery

    s = FakeSearcher(CHUNKS)
    only = find_exchanges(s, "待機児童", who=ExchangeQuery(party="みらい"), terms=["待機", "児童"])
    assert [e.question.chunk_id for e in only.exchanges] == ["d#007", "a#001"]
    dept = find_exchanges(s, "待機児童", who=ExchangeQuery(department="子ども"), terms=["待機"])
    assert [e.question.chunk_id for e in dept.exchanges] == ["b#004", "a#001"]


def test_timeline_counts_per_fiscal_year_and_party() -> None:
    result = find_exchanges(FakeSearcher(CHUNKS), "待機児童", terms=["待機", "児童"])
    years = timeline(result.exchanges, "year")
    assert [(k, sum(c.values())) for k, c in years] == [
        ("2021年度", 1),
        ("2022年度", 1),  # February 2023 is in 年度 2022
        ("2024年度", 1),
    ]
    parties = dict(timeline(result.exchanges, "year", split="party"))
    assert parties["2022年度"] == {"不明": 1} and parties["2024年度"] == {"みらい会": 1}
    assert fiscal_year("2020-03-31") == 2019 and fiscal_year("") is None
    with pytest.raises(ValueError, match="by: 'colour'"):
        timeline(result.exchanges, "colour")


def test_exports_to_csv_markdown_and_docx() -> None:
    result = find_exchanges(FakeSearcher(CHUNKS), "待機児童", terms=["待機", "児童"])
    rows = list(csv.DictReader(io.StringIO(to_csv(result.exchanges))))
    assert len(rows) == 3 and rows[0]["answer"] == "（答弁の記録なし）"
    assert rows[2]["answer_id"] == "a#001" and "12人" in rows[2]["answer"]
    md = to_markdown(result)
    assert md.startswith("# 過去のやりとり: 待機児童") and "[a#001]" in md
    from docx import Document

    doc = Document(io.BytesIO(to_docx(result)))
    table = doc.tables[0]
    assert len(table.rows) == 4 and "a#001" in table.rows[3].cells[4].text


def test_quotes_pick_the_sentences_naming_the_topic_in_order() -> None:
    text = "冒頭です。待機児童は減りました。関係ありません。待機児童の対策を続けます。"
    assert quotes(text, ["待機", "児童"]) == (
        "待機児童は減りました。",
        "待機児童の対策を続けます。",
    )
    assert quotes("何もありません。次です。", ["待機"]) == ("何もありません。",)


def test_a_draft_that_states_another_number_or_stance_is_flagged() -> None:
    assert amounts("待機児童数は令和5年4月1日時点で１２人です。") == {"待機児童数": "12人"}
    assert stance("導入は考えておりません。") == "しない"
    assert stance("導入を検討してまいります。") == "検討する"
    draft = "待機児童数は15人です。送迎ステーションの設置は考えておりません。"
    diffs = check_draft(FakeSearcher(CHUNKS), draft, ["待機", "児童"])
    numbers = [(d.item, d.draft, d.past) for d in diffs if d.kind == "number"]
    assert ("待機児童数", "15人", "12人") in numbers and ("待機児童数", "15人", "0人") in numbers
    same = check_draft(FakeSearcher(CHUNKS), "待機児童数は12人です。", ["待機", "児童"])
    assert [(d.draft, d.past) for d in same] == [("12人", "0人")]


def test_topic_terms_are_the_query_compounds() -> None:
    assert topic_terms("待機児童の解消について過去の答弁") == ["待機児童", "解消"]
    assert topic_terms("消防職員の初任給") == ["消防職員", "初任給"]
    assert topic_terms("学校給食費の無償化") == ["学校給食費", "無償化"]


# -- real minutes ---------------------------------------------------------------------------
@pytest.mark.integration
@pytest.mark.shared
def test_exchanges_on_real_minutes_from_the_cli(index_cache: Path) -> None:
    """The 横浜市 plenary's bulk answer: the member's question part about firefighters' pay
    and the mayor's answer part, linked by the chunker, found by the CLI."""
    from evals.run import missing_data, open_retriever

    if missing_data("minutes"):
        pytest.skip(f"minutes: {missing_data('minutes')}")
    retriever, _ = open_retriever("minutes", "use", "surface", index_cache)
    folder = index_cache / "minutes-use-surface"
    proc = subprocess.run(
        [sys.executable, "-m", "rag", "--index-dir", str(folder), "exchanges", "消防職員の初任給",
         "--json", "--by", "year", "--split", "party"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"query", "exchanges", "timings_ms", "timeline"}
    [first, *_] = out["exchanges"]
    assert first["question"]["speaker"]["name"] == "白井正子"
    assert first["question"]["speaker"]["party"] == "日本共産党"
    assert "消防職員の初任給" in " ".join(first["question"]["quotes"])
    assert first["answer"]["speaker"]["role"] == "市長"
    assert "引上げ額" in " ".join(first["answer"]["quotes"])
    assert first["date"] == "2024-11-29"
    assert out["timeline"][0]["bucket"] == "2024年度"
    assert out["timeline"][0]["counts"].get("日本共産党", 0) >= 1
