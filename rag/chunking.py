"""Chunking: parsed turns to Q&A-unit chunks that know exactly where they came from.

One chunk per Q&A unit: a member's question turn with the official answers that follow.
An answer turn that replies to several pre-submitted questions (「次に、…というご質問です。」,
「質問事項の N 番」) is split into one chunk per question. When one long question turn
(「まず、…」「次に、…」) gets one long answer turn (一括質問一括答弁: 「…についてですが、」
at each change of subject), each answer part becomes a chunk of its own, linked to the
question part it answers (``question_id``, ``question``; the question is in its
``embed_text``).

Nothing is dropped. Procedural turns (the chair's calls, objections, votes and results,
会期, 休会, 散会, the next sitting) are chunks of type ``procedure``, grouped per agenda
item; the decisions they pronounce are in their metadata (:mod:`rag.decisions`). Headings
and turns under :data:`MIN_CONTENT` characters join their neighbours. Header facts, city
overviews and inspection items become chunks too. Over-long units are split at sentence
ends (。), each part keeping the question as context. Chunking is linear in the number of
turns (``benchmarks/chunk_scaling.py``).

>>> from pathlib import Path
>>> from rag.loading import load_text_file
>>> chunks = chunk_document(parse_document(load_text_file(Path("corpus/sumida-jichitai-dx-gyosei-chosa-r05.txt"))))
>>> chunks[0].id
'sumida-jichitai-dx-gyosei-chosa-r05#000'
"""

from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from rag.decisions import Decision, DecisionReader, find_titles, reported
from rag.municipalities import council_municipality, normalised
from rag.parsing import Para, ParsedDoc, Turn, minutes_facts, page_starts, parse_document
from rag.schema import ChunkMetadata, DecisionRecord
from rag.text import AFTER_SENTENCE_END, nfkc

# Bump when chunk boundaries, ids, texts or metadata (speakers) change: the index refuses
# chunks of another version.
CHUNKER_VERSION = "8"  # 8: a committee's recommendation the chair states before the vote
# (7: a report's 質疑等 heading opens its first exchange; 6: the council's municipality;
# 5: speakers named 木村, 阿部…; 4: decisions)
MAX_CHARS = 800
QUESTION_CHARS = 160
# A chair or clerk turn this long, with no procedural words, says something of substance
# (副委員長's opinion, say).
SUBSTANTIVE_PROCEDURAL = 150
# No chunk has less content than this: 「議長」, 「山本区長」, 「異議なし」 join a neighbour.
MIN_CONTENT = 20

