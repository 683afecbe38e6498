"""Past exchanges: the question-and-answer pairs about a topic, across the whole index.

Staff preparing an answer (答弁) check how the council has asked about a topic before and
how the administration answered. A pair is a member's question and the executive's answer
to it, taken from the chunks' speaker turns:

- a chunk that holds both (a Q&A unit: the member's turn and the answers that follow) gives
  one pair per answering official; the asker is the member the answer replies to (who
  spoke last before it), and an executive commission's officer (選挙管理委員会委員長) never
  asks;
- an answer part linked to its question (``question_id``, as the chunker links a long
  question's parts and 一括質問一括答弁) gives a pair with that question, quoted whole
  over the chunks it spans;
- a question whose answer was never recorded gives a pair whose answer is ``None``;
- a member's statement (an opinion, a 要望) and a committee chair's report give none.

How precise this is on real minutes: docs/exchange-pairing.md.

A pair is about the topic when every content word of the query occurs in it (a pair the
retriever found that names only some of them is another topic). Pairs come newest first,
grouped by meeting; :func:`timeline` counts them per fiscal year (April to March), meeting,
party or member.

>>> fiscal_year("2024-03-31"), fiscal_year("2024-04-01")
(2023, 2024)
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from rag.chunking import Chunk
from rag.filters import Filters
from rag.presenting import side_who
from rag.schema import Person
from rag.speakers import OFFICIAL_MEMBERS
from rag.text import SENTENCE, fold, nfkc

MAX_QUOTES = 2  # sentences quoted per side
CANDIDATES = 400  # passages retrieved before pairs are formed and checked
COUNTED = 5000  # at most this many more chunks holding every topic word, for complete counts
TURNS_CACHED = 20_000  # chunks whose turns are kept read between searches


class Searcher(Protocol):
    """What :func:`find_exchanges` needs of :class:`rag.retrieval.Retriever`."""

    @property
    def chunks(self) -> list[Chunk]: ...

    def search(self, query: str, k: int = 5, mode: str = "hybrid", filters: Any = None) -> Any: ...


@dataclass(frozen=True)
class Side:
    """One side of an exchange: who spoke, in which chunk, and the sentences quoted."""

    chunk_id: str
    speaker: Mapping[str, Any]  # name, role, party, category, label
    quotes: tuple[str, ...]
    text: str  # the side's whole text in the chunk

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.chunk_id,
            "speaker": dict(self.speaker),
            "quotes": list(self.quotes),
            "text": self.text,
        }


@dataclass(frozen=True)
class Exchange:
    question: Side
    answer: Side | None
    meeting: str
    date: str
    doc_id: str
    score: float

    @property
    def key(self) -> tuple[str, str]:
        return (self.question.chunk_id + "|" + self.question.text[:40], self.answer_id)

    @property
    def answer_id(self) -> str:
        return self.answer.chunk_id if self.answer else ""

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question.to_json(),
            "answer": self.answer.to_json() if self.answer else None,
            "meeting": self.meeting,
            "date": self.date,
            "doc_id": self.doc_id,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class ExchangeQuery:
    """Who asked and who answered: the filters the retriever does not know."""

    member: str = ""  # the questioner's name, or part of it
    party: str = ""
    department: str = ""  # the answerer's role, or part of it (「教育長」, 「子ども未来部」)

    def keeps(self, ex: Exchange) -> bool:
        q = ex.question.speaker
        if self.member and self.member not in str(q.get("name") or q.get("label") or ""):
            return False
        if self.party and self.party not in str(q.get("party") or ""):
            return False
        if self.department:
            who = ex.answer.speaker if ex.answer else {}
            if self.department not in str(who.get("role") or who.get("label") or ""):
                return False
        return True


@dataclass
class ExchangeResult:
    query: str
    exchanges: list[Exchange]
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "exchanges": [e.to_json() for e in self.exchanges],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }


# -- pairs from chunks -------------------------------------------------------------------
# Chunks that hold a question or its answer (:mod:`rag.chunking`): a Q&A unit, a question
# part of 一括質問 and an answer part linked to it. A member's turn that no executive answered
# is a ``statement`` (an opinion, a 要望, a party's stance on a petition) and a committee
# chair's report is a ``report``: neither is a question.
EXCHANGE_TYPES = frozenset({"qa", "question", "answer"})


def _segments(chunk: Chunk) -> list[tuple[str, str]]:
    """(speaker label, text) for each speaker turn in the chunk, in order."""
    offsets = list(chunk.metadata.get("turn_offsets") or [])
    out = []
    for i, t in enumerate(offsets):
        end = offsets[i + 1]["offset"] if i + 1 < len(offsets) else len(chunk.text)
        out.append((str(t.get("speaker") or ""), chunk.text[int(t["offset"]) : end].strip()))
    return out


def _people(chunk: Chunk) -> tuple[Person | None, dict[str, Person]]:
    meta = chunk.metadata
    questioner = meta.get("questioner") or None
    answerers = {str(a.get("label")): a for a in meta.get("answerers") or [] if a.get("label")}
    for d in meta.get("speaker_details") or []:  # answering officials the unit did not list
        if d.get("category") == "official" and d.get("label"):
            answerers.setdefault(str(d["label"]), d)
    return questioner, answerers


def _roster(chunk: Chunk) -> dict[str, Person]:
    """Label → person, for every speaker the chunk records."""
    meta = chunk.metadata
    people = [*(meta.get("speaker_details") or []), *(meta.get("answerers") or [])]
    questioner = meta.get("questioner")
    if questioner:
        people.append(questioner)
    return {str(p["label"]): p for p in people if p.get("label")}


def executive_body(person: Mapping[str, Any]) -> bool:
    """An officer of an executive commission (行政委員会: 選挙管理委員会委員長, 監査委員,
    教育委員会委員長 and their 事務局長) answers for the executive and never asks, though
    a role ending in 委員長 reads like a committee chair's."""
    role = str(person.get("role") or person.get("label") or "")
    return any(body in role for body in OFFICIAL_MEMBERS)


