from __future__ import annotations

from rag.loading import SourceDoc, load_text_file
from rag.parsing import parse_document, scan_lines, source_text, wareki_to_iso

from .conftest import REPORT


def _doc(text: str, kind: str = "minutes") -> SourceDoc:
    return SourceDoc("t", "t.txt", "utf-8", "0", text=text, meta={"kind": kind})


def _all_text(parsed) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(t.text for t in parsed.turns)


def test_page_break_artefacts_rejoined_in_founding_report() -> None:
    parsed = parse_document(load_text_file(REPORT))
    text = _all_text(parsed)
    for joined in (
        "アンケート",
        "デジタル化ファストチャレンジには",
        "今後どのように展開していかれるのか",
    ):
        assert joined in text
    assert "ア\nンケート" not in text


def test_spans_point_at_original_text() -> None:
    doc = load_text_file(REPORT)
    parsed = parse_document(doc)
    src = source_text(doc)
    for turn in parsed.turns:
        for para in turn.paras:
            assert "".join(src[s:e] for s, e in para.spans) == para.text


def test_page_markers_and_rules_dropped_page_kept() -> None:
    text = (
        "○議長（山田太郎君）　ただいまから会議を開きます。\n"
        "──────────\n"
        "○市長（鈴木一郎君）　本市の予算は、今後どのように\n"
        '<PAGE="2">\n'
        "展開していくのか検討しています。\n"
    )
    parsed = parse_document(_doc(text))
    mayor = parsed.turns[1]
    assert mayor.text == "本市の予算は、今後どのように展開していくのか検討しています。"
    assert mayor.pages == (1, 2)
    assert "PAGE" not in _all_text(parsed) and "──" not in _all_text(parsed)
    # CR and CRLF line endings give the same turns
    for nl in ("\r\n", "\r"):
        again = parse_document(_doc(text.replace("\n", nl)))
        assert [t.text for t in again.turns] == [t.text for t in parsed.turns]


def test_stage_directions_set_aside_not_lost() -> None:
    text = (
        "○議長（山田太郎君）　お諮りいたします。\n"
        "（「異議なし」の声あり）\n"
        "○議長（山田太郎君）　山中市長。〔市長　山中竹春君登壇〕\n"
        "◎市長（山中竹春君）\n〔登壇〕\n"
        "お答えいたします。\n"
        "◎委員長（たきざわ正宜）\n～ あいさつ ～\n"
    )
    parsed = parse_document(_doc(text))
    assert parsed.turns[0].stage == ("（「異議なし」の声あり）",)
    # a line of direction is a paragraph of its own, kept but not counted as speech
    assert [p.kind for p in parsed.turns[0].paras] == ["speech", "stage"]
    assert parsed.turns[0].paras[1].text == "（「異議なし」の声あり）"
    # a direction inside a line of speech stays where it is, and is noted on the turn
    assert parsed.turns[1].text == "山中市長。〔市長　山中竹春君登壇〕"
    assert parsed.turns[1].stage == ("〔市長　山中竹春君登壇〕",)
    assert parsed.turns[2].text == "お答えいたします。" and parsed.turns[2].stage == ("〔登壇〕",)
    assert parsed.turns[3].text == "" and parsed.turns[3].stage == ("～ あいさつ ～",)
    assert parsed.turns[3].paras[0].text == "～ あいさつ ～"
    assert "異議なし" not in _all_text(parsed)


def test_report_header_facts() -> None:
    h = parse_document(load_text_file(REPORT)).header
    assert h["report_date"] == "2023-09-13"
    assert h["addressee"] == "墨田区議会議長 福田はるみ"
    assert h["committee"] == "自治体DX調査特別委員会"
    assert h["period_dates"] == ["2023-08-22", "2023-08-23"]
    assert h["places"] == ["岩手県盛岡市", "宮城県仙台市"]
    assert "井上裕幾" in h["members"] and len(h["members"]) == 10
    assert {"role": "議事主査", "name": "甘利洋平"} in h["staff"]
    assert h["sessions"]["盛岡市"].startswith("午後1時57分")


def test_report_sections_and_speakers() -> None:
    parsed = parse_document(load_text_file(REPORT))
    assert {t.section for t in parsed.turns} == {"盛岡市", "仙台市"}
    cats = {t.speaker.category for t in parsed.turns}
    assert cats == {"chair", "member", "official", "other"}
    kinds = ["header", "overview", "items", "qa", "overview", "items", "qa"]
    assert [b.kind for b in parsed.blocks] == kinds
    # each city's 「3 質疑等（…）」 heads its exchanges, saying when they were held
    qa = [b.paras[0] for b in parsed.blocks if b.kind == "qa"]
    assert [p.kind for p in qa] == ["heading", "heading"]
    assert "午前 10 時 00 分" in qa[1].text


def test_lines_keep_offsets_with_crlf() -> None:
    text = "一行目\r\n\r\n　二行目\r三行目"
    lines = scan_lines(text)
    assert [(ln.text, text[ln.start : ln.start + len(ln.text)]) for ln in lines] == [
        ("一行目", "一行目"),
        ("二行目", "二行目"),
        ("三行目", "三行目"),
    ]
    assert lines[1].indented and lines[1].gap_before and not lines[2].gap_before


def test_wareki() -> None:
    assert wareki_to_iso("令和５年９月１３日") == "2023-09-13"
    assert wareki_to_iso("平成元年1月8日") == "1989-01-08"


