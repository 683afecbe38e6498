from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
REPORT = CORPUS / "sumida-jichitai-dx-gyosei-chosa-r05.txt"
SHARED = ROOT.parent / "shared"
MINUTES = SHARED / "minutes"
SCALE = SHARED / "scale" / "shinagawa-minutes-r02-r07.jsonl.xz"


def need_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is only on developer and CI machines)")
    return path


class FakeEmbeddings(Embeddings):
    """Deterministic, honest fake: hashed character bigrams. Texts that share bigrams are
    close, so retrieval tests still mean something. A plain LangChain ``Embeddings``: the
    code wraps it (:func:`rag.embedding.as_batched`) as it would any other. Counts the
    documents it embeds."""

    name = "fake"
    version = "1"
    dim = 64

    def __init__(self) -> None:
        self.embedded = 0

    def _vector(self, text: str) -> list[float]:
        out = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:], strict=False):
            out[zlib.crc32((a + b).encode()) % self.dim] += 1.0
        return out.tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``shared`` are skipped where ../shared is absent."""
    if SHARED.exists():
        return
    skip = pytest.mark.skip(reason=f"{SHARED} is absent (only on developer and CI machines)")
    for item in items:
        if item.get_closest_marker("shared"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def index_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Indexes built once per test session, one folder per corpus, model and BM25 field,
    named as ``evals.run`` names them (``sample-use-surface``): pass it as the evals'
    work folder, or ingest into ``index_cache / name`` (an up-to-date ingest embeds
    nothing)."""
    return tmp_path_factory.mktemp("indexes")


@pytest.fixture(scope="session")
def embed_port() -> int:
    """The port of the plain page that embeds the chat (another origin than the app)."""
    from tests.servers import free_port

    return free_port()


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory, embed_port: int):  # type: ignore[no-untyped-def]
    """A real `python app.py` (open, extractive) shared by the API and browser tests."""
    from tests.servers import run_app

    folder = tmp_path_factory.mktemp("app")
    with run_app(folder, {"RAG_ALLOWED_ORIGINS": f"http://127.0.0.1:{embed_port}"}) as server:
        yield server


ADMIN_USER = ("admin", "council-secret-7")


@pytest.fixture(scope="session")
def admin_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A real `python app.py` with a login (so the admin tab is on), a 1 MB upload limit and
    Gradio's cache in its own folder, shared by the security and browser tests."""
    from tests.servers import run_app

    folder = tmp_path_factory.mktemp("admin")
    env = {
        "RAG_AUTH": ":".join(ADMIN_USER),
        "RAG_MAX_UPLOAD_MB": "1",
        "RAG_LOGIN_LIMIT": "1000/60",
        "GRADIO_TEMP_DIR": str(folder / "gradio-cache"),
    }
    with run_app(folder, env) as server:
        yield server