def _asks(person: Mapping[str, Any] | None) -> bool:
    return person is not None and person.get("category") == "member" and not executive_body(person)


@dataclass(frozen=True)
class _Turns:
    """A chunk's turns read as an exchange: who asks (the member who spoke last before the
    first answer, whom that answer replies to; a remark of the member before, joined to the
    unit, is not the question), what they asked, and the answers after it by answerer."""

    asker: str
    asked: str
    answers: tuple[tuple[str, str], ...]  # (answerer's label, text), in order of first turn

    @classmethod
    def read(cls, chunk: Chunk) -> _Turns:
        roster = _roster(chunk)
        _, officials = _people(chunk)
        answerers = {*officials, *(who for who, p in roster.items() if executive_body(p))}
        segments = _segments(chunk)
        first = next((i for i, (who, _) in enumerate(segments) if who in answerers), None)
        before = segments if first is None else segments[:first]
        asker = next((who for who, _ in reversed(before) if _asks(roster.get(who))), "")
        asked = "\n".join(t for who, t in before if asker and who == asker)
        by: dict[str, list[str]] = {}
        for who, t in segments if first is None else segments[first:]:
            if who in answerers:
                by.setdefault(who, []).append(t)
        return cls(asker, asked, tuple((who, "\n".join(ts)) for who, ts in by.items()))


@dataclass(frozen=True)
class PairIndex:
    """What pairing needs of the whole index: each chunk by id, and the chunks linked to
    each question chunk (``question_id``)."""

    by_id: Mapping[str, Chunk]
    linked: Mapping[str, list[Chunk]]
    turns: dict[str, _Turns] = field(default_factory=dict)  # read once per chunk

    def turns_of(self, chunk: Chunk) -> _Turns:
        read = self.turns.get(chunk.id)
        if read is None:
            if len(self.turns) >= TURNS_CACHED:
                self.turns.clear()
            read = self.turns[chunk.id] = _Turns.read(chunk)
        return read

    @classmethod
    def build(cls, chunks: Sequence[Chunk]) -> PairIndex:
        linked: dict[str, list[Chunk]] = {}
        for c in chunks:
            qid = c.metadata.get("question_id")
            if qid and qid != c.id:
                linked.setdefault(str(qid), []).append(c)
        return cls({c.id: c for c in chunks}, linked)


