"""Chunking: parsed turns to Q&A-unit chunks that know exactly where they came from.

One chunk per Q&A unit: a member's question turn with the official answers that follow.
An answer turn that replies to several pre-submitted questions (「次に、…というご質問です。」,
「質問事項の N 番」) is split into one chunk per question. Procedural turns (greetings, the
chair calling the next speaker) are not chunks of their own. Header facts, city overviews
and inspection items become chunks too. Over-long units are split at sentence ends (。),
each part keeping the question as context.

>>> chunks = chunk_document(parse_document(load_text_file(Path("corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt"))))
>>> chunks[0].id
'sumida-dx-r05#000'
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.parsing import Para, ParsedDoc, Turn, minutes_facts, page_starts, parse_document

# Bump when chunk boundaries, ids or texts change: the index refuses chunks of another version.
CHUNKER_VERSION = "3"  # 3: page_starts, so a quote can name its own page
MAX_CHARS = 800
QUESTION_CHARS = 160
# A chair or clerk turn this long says something of substance (副委員長's opinion, say).
SUBSTANTIVE_PROCEDURAL = 150

_QUESTION_BLOCK = re.compile(
    r"^(?:(?:まず|次に|続いて|最後に)[、，,]|最後の質問|質問事項の\s*[0-9０-９]+\s*番)"
)
_ASKED = re.compile(r"[ご御]質問|質問事項|最後の質問|お尋ね")
_NEW_ITEM = re.compile(r"日程第|議題|以上で|終わります|終了")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: stable id, display text (the original), text to embed, and
    metadata saying where it came from."""

    id: str
    text: str
    embed_text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "embed_text": self.embed_text,
            "metadata": self.metadata,
        }


@dataclass
class _Unit:
    """Turns (or a block) that become one chunk, before long ones are split."""

    kind: str
    turns: list[Turn]
    paras: list[tuple[Para, Turn | None]]
    question: str = ""


def _first_sentences(text: str, limit: int = QUESTION_CHARS) -> str:
    text = text.replace("\n", "")
    out = ""
    for sent in _SENTENCE_END.split(text):
        if out and len(out) + len(sent) > limit:
            break
        out += sent
    return out[:limit]


def _substantive(turn: Turn) -> bool:
    cat = turn.speaker.category
    if cat in ("member", "official"):
        return bool(turn.paras)
    return len(turn.text) >= SUBSTANTIVE_PROCEDURAL


