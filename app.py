"""gikai-rag: the chat UI, the embeddable widget and the HTTP API in one server.

    python app.py [--host 127.0.0.1] [--port 7860]

On first run the index is built from ``corpus/`` (with a progress bar); later starts only
load it. The Gradio chat is at ``/``, a compact chat for other pages at ``/embed/``, the
JSON API at ``/api/ask`` (docs at ``/api/docs``). This file only wires the UI to ``rag``:
answering, limits and feedback live in :mod:`rag.service`, the JSON API in :mod:`rag.api`, the
HTML in :mod:`rag.presenting`.
"""

from __future__ import annotations

import argparse
import atexit
import html
import shutil
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import gradio as gr

from rag.answers import Answer
from rag.api import FeedbackAnswer, create_api
from rag.exchanges import (
    ExchangeQuery,
    ExchangeResult,
    bucket,
    timeline,
    to_csv,
    to_docx,
    to_markdown,
)
from rag.guards import secure
from rag.indexing import IndexCorruptError, ingest
from rag.presenting import (
    FILTER_NAMES,
    ROLE_KEYS,
    ROLE_LABELS,
    SERVED_SUFFIXES,
    answer_footer,
    answer_markdown,
    differences_html,
    exchanges_html,
    filters_text,
    source_line,
    sources_html,
)
from rag.service import BusyError, ChatService, RequestError, clean_text, recover_uploads
from rag.settings import Settings