def pairs_in(chunk: Chunk, index: PairIndex | None = None) -> list[tuple[Side | None, Side | None]]:
    """The (question, answer) sides a chunk holds, one pair per answering official; the
    question is None when the chunk answers a question it does not hold and ``index`` does
    not have it, the answer None when the chunk holds no answer.

    A question side is the asker's whole speech: in the chunk the answer links to, in the
    chunks linked to the same question before this one (a long question goes on over
    several), and in this chunk before its answer."""
    meta = chunk.metadata
    kind = meta.get("chunk_type")
    if kind is not None and kind not in EXCHANGE_TYPES:
        return []
    turns = index.turns_of(chunk) if index else _Turns.read(chunk)
    roster = _roster(chunk)
    qid = str(meta.get("question_id") or chunk.id)
    source = chunk if qid == chunk.id else index.by_id.get(qid) if index else None
    question: Side | None = None
    if source is not None and source is not chunk and index is not None:
        there = index.turns_of(source)
        if there.asker:
            said = [there.asked]
            between = index.linked.get(qid, [])
            for c in between[: next((i for i, c in enumerate(between) if c is chunk), 0)]:
                more = index.turns_of(c)
                if more.asker == there.asker:
                    said.append(more.asked)
            if turns.asker == there.asker:
                said.append(turns.asked)
            text = "\n".join(x for x in said if x)
            question = Side(qid, _roster(source)[there.asker], (), text)
    elif source is chunk and turns.asker:
        question = Side(qid, roster[turns.asker], (), turns.asked)
    elif meta.get("question") and _asks(meta.get("questioner")):  # the question's chunk unknown
        question = Side(qid, meta["questioner"] or {}, (), str(meta["question"]))
    answers = [Side(chunk.id, roster[who], (), text) for who, text in turns.answers]
    if not question and not answers:
        return []
    return [(question, a) for a in answers] or [(question, None)]


_INDEXES: list[tuple[Sequence[Chunk], int, PairIndex]] = []


def pair_index(chunks: Sequence[Chunk]) -> PairIndex:
    """The :class:`PairIndex` of a chunk list, built once (an index's chunks do not change
    while it is open) and reused by every search."""
    for seen, n, index in _INDEXES:
        if seen is chunks and n == len(chunks):
            return index
    index = PairIndex.build(chunks)
    _INDEXES[:] = [(chunks, len(chunks), index)]
    return index


def exchanges_of(chunk: Chunk, index: PairIndex) -> list[tuple[Side, Side | None]]:
    """The (question, answer) pairs that a hit on ``chunk`` gives, before the topic check:
    the pairs the chunk holds, and for a question whose answer is not in the chunk, the
    answers in the chunks linked to that question (``None`` when none was recorded)."""
    out: list[tuple[Side, Side | None]] = []
    for question, answer in pairs_in(chunk, index):
        if question is None:
            continue
        if answer is not None:
            out.append((question, answer))
            continue
        linked = [
            (q, a)
            for c in index.linked.get(question.chunk_id, [])
            if c.id != chunk.id
            for q, a in pairs_in(c, index)
            if a and q and q.speaker.get("label") == question.speaker.get("label")
        ]  # each with the question as its own chunk reads it, so that every hit agrees
        out += linked or [(question, None)]
    return out


# -- topic -----------------------------------------------------------------------------
# NFKC and lower case; cached, as a long question is checked with each of its answers
_norm = lru_cache(maxsize=8192)(fold)


# Nouns that say nothing about a topic on their own, and words of the request itself.
FORMAL_NOUNS = frozenset(
    [
        "こと",
        "もの",
        "ため",
        "ところ",
        "よう",
        "方",
        "点",
        "中",
        "等",
        "など",
        "件",
        "場合",
        "今後",
        "現在",
        "これ",
        "それ",
        "内容",
        "状況",
        "質問",
        "答弁",
        "やりとり",
        "過去",
        "議会",
        "経緯",
        "考え",
        "見解",
        "取組",
        "取り組み",
        "について",
    ]
)


