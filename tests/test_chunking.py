from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.chunking import Chunk, chunk_document
from rag.loading import SourceDoc, load_documents, load_text_file
from rag.parsing import ParsedDoc, parse_document, source_text

from .conftest import MINUTES, REPORT, ROOT, SCALE, need_shared

GOLDEN = ROOT / "tests" / "golden" / "sumida-dx-r05.chunks.json"


def _report() -> tuple[ParsedDoc, list[Chunk]]:
    [doc] = list(load_documents([REPORT]))
    parsed = parse_document(doc)
    return parsed, chunk_document(parsed)


def test_golden_chunks_of_founding_report() -> None:
    """The reviewed chunk list. After a deliberate chunker change, regenerate it with
    ``rag chunks corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt --json`` and read the diff."""
    _, chunks = _report()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert [c.to_json() for c in chunks] == golden


def test_morioka_presubmitted_answers_are_separate_chunks() -> None:
    _, chunks = _report()
    cloud = [c for c in chunks if "ガバメントクラウド導入以降" in c.text]
    assert len(cloud) == 1
    [c] = cloud
    assert "株式会社ICS" in c.text
    assert "南部鉄器" not in c.text
    assert c.metadata["city"] == "盛岡市"
    assert c.metadata["chunk_type"] == "answer"
    assert c.metadata["question"].startswith("次に、ガバメントクラウド導入以降")
    nanbu = [c for c in chunks if "南部鉄器" in c.text]
    assert len(nanbu) == 1 and nanbu[0].id != c.id


def test_every_report_turn_with_speech_is_in_exactly_one_chunk() -> None:
    parsed, chunks = _report()
    owner: dict[tuple[int, int], str] = {}
    for c in chunks:
        for s, e in c.metadata["spans"]:
            assert (s, e) not in owner
            owner[(s, e)] = c.id
    for turn in parsed.turns:
        if turn.text:
            assert turn.speaker.category in ("member", "official")
            for span in turn.spans:
                assert span in owner, f"turn {turn.n} span {span} is in no chunk"
        else:  # greetings, closing remarks, 「別添資料に基づき…説明」: stage directions only
            assert turn.stage


def test_every_chunk_has_the_right_city() -> None:
    parsed, chunks = _report()
    src = source_text(parsed.doc)
    sendai_starts = src.index("調査概要 【仙台市】")
    for c in chunks:
        if c.metadata["chunk_type"] == "header":
            assert c.metadata["city"] is None
            continue
        expected = "仙台市" if c.metadata["char_span"][0] > sendai_starts else "盛岡市"
        assert c.metadata["city"] == expected, c.id


def test_chunk_metadata_and_embed_text() -> None:
    _, chunks = _report()
    qa = next(c for c in chunks if c.metadata["chunk_type"] == "qa")
    m = qa.metadata
    assert m["questioner"]["name"] == "村本ひろや" and m["questioner"]["category"] == "member"
    assert m["answerers"][0]["category"] == "official"
    assert m["doc_id"] == "sumida-dx-r05" and m["kind"] == "report"
    assert m["council"] == "墨田区議会" and m["date"] == "2023-09-13"
    assert m["turns"] == [5, 6]
    assert qa.embed_text.startswith("盛岡市")
    assert qa.id == f"sumida-dx-r05#{chunks.index(qa):03d}"
    header = chunks[0]
    assert header.metadata["chunk_type"] == "header"
    assert header.metadata["header"]["report_date"] == "2023-09-13"


def test_long_turns_split_at_sentence_end_keeping_the_question(tmp_path: Path) -> None:
    answer = "".join(f"これは{i}番目の説明です。" for i in range(200))
    text = f"◎委員（山田花子）\n\n予算について伺います。\n\n◎市側理事者\n\n{answer}\n"
    f = tmp_path / "long.txt"
    f.write_text(text, encoding="utf-8")
    chunks = chunk_document(parse_document(load_text_file(f, {"kind": "report"})))
    assert len(chunks) > 2
    for c in chunks:
        assert len(c.text) <= 800
        assert c.text.endswith("。")
        assert "予算について伺います。" in c.embed_text
        assert c.metadata["questioner"]["name"] == "山田花子"


# --- property: spans cover all speech without loss or overlap ---------------------------

