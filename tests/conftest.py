from __future__ import annotations

from pathlib import Path

import pytest

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


class FakeEmbeddings:
    """Deterministic, honest fake: hashed character bigrams, unit length. Texts that share
    bigrams are close, so retrieval tests still mean something. Counts what it embeds."""

    name = "fake"
    version = "1"
    dim = 64
    batch_size = 16

    def __init__(self) -> None:
        self.embedded = 0

    def encode(self, texts, is_query=False, progress=None):  # type: ignore[no-untyped-def]
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:], strict=False):
                out[i, zlib.crc32((a + b).encode()) % self.dim] += 1.0
        self.embedded += 0 if is_query else len(texts)
        if progress:
            progress(len(texts))
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def describe(self):  # type: ignore[no-untyped-def]
        return {"name": self.name, "version": self.version, "dim": self.dim, "normalized": True}


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
