"""Dates, meetings and bills read from questions (unit), and the reranked hybrid search that
uses them over a fake-embedded index (fast, real FAISS and BM25)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from rag.understanding import Hints, meeting_names, understand

if TYPE_CHECKING:
    from rag.retrieval import Retriever

TODAY = datetime.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("question", "span", "label"),
    [
        # a fiscal year's matters are spoken of from its budget (deliberated from January
        # before it opens) to its accounts (the autumn after it closes)
        ("令和4年度の予算は", ("2022-01", "2023-12"), "2022年度"),
        ("R4の補正予算", ("2022", "2022"), "2022年"),
        ("平成31年4月の議会", ("2019-04", "2019-04"), "2019年4月"),
        ("2022年9月の定例会で", ("2022-09", "2022-09"), "2022年9月"),
        ("What was decided in March 2020?", ("2020-03", "2020-03"), "2020年3月"),
        ("FY2023 budget", ("2023-01", "2024-12"), "2023年度"),
        ("昨年度の待機児童数", ("2023-01", "2024-12"), "2023年度"),  # June 2024: FY2024 now
        ("令和元年の定例会で", ("2019", "2019"), "2019年"),
    ],
)
def test_dates_and_eras(question: str, span: tuple[str, str], label: str) -> None:
    h = understand(question, TODAY)
    assert (h.date_from, h.date_to) == span
    assert h.labels("ja")[0] == label


def test_numbers_that_are_not_years_are_not_dates() -> None:
    for q in ("2000円の補助", "職員は1500人", "第3回定例会", "議案第70号", "Routes 28 and 29"):
        assert understand(q, TODAY).date_from is None, q


def test_the_budget_of_a_fiscal_year_is_deliberated_before_it_opens() -> None:
    h = understand("令和5年度予算で歩行喫煙防止の過料はいくら計上されているか", TODAY)
    assert h.date_matches("2023-03-07") and h.date_matches("2024-10-01")  # budget, accounts
    assert not h.date_matches("2022-12-01") and not h.date_matches("2025-01-10")


@pytest.mark.parametrize(
    "question",
    [
        "2020年の全国がん登録によると、前立腺がんの割合は",
        "令和元年の台風の被害は",
        "令和6年1月の区営住宅入居者募集の募集戸数は",
        "How many units were offered in the January 2024 lottery?",
        "昨年の台風の被害は",
    ],
)
def test_a_date_of_something_other_than_a_meeting_is_no_hint(question: str) -> None:
    """Registry figures of 2020 are reported in 2025; a January lottery is announced in
    November: the date says nothing of when the meeting was."""
    h = understand(question, TODAY)
    assert h.date_from is None and not h


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("2022年4月の総務委員会で", ("2022-04", "2022-04")),
        ("令和2年8月の時点で看護師は何名か", ("2020-08", "2020-08")),
        ("R4の補正予算", ("2022", "2022")),
        ("the April 2022 general affairs committee", ("2022-04", "2022-04")),
        ("In the January 2023 supplementary budget", ("2023-01", "2023-01")),
        ("At the construction committee in November 2023, who asked", ("2023-11", "2023-11")),
        ("What did the mayor say in March 2020 about schools?", ("2020-03", "2020-03")),
        ("令和6年12月3日の欠席議員は誰か", ("2024-12-03", "2024-12-03")),
        ("令和5年12月の一般質問で", ("2023-12", "2023-12")),
        ("令和5年の6月に開かれた委員会", ("2023", "2023")),
    ],
)
def test_a_date_of_a_meeting_or_what_it_deliberated_is_a_hint(
    question: str, span: tuple[str, str]
) -> None:
    h = understand(question, TODAY)
    assert (h.date_from, h.date_to) == span


def test_since_a_date_hints_at_everything_after_it() -> None:
    h = understand("令和元年度以降、住宅屋根の被害は何件あったか", TODAY)
    assert h.since and h.labels() == ["2019年度以降"] and h.labels("en") == ["since FY2019"]
    assert h.date_matches("2024-10-21") and not h.date_matches("2018-12-31")
    assert h.date_matches("2019-03-05")  # the FY2019 budget, deliberated before it opened
    assert h.to_json()["date_to"] is None  # open
    assert understand("since March 2021", TODAY).date_matches("2023-05-01")
    assert understand("令和2年からの推移は", TODAY).since
    assert not understand("令和2年から令和4年までの推移は", TODAY).since
    assert h.without(["2019年度以降"]).date_from is None


def test_meetings_and_bills() -> None:
    h = understand("令和6年第4回定例会で市第54号議案について質疑したのは", TODAY)
    assert h.meetings == ("第4回定例会",) and h.bills == ("市第54号議案",)
    assert understand("議員提出議案第2号と陳情第4号は", TODAY).bills == (
        "議員提出議案第2号",
        "陳情第4号",
    )
    assert understand("決算特別委員会で", TODAY).meetings == ("決算特別委員会",)
    assert understand("定例会の本会議で", TODAY).meetings == ()  # names every plenary
    assert meeting_names("令和6年第4回定例会 第9号") == ["第4回定例会"]
    assert not understand("盛岡市はなぜコストメリットを出せたのか", TODAY)


def test_hints_match_metadata() -> None:
    h = Hints("2022-04", "2023-03", ("予算特別委員会",), ("議案第70号",), fiscal=True)
    assert h.date_matches("2023-03-20") and not h.date_matches("2023-04-01")
    assert h.meeting_matches({"meeting": "令和5年予算特別委員会 第3日"})
    decided = {"decisions": [{"item": "議案第70号", "result": "可決"}]}
    assert h.bill_matches("", decided) and h.bill_matches("議案第 70 号について", {})
    assert not h.bill_matches("議案第7号", {})


def test_hybrid_search_is_reranked_by_a_ranker_fitted_on_the_index(tmp_path: Path) -> None:
    from rag.bilingual import LEXICON_FILE
    from rag.indexing import ingest
    from rag.rerank import ENGLISH_DENSE, FEATURES, RERANKER_FILE
    from rag.retrieval import Retriever
    from rag.settings import Settings
    from tests.conftest import REPORT, FakeEmbeddings

    settings = Settings(corpus=(REPORT,), index_dir=tmp_path / "index", embed_model="fake")
    emb = FakeEmbeddings()
    ingest([REPORT], settings, emb)
    r = Retriever.open(settings, emb)
    assert r.reranker is not None and r.reranker.names == FEATURES
    saved = json.loads((r.index.folder / RERANKER_FILE).read_text(encoding="utf-8"))
    assert saved["features"] == list(FEATURES)
    result = r.search("盛岡市のガバメントクラウドのコストメリット", k=5)
    assert result.stages["second"]["reranker"]["features"] == list(FEATURES)
    assert [h.rank for h in result.hits] == [1, 2, 3, 4, 5]
    assert all(h.ranks for h in result.hits)  # each says where the first stage put it
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    fusion = r.search("盛岡市のガバメントクラウドのコストメリット", k=5, mode="fusion")
    assert fusion.stages["second"] == "rrf" and fusion.mode == "fusion"
    again = Retriever.open(settings, emb)  # loaded, not fitted again
    assert again.reranker == r.reranker
    assert not (r.index.folder / LEXICON_FILE).exists()  # built for the first English question
    english = r.search("How did Morioka get cloud cost savings?", k=5)
    assert (r.index.folder / LEXICON_FILE).is_file() and r.lexicon
    assert english.stages["second"]["reranker"] == r.reranker.to_json()  # the one ranker
    # whose scores an English question's dense similarity moves, a Japanese one's not
    assert english.stages["second"]["english_dense"] == ENGLISH_DENSE > 0
    assert "english_dense" not in result.stages["second"]
    dated = r.search("令和5年の視察で見た盛岡市のクラウド", k=3)
    assert dated.to_json()["understood"]["labels"] == ["2023年"]
    assert r.search("令和5年の視察で見た盛岡市のクラウド", k=3, hints=False).understood == Hints()


def test_a_named_place_puts_passages_about_other_places_last_not_unknown_ones(
    tmp_path: Path,
) -> None:
    """Minutes without a header say 本市, so their place is unknown: a question naming
    仙台市 ranks them by score among the report's 仙台市 passages; the 盛岡市 ones go last."""
    r = _report_and_minutes(
        tmp_path,
        "dx-iinkai.txt",
        "◯委員長　　ただいまから特別委員会を開会いたします。\n"
        "◯デジタル戦略推進部長　　生成ＡＩの職員アンケートでは、528名の職員から回答を得ました。"
        "本市のダッシュボードは本年3月に公開いたしました。\n",
    )
    assert r.reranker is not None
    hits = r.search("仙台市の生成AIの職員アンケートには何人が回答したか", k=30).hits
    assert hits[0].chunk.metadata.get("doc_id") == "dx-iinkai"
    cities = [h.chunk.metadata.get("city") for h in hits]
    assert "盛岡市" in cities
    first_elsewhere = cities.index("盛岡市")
    assert all(c == "盛岡市" for c in cities[first_elsewhere:])