def topic_terms(query: str) -> list[str]:
    """The content words of ``query`` as the compounds it writes them in (runs of nouns
    and their suffixes; formal nouns dropped): 「待機児童の解消について」 → 待機児童, 解消;
    「消防職員の初任給」 → 消防職員, 初任給. A compound must occur whole in an exchange, so
    「消防職員」 does not match a passage that says 消防 and 職員 apart."""
    from rag.tokenizing import mecab_words

    terms: list[str] = []
    run = ""
    for w in mecab_words(nfkc(query)):
        pos = w.feature.pos1
        if (
            pos == "名詞"
            and w.surface not in FORMAL_NOUNS
            or pos in ("接尾辞", "接頭辞")
            and (run or pos == "接頭辞")
        ):
            run += w.surface
        else:
            terms.append(run)
            run = ""
    terms.append(run)
    kept = [t for t in dict.fromkeys(terms) if len(t) > 1]
    return kept or [t for t in query.split() if t]


def mentions_all(text: str | Sequence[str], terms: Iterable[str]) -> bool:
    """Does ``text`` (or one of ``text``'s parts, each folded apart) name every term?"""
    folded = [_norm(text)] if isinstance(text, str) else [_norm(t) for t in text]
    return all(any(_norm(t) in f for f in folded) for t in terms)


def quotes(text: str, terms: Sequence[str], n: int = MAX_QUOTES) -> tuple[str, ...]:
    """Up to ``n`` sentences of ``text`` naming the most terms, in document order; the
    first sentence when none names any."""
    sents = [m.group().strip() for m in SENTENCE.finditer(text) if m.group().strip()]
    folded = [_norm(t) for t in terms]
    scored = [(sum(t in f for t in folded), i) for i, f in enumerate(map(_norm, sents))]
    best = sorted((i for c, i in scored if c > 0), key=lambda i: (-scored[i][0], i))[:n]
    if not best:
        return tuple(sents[:1])
    return tuple(sents[i] for i in sorted(best))


# -- the search --------------------------------------------------------------------------
def find_exchanges(
    searcher: Searcher,
    query: str,
    filters: Filters | Mapping[str, str] | None = None,
    who: ExchangeQuery | None = None,
    terms: Sequence[str] | None = None,
    limit: int | None = 200,
    mode: str = "hybrid",
) -> ExchangeResult:
    """The exchanges about ``query``, newest first and grouped by meeting (the first
    ``limit``; all with None).

    The candidates are the best :data:`CANDIDATES` passages of the search, and, where the
    searcher can list them (:meth:`rag.retrieval.Retriever.containing`), every other Q&A
    chunk whose tokens hold all the topic words (up to :data:`COUNTED`), so that a timeline
    counts the topic across the whole index, not only its best hits."""
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    words = list(terms) if terms is not None else topic_terms(query)
    result = searcher.search(query, k=CANDIDATES, mode=mode, filters=filters)
    candidates = [(h.chunk, float(h.score)) for h in result.hits]
    containing = getattr(searcher, "containing", None)
    if containing is not None and words:
        seen = {c.id for c, _ in candidates}
        more = [
            c
            for c in containing(words, filters)
            if c.id not in seen and c.metadata.get("chunk_type") in EXCHANGE_TYPES
        ]
        more.sort(key=lambda c: str(c.metadata.get("date") or ""))
        candidates += [(c, 0.0) for c in more[-COUNTED:]]  # the newest, where too many
    timings["search"] = (time.perf_counter() - t0) * 1000
    t1 = time.perf_counter()
    index = pair_index(searcher.chunks)
    found: dict[tuple[str, str], Exchange] = {}
    for chunk, score in candidates:
        meta = chunk.metadata
        for question, ans in exchanges_of(chunk, index):
            if not mentions_all((question.text, ans.text if ans else ""), words):
                continue
            ex = Exchange(
                question=_quoted(question, words),
                answer=_quoted(ans, words) if ans else None,
                meeting=str(meta.get("meeting") or meta.get("title") or ""),
                date=str(meta.get("date") or ""),
                doc_id=str(meta.get("doc_id") or ""),
                score=score,
            )
            if (who or ExchangeQuery()).keeps(ex) and ex.key not in found:
                found[ex.key] = ex
    exchanges = sorted(found.values(), key=lambda e: (e.date, e.meeting, e.score), reverse=True)
    timings["pair"] = (time.perf_counter() - t1) * 1000
    timings["total"] = (time.perf_counter() - t0) * 1000
    return ExchangeResult(query, exchanges if limit is None else exchanges[:limit], timings)


