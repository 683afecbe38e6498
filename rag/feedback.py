"""Feedback from real use, kept in a local SQLite file so the eval set can grow from it.

Each row is one rating (good or bad, with an optional comment) of one answer: the question,
the standalone question, the answer, the cited chunk ids and the mode. ``rag feedback``
prints the rows as JSON Lines in the shape of ``evals/data/queries.jsonl``, so a reviewer can
turn them into eval questions (good answers give candidate qrels from their citations).

>>> store = FeedbackStore(Path(":memory:"))
>>> store.add({"question": "Q", "answer": "A", "citations": []}, good=True)
1
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

MAX_COMMENT_CHARS = 2000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('good', 'bad')),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    standalone_question TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT '',
    mode TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL DEFAULT '',
    cited TEXT NOT NULL DEFAULT '[]',
    filters TEXT NOT NULL DEFAULT '{}'
)
"""


# Characters that str.splitlines() and some JSON Lines readers take as line breaks, but that
# json.dumps(ensure_ascii=False) leaves raw.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def jsonl_line(row: Mapping[str, Any]) -> str:
    """One JSON Lines record, readable Japanese, with every line-breaking character escaped.

    >>> jsonl_line({"q": "a\u2028b"})
    '{"q": "a\\\\u2028b"}'
    """
    text = json.dumps(dict(row), ensure_ascii=False)
    for raw, escaped in _LINE_BREAKS.items():
        text = text.replace(raw, escaped)
    return text


class FeedbackStore:
    """A small SQLite table; one connection shared under a lock (the server is threaded)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL" if str(path) != ":memory:" else "SELECT 1")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def add(
        self,
        answer: Mapping[str, Any],
        good: bool,
        comment: str = "",
        filters: Mapping[str, str] | None = None,
    ) -> int:
        """Store a rating of ``answer`` (the JSON of :class:`rag.answering.Answer`)."""
        if not answer.get("question"):
            raise ValueError("feedback: there is no answer to rate yet")
        row = (
            time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "good" if good else "bad",
            comment.strip()[:MAX_COMMENT_CHARS],
            str(answer["question"]),
            str(answer.get("standalone_question") or ""),
            str(answer.get("status") or ""),
            str(answer.get("mode") or ""),
            str(answer.get("answer") or ""),
            json.dumps([c["id"] for c in answer.get("citations") or []]),
            json.dumps(dict(filters or {}), ensure_ascii=False),
        )
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO feedback (created, rating, comment, question, standalone_question,"
                " status, mode, answer, cited, filters) VALUES (?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            self._db.commit()
        return int(cur.lastrowid or 0)

    def rows(self) -> list[dict[str, Any]]:
        with self._lock:
            cur = self._db.execute("SELECT * FROM feedback ORDER BY id")
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def as_eval_queries(self) -> Iterator[dict[str, Any]]:
        """Rows in the shape of evals/data/queries.jsonl, for a reviewer to adopt."""
        for r in self.rows():
            yield {
                "id": f"fb{r['id']:04d}",
                "question": r["standalone_question"] or r["question"],
                "asked": r["question"],
                "rating": r["rating"],
                "comment": r["comment"],
                "status": r["status"],
                "candidate_relevant": json.loads(r["cited"]) if r["rating"] == "good" else [],
                "answer": r["answer"],
            }

    def close(self) -> None:
        with self._lock:
            self._db.close()