def test_an_english_question_is_its_words_each_with_its_translations(tmp_path: Path) -> None:
    from rag.bilingual import build
    from rag.indexing import ingest
    from rag.retrieval import Retriever
    from rag.settings import Settings
    from tests.conftest import REPORT, FakeEmbeddings
    from tests.test_bilingual import TOKENS, VOCAB, fake_entries

    settings = Settings(corpus=(REPORT,), index_dir=tmp_path / "index", embed_model="fake")
    emb = FakeEmbeddings()
    ingest([REPORT], settings, emb)
    r = Retriever.open(settings, emb, calibrate=False)
    r._lexicon = build(VOCAB, TOKENS, fake_entries)
    groups = r.query_groups("How much did the hearing aids and the nursery school cost?")
    assert [(("hearing", "aid"), 1.0), (("補聴", "器"), 1.0)] in groups  # a pair, held in parts
    assert [(("cost",), 1.0), (("費用",), 1.0)] in groups
    assert [(("nursery", "school"), 1.0), (("保育園",), 1.0)] in groups
    words = {t for g in groups for alt, _ in g for t in alt}
    assert not {"much", "how", "did"} & words  # question words are no terms
    assert r.query_groups("盛岡市のクラウド") == [
        [((t,), 1.0)] for t in r.tokenizer("盛岡市のクラウド")
    ]
    assert r.query_tokens("hearing aid") == ["hearing", "aid", "補聴", "器"]
    # a romanised compound typed as two words is one unit, its words not counted again
    assert r.query_groups("ichiji hogo") == [[(("ichiji", "hogo"), 1.0), (("一時", "保護"), 0.5)]]


