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


# -- what a side is, as council minutes are written -------------------------------------------
CHAIR = {"name": None, "role": "委員長", "category": "chair", "label": "委員長"}
EDUCATION = {"name": "山田", "role": "教育長", "category": "official", "label": "山田教育長"}
# as the chunker records an election commission's chair: a role ending in 委員長 reads as a
# committee chair's, so the stored category is member
ELECTION = {
    "name": "塚本",
    "role": "選挙管理委員会委員長",
    "category": "member",
    "label": "塚本選挙管理委員会委員長",
}


def turns_chunk(
    cid: str,
    turns: list[tuple[dict[str, Any], str]],
    kind: str = "qa",
    question_id: str | None = None,
    questioner: dict[str, Any] | None = None,
) -> Chunk:
    """A chunk as the chunker writes it: turns with their offsets, the unit's questioner
    (its first member turn) and its first sentences as ``question``."""
    text, offsets, pos = [], [], 0
    for n, (who, said) in enumerate(turns, 1):
        offsets.append({"offset": pos, "n": n, "speaker": who["label"]})
        text.append(said)
        pos += len(said) + 1
    members = [w for w, _ in turns if w["category"] == "member"]
    meta = {
        "doc_id": cid.split("#")[0],
        "meeting": "2024年第2回定例会",
        "date": "2024-06-27",
        "chunk_type": kind,
        "questioner": questioner or (members[0] if members else None),
        "answerers": [w for w, _ in turns if w["category"] == "official"],
        "speaker_details": [w for w, _ in turns],
        "turn_offsets": offsets,
        "question_id": question_id or cid,
        "question": turns[0][1][:40] if kind in ("qa", "question") else None,
    }
    return Chunk(cid, "\n".join(text), "\n".join(text), meta)


def test_a_members_statement_and_a_committee_report_are_no_questions() -> None:
    opinion = turns_chunk(
        "s#001", [(MEMBER, "待機児童対策を引き続きお願いしたいと思います。")], "statement"
    )
    report = turns_chunk(
        "s#002", [(OTHER, "委員会の待機児童に関する調査を御報告いたします。")], "report"
    )
    assert pairs_in(opinion) == [] and pairs_in(report) == []
    found = find_exchanges(FakeSearcher([opinion, report]), "待機児童", terms=["待機児童"])
    assert found.exchanges == []


def test_the_asker_is_the_member_the_answer_replies_to() -> None:
    """A previous member's closing remark joined to the unit is not the question."""
    chunk = turns_chunk(
        "t#105",
        [
            (OTHER, "分かりました。ありがとうございます。"),
            (CHAIR, "ほかにございますか。"),
            (MEMBER, "防災訓練の内容に区はどう関わっているのか伺います。"),
            (CHIEF, "２点ご質問いただきました。訓練の内容は町会と協議しております。"),
        ],
    )
    [(q, a)] = pairs_in(chunk)
    assert q is not None and q.speaker["name"] == "佐藤花子"
    assert q.text == "防災訓練の内容に区はどう関わっているのか伺います。"
    assert a is not None and a.speaker["name"] == "鈴木一郎"


def test_an_executive_commissions_officer_never_asks() -> None:
    """「私からは、選挙に関するご質問にお答えいたします。」 is an answer, whatever category
    the stored label got."""
    answer = "私からは、選挙に関するご質問にお答えいたします。まず、ポスターの公費負担は増やしております。"
    own = turns_chunk("e#093", [(ELECTION, answer)], "question")
    linked = turns_chunk("e#095", [(CHIEF, "選挙の啓発は広報紙で行います。")], "answer", "e#093")
    linked.metadata["questioner"] = ELECTION  # the chunker's asked_by
    assert all(q is None for q, _ in pairs_in(own))
    found = find_exchanges(FakeSearcher([own, linked]), "選挙", terms=["選挙"])
    assert found.exchanges == []