def test_minutes_facts_from_header_and_file_name() -> None:
    from rag.parsing import minutes_facts

    head = "令和　６年第１回　２月定例会\n\n　　令和６年第１回函館市議会定例会会議録　第１号\n　　令和６年２月２２日（木曜日）\n"
    facts = minutes_facts(head, "x/hakodate.txt")
    assert facts == {
        "title": "令和6年第1回函館市議会定例会会議録第1号",
        "council": "函館市議会",
        "city": "函館市",
        "date": "2024-02-22",
    }
    assert minutes_facts("◯委員長　ただいまから開会します。", "a/sendai-dx-20241226.txt") == {
        "date": "2024-12-26"
    }


def test_the_same_circle_for_speakers_headings_and_time_stamps() -> None:
    text = (
        "〇議事日程\n　日程第１　会議録署名議員の指名\n〇出席議員（２人）\n　１番　青木　健\n"
        "〇午後１時開議\n"
        "〇議長（上田浩二）　ただいまから本日の会議を開きます。\n"
        "〇日程第１　会議録署名議員の指名\n"
        "〇議長（上田浩二）　会議録署名議員を指名いたします。\n"
        "〇午後１時５分散会\n"
    )
    parsed = parse_document(_doc(text))
    assert [t.speaker.label for t in parsed.turns] == ["議長（上田浩二）"] * 2
    assert [b.kind for b in parsed.blocks] == ["header", "heading"]
    assert parsed.blocks[1].title == "日程第１　会議録署名議員の指名"
    assert parsed.turns[1].stage == ("〇午後１時５分散会",)  # a time stamp, not a heading


def test_discussnet_marks_name_only_executive() -> None:
    """In DiscussNet minutes ◎ marks the executive only: a ◎ label with a name alone is an
    official; ◆ with a name alone is a member."""
    speech = "お答えいたします。"
    text = "\n".join(
        ["○議長（木村正和君）　開会します。", "◆（西川ゆうこ君）　伺います。"]
        + [f"◎{r}（山本{i}君）　{speech}" for i, r in enumerate(("区長", "副区長", "教育長"))]
        + ["◎（佐々木明君）　" + speech]
    )
    parsed = parse_document(_doc(text))
    cats = [t.speaker.category for t in parsed.turns]
    assert cats == ["chair", "member", "official", "official", "official", "official"]


def test_no_speaker_labels_warns_naming_the_file() -> None:
    parsed = parse_document(_doc("議会だより\n\n一般会計補正予算が可決されました。\n"))
    assert not parsed.turns and [b.kind for b in parsed.blocks] == ["paragraph", "paragraph"]
    assert parsed.warnings == ["t.txt: no speaker labels found; ingested as 2 paragraph block(s)"]


def test_preamble_and_meeting_of_minutes() -> None:
    from rag.chunking import chunk_document

    text = (
        "開催日：令和６年６月18日\n会議名：令和６年第２回かわべ町議会定例会（第３号）\n"
        "◯議長（中村悟君）　ただいまから本日の会議を開きます。令和７年４月１日から施行します。\n"
        "◯町長（松本和夫君）　御説明申し上げます。本案は条例の一部改正でございます。\n"
    )
    chunks = chunk_document(parse_document(_doc(text)))
    assert chunks[-1].metadata["meeting"] == "令和6年第2回かわべ町議会定例会(第3号)"  # NFKC
    assert chunks[-1].metadata["date"] == "2024-06-18"  # the header's, not a date in a speech


def test_decision_reader_forms() -> None:
    from rag.decisions import DecisionReader, find_items, find_titles, reported

    assert find_items("議案第1号から議案第3号まで及び請願第２号") == [
        "議案第1号",
        "議案第2号",
        "議案第3号",
        "請願第2号",
    ]
    assert find_items("市第54号議案、議員提出議案第２号") == ["市第54号議案", "議員提出議案第2号"]
    assert find_titles("第２　市第54号議案　横浜市一般職職員の給与に関する条例等の一部改正") == {
        "市第54号議案": "横浜市一般職職員の給与に関する条例等の一部改正"
    }
    reader = DecisionReader(date="2024-12-10")
    text = (
        "日程第３、議案第1号から第3号までを一括議題といたします。\n"
        "お諮りいたします。本案は原案のとおり可決することに御異議ありませんか。\n"
        "〔「異議なし」と呼ぶ者あり〕\n"
        "御異議なしと認めます。よって、議案第1号から第3号までは原案のとおり可決されました。\n"
        "次に、陳情第５号を採決いたします。本陳情を採択することに賛成の方の挙手を求めます。\n"
        "挙手少数であります。よって、陳情第５号は不採択と決しました。\n"
    )
    got = [(d.item, d.result, d.method, d.tally) for d in reader.feed(text)]
    assert got == [
        ("議案第1号", "可決", "異議なし", None),
        ("議案第2号", "可決", "異議なし", None),
        ("議案第3号", "可決", "異議なし", None),
        ("陳情第5号", "不採択", "挙手", "挙手少数"),
    ]
    # a question put to the floor is not a decision; a committee's recommendation read out
    # by the chair (「委員長の報告は可決であります」) is the committee's, not the plenary's
    assert reader.feed("本案は可決することに御異議ありませんか。") == []
    said = reader.feed(
        "日程第４、議案第７号を議題といたします。委員長の報告は、いずれも原案可決であります。"
    )
    assert [(d.item, d.result) for d in said] == [("議案第7号", "原案可決")]
    assert all(reported(d) for d in said)
    assert not any(reported(d) for d in DecisionReader().feed(text))
