"""PDF and Word versions of the founding report, built here, chunk exactly as its text file
does: the same Q&A units, speakers and text, each chunk with the page it is printed on."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from rag.chunking import Chunk, chunk_source
from rag.loading import LoadError, load_documents
from tests.conftest import REPORT, ROOT
from tests.documents import IPA_GOTHIC, build_docx, build_pdf

TEXT = REPORT.read_text(encoding="utf-8")
ICS = "株式会社ICS"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def chunks_of(path: Path) -> list[Chunk]:
    return [c for doc in load_documents([path]) for c in chunk_source(doc)]


def expected_pages(chunk: Chunk, where: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """First and last page of a text-file chunk, from its spans and the built layout."""
    lines = [TEXT.count("\n", 0, a) for a, _ in chunk.metadata["spans"]]
    lines += [TEXT.count("\n", 0, b - 1) for _, b in chunk.metadata["spans"]]
    return min(where[n][0] for n in lines), max(where[n][1] for n in lines)


@pytest.fixture(scope="module")
def text_chunks() -> list[Chunk]:
    return chunks_of(REPORT)


@pytest.mark.parametrize(
    "kind", ["pdf", "pdf-scrambled", "docx"], ids=["pdf", "pdf-out-of-order", "docx"]
)
def test_pdf_and_docx_chunk_like_the_text_file_with_pages(
    kind: str, tmp_path: Path, text_chunks: list[Chunk]
) -> None:
    if kind != "docx" and not IPA_GOTHIC.exists():
        # reportlab's CID font is not embedded, and PDFium then reads the right-aligned
        # name beside the centred 記 as one line: a limit of this builder, not of the reader
        pytest.skip(f"{IPA_GOTHIC} absent (make test installs fonts-ipafont-gothic)")
    path = tmp_path / (REPORT.stem + (".docx" if kind == "docx" else ".pdf"))
    if kind == "docx":
        where = build_docx(TEXT, path)
    else:
        where = build_pdf(TEXT, path, scrambled=kind == "pdf-scrambled")
    chunks = chunks_of(path)
    assert len(where) > 100 and max(p for _, p in where.values()) >= 5
    assert [c.id.split("#")[1] for c in chunks] == [c.id.split("#")[1] for c in text_chunks]
    for ours, theirs in zip(chunks, text_chunks, strict=True):
        for key in ("chunk_type", "speakers", "city", "section", "roles"):
            assert ours.metadata[key] == theirs.metadata[key], (ours.id, key)
        assert squash(ours.text) == squash(theirs.text), ours.id
        first, last = expected_pages(theirs, where)
        pages = ours.metadata["pages"]
        assert (pages[0], pages[-1]) == (first, last), (ours.id, pages, first, last)
        assert ours.metadata["page"] == first
    ics = next(c for c in chunks if ICS in c.text)
    assert ics.metadata["encoding"] == path.suffix.lstrip(".")
    assert "\n" not in ics.text.split(ICS)[0][-30:]  # the printed line wrap is undone


def test_scanned_pdf_is_refused_with_a_message_about_ocr(tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    build_pdf(TEXT[:3000], scan, image_only=True)
    with pytest.raises(LoadError, match=r"scan\.pdf: no text layer in \d+ page\(s\).*OCR"):
        chunks_of(scan)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("broken.pdf", b"%PDF-1.7\n garbage", "not a readable PDF"),
        ("broken.docx", b"PK\x03\x04 not a zip", "not a readable .docx"),
        ("empty.pdf", b"", "file is empty"),
    ],
)
def test_broken_files_are_named_in_the_error(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError, match=rf"{re.escape(name)}: {message}"):
        chunks_of(path)


@pytest.mark.integration
def test_dropped_pdf_answers_morioka_with_the_page(tmp_path: Path) -> None:
    """As a new user would: the report's PDF dropped into corpus/, beside its text file."""
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    where = build_pdf(TEXT, corpus / "sumida-report.pdf")
    ics_line = next(n for n, line in enumerate(TEXT.split("\n")) if ICS in line)
    env = {
        "RAG_CORPUS": str(corpus),
        "RAG_INDEX_DIR": str(tmp_path / "index"),
        "PATH": "/usr/bin:/bin",
    }
    run = [sys.executable, "-m", "rag"]
    subprocess.run([*run, "ingest"], cwd=ROOT, env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*run, "ask", "How did Morioka get cloud cost savings?"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    first = next(line for line in out.splitlines() if line.startswith("[1]"))
    assert first.startswith("[1] sumida-report#"), out
    assert first.endswith(f" / p. {where[ics_line][0]}"), out  # the page of the quote


# --- HTML pages and DiscussNet JSON ---------------------------------------------------------


def test_html_keeps_visible_text_and_block_boundaries() -> None:
    from rag.converting import html_to_text

    html = (
        "<html><head><title>t</title><style>p{}</style><script>var x=1;</script></head>"
        "<body><!-- 発言 --><div class='voice'><span class='num'>12</span>\n"
        "<p>○議長（山田太郎君）　開会します。<br>本日の日程は\nお手元のとおりです。</p></div>"
        "<table><tr><td>日程第１</td><td>会期の決定</td></tr></table>"
        "<ul><li>一つ目</li><li>二つ目 &amp; 三つ目</li></ul></body></html>"
    )
    text = html_to_text(html)
    assert "var x" not in text and "p{}" not in text and "発言" not in text
    assert "○議長（山田太郎君）　開会します。\n本日の日程は お手元のとおりです。" in text
    assert "12" not in text  # the speech number before the speaker's mark
    assert "日程第１\t会期の決定" in text
    assert "一つ目\n\n二つ目 & 三つ目" in text


def test_saved_minutes_page_in_shift_jis_loads(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "</head><body><p>○議長（佐藤太郎君）　ただいまから会議を開きます。</p>"
        "<p>○市長（山本一郎君）　御説明申し上げます。</p></body></html>"
    )
    path = tmp_path / "minutes.html"
    path.write_bytes(page.encode("cp932"))
    chunks = chunks_of(path)
    assert chunks and "ただいまから会議を開きます。" in chunks[0].text
    assert chunks[0].metadata["encoding"] == "shift_jis"


def test_discussnet_json_loads_as_minutes() -> None:
    chunks = chunks_of(ROOT / "tests" / "fixtures" / "minutes" / "discussnet.json")
    speakers = {d["label"] for c in chunks for d in c.metadata["speaker_details"]}
    assert {"議長（木村正和）", "区長（山本一郎）", "15番（小松ひろし）"} <= speakers
    assert chunks[0].metadata["date"] == "2024-11-28"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "invalid JSON"),
        ('{"minutes": []}', "expected a non-empty list 'tenant_minutes'"),
        ('{"tenant_minutes": [{"title": "x"}]}', r"tenant_minutes\[1\]\.body"),
    ],
)
def test_bad_discussnet_json_is_refused_naming_the_file(
    tmp_path: Path, content: str, why: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError, match=r"bad\.json: .*" + why):
        list(load_documents([path]))
