"""The same retrieval checks on both vector stores: FAISS (default) and Milvus (milvus-lite,
a real embedded Milvus in a local file), over the founding report and the real USE model."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag.indexing import IndexMismatchError, ingest
from rag.retrieval import Retriever
from rag.settings import Settings
from rag.vectorstores import FaissChunkStore, MilvusChunkStore
from tests.conftest import CORPUS, REPORT

pytestmark = pytest.mark.integration

QUERIES = [
    "How did Morioka get cloud cost savings?",
    "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか",
    "仙台市の書かない窓口の取組",
    "スマートフォンの利用講習会の参加者数",
    "ChatGPTの活用",
]
FILTERS = [
    {},
    {"city": "仙台市"},
    {"role": "member"},
    {"date_from": "2023/09", "date_to": "R5"},
    {"section": "盛岡"},
]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Retriever, Retriever, Settings]:
    folder = tmp_path_factory.mktemp("stores")
    corpus = folder / "corpus"
    shutil.copytree(CORPUS, corpus)
    milvus = Settings(
        corpus=(corpus,), index_dir=folder / "index", vector_store="milvus"
    )  # milvus-lite file in the index folder
    ingest([corpus], milvus)
    faiss = replace(milvus, vector_store="faiss", index_dir=folder / "faiss-index")
    ingest([corpus], faiss)
    return Retriever.open(faiss), Retriever.open(milvus), milvus


def test_same_top_hits_on_faiss_and_milvus(both: tuple[Retriever, Retriever, Settings]) -> None:
    faiss, milvus, _ = both
    assert isinstance(faiss.store, FaissChunkStore) and isinstance(milvus.store, MilvusChunkStore)
    compared = 0
    for q in QUERIES:
        for mode in ("dense", "hybrid"):
            for f in FILTERS:
                a = [h.chunk.id for h in faiss.search(q, k=5, mode=mode, filters=f).hits]
                b = [h.chunk.id for h in milvus.search(q, k=5, mode=mode, filters=f).hits]
                assert a == b, (q, mode, f)
                compared += 1
    assert compared == len(QUERIES) * 2 * len(FILTERS)
    morioka = milvus.search(QUERIES[0], k=3).hits
    assert "sumida-dx-r05#006" in [h.chunk.id for h in morioka]


def test_milvus_follows_incremental_ingest(
    both: tuple[Retriever, Retriever, Settings], tmp_path: Path
) -> None:
    _, _, settings = both
    corpus = settings.corpus[0]
    extra = corpus / "copy.txt"
    extra.write_text(
        REPORT.read_text(encoding="utf-8").replace("墨田区", "江東区"), encoding="utf-8"
    )
    ingest([corpus], settings)
    store = Retriever.open(settings).store
    assert isinstance(store, MilvusChunkStore)
    ids = store.ids()
    assert len(ids) == 80 and any(i.startswith("copy#") for i in ids)
    extra.unlink()
    ingest([corpus], settings)
    store = Retriever.open(settings).store
    assert isinstance(store, MilvusChunkStore) and len(store.ids()) == 40


def test_both_are_langchain_vector_stores(both: tuple[Retriever, Retriever, Settings]) -> None:
    from langchain_core.vectorstores import VectorStore

    faiss, milvus, _ = both
    assert isinstance(faiss.store, VectorStore)
    assert isinstance(milvus.store, MilvusChunkStore) and isinstance(
        milvus.store.store, VectorStore
    )
    docs = faiss.store.as_retriever(search_kwargs={"k": 2}).invoke(QUERIES[0])
    assert "sumida-dx-r05#006" in [d.metadata["id"] for d in docs]
    assert any("ICS" in d.page_content for d in docs)
    found = milvus.store.store.similarity_search(QUERIES[0], k=2)
    assert [d.metadata["id"] for d in found] == [d.metadata["id"] for d in docs]
    scored = faiss.store.similarity_search_with_score(QUERIES[2], k=3, filter={"city": "盛岡市"})
    assert scored and all(d.metadata["city"] == "盛岡市" for d, _ in scored)


def test_milvus_mode_neither_writes_nor_reads_a_faiss_file(
    both: tuple[Retriever, Retriever, Settings],
) -> None:
    faiss, milvus, settings = both
    assert not list(settings.index_dir.rglob("*.faiss"))
    assert milvus.index.dense is None and milvus.index.manifest["index_type"] == "milvus"
    assert list(faiss.settings.index_dir.rglob("dense.faiss"))
    # similarities are Milvus's own scores, and agree with FAISS's
    q = "仙台市の書かない窓口の取組"
    a = {h.chunk.id: h.similarity for h in faiss.search(q, k=5, mode="dense").hits}
    b = {h.chunk.id: h.similarity for h in milvus.search(q, k=5, mode="dense").hits}
    assert a.keys() == b.keys()
    assert all(abs((a[i] or 0) - (b[i] or 0)) < 1e-4 for i in a)
    with pytest.raises(IndexMismatchError, match="Milvus"):
        Retriever.open(replace(settings, vector_store="faiss"))
