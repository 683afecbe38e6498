from __future__ import annotations

import json
import lzma
from pathlib import Path

import pytest

from rag.loading import LoadError, decode_bytes, load_documents, load_text_file, newline_style

from .conftest import REPORT

SAMPLE = "◎委員（村本ひろや）\n\n情報セキュリティ研修の受講率について、ばらつきの理由を教えてください。\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16"),
        ("cp932", "cp932"),
        ("shift_jis", "cp932"),
        ("euc_jp", "euc_jp"),
    ],
)
def test_encodings_detected_and_recorded(tmp_path: Path, encoding: str, expected: str) -> None:
    f = tmp_path / "doc.txt"
    f.write_bytes(SAMPLE.encode(encoding))
    doc = load_text_file(f)
    assert doc.text.lstrip("\ufeff") == SAMPLE
    assert doc.encoding == expected


def test_founding_report_in_legacy_encodings_reads_the_same(tmp_path: Path) -> None:
    text = REPORT.read_text(encoding="utf-8")
    for enc in ("cp932", "euc_jp", "utf-16"):
        # 手續 (old form) has no EUC-JP/CP932 code; councils' legacy files would not have it
        legacy = text.replace("手續", "手続")
        if enc == "euc_jp":  # EUC-JP has 〜 (U+301C) where CP932 has ～ (U+FF5E)
            legacy = legacy.replace("～", "〜")
        decoded, found = decode_bytes(legacy.encode(enc), f"report.{enc}")
        assert decoded == legacy
        assert found == {"utf-16": "utf-16"}.get(enc, enc)


@pytest.mark.parametrize(("newline", "style"), [("\r\n", "CRLF"), ("\r", "CR"), ("\n", "LF")])
def test_line_endings(tmp_path: Path, newline: str, style: str) -> None:
    f = tmp_path / "doc.txt"
    f.write_bytes(SAMPLE.replace("\n", newline).encode())
    doc = load_text_file(f)
    assert newline_style(doc.text) == style
    assert doc.meta["newline"] == style


def test_bad_files_are_named_and_the_rest_loads(tmp_path: Path) -> None:
    (tmp_path / "a-good.txt").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "b-empty.txt").write_bytes(b"")
    (tmp_path / "c-blank.txt").write_bytes(b"\n \n")
    (tmp_path / "d-binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "e-image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    errors: list[LoadError] = []
    docs = list(load_documents([tmp_path], errors))
    assert [d.doc_id for d in docs] == ["a-good"]
    named = {Path(e.path).name: str(e) for e in errors}
    assert set(named) == {"b-empty.txt", "c-blank.txt", "d-binary.txt", "e-image.png"}
    assert "empty" in named["b-empty.txt"]
    assert "binary" in named["d-binary.txt"] or "encoding" in named["d-binary.txt"]
    assert "unknown file type" in named["e-image.png"]
    for name, message in named.items():
        assert name in message


def test_first_error_raises_without_collector(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"")
    with pytest.raises(LoadError, match=r"x\.txt: file is empty"):
        list(load_documents([tmp_path]))


def _meeting(i: int, voices: list[dict[str, object]]) -> str:
    return json.dumps(
        {"id": f"m{i}", "dateIso": f"2024-01-0{i}", "title": f"会議{i}", "voices": voices},
        ensure_ascii=False,
    )


def test_jsonl_streams_meetings_and_reports_bad_lines(tmp_path: Path) -> None:
    good = [{"i": 1, "speaker": "本多委員長", "text": "開会します。"}]
    lines = [_meeting(1, good), "{not json", _meeting(2, []), _meeting(3, good)]
    f = tmp_path / "minutes.jsonl.xz"
    with lzma.open(f, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    errors: list[LoadError] = []
    it = load_documents([f], errors)
    first = next(it)  # streamed: the first meeting comes before the rest is read
    assert first.doc_id == "minutes:m1"
    assert first.voices[0].speaker == "本多委員長"
    rest = list(it)
    assert [d.doc_id for d in rest] == ["minutes:m3"]
    assert [e.path for e in errors] == [f"{f}:2", f"{f}:3"]
    assert "voices" in str(errors[1])


def test_catalog_supplies_metadata() -> None:
    [doc] = list(load_documents([REPORT]))
    assert doc.doc_id == "sumida-dx-r05"
    assert doc.meta["kind"] == "report"
    assert doc.meta["council"] == "墨田区議会"
    assert doc.meta["date"] == "2023-09-13"


def test_a_folders_readme_and_sources_are_not_documents(tmp_path: Path) -> None:
    """A folder of minutes often carries a SOURCES.md or README.md describing it: loading
    the folder skips them (they would be cited as if they were minutes); naming one loads it."""
    minutes = "○議長（山田太郎君）　ただいまから会議を開きます。\n"
    (tmp_path / "giji.txt").write_text(minutes, encoding="utf-8")
    (tmp_path / "SOURCES.md").write_text("# Sources\n- giji.txt: 某市議会\n", encoding="utf-8")
    (tmp_path / "readme.txt").write_text("この資料について\n", encoding="utf-8")
    (tmp_path / "notice.html").write_text("<p>告示第1号</p>", encoding="utf-8")  # a document
    docs = list(load_documents([tmp_path]))
    assert sorted(Path(d.path).stem for d in docs) == ["giji", "notice"]
    [named] = list(load_documents([tmp_path / "SOURCES.md"]))
    assert "Sources" in named.text