def test_english_search_survives_a_term_list_that_cannot_be_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag import bilingual
    from rag.indexing import ingest
    from rag.retrieval import Retriever
    from rag.settings import Settings
    from tests.conftest import REPORT, FakeEmbeddings

    settings = Settings(corpus=(REPORT,), index_dir=tmp_path / "index", embed_model="fake")
    emb = FakeEmbeddings()
    ingest([REPORT], settings, emb)
    r = Retriever.open(settings, emb)

    def broken(*_: object, **__: object) -> None:
        raise OSError("jamdict.db: unreadable")

    monkeypatch.setattr(bilingual, "build", broken)
    with pytest.warns(RuntimeWarning, match="no English term list"):
        hits = r.search("How did Morioka get cloud cost savings?", k=3).hits
    assert len(hits) == 3 and not r.lexicon  # searched with its own words; not retried


def test_a_question_for_a_fact_prefers_the_official_s_reply_and_who_asked_the_member_s_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The member's question restates the topic more often than the reply states it, so
    by words alone it outranks the reply for "how much"; the role prior puts the reply
    first, and keeps the member's turn first for "who pointed it out"."""
    import rag.retrieval

    other = "".join(
        f"第{i}に、区内の公共施設の維持管理についても、計画的な改修が必要だと考えます。"
        for i in range(1, 16)
    )
    r = _report_and_minutes(
        tmp_path,
        "somu-iinkai.txt",
        "◯議長　　山田太郎議員。\n"
        "◯山田太郎議員　　学童クラブの待機児童についてお伺いします。学童クラブの待機児童は"
        "増え続けています。学童クラブの待機児童の解消は急務です。学童クラブの定員を大幅に"
        f"増やすべきではありませんか。{other}\n"
        "◯議長　　市長。\n"
        "◯市長　　山田議員の御質問にお答えいたします。待機児童につきましては、本年度から"
        "定員を拡大し、昨年度の120人から45人に減少しております。"
        f"{other.replace('考えます', '考えております')}\n"
        "◯議長　　以上で質疑を終わります。\n",
    )
    asked, reply = "somu-iinkai#000", "somu-iinkai#001"
    assert r.chunk(asked).metadata["roles"] == ["chair", "member"]  # one side's turn each
    assert r.chunk(reply).metadata["roles"] == ["chair", "official"]
    how_much = "学童クラブの待機児童は何人に減ったか"
    who = "学童クラブの待機児童が増え続けていると指摘したのは誰か"
    found = r.search(how_much, k=3)
    assert found.hits[0].chunk.id == reply
    prior = found.stages["second"]["role_prior"]
    assert prior["prefers"] == "official" and prior["weight"] == rag.retrieval.ROLE_PRIOR
    assert prior["penalty"] > 0  # in the scale of this index's ranker
    assert r.search(who, k=3).hits[0].chunk.id == asked
    monkeypatch.setattr(rag.retrieval, "ROLE_PRIOR", 0.0)  # control: words alone
    assert r.search(how_much, k=3).hits[0].chunk.id == asked