LABELS = [
    "委員（山田花子）",
    "市側理事者",
    "委員長（鈴木一郎）",
    "（佐藤次郎君）",
    "副市長（高橋三郎君）",
]
SENTENCE = st.text(alphabet="あいうえおかきくけこ予算議会市民説明", min_size=1, max_size=40).map(
    lambda s: s + "。"
)
PARA = st.lists(SENTENCE, min_size=1, max_size=4).map("".join)
TURN = st.tuples(st.sampled_from(LABELS), st.booleans(), st.lists(PARA, min_size=1, max_size=4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    turns=st.lists(TURN, min_size=2, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    page_every=st.integers(min_value=0, max_value=3),
)
def test_chunk_spans_cover_speech_without_loss_or_overlap(
    turns: list[tuple[str, bool, list[str]]], newline: str, page_every: int
) -> None:
    lines: list[str] = []
    page = 1
    for label, inline, paras in turns:
        if inline:
            lines.append(f"◎{label}　{paras[0]}")
            rest = paras[1:]
        else:
            lines += [f"◎{label}", ""]
            rest = paras
        for k, p in enumerate(rest):
            lines.append(p)
            if page_every and k % page_every == 0:
                page += 1
                lines.append(f'<PAGE="{page}">')
            lines.append("")
    text = newline.join(lines)
    doc = SourceDoc("p", "p.txt", "utf-8", "0", text=text, meta={"kind": "minutes"})
    parsed = parse_document(doc)
    chunks = chunk_document(parsed, max_chars=120)
    covered: dict[int, str] = {}
    for c in chunks:
        pieces = [text[s:e] for s, e in c.metadata["spans"]]
        assert "".join(pieces) == c.text.replace("\n", "")  # display text is the original
        for s, e in c.metadata["spans"]:
            for i in range(s, e):
                assert i not in covered, "two chunks claim the same character"
                covered[i] = c.id
    # every paragraph of every turn, procedural ones included, is in exactly one chunk
    said = {i for t in parsed.turns for s, e in t.spans for i in range(s, e)}
    assert said == set(covered)
    assert all(len(c.text.replace("\n", "")) >= 2 for c in chunks)
    # every paragraph of every turn was read as speech, nothing lost
    said_text = "".join(p for _, _, ps in turns for p in ps)
    assert "".join(t.text.replace("\n", "") for t in parsed.turns) == said_text


# --- other councils' minutes (../shared) -----------------------------------------------


def _minutes(name: str) -> ParsedDoc:
    return parse_document(load_text_file(need_shared(MINUTES / name)))


def _marker_lines(path: Path, markers: str) -> int:
    return sum(1 for ln in path.read_text(encoding="utf-8").splitlines() if ln and ln[0] in markers)


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "speaker_markers", "turns", "roles"),
    [
        (
            "sendai-dx-tokubetsu-iinkai-20241226.txt",
            "◯",
            50,
            {"chair": 7, "member": 26, "official": 17},
        ),
        ("yokohama-honkaigi-20241129.txt", "○◆◎", 50, {"chair": 38, "member": 5, "official": 7}),
        ("hakodate-honkaigi-20240222.txt", "○◆◎", 20, {"chair": 15, "member": 3, "official": 2}),
    ],
)
def test_minutes_turns_and_roles(
    name: str, speaker_markers: str, turns: int, roles: dict[str, int]
) -> None:
    parsed = _minutes(name)
    assert "".join(sorted(parsed.speaker_markers)) == "".join(sorted(speaker_markers))
    assert len(parsed.turns) == turns == _marker_lines(MINUTES / name, speaker_markers)
    found: dict[str, int] = {}
    for t in parsed.turns:
        found[t.speaker.category] = found.get(t.speaker.category, 0) + 1
    assert found == roles


@pytest.mark.shared
def test_minutes_no_speaker_lost() -> None:
    for name in ("sendai-dx-tokubetsu-iinkai-20241226.txt", "yokohama-honkaigi-20241129.txt"):
        parsed = _minutes(name)
        chunks = chunk_document(parsed)
        in_chunks = {n for c in chunks for n in c.metadata["turns"]}
        for t in parsed.turns:
            if t.speaker.category in ("member", "official"):
                assert t.n in in_chunks, f"{name}: turn {t.n} ({t.speaker.label}) lost"