T: dict[str, dict[str, str]] = {
    "ja": {
        "title": "## 議会資料チャット\n行政調査報告書・会議録に、出典つきで答えます。"
        "答えの [n] を押すと根拠の箇所が開きます。",
        "language": "表示言語",
        "chat": "チャット",
        "box": "質問",
        "placeholder": "例: 盛岡市はなぜガバメントクラウドでコストメリットを出せたのか",
        "send": "送信",
        "examples": "質問の例（索引から確認済み）",
        "filters": "絞り込み",
        "chips": "絞り込み中（チェックを外すと解除）",
        "doc": "文書",
        "place": "視察先・会議",
        "date_from": "日付（から）",
        "date_to": "日付（まで）",
        "date_hint": "2023-09、2023/09、令和5年9月、R5.9",
        "role": "発言者の役割",
        "all": "すべて",
        "sources": "出典",
        "comment": "評価へのコメント（任意、👍/👎 の前に入力）",
        "thanks": "評価を保存しました（#{n}）。ありがとうございました。",
        "extractive": "**抽出モード**: 資料の文をそのまま引用して答えます（LLMなし）。",
        "llm": "**LLMモード** ({model}): 生成した答えの出典を自動で確認します。",
        "searching": "検索中…",
        "read_as": "解釈: {q}",
        "searched_as": "日本語でも検索: 「{q}」",
        "understood_line": "質問から読み取り: {labels}（該当する箇所を優先。"
        "下のチェックを外すと、それを除いて答え直します）",
        "understood": "質問から読み取った条件（チェックを外すと、それを除いて答え直します）",
        "no_match": "（絞り込み中: {filters}）",
        "busy": "混み合っています。しばらくしてからもう一度お試しください。",
        "bad_date": "{name}の日付が読めません: 「{value}」。例: 2023-09、2023/09、令和5年9月、R5.9",
        "bad_question": "質問を確認してください: {detail}",
        "bad_draft": "答弁案を確認してください: {detail}",
        "bad_filter": "絞り込み「{name}」を確認してください。",
        "admin": "文書の管理",
        "upload": "報告書・会議録ファイル（PDF / Word .docx / テキスト .txt .md / .jsonl、"
        "{mb} MBまで）",
        "preview": "チャンクのプレビュー",
        "add": "索引に追加",
        "added": "追加しました: {name}（{chunks} チャンクの索引、{embedded} チャンクを埋め込み、"
        "{seconds:.1f} 秒）",
        "renamed": "同名のファイルがあるため {name} として保存しました。",
        "previewed": "{name}: {n} チャンク。内容を確認して「索引に追加」を押してください。",
        "manage": "索引済みの文書",
        "remove": "索引から削除",
        "reingest": "読み込み直す",
        "removed": "削除しました: {doc}（残り {chunks} チャンク）",
        "reingested": "読み込み直しました: {doc}（変更 {changed} 件、{chunks} チャンク）",
        "stage_check": "ファイルを確認中",
        "stage_index": "チャンク分割・埋め込み・索引の作成中",
        "stage_open": "索引を読み込み中",
        "new": "新しい会話",
        "export": "Markdownで書き出す",
        "documents": "文書一覧",
        "doc_cols": "題名|議会|会議・視察先|日付|種類|チャンク|ページ",
        "report": "行政調査報告書",
        "minutes": "会議録",
        "doc_count": "{n} 件の文書、{chunks} チャンクが索引にあります。"
        "見出しで並べ替え、検索欄で絞り込めます。",
        "exchanges": "過去のやりとり",
        "ex_intro": "話題について、議員の質問と執行機関の答弁の組を新しい順に一覧します。"
        "話題の語をすべて含むやりとりだけを数えます。グラフの棒をドラッグで選ぶか、"
        "件数表の行を押すと、その期間のやりとりだけを表示します。",
        "ex_topic": "話題",
        "ex_placeholder": "例: 待機児童",
        "ex_by": "集計の単位",
        "ex_split": "色分け",
        "ex_search": "やりとりを探す",
        "ex_meeting": "会議",
        "ex_member": "質問者（議員名の一部）",
        "ex_party": "会派",
        "ex_department": "答弁者の役職・部局",
        "ex_found": "{n} 件のやりとり（{meetings} 会議、{ms:.0f} ms）",
        "ex_none": "該当するやりとりは見つかりませんでした。語を減らすか、絞り込みを外してください。",
        "ex_period": "{period} のやりとり {n} 件を表示中。",
        "ex_listed": "一覧と書き出しは新しい {n} 件です（グラフと件数は見つかったすべて）。期間を選ぶと、その期間を一覧・書き出しします。",
        "ex_all": "すべて表示",
        "ex_cols": "期間|件数|内訳",
        "ex_count": "件数",
        "ex_table": "期間ごとの件数",
        "ex_draft": "答弁案の確認（過去の答弁と数値・方針を照合）",
        "ex_draft_box": "答弁案（貼り付け）",
        "ex_check": "過去の答弁と照合",
        "ex_same": "過去の答弁と食い違う数値・方針は見つかりませんでした。",
        "ex_diffs": "過去の答弁と食い違う可能性: {n} 件",
    },
    "en": {
        "title": "## Council documents chat\nCited answers from inspection reports and minutes. "
        "Click an answer's [n] to open its source passage.",
        "language": "Language",
        "chat": "Chat",
        "box": "Question",
        "placeholder": "e.g. How did Morioka get cloud cost savings?",
        "send": "Send",
        "examples": "Example questions (checked against the index)",
        "filters": "Filters",
        "chips": "Active filters (untick to remove)",
        "doc": "Document",
        "place": "City or meeting",
        "date_from": "Date from",
        "date_to": "Date to",
        "date_hint": "2023-09, 2023/09, 令和5年9月, R5.9",
        "role": "Speaker role",
        "all": "All",
        "sources": "Sources",
        "comment": "Comment on your rating (optional, type it before 👍/👎)",
        "thanks": "Rating saved (#{n}). Thank you.",
        "extractive": "**Extractive mode**: answers quote the documents word for word (no LLM).",
        "llm": "**LLM mode** ({model}): generated answers, citations checked automatically.",
        "searching": "Searching…",
        "read_as": "Read as: {q}",
        "searched_as": "Also searched in Japanese: 「{q}」",
        "understood_line": "Read from the question: {labels} (matching passages first; "
        "untick one below to answer again without it)",
        "understood": "Read from the question (untick one to answer again without it)",
        "no_match": "(filters on: {filters})",
        "busy": "The server is busy. Please try again shortly.",
        "bad_date": "Cannot read the {name} date “{value}”. "
        "e.g. 2023-09, 2023/09, 令和5年9月, R5.9",
        "bad_question": "Please check the question: {detail}",
        "bad_draft": "Please check the draft answer: {detail}",
        "bad_filter": "Please check the “{name}” filter.",
        "admin": "Manage documents",
        "upload": "Report or minutes file (PDF / Word .docx / text .txt .md / .jsonl, "
        "up to {mb} MB)",
        "preview": "Chunk preview",
        "add": "Add to index",
        "added": "Added: {name} ({chunks} chunks in the index, {embedded} embedded, "
        "{seconds:.1f} s)",
        "renamed": "A file of that name exists, so it was stored as {name}.",
        "previewed": "{name}: {n} chunks. Check them, then press “Add to index”.",
        "manage": "Indexed documents",
        "remove": "Remove from index",
        "reingest": "Read again",
        "removed": "Removed: {doc} ({chunks} chunks left)",
        "reingested": "Read again: {doc} ({changed} changed, {chunks} chunks)",
        "stage_check": "Checking the file",
        "stage_index": "Chunking, embedding and indexing",
        "stage_open": "Opening the index",
        "new": "New conversation",
        "export": "Export as Markdown",
        "documents": "Documents",
        "doc_cols": "Title|Council|Meeting or city|Date|Kind|Chunks|Pages",
        "report": "inspection report",
        "minutes": "minutes",
        "doc_count": "{n} documents, {chunks} chunks in the index. "
        "Sort by a heading; search with the search box.",
        "exchanges": "Past exchanges",
        "ex_intro": "Members' questions and the executive's answers about a topic, newest "
        "first. Only exchanges that contain every word of the topic count. Drag over bars in "
        "the chart, or click a row of the counts table, to list that period's exchanges.",
        "ex_topic": "Topic",
        "ex_placeholder": "e.g. 待機児童 (write the topic in Japanese)",
        "ex_by": "Count by",
        "ex_split": "Colour by",
        "ex_search": "Find exchanges",
        "ex_meeting": "Meeting",
        "ex_member": "Questioner (part of the member's name)",
        "ex_party": "Party",
        "ex_department": "Answerer's post or department",
        "ex_found": "{n} exchanges ({meetings} meetings, {ms:.0f} ms)",
        "ex_none": "No exchanges found. Try fewer words, or clear the filters.",
        "ex_period": "Showing the {n} exchanges of {period}.",
        "ex_listed": "The list and the exports hold the newest {n} (the chart and counts hold all "
        "found); pick a period to list and export that period.",
        "ex_all": "Show all",
        "ex_cols": "Period|Exchanges|Split",
        "ex_count": "exchanges",
        "ex_table": "Exchanges per period",
        "ex_draft": "Check a draft answer against past answers (numbers and positions)",
        "ex_draft_box": "Draft answer (paste)",
        "ex_check": "Check against past answers",
        "ex_same": "No past answer states a different number or position.",
        "ex_diffs": "Possible differences from past answers: {n}",
    },
}
CSS = """
.sources details { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 6px 10px; margin: 6px 0; }
.sources .passage { white-space: pre-wrap; font-size: 0.92em; margin-top: 6px; }
.sources .meta { font-size: 0.85em; }
.sources details.flash { outline: 2px solid var(--color-accent); }
.sources mark { background: #fff2a8; color: #1a1a1a; }
.dark .sources mark { background: #6b5800; color: #ffffff; }
.sources a.file, .sources a.file:visited { color: #1d4ed8; text-decoration: underline;
  font-size: 14px; }
.dark .sources a.file, .dark .sources a.file:visited { color: #93c5fd; }
.sources.nearest details { border-style: dashed; }
.sources.nearest h4 { font-weight: normal; font-style: italic; }
#chatbot .read-as, #chatbot .understood { font-size: 0.9em; }
.exchanges li.exchange > div { margin: 0.15em 0; }
.exchanges li.exchange { margin-bottom: 0.6em; }
.exchanges .answer { padding-left: 1em; }
.exchanges code { font-size: 0.8em; }
#send, #send:hover, #ex-search, #ex-search:hover { background: #9a3412; border-color: #9a3412;
  color: #ffffff; }
footer .show-api, footer .show-api * { color: #374151 !important; opacity: 1 !important; }
.dark footer .show-api, .dark footer .show-api * { color: #e5e7eb !important; }
#ask-row { flex-wrap: nowrap; align-items: flex-end; }
#ask-row > * { min-width: 0; }
#send { flex: 0 0 auto; min-width: 4.5em; }
@media (max-width: 768px) {
  #chat-row, #chat-main, #chat-side { display: contents; }
  #chat-main > *, #chat-side > * { order: 10; }
  #chat-main > #chatbot { order: 1; } #chat-main > #sources, #chat-side > #sources { order: 2; }
  #chat-main > #chips, #chat-main > #understood { order: 3; }
  #chat-main > #ask-row { order: 4; }
}
"""
# [n] in an answer opens and shows source n in the panel; <html lang> follows ?lang=.
HEAD = """<script>
document.documentElement.lang =
  new URLSearchParams(location.search).get("lang") === "en" ? "en" : "ja";
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#src-"]');
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  const root = a.getRootNode();
  const d = (root.getElementById ? root : document).getElementById(a.getAttribute("href").slice(1));
  if (!d) return;
  document.querySelectorAll(".sources details.flash").forEach((x) => x.classList.remove("flash"));
  d.open = true; d.classList.add("flash");
  const box = d.getBoundingClientRect();
  if (box.top < 0 || box.bottom > innerHeight) d.scrollIntoView({block: "nearest"});
}, true);
</script>"""
SET_LANG = "(lg) => { document.documentElement.lang = lg; return lg; }"
DOWNLOAD = """(text) => {
  if (!text) return;
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], {type: "text/markdown;charset=utf-8"}));
  a.download = "gikai-chat.md"; document.body.appendChild(a); a.click(); a.remove();
}"""
PLACE_KINDS = ("city", "meeting")
# A component whose words follow the UI language, and its update for a language.
Relabel = tuple[Any, Callable[[str], Any]]


def said(key: str, attr: str = "label") -> Callable[[str], Any]:
    """The update that sets a component's ``attr`` to ``T[lang][key]``."""

    def update(lg: str) -> Any:
        words: dict[str, Any] = {attr: T[lg][key]}
        return gr.update(**words)

    return update


def dated(key: str) -> Callable[[str], Any]:
    """A date box's label and its example formats."""
    return lambda lg: gr.update(label=T[lg][key], placeholder=T[lg]["date_hint"])


TRACK_INGEST = gr.Progress(track_tqdm=True)  # the ingest's tqdm bar, shown in the admin tab