def test_a_question_naming_a_speaker_prefers_that_person_s_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """「佐藤花子さんが参加した…はいつ」: a minutes' speaker label is metadata, so neither
    retriever sees the name, and a when-question prefers the official's reply; the turns
    of the person named rise, and the other side's penalty spares them."""
    import rag.retrieval

    r = _report_and_minutes(
        tmp_path,
        "kikaku-iinkai.txt",
        "◯委員長　　山田太郎委員。\n"
        "◯山田太郎委員　　防災ワークショップの開催について伺います。防災ワークショップは"
        "いつ開かれたのでしょうか。防災ワークショップの参加者数も伺います。\n"
        "◯委員長　　危機管理課長。\n"
        "◯危機管理課長　　防災ワークショップにつきましては、防災ワークショップの周知を"
        "工夫し、防災ワークショップの内容を充実させてまいります。\n"
        "◯委員長　　佐藤花子委員。\n"
        "◯佐藤花子委員　　私も参加しましたが、防災ワークショップは11月15日に開かれ、"
        "地域の方が多く集まりました。\n",
    )
    q = "佐藤花子さんが参加したワークショップはいつ開かれたか"
    assert rag.retrieval.named_speakers(q) == ["佐藤花子"]
    found = r.search(q, k=3)
    assert "11月15日" in "".join(h.chunk.text for h in found.hits[:2])
    assert found.stages["second"]["named_speaker"]["names"] == ["佐藤花子"]
    assert r.search(q, k=3, filters={"city": "札幌市"}).hits == []  # nothing passes: no crash
    assert rag.retrieval.spoken_by({"speakers": ["佐藤花子"]}, ["佐藤"])
    assert not rag.retrieval.spoken_by({"speakers": ["小林太郎"]}, ["林"])  # 林 is not 小林
    monkeypatch.setattr(rag.retrieval, "named_speakers", lambda _: [])  # control
    assert "11月15日" not in "".join(h.chunk.text for h in r.search(q, k=3).hits)


def test_a_question_on_the_roll_prefers_the_minutes_header_that_lists_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """「欠席した議員は誰か」: the header's roll (欠席議員) answers it, though a member's turn
    says 欠席 and 議員 more often."""
    import rag.retrieval

    r = _report_and_minutes(
        tmp_path,
        "kita-honkaigi.txt",
        "令和６年第１回北市議会定例会会議録\n令和６年２月２２日（木曜日）\n"
        "出席議員（３人）\n　１番　山田太郎\n　２番　佐藤花子\n　３番　鈴木一郎\n"
        "欠席議員（１人）\n　４番　高橋次郎\n説明員\n　市長　大野健太\n"
        "◯議長（山田太郎君）　ただいまから本日の会議を開きます。本日の欠席の届出は議員１名"
        "からございました。欠席した議員の氏名は、お手元の名簿のとおりであります。\n"
        "◯議長（山田太郎君）　日程第１、会議録署名議員の指名を行います。\n"
        "◯佐藤花子議員　　本日は欠席した議員もおりますが、議員の出席について伺います。"
        "議員の欠席は本会議の運営に影響するのではないでしょうか。\n",
    )
    q = "本会議を欠席した議員は誰か"
    found = r.search(q, k=3)
    assert found.hits[0].chunk.metadata["chunk_type"] == "header"
    assert found.stages["second"]["roll"] == {"weight": rag.retrieval.ROLL_BOOST}
    assert "roll" not in r.search("本会議で質問した議員は誰か", k=3).stages["second"]
    monkeypatch.setattr(rag.retrieval, "ROLL_BOOST", 0.0)  # control: words alone
    assert r.search(q, k=3).hits[0].chunk.metadata["chunk_type"] != "header"


def test_hints_less_the_labels_the_asker_removed_in_either_language() -> None:
    h = understand("令和4年度の予算特別委員会で議案第70号は", today=datetime.date(2024, 6, 1))
    assert h.labels() == ["2022年度", "予算特別委員会", "議案第70号"]
    assert h.without(["2022年度"]).labels() == ["予算特別委員会", "議案第70号"]
    assert h.without(["FY2022"]).date_from is None  # the same date, labelled in English
    assert h.without(["議案第70号", "予算特別委員会"]).labels() == ["2022年度"]
    assert h.without([]) == h and h.without(["2023年度"]) == h  # not one of its labels


def _report_and_minutes(tmp_path: Path, name: str, text: str) -> Retriever:
    """An index of the founding report and one minutes file (fake embeddings), reranked."""
    from rag.indexing import ingest
    from rag.retrieval import Retriever
    from rag.settings import Settings
    from tests.conftest import REPORT, FakeEmbeddings

    minutes = tmp_path / "docs" / name
    minutes.parent.mkdir()
    minutes.write_text(text, encoding="utf-8")
    settings = Settings(
        corpus=(REPORT, minutes.parent), index_dir=tmp_path / "index", embed_model="fake"
    )
    emb = FakeEmbeddings()
    ingest(list(settings.corpus), settings, emb)
    return Retriever.open(settings, emb)