def _split_question_blocks(turn: Turn) -> list[list[Para]]:
    """Split an answer to several pre-submitted questions at 「次に、」「質問事項の N 番」."""
    starts = [i for i, p in enumerate(turn.paras) if _QUESTION_BLOCK.match(p.text)]
    asked = [i for i in starts if _ASKED.search(turn.paras[i].text)]
    if len(asked) < 2:  # a speech that says 「次に、」 is not an answer to questions
        return [list(turn.paras)]
    starts[0] = 0  # a preamble (「事前にいただいたご質問について…」) joins the first block
    bounds = [*starts, len(turn.paras)]
    return [list(turn.paras[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def group_turns(turns: Sequence[Turn]) -> list[_Unit]:
    """Group turns into Q&A units (see module docstring)."""
    units: list[_Unit] = []
    current: _Unit | None = None
    prev_section: object = object()
    for turn in turns:
        if turn.section != prev_section:
            current = None
            prev_section = turn.section
        cat = turn.speaker.category
        if not _substantive(turn):
            if cat == "chair" and _NEW_ITEM.search(turn.text):
                current = None  # the chair moves to the next item: nothing answers across it
            continue  # procedural: greetings, calling the next speaker, votes
        if cat == "member":
            answered = current is not None and any(
                t.speaker.category == "official" for t in current.turns
            )
            same_asker = (
                current is not None and current.turns[-1].speaker.label == turn.speaker.label
            )
            if current is None or current.kind != "qa" or answered or not same_asker:
                current = _Unit("qa", [], [], question=_first_sentences(turn.text))
                units.append(current)
            current.turns.append(turn)
            current.paras.extend((p, turn) for p in turn.paras)
        elif cat == "official" and current is not None and current.kind == "qa":
            current.turns.append(turn)
            current.paras.extend((p, turn) for p in turn.paras)
        elif cat == "official":
            # an answer with no question turn before it: pre-submitted questions or a speech
            blocks = _split_question_blocks(turn)
            for block in blocks:
                asked = [p for p in block if _QUESTION_BLOCK.match(p.text)]
                q = _first_sentences(asked[0].text) if asked and len(blocks) > 1 else ""
                kind = "answer" if len(blocks) > 1 else "statement"
                units.append(_Unit(kind, [turn], [(p, turn) for p in block], question=q))
            current = None
        else:
            units.append(_Unit("statement", [turn], [(p, turn) for p in turn.paras]))
            current = None
    # a member turn left without an answer is a statement (opinion, committee report)
    for u in units:
        if u.kind == "qa" and all(t.speaker.category == "member" for t in u.turns):
            u.kind = (
                "report"
                if any("委員長" in (t.speaker.role or "") for t in u.turns)
                else ("statement")
            )
    return units


def _cut_para(para: Para, limit: int) -> list[Para]:
    """Split a paragraph longer than ``limit`` at sentence ends, mapping spans exactly."""
    if len(para.text) <= limit:
        return [para]
    sentences = [p for s in _SENTENCE_END.split(para.text) if s for p in _hard_cut(s, limit)]
    pieces: list[str] = []
    for s in sentences:
        if pieces and len(pieces[-1]) + len(s) <= limit:
            pieces[-1] += s
        else:
            pieces.append(s)
    out = []
    pos = 0
    for piece in pieces:
        out.append(Para(piece, _sub_spans(para, pos, pos + len(piece)), para.pages))
        pos += len(piece)
    return out


def _hard_cut(sentence: str, limit: int) -> list[str]:
    """A "sentence" longer than ``limit`` (no 。 in sight) cut after a 、 or a space near
    the limit, else at the limit."""
    out = []
    while len(sentence) > limit:
        window = sentence[:limit]
        at = max(window.rfind(c, int(limit * 0.6)) for c in "、，, \u3000")
        cut = at + 1 if at >= 0 else limit
        out.append(sentence[:cut])
        sentence = sentence[cut:]
    return [*out, sentence] if sentence else out


def _sub_spans(para: Para, a: int, b: int) -> tuple[tuple[int, int], ...]:
    """Source spans of ``para.text[a:b]`` (the text is the concatenation of its spans)."""
    out = []
    pos = 0
    for s, e in para.spans:
        n = e - s
        lo, hi = max(a, pos), min(b, pos + n)
        if lo < hi:
            out.append((s + lo - pos, s + hi - pos))
        pos += n
    return tuple(out)


def _parts(
    paras: list[tuple[Para, Turn | None]], limit: int
) -> list[list[tuple[Para, Turn | None]]]:
    flat = [(piece, t) for p, t in paras for piece in _cut_para(p, limit)]
    parts: list[list[tuple[Para, Turn | None]]] = [[]]
    size = 0
    for p, t in flat:
        if parts[-1] and size + len(p.text) > limit:
            parts.append([])
            size = 0
        parts[-1].append((p, t))
        size += len(p.text) + 1
    return [p for p in parts if p]


def _speaker_json(turn: Turn) -> dict[str, Any]:
    sp = turn.speaker
    return {"name": sp.name, "role": sp.role, "category": sp.category, "label": sp.label}


def _read_doc_meta(parsed: ParsedDoc) -> dict[str, Any]:
    m = parsed.doc.meta
    kind = m.get("kind") or ("report" if parsed.header else "minutes")
    read = minutes_facts(parsed.doc.text, parsed.doc.path) if kind == "minutes" else {}
    return {
        "doc_id": parsed.doc.doc_id,
        "title": m.get("title")
        or parsed.header.get("title")
        or read.get("title")
        or parsed.doc.doc_id,
        "council": m.get("council") or read.get("council"),
        "council_city": m.get("city") or read.get("city"),
        "committee": m.get("committee") or parsed.header.get("committee"),
        "kind": kind,
        "date": str(m.get("date") or parsed.header.get("report_date") or read.get("date") or "")
        or None,
        "source": m.get("source") or parsed.doc.path,
        "file": Path(parsed.doc.path).name,
        "encoding": parsed.doc.encoding,
    }


@dataclass(frozen=True)
class _DocFacts:
    """What every chunk of one document shares, read once per document."""

    meta: dict[str, Any]
    page_offsets: list[int]  # source offsets where pages start (empty: no pages)
    page_numbers: list[int]

    @classmethod
    def read(cls, parsed: ParsedDoc) -> _DocFacts:
        starts = page_starts(parsed.doc.text)
        return cls(_read_doc_meta(parsed), [o for o, _ in starts], [p for _, p in starts])

    def page_at(self, source_offset: int) -> int:
        if not self.page_offsets:
            return 1
        return self.page_numbers[max(0, bisect.bisect_right(self.page_offsets, source_offset) - 1)]


def _page_starts_in_chunk(
    facts: _DocFacts, part: Sequence[tuple[Para, Turn | None]]
) -> list[list[int]]:
    """[[offset in the chunk text, page], ...]: where each page's text starts in the chunk."""
    out: list[list[int]] = []
    offset = 0
    for para, _ in part:
        pos = offset
        for a, b in para.spans:
            page = facts.page_at(a)
            if not out or out[-1][1] != page:
                out.append([pos, page])
            pos += b - a
        offset += len(para.text) + 1
    return out


def page_of(meta: Mapping[str, Any], text: str, quote: str) -> int | None:
    """The page on which ``quote`` (a part of the chunk ``text``) starts, where known."""
    starts = meta.get("page_starts") or []
    if not starts:
        return meta.get("page")
    at = text.find(quote) if quote else -1
    if at < 0:
        return meta.get("page")
    page = starts[0][1]
    for offset, number in starts:
        if offset <= at:
            page = number
    return int(page)


def _make_chunk(
    parsed: ParsedDoc,
    facts: _DocFacts,
    pos: int,
    kind: str,
    section: str | None,
    part: list[tuple[Para, Turn | None]],
    turns: Sequence[Turn],
    question: str,
    extra: dict[str, Any],
) -> Chunk:
    base = dict(facts.meta)
    council_city = base.pop("council_city")
    report = base["kind"] == "report"
    text_parts: list[str] = []
    turn_offsets: list[dict[str, Any]] = []
    offset = 0
    last_turn: Turn | None = None
    for p, t in part:
        if t is not None and t is not last_turn:
            turn_offsets.append({"offset": offset, "n": t.n, "speaker": t.speaker.label})
            last_turn = t
        text_parts.append(p.text)
        offset += len(p.text) + 1
    text = "\n".join(text_parts)
    spans = [list(s) for p, _ in part for s in p.spans]
    part_turns = [t for t in turns if any(t is pt for _, pt in part)]
    questioners = [_speaker_json(t) for t in turns if t.speaker.category == "member"]
    answerers = []
    for t in turns:
        sj = _speaker_json(t)
        if t.speaker.category == "official" and sj not in answerers:
            answerers.append(sj)
    pages = sorted({n for p, _ in part for n in p.pages})
    starts = _page_starts_in_chunk(facts, part) if pages else []
    meta = {
        **base,
        "chunk_type": kind,
        "section": section,
        "city": section if report else council_city,
        "meeting": None if report else (base["title"] if section is None else section),
        "question": question or None,
        "questioner": questioners[0] if questioners else None,
        "answerers": answerers,
        "speakers": [t.speaker.name or t.speaker.role for t in part_turns],
        "roles": sorted({t.speaker.category for t in part_turns}),
        "turns": [t.n for t in part_turns],
        "turn_offsets": turn_offsets,
        "char_span": [spans[0][0], spans[-1][1]] if spans else None,
        "spans": spans,
        "pages": pages,
        "page": pages[0] if pages else None,
        "page_starts": starts,
        "stage_directions": [s for t in part_turns for s in t.stage],
        **extra,
    }
    context = " / ".join(x for x in (section or base["title"], base["committee"] or "") if x)
    embed = context
    if question and not text.startswith(question[:20]):
        embed += f"\n質問: {question}"
    embed += "\n" + text
    return Chunk(id=f"{parsed.doc.doc_id}#{pos:03d}", text=text, embed_text=embed, metadata=meta)


def chunk_document(parsed: ParsedDoc, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """All chunks of one parsed document, in document order."""
    chunks: list[Chunk] = []
    facts = _DocFacts.read(parsed)

    def add(
        kind: str,
        section: str | None,
        paras: list[tuple[Para, Turn | None]],
        turns: Sequence[Turn],
        question: str = "",
        extra: dict[str, Any] | None = None,
    ) -> None:  # noqa: E501
        for part in _parts(paras, max_chars):
            chunks.append(
                _make_chunk(
                    parsed, facts, len(chunks), kind, section, part, turns, question, extra or {}
                )
            )

    for block in parsed.blocks:
        extra: dict[str, Any] = {}
        if block.kind == "header" and parsed.header:
            extra["header"] = parsed.header
        add(block.kind, block.section, [(p, None) for p in block.paras], [], block.title, extra)
    _add_units(parsed, add)
    return _in_source_order(chunks, parsed)


def _add_units(parsed: ParsedDoc, add: Any) -> None:
    for unit in group_turns(parsed.turns):
        section = unit.turns[0].section if unit.turns else None
        extra = {"part": unit.turns[0].part} if unit.turns and unit.turns[0].part else {}
        add(unit.kind, section, unit.paras, unit.turns, unit.question, extra)


def _in_source_order(chunks: list[Chunk], parsed: ParsedDoc) -> list[Chunk]:
    """Order chunks as their text appears in the source and number them in that order."""
    ordered = sorted(chunks, key=lambda c: (c.metadata["char_span"] or [0])[0])
    return [
        Chunk(f"{parsed.doc.doc_id}#{i:03d}", c.text, c.embed_text, c.metadata)
        for i, c in enumerate(ordered)
    ]


def chunk_source(doc: Any) -> list[Chunk]:
    """Parse and chunk one :class:`rag.loading.SourceDoc`."""
    return chunk_document(parse_document(doc))
