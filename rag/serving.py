"""Serving: the chat service behind the UI and the HTTP API, and the FastAPI app itself.

:class:`ChatService` is what every front end calls. It checks questions and filters (a clear
message naming the field), bounds how many answers are computed at once, swaps in a new
index after a document is added, and keeps the feedback store. :func:`create_api` builds
the FastAPI app: ``POST /api/ask`` (the JSON of ``rag ask --json``), ``GET /api/health``,
``POST /api/feedback``, OpenAPI docs at ``/api/docs``, the web-component script at
``/gradio.js``, optional authentication on every route and the allowed origins. ``app.py``
mounts the Gradio UI on it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from rag.answering import Answerer
from rag.answers import Answer
from rag.chunking import Chunk, chunk_source
from rag.feedback import FeedbackStore
from rag.filters import DATE_FORMS, FilterError, Filters
from rag.filters import KEYS as FILTER_KEYS
from rag.indexing import IndexWriteError, IngestReport, ingest
from rag.loading import LoadError, load_documents
from rag.retrieval import QueryError, Retriever
from rag.settings import Settings
from rag.text import CONTROL

MAX_HISTORY = 6  # earlier questions kept for follow-ups
_SAFE_NAME = re.compile(r"[^\w.\-]+")


class RequestError(ValueError):
    """A question, filter or upload the service refuses; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class BusyError(RuntimeError):
    """Every answer slot stayed taken for the whole wait."""


@dataclass(frozen=True)
class Facets:
    """What the UI's filters can offer, read from the index."""

    documents: list[tuple[str, str]]  # (title, doc_id)
    cities: list[str]
    meetings: list[str]
    roles: list[str]
    dates: tuple[str, str]


