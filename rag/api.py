"""The JSON API over :class:`rag.service.ChatService`: ``POST /api/ask`` (the JSON of
``rag ask --json``), ``GET /api/health``, ``POST /api/feedback``, ``GET /api/documents``, the
original files at ``/files/{doc_id}``, and the OpenAPI docs at ``/api/docs``. Request bodies
are cleaned before validation and a refusal names the field; ``app.py`` mounts the Gradio UI
on this app and :mod:`rag.guards` secures it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rag.filters import DATE_FORMS
from rag.filters import KEYS as FILTER_KEYS
from rag.service import (
    MAX_IGNORED_HINTS,
    BusyError,
    ChatService,
    RequestError,
    clean_json,
    clean_text,
)

MAX_FEEDBACK_TEXT = 20_000  # characters of a rated question or answer


class CleanModel(BaseModel):
    """A request body whose strings are cleaned (:func:`clean_text`) and stripped before
    validation, so a length limit counts what is kept."""

    model_config = ConfigDict(str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        return clean_json(data)


class AskRequest(CleanModel):
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
    hints: bool = Field(
        True,
        strict=True,  # "false" is a string, not false: refused, not read as true
        description="dates, meetings and bill numbers named in the question weigh in the "
        "search (the answer's `understood` lists them); false turns that off",
    )
    ignore_hints: list[str] = Field(
        default_factory=list,
        max_length=MAX_IGNORED_HINTS,
        description="labels of `understood` to leave out (「2022年度」, 議案第70号)",
    )


class FeedbackCitation(CleanModel):
    """A citation of the rated answer: only its chunk id is kept."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=300)


class FeedbackAnswer(CleanModel):
    """The rated answer, as /api/ask returned it; other fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    question: str = Field(min_length=1, max_length=MAX_FEEDBACK_TEXT)
    standalone_question: str = Field("", max_length=MAX_FEEDBACK_TEXT)
    status: str = Field("", max_length=40)
    mode: str = Field("", max_length=40)
    answer: str = Field("", max_length=MAX_FEEDBACK_TEXT)
    citations: list[FeedbackCitation] = Field(default_factory=list, max_length=100)


class FeedbackRequest(CleanModel):
    answer: FeedbackAnswer = Field(description="the JSON that /api/ask returned")
    good: bool
    comment: str = Field("", max_length=2000)


def create_api(service: ChatService) -> Any:
    """The FastAPI app with the JSON API; ``app.py`` mounts the Gradio UI on it."""
    from fastapi import FastAPI, HTTPException
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse

    settings = service.settings

    app = FastAPI(
        title="gikai-rag API",
        description="Cited answers over council documents (行政調査報告書・会議録).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        root_path=settings.root_path,
    )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Any, exc: RequestValidationError) -> JSONResponse:
        """422 naming the first bad field, without echoing what was sent."""
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "body"
        detail = {"error": f"{field}: {first.get('msg', 'invalid')}", "field": field}
        return JSONResponse(status_code=422, content={"detail": detail})

    def refuse(e: RequestError) -> HTTPException:
        return HTTPException(status_code=422, detail={"error": str(e), "field": e.field})

    @app.post("/api/ask", summary="Answer a question with citations (as `rag ask --json`)")
    def ask(req: AskRequest) -> dict[str, Any]:
        t0 = time.perf_counter()
        try:
            answer = service.ask(
                req.question, req.history, req.filters, req.mode, req.hints, req.ignore_hints
            )
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
            row = service.feedback.add(
                clean_json(req.answer.model_dump()), req.good, clean_text(req.comment)
            )
        except ValueError as e:
            raise HTTPException(422, {"error": str(e), "field": "answer"}) from e
        return {"saved": row}

    @app.get("/api/documents", summary="The indexed documents")
    def documents() -> list[dict[str, Any]]:
        keys = ("doc_id", "title", "kind", "council", "meeting", "date", "chunks")
        return [{k: row[k] for k in keys} for row in service.documents()]

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

    return app
