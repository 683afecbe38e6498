"""How answers and their sources are shown: role labels, who said it, one citation line,
and safe HTML for the UI.

Every piece of corpus or user text goes through :func:`html.escape` before it reaches the
page, so a document that contains ``<script>`` shows those characters and runs nothing.
The citation line (document, city or meeting, speaker, date, page), the speaker labels
(委員 / member…) and the 「盛岡市・市側理事者」 lead of a quoted sentence are built here once
and used by the CLI, the prompt, the extractive answer and the UI.

>>> source_line({"title": "報告書", "city": "盛岡市", "date": "2023-09-13", "page": 5})
'報告書 / 盛岡市 / 2023-09-13 / p. 5'
>>> answer_markdown("理由は「<b>」です。[1]")
'理由は「&lt;b&gt;」です。<a href="#src-1" class="cite">[1]</a>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from rag.text import nfkc, sentences

_MARKER = re.compile(r"\[(\d{1,2})\]")
# A speaker's category (rag.speakers) as each language names it; the role filter offers
# ROLE_KEYS.
ROLE_KEYS = ("member", "official", "chair")
ROLE_LABELS = {
    "ja": {
        "member": "委員・議員",
        "official": "説明者（理事者）",
        "chair": "委員長・議長",
        "other": "発言者",
    },
    "en": {"member": "member", "official": "official", "chair": "chair", "other": "speaker"},
}
LABELS = {
    "ja": {"sources": "出典", "nearest": "回答の根拠ではありません（近い箇所）", "none": ""},
    "en": {
        "sources": "Sources",
        "nearest": "Not evidence for an answer (nearest passages)",
        "none": "",
    },
}
# The line under an answer: mode, status and confidence, in the UI language.
FOOTER = {
    "ja": {
        "extractive": "抽出",
        "llm": "LLM",
        "answered": "回答あり",
        "no_answer": "回答なし",
        "confidence": "確信度",
    },
    "en": {
        "extractive": "extractive",
        "llm": "LLM",
        "answered": "answered",
        "no_answer": "no answer",
        "confidence": "confidence",
    },
}
FILTER_NAMES = {
    "ja": {
        "doc": "文書",
        "city": "視察先",
        "meeting": "会議",
        "date_from": "日付（から）",
        "date_to": "日付（まで）",
        "role": "発言者の役割",
        "speaker": "発言者",
        "kind": "種類",
    },
    "en": {
        "doc": "document",
        "city": "city",
        "meeting": "meeting",
        "date_from": "date from",
        "date_to": "date to",
        "role": "speaker role",
        "speaker": "speaker",
        "kind": "kind",
    },
}


def answer_footer(mode: str, status: str, confidence: float, lang: str = "ja") -> str:
    """「抽出 · 回答あり · 確信度 0.49」: how an answer was made, in the UI language.

    >>> answer_footer("extractive", "no_answer", 0.125, "en")
    'extractive · no answer · confidence 0.12'
    """
    t = FOOTER[lang]
    return f"{t.get(mode, mode)} · {t.get(status, status)} · {t['confidence']} {confidence:.2f}"


def filters_text(filters: Mapping[str, str], lang: str = "ja") -> str:
    """「視察先: 盛岡市、日付（から）: 2023-01」: the active filters, named in the UI language."""
    names = FILTER_NAMES[lang]
    sep = "、" if lang == "ja" else "; "
    return sep.join(f"{names.get(k, k)}: {v}" for k, v in filters.items() if v)


def speakers(meta: Mapping[str, Any], lang: str = "ja") -> str:
    """「委員: 井上裕幾 / 説明者: 市側理事者」: who speaks in a passage, with their role."""
    people = [meta.get("questioner") or {}, *(meta.get("answerers") or [])]
    out = []
    for p in people:
        if not p:
            continue
        who = " ".join(str(x) for x in (p.get("name"), p.get("role")) if x)
        out.append(
            f"{role_label(p.get('category'), lang)}: {who}"
            if who
            else role_label(p.get("category"), lang)
        )
    return " / ".join(out)


def role_label(category: Any, lang: str = "ja") -> str:
    """``member`` → 委員 (ja) or member (en); an unknown category is a plain speaker."""
    labels = ROLE_LABELS[lang]
    return labels.get(str(category or "other"), labels["other"])


def speakers_at(meta: Mapping[str, Any], offsets: Sequence[int]) -> list[Mapping[str, Any]]:
    """The people whose turns hold ``offsets`` (character offsets in the passage's text),
    each once, in the order of their turns, by the passage's turns and its speakers'
    labels; empty when the passage does not record its turns or a turn's label names no
    one it knows.

    >>> meta = {"questioner": {"name": "須貝", "label": "須貝委員"},
    ...         "answerers": [{"name": "遠藤", "label": "遠藤課長"}],
    ...         "turn_offsets": [{"offset": 0, "speaker": "須貝委員"},
    ...                          {"offset": 30, "speaker": "遠藤課長"}]}
    >>> [p["name"] for p in speakers_at(meta, [0, 12])], [p["name"] for p in speakers_at(meta, [40, 0])]
    (['須貝'], ['須貝', '遠藤'])
    """
    turns = sorted(meta.get("turn_offsets") or [], key=lambda t: int(t["offset"]))
    if not turns or not offsets:
        return []
    labels: list[str] = []
    for at in sorted(offsets):
        label = next((t["speaker"] for t in reversed(turns) if int(t["offset"]) <= at), None)
        if label is None:
            return []
        if label not in labels:
            labels.append(label)
    people = [
        meta.get("questioner") or {},
        *(meta.get("answerers") or []),
        *(meta.get("speaker_details") or []),
    ]
    found = [next((p for p in people if p and p.get("label") == label), None) for label in labels]
    return [p for p in found if p is not None] if None not in found else []


def who_said(meta: Mapping[str, Any], lang: str, at: Sequence[int] = ()) -> str:
    """「盛岡市・市側理事者」: where and who, for the line that quotes a passage: the speakers
    whose turns hold the quote (``at``: its sentences' offsets in the passage's text, see
    :func:`speakers_at`), in their order (a quote that joins a member's question and the
    reply names both), else the passage's first answerer, else its questioner.

    >>> who_said({"city": "盛岡市", "answerers": [{"role": "市側理事者", "category": "official"}]}, "en")
    '盛岡市, official (市側理事者)'
    """
    place = meta.get("city") or meta.get("meeting") or meta.get("section") or meta.get("title")
    people = list(meta.get("answerers") or []) or [meta.get("questioner") or {}]
    persons = speakers_at(meta, at) or [people[0] if people and people[0] else {}]
    speaker = ("、" if lang == "ja" else " and ").join(
        s for s in (_speaker(p, lang) for p in persons) if s
    )
    parts = [str(p) for p in (place, speaker) if p]
    return ("・" if lang == "ja" else ", ").join(parts)


def _speaker(person: Mapping[str, Any], lang: str) -> str:
    name = person.get("name") or ""
    role = person.get("role") or ""
    speaker = f"{name}{role}" if lang == "ja" else " ".join(x for x in (name, role) if x)
    if lang == "en" and person.get("category"):
        speaker = f"{role_label(person['category'], 'en')} ({speaker})"
    return speaker


def source_line(
    meta: Mapping[str, Any], who: bool = False, lang: str = "ja", page: int | None = None
) -> str:
    """Document, city or meeting, (speakers,) date and page, joined by ' / '. ``page``, the
    page of the quoted sentence, is named instead of the passage's pages when given."""
    parts = [
        meta.get("title"),
        meta.get("city") or meta.get("meeting"),
        speakers(meta, lang) if who else None,
        meta.get("date"),
        f"p. {page}" if page else page_label(meta),
    ]
    return " / ".join(str(p) for p in parts if p)


def page_label(meta: Mapping[str, Any]) -> str | None:
    pages = [p for p in meta.get("pages") or [] if p]
    if len(pages) > 1 and pages[0] != pages[-1]:
        return f"pp. {pages[0]}–{pages[-1]}"
    page = meta.get("page") or (pages[0] if pages else None)
    return f"p. {page}" if page else None


def answer_markdown(text: str) -> str:
    """The answer, escaped, with each [n] a link to source n in the sources panel."""
    escaped = html.escape(text, quote=False)
    return _MARKER.sub(lambda m: f'<a href="#src-{m[1]}" class="cite">[{m[1]}]</a>', escaped)


def _highlight(text: str, quote: str) -> str:
    """The passage, escaped, with the quote in <mark>: each of its sentences where they lie
    apart in the passage (an extractive quote joins sentences that need not be adjacent)."""
    spans = quote_spans(text, quote)
    out, at = [], 0
    for a, b in spans:
        out += [html.escape(text[at:a], quote=False), "<mark>"]
        out += [html.escape(text[a:b], quote=False), "</mark>"]
        at = b
    return "".join(out) + html.escape(text[at:], quote=False)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where ``quote`` lies in ``text``: one span when whole, else one per sentence found
    (in order). Compared as written, then NFKC (as the citation checker compares).

    >>> quote_spans("一つ目。二つ目。三つ目。", "一つ目。三つ目。")
    [(0, 4), (8, 12)]
    """
    norm = nfkc(text)
    same_length = len(norm) == len(text)

    def find(part: str, start: int) -> int:
        at = text.find(part, start)
        if at < 0 and same_length:  # offsets agree only when NFKC kept the length
            at = norm.find(nfkc(part), start)
        return at

    if not quote:
        return []
    at = find(quote, 0)
    if at >= 0:
        return [(at, at + len(quote))]
    spans, pos = [], 0
    for _, part in sentences(quote):
        at = find(part, pos)
        if at >= 0:
            spans.append((at, at + len(part)))
            pos = at + len(part)
    return spans


SERVED_SUFFIXES = (".pdf", ".docx", ".txt", ".md")
OPEN_LABEL = {"ja": "原本を開く", "en": "open the file"}


def file_link(
    meta: Mapping[str, Any], files_url: str | None, lang: str = "ja", page: int | None = None
) -> str:
    """A link to the document's file (at its page, for a PDF), where files are served."""
    name = str(meta.get("file") or "")
    if not files_url or not meta.get("doc_id") or not name.lower().endswith(SERVED_SUFFIXES):
        return ""
    href = files_url + quote(str(meta["doc_id"]), safe="")
    page = page or meta.get("page")
    label = OPEN_LABEL[lang]
    if name.lower().endswith(".pdf") and page:
        href += f"#page={int(page)}"
        label += f" (p. {int(page)})"
    return f'<a class="file" href="{html.escape(href)}" target="_blank" rel="noopener">{label}</a>'


def sources_html(
    citations: Sequence[Any],
    nearest: bool = False,
    lang: str = "ja",
    open_first: bool = True,
    files_url: str | None = None,
) -> str:
    """The sources panel: one <details id="src-n"> per passage, metadata and highlighted quote.

    ``citations`` are :class:`rag.answering.Citation` values (n, id, text, quote, metadata);
    with ``files_url`` (such as ``/files/``) each passage links to its file and page.
    """
    if not citations:
        return ""
    head = LABELS[lang]["nearest" if nearest else "sources"]
    # nearest passages are not evidence: listed muted, nothing highlighted, none opened
    items = []
    for i, c in enumerate(citations):
        m = c.metadata
        page = getattr(c, "page", None)
        line = html.escape(source_line(m, lang=lang, page=page), quote=False)
        who = html.escape(speakers(m, lang), quote=False)
        opened = " open" if open_first and i == 0 and not nearest else ""
        items.append(
            f'<details class="source" id="src-{c.n}"{opened}>'
            f"<summary><b>[{c.n}]</b> {line}</summary>"
            f'<div class="meta"><code>{html.escape(c.id)}</code>'
            f"{' · ' + who if who else ''}"
            f"{' · ' + link if (link := file_link(m, files_url, lang, page)) else ''}</div>"
            f'<div class="passage">{_highlight(c.text, "" if nearest else c.quote)}</div>'
            "</details>"
        )
    kind = "sources nearest" if nearest else "sources"
    return f'<div class="{kind}"><h4>{html.escape(head)}</h4>{"".join(items)}</div>'


EXCHANGE_LABELS = {
    "ja": {"q": "問", "a": "答", "none": "（答弁の記録なし）"},
    "en": {"q": "Q", "a": "A", "none": "(no recorded answer)"},
}


def side_who(speaker: Mapping[str, Any], lang: str = "ja") -> str:
    """「教育長 山田太郎」 or 「山田太郎（会派）」: a side of an exchange, as the list shows it."""
    name = str(speaker.get("name") or "")
    role = str(speaker.get("role") or "")
    party = str(speaker.get("party") or "")
    who = " ".join(x for x in (role, name) if x) or str(speaker.get("label") or "")
    if party:
        who += f"（{party}）" if lang == "ja" else f" ({party})"
    return who or role_label(speaker.get("category"), lang)


def exchanges_html(exchanges: Sequence[Any], lang: str = "ja") -> str:
    """Past exchanges grouped by meeting, newest first: each the member's question and the
    executive's answer, their quoted sentences and the ids of the passages they cite.

    ``exchanges`` are :class:`rag.exchanges.Exchange` values."""
    labels = EXCHANGE_LABELS[lang]
    parts: list[str] = []
    meeting = None
    for ex in exchanges:
        if (ex.meeting, ex.date) != meeting:
            if meeting is not None:
                parts.append("</ol></section>")
            meeting = (ex.meeting, ex.date)
            head = " / ".join(x for x in (ex.meeting, ex.date) if x)
            parts.append(f'<section class="meeting"><h4>{html.escape(head)}</h4><ol>')
        sides = [(labels["q"], ex.question, "question"), (labels["a"], ex.answer, "answer")]
        rows = []
        for mark, side, kind in sides:
            if side is None:
                rows.append(f'<div class="{kind} missing"><b>{mark}</b> {labels["none"]}</div>')
                continue
            said = html.escape(" ".join(side.quotes) or side.text[:200], quote=False)
            who = html.escape(side_who(side.speaker, lang), quote=False)
            rows.append(
                f'<div class="{kind}"><b>{mark}</b> <span class="who">{who}</span>: {said} '
                f"<code>{html.escape(side.chunk_id)}</code></div>"
            )
        parts.append(f'<li class="exchange">{"".join(rows)}</li>')
    if meeting is not None:
        parts.append("</ol></section>")
    return f'<div class="exchanges">{"".join(parts)}</div>'


DIFFERENCE_LABELS = {
    "ja": {"number": "数値", "stance": "方針", "draft": "答弁案", "past": "過去"},
    "en": {"number": "number", "stance": "position", "draft": "draft", "past": "past"},
}


def differences_html(differences: Sequence[Any], lang: str = "ja") -> str:
    """Where a draft answer differs from past answers: the item, both values, and the past
    sentence with its meeting, date and passage id.

    ``differences`` are :class:`rag.exchanges.Difference` values."""
    labels = DIFFERENCE_LABELS[lang]
    items = []
    for d in differences:
        ex = d.exchange
        where = " / ".join(x for x in (ex.meeting, ex.date) if x)
        items.append(
            f'<li class="difference"><b>{labels.get(d.kind, d.kind)}: '
            f"{html.escape(d.item, quote=False)}</b> — {labels['draft']} "
            f"{html.escape(d.draft, quote=False)} / {labels['past']} "
            f"{html.escape(d.past, quote=False)}"
            f"<blockquote>{html.escape(d.sentence, quote=False)}</blockquote>"
            f'<span class="meta">{html.escape(where, quote=False)} '
            f"<code>{html.escape(d.exchange.answer_id)}</code></span></li>"
        )
    return f'<ul class="differences">{"".join(items)}</ul>'