class ChatService:
    """Answers for every front end, with limits, reloads and feedback."""

    def __init__(
        self, settings: Settings, embeddings: Any | None = None, llm: Any | None = None
    ) -> None:
        self.settings = settings
        self._embeddings = embeddings
        if llm is None and settings.llm_url:
            from rag.generation import chat_model

            llm = chat_model(settings)
        self.llm = llm
        self._slots = threading.BoundedSemaphore(settings.concurrency)
        self._ingest_lock = threading.Lock()
        self._open_index()
        self.feedback = FeedbackStore(settings.feedback_db)

    def _open_index(self) -> None:
        retriever = Retriever.open(self.settings, self._embeddings)
        self._embeddings = retriever.embeddings
        # Two answerers over one retriever: the configured mode, and a forced extractive one.
        self._answerers = {
            "extractive": Answerer(retriever),
            "auto": Answerer(retriever, llm=self.llm) if self.llm else Answerer(retriever),
        }
        self.facets = _facets(retriever.chunks)

    @property
    def mode(self) -> str:
        return "llm" if self.llm is not None else "extractive"

    @property
    def retriever(self) -> Retriever:
        return self._answerers["auto"].retriever

    # -- checking what callers send ----------------------------------------------------------
    def clean_question(self, question: Any) -> str:
        if not isinstance(question, str):
            raise RequestError("question", "must be text")
        text = CONTROL.sub(" ", unicodedata.normalize("NFC", question)).strip()
        limit = self.settings.max_question_chars
        if not text:
            raise RequestError("question", "empty; type a question / 質問を入力してください")
        if len(text) > limit:
            raise RequestError(
                "question",
                f"{len(text):,} characters; the limit is {limit:,} / "
                f"質問が長すぎます（{len(text):,}文字、上限{limit:,}文字）",
            )
        return text

    def clean_filters(self, filters: Mapping[str, Any] | None) -> Filters:
        try:
            return Filters.parse(filters or {})
        except FilterError as e:
            raise RequestError(e.field, e.reason) from e

    def clean_history(self, history: Sequence[Any] | None) -> list[str]:
        kept = [str(h) for h in (history or []) if isinstance(h, str) and h.strip()]
        return [h[: self.settings.max_question_chars] for h in kept[-MAX_HISTORY:]]

    # -- answering ------------------------------------------------------------------------
    @contextmanager
    def _slot(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.settings.queue_timeout):
            raise BusyError(
                f"busy: {self.settings.concurrency} answers already running; try again shortly"
            )
        try:
            yield
        finally:
            self._slots.release()

    def stream(
        self,
        question: Any,
        history: Sequence[Any] | None = None,
        filters: Mapping[str, Any] | None = None,
        mode: Literal["auto", "extractive"] = "auto",
    ) -> Iterator[str | Answer]:
        """Check the request, then yield answer text as produced and the final Answer."""
        q = self.clean_question(question)
        f = self.clean_filters(filters)
        h = self.clean_history(history)
        answerer = self._answerers["extractive" if mode == "extractive" else "auto"]
        with self._slot():
            try:
                yield from answerer.stream(q, h, f)
            except QueryError as e:
                field = str(e).split(":", 1)[0]
                raise RequestError(field, str(e).split(":", 1)[-1].strip()) from e

    def ask(
        self,
        question: Any,
        history: Sequence[Any] | None = None,
        filters: Mapping[str, Any] | None = None,
        mode: Literal["auto", "extractive"] = "auto",
    ) -> Answer:
        final = None
        for item in self.stream(question, history, filters, mode):
            final = item
        assert isinstance(final, Answer)
        return final

    # -- adding documents ---------------------------------------------------------------------
    def preview(self, path: Path, name: str | None = None) -> list[Chunk]:
        """The chunks a file would add; raises :class:`RequestError` naming the file."""
        label = name or path.name
        errors: list[LoadError] = []
        try:
            docs = list(load_documents([path], errors))
        except OSError as e:
            raise RequestError("file", f"{label}: cannot read ({e})") from e
        if errors:
            raise RequestError("file", str(errors[0]).replace(str(path), label))
        chunks = [c for d in docs for c in chunk_source(d)]
        if not chunks:
            raise RequestError("file", f"{label}: no text to index")
        return chunks

    def add_document(self, path: Path, name: str) -> IngestReport:
        """Copy an uploaded file into the corpus and index it incrementally.

        The file is checked first; a bad file never reaches the corpus folder, and the
        index on disk is only replaced by a complete new generation.
        """
        safe = _SAFE_NAME.sub("_", Path(name).name).lstrip(".") or "upload.txt"
        self.preview(path, safe)
        folder = self.settings.corpus[0]
        if not folder.is_dir():
            raise RequestError("corpus", f"{folder} is not a folder to add documents to")
        target = folder / safe
        with self._ingest_lock:
            backup = target.read_bytes() if target.exists() else None
            tmp = folder / f".{safe}.part"
            shutil.copyfile(path, tmp)
            tmp.replace(target)
            try:
                report = ingest(list(self.settings.corpus), self.settings, self._embeddings)
            except IndexWriteError as e:
                _restore(target, backup)
                raise RequestError("index", str(e)) from e
            except Exception:
                _restore(target, backup)
                raise
            bad = [e for e in report.errors if safe in e]
            if bad:
                _restore(target, backup)
                raise RequestError("file", bad[0])
            self._open_index()
        return report

    def health(self) -> dict[str, Any]:
        r = self.retriever
        return {
            "status": "ok",
            "mode": self.mode,
            "chunks": len(r.chunks),
            "documents": len(self.facets.documents),
            "embedding": r.index.manifest.get("embedding", {}).get("name"),
            "index": r.index.folder.name,
        }


def _restore(target: Path, backup: bytes | None) -> None:
    if backup is None:
        target.unlink(missing_ok=True)
    else:
        target.write_bytes(backup)


def _facets(chunks: Sequence[Chunk]) -> Facets:
    docs: dict[str, str] = {}
    cities: set[str] = set()
    meetings: set[str] = set()
    roles: set[str] = set()
    dates: list[str] = []
    for c in chunks:
        m = c.metadata
        docs.setdefault(str(m.get("doc_id")), str(m.get("title") or m.get("doc_id")))
        if m.get("city"):
            cities.add(str(m["city"]))
        if m.get("meeting"):
            meetings.add(str(m["meeting"]))
        roles.update(str(r) for r in m.get("roles") or [])
        if m.get("date"):
            dates.append(str(m["date"]))
    return Facets(
        documents=sorted(((t, d) for d, t in docs.items()), key=lambda x: x[1]),
        cities=sorted(cities),
        meetings=sorted(meetings),
        roles=sorted(roles),
        dates=(min(dates), max(dates)) if dates else ("", ""),
    )


# -- HTTP ---------------------------------------------------------------------------------
ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
OPEN_PATHS = ("/api/health",)