@pytest.mark.shared
def test_hakodate_headings_not_turns_and_reports_are_chunks() -> None:
    parsed = _minutes("hakodate-honkaigi-20240222.txt")
    assert "〇" not in parsed.speaker_markers  # 〇議事日程 etc. are headings here
    chunks = chunk_document(parsed)
    reports = [c for c in chunks if c.metadata["chunk_type"] == "report"]
    assert {c.metadata["questioner"]["role"] for c in reports} == {
        "総務常任委員長",
        "経済建設常任委員長",
        "議会運営委員長",
    }
    mayor = [c for c in chunks if any(a["role"] == "市長" for a in c.metadata["answerers"])]
    assert mayor and all(c.metadata["chunk_type"] == "statement" for c in mayor)


@pytest.mark.shared
def test_yokohama_answers_follow_their_question() -> None:
    chunks = chunk_document(_minutes("yokohama-honkaigi-20241129.txt"))
    qa = [c for c in chunks if c.metadata["chunk_type"] in ("qa", "question", "answer")]
    assert {c.metadata["questioner"]["name"] for c in qa} == {"白井正子", "井上さくら"}
    shirai = [c for c in qa if c.metadata["questioner"]["name"] == "白井正子"]
    assert any(a["name"] == "山中竹春" for c in shirai for a in c.metadata["answerers"])


@pytest.mark.shared
def test_scale_jsonl_loads_and_chunks_first_meetings() -> None:
    path = need_shared(SCALE)
    docs = []
    for doc in load_documents([path]):
        docs.append(doc)
        if len(docs) == 20:
            break
    assert all(d.doc_id.startswith("shinagawa-minutes-r02-r07:") for d in docs)
    chunks = [c for d in docs for c in chunk_document(parse_document(d))]
    assert chunks and all(c.metadata["date"] for c in chunks)
    src = source_text(docs[0])
    c0 = next(c for c in chunks if c.metadata["doc_id"] == docs[0].doc_id)
    assert "".join(src[s:e] for s, e in c0.metadata["spans"]) == c0.text.replace("\n", "")
    cats = {cat for c in chunks for cat in c.metadata["roles"]}
    assert {"member", "official"} <= cats


# --- minutes in every vendor's format (tests/fixtures/minutes) -----------------------------

FIXTURES = ROOT / "tests" / "fixtures" / "minutes"
CONVENTIONS = sorted(p for p in FIXTURES.iterdir() if p.name != "no-labels.txt")


def _chunks_of(path: Path) -> tuple[SourceDoc, list[Chunk]]:
    [doc] = list(load_documents([path]))
    return doc, chunk_document(parse_document(doc))


def _lost(text: str, chunks: list[Chunk]) -> list[str]:
    """Lines with a character in no chunk's source span (page markers, rules and
    whitespace excepted)."""
    from rag.parsing import _PAGE, _RULE

    covered = bytearray(len(text))
    for c in chunks:
        for s, e in c.metadata["spans"] + c.metadata["label_spans"]:
            covered[s:e] = b"\1" * (e - s)
    lost, offset = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        skipped = _PAGE.match(body) or _RULE.match(body)
        if not skipped and any(
            not ch.isspace() and not covered[offset + i] for i, ch in enumerate(body)
        ):
            lost.append(body)
        offset += len(raw)
    return lost


@pytest.mark.parametrize("path", CONVENTIONS, ids=lambda p: p.name)
def test_every_labelled_turn_reaches_a_chunk_naming_its_speaker(path: Path) -> None:
    from benchmarks.turn_coverage import coverage

    cov = coverage(path)
    assert cov.turns >= 5 and cov.reached == cov.turns, cov


@pytest.mark.parametrize("path", sorted(FIXTURES.iterdir()), ids=lambda p: p.name)
def test_nothing_lost_in_any_convention(path: Path) -> None:
    doc, chunks = _chunks_of(path)
    assert _lost(doc.text, chunks) == []
    assert all(len(c.text.replace("\n", "")) >= 20 for c in chunks), [c.text for c in chunks]