def test_the_question_side_holds_the_whole_question() -> None:
    """The chunker's ``question`` is the turn's first sentences, often a remark on the
    previous answer; the question asked comes after it."""
    chunk = turns_chunk(
        "w#021",
        [
            (
                MEMBER,
                "正確なデータで進めていただきたいと思います。\n生成ＡＩを使わない職員にどう使ってもらうのか伺います。",
            ),
            (CHIEF, "生成ＡＩの活用例を示してまいります。"),
        ],
    )
    [(q, _)] = pairs_in(chunk)
    assert q is not None and "どう使ってもらうのか伺います" in q.text
    found = find_exchanges(FakeSearcher([chunk]), "職員", terms=["職員"])
    assert [e.question.quotes for e in found.exchanges] == [
        ("生成ＡＩを使わない職員にどう使ってもらうのか伺います。",)
    ]


def test_a_question_continued_in_the_next_chunk_gets_the_answer_linked_to_it() -> None:
    parts = [
        turns_chunk("l#097", [(MEMBER, "図書館の選書ツアーについて、一つ目の案です。")]),
        turns_chunk(
            "l#098", [(MEMBER, "二つ目の案は図書館の感想サイトです。")], question_id="l#097"
        ),
        turns_chunk(
            "l#099",
            [(MEMBER, "以上、図書館への提案です。"), (CHIEF, "図書館で検討してまいります。")],
            question_id="l#097",
        ),
    ]
    found = find_exchanges(FakeSearcher(parts), "図書館", terms=["図書館"])  # each a hit
    assert {(e.question.chunk_id, e.answer_id) for e in found.exchanges} == {("l#097", "l#099")}
    [ex] = found.exchanges
    assert ex.question.text == (  # the whole question, over the three chunks
        "図書館の選書ツアーについて、一つ目の案です。\n二つ目の案は図書館の感想サイトです。\n"
        "以上、図書館への提案です。"
    )


def test_each_answering_official_is_a_side_of_its_own() -> None:
    chunk = turns_chunk(
        "m#017",
        [
            (MEMBER, "感染症の啓発と学校での教育について伺います。"),
            (CHIEF, "区報で感染症の啓発に努めております。"),
            (CHAIR, "山田教育長。"),
            (EDUCATION, "学校では感染症の予防を教えております。"),
        ],
    )
    pairs = pairs_in(chunk)
    assert [(a.speaker["role"], a.text) for _, a in pairs if a] == [
        ("子ども未来部長", "区報で感染症の啓発に努めております。"),
        ("教育長", "学校では感染症の予防を教えております。"),
    ]


class CountingSearcher(FakeSearcher):
    """Its search finds only the best chunk; ``containing`` lists every chunk holding the
    words, as the BM25 postings do."""

    def search(self, query: str, k: int = 5, mode: str = "hybrid", filters: Any = None) -> Any:
        return FakeResult([FakeHit(self._chunks[0], 1.0)])

    def containing(self, terms: Any, filters: Any = None) -> list[Chunk]:
        return [c for c in self._chunks if all(t in c.text for t in terms)]


def test_a_topic_is_counted_beyond_the_best_hits() -> None:
    searcher = CountingSearcher(CHUNKS)
    result = find_exchanges(searcher, "待機児童", terms=["待機", "児童"], limit=None)
    assert [e.question.chunk_id for e in result.exchanges] == ["d#007", "b#004", "a#001"]
    assert [e.score for e in result.exchanges] == [0.0, 0.0, 1.0]  # counted, not ranked
    assert len(find_exchanges(searcher, "待機児童", terms=["待機", "児童"], limit=1).exchanges) == 1


def test_csv_cells_never_run_as_spreadsheet_formulas() -> None:
    from rag.exchanges import Exchange, Side

    q = Side("x#1", {"name": '=HYPERLINK("http://evil")'}, ("@SUM(A1) 予算について",), "")
    a = Side("x#2", {"role": "-区長"}, ("+1 増額します。",), "")
    rows = list(csv.DictReader(io.StringIO(to_csv([Exchange(q, a, "会議", "2024-01-01", "x", 1)]))))
    assert rows[0]["questioner"].startswith("'=") and rows[0]["question"].startswith("'@")
    assert rows[0]["answerer"].startswith("'-") and rows[0]["answer"].startswith("'+")
    assert rows[0]["date"] == "2024-01-01"
