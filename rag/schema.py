"""The keys of a chunk's metadata, typed, so that mypy catches a misspelt or dropped key.

``Chunk.metadata`` (:mod:`rag.chunking`) is still ``dict[str, Any]``; once it is declared
as :class:`ChunkMetadata`, every ``meta["..."]`` and ``meta.get("...")`` in ``rag/`` is
checked against this list. A stage that adds a key adds it here.

>>> meta: ChunkMetadata = {"doc_id": "sumida-dx-r05", "city": "盛岡市", "roles": ["member"]}
"""

from __future__ import annotations

from typing import Any, TypedDict


class Person(TypedDict, total=False):
    """A speaker as the chunker records them (:mod:`rag.speakers`)."""

    name: str | None
    role: str | None
    category: str  # member | official | chair | other
    label: str  # the speaker line as printed, which identifies the turn's speaker
    role_class: str  # member | executive | chair | clerk | other
    seat: str  # the member's seat number, where the label gives it
    party: str  # where the roster gives it


class DecisionRecord(TypedDict, total=False):
    """An item decided in the passage (:class:`rag.decisions.Decision` as JSON)."""

    item: str  # 議案第146号
    kind: str  # 議案 | 請願 | 陳情 | ...
    number: int
    title: str | None
    result: str  # 可決 | 否決 | 承認 | 同意 | 認定 | 採択 | 不採択 | 継続審査
    method: str | None  # 異議なし | 起立 | 電子表決 | 記名 | 挙手
    tally: str | None
    date: str | None
    sentence: str  # the sentence that pronounces it


class TurnOffset(TypedDict):
    offset: int  # where the turn starts in the chunk text
    n: int  # the turn's number in the document
    speaker: str  # Person.label


class ChunkMetadata(TypedDict, total=False):
    # the document (rag.chunking._read_doc_meta)
    doc_id: str
    title: str
    council: str | None
    municipality: str | None  # the council's: 品川区 (rag.municipalities)
    committee: str | None
    kind: str  # report | minutes
    date: str | None  # ISO YYYY-MM-DD
    source: str
    file: str
    encoding: str
    header: dict[str, Any]  # a report's header block
    # the passage
    chunk_type: str  # qa | question | answer | report | ...
    section: str | None  # a report's city, a minutes' agenda item
    city: str | None
    meeting: str | None
    question: str | None
    questioner: Person | None
    answerers: list[Person]
    speakers: list[str]
    roles: list[str]  # Person.category of every speaker
    turns: list[int]
    turn_offsets: list[TurnOffset]
    stage_directions: list[str]
    speaker_details: list[Person]
    agenda: str | None  # the agenda item (日程第N, 議案第N号) the passage falls under
    # decisions pronounced in the passage; a committee chair's report carries its committee's
    decisions: list[DecisionRecord]
    committee_decisions: list[DecisionRecord]
    # question and answer links: an answer names its question, a question its answers
    question_id: str | None
    answer_ids: list[str]
    label_spans: list[list[int]]  # speaker labels and structural lines in the source
    # where it is in the source
    char_span: list[int] | None
    spans: list[list[int]]
    pages: list[int]
    page: int | None
    page_starts: list[list[int]]  # [[offset in the chunk text, page], ...]
