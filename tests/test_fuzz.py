"""Fuzzing the loader and the chunker with hypothesis: whatever the bytes, loading gives
chunks or a LoadError naming the file, never another exception, and every chunk's text is
still the source's own characters (its spans rebuild it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.chunking import chunk_source
from rag.loading import LoadError, load_documents
from tests.conftest import REPORT

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MARKERS = ["○", "◎", "◆", "◯", "〇", "◇", "△", "・", "-", "＊", "\f", '<PAGE="3">', "\n", "\n\n"]
LABELS = [
    "議長（山田太郎君）",
    "委員長",
    "3番（佐藤花子君）",
    "市長（鈴木一郎君）",
    "井上委員",
    "市側理事者",
    "（山田委員）",
    "〔登壇〕",
    "（拍手）",
    "～ あいさつ ～",
    "【盛岡市】",
    "調査概要",
    "1 市の概要",
    "質疑等",
    "答",
    "問",
    "：",
    "　",
    " ",
    "\t",
]
WORDS = [
    "ガバメントクラウド",
    "について伺います。",
    "お答えします。",
    "令和5年",
    "12回",
    "。",
    "、",
    "「",
    "」",
]
REPORT_BYTES = REPORT.read_bytes()


def load_and_chunk(path: Path) -> list:  # type: ignore[type-arg]
    """Chunks of ``path``, or the LoadError; anything else fails the test."""
    try:
        return [c for d in load_documents([path]) for c in chunk_source(d)]
    except LoadError as e:
        assert path.name in str(e)  # the message names the file
        assert e.reason.strip()
        return []


def spans_rebuild_text(chunks: list, source: str) -> None:  # type: ignore[type-arg]
    for c in chunks:
        rebuilt = "".join(source[a:b] for a, b in c.metadata["spans"])
        assert rebuilt == c.text.replace("\n", ""), c.id


@FUZZ
@given(data=st.binary(max_size=4000))
def test_random_bytes(tmp_path_factory, data: bytes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fz") / "random.txt"
    path.write_bytes(data)
    load_and_chunk(path)


@FUZZ
@given(
    parts=st.lists(
        st.one_of(
            st.sampled_from(MARKERS),
            st.sampled_from(LABELS),
            st.sampled_from(WORDS),
            st.text(max_size=8),
        ),
        max_size=200,
    )
)
def test_random_mixtures_of_markers_and_labels(tmp_path_factory, parts: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = "".join(parts)
    path = tmp_path_factory.mktemp("fz") / "mixture.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    chunks = load_and_chunk(path)
    if chunks:
        [doc] = list(load_documents([path]))
        spans_rebuild_text(chunks, doc.text)


@FUZZ
@given(
    cut=st.integers(min_value=1, max_value=len(REPORT_BYTES)),
    encoding=st.sampled_from(["utf-8", "cp932", "euc_jp", "utf-16"]),
)
def test_truncated_multibyte_text(tmp_path_factory, cut: int, encoding: str) -> None:  # type: ignore[no-untyped-def]
    data = REPORT.read_text(encoding="utf-8").encode(encoding, errors="replace")[:cut]
    path = tmp_path_factory.mktemp("fz") / f"cut-{encoding}.txt"
    path.write_bytes(data)
    chunks = load_and_chunk(path)
    if encoding == "utf-8" and cut > 200:
        assert chunks, "a truncated UTF-8 file still loads"
        assert chunks[0].metadata["encoding"] == "utf-8"


@FUZZ
@given(markers=st.lists(st.sampled_from(MARKERS + ["○", "◎"]), min_size=1, max_size=500))
def test_files_of_markers_only(tmp_path_factory, markers: list[str]) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("fz") / "markers.txt"
    path.write_text("".join(markers), encoding="utf-8")
    for c in load_and_chunk(path):
        assert c.text.strip()  # no empty chunks


@pytest.mark.slow
def test_ten_megabyte_single_line(tmp_path: Path) -> None:
    sentence = "ガバメントクラウドの移行について、市の考えを伺います。"
    with_stops = tmp_path / "one-line.txt"
    with_stops.write_text(
        "○議長（山田太郎君）" + sentence * (10_000_000 // (3 * len(sentence)) + 1), encoding="utf-8"
    )
    without = tmp_path / "no-stops.txt"
    without.write_text("あ" * 3_400_000, encoding="utf-8")  # 10 MB, not one sentence end
    for path in (with_stops, without):
        assert path.stat().st_size >= 10_000_000
        chunks = load_and_chunk(path)
        assert chunks, path.name
        assert max(len(c.text) for c in chunks) <= 2000  # cut into readable pieces
        total = sum(len(re.sub(r"\s", "", c.text)) for c in chunks)
        assert total >= 0.99 * len(re.sub(r"\s", "", path.read_text(encoding="utf-8")))