_QUESTION_BLOCK = re.compile(
    r"^(?:(?:まず|次に|続いて|最後に)[、，,]|最後の質問|質問事項の\s*[0-9０-９]+\s*番)"
)
_ASKED = re.compile(r"[ご御]質問|質問事項|最後の質問|お尋ね")
# The chair closes what was being asked and moves on: nothing answers across it.
_NEW_ITEM = re.compile(
    r"日程第|議題|以上で|終わります|終了|採決|お諮り|討論|休憩|散会|閉会|延会|休会"
)
# the chair puts an item on the floor, or closes the day's business (散会, 延会, 閉会)
_AGENDA_START = re.compile(
    r"日程第\s*[0-9０-９]+|を(?:一括)?議題と|議題に供|本日の日程は|本日はこれ(?:を|にて|で)"
)
_PROCEDURE_CUE = re.compile(
    r"議題|採決|お諮り|異議|可決|否決|採択|休憩|再開|散会|閉会|開会|開議|休会|延会|会期|日程|"
    r"許します|発言を求め|終わります|終了いたし|決定いたし|付託|討論|指名"
)
# 一括質問: the subjects of one question turn; 一括答弁: 「…についてですが、」 in the answer.
_Q_TOPIC = re.compile(
    r"^(?:(?:まず|次に|続いて|最後に|また|さらに)[、，,]|[0-9０-９一二三四五六七八九十]+(?:点目|つ目|番目)"
    r"|[（(][0-9０-９]+[）)]|[0-9０-９]+[.．、]|第[一二三四五六七八九十0-9０-９]+に[、，])"
)
_A_TOPIC = re.compile(
    r"^(?:(?:まず|次に|続いて|最後に)[、，,]?)?(?P<topic>.{2,80}?)"
    r"(?:について(?:の)?(?:[ご御]質問|お尋ね|ご指摘|御指摘)?(?:です)?(?:が|ですが)[、，]"
    r"|についてお答え(?:いた)?します|とのことですが[、，]|とのお尋ねですが[、，]"
    r"|(?:という|との)[ご御]質問(?:です)?が[、，])"
)
_PARTY = (
    r"[^、。\s\u3000（()）]{1,20}?"
    r"(?:党|クラブ|会派|の会|ネット|会議|維新|フォーラム|連合|無所属|市民)"
)
_REPRESENTS = re.compile(
    r"^(?:私は、?)?(?P<party>" + _PARTY + r")(?:を代表して|を代表し、|の代表として)"
)
_ROSTER_PARTY = re.compile(
    r"(?P<name>[^\s\u3000（()）]{2,10}?)(?:君|議員|さん)?[（(](?P<party>" + _PARTY + r")[）)]"
)
_OPENED = re.compile(r"ただいまから(?P<meeting>[^。]{4,40}?)を(?:開会|開議)")


def chunk_id(doc_id: str, n: int) -> str:
    """The id of a document's ``n``-th passage in source order: ``doc#007``."""
    return f"{doc_id}#{n:03d}"


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: stable id, display text (the original), text to embed, and
    metadata saying where it came from."""

    id: str
    text: str
    embed_text: str
    metadata: ChunkMetadata = field(default_factory=lambda: ChunkMetadata())

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
    section: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    question_at: int | None = None  # source offset of the question this unit answers
    answered: bool = False  # an official has answered (while grouping)
    asker: str | None = None  # label of the member asking (while grouping)
    asked_by: Turn | None = None  # the question's turn, for an answer split from it
    headed: bool = False  # opens with a heading of the minutes

    @property
    def start(self) -> int:
        return next((p.spans[0][0] for p, _ in self.paras if p.spans), 0)

    @property
    def content(self) -> int:
        return sum(len(p.text) for p, _ in self.paras)

    @property
    def small(self) -> bool:
        """Too little to stand alone: under :data:`MIN_CONTENT` characters, or nothing
        said (a narrated turn, 「～ …について説明 ～」, introduces what follows it)."""
        return self.content < MIN_CONTENT or all(p.kind != "speech" for p, _ in self.paras)

    def add(self, turn: Turn, paras: Sequence[Para] | None = None) -> None:
        if not self.turns or self.turns[-1] is not turn:
            self.turns.append(turn)
        self.paras.extend((p, turn) for p in (turn.paras if paras is None else paras))


def _first_sentences(text: str, limit: int = QUESTION_CHARS) -> str:
    text = text.replace("\n", "")
    out = ""
    for sent in AFTER_SENTENCE_END.split(text):
        if out and len(out) + len(sent) > limit:
            break
        out += sent
    return out[:limit]


def _content(turn: Turn) -> int:
    return sum(len(p.text) for p in turn.paras)


# A short turn that still says something: 「予算について伺います。」, 「お答えいたします。」
_SAYS = re.compile(r"(?:か|ます|です|ません|した|たい|ください|ない)[。？?！!]?$")


def _procedural(turn: Turn) -> bool:
    """Chair and clerk turns, and a member's or official's bare 「議長」, 「山本区長」,
    「異議なし」: the council's procedure rather than its debate."""
    if turn.speaker.category in ("member", "official"):
        return _content(turn) < MIN_CONTENT and not _SAYS.search(turn.text)
    if _content(turn) < MIN_CONTENT:
        return True
    return len(turn.text) < SUBSTANTIVE_PROCEDURAL or bool(_PROCEDURE_CUE.search(turn.text))