def _quoted(side: Side, terms: Sequence[str]) -> Side:
    return Side(side.chunk_id, side.speaker, quotes(side.text, terms), side.text)


# -- counting ----------------------------------------------------------------------------
def fiscal_year(date: str) -> int | None:
    """The 年度 a date falls in: April to March, named by the year it starts."""
    m = re.match(r"(\d{4})-(\d{2})", date or "")
    if not m:
        return None
    year, month = int(m[1]), int(m[2])
    return year if month >= 4 else year - 1


def bucket(ex: Exchange, by: str) -> str:
    """The timeline bucket an exchange falls in: its 年度, meeting, party or member."""
    q = ex.question.speaker
    if by == "year":
        fy = fiscal_year(ex.date)
        return f"{fy}年度" if fy else "不明"
    if by == "meeting":
        return ex.meeting or "不明"
    if by == "party":
        return str(q.get("party") or "不明")
    if by == "member":
        return str(q.get("name") or q.get("label") or "不明")
    raise ValueError(f"by: {by!r} is not year, meeting, party or member")


def timeline(
    exchanges: Sequence[Exchange], by: str = "year", split: str | None = None
) -> list[tuple[str, Counter[str]]]:
    """Counts of exchanges per ``by`` bucket (in time order for year and meeting), each split
    by ``split`` (party or member) when given."""
    counts: dict[str, Counter[str]] = {}
    first_date: dict[str, str] = {}
    for ex in exchanges:
        key = bucket(ex, by)
        counts.setdefault(key, Counter())[bucket(ex, split) if split else "all"] += 1
        first_date[key] = min(first_date.get(key, ex.date or "9999"), ex.date or "9999")
    order = sorted(counts, key=lambda k: (first_date[k], k) if by in ("year", "meeting") else k)
    if by not in ("year", "meeting"):
        order = sorted(counts, key=lambda k: -sum(counts[k].values()))
    return [(k, counts[k]) for k in order]


# -- export ------------------------------------------------------------------------------
def to_rows(exchanges: Sequence[Exchange]) -> list[dict[str, str]]:
    """One flat row per exchange, for CSV, Markdown and DOCX."""
    return [
        {
            "date": e.date,
            "meeting": e.meeting,
            "questioner": side_who(e.question.speaker),
            "question": " ".join(e.question.quotes),
            "question_id": e.question.chunk_id,
            "answerer": side_who(e.answer.speaker) if e.answer else "",
            "answer": " ".join(e.answer.quotes) if e.answer else "（答弁の記録なし）",
            "answer_id": e.answer_id,
        }
        for e in exchanges
    ]


ROW_FIELDS = (
    "date",
    "meeting",
    "questioner",
    "question",
    "question_id",
    "answerer",
    "answer",
    "answer_id",
)


def to_csv(exchanges: Sequence[Exchange]) -> str:
    """One row per exchange. A cell that a spreadsheet would read as a formula (it starts
    with =, +, -, @ or a tab) is written with a leading apostrophe, so a document's text
    never runs in Excel."""
    rows = [{k: _inert(v) for k, v in r.items()} for r in to_rows(exchanges)]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=ROW_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _inert(cell: str) -> str:
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _md_cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def to_markdown(result: ExchangeResult) -> str:
    lines = [f"# 過去のやりとり: {result.query}", ""]
    meeting = None
    for r in to_rows(result.exchanges):
        if r["meeting"] != meeting:
            meeting = r["meeting"]
            lines += [f"## {meeting}（{r['date']}）", ""]
        lines.append(f"- **問** {r['questioner']}: {_md_cell(r['question'])} [{r['question_id']}]")
        answer = f"[{r['answer_id']}]" if r["answer_id"] else ""
        lines.append(f"  - **答** {r['answerer']}: {_md_cell(r['answer'])} {answer}".rstrip())
    return "\n".join(lines) + "\n"