def mode_text(service: ChatService, lang: str) -> str:
    model = service.settings.llm_model or "OpenAI-compatible"
    return T[lang][service.mode].format(model=html.escape(model))


def filters_from(doc: str, place: str, date_from: str, date_to: str, role: str) -> dict[str, str]:
    kind, _, value = (place or "").partition(":")
    out = {"doc": doc, "date_from": date_from, "date_to": date_to, "role": role}
    if value and kind in PLACE_KINDS:
        out[kind] = value
    return {k: v for k, v in out.items() if v}


def _choices(service: ChatService, lang: str) -> tuple[list[Any], list[Any]]:
    f = service.facets
    everything = (T[lang]["all"], "")
    docs = [everything, *f.documents]
    places = [everything, *((c, f"city:{c}") for c in f.cities)]
    places += [(m, f"meeting:{m}") for m in f.meetings]
    return docs, places


def _role_choices(lang: str) -> list[tuple[str, str]]:
    return [(T[lang]["all"], ""), *((ROLE_LABELS[lang][k], k) for k in ROLE_KEYS)]


def localise_error(e: Exception, lang: str) -> str:
    """A refusal in the UI language: the field's name, never a raw English message in the
    Japanese UI."""
    t = T[lang]
    if isinstance(e, BusyError):
        return t["busy"]
    field = getattr(e, "field", "")
    key = field.removeprefix("filters.")
    name = FILTER_NAMES[lang].get(key, key)
    if key.startswith("date_"):
        value = str(e).split("'")[1] if str(e).count("'") >= 2 else ""
        return t["bad_date"].format(name=name, value=value)
    if field in ("question", "draft"):
        detail = str(e).split(":", 1)[-1].strip()
        parts = [p.strip() for p in detail.split(" / ")]
        detail = (parts[-1] if lang == "ja" else parts[0]) if len(parts) > 1 else detail
        return t[f"bad_{field}"].format(detail=detail)
    return t["bad_filter"].format(name=name)


