from __future__ import annotations

import json
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


def test_minutes_no_speaker_lost() -> None:
    for name in ("sendai-dx-tokubetsu-iinkai-20241226.txt", "yokohama-honkaigi-20241129.txt"):
        parsed = _minutes(name)
        chunks = chunk_document(parsed)
        in_chunks = {n for c in chunks for n in c.metadata["turns"]}
        for t in parsed.turns:
            if t.speaker.category in ("member", "official"):
                assert t.n in in_chunks, f"{name}: turn {t.n} ({t.speaker.label}) lost"


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


def test_yokohama_answers_follow_their_question() -> None:
    chunks = chunk_document(_minutes("yokohama-honkaigi-20241129.txt"))
    qa = [c for c in chunks if c.metadata["chunk_type"] in ("qa", "question", "answer")]
    assert {c.metadata["questioner"]["name"] for c in qa} == {"白井正子", "井上さくら"}
    shirai = [c for c in qa if c.metadata["questioner"]["name"] == "白井正子"]
    assert any(a["name"] == "山中竹春" for c in shirai for a in c.metadata["answerers"])


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
