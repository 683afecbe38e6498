"""Faults while indexing: `rag ingest` killed at random points, broken index files, a
read-only folder, a full disk, two ingests at once. After each, the previous index still
loads with everything it held, and the error names the file or folder."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.indexing import (
    IndexCorruptError,
    IndexWriteError,
    current_folder,
    ingest,
    ingest_lock,
    load_index,
)
from rag.settings import Settings
from tests.conftest import CORPUS, REPORT, ROOT, FakeEmbeddings

COPY = "report-copy"  # a second document: the report under another name


def make_corpus(folder: Path) -> Path:
    shutil.copytree(CORPUS, folder)
    return folder


def add_second_document(corpus: Path) -> None:
    text = REPORT.read_text(encoding="utf-8").replace("墨田区議会", "江東区議会")
    (corpus / f"{COPY}.txt").write_text(text, encoding="utf-8")


def rag(*args: str, index: Path, corpus: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RAG_INDEX_DIR": str(index), "RAG_CORPUS": str(corpus)}
    return subprocess.Popen(
        [sys.executable, "-m", "rag", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ids(index: Path) -> set[str]:
    return {c.id for c in load_index(Settings(index_dir=index)).chunks}


@pytest.mark.integration
def test_killed_ingest_at_random_points_loses_nothing(tmp_path: Path) -> None:
    corpus, index = make_corpus(tmp_path / "corpus"), tmp_path / "index"
    t0 = time.monotonic()
    assert rag("ingest", index=index, corpus=corpus).wait(120) == 0
    took = time.monotonic() - t0  # the second ingest does about the same work
    before = ids(index)
    add_second_document(corpus)
    rng = random.Random(7)
    outcomes = []
    for _ in range(5):
        proc = rag("ingest", index=index, corpus=corpus)
        time.sleep(rng.uniform(0.05, 0.9) * took)  # anywhere from start-up to the write
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        now = ids(index)  # loads, whatever the moment of the kill
        assert before <= now, "chunks already indexed were lost"
        assert now == before or any(i.startswith(COPY + "#") for i in now)
        outcomes.append("finished" if finished else "killed")
        if now != before:
            break
    assert "killed" in outcomes
    done = rag("ingest", index=index, corpus=corpus)
    assert done.wait(120) == 0, done.stderr.read() if done.stderr else ""
    after = ids(index)
    assert before < after and any(i.startswith(COPY + "#") for i in after)
    assert not list(index.glob(".tmp-*")) and not list(index.glob(".embed-*"))


@pytest.mark.parametrize(
    "broken",
    [
        "chunks.sqlite",
        "dense.faiss",
        "bm25.tf.npy",
        "bm25.lengths.npy",
        "bm25.indices.npy",
        "bm25.indptr.npy",
        "bm25.json",
        "manifest.json",
    ],
)
def test_truncated_or_corrupted_files_are_named_and_rebuild_recovers(
    tmp_path: Path, broken: str
) -> None:
    corpus, index = make_corpus(tmp_path / "corpus"), tmp_path / "index"
    settings = Settings(index_dir=index, corpus=(corpus,), embed_model="fake")
    emb = FakeEmbeddings()
    ingest([corpus], settings, emb)
    expected = {c.id for c in load_index(settings).chunks}
    folder = current_folder(index)
    assert folder is not None
    path = folder / broken
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated
    with pytest.raises(IndexCorruptError, match=broken.replace(".", r"\.")):
        load_index(settings)
    path.write_bytes(bytes(b ^ 0x5A for b in data))  # corrupted
    with pytest.raises(IndexCorruptError, match=broken.replace(".", r"\.")):
        load_index(settings)
    ingest([corpus], settings, emb, rebuild=True)
    assert {c.id for c in load_index(settings).chunks} == expected


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)])
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_gives_a_clear_error_and_keeps_the_old_index(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    with tmpfs(tmp_path / "disk", "600k") as disk:  # the first index fits, two do not
        settings = Settings(index_dir=disk / "index", embed_model="fake")
        emb = FakeEmbeddings()
        ingest([corpus], settings, emb)
        before = {c.id for c in load_index(settings).chunks}
        add_second_document(corpus)
        with pytest.raises(IndexWriteError, match=r"index: could not write .*No space left"):
            ingest([corpus], settings, emb)
        assert {c.id for c in load_index(settings).chunks} == before
        assert not list((disk / "index").glob(".tmp-*"))  # the partial generation is gone


@pytest.mark.integration
def test_read_only_folder_gives_a_clear_error_and_keeps_the_old_index(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus")
    with tmpfs(tmp_path / "disk", "4m") as disk:
        settings = Settings(index_dir=disk / "index", embed_model="fake")
        emb = FakeEmbeddings()
        ingest([corpus], settings, emb)
        before = {c.id for c in load_index(settings).chunks}
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        add_second_document(corpus)
        with pytest.raises(
            IndexWriteError, match=r"index: cannot write the index here .*Read-only"
        ):
            ingest([corpus], settings, emb)
        assert {c.id for c in load_index(settings).chunks} == before
        cli = rag("ingest", index=disk / "index", corpus=corpus)
        assert cli.wait(120) == 2
        assert "Read-only file system" in (cli.stderr.read() if cli.stderr else "")


@pytest.mark.integration
def test_two_ingests_at_once_are_serialised(tmp_path: Path) -> None:
    corpus, index = make_corpus(tmp_path / "corpus"), tmp_path / "index"
    add_second_document(corpus)
    with ingest_lock(index):  # this test is "the first ingest"
        second = rag("ingest", index=index, corpus=corpus)
        time.sleep(4)
        assert second.poll() is None, "the second ingest did not wait"
        assert current_folder(index) is None  # and wrote nothing meanwhile
    assert second.wait(120) == 0
    assert "waiting for another ingest" in (second.stderr.read() if second.stderr else "")
    a, b = rag("ingest", index=index, corpus=corpus), rag("ingest", index=index, corpus=corpus)
    assert a.wait(120) == 0 and b.wait(120) == 0
    assert len([p for p in index.iterdir() if p.name.startswith("g-")]) == 1
    assert any(i.startswith(COPY + "#") for i in ids(index))