def to_docx(result: ExchangeResult) -> bytes:
    """A DOCX with one table row per exchange and its citations, for a briefing."""
    from docx import Document

    doc = Document()
    doc.add_heading(f"過去のやりとり: {result.query}", level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, title in zip(
        table.rows[0].cells, ("日付", "会議", "質問", "答弁", "出典"), strict=True
    ):
        cell.text = title
    for r in to_rows(result.exchanges):
        cells = table.add_row().cells
        cells[0].text = r["date"]
        cells[1].text = r["meeting"]
        cells[2].text = f"{r['questioner']}: {r['question']}"
        cells[3].text = f"{r['answerer']}: {r['answer']}" if r["answerer"] else r["answer"]
        cells[4].text = " / ".join(x for x in (r["question_id"], r["answer_id"]) if x)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# -- consistency with past answers --------------------------------------------------------
# A stance an answer takes, by the phrase that states it. Ordered: the first that matches.
STANCES = (
    (
        "しない",
        re.compile(r"考えておりません|考えていません|予定はございません|予定はありません|困難"),
    ),
    ("検討する", re.compile(r"検討(?:し|を|して|いたし|してまい)")),
    (
        "実施する",
        re.compile(r"実施(?:し|いたし|してまい)|進めてまい|取り組んでまい|開始(?:し|いたし)"),
    ),
)
UNITS = "人|名|件|億円|万円|千円|円|%|％|か所|カ所|箇所|校|園|施設|台|戸|世帯|か月|回|倍"
# The item a sentence is about (「待機児童数は」) and the amounts it states; dates are no amounts.
_TOPIC = re.compile(r"(?P<item>[一-龥々ァ-ヴー]{2,12})(?:は|が)")
_AMOUNT = re.compile(
    r"(?<![0-9令和平成昭和])(?P<value>[0-9][0-9,.]*(?:億[0-9,]*)?(?:万[0-9,]*)?(?:千)?)"
    rf"(?P<unit>{UNITS})"
)


@dataclass(frozen=True)
class Difference:
    """A past answer that states another number for the same item, or another stance."""

    kind: str  # "number" | "stance"
    item: str
    draft: str  # what the draft says
    past: str  # what the past answer says
    exchange: Exchange
    sentence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "item": self.item,
            "draft": self.draft,
            "past": self.past,
            "sentence": self.sentence,
            "answer_id": self.exchange.answer_id,
            "meeting": self.exchange.meeting,
            "date": self.exchange.date,
        }


def amounts(text: str) -> dict[str, str]:
    """Item → amount (digits folded, commas dropped) for each sentence of ``text`` that
    states one: the item is what the sentence is about (the noun before は or が nearest
    before the amount), so 「待機児童数は令和5年4月1日時点で12人」 → 待機児童数: 12人."""
    out: dict[str, str] = {}
    for m in SENTENCE.finditer(nfkc(text)):
        sent = m.group()
        topics = list(_TOPIC.finditer(sent))
        for a in _AMOUNT.finditer(sent):
            before = [t for t in topics if t.end() <= a.start()]
            if before:
                out.setdefault(before[-1]["item"], a["value"].replace(",", "") + a["unit"])
    return out


def stance(sentence: str) -> str | None:
    return next((name for name, cue in STANCES if cue.search(sentence)), None)


def check_draft(
    searcher: Searcher,
    draft: str,
    terms: Sequence[str],
    filters: Filters | Mapping[str, str] | None = None,
) -> list[Difference]:
    """Past answers on the draft's topic that state a different number for an item the
    draft states, or a different stance (検討します / 考えておりません / 実施します) in a
    sentence that shares the draft sentence's topic words."""
    found = find_exchanges(searcher, draft[:500], filters, terms=terms[:3])
    draft_amounts = amounts(draft)
    draft_sents = [m.group().strip() for m in SENTENCE.finditer(draft) if m.group().strip()]
    draft_stances = [(s, stance(s)) for s in draft_sents if stance(s)]
    out: list[Difference] = []
    for ex in found.exchanges:
        if ex.answer is None:
            continue
        for m in SENTENCE.finditer(ex.answer.text):
            sent = m.group().strip()
            for item, value in amounts(sent).items():
                if item in draft_amounts and draft_amounts[item] != value:
                    out.append(Difference("number", item, draft_amounts[item], value, ex, sent))
            past = stance(sent)
            for mine, pos in draft_stances:
                shared = [t for t in terms if t in sent and t in mine]
                if past and pos and past != pos and shared:
                    out.append(Difference("stance", "・".join(shared), pos, past, ex, sent))
    return out