def chip_choices(
    service: ChatService, lang: str, doc: str, place: str, df: str, dt: str, role: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """The active filters as (label, control) pairs for the chips above the question box."""
    names = FILTER_NAMES[lang]
    titles = {d: t for t, d in service.facets.documents}
    kind, _, value = (place or "").partition(":")
    shown = {
        "doc": (names["doc"], titles.get(doc, doc)),
        "place": (names.get(kind, kind), value),
        "date_from": (names["date_from"], df),
        "date_to": (names["date_to"], dt),
        "role": (names["role"], ROLE_LABELS[lang].get(role, role)),
    }
    picked = {"doc": doc, "place": place, "date_from": df, "date_to": dt, "role": role}
    chips = [(f"{n}: {v}", key) for key, (n, v) in shown.items() if picked[key] and v]
    return chips, [k for _, k in chips]


def document_rows(service: ChatService, lang: str) -> list[list[Any]]:
    """The documents view: title (a link to the file where it is served), council, meeting
    or visited cities, date, kind, chunks and pages."""
    t = T[lang]
    files = service.settings.root_path + "/files/"
    rows = []
    served = service.retriever.index.manifest.get("documents", {})
    for d in service.documents():
        title = html.escape(d["title"]).replace("[", "&#91;").replace("]", "&#93;")
        path = str(served.get(d["doc_id"], {}).get("path", ""))
        if path.lower().endswith(SERVED_SUFFIXES):
            title = f"[{title}]({files}{quote(d['doc_id'], safe='')})"
        where = d["meeting"] or "・".join(d["places"])
        kind = t.get(d["kind"], d["kind"]) if d["kind"] in ("report", "minutes") else d["kind"]
        rows.append([title, d["council"], where, d["date"], kind, d["chunks"], d["pages"] or ""])
    return rows


def answer_record(
    final: Answer, filters: dict[str, str], ignored: Sequence[str] = ()
) -> dict[str, Any]:
    """What an answer keeps for its rating, the Markdown export and answering it again
    (no passages' text): ``ignored`` are the labels of the question's reading it left out."""
    out = final.to_json()
    cited = [
        {
            "n": c["n"],
            "id": c["id"],
            "line": source_line(c.get("metadata") or {}, page=c.get("page")),
        }
        for c in out.get("citations", [])
    ]
    keys = ("question", "standalone_question", "status", "mode", "answer", "confidence")
    return {
        **{k: out.get(k) for k in keys},
        "citations": cited,
        "filters": filters,
        "understood": out.get("understood", []),
        "ignored": list(ignored),
    }


def export_markdown(records: dict[str, Any], lang: str) -> str:
    """The conversation as Markdown with each answer's citations, for a briefing memo."""
    out = [f"# {'議会資料チャット' if lang == 'ja' else 'Council documents chat'}", ""]
    for _, r in sorted(records.items(), key=lambda kv: int(kv[0])):
        out += [f"## {r.get('question', '')}", "", str(r.get("answer", "")), ""]
        out += [f"[{c['n']}] {c['line']} ({c['id']})" for c in r.get("citations", [])]
        out.append("")
    return "\n".join(out)


def build_ui(
    service: ChatService, embed: bool = False, examples: list[str] | None = None
) -> gr.Blocks:
    """The chat, the documents view and (outside the embed page, behind a login) the admin
    tab over ``service``."""
    lang0 = "ja"
    t0 = T[lang0]
    docs, places = _choices(service, lang0)
    with gr.Blocks(
        title="gikai-rag 議会資料チャット",
        analytics_enabled=False,
        delete_cache=(3600, 3600),  # exports copied into Gradio's cache go after an hour
        elem_classes=["embed"] if embed else None,
    ) as demo:
        lang = gr.State(lang0)
        history = gr.State([])  # standalone questions, for follow-ups
        asked = gr.State([])  # the questions as typed, for regenerate
        records = gr.State({})  # answer JSON by its message index, for ratings and export
        saved = gr.BrowserState({}, storage_key="gikai-chat")  # the conversation, kept over reloads
        with gr.Row(equal_height=True):
            title = gr.Markdown(t0["title"], visible=not embed)
            lang_pick = gr.Radio(
                [("日本語", "ja"), ("English", "en")],
                value=lang0,
                label=t0["language"],
                show_label=False,
                scale=0,
                visible=not embed,
                elem_id="lang",
            )
        mode_badge = gr.Markdown(mode_text(service, lang0), elem_id="mode", visible=not embed)
        chat_area = gr.Column() if embed else gr.Tab(t0["chat"], id="chat")
        with chat_area as chat_tab, gr.Row(elem_id="chat-row"):
            with gr.Column(scale=3, elem_id="chat-main"):
                chatbot = gr.Chatbot(
                    label=t0["chat"],
                    height=360 if embed else 480,
                    feedback_options=("Like", "Dislike"),
                    buttons=["copy"],
                    elem_id="chatbot",
                )
                if embed:
                    sources = gr.HTML(elem_id="sources")
                chips = gr.CheckboxGroup(
                    [], value=[], label=t0["chips"], visible=False, elem_id="chips"
                )
                understood = gr.CheckboxGroup(
                    [], value=[], label=t0["understood"], visible=False, elem_id="understood"
                )
                with gr.Row(elem_id="ask-row"):
                    box = gr.Textbox(
                        label=t0["box"],
                        placeholder=t0["placeholder"],
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button(t0["send"], variant="primary", scale=1, elem_id="send")
                ex = None
                if examples:
                    ex = gr.Examples([[q] for q in examples], inputs=box, label=t0["examples"])
                comment = gr.Textbox(label=t0["comment"], lines=1, elem_id="comment")
                thanks = gr.Markdown(elem_id="feedback-status")
                with gr.Row():
                    new = gr.Button(t0["new"], size="sm", elem_id="new")
                    export = gr.Button(t0["export"], size="sm", elem_id="export")
                export_text = gr.Textbox(visible=False)
            with gr.Column(scale=2, elem_id="chat-side"):
                if not embed:
                    sources = gr.HTML(elem_id="sources")
                with gr.Accordion(t0["filters"], open=False) as filter_box:
                    doc = gr.Dropdown(docs, value="", label=t0["doc"], elem_id="f-doc")
                    place = gr.Dropdown(places, value="", label=t0["place"], elem_id="f-place")
                    with gr.Row():
                        date_from, date_to = _date_boxes(lang0, "f")
                    role = gr.Dropdown(
                        _role_choices(lang0), value="", label=t0["role"], elem_id="f-role"
                    )
        filters: list[Any] = [doc, place, date_from, date_to, role]
        doc_view: list[Relabel] = []
        past: list[Relabel] = []
        if not embed:
            doc_view = _documents_tab(service)
            past = _exchanges_tab(service, lang)

        def answer(
            message: str,
            chat: list[Any],
            hist: list[str],
            said: list[str],
            recs: dict[str, Any],
            lg: str,
            picked: Sequence[str],
            ignore: Sequence[str] = (),
        ) -> Iterator[tuple[Any, ...]]:
            chat = [*chat, {"role": "user", "content": html.escape(message or "", quote=False)}]
            chat.append({"role": "assistant", "content": T[lg]["searching"]})
            yield chat, gr.skip(), hist, said, recs, "", _no_labels()
            text, final = "", None
            active = filters_from(*picked)
            try:
                for item in service.stream(message, hist, active, ignore_hints=list(ignore)):
                    if isinstance(item, Answer):
                        final = item
                    else:
                        text += item
                        chat[-1] = {"role": "assistant", "content": answer_markdown(text)}
                        yield chat, gr.skip(), hist, said, recs, "", gr.skip()
            except (RequestError, BusyError) as e:
                chat[-1] = {
                    "role": "assistant",
                    "content": "⚠ " + html.escape(localise_error(e, lg)),
                }
                yield chat, "", hist, said, recs, gr.skip(), gr.skip()
                return
            assert final is not None
            read_as = ""
            if final.standalone_question and final.standalone_question != final.question:
                q = html.escape(final.standalone_question, quote=False)
                read_as = f'<span class="read-as">{T[lg]["read_as"].format(q=q)}</span>\n\n'
            for wording in final.searched_as:  # LLM mode: an English question in Japanese
                line = html.escape(T[lg]["searched_as"].format(q=wording), quote=False)
                read_as += f'<span class="read-as">{line}</span>\n\n'
            labels = list(final.understood)
            if labels:
                line = T[lg]["understood_line"].format(labels=" · ".join(labels))
                read_as += f'<span class="understood">{html.escape(line, quote=False)}</span>\n\n'
            no_match = ""
            if final.status == "no_answer" and active:
                names = filters_text(active, lg)
                no_match = " " + html.escape(T[lg]["no_match"].format(filters=names))
            warnings = "".join(f"\n\n⚠ {html.escape(w)}" for w in final.warnings)
            footer = f"\n\n<small>{answer_footer(final.mode, final.status, final.confidence, lg)}</small>"
            chat[-1] = {
                "role": "assistant",
                "content": read_as + answer_markdown(final.answer) + no_match + warnings + footer,
            }
            panel = sources_html(
                final.citations or final.nearest,
                not final.citations,
                lg,
                files_url=service.settings.root_path + "/files/",
            )
            recs = {**recs, str(len(chat) - 1): answer_record(final, active, ignore)}
            # the labels used, ticked, and those removed, unticked, so they can come back
            chosen = gr.update(
                choices=[*labels, *ignore],
                value=labels,
                visible=bool(labels or ignore),
                label=T[lg]["understood"],
            )
            hist = [*hist, final.standalone_question]
            yield chat, panel, hist, [*said, message], recs, "", chosen

        def respond(
            message: str,
            chat: list[Any],
            hist: list[str],
            said: list[str],
            recs: dict[str, Any],
            lg: str,
            *picked: str,
        ) -> Iterator[tuple[Any, ...]]:
            yield from answer(message, chat, hist, said, recs, lg, picked)

        state = [chatbot, history, asked, records]
        ask_inputs = [box, chatbot, history, asked, records, lang, *filters]
        ask_outputs = [chatbot, sources, history, asked, records, box, understood]
        for trigger in (box.submit, send.click):
            trigger(respond, ask_inputs, ask_outputs, api_visibility="private").then(
                _keep, state, saved, api_visibility="private"
            )

        def regenerate(
            chat: list[Any],
            hist: list[str],
            said: list[str],
            recs: dict[str, Any],
            lg: str,
            *picked: str,
        ) -> Iterator[tuple[Any, ...]]:
            yield from _again(chat, hist, said, recs, lg, picked, _labels(recs, chat, "ignored"))

        def _again(
            chat: list[Any],
            hist: list[str],
            said: list[str],
            recs: dict[str, Any],
            lg: str,
            picked: Sequence[str],
            ignore: Sequence[str],
        ) -> Iterator[tuple[Any, ...]]:
            """The last question answered again, in place of its answer."""
            if not said:
                yield chat, gr.skip(), hist, said, recs, gr.skip(), gr.skip()
                return
            recs = {k: v for k, v in recs.items() if int(k) < len(chat) - 2}
            yield from answer(said[-1], chat[:-2], hist[:-1], said[:-1], recs, lg, picked, ignore)

        def without_hints(
            kept: list[str],
            chat: list[Any],
            hist: list[str],
            said: list[str],
            recs: dict[str, Any],
            lg: str,
            *picked: str,
        ) -> Iterator[tuple[Any, ...]]:
            """A label of the question's reading unticked (or ticked again): the last question
            answered again without the labels now unticked."""
            shown = [*_labels(recs, chat, "understood"), *_labels(recs, chat, "ignored")]
            ignore = [x for x in shown if x not in (kept or [])]
            yield from _again(chat, hist, said, recs, lg, picked, ignore)

        understood.input(
            without_hints,
            [understood, chatbot, history, asked, records, lang, *filters],
            ask_outputs,
            api_visibility="private",
        ).then(_keep, state, saved, api_visibility="private")

        chatbot.retry(
            regenerate,
            [chatbot, history, asked, records, lang, *filters],
            ask_outputs,
            api_visibility="private",
        ).then(_keep, state, saved, api_visibility="private")

        def reset() -> tuple[Any, ...]:
            return [], "", [], [], {}, "", "", {}, _no_labels()

        for trigger in (new.click, chatbot.clear):
            trigger(
                reset,
                None,
                [*state[:1], sources, *state[1:], thanks, comment, saved, understood],
                api_visibility="private",
                show_progress="hidden",  # instant: no "processing" over the emptied panes
            )

        def restore(kept: dict[str, Any]) -> tuple[Any, ...]:
            kept = kept if isinstance(kept, dict) else {}
            chat = [
                {"role": m["role"], "content": _text_of(m.get("content"))}
                for m in kept.get("chat") or []
                if isinstance(m, dict) and m.get("role") in ("user", "assistant")
            ]
            hist = service.clean_history(kept.get("history"))
            said = service.clean_history(kept.get("asked"))
            recs = kept.get("records") if isinstance(kept.get("records"), dict) else {}
            return chat, hist, said, recs

        def rate(data: gr.LikeData, note: str, recs: dict[str, Any], lg: str) -> tuple[str, str]:
            record = recs.get(str(data.index)) if isinstance(data.index, int) else None
            if not record or data.liked not in (True, False):
                return gr.skip(), gr.skip()
            try:
                checked = FeedbackAnswer.model_validate(record).model_dump()
                row = service.feedback.add(
                    checked, bool(data.liked), clean_text(note or ""), record.get("filters")
                )
            except (ValueError, TypeError):
                return gr.skip(), gr.skip()
            return T[lg]["thanks"].format(n=row), ""

        chatbot.like(rate, [comment, records, lang], [thanks, comment], api_visibility="private")

        def show_chips(lg: str, *picked: str) -> Any:
            choices, value = chip_choices(service, lg, *picked)
            return gr.update(
                choices=choices, value=value, visible=bool(choices), label=T[lg]["chips"]
            )

        def drop_chip(kept: list[str], *picked: str) -> list[Any]:
            keys = ("doc", "place", "date_from", "date_to", "role")
            return ["" if k not in kept else gr.skip() for k, _ in zip(keys, picked, strict=True)]

        for control in filters:
            control.change(show_chips, [lang, *filters], chips, api_visibility="private")
        chips.input(drop_chip, [chips, *filters], filters, api_visibility="private")

        export.click(
            lambda recs, lg: export_markdown(recs, lg),
            [records, lang],
            export_text,
            api_visibility="private",
        ).then(None, export_text, None, js=DOWNLOAD)

        # Every component whose words follow the UI language, with its update for a language:
        # the one table the language switch reads, so outputs and updates cannot drift apart.
        labels: list[Relabel] = [
            (lang, lambda lg: lg),
            (title, lambda lg: gr.update(value=T[lg]["title"])),
            (mode_badge, lambda lg: gr.update(value=mode_text(service, lg))),
            (chat_tab, said("chat")),
            (chatbot, said("chat")),
            (box, lambda lg: gr.update(label=T[lg]["box"], placeholder=T[lg]["placeholder"])),
            (send, said("send", "value")),
            (new, said("new", "value")),
            (export, said("export", "value")),
            (comment, said("comment")),
            (filter_box, said("filters")),
            (understood, lambda lg: gr.update(label=T[lg]["understood"])),
            (doc, lambda lg: gr.update(label=T[lg]["doc"], choices=_choices(service, lg)[0])),
            (place, lambda lg: gr.update(label=T[lg]["place"], choices=_choices(service, lg)[1])),
            (date_from, dated("date_from")),
            (date_to, dated("date_to")),
            (role, lambda lg: gr.update(label=T[lg]["role"], choices=_role_choices(lg))),
        ]
        if ex is not None:
            labels.append((ex.dataset, said("examples")))
        labels += doc_view + past
        if service.settings.admin and not embed:
            labels += _admin_tab(service, lang, doc, place, [c for c, _ in doc_view])
        lang_pick.change(
            lambda lg: [update(lg) for _, update in labels],
            lang_pick,
            [c for c, _ in labels],
            api_visibility="private",
        )
        lang_pick.change(show_chips, [lang_pick, *filters], chips, api_visibility="private")
        lang_pick.change(None, lang_pick, None, js=SET_LANG)

        def from_url(request: gr.Request) -> str:
            return "en" if request.query_params.get("lang") == "en" else "ja"

        demo.load(from_url, None, lang_pick, api_visibility="private")
        demo.load(restore, saved, state, api_visibility="private")
        gr.api(_api_chat(service), api_name="chat")
    demo.queue(default_concurrency_limit=service.settings.concurrency)
    return demo


def _no_labels() -> Any:
    """The question's reading, emptied and hidden (a new question, a new conversation)."""
    return gr.update(choices=[], value=[], visible=False)


def _labels(recs: Any, chat: list[Any], key: str) -> list[str]:
    """The last answer's record's list of labels under ``key`` (``understood``, ``ignored``);
    empty when the record is missing or not as written (restored from the browser)."""
    last = recs.get(str(len(chat) - 1)) if isinstance(recs, dict) else None
    found = last.get(key) if isinstance(last, dict) else None
    return [x for x in found if isinstance(x, str)] if isinstance(found, list) else []


def _text_of(content: Any) -> str:
    """A stored message's text: Gradio keeps it as a string or a list of text parts."""
    if isinstance(content, list):
        return "".join(
            str(p.get("text", ""))
            for p in content
            if isinstance(p, dict) and p.get("type") == "text"
        )
    return str(content or "")


def _keep(
    chat: list[Any], hist: list[str], said: list[str], recs: dict[str, Any]
) -> dict[str, Any]:
    return {"chat": chat, "history": hist, "asked": said, "records": recs}


def _doc_counts(service: ChatService) -> dict[str, int]:
    rows = service.documents()
    return {"n": len(rows), "chunks": sum(r["chunks"] for r in rows)}


def _documents_tab(service: ChatService) -> list[Relabel]:
    """Every indexed document, sortable and searchable, each title opening its file."""
    t = T["ja"]
    with gr.Tab(t["documents"], id="documents") as tab:
        count = gr.Markdown(t["doc_count"].format(**_doc_counts(service)), elem_id="doc-count")
        table = gr.Dataframe(
            document_rows(service, "ja"),
            headers=t["doc_cols"].split("|"),
            datatype=["markdown", "str", "str", "str", "str", "number", "number"],
            interactive=False,
            show_search="search",
            wrap=True,
            elem_id="documents",
        )
    return [
        (tab, said("documents")),
        (count, lambda lg: gr.update(value=T[lg]["doc_count"].format(**_doc_counts(service)))),
        (
            table,
            lambda lg: gr.update(
                value=document_rows(service, lg), headers=T[lg]["doc_cols"].split("|")
            ),
        ),
    ]


EX_BY = {
    "ja": [("年度", "year"), ("会議", "meeting"), ("会派", "party"), ("議員", "member")],
    "en": [
        ("fiscal year", "year"),
        ("meeting", "meeting"),
        ("party", "party"),
        ("member", "member"),
    ],
}
EX_SPLIT = {
    "ja": [("なし", ""), ("会派", "party"), ("議員", "member")],
    "en": [("none", ""), ("party", "party"), ("member", "member")],
}
EX_FILES = ("csv", "md", "docx")
LISTED = 200  # exchanges listed (and exported) at once; the chart and the counts hold all
KEPT_EXPORTS = 32  # export folders kept for their downloads; older ones are removed
_scratch: deque[Path] = deque()
_scratch_lock = threading.Lock()


@atexit.register
def _drop_exports() -> None:
    with _scratch_lock:
        while _scratch:
            shutil.rmtree(_scratch.popleft(), ignore_errors=True)


def _export_files(result: ExchangeResult) -> list[str]:
    """The listed exchanges (the first :data:`LISTED`) as CSV, Markdown and DOCX files, for
    the download buttons."""
    result = ExchangeResult(result.query, result.exchanges[:LISTED], result.timings_ms)
    folder = Path(tempfile.mkdtemp(prefix="gikai-exchanges-"))
    with _scratch_lock:  # Gradio runs events in several threads
        _scratch.append(folder)
        old = [_scratch.popleft() for _ in range(max(0, len(_scratch) - KEPT_EXPORTS))]
    for gone in old:
        shutil.rmtree(gone, ignore_errors=True)
    data = {
        "csv": to_csv(result.exchanges).encode("utf-8-sig"),  # BOM: Excel reads it as UTF-8
        "md": to_markdown(result).encode("utf-8"),
        "docx": to_docx(result),
    }
    paths = []
    for suffix in EX_FILES:
        path = folder / f"gikai-exchanges.{suffix}"
        path.write_bytes(data[suffix])
        paths.append(str(path))
    return paths


def timeline_frame(result: ExchangeResult, by: str, split: str) -> tuple[Any, list[list[Any]]]:
    """The timeline as the chart's rows (period, count, split) and the counts table."""
    import pandas as pd

    rows, table = [], []
    for key, counts in timeline(result.exchanges, by, split or None):
        for part, n in counts.items():
            rows.append({"period": key, "count": n, "split": part})
        shares = "、".join(f"{k} {n}" for k, n in counts.most_common()) if split else ""
        table.append([key, sum(counts.values()), shares])
    return pd.DataFrame(rows, columns=["period", "count", "split"]), table


def _chart(result: ExchangeResult, by: str, split: str, lang: str) -> tuple[Any, list[list[Any]]]:
    """The chart's update and the counts table for ``result`` counted by ``by``."""
    frame, table = timeline_frame(result, by, split)
    update = gr.update(
        value=frame,
        color="split" if split else None,
        sort=[row[0] for row in table],
        x_title=dict((v, k) for k, v in EX_BY[lang])[by],
    )
    return update, table


def _date_boxes(lang: str, prefix: str) -> tuple[Any, Any]:
    """The "from" and "to" date boxes of a filter, with the date forms they read."""
    t = T[lang]

    def box(key: str, end: str) -> Any:
        return gr.Textbox(label=t[key], placeholder=t["date_hint"], elem_id=f"{prefix}-{end}")

    return box("date_from", "from"), box("date_to", "to")


def _ex_filters(date_from: str | None, date_to: str | None, meeting: str | None) -> dict[str, str]:
    """The exchanges tab's filters; empty boxes filter nothing."""
    return {"date_from": date_from or "", "date_to": date_to or "", "meeting": meeting or ""}


def _meeting_choices(service: ChatService, lang: str) -> list[tuple[str, str]]:
    return [(T[lang]["all"], ""), *[(m, m) for m in service.facets.meetings]]


def _exchanges_tab(service: ChatService, lang: Any) -> list[Relabel]:
    """Past exchanges about a topic: the timeline chart, the pairs newest first, exports,
    and the check of a draft answer against past answers."""
    t = T["ja"]
    with gr.Tab(t["exchanges"], id="exchanges") as tab:
        intro = gr.Markdown(t["ex_intro"])
        with gr.Row(equal_height=True):
            topic = gr.Textbox(
                label=t["ex_topic"], placeholder=t["ex_placeholder"], scale=4, elem_id="ex-topic"
            )
            by = gr.Radio(EX_BY["ja"], value="year", label=t["ex_by"], scale=3, elem_id="ex-by")
            split = gr.Dropdown(
                EX_SPLIT["ja"], value="", label=t["ex_split"], scale=1, elem_id="ex-split"
            )
            go = gr.Button(t["ex_search"], variant="primary", scale=1, elem_id="ex-search")
        with gr.Accordion(t["filters"], open=False) as more:
            with gr.Row():
                date_from, date_to = _date_boxes("ja", "ex")
                meeting = gr.Dropdown(
                    _meeting_choices(service, "ja"),
                    value="",
                    label=t["ex_meeting"],
                    elem_id="ex-meeting",
                )
            with gr.Row():
                member = gr.Textbox(label=t["ex_member"], elem_id="ex-member")
                party = gr.Textbox(label=t["ex_party"], elem_id="ex-party")
                department = gr.Textbox(label=t["ex_department"], elem_id="ex-department")
        status = gr.Markdown(elem_id="ex-status")
        plot = gr.BarPlot(
            None,
            x="period",
            y="count",
            x_title=t["ex_by"],
            y_title=t["ex_count"],
            label=t["exchanges"],
            x_label_angle=-30,
            y_lim=[0, None],
            height=280,
            elem_id="ex-plot",
        )
        counts = gr.Dataframe(
            headers=t["ex_cols"].split("|"),
            datatype=["str", "number", "str"],
            interactive=False,
            wrap=True,
            label=t["ex_table"],
            elem_id="ex-counts",
        )
        with gr.Row(equal_height=True):
            shown = gr.Markdown(elem_id="ex-shown")
            show_all = gr.Button(t["ex_all"], size="sm", visible=False, scale=0, elem_id="ex-all")
        listing = gr.HTML(elem_id="ex-list")
        with gr.Row():
            downloads = [
                gr.DownloadButton(name, visible=False, size="sm", elem_id=f"ex-{suffix}")
                for name, suffix in zip(("CSV", "Markdown", "Word (DOCX)"), EX_FILES, strict=True)
            ]
        with gr.Accordion(t["ex_draft"], open=False) as draft_box:
            draft = gr.Textbox(label=t["ex_draft_box"], lines=6, elem_id="ex-draft")
            check = gr.Button(t["ex_check"], elem_id="ex-check")
            diffs = gr.HTML(elem_id="ex-diffs")
    found = gr.State(None)  # the last search: (ExchangeResult, by)
    limit = service.settings.max_question_chars
    ask = [topic, date_from, date_to, meeting, member, party, department, lang]

    def search(
        q: str,
        d_from: str,
        d_to: str,
        mtg: str,
        mem: str,
        par: str,
        dep: str,
        lg: str,
        by_: str,
        split_: str,
    ) -> tuple[Any, ...]:
        try:
            who = ExchangeQuery(*(clean_text(x or "").strip()[:limit] for x in (mem, par, dep)))
            result = service.exchanges(q, _ex_filters(d_from, d_to, mtg), who)
        except (RequestError, BusyError) as e:
            hidden = [gr.update(visible=False, value=None) for _ in downloads]
            return (
                "⚠ " + html.escape(localise_error(e, lg)),
                None,
                [],
                "",
                "",
                gr.update(visible=False),
                *hidden,
                None,
            )
        plot_update, table = _chart(result, by_, split_, lg)
        meetings = len({(e.meeting, e.date) for e in result.exchanges})
        note = T[lg]["ex_found"].format(
            n=len(result.exchanges), meetings=meetings, ms=result.timings_ms.get("total", 0)
        )
        if not result.exchanges:
            note += " " + T[lg]["ex_none"]
        if len(result.exchanges) > LISTED:
            note += " " + T[lg]["ex_listed"].format(n=LISTED)
        files = _export_files(result) if result.exchanges else [None] * len(downloads)
        return (
            note,
            plot_update,
            table,
            "",
            exchanges_html(result.exchanges[:LISTED], lg),
            gr.update(visible=False),
            *[gr.update(value=f, visible=f is not None) for f in files],
            (result, by_),
        )

    outs = [status, plot, counts, shown, listing, show_all, *downloads, found]
    for trigger in (go.click, topic.submit):
        trigger(search, [*ask, by, split], outs, api_visibility="private")

    def regroup(kept: Any, by_: str, split_: str, lg: str) -> tuple[Any, ...]:
        """The same exchanges counted another way: nothing is searched again."""
        if not kept:
            return gr.skip(), gr.skip(), gr.skip()
        plot_update, table = _chart(kept[0], by_, split_, lg)
        return plot_update, table, (kept[0], by_)

    for choice in (by, split):
        choice.change(
            regroup, [found, by, split, lang], [plot, counts, found], api_visibility="private"
        )

    def period(kept: Any, periods: list[str], lg: str) -> tuple[Any, ...]:
        if not kept or not periods:
            return _skips(len(shown_outs))
        result, by_ = kept
        picked = [e for e in result.exchanges if bucket(e, by_) in periods]
        names = sorted({bucket(e, by_) for e in picked})  # what was found, not what was sent
        label = html.escape(("、" if lg == "ja" else ", ").join(names))
        files = _export_files(ExchangeResult(result.query, picked))
        note = T[lg]["ex_period"].format(period=label, n=len(picked))
        if len(picked) > LISTED:
            note += " " + T[lg]["ex_listed"].format(n=LISTED)
        return (
            note,
            exchanges_html(picked[:LISTED], lg),
            gr.update(visible=True),
            *[gr.update(value=f, visible=True) for f in files],
        )

    def from_bars(kept: Any, lg: str, evt: gr.SelectData) -> tuple[Any, ...]:
        values = evt.value if isinstance(evt.value, list) else [evt.value]
        return period(kept, [str(v) for v in values if isinstance(v, str)], lg)

    def from_row(kept: Any, lg: str, evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        return period(kept, [str(row[0])] if row else [], lg)

    shown_outs = [shown, listing, show_all, *downloads]
    plot.select(from_bars, [found, lang], shown_outs, api_visibility="private")
    counts.select(from_row, [found, lang], shown_outs, api_visibility="private")

    def everything(kept: Any, lg: str) -> tuple[Any, ...]:
        if not kept:
            return "", "", gr.update(visible=False), *_skips(len(downloads))
        result = kept[0]
        files = _export_files(result)
        return (
            "",
            exchanges_html(result.exchanges[:LISTED], lg),
            gr.update(visible=False),
            *[gr.update(value=f) for f in files],
        )

    show_all.click(everything, [found, lang], shown_outs, api_visibility="private")

    def compare(text: str, q: str, d_from: str, d_to: str, mtg: str, lg: str) -> str:
        try:
            found_diffs = service.check_draft(text, q, _ex_filters(d_from, d_to, mtg))
        except (RequestError, BusyError) as e:
            return "⚠ " + html.escape(localise_error(e, lg))
        if not found_diffs:
            return f"<p>{html.escape(T[lg]['ex_same'])}</p>"
        head = html.escape(T[lg]["ex_diffs"].format(n=len(found_diffs)))
        return f"<p>{head}</p>" + differences_html(found_diffs, lg)

    check.click(
        compare, [draft, topic, date_from, date_to, meeting, lang], diffs, api_visibility="private"
    )

    return [
        (tab, said("exchanges")),
        (intro, said("ex_intro", "value")),
        (topic, lambda lg: gr.update(label=T[lg]["ex_topic"], placeholder=T[lg]["ex_placeholder"])),
        (by, lambda lg: gr.update(label=T[lg]["ex_by"], choices=EX_BY[lg])),
        (split, lambda lg: gr.update(label=T[lg]["ex_split"], choices=EX_SPLIT[lg])),
        (go, said("ex_search", "value")),
        (more, said("filters")),
        (date_from, dated("date_from")),
        (date_to, dated("date_to")),
        (
            meeting,
            lambda lg: gr.update(label=T[lg]["ex_meeting"], choices=_meeting_choices(service, lg)),
        ),
        (member, said("ex_member")),
        (party, said("ex_party")),
        (department, said("ex_department")),
        (plot, lambda lg: gr.update(label=T[lg]["exchanges"], y_title=T[lg]["ex_count"])),
        (
            counts,
            lambda lg: gr.update(label=T[lg]["ex_table"], headers=T[lg]["ex_cols"].split("|")),
        ),
        (show_all, said("ex_all", "value")),
        (draft_box, said("ex_draft")),
        (draft, said("ex_draft_box")),
        (check, said("ex_check", "value")),
    ]


def _admin_tab(
    service: ChatService, lang: Any, doc: Any, place: Any, doc_view: list[Any]
) -> list[Relabel]:
    """Upload a file, preview its chunks, add it to the index on confirmation; remove or
    re-read an indexed document."""
    t = T["ja"]
    with gr.Tab(t["admin"], id="admin") as tab:
        upload = gr.File(
            label=t["upload"].format(mb=_upload_mb(service)),
            file_count="single",
            file_types=[".txt", ".md", ".text", ".jsonl", ".gz", ".xz", ".pdf", ".docx"],
            elem_id="upload",
        )
        preview = gr.Dataframe(
            headers=["id", "type", "city / meeting", "speakers", "text"],
            label=t["preview"],
            interactive=False,
            elem_id="preview",
            wrap=True,
        )
        add = gr.Button(t["add"], variant="primary", interactive=False, elem_id="add")
        status = gr.Markdown(elem_id="admin-status")
        with gr.Row():
            indexed = gr.Dropdown(
                _indexed_choices(service), label=t["manage"], elem_id="indexed", scale=3
            )
            remove = gr.Button(t["remove"], variant="stop", elem_id="remove", scale=1)
            again = gr.Button(t["reingest"], elem_id="reingest", scale=1)

    pending = gr.State("")  # the checked file waiting for confirmation

    def show(path: str | None, lg: str) -> tuple[Any, ...]:
        if not path:
            return gr.update(), gr.update(value=None), gr.update(interactive=False), "", ""
        name = Path(path).name
        try:
            chunks = service.preview(Path(path), name)
        except RequestError as e:  # cleared, so another file can be dropped at once
            error = "⚠ " + html.escape(str(e))
            return None, gr.update(value=None), gr.update(interactive=False), error, ""
        rows = [
            [
                c.id,
                c.metadata.get("chunk_type"),
                c.metadata.get("city") or c.metadata.get("meeting") or "",
                " / ".join(c.metadata.get("speakers") or []),
                c.text[:160],
            ]
            for c in chunks
        ]
        msg = T[lg]["previewed"].format(name=html.escape(name), n=len(chunks))
        return gr.update(), gr.update(value=rows), gr.update(interactive=True), msg, path

    def refreshed(lg: str) -> tuple[Any, ...]:
        docs, places = _choices(service, lg)
        views = (
            gr.update(value=T[lg]["doc_count"].format(**_doc_counts(service))),
            gr.update(value=document_rows(service, lg)),
        )
        return (
            gr.update(choices=docs),
            gr.update(choices=places),
            gr.update(choices=_indexed_choices(service), value=None),
            *views[: len(doc_view) - 1],
        )

    def confirm(path: str, lg: str, progress: gr.Progress = TRACK_INGEST) -> tuple[Any, ...]:
        keep = (gr.update(), gr.update())
        if not path:
            return (*keep, gr.update(interactive=False), "", "", *_skips(3 + len(doc_view) - 1))
        progress(0.05, desc=T[lg]["stage_check"])
        try:
            progress(0.2, desc=T[lg]["stage_index"])
            result = service.add_document(Path(path), Path(path).name)
        except RequestError as e:
            return (
                *keep,
                gr.update(interactive=False),
                "⚠ " + html.escape(str(e)),
                "",
                *_skips(3 + len(doc_view) - 1),
            )
        progress(0.95, desc=T[lg]["stage_open"])
        r = result.report
        msg = T[lg]["added"].format(
            name=html.escape(result.stored_as),
            chunks=r.chunks,
            embedded=r.embedded,
            seconds=r.seconds,
        )
        if result.renamed:
            msg += " " + T[lg]["renamed"].format(name=html.escape(result.stored_as))
        return (None, gr.update(value=None), gr.update(interactive=False), msg, "", *refreshed(lg))

    def manage(doc_id: str | None, lg: str, drop: bool) -> tuple[Any, ...]:
        if not doc_id:
            return ("", *_skips(3 + len(doc_view) - 1))
        title = dict((d, t) for t, d in service.facets.documents).get(doc_id, doc_id)
        try:
            if drop:
                r = service.remove_document(doc_id)
                msg = T[lg]["removed"].format(doc=html.escape(title), chunks=r.chunks)
            else:
                r = service.reingest_document(doc_id)
                msg = T[lg]["reingested"].format(
                    doc=html.escape(title), changed=len(r.changed), chunks=r.chunks
                )
        except RequestError as e:
            return ("⚠ " + html.escape(str(e)), *_skips(3 + len(doc_view) - 1))
        return (msg, *refreshed(lg))

    listed = [doc, place, indexed, *doc_view[1:]]
    upload.upload(
        show, [upload, lang], [upload, preview, add, status, pending], api_visibility="private"
    )
    upload.clear(
        lambda: (gr.update(value=None), gr.update(interactive=False), "", ""),
        None,
        [preview, add, status, pending],
        api_visibility="private",
    )
    add.click(
        confirm,
        [pending, lang],
        [upload, preview, add, status, pending, *listed],
        api_visibility="private",
    )
    remove.click(
        lambda d, lg: manage(d, lg, True),
        [indexed, lang],
        [status, *listed],
        api_visibility="private",
    )
    again.click(
        lambda d, lg: manage(d, lg, False),
        [indexed, lang],
        [status, *listed],
        api_visibility="private",
    )
    return [
        (tab, said("admin")),
        (upload, lambda lg: gr.update(label=T[lg]["upload"].format(mb=_upload_mb(service)))),
        (preview, said("preview")),
        (add, said("add", "value")),
        (indexed, said("manage")),
        (remove, said("remove", "value")),
        (again, said("reingest", "value")),
    ]


def _skips(n: int) -> tuple[Any, ...]:
    return tuple(gr.skip() for _ in range(n))


def _indexed_choices(service: ChatService) -> list[tuple[str, str]]:
    return [(f"{d['title']} ({d['doc_id']})", d["doc_id"]) for d in service.documents()]


def _upload_mb(service: ChatService) -> str:
    return f"{service.settings.max_upload_bytes / 1024 / 1024:g}"


def _api_chat(service: ChatService) -> Any:
    def chat(
        question: str,
        history: list[str] | None = None,
        filters: dict[str, str] | None = None,
        mode: str = "auto",
    ) -> Iterator[dict[str, Any]]:
        """Answer a question with citations. Streams partial answers ({"status": "streaming"}),
        then the same JSON as `rag ask --json` and POST /api/ask (``understood`` included).
        Its four arguments stay as they were, since Gradio's call API needs every argument
        and callers pass four; turning the question's reading off is POST /api/ask's
        (``hints``, ``ignore_hints``)."""
        text = ""
        try:
            how: Literal["auto", "extractive"] = "extractive" if mode == "extractive" else "auto"
            for item in service.stream(question, history, filters, how):
                if isinstance(item, Answer):
                    yield item.to_json()
                else:
                    text += item
                    yield {"question": question, "status": "streaming", "answer": text}
        except (RequestError, BusyError) as e:
            raise gr.Error(str(e)) from e

    return chat


def add_web_component(app: Any) -> None:
    """``/gradio.js``: the script of Gradio's web component, for pages that embed the chat."""
    from fastapi.responses import FileResponse

    @app.get("/gradio.js", include_in_schema=False)
    def web_component() -> Any:
        script = Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"
        return FileResponse(script, media_type="text/javascript")


def build_app(service: ChatService) -> Any:
    """FastAPI with the JSON API, the chat at / and the compact chat at /embed/."""
    api = create_api(service)
    add_web_component(api)
    settings = service.settings
    common: dict[str, Any] = {
        "root_path": settings.root_path or None,
        "css": CSS,
        "head": HEAD,
        "footer_links": ["api"],
    }
    examples = service.examples()
    mounts = {
        "/embed": build_ui(service, embed=True, examples=examples[:2]),
        "": build_ui(service, examples=examples),
    }

    @api.get("/embed", include_in_schema=False)
    def embed_slash() -> Any:
        from fastapi.responses import RedirectResponse

        return RedirectResponse(settings.root_path + "/embed/", status_code=307)

    for path, blocks in mounts.items():
        gr.mount_gradio_app(
            api, blocks, path=path, max_file_size=settings.max_upload_bytes, **common
        )
    return secure(api, settings, mounts)


def main(argv: list[str] | None = None) -> int:
    settings = Settings.from_env()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--host", default=settings.host, help="default: $RAG_HOST or 127.0.0.1")
    ap.add_argument("--port", type=int, default=settings.port, help="default: $RAG_PORT or 7860")
    ap.add_argument("--root-path", help="sub-path behind a reverse proxy, e.g. /gikai")
    args = ap.parse_args(argv)
    if args.root_path is not None:
        settings = replace(settings, root_path=args.root_path.rstrip("/"))
    for name in recover_uploads(settings):
        print(f"note: {name}: its upload never finished indexing; removed", file=sys.stderr)
    report = ingest(list(settings.corpus), settings, progress=True)
    for e in report.errors:
        print(f"error: {e}", file=sys.stderr)
    print(report.summary(), flush=True)
    try:
        service = ChatService(settings)
    except IndexCorruptError as e:  # damaged files: say which, then rebuild from the corpus
        print(f"error: {e}\nrebuilding the index from the corpus…", file=sys.stderr)
        print(ingest(list(settings.corpus), settings, rebuild=True, progress=True).summary())
        service = ChatService(settings)
    app = build_app(service)

    import uvicorn

    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"gikai-rag is running at http://{shown}:{args.port}{settings.root_path}/", flush=True)
    print(
        f"  API: POST /api/ask · docs /api/docs · embed /embed/ · mode {service.mode}", flush=True
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level="warning",
        # X-Forwarded-For only from the proxies named in RAG_FORWARDED_ALLOW_IPS
        proxy_headers=settings.forwarded_allow_ips is not None,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
