"""Municipalities: which a question names, which council's minutes a document records, and
the answer's refusal to take one municipality's passages for another's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.answering import NOT_ABOUT, Answerer
from rag.bm25 import BM25
from rag.chunking import Chunk
from rag.evidence import Evidence
from rag.indexing import ingest, load_index
from rag.municipalities import (
    council_municipality,
    english_named,
    most_named,
    named,
    place_of,
    speaks_of,
)
from rag.retrieval import Hit, Retriever
from rag.settings import Settings
from rag.tokenizing import Tokenizer

from .conftest import REPORT, FakeEmbeddings

TOK = Tokenizer()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("港区はZEB認証を何施設で取得しているか", ["港区"]),
        ("杉並区には病児保育の施設が何か所あるか", ["杉並区"]),
        ("東京都品川区の区民", ["品川区"]),  # the ward, not the prefecture
        ("函館市議会で反対した会派", ["函館市"]),
        ("横浜市会会議録", ["横浜市"]),
        ("東京都檜原村と奥多摩町議会", ["檜原村", "奥多摩町"]),
        # a ward's own neighbourhoods (大井町駅), a mayor named by surname: not municipalities
        ("大井町駅と荏原町の商店街、大泉市長の答弁", []),
        ("目黒区内の施設と世田谷区立の学校", ["目黒区", "世田谷区"]),
        # what councils write of their own ward, districts and offices: not a municipality
        ("本区では地区ごとに特別区の選挙区と市町村を", []),
        ("都市計画の各区の状況", []),
    ],
)
def test_named_municipalities(text: str, expected: list[str]) -> None:
    assert named(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How many Wi-Fi spots has Ota ward set up?", [("ota", "ward")]),
        ("What is Meguro Ward's fine?", [("meguro", "ward")]),
        (
            "Is the City of Sendai ahead of Yokohama City?",
            [("sendai", "city"), ("yokohama", "city")],
        ),
        ("Ota-ku and Hinohara village", [("ota", "ward"), ("hinohara", "village")]),
        # a city or ward that names none
        ("What did the city decide? Which ward? Each ward's share", []),
        ("How did Morioka get cloud cost savings?", []),  # a bare name: the gazetteer's
    ],
)
def test_english_named_municipalities(text: str, expected: list[tuple[str, str]]) -> None:
    assert english_named(text) == expected


def test_most_named_needs_a_clear_lead() -> None:
    assert most_named({"品川区": 3903, "大田区": 64, "港区": 43}) == "品川区"  # an archive
    assert most_named({"仙台市": 12, "神戸市": 5}) == "仙台市"  # a meeting on 神戸市's example
    # one meeting that discusses another ward's example more than it names its own
    assert most_named({"港区": 3, "目黒区": 2}) is None
    assert most_named({"品川区": 2}) is None  # named twice: too little
    assert most_named({}) is None


def test_council_municipality() -> None:
    assert council_municipality("墨田区議会") == "墨田区"
    assert council_municipality("横浜市会") == "横浜市"
    assert council_municipality("東京都議会") is None  # a prefecture: not a municipality
    assert council_municipality("東京都品川区議会") == "品川区"
    assert council_municipality("京都市会") == "京都市"  # the 都 of 京都 stays
    assert council_municipality(None) is None


def test_a_passage_speaks_of_its_place_or_a_place_it_names() -> None:
    minutes = {"kind": "minutes", "municipality": "品川区"}
    assert speaks_of(minutes, "本区の施設は12か所です。", {"品川区"}) is True
    assert speaks_of(minutes, "本区の施設は12か所です。", {"港区"}) is False
    assert speaks_of(minutes, "港区では全施設で取得しています。", {"港区"}) is True
    assert speaks_of({"kind": "minutes"}, "本区の施設", {"港区"}) is None  # place unknown
    # a report's passage is about the city it visited, and is its council's document
    report = {"kind": "report", "city": "盛岡市", "municipality": "墨田区"}
    assert place_of(report) == "盛岡市"
    assert speaks_of(report, "クラウドを導入した。", {"墨田区"}) is True
    assert speaks_of(report, "クラウドを導入した。", {"仙台市"}) is False


SHINAGAWA = Chunk(
    "s#1",
    "本区の病児保育の施設は5か所で、定員は合計30名です。",
    "病児保育 施設 5か所",
    {"kind": "minutes", "municipality": "品川区", "chunk_type": "answer"},
)
NAMES_MINATO = Chunk(
    "s#2",
    "港区では病児保育の施設を8か所に増やしたと聞いています。",
    "港区 病児保育 施設",
    {"kind": "minutes", "municipality": "品川区", "chunk_type": "question"},
)


def _hits(*chunks: Chunk) -> list[Hit]:
    return [Hit(c, 1.0, i, similarity=0.8) for i, c in enumerate(chunks, 1)]


def test_evidence_keeps_the_passages_about_the_asked_municipality() -> None:
    ev = Evidence(TOK, BM25.build([TOK(c.embed_text) for c in (SHINAGAWA, NAMES_MINATO)]))
    asked = ev.asked_places("港区の病児保育の施設は何か所か")
    assert asked == [("港区", frozenset({"港区"}))]
    kept = ev.about(_hits(SHINAGAWA, NAMES_MINATO), asked)
    assert [(h.chunk.id, h.rank) for h in kept] == [("s#2", 1)]  # ranked anew
    assert ev.about(_hits(SHINAGAWA), ev.asked_places("杉並区の病児保育は")) == []
    assert len(ev.about(_hits(SHINAGAWA), ev.asked_places("病児保育の施設は"))) == 1


def test_an_english_ward_is_matched_through_the_index_readings() -> None:
    ev = Evidence(TOK, BM25.build([TOK("品川区の病児保育"), TOK("大田区との境")]))
    (label, forms), *_ = ev.asked_places("How many sick-child care centres does Ota ward run?")
    assert label == "Ota ward" and "大田区" in forms
    (_, forms), *_ = ev.asked_places("How many does Shinagawa City run?")  # a ward's English
    assert "品川区" in forms
    # no indexed word reads as it: a name the index never mentions (missing_names'), or none
    assert ev.asked_places("How many does Nerima ward run?") == []
    assert ev.asked_places("Is Shinagawa a Smart city?") == []


MEETINGS = [
    {
        "id": "m1",
        "dateIso": "2024-03-01",
        "title": "2024年3月1日 厚生委員会",
        "voices": [
            {
                "i": 1,
                "speaker": "山田委員",
                "text": "品川区の病児保育について伺います。杉並区の例も聞きます。",
            },
            {
                "i": 2,
                "speaker": "保育課長",
                "text": "品川区では病児保育の施設を5か所で運営しております。品川区民の利用は年々増えています。",
            },
        ],
    },
    {
        "id": "m2",
        "dateIso": "2024-03-02",
        "title": "2024年3月2日 文教委員会",
        "voices": [
            {
                "i": 1,
                "speaker": "鈴木委員",
                "text": "本区の図書館の開館時間の延長について伺います。",
            },
            {
                "i": 2,
                "speaker": "図書館長",
                "text": "区立図書館は来年度から午後9時まで開館いたします。",
            },
        ],
    },
]


@pytest.fixture()
def archive(tmp_path: Path) -> tuple[Settings, FakeEmbeddings]:
    d = tmp_path / "docs"
    d.mkdir()
    lines = [json.dumps(m, ensure_ascii=False) for m in MEETINGS]
    (d / "archive.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(REPORT, d / REPORT.name)
    shutil.copy(REPORT.parent / "catalog.toml", d / "catalog.toml")
    (d / "hakodate-20240222.txt").write_text(
        "令和6年第1回函館市議会定例会会議録\n\n"
        "◎議長（佐藤）\n\nただいまから会議を開きます。\n\n"
        "◎市長（大泉潤）\n\n病児保育の施設は市内に3か所ございます。\n",
        encoding="utf-8",
    )
    s, emb = Settings(index_dir=tmp_path / "index", embed_model="fake"), FakeEmbeddings()
    report = ingest([d], s, emb)
    assert "municipality read from the text: 品川区 (2 documents)" in report.summary()
    return s, emb


def test_ingest_records_each_documents_municipality(
    archive: tuple[Settings, FakeEmbeddings],
) -> None:
    places = {}
    for c in load_index(archive[0]).chunks:
        places.setdefault(str(c.metadata["doc_id"]).split(":")[-1], set()).add(
            c.metadata.get("municipality")
        )
    # the archive's file names 品川区: both meetings are 品川区's, also the one that never
    # names it; the header names 函館市; the catalog gives the report's council (墨田区議会)
    assert places["m1"] == places["m2"] == {"品川区"}
    assert places["hakodate-20240222"] == {"函館市"}
    report_id = next(k for k in places if k.startswith("sumida"))
    assert places[report_id] == {"墨田区"}


def test_a_question_about_another_ward_is_refused_not_answered_from_this_one(
    archive: tuple[Settings, FakeEmbeddings],
) -> None:
    s, emb = archive
    # one passage, the best found: the library's (杉並区 is named only in another meeting)
    answerer = Answerer(Retriever(load_index(s), emb, s), min_confidence=0.0, passages=1)
    ours = answerer.ask("品川区の図書館は何時まで開館しますか")
    assert ours.status == "answered" and "午後9時" in ours.answer
    theirs = answerer.ask("杉並区の図書館は何時まで開館しますか")
    assert theirs.status == "no_answer"
    assert theirs.answer.startswith(NOT_ABOUT["ja"].format(names="杉並区"))
    assert theirs.nearest  # the passages found are still listed
    english = answerer.ask("Until what time will Suginami ward's libraries open?")
    assert english.status == "no_answer" and "Suginami ward" in english.answer
    # a follow-up naming the other ward is not answered from the carried topic's passages
    follow = answerer.ask("杉並区は？", history=["品川区の図書館は何時まで開館しますか"])
    assert follow.status == "no_answer" and "午後9時" not in follow.answer


def test_search_puts_other_councils_passages_after_those_of_the_asked_one(
    archive: tuple[Settings, FakeEmbeddings],
) -> None:
    s, emb = archive
    retriever = Retriever(load_index(s), emb, s)
    assert {"品川区", "函館市"} <= set(retriever.places.names.values())
    rows = np.arange(len(retriever.chunks))
    places = [place_of(c.metadata) for c in retriever.chunks]
    # asked about 函館市: 品川区's passages are said elsewhere (they never name it)
    elsewhere = retriever._elsewhere("函館市は病児保育の施設を何か所で運営していますか", rows)
    assert {p for p, e in zip(places, elsewhere, strict=True) if not e} == {"函館市"}
    elsewhere = retriever._elsewhere("品川区は病児保育の施設を何か所で運営していますか", rows)
    assert {p for p, e in zip(places, elsewhere, strict=True) if not e} == {"品川区"}
    hits = retriever.search("函館市は病児保育の施設を何か所で運営していますか", k=3).hits
    assert hits[0].chunk.metadata["municipality"] == "函館市"