@pytest.mark.parametrize(
    "name",
    [
        "sendai-dx-tokubetsu-iinkai-20241226.txt",
        "yokohama-honkaigi-20241129.txt",
        "hakodate-honkaigi-20240222.txt",
    ],
)
def test_nothing_lost_in_real_minutes(name: str) -> None:
    doc = load_text_file(need_shared(MINUTES / name))
    chunks = chunk_document(parse_document(doc))
    assert _lost(doc.text, chunks) == []
    assert min(len(c.text.replace("\n", "")) for c in chunks) >= 20


def test_nothing_lost_in_founding_report() -> None:
    parsed, chunks = _report()
    assert _lost(parsed.doc.text, chunks) == []


# Each convention as a generator: (marker for the chair, member, executive; label forms).
GENERATED = {
    "role（name）": (
        "○",
        "○",
        "○",
        "議長（佐藤太郎君）",
        "４番（田中次郎君）",
        "市長（山本一郎君）",
    ),
    "（name role）": ("○", "○", "○", "（高橋一郎議長）", "（森田さくら議員）", "（大野健太町長）"),
    "name+role": ("◯", "◯", "◯", "山田花子委員長", "山田　太郎委員", "デジタル推進課長"),
    "DiscussNet": ("○", "◆", "◎", "議長（木村正和君）", "（西川ゆうこ君）", "区長（山本一郎君）"),
    "〇 and headings": (
        "〇",
        "〇",
        "〇",
        "議長（上田浩二）",
        "２番（石井真理）",
        "市長（森本敏夫）",
    ),
    "committee ◎": ("◎", "◎", "◎", "委員長（小川健一）", "委員（上野まり）", "市側理事者"),
}
NOISE = st.sampled_from(
    [
        "〔登壇〕",
        "（「異議なし」と呼ぶ者あり）",
        "〔各員、賛成・反対ボタンを押す〕",
        "午前10時開議",
        "――――――――――",
        "－－－－－－－－－－",
        "",
    ]
)
GEN_TURN = st.tuples(
    st.sampled_from(["chair", "member", "executive"]),
    st.booleans(),  # label alone on its line
    st.lists(PARA, min_size=1, max_size=3),
    st.lists(NOISE, max_size=2),
    st.sampled_from(["　", "　　"]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    convention=st.sampled_from(sorted(GENERATED)),
    turns=st.lists(GEN_TURN, min_size=2, max_size=8),
    newline=st.sampled_from(["\n", "\r\n"]),
    page_every=st.integers(min_value=0, max_value=3),
    heading=st.booleans(),
)
def test_generated_minutes_lose_nothing_and_reach_every_turn(
    convention: str,
    turns: list[tuple[str, bool, list[str], list[str], str]],
    newline: str,
    page_every: int,
    heading: bool,
) -> None:
    marks = dict(zip(("chair", "member", "executive"), GENERATED[convention][:3], strict=True))
    labels = dict(zip(("chair", "member", "executive"), GENERATED[convention][3:], strict=True))
    lines = ["令和６年第４回みなと市議会定例会会議録（第２号）", "令和６年12月10日"]
    if convention == "〇 and headings":
        lines += ["〇議事日程", "　日程第１　一般質問", "〇午後１時開議"]
    page = 1
    for k, (who, alone, paras, noise, sep) in enumerate(turns):
        if heading and convention == "DiscussNet" and k == 1:
            lines.append("　◎日程第１　一般質問")  # ◎ as a heading where it marks executives
        if alone or convention == "committee ◎":
            lines += [f"{marks[who]}{labels[who]}", ""]
            body = paras
        else:
            lines.append(f"{marks[who]}{labels[who]}{sep}{paras[0]}")
            body = paras[1:]
        for n, p in enumerate(body):
            lines.append("　" + p)
            if page_every and n % page_every == 0:
                page += 1
                lines.append(f'<PAGE="{page}">')
        lines += noise
    text = newline.join(lines) + newline
    doc = SourceDoc("g", "g.txt", "utf-8", "0", text=text, meta={"kind": "minutes"})
    parsed = parse_document(doc)
    chunks = chunk_document(parsed, max_chars=120)
    assert _lost(text, chunks) == []
    claimed: set[int] = set()
    for c in chunks:
        assert "".join(text[s:e] for s, e in c.metadata["spans"]) == c.text.replace("\n", "")
        for s, e in c.metadata["spans"]:
            assert claimed.isdisjoint(range(s, e)), "two chunks claim the same character"
            claimed.update(range(s, e))
    assert len(parsed.turns) == len(turns)
    for t, (who, *_rest) in zip(parsed.turns, turns, strict=True):
        assert re.sub(r"\s", "", t.speaker.label) == re.sub(r"\s", "", labels[who])
        assert t.speaker.role_class == ("executive" if who == "executive" else who) or (
            convention == "committee ◎" and who == "executive"
        )
        assert any(
            d["label"] == t.speaker.label for c in chunks for d in c.metadata["speaker_details"]
        )


# --- decisions, procedure, linked answers --------------------------------------------------

DECISIONS = [
    ("circle-role-name.txt", "議案第146号", "可決", "起立", "2024-12-10"),
    ("circle-role-name.txt", "議案第147号", "可決", "異議なし", "2024-12-10"),
    ("bracket-name-role.txt", "請願第3号", "不採択", "挙手", "2024-09-12"),
    ("name-role-no-brackets.txt", "議案第12号", "可決", "異議なし", None),
    ("name-role-no-brackets.txt", "陳情第4号", "継続審査", "異議なし", None),
    ("seat-number.txt", "承認第1号", "承認", "異議なし", "2024-06-18"),
    ("seat-number.txt", "議案第5号", "同意", "起立", "2024-06-18"),
    ("zero-headings.txt", "認定第1号", "認定", "起立", "2024-09-20"),
    ("discussnet-marks.txt", "議員提出議案第2号", "否決", "電子表決", "2024-11-27"),
    ("agenda-heading-double-circle.txt", "議案第30号", "可決", "異議なし", "2024-05-15"),
    ("discussnet.json", "議案第61号", "可決", "異議なし", "2024-11-28"),
]


@pytest.mark.parametrize(("name", "item", "result", "method", "date"), DECISIONS)
def test_decisions_are_data_in_the_chunk_that_decides(
    name: str, item: str, result: str, method: str, date: str | None
) -> None:
    _, chunks = _chunks_of(FIXTURES / name)
    found = [(c, d) for c in chunks for d in c.metadata["decisions"] if d["item"] == item]
    assert len(found) == 1, [c.metadata["decisions"] for c in chunks]
    chunk, d = found[0]
    assert (d["result"], d["method"], d["date"]) == (result, method, date)
    assert d["title"] and d["number"] == int(re.findall(r"\d+", item)[-1])
    assert chunk.metadata["chunk_type"] == "procedure"
    assert d["sentence"] in chunk.text  # the vote sentence is there to be quoted
    assert item in chunk.embed_text and result in chunk.embed_text


def test_yokohama_vote_by_push_button() -> None:
    chunks = chunk_document(_minutes("yokohama-honkaigi-20241129.txt"))
    [d] = [d for c in chunks for d in c.metadata["decisions"]]
    assert (d["item"], d["result"], d["method"]) == ("市第54号議案", "可決", "電子表決")
    assert d["tally"] == "総数81、賛成72、反対９"
    assert d["title"] == "横浜市一般職職員の給与に関する条例等の一部改正"
    # the chair states the committee's report before the vote: the committee's, apart
    [c] = [c for c in chunks if c.metadata.get("committee_decisions")]
    [r] = c.metadata["committee_decisions"]
    assert (r["item"], r["result"], r["sentence"]) == (
        "市第54号議案",
        "原案可決",
        "委員会の報告書は、原案可決であります。",
    )


def test_hakodate_procedure_keeps_session_recess_and_next_sitting() -> None:
    chunks = chunk_document(_minutes("hakodate-honkaigi-20240222.txt"))
    proc = [c for c in chunks if c.metadata["chunk_type"] == "procedure"]
    for words in (
        "22日間",
        "４日間休会",
        "次の本会議は２月27日",
        "散会",
        "（「異議なし」の声あり）",
    ):
        assert any(words in c.text for c in proc), words
    reports = [c for c in chunks if c.metadata["chunk_type"] == "report"]
    assert len(reports) == 3 and all(c.metadata["chunk_type"] != "header" for c in reports)


def test_procedure_never_spans_two_agenda_items() -> None:
    _, chunks = _chunks_of(FIXTURES / "circle-role-name.txt")
    for c in chunks:
        items = set(re.findall(r"日程第[０-９0-9]+", c.text))
        assert len(items) <= 1, c.text
    assert {c.metadata["agenda"] for c in chunks if c.metadata["decisions"]} == {
        "日程第１　議案第146号",
        "日程第２　議案第147号",
    }


def test_bulk_answers_are_linked_to_the_question_they_answer() -> None:
    _, chunks = _chunks_of(FIXTURES / "discussnet-marks.txt")
    by_id = {c.id: c for c in chunks}
    answers = [c for c in chunks if c.metadata["chunk_type"] == "answer"]
    pairs = {
        "待機児童数は12人": "保育園の待機児童",
        "洋式化率は現在68％": "公園のトイレの改修",
        "オンライン予約を始めます": "区役所の窓口の待ち時間",
    }
    for said, asked in pairs.items():
        [a] = [c for c in answers if said in c.text]
        q = by_id[a.metadata["question_id"]]
        assert q.metadata["chunk_type"] == "question" and asked in q.text
        assert asked in a.metadata["question"] and asked in a.embed_text
        assert a.id in q.metadata["answer_ids"]
        assert a.metadata["questioner"]["name"] == "西川ゆうこ"


def test_one_question_one_answer_names_its_own_question() -> None:
    _, chunks = _chunks_of(FIXTURES / "bracket-name-role.txt")
    qa = [c for c in chunks if c.metadata["chunk_type"] == "qa"]
    assert len(qa) == 2 and all(c.metadata["question_id"] == c.id for c in qa)


def test_speaker_metadata_seat_party_role_class() -> None:
    _, chunks = _chunks_of(FIXTURES / "circle-role-name.txt")
    people = {d["name"]: d for c in chunks for d in c.metadata["speaker_details"]}
    assert people["高橋三郎"]["seat"] == "4" and people["高橋三郎"]["party"] == "日本共産党"
    assert people["山田花子"]["party"] == "市民クラブ"  # from the roster
    assert people["佐藤太郎"]["role_class"] == "chair"
    assert people["山本一郎"]["role_class"] == "executive"
    assert chunks[1].metadata["meeting"] == "令和6年第4回定例会 第9号"
    assert chunks[1].metadata["council"] == "みなと市議会"


def test_a_file_without_speaker_labels_is_paragraphs_with_a_warning() -> None:
    from rag.chunking import ParseWarning

    with pytest.warns(ParseWarning, match=r"no-labels\.txt: no speaker labels found"):
        doc, chunks = _chunks_of(FIXTURES / "no-labels.txt")
    assert len(chunks) == 3 and {c.metadata["chunk_type"] for c in chunks} == {"paragraph"}
    assert _lost(doc.text, chunks) == []


def test_twenty_thousand_turns_by_one_member_chunk() -> None:
    """Chunking is linear in the number of turns (timings: benchmarks/chunk_scaling.py);
    this only shows that such a document completes and keeps every turn."""
    from benchmarks.chunk_scaling import document

    doc = document("one member", 20_000)
    parsed = parse_document(doc)
    chunks = chunk_document(parsed)
    assert len(parsed.turns) == 20_000
    assert sum(len(c.metadata["label_spans"]) for c in chunks) == 20_000


def test_cli_chunks_json_shows_decisions(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import main

    assert main(["chunks", str(FIXTURES / "seat-number.txt"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    decided = {d["item"]: d for c in out for d in c["metadata"]["decisions"]}
    assert set(decided) == {"承認第1号", "議案第5号"}
    assert set(decided["議案第5号"]) >= {"item", "number", "title", "result", "method", "date"}


@pytest.mark.parametrize(
    ("name", "item", "result"),
    [
        ("circle-role-name.txt", "議案第146号", "可決"),
        ("bracket-name-role.txt", "請願第3号", "不採択"),
        ("zero-headings.txt", "認定第1号", "認定"),
    ],
)
def test_committee_reports_carry_the_committee_decision(name: str, item: str, result: str) -> None:
    _, chunks = _chunks_of(FIXTURES / name)
    [report] = [c for c in chunks if c.metadata["chunk_type"] == "report"]
    assert [(d["item"], d["result"]) for d in report.metadata["committee_decisions"]] == [
        (item, result)
    ]
    assert report.metadata["decisions"] == []  # the plenary decides later, in procedure