class AuthMiddleware:
    """Every route needs ``Authorization``: Basic user:password, or Bearer token.

    Browsers get the standard Basic prompt (``WWW-Authenticate``), so the UI, the embed
    page and file downloads are covered the same way as the API. Only the health check is
    open, and it tells nothing but "ok" and sizes.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.users = dict(settings.auth)
        self.token = settings.api_token

    def allowed(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and self.token:
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        if scheme.lower() == "basic" and self.users:
            try:
                user, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = self.users.get(user)
            return expected is not None and hmac.compare_digest(
                password.encode(), expected.encode()
            )
        return False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        if scope.get("method") == "OPTIONS" or path in OPEN_PATHS:
            return await self.app(scope, receive, send)
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if self.allowed(headers.get("authorization", "")):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        body = b'{"error": "authentication required"}'
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Basic realm="gikai-rag", charset="UTF-8"'),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class FrameAncestorsMiddleware:
    """With allowed origins set, only those pages (and this one) may frame the chat."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        value = "frame-ancestors 'self' " + " ".join(origins)
        self.header = (b"content-security-policy", value.encode())

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_header(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self.header]
            await send(message)

        await self.app(scope, receive, send_with_header)


class AskRequest(BaseModel):
    question: str = Field(description="the question, Japanese or English")
    history: list[str] = Field(
        default_factory=list, description="earlier questions, for follow-ups"
    )
    filters: dict[str, str] = Field(
        default_factory=dict,
        description=f"any of {', '.join(FILTER_KEYS)}; dates as {DATE_FORMS}",
    )
    mode: Literal["auto", "extractive"] = Field(
        "auto", description="auto: the LLM when one is configured; extractive: never"
    )


class FeedbackRequest(BaseModel):
    answer: dict[str, Any] = Field(description="the JSON that /api/ask returned")
    good: bool
    comment: str = ""


def create_api(service: ChatService) -> Any:
    """The FastAPI app with the JSON API; ``app.py`` mounts the Gradio UI on it."""
    from fastapi import FastAPI, HTTPException
    from fastapi.middleware.cors import CORSMiddleware
    from fastapi.responses import FileResponse

    settings = service.settings

    app = FastAPI(
        title="gikai-rag API",
        description="Cited answers over council documents (行政調査報告書・会議録).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        root_path=settings.root_path,
    )

    def refuse(e: RequestError) -> HTTPException:
        return HTTPException(status_code=422, detail={"error": str(e), "field": e.field})

    @app.post("/api/ask", summary="Answer a question with citations (as `rag ask --json`)")
    def ask(req: AskRequest) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            answer = service.ask(req.question, req.history, req.filters, req.mode)
        except RequestError as e:
            raise refuse(e) from e
        except BusyError as e:
            raise HTTPException(503, {"error": str(e)}, headers={"Retry-After": "5"}) from e
        out = answer.to_json()
        out["timings_ms"]["server"] = round((time.perf_counter() - t0) * 1000, 1)
        return out

    @app.get("/api/health", summary="Liveness and index size")
    def health() -> dict[str, Any]:
        return service.health()

    @app.post("/api/feedback", summary="Rate an answer (saved locally for the evals)")
    def feedback(req: FeedbackRequest) -> dict[str, Any]:
        try:
            row = service.feedback.add(req.answer, req.good, req.comment)
        except ValueError as e:
            raise HTTPException(422, {"error": str(e), "field": "answer"}) from e
        return {"saved": row}

    @app.get("/files/{doc_id}", summary="The original file of an indexed document")
    def original(doc_id: str) -> Any:
        from rag.presenting import SERVED_SUFFIXES

        doc = service.retriever.index.manifest["documents"].get(doc_id)
        path = Path(doc["path"]) if doc else None
        if path is None or not path.is_file() or not path.name.lower().endswith(SERVED_SUFFIXES):
            raise HTTPException(404, {"error": f"doc_id: no served file for {doc_id!r}"})
        media = {
            ".pdf": "application/pdf",
            ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }.get(path.suffix.lower(), "text/plain; charset=utf-8")
        disposition = "attachment" if path.suffix.lower() == ".docx" else "inline"
        return FileResponse(
            path, media_type=media, filename=path.name, content_disposition_type=disposition
        )

    @app.get("/gradio.js", include_in_schema=False)
    def web_component() -> Any:
        import gradio

        script = Path(gradio.__file__).parent / "templates" / "frontend" / "gradio.js"
        return FileResponse(script, media_type="text/javascript")

    # Added last = outermost: CORS answers preflights before authentication is asked.
    if settings.auth or settings.api_token:
        app.add_middleware(AuthMiddleware, settings=settings)
    if settings.allowed_origins:
        app.add_middleware(FrameAncestorsMiddleware, origins=settings.allowed_origins)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_credentials="*" not in settings.allowed_origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
        )
    return app