def _split_question_blocks(turn: Turn) -> list[list[Para]]:
    """Split an answer to several pre-submitted questions at 「次に、」「質問事項の N 番」."""
    starts = [i for i, p in enumerate(turn.paras) if _QUESTION_BLOCK.match(p.text)]
    asked = [i for i in starts if _ASKED.search(turn.paras[i].text)]
    if len(asked) < 2:  # a speech that says 「次に、」 is not an answer to questions
        return [list(turn.paras)]
    starts[0] = 0  # a preamble (「事前にいただいたご質問について…」) joins the first block
    bounds = [*starts, len(turn.paras)]
    return [list(turn.paras[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


def group_turns(turns: Sequence[Turn], headings: Sequence[int] = ()) -> list[_Unit]:
    """Group turns into Q&A units, statements and procedure (see module docstring).
    ``headings`` are the sorted source offsets of the document's headings (◎会期の決定):
    nothing is grouped across one. One pass; the work per turn does not grow with the
    number of turns before it."""
    units: list[_Unit] = []
    qa: _Unit | None = None  # the open question-and-answer exchange
    proc: _Unit | None = None  # the open run of procedural turns
    prev_section: object = object()
    next_heading = 0
    for turn in turns:
        at = turn.spans[0][0] if turn.spans else 0
        if turn.section != prev_section:
            qa = proc = None
            prev_section = turn.section
        if next_heading < len(headings) and headings[next_heading] < at:
            while next_heading < len(headings) and headings[next_heading] < at:
                next_heading += 1
            qa = proc = None
        cat = turn.speaker.category
        if _procedural(turn):
            if qa is not None and not _NEW_ITEM.search(turn.text):
                qa.add(turn)  # a call or remark inside the exchange (「山中市長。」)
                continue
            qa = None
            # a new agenda item, or a long announcement (諸般の報告, 選任), opens a new group
            if (
                proc is None
                or (cat == "chair" and _AGENDA_START.search(turn.text[:60]))
                or (len(turn.text) >= SUBSTANTIVE_PROCEDURAL and proc.content >= MIN_CONTENT)
            ):
                proc = _Unit("procedure", [], [], section=turn.section)
                units.append(proc)
            proc.add(turn)
            continue
        proc = None
        if cat == "member":
            if qa is None or qa.answered or qa.asker != turn.speaker.label:
                qa = _Unit("qa", [], [], question=_first_sentences(turn.text), section=turn.section)
                qa.asker = turn.speaker.label
                units.append(qa)
            qa.add(turn)
        elif cat == "official" and qa is not None:
            qa.add(turn)
            qa.answered = True
        elif cat == "official":
            # an answer with no question turn before it: pre-submitted questions or a speech
            blocks = _split_question_blocks(turn)
            for block in blocks:
                asked = [p for p in block if _QUESTION_BLOCK.match(p.text)]
                q = _first_sentences(asked[0].text) if asked and len(blocks) > 1 else ""
                kind = "answer" if len(blocks) > 1 else "statement"
                u = _Unit(kind, [], [], question=q, section=turn.section)
                u.add(turn, block)
                if q:
                    u.question_at = asked[0].spans[0][0]
                units.append(u)
            qa = None
        else:
            u = _Unit("statement", [], [], section=turn.section)
            u.add(turn)
            units.append(u)
            qa = None
    out: list[_Unit] = []
    for u in units:
        if u.kind == "qa" and not u.answered:
            # a member turn left without an answer: an opinion, or a committee's report
            members = [t for t in u.turns if t.speaker.category == "member"]
            u.kind = (
                "report"
                if any("委員長" in (t.speaker.role or "") for t in members)
                else "statement"
            )
            u.question = ""
            out.append(u)
        elif u.kind == "qa":
            out.extend(_split_bulk(u))
        else:
            out.append(u)
    return out


# --- 一括質問一括答弁 ---------------------------------------------------------------------

MAX_TOPICS = 40  # matching is parts × parts; beyond this, answers follow questions in order


def _bigrams(text: str) -> set[str]:
    t = re.sub(r"[\s\u3000、。，．「」（）()]", "", nfkc(text))
    return {t[i : i + 2] for i in range(len(t) - 1)}


def _calls(turn: Turn | None) -> bool:
    """A turn between two officials' answers: the chair's call (「大久保副市長。」)."""
    return turn is not None and turn.speaker.category != "official"


def _split_bulk(unit: _Unit) -> list[_Unit]:
    """A qa unit whose question turn asks about several subjects and whose answer says
    「…についてですが、」 at each: one question chunk per subject and one answer chunk per
    answered subject, each answer linked to its subject. Otherwise the unit as it is,
    linked to its own question."""
    first = next(i for i, (_, t) in enumerate(unit.paras) if t and t.speaker.category == "official")
    q_paras, a_paras = unit.paras[:first], unit.paras[first:]
    q_starts = [
        i for i, (p, _) in enumerate(q_paras) if p.kind == "speech" and _Q_TOPIC.match(p.text)
    ]
    a_starts = [i for i, (p, t) in enumerate(a_paras) if p.kind == "speech" and t is not None
                and t.speaker.category == "official" and _A_TOPIC.match(p.text)]  # fmt: skip
    unit.question_at = unit.start
    if len(q_starts) < 2 or len(a_starts) < 2:
        return [unit]
    q_starts[0] = 0
    q_parts = [q_paras[a:b] for a, b in zip(q_starts, [*q_starts[1:], len(q_paras)], strict=True)]
    # a new subject, or a new official taking the floor (with the chair's call before it)
    a_bounds = {0, *a_starts[1:]}
    for i in range(1, len(a_paras)):
        t, prev = a_paras[i][1], a_paras[i - 1][1]
        if t is not prev and t is not None and t.speaker.category == "official":
            j = i
            while j > 1 and _calls(a_paras[j - 1][1]):
                j -= 1
            a_bounds.add(j)
    bounds = sorted(a_bounds)
    a_parts = [a_paras[a:b] for a, b in zip(bounds, [*bounds[1:], len(a_paras)], strict=True)]
    # a part with no subject of its own (the next official's call and 「…御質問をいただきま
    # した。」) opens the part after it
    for i in range(len(a_parts) - 2, 0, -1):
        if not any(_A_TOPIC.match(p.text) for p, _ in a_parts[i]):
            a_parts[i : i + 2] = [a_parts[i] + a_parts[i + 1]]
    q_units = []
    for part in q_parts:
        qu = _Unit("question", [], [], section=unit.section)
        for p, t in part:
            if t is not None:
                qu.add(t, [p])
        qu.question = _first_sentences("\n".join(p.text for p, _ in part if p.kind == "speech"))
        qu.question_at = qu.start
        q_units.append(qu)
    grams = [_bigrams(qu.question + "".join(p.text for p, _ in qu.paras[:3])) for qu in q_units]
    out: list[_Unit] = [*q_units]
    pointer = 0
    for part in a_parts:
        au = _Unit("answer", [], [], section=unit.section)
        for p, t in part:
            if t is not None:
                au.add(t, [p])
        topic = next((m.group("topic") for p, _ in part if (m := _A_TOPIC.match(p.text))), "")
        best = pointer
        if topic and len(q_units) <= MAX_TOPICS:
            tg = _bigrams(topic)
            scores = [len(tg & g) / max(1, len(tg)) for g in grams]
            top = max(range(len(scores)), key=lambda i: (scores[i], -abs(i - pointer)))
            if scores[top] >= 0.3:
                best = top
        match = q_units[min(best, len(q_units) - 1)]
        au.question, au.question_at = match.question, match.question_at
        au.asked_by = match.turns[0] if match.turns else None
        pointer = min(best + 1, len(q_units) - 1)
        out.append(au)
    return out


def _cut_para(para: Para, limit: int) -> list[Para]:
    """Split a paragraph longer than ``limit`` at sentence ends, mapping spans exactly."""
    if len(para.text) <= limit:
        return [para]
    sentences = [p for s in AFTER_SENTENCE_END.split(para.text) if s for p in _hard_cut(s, limit)]
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
    parts = [p for p in parts if p]
    if len(parts) > 1 and sum(len(p.text) for p, _ in parts[-1]) < MIN_CONTENT:
        parts[-2].extend(parts.pop())  # no tail of a few characters on its own
    return parts


def _speaker_json(turn: Turn, party: Mapping[str, str] | None = None) -> dict[str, Any]:
    sp = turn.speaker
    out = {
        "name": sp.name,
        "role": sp.role,
        "category": sp.category,
        "label": sp.label,
        "role_class": sp.role_class,
    }
    if sp.seat:
        out["seat"] = sp.seat
    if party and sp.name and sp.name in party:
        out["party"] = party[sp.name]
    return out


def _meeting(text: str) -> str | None:
    """「令和6年第4回定例会 第16号」 from a 会議録's first lines, or the 会議名： of a preamble."""
    head = [nfkc(x[:200]) for x in text[:4000].splitlines()[:30]]
    for line in head:
        m = re.match(
            r"^[\s\u3000]*(?:会議名|会議録名|会議)[\s\u3000]*[：:][\s\u3000]*(.+?)\s*$", line
        )
        if m:
            return re.sub(r"[\s\u3000]+", " ", m.group(1))
    squashed = "\n".join(re.sub(r"[\s\u3000]+", "", x) for x in head)
    m = re.search(
        r"((?:令和|平成|昭和)(?:元|[0-9]+)年第[0-9]+回)[^\n第]{0,14}?((?:[0-9]+月)?(?:定例会|臨時会))",
        squashed,
    )
    if not m:
        return None
    number = re.search(r"(?:会議録|定例会|臨時会)[^第\n]{0,12}第([0-9]+)号", squashed)
    return m.group(1) + m.group(2) + (f" 第{number.group(1)}号" if number else "")


def _read_doc_meta(parsed: ParsedDoc) -> dict[str, Any]:
    m = parsed.doc.meta
    kind = m.get("kind") or ("report" if parsed.header else "minutes")
    # the header ends where the first speaker speaks: a date in a speech is not the meeting's
    head = parsed.doc.text
    if parsed.turns and parsed.structure_spans:
        head = head[: parsed.structure_spans[0][0]]
    read = minutes_facts(head, parsed.doc.path) if kind == "minutes" else {}
    meeting = m.get("meeting")
    if kind == "minutes" and not meeting:
        meeting = _meeting(head)
        opened = next((o for t in parsed.turns[:5] if (o := _OPENED.search(t.text))), None)
        if not meeting and opened:
            meeting = opened.group("meeting")
    return {
        "doc_id": parsed.doc.doc_id,
        "title": m.get("title")
        or parsed.header.get("title")
        or read.get("title")
        or parsed.doc.doc_id,
        "council": m.get("council") or read.get("council"),
        "council_city": m.get("city") or read.get("city"),
        # the municipality whose council the document records; where neither the catalog
        # nor the header gives it, rag.indexing reads it from the text
        "municipality": normalised(m.get("municipality") or m.get("city") or read.get("city"))
        or council_municipality(m.get("council") or read.get("council")),
        "committee": m.get("committee") or parsed.header.get("committee"),
        "kind": kind,
        "date": str(m.get("date") or parsed.header.get("report_date") or read.get("date") or "")
        or None,
        "meeting_name": meeting,
        "source": m.get("source") or parsed.doc.path,
        "file": Path(parsed.doc.path).name,
        "encoding": parsed.doc.encoding,
    }


def _parties(parsed: ParsedDoc) -> dict[str, str]:
    """会派 of members: from a roster that prints ``山田太郎（自由民主党）``, and from a
    member who speaks 「…を代表して」."""
    out: dict[str, str] = {}
    for block in parsed.blocks:
        if block.kind == "header":
            for p in block.paras:
                for m in _ROSTER_PARTY.finditer(p.text):
                    out.setdefault(re.sub(r"[\s\u3000]", "", m.group("name")), m.group("party"))
    for t in parsed.turns:
        if t.speaker.category == "member" and t.speaker.name and t.paras:
            rep = _REPRESENTS.match(t.paras[0].text)
            if rep and t.speaker.name not in out:
                out[t.speaker.name] = rep.group("party")
    return out


@dataclass(frozen=True)
class _DocFacts:
    """What every chunk of one document shares, read once per document."""

    meta: dict[str, Any]
    page_offsets: list[int]  # source offsets where pages start (empty: no pages)
    page_numbers: list[int]
    party: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, parsed: ParsedDoc) -> _DocFacts:
        starts = page_starts(parsed.doc.text)
        return cls(
            _read_doc_meta(parsed),
            [o for o, _ in starts],
            [p for _, p in starts],
            _parties(parsed),
        )

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


@dataclass(frozen=True)
class _UnitPeople:
    """Who asks and who answers in a unit, worked out once for all its parts."""

    questioner: dict[str, Any] | None
    answerers: list[dict[str, Any]]

    @classmethod
    def of(cls, unit: _Unit, facts: _DocFacts) -> _UnitPeople:
        asker = next((t for t in unit.turns if t.speaker.category == "member"), unit.asked_by)
        questioner = _speaker_json(asker, facts.party) if asker else None
        answerers: dict[str, dict[str, Any]] = {}
        for t in unit.turns:
            if t.speaker.category == "official" and t.speaker.label not in answerers:
                answerers[t.speaker.label] = _speaker_json(t, facts.party)
        return cls(questioner, list(answerers.values()))


def _make_chunk(
    parsed: ParsedDoc,
    facts: _DocFacts,
    pos: int,
    unit: _Unit,
    people: _UnitPeople,
    part: list[tuple[Para, Turn | None]],
    agenda: str | None,
    decisions: Sequence[Decision],
) -> Chunk:
    base = dict(facts.meta)
    council_city = base.pop("council_city")
    meeting_name = base.pop("meeting_name")
    report = base["kind"] == "report"
    section, kind, question = unit.section, unit.kind, unit.question
    text_parts: list[str] = []
    turn_offsets: list[dict[str, Any]] = []
    part_turns: list[Turn] = []
    offset = 0
    last_turn: Turn | None = None
    for p, t in part:
        if t is not None and t is not last_turn:
            turn_offsets.append({"offset": offset, "n": t.n, "speaker": t.speaker.label})
            if not part_turns or all(t is not x for x in part_turns[-3:]):
                part_turns.append(t)
            last_turn = t
        text_parts.append(p.text)
        offset += len(p.text) + 1
    text = "\n".join(text_parts)
    spans = [list(s) for p, _ in part for s in p.spans]
    pages = sorted({n for p, _ in part for n in p.pages})
    starts = _page_starts_in_chunk(facts, part) if pages else []
    questioner = people.questioner
    meta = {
        **base,
        "chunk_type": kind,
        "section": section,
        "city": section if report else council_city,
        "meeting": None if report else (section or meeting_name or base["title"]),
        "question": question or None,
        "question_at": unit.question_at,  # resolved to question_id once chunks are numbered
        "questioner": questioner,
        "answerers": people.answerers,
        "speakers": [t.speaker.name or t.speaker.role for t in part_turns],
        "speaker_details": [_speaker_json(t, facts.party) for t in part_turns],
        "roles": sorted({t.speaker.category for t in part_turns}),
        "turns": [t.n for t in part_turns],
        "turn_offsets": turn_offsets,
        "char_span": [spans[0][0], spans[-1][1]] if spans else None,
        "spans": spans,
        "pages": pages,
        "page": pages[0] if pages else None,
        "page_starts": starts,
        "stage_directions": [p.text for p, _ in part if p.kind == "stage"]
        + [s for t in part_turns for s in t.stage if all(s != p.text for p, _ in part)],
        **unit.extra,
    }
    if not report:
        meta["agenda"] = agenda
        meta["decisions"] = [d.to_json() for d in decisions]
    context = " / ".join(x for x in (section or base["title"], base["committee"] or "") if x)
    if agenda and kind == "procedure":  # what is on the floor; a speech names its own subject
        context += f" / {agenda}"
    embed = context
    if question and not text.startswith(question[:20]):
        embed += f"\n質問: {question}"
    for d in decisions:  # the decision as councils word it, for search to find
        how = "、".join(x for x in (d.method, d.tally) if x)
        title = f"（{d.title}）" if d.title else ""
        embed += f"\n議決：{d.item}{title}は{d.result}と決定{f'（{how}）' if how else ''}。"
    # a short direction (「～ あいさつ ～」, 〔登壇〕) says nothing of the subject: shown, not embedded
    embed += "\n" + "\n".join(
        p.text
        for p, _ in part
        if p.kind != "stage" or len(p.text) >= MIN_CONTENT or kind == "procedure"
    )
    return Chunk(
        id=chunk_id(parsed.doc.doc_id, pos),
        text=text,
        embed_text=embed,
        metadata=cast(ChunkMetadata, meta),
    )


def _units(parsed: ParsedDoc) -> list[_Unit]:
    """Blocks and turn groups in source order, headings and tiny units joined to the next
    unit of the same section (or, at a section's end, to the one before)."""
    units = [
        _Unit(
            b.kind,
            [],
            [(p, None) for p in b.paras],
            b.title if b.kind not in ("heading", "paragraph") else "",
            b.section,
            {"header": parsed.header} if b.kind == "header" and parsed.header else {},
        )
        for b in parsed.blocks
        if b.paras
    ]
    headings = sorted(u.start for u in units if u.kind == "heading")
    units += group_turns(parsed.turns, headings)
    units.sort(key=lambda u: u.start)
    # a heading opens the unit after it
    headed: list[_Unit] = []
    carry: _Unit | None = None
    for u in units:
        if carry is not None and carry.section == u.section:
            u = _join(carry, u)
            u.headed = True
        elif carry is not None:
            headed.append(carry)
        carry = None
        if u.kind == "heading":
            carry = u
            continue
        headed.append(u)
    if carry is not None:
        headed.append(carry)
    # a tiny unit joins the next one, unless that opens a new heading or section
    out: list[_Unit] = []
    tiny: _Unit | None = None
    for u in headed:
        if tiny is not None:
            if tiny.section == u.section and not u.headed:
                u = _join(tiny, u)
            elif out and out[-1].section == tiny.section:
                out[-1] = _join(out[-1], tiny)
            else:
                out.append(tiny)
            tiny = None
        if u.small:
            tiny = u
            continue
        out.append(u)
    if tiny is not None:
        if out and out[-1].section == tiny.section:
            out[-1] = _join(out[-1], tiny)
        else:
            out.append(tiny)
    return out


def _join(a: _Unit, b: _Unit) -> _Unit:
    """``a`` (before) and ``b`` (after) as one unit; the substantial one gives its kind."""
    main = b if b.content >= a.content or a.kind == "heading" else a
    kind = main.kind if main.kind != "heading" else ("procedure" if b.turns else b.kind)
    turns = [*a.turns, *(t for t in b.turns if not a.turns or t is not a.turns[-1])]
    return _Unit(
        kind,
        turns,
        [*a.paras, *b.paras],
        main.question,
        b.section,
        {**a.extra, **b.extra},
        main.question_at,
        asked_by=main.asked_by,
    )


def chunk_document(parsed: ParsedDoc, max_chars: int = MAX_CHARS) -> list[Chunk]:
    """All chunks of one parsed document, in document order. A document kept as paragraphs
    (no speaker labels found) warns, naming the file."""
    for w in parsed.warnings:
        warnings.warn(w, ParseWarning, stacklevel=2)
    facts = _DocFacts.read(parsed)
    reader = DecisionReader(date=facts.meta["date"], titles=find_titles(parsed.doc.text))
    chunks: list[Chunk] = []
    for unit in _units(parsed):
        people = _UnitPeople.of(unit, facts)
        for part in _parts(unit.paras, max_chars):
            minutes = facts.meta["kind"] == "minutes"
            read = _read_decisions(reader, part) if minutes else []
            # a committee's: as the plenary's chair states them, or as its chair reports them
            recommended = [d for d in read if reported(d)]
            decisions = [d for d in read if d not in recommended]
            chunk = _make_chunk(
                parsed, facts, len(chunks), unit, people, part, reader.agenda, decisions
            )
            if minutes and unit.kind == "report":
                recommended += reader.recommended("\n".join(p.text for p, _ in part))
            if recommended or (minutes and unit.kind == "report"):
                chunk.metadata["committee_decisions"] = [
                    cast(DecisionRecord, d.to_json()) for d in recommended
                ]
            chunks.append(chunk)
    return _in_source_order(chunks, parsed)


class ParseWarning(UserWarning):
    """A document was ingested in a degraded form; the message names the file and why."""


def _read_decisions(
    reader: DecisionReader, part: Sequence[tuple[Para, Turn | None]]
) -> list[Decision]:
    """Feed the reader what the chair and clerk said, the stage directions and headings
    (where votes are taken and items put on the floor); the decisions pronounced."""
    out: list[Decision] = []
    for p, t in part:
        if p.kind == "heading":
            reader.heading(p.text)
        elif p.kind == "stage" or t is not None and t.speaker.category in ("chair", "other"):
            out += reader.feed(p.text)
    return out


def _in_source_order(chunks: list[Chunk], parsed: ParsedDoc) -> list[Chunk]:
    """Order chunks as their text appears in the source, number them in that order, and
    name the chunk that holds each answer's question."""
    ordered = sorted(chunks, key=lambda c: (c.metadata["char_span"] or [0])[0])
    out = [
        Chunk(chunk_id(parsed.doc.doc_id, i), c.text, c.embed_text, c.metadata)
        for i, c in enumerate(ordered)
    ]
    starts = [(s[0], s[1], i) for i, c in enumerate(out) for s in c.metadata["spans"]]
    starts.sort()
    keys = [s[0] for s in starts]
    for c in out:
        c.metadata["label_spans"] = []
    for a, b in parsed.structure_spans:  # a label belongs to the chunk its speech is in
        k = bisect.bisect_left(keys, b)
        if starts:
            out[starts[min(k, len(starts) - 1)][2]].metadata["label_spans"].append([a, b])
    for c in out:
        at = cast(dict[str, Any], c.metadata).pop("question_at", None)  # the chunker's own
        c.metadata["question_id"] = None
        if at is None:
            continue
        k = bisect.bisect_right(keys, at) - 1
        if k >= 0 and starts[k][0] <= at < starts[k][1]:
            q = out[starts[k][2]]
            c.metadata["question_id"] = q.id
            if q.id != c.id:
                q.metadata.setdefault("answer_ids", []).append(c.id)
    return out


def chunk_source(doc: Any) -> list[Chunk]:
    """Parse and chunk one :class:`rag.loading.SourceDoc`."""
    return chunk_document(parse_document(doc))
