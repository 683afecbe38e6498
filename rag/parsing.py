"""Parsing: decoded text to speaker turns and report sections, with exact source offsets.

The original characters are kept for display; every paragraph records the ``(start, end)``
spans of the source text it was built from, so a citation can point at the exact passage.
Extraction artefacts are repaired on the way:

- sentences broken by a page break (「ア」/「ンケート」) are rejoined;
- page markers (``<PAGE="2">``, form feeds) and rule lines are dropped, the page kept;
- stage directions (〔登壇〕, （「異議なし」の声あり）, ～ あいさつ ～) are noted on the turn; a
  line that is only a direction is kept as a paragraph of kind ``stage``, so that nothing
  of the document is lost (an objection, a vote, what a narrated turn covered).

>>> from pathlib import Path
>>> from rag.loading import load_text_file
>>> parsed = parse_document(load_text_file(Path("corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt")))
>>> parsed.turns[0].speaker.role
'盛岡市議会次長兼議事総務課長'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rag.loading import SourceDoc
from rag.speakers import (
    MARKERS,
    PROSE,
    Speaker,
    infer_speaker_markers,
    looks_like_speaker,
    parse_label,
    split_speaker_line,
)
from rag.text import nfkc, squash, strip_space

Span = tuple[int, int]

_PAGE = re.compile(r'^\s*<\s*PAGE\s*=\s*"?(\d+)"?\s*/?>\s*$', re.IGNORECASE)
_RULE = re.compile(r"^[\s\u3000]*[─━－\-=＝_＿—―‐･・]{5,}[\s\u3000]*$")
# A sentence cut by a page break leaves a full-width line behind; short lines are headings.
MIN_BROKEN_LINE = 20
_TERMINAL = tuple("。．.！？!?」』）)〕］]：:…")
_STAGE_WORDS = (
    r"登壇|降壇|声あり|呼ぶ者|者あり|拍手|朗読|退席|退場|入場|着席|起立|挙手|休憩|再開|"
    r"開会|閉会|散会|開議|延会|あいさつ|挨拶|説明|速記"
)
_STAGE_LINE = re.compile(
    r"^(?:[～〜~].*[～〜~]|[〔［\[].*[〕］\]]|[（(][^（）()]*(?:"
    + _STAGE_WORDS
    + r")[^（）()]*[）)]"
    r"|[○◯〇]?\s*(?:午前|午後)\s*[0-9０-９]+\s*時[\s0-9０-９分]*(?:開会|閉会|散会|休憩|再開|開議|延会))$"
)
_STAGE_INLINE = re.compile(
    r"[（(〔][^（）()〔〕\n]{0,60}?(?:" + _STAGE_WORDS + r")[^（）()〔〕\n]{0,12}?[）)〕]"
)


def is_stage_direction(text: str) -> bool:
    """Whether a line is a stage direction alone (「～ 委員長終了あいさつ ～」, 〔登壇〕,
    （「異議なし」と呼ぶ者あり）, 「午後１時32分散会」): it records what happened, not what
    was said, so an answer never quotes it.

    >>> is_stage_direction("～ 委員長終了あいさつ ～"), is_stage_direction("（拍手）")
    (True, True)
    >>> is_stage_direction("（仮称）区民会館の整備は進んでいる。")
    False
    """
    return bool(_STAGE_LINE.match(text.strip(" \u3000")))


_CITY = re.compile(r"^調査概要\s*【(?P<city>[^】]+)】")
_REPORT_PART = re.compile(
    r"^(?P<num>[0-9０-９]+)\s+(?P<part>市の概要|町の概要|村の概要|区の概要|県の概要|調査事項|質疑等|質疑応答)"
    r"\s*(?:[（(](?P<time>[^）)]*)[）)])?"
)
_HEADER_ITEM = re.compile(
    r"^(?P<num>[0-9０-９]+)\s+(?P<item>調査期間|調査場所|調査事項|出席委員氏名|出席委員|随行事務局職員|随行職員|調査概要)\s*$"
)


@dataclass(frozen=True)
class Para:
    """A paragraph of display text and the source spans it was built from."""

    text: str
    spans: tuple[Span, ...]
    pages: tuple[int, ...] = ()
    kind: str = "speech"  # "speech", "stage" (a line of stage direction) or "heading"


@dataclass(frozen=True)
class Turn:
    """One speaker turn: who spoke, what they said, and what was set aside."""

    n: int
    speaker: Speaker
    paras: tuple[Para, ...]
    stage: tuple[str, ...] = ()
    section: str | None = None
    part: str | None = None  # e.g. the time range of the 質疑等

    @property
    def text(self) -> str:
        """What was said: speech paragraphs only (stage-direction lines left out)."""
        return "\n".join(p.text for p in self.paras if p.kind == "speech")

    @property
    def spans(self) -> tuple[Span, ...]:
        return tuple(s for p in self.paras for s in p.spans)

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({n for p in self.paras for n in p.pages}))


@dataclass(frozen=True)
class Block:
    """A non-speech part of a document: header, city overview, inspection items…"""

    kind: str
    section: str | None
    paras: tuple[Para, ...]
    title: str = ""


@dataclass
class ParsedDoc:
    doc: SourceDoc
    turns: list[Turn] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    speaker_markers: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    # text read as structure, not shown in any paragraph: speaker labels, section titles
    structure_spans: list[Span] = field(default_factory=list)

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.doc.meta)


# --- lines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str  # stripped of surrounding spaces
    start: int  # offset of text in the source
    page: int | None
    indented: bool
    gap_before: bool  # a blank line, page marker or rule line came before it
    page_break_before: bool


def page_starts(text: str) -> list[tuple[int, int]]:
    """(source offset, page) where each page starts, read as :func:`scan_lines` reads pages;
    empty for a text without page breaks."""
    if "<PAGE" not in text.upper() and "\f" not in text:
        return []
    out = [(0, 1)]
    offset = 0
    for raw in text.splitlines(keepends=True):
        if "\f" in raw:
            out.append((offset, out[-1][1] + raw.count("\f")))
        m = _PAGE.match(raw.rstrip("\r\n"))
        if m:
            out.append((offset, int(m.group(1))))
        offset += len(raw)
    return out


def scan_lines(text: str, base: int = 0) -> list[Line]:
    """Split ``text`` into non-blank lines with offsets; drop page markers and rules."""
    out: list[Line] = []
    page: int | None = 1 if ("<PAGE" in text.upper() or "\f" in text) else None
    offset = base
    gap = page_break = False
    for raw in text.splitlines(keepends=True):
        line_start = offset
        offset += len(raw)
        body = raw.rstrip("\r\n")
        if "\f" in body:
            page = (page or 1) + body.count("\f")
            page_break = gap = True
            body = body.replace("\f", " ")
        m = _PAGE.match(body)
        if m:
            page = int(m.group(1))
            page_break = gap = True
            continue
        stripped = body.strip(" \t\u3000")
        if not stripped or _RULE.match(body):
            gap = True
            continue
        lead = len(body) - len(body.lstrip(" \t\u3000"))
        out.append(
            Line(stripped, line_start + lead, page, lead > 0, gap, page_break),
        )
        gap = page_break = False
    return out


_HEADING = re.compile(
    r"^(?:[0-9０-９]+[\s\u3000.．、]|[（(][0-9０-９]+[）)]|[ア-コ][\s\u3000]|[-・●■]\s|[①-⑳])"
)


def _continues(prev: Para, line: Line | None) -> bool:
    """Is ``line`` the rest of a sentence that a page break cut out of ``prev``?"""
    return (
        line is not None
        and not line.indented
        and line.gap_before
        and not prev.text.endswith(_TERMINAL)
        and (line.page_break_before or prev.spans[-1][1] - prev.spans[-1][0] >= MIN_BROKEN_LINE)
        and not _HEADING.match(prev.text)
        and not _HEADING.match(line.text)
    )


def build_paras(
    lines: Sequence[Line], first: tuple[str, int, int | None] | None = None, repair: bool = True
) -> tuple[list[Para], list[str]]:
    """Turn body lines into paragraphs, rejoining sentences broken by page breaks and
    setting stage directions aside."""
    paras: list[Para] = []
    stage: list[str] = []
    items: list[tuple[str, int, int | None, Line | None]] = []
    if first and first[0].strip():
        items.append((first[0], first[1], first[2], None))
    items.extend((ln.text, ln.start, ln.page, ln) for ln in lines)
    for text, start, page, line in items:
        pages = (page,) if page is not None else ()
        if _STAGE_LINE.match(text):  # kept as its own paragraph: nothing indexed is lost
            stage.append(text)
            paras.append(Para(text, ((start, start + len(text)),), pages, "stage"))
            continue
        # a direction inside a line of speech stays in the text, noted on the turn
        stage.extend(m.group(0) for m in _STAGE_INLINE.finditer(text))
        piece_text, spans = text, ((start, start + len(text)),)
        if repair and paras and paras[-1].kind == "speech" and _continues(paras[-1], line):
            prev = paras[-1]
            joined_pages = tuple(sorted({*prev.pages, *pages}))
            paras[-1] = Para(prev.text + piece_text, prev.spans + spans, joined_pages)
            continue
        paras.append(Para(piece_text, spans, pages))
    return paras, stage


# --- report header ---------------------------------------------------------------------

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}
_DATE = re.compile(r"(令和|平成|昭和)\s*([0-9]+|元)\s*年\s*([0-9]+)\s*月\s*([0-9]+)\s*日")


def wareki_to_iso(text: str) -> str | None:
    """``令和5年9月13日`` → ``2023-09-13`` (full-width digits allowed)."""
    m = _DATE.search(nfkc(text))
    if not m:
        return None
    year = 1 if m.group(2) == "元" else int(m.group(2))
    return f"{_ERAS[m.group(1)] + year:04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}"


_COUNCIL = re.compile(r"(?:^|[0-9回年\s])([^\W\d_回年第]{1,6}?[都道府県市区町村])(議会|会)")


def minutes_facts(text: str, path: str) -> dict[str, Any]:
    """Title, council, its city and the date of a 会議録, read from its first lines, with the
    date in the file name (``…-20241226.txt``) as a fallback."""
    lines = text[:4000].splitlines()[:20]  # the header only: a file may be one 10 MB line
    head = [squash(x[:200]) for x in lines if x.strip()]
    facts: dict[str, Any] = {}
    title = next((x for x in head if "会議録" in x), None)
    if title:
        facts["title"] = title
    council = next((m for x in head if (m := _COUNCIL.search(x))), None)
    if council:
        facts["council"] = council.group(1) + council.group(2)
        facts["city"] = council.group(1)
    date = next((d for x in head if (d := wareki_to_iso(x))), None)
    stamp = re.search(
        r"(?<![0-9])(20[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])",
        path.replace("\\", "/").rsplit("/", 1)[-1],
    )
    if not date and stamp:
        date = "-".join(stamp.groups())
    if date:
        facts["date"] = date
    return facts


def parse_report_header(lines: Sequence[Line]) -> dict[str, Any]:
    """Read the header facts of a 行政調査報告書."""
    h: dict[str, Any] = {}
    if not lines:
        return h
    h["title"] = lines[0].text
    h["committee"] = re.sub(r"\s*行政調査報告書.*$", "", lines[0].text)
    items: dict[str, list[Line]] = {}
    current: str | None = None
    for i, ln in enumerate(lines[1:], 1):
        m = _HEADER_ITEM.match(nfkc(ln.text))
        if m:
            current = m.group("item")
            items[current] = []
            continue
        if current:
            items[current].append(ln)
            continue
        if (
            "report_date" not in h
            and wareki_to_iso(ln.text)
            and _DATE.fullmatch(nfkc(ln.text).strip())
        ):
            h["report_date"] = wareki_to_iso(ln.text)
        elif ln.text.endswith("様"):
            prev = lines[i - 1].text
            h["addressee"] = f"{prev} {strip_space(ln.text[:-1])}"
        elif ln.text.endswith("委員長") and i + 1 < len(lines):
            h["chair"] = {"role": ln.text, "name": strip_space(lines[i + 1].text)}
        elif "議長" in ln.text and "承認" in ln.text:
            h["preamble"] = ln.text
    if "調査期間" in items:
        period = " ".join(x.text for x in items["調査期間"])
        h["period"] = period
        dates = [wareki_to_iso(period)]
        m = re.search(r"[～〜~]\s*([0-9０-９]+)\s*月\s*([0-9０-９]+)\s*日", period)
        if dates[0] and m:
            end = f"{dates[0][:4]}-{int(nfkc(m.group(1))):02d}-{int(nfkc(m.group(2))):02d}"
            dates.append(end)
        h["period_dates"] = [d for d in dates if d]
    if "調査場所" in items:
        h["places"] = [
            re.sub(r"^[-・*]?\s*[（(]?[0-9０-９]+[）)]\s*", "", x.text) for x in items["調査場所"]
        ]
    if "調査事項" in items:
        h["items"] = [x.text for x in items["調査事項"]]
    members = items.get("出席委員氏名") or items.get("出席委員") or []
    h["members"] = [strip_space(n) for ln in members for n in re.split(r"\t|\s{2,}", ln.text) if n]
    staff = items.get("随行事務局職員") or items.get("随行職員") or []
    if len(staff) >= 2:
        roles = [r for r in re.split(r"\t|\s{2,}", staff[0].text) if r]
        names = [strip_space(n) for n in re.split(r"\t|\s{2,}", staff[1].text) if n]
        h["staff"] = [{"role": r, "name": n} for r, n in zip(roles, names, strict=False)]
    return h


# --- documents -------------------------------------------------------------------------


def is_report(doc: SourceDoc, lines: Sequence[Line]) -> bool:
    kind = doc.meta.get("kind")
    if kind:
        return kind == "report"
    head = " ".join(ln.text for ln in lines[:5])
    return "行政調査報告書" in head or any(_CITY.match(ln.text) for ln in lines)


def parse_document(doc: SourceDoc) -> ParsedDoc:
    """Parse a loaded document into turns and blocks. A document in which no speaker turn
    can be recognised is kept as paragraphs, with a warning in ``warnings``."""
    if doc.structured:
        return _parse_structured(doc)
    lines = scan_lines(doc.text)
    parsed = ParsedDoc(doc=doc)
    heads = []
    for idx, ln in enumerate(lines):
        sp = split_speaker_line(ln.text)
        if sp:
            heads.append((idx, sp))
    blocks_for_vote = []
    for k, (idx, (marker, label, cut)) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else min(len(lines), idx + 50)
        body = lines[idx].text[cut:] + "\n".join(
            x.text for x in lines[idx + 1 : min(end, idx + 50)]
        )
        blocks_for_vote.append((marker, label, body))
    parsed.speaker_markers = infer_speaker_markers(blocks_for_vote)
    turn_heads = {
        idx: sp
        for (idx, sp), (_, _, body) in zip(heads, blocks_for_vote, strict=True)
        if sp[0] in parsed.speaker_markers and _opens_turn(lines[idx].text, sp, body)
    }
    report = is_report(doc, lines)
    if not turn_heads:
        turn_heads = _unmarked_turn_heads(lines)
    _walk(parsed, lines, turn_heads, report, _marker_categories(turn_heads))
    if not parsed.turns and not report:
        _as_paragraphs(parsed, lines)
    return parsed


def _opens_turn(line: str, head: tuple[str, str, int], body: str) -> bool:
    """Does this marker line open a speaker turn, or is it a heading or time stamp that
    uses the same marker (``〇議事日程``, ``〇午後１時開会``, ``◎会期の決定``)?"""
    _, label, cut = head
    if _STAGE_LINE.match(line[1:].strip(" \u3000")):
        return False
    if looks_like_speaker(label):
        return bool(line[cut:].strip(" \u3000")) or bool(PROSE.search(body))
    return bool(PROSE.search(line[cut:]))  # a bare name followed by speech


def _marker_categories(turn_heads: dict[int, tuple[str, str, int]]) -> dict[str, str]:
    """Markers that mark only the executive: in DiscussNet minutes ◎ does, so a
    ``◎（大久保智子君）`` with no role is an official. (A name alone under any other marker
    is a member: chairs and officials are labelled by their role.)"""
    counts: dict[str, list[int]] = {}
    for marker, label, _ in turn_heads.values():
        sp = parse_label(label, marker)
        if sp.role:
            by = counts.setdefault(marker, [0, 0])
            by[0 if sp.category == "official" else 1] += 1
    if len({marker for marker, _, _ in turn_heads.values()}) < 2:
        return {}  # one mark for every speaker says nothing about who speaks
    return {m: "official" for m, (yes, no) in counts.items() if yes >= 3 and no == 0}


def _as_paragraphs(parsed: ParsedDoc, lines: Sequence[Line]) -> None:
    """No speaker labels: every paragraph (lines between blank lines) kept as a block."""
    parsed.blocks = []
    group: list[Line] = []
    for ln in [*lines, None]:
        if ln is None or (ln.gap_before and group):
            paras, _ = build_paras(group)
            if paras:
                parsed.blocks.append(
                    Block("paragraph", parsed.doc.meta.get("meeting"), tuple(paras))
                )
            group = []
        if ln is not None:
            group.append(ln)
    parsed.warnings.append(
        f"{parsed.doc.path}: no speaker labels found; ingested as "
        f"{len(parsed.blocks)} paragraph block(s)"
    )


_UNMARKED = re.compile(r"^(?P<label>[^\s\u3000（(]{1,20}[（(][^）)]{1,20}[）)])[\s\u3000]+\S")


def _unmarked_turn_heads(lines: Sequence[Line]) -> dict[int, tuple[str, str, int]]:
    """Turns with no marker at all: ``議長（山田太郎君）　ただいまから…``."""
    heads = {}
    for idx, ln in enumerate(lines):
        m = _UNMARKED.match(ln.text)
        if m and looks_like_speaker(m.group("label")):
            heads[idx] = ("", m.group("label"), m.end("label"))
    return heads if len(heads) >= 2 else {}


def _walk(
    parsed: ParsedDoc,
    lines: Sequence[Line],
    turn_heads: dict[int, tuple[str, str, int]],
    report: bool,
    marker_categories: dict[str, str] | None = None,
) -> None:
    """Walk the lines once, cutting them into header, headings, sections and turns."""
    section: str | None = None if report else parsed.doc.meta.get("meeting")
    part: str | None = None
    pending: list[Line] = []  # lines of the current non-turn block
    block_kind = "header"
    turn_head: tuple[Line, tuple[str, str, int]] | None = None
    turn_lines: list[Line] = []
    n = 0

    def flush_turn() -> None:
        nonlocal turn_head, turn_lines, n
        if turn_head is None:
            return
        line, (marker, label, cut) = turn_head
        rest = line.text[cut:]
        lead = len(rest) - len(rest.lstrip(" \u3000"))
        first = (rest.strip(" \u3000"), line.start + cut + lead, line.page)
        paras, stage = build_paras(turn_lines, first)
        n += 1
        speaker = parse_label(label, marker)
        by_marker = (marker_categories or {}).get(marker)
        if not speaker.role and by_marker and by_marker != speaker.category:
            speaker = replace(speaker, category=by_marker)
        parsed.turns.append(
            Turn(
                n=n,
                speaker=speaker,
                paras=tuple(paras),
                stage=tuple(stage),
                section=section,
                part=part,
            )
        )
        turn_head, turn_lines = None, []

    def flush_block() -> None:
        nonlocal pending
        if not pending:
            return
        if block_kind == "header" and report and not parsed.header:
            parsed.header = parse_report_header(pending)
        paras, _ = build_paras(pending, repair=block_kind != "header")
        if paras:
            title = pending[0].text if block_kind != "header" else ""
            if block_kind == "heading":
                title = title[1:].strip(" \u3000")
                paras[0] = replace(paras[0], kind="heading")
            elif block_kind == "qa":  # a report's 「3 質疑等（…）」: it heads the exchanges
                paras[0] = replace(paras[0], kind="heading")
            parsed.blocks.append(Block(block_kind, section, tuple(paras), title))
        pending = []

    for idx, ln in enumerate(lines):
        norm = nfkc(ln.text)
        city = _CITY.match(ln.text) if report else None
        rpart = _REPORT_PART.match(norm) if report and section else None
        whole = (ln.start, ln.start + len(ln.text))
        if city:
            parsed.structure_spans.append(whole)
            flush_turn()
            flush_block()
            section, part, block_kind = city.group("city"), None, "section"
            continue
        if rpart:
            flush_turn()
            flush_block()
            name = rpart.group("part")
            block_kind = "overview" if name.endswith("の概要") else "items"
            if name.startswith("質疑"):
                block_kind = "qa"
                part = f"{name}（{rpart.group('time')}）" if rpart.group("time") else name
                parsed.header.setdefault("sessions", {})[section or ""] = rpart.group("time")
            # the heading opens its part; a 質疑等's states when it was held, 「(午前10時00分～…)」
            pending = [ln]
            continue
        if idx in turn_heads:
            flush_turn()
            flush_block()
            turn_head = (ln, turn_heads[idx])
            label_end = len(ln.text[: turn_heads[idx][2]].rstrip(" \u3000"))
            parsed.structure_spans.append((ln.start, ln.start + label_end))
            continue
        if report and (norm.strip() in ("以上",) or re.fullmatch(r"<\s*質\s*疑\s*>", norm.strip())):
            parsed.structure_spans.append(whole)
            flush_turn()
            continue
        if (
            ln.text[0] in MARKERS
            and split_speaker_line(ln.text)
            and (turn_head or parsed.turns)
            and not _STAGE_LINE.match(ln.text[1:].strip(" \u3000"))  # 〇午後１時32分散会
        ):
            # a marker that this document uses for headings (◎日程第１…): it ends the turn,
            # and the heading with the lines under it is a block of its own
            flush_turn()
            flush_block()
            block_kind, pending = "heading", [ln]
            continue
        if turn_head is not None:
            turn_lines.append(ln)
        else:
            pending.append(ln)
    flush_turn()
    flush_block()


def _parse_structured(doc: SourceDoc) -> ParsedDoc:
    """Structured minutes: each voice is a turn; offsets point into :func:`source_text`."""
    parsed = ParsedDoc(doc=doc)
    offset = 0
    for n, voice in enumerate(doc.voices, 1):
        lines = scan_lines(voice.text, base=offset)
        paras, stage = build_paras(lines)
        parsed.turns.append(
            Turn(
                n=voice.i if voice.i else n,
                speaker=parse_label(voice.speaker),
                paras=tuple(paras),
                stage=tuple(stage),
                section=doc.meta.get("meeting"),
            )
        )
        offset += len(voice.text) + 1
    return parsed


def source_text(doc: SourceDoc) -> str:
    """The text that character spans index: the decoded file, or for structured minutes
    the voices' texts joined with newlines in order."""
    if doc.structured:
        return "\n".join(v.text for v in doc.voices)
    return doc.text
