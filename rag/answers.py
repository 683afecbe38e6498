"""What an answer is: frozen values that every front end reads (CLI, API, UI, evals).

>>> a = Answer("盛岡市は？", "no_answer", "資料には…", "extractive")
>>> a.to_json()["status"], a.citations
('no_answer', ())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.chunking import page_of

STATUSES = ("answered", "no_answer")
MODES = ("extractive", "llm")


@dataclass(frozen=True)
class Citation:
    """Passage ``n`` of an answer: the chunk, and the sentences quoted from it."""

    n: int
    id: str
    text: str
    quote: str
    metadata: Mapping[str, Any]

    @property
    def page(self) -> int | None:
        """The page the quote is printed on (PDF, Word, paged text), where known."""
        return page_of(self.metadata, self.text, self.quote)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "id": self.id,
            "text": self.text,
            "quote": self.quote,
            "page": self.page,
            "metadata": dict(self.metadata),
        }


@dataclass(frozen=True)
class Answer:
    """One answer; built whole by :mod:`rag.answering`, never changed afterwards."""

    question: str
    status: str  # one of STATUSES
    answer: str
    mode: str  # one of MODES
    citations: Sequence[Citation] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    confidence: float = 0.0
    nearest: Sequence[Citation] = ()
    warnings: Sequence[str] = ()
    asks: str = ""  # what the question asks for (rag.facts.question_type)
    lead: str = ""  # the line that states the asked-for fact, first in ``answer``
    # what the search read from the question (rag.understanding): dates, meetings, bills,
    # weighed in the ranking unless the asker turned them off
    understood: Sequence[str] = ()
    # the question's other wordings the search also ran: an English question put into
    # Japanese by the LLM (LLM mode only)
    searched_as: Sequence[str] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.answer,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "confidence": round(self.confidence, 4),
            "nearest": [c.to_json() for c in self.nearest],
            "warnings": list(self.warnings),
            "asks": self.asks,
            "lead": self.lead,
            "understood": list(self.understood),
            "searched_as": list(self.searched_as),
        }
