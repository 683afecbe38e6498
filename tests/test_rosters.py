"""Lists of people (rag/rosters.py) in the layouts councils write them, and the who-question a
list answers: 「欠席した議員は誰か」 by the header's 欠席議員, 「消防長は誰か」 by a 説明員 line.
Hand-made passages in each layout; fake embeddings only."""

from __future__ import annotations

import pytest

from rag.bm25 import BM25
from rag.chunking import Chunk
from rag.embedding import as_batched
from rag.evidence import Evidence
from rag.extractive import Extractor
from rag.facts import speaker_said, without_dates
from rag.retrieval import Hit
from rag.rosters import despaced, rosters
from rag.tokenizing import Tokenizer
from tests.conftest import FakeEmbeddings

TOK = Tokenizer()

# A header with markers, counts, seat numbers and names padded to a fixed width; a post too
# long for its column sits on a line of its own
PADDED = """〇出席議員（３人）
１番　山　田　太　郎
２番　佐　藤　　　修
３番　鈴　木　はるか
〇欠席議員（１人）
４番　高　木　一　郎
〇説明員
市長　　　　　中　村　　　誠
副市長　　　　小　川　美　香
子ども未来部長
　　　　　　　木　下　健　司
消防長　　　　森　　　正　人
〇事務局出席職員
事務局長　　　石　井　和　夫
議事調査課長　岡　本　直　樹
午前１０時００分開会"""

# No markers: a label, then 君 after each name; a note in brackets and a post wrapped round
# its name stay inside the list
KUN = """出席議員（２人）
　　　　　　　青木花子君
　　　　　　　関　嵩史君
欠席議員（１人）
　　　　　　　西村　茂君
出席説明員
　　　　市長　　　　　　　　林　大輔君
　　　　会計管理者
　　　　　　　　　　　　　　松本恵子君
　　　　（会計室長）
　　　　選挙管理委員会
　　　　　　　　　　　　　　前田　進君
　　　　事務局長
　　　　教育長　　　　　　　清水洋平君"""

NAMED_BY_CHAIR = """日程第１　会議録署名議員の指名について。
会議録署名議員に
　　　　９番　山　田　太　郎　議　員
　　　　14番　佐　藤　　　修　議　員
を指名いたします。"""

# A report's addressee and signatory (a post, then the name on the next line), a table of
# names apart by tabs, and a table with a row of posts above its names
REPORT = """令和5年9月13日

墨田区議会議長
福田 はるみ 様

自治体DX調査特別委員長
たきざわ 正 宜

記

4 出席委員氏名

たきざわ 正 宜\t井 上 裕 幾\t小 林 しょう
しみず 良 平\tたかはしのりこ\t桜 井 浩 之

5 随行事務局職員

議事主査\t議事書記
甘 利 洋 平\t鈴 木 康 修"""


def _lists(text: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    return [(r.label, [(p.name, p.role) for p in r.people]) for r in rosters(text)]


def test_a_padded_header_gives_each_list_with_names_as_one_word() -> None:
    lists = dict(_lists(PADDED))
    assert list(lists) == ["出席議員", "欠席議員", "説明員", "事務局出席職員"]
    assert lists["出席議員"] == [("山田太郎", None), ("佐藤修", None), ("鈴木はるか", None)]
    assert lists["欠席議員"] == [("高木一郎", None)]
    assert lists["説明員"] == [
        ("中村誠", "市長"),
        ("小川美香", "副市長"),
        ("木下健司", "子ども未来部長"),  # the post on the line before
        ("森正人", "消防長"),
    ]
    # one space between post and name is enough; the clock line after it is no one
    assert lists["事務局出席職員"] == [("石井和夫", "事務局長"), ("岡本直樹", "議事調査課長")]


def test_names_with_kun_notes_and_wrapped_posts_stay_in_their_list() -> None:
    lists = dict(_lists(KUN))
    assert lists["出席議員"] == [("青木花子", None), ("関嵩史", None)]
    assert lists["欠席議員"] == [("西村茂", None)]  # 出席説明員 starts the next list
    assert lists["出席説明員"] == [
        ("林大輔", "市長"),
        ("松本恵子", "会計管理者"),
        ("前田進", "選挙管理委員会事務局長"),  # wrapped round the name
        ("清水洋平", "教育長"),
    ]


def test_members_named_by_the_chair_form_a_list_ended_by_the_verb() -> None:
    assert _lists(NAMED_BY_CHAIR) == [("会議録署名議員", [("山田太郎", None), ("佐藤修", None)])]


def test_a_reports_addressee_signatory_and_table() -> None:
    found = rosters(REPORT)
    assert [(p.name, p.role, p.addressed) for p in found[0].people] == [
        ("福田はるみ", "墨田区議会議長", True),
        ("たきざわ正宜", "自治体DX調査特別委員長", False),
    ]
    assert found[1].label == "出席委員氏名"
    assert [p.name for p in found[1].people][:4] == [
        "たきざわ正宜",
        "井上裕幾",
        "小林しょう",
        "しみず良平",
    ]
    assert len(found[1].people) == 6
    # a table's row of posts gives each name below it its post
    assert [(p.name, p.role) for p in found[2].people] == [
        ("甘利洋平", "議事主査"),
        ("鈴木康修", "議事書記"),
    ]


def test_each_person_and_list_knows_its_lines() -> None:
    absent = next(r for r in rosters(PADDED) if r.label == "欠席議員")
    assert PADDED[absent.start : absent.end] == "〇欠席議員（１人）\n４番　高　木　一　郎"
    officials = next(r for r in rosters(PADDED) if r.label == "説明員")
    kinoshita = officials.people[2]
    assert PADDED[kinoshita.start : kinoshita.end].split("\n")[0] == "子ども未来部長"
    assert despaced(PADDED[kinoshita.start : kinoshita.end]).endswith("木下健司")


@pytest.mark.parametrize(
    "text",
    [
        "本市の議員は、市民の声を聞いてまいりました。\n今後とも努めてまいります。",
        "山田議員\n佐藤議員",  # a member addressed by name is no label
        "日程第１\n会期の決定について\n日程第２\n市政執行方針",
    ],
)
def test_prose_and_agendas_hold_no_list(text: str) -> None:
    assert rosters(text) == []


def test_what_a_who_question_asks_beyond_its_date_and_whether_a_speaker_answers_it() -> None:
    assert (
        without_dates("令和6年11月29日の本会議を欠席した議員は誰か")
        == "の本会議を欠席した議員は誰か"
    )
    assert speaker_said("市第54号議案について質疑したのは誰ですか")
    assert not speaker_said("説明員として出席した局長は誰か")  # 説明員 is a list, not a reply
    assert not speaker_said("欠席した議員は誰か")


HEADER = Chunk(
    "h#0",
    PADDED,
    "函館市議会会議録\n" + PADDED,
    {
        "city": "函館市",
        "municipality": "函館市",
        "chunk_type": "header",
        "doc_id": "h",
        "char_span": [0, len(PADDED)],
    },
)
TURN = Chunk(
    "h#5",
    "議員の皆様には、本日の会議に御出席いただきありがとうございます。市長から報告があります。",
    "函館市議会会議録\n議員の皆様には、本日の会議に御出席いただきありがとうございます。",
    {
        "city": "函館市",
        "chunk_type": "procedure",
        "doc_id": "h",
        "char_span": [900, 950],
        "speakers": ["議長"],
    },
)


def _hits(*chunks: Chunk) -> list[Hit]:
    return [Hit(c, 1.0 / n, n, {"bm25": n}, 0.5) for n, c in enumerate(chunks, 1)]


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    chunks = [HEADER, TURN]
    ev = Evidence(TOK, BM25.build([TOK(c.embed_text) for c in chunks]))
    return Extractor(ev, as_batched(FakeEmbeddings()))


def test_a_list_states_who_was_absent_and_is_quoted(extractor: Extractor) -> None:
    lead, _, citations = extractor.compose_with_lead("欠席した議員は誰か", _hits(TURN, HEADER))
    assert lead.startswith("欠席議員：高木一郎 [")
    cited = next(c for c in citations if c.id == "h#0")
    assert "４番　高　木　一　郎" in cited.quote and "山　田" not in cited.quote


def test_a_post_in_a_list_states_who_holds_it(extractor: Extractor) -> None:
    lead, _, citations = extractor.compose_with_lead("消防長は誰か", _hits(HEADER, TURN))
    assert lead == "消防長　森正人 [1]"
    assert citations[0].quote == "消防長　　　　森　　　正　人"


def test_a_list_does_not_answer_who_said_something(extractor: Extractor) -> None:
    assert extractor._listed("消防長は誰か", [], [HEADER]) is not None
    assert extractor._listed("消防長に質問した議員は誰か", [], [HEADER]) is None


def test_a_list_counts_the_people_a_question_asks_how_many_of(extractor: Extractor) -> None:
    lead, _, citations = extractor.compose_with_lead("出席した議員は何人か", _hits(TURN, HEADER))
    assert lead.startswith("出席議員（3人） [")  # the count its label writes
    assert not extractor.lacks_asked_figure("出席した議員は何人か", _hits(TURN, HEADER))
    lead, _, _ = extractor.compose_with_lead("説明員は何人出席したか", _hits(HEADER))
    assert lead == "説明員（4人） [1]"  # no count written: the people read


def test_a_list_answers_only_for_its_own_council(extractor: Extractor) -> None:
    assert extractor._listed("函館市の消防長は誰か", [], [HEADER]) is not None
    assert extractor._listed("函館市議会の消防長は誰か", [], [HEADER]) is not None
    # 函館市's roll does not name 横浜市's chief, nor that of 横浜市会's meeting
    assert extractor._listed("横浜市の消防長は誰か", [], [HEADER]) is None
    assert extractor._listed("横浜市会の消防長は誰か", [], [HEADER]) is None


def test_a_report_answers_for_the_city_it_visited_but_not_for_its_council() -> None:
    text = "調査場所\n宮城県仙台市\n出席委員氏名\n山 田 太 郎\t佐 藤 花 子"
    front = Chunk(
        "r#0",
        text,
        text,
        {
            "kind": "report",
            "title": "行政調査報告書（盛岡市・仙台市）",
            "municipality": "墨田区",
            "doc_id": "r",
            "chunk_type": "report",
        },
    )
    ex = Extractor(Evidence(TOK, BM25.build([TOK(text)])), as_batched(FakeEmbeddings()))
    assert ex._listed("仙台市の行政調査に出席した委員は誰か", [], [front]) is not None
    assert ex._listed("仙台市議会の出席委員は誰か", [], [front]) is None  # 仙台市's council


def test_an_unmarked_label_after_a_list_starts_the_next_list() -> None:
    text = "出席議員\n　山田太郎君\n　佐藤花子君\n欠席議員\n　鈴木一郎君"
    assert _lists(text) == [
        ("出席議員", [("山田太郎", None), ("佐藤花子", None)]),
        ("欠席議員", [("鈴木一郎", None)]),
    ]
    committee = "出席委員（２人）\n委員長　山田太郎君\n委員　佐藤花子君\n欠席委員\n鈴木一郎君"
    assert _lists(committee)[1] == ("欠席委員", [("鈴木一郎", None)])


def test_a_padded_name_is_not_cut_at_a_first_character_that_ends_a_post() -> None:
    text = "〇出席議員（２人）\n１番　長　谷　川　　一\n２番　長　尾　　　修"
    assert _lists(text) == [("出席議員", [("長谷川一", None), ("長尾修", None)])]


def test_posts_with_spaces_or_tabs_and_headings_that_are_no_one() -> None:
    text = "〇説明員\n教育委員会　教育長　　佐藤花子君\n消防長\t鈴木一郎君\n〇議事日程\n会期の決定"
    assert _lists(text) == [("説明員", [("佐藤花子", "教育委員会教育長"), ("鈴木一郎", "消防長")])]
    # なし is no one: the list of the absent is empty
    assert _lists("〇欠席議員\nなし\n〇説明員\n市長　田中一郎君") == [
        ("欠席議員", []),
        ("説明員", [("田中一郎", "市長")]),
    ]


def test_a_count_belongs_to_its_own_list() -> None:
    text = "〇欠席議員（４人）\n山田太郎君\n本日は以上です。\n墨田区議会議長\n福田 はるみ 様"
    found = rosters(text)
    assert [(r.label, r.size) for r in found] == [("欠席議員", 4), ("", 1)]


def _split_header(date: str, doc: str, absent: str) -> list[Chunk]:
    meta = {
        "city": "横浜市",
        "municipality": "横浜市",
        "kind": "minutes",
        "chunk_type": "header",
        "doc_id": doc,
        "date": date,
    }
    first = "出席議員（３人）\n山田太郎君\n佐藤花子君"
    second = f"田中一郎君\n欠席議員（１人）\n{absent}君\n出席説明員\n市長　　林大輔君"
    return [
        Chunk(f"{doc}#000", first, first, {**meta, "char_span": [0, 20]}),
        Chunk(f"{doc}#001", second, second, {**meta, "char_span": [21, 60]}),
    ]


def test_a_header_cut_into_passages_is_read_whole_and_on_its_own_day() -> None:
    chunks = _split_header("2024-11-29", "y", "深作祐衣") + _split_header(
        "2024-12-03", "z", "谷田部孝一"
    )
    by_id = {c.id: c for c in chunks}
    ev = Evidence(TOK, BM25.build([TOK(c.text) for c in chunks]))
    ex = Extractor(ev, as_batched(FakeEmbeddings()), lookup=by_id.get)
    lead, _, citations = ex.compose_with_lead("出席した議員は誰か", _hits(chunks[0]))
    assert lead.startswith("出席議員：山田太郎、佐藤花子、田中一郎 [")  # the rest in #001
    assert (
        citations[-1].id == "y#000" and "田中" not in citations[-1].quote
    )  # quoted where it starts
    lead, _, _ = ex.compose_with_lead("出席した議員は何人か", _hits(chunks[0]))
    assert lead.startswith("出席議員（3人）")
    # the day the question names: not another day's roll, found first
    lead, _, _ = ex.compose_with_lead("12月3日の本会議を欠席した議員は誰か", _hits(*chunks))
    assert lead.startswith("欠席議員：谷田部孝一")
    lead, _, _ = ex.compose_with_lead("出席した説明員は何人か", _hits(*chunks))
    assert lead.startswith("出席説明員（1人）")  # not 出席議員: 説明員 sets it apart


def test_the_rest_of_a_wrapped_post_goes_only_to_the_name_it_wraps() -> None:
    text = (
        "出席説明員\n　市長　　林大輔君\n　選挙管理委員会\n　　　武島和仁君\n"
        "　人事委員会委員長　　水地啓子君\n　事務局長\n　教育長　清水洋平君"
    )
    assert _lists(text)[0][1] == [
        ("林大輔", "市長"),
        ("武島和仁", "選挙管理委員会"),
        ("水地啓子", "人事委員会委員長"),  # not 人事委員会委員長事務局長
        ("清水洋平", "教育長"),
    ]


@pytest.mark.parametrize(
    "header",
    [
        "〇出席議員（２人）\n山田太郎君\n佐藤花子君\n〇欠席議員（なし）",
        "出席議員\n山田太郎君\n佐藤花子君\n欠席議員　なし",
        "〇出席議員（２人）\n山田太郎君\n佐藤花子君\n〇欠席議員（０人）",
    ],
)
def test_a_list_with_no_one_says_so(header: str) -> None:
    chunk = Chunk("n#0", header, header, {"chunk_type": "header", "doc_id": "n"})
    ex = Extractor(Evidence(TOK, BM25.build([TOK(header)])), as_batched(FakeEmbeddings()))
    assert ex.compose_with_lead("欠席した議員は誰か", _hits(chunk))[0] == "欠席議員：なし [1]"
    assert ex.compose_with_lead("欠席した議員は何人か", _hits(chunk))[0] == "欠席議員（0人） [1]"
