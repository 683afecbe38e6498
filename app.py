"""gikai-rag: the chat UI, the embeddable widget and the HTTP API in one server.

    python app.py [--host 127.0.0.1] [--port 7860]

On first run the index is built from ``corpus/`` (with a progress bar); later starts only
load it. The Gradio chat is at ``/``, a compact chat for other pages at ``/embed/``, the
JSON API at ``/api/ask`` (docs at ``/api/docs``). This file only wires the UI to ``rag``:
answering, limits and feedback live in :mod:`rag.serving`, the HTML in :mod:`rag.presenting`.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import gradio as gr

from rag.answers import Answer
from rag.guards import secure
from rag.indexing import IndexCorruptError, ingest
from rag.presenting import ROLE_LABELS, answer_markdown, sources_html
from rag.serving import (
    BusyError,
    ChatService,
    RequestError,
    clean_text,
    create_api,
    recover_uploads,
)
from rag.settings import Settings

EXAMPLES = [
    "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか",
    "仙台市は？",
    "How did Morioka get cloud cost savings?",
    "仙台市の書かない窓口の取組は？",
]
ROLES = {k: (ROLE_LABELS["ja"][k], ROLE_LABELS["en"][k]) for k in ("member", "official", "chair")}
T: dict[str, dict[str, str]] = {
    "ja": {
        "title": "## 議会資料チャット\n行政調査報告書・会議録に、出典つきで答えます。"
        "答えの [n] を押すと根拠の箇所が開きます。",
        "chat": "チャット",
        "box": "質問",
        "placeholder": "例: 盛岡市はなぜガバメントクラウドでコストメリットを出せたのか",
        "send": "送信",
        "filters": "絞り込み",
        "doc": "文書",
        "place": "視察先・会議",
        "date_from": "日付（から）",
        "date_to": "日付（まで）",
        "role": "発言者の役割",
        "all": "すべて",
        "sources": "出典",
        "good": "👍 役に立った",
        "bad": "👎 役に立たなかった",
        "comment": "コメント（任意）",
        "thanks": "ご意見を保存しました（#{n}）。ありがとうございました。",
        "no_answer_yet": "評価する回答がまだありません。",
        "extractive": "🔎 **抽出モード**: 資料の文をそのまま引用して答えます（LLMなし）。",
        "llm": "🤖 **LLMモード** ({model}): 生成した答えの出典を自動で確認します。",
        "searching": "検索中…",
        "admin": "文書の追加",
        "upload": "報告書・会議録ファイル（PDF / Word .docx / .txt / .md / .jsonl、{mb} MBまで）",
        "preview": "チャンクのプレビュー",
        "add": "索引に追加",
        "added": "追加しました: {summary}",
        "previewed": "{name}: {n} チャンク。内容を確認して「索引に追加」を押してください。",
        "new": "新しい会話",
    },
    "en": {
        "title": "## Council documents chat\nCited answers from inspection reports and minutes. "
        "Click an answer's [n] to open its source passage.",
        "chat": "Chat",
        "box": "Question",
        "placeholder": "e.g. How did Morioka get cloud cost savings?",
        "send": "Send",
        "filters": "Filters",
        "doc": "Document",
        "place": "City or meeting",
        "date_from": "Date from",
        "date_to": "Date to",
        "role": "Speaker role",
        "all": "All",
        "sources": "Sources",
        "good": "👍 Helpful",
        "bad": "👎 Not helpful",
        "comment": "Comment (optional)",
        "thanks": "Feedback saved (#{n}). Thank you.",
        "no_answer_yet": "There is no answer to rate yet.",
        "extractive": "🔎 **Extractive mode**: answers quote the documents word for word (no LLM).",
        "llm": "🤖 **LLM mode** ({model}): generated answers, citations checked automatically.",
        "searching": "Searching…",
        "admin": "Add documents",
        "upload": "Report or minutes file (PDF / Word .docx / .txt / .md / .jsonl, up to {mb} MB)",
        "preview": "Chunk preview",
        "add": "Add to index",
        "added": "Added: {summary}",
        "previewed": "{name}: {n} chunks. Check them, then press “Add to index”.",
        "new": "New conversation",
    },
}
CSS = """
.sources details { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 6px 10px; margin: 6px 0; }
.sources .passage { white-space: pre-wrap; font-size: 0.92em; margin-top: 6px; }
.sources .meta { font-size: 0.85em; opacity: 0.8; }
.sources details.flash { outline: 2px solid var(--color-accent); }
.sources mark { background: #fff2a8; color: inherit; }
"""
# [n] in an answer opens and shows source n in the panel.
HEAD = """<script>
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest('a[href^="#src-"]');
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  const root = a.getRootNode();
  const d = (root.getElementById ? root : document).getElementById(a.getAttribute("href").slice(1));
  if (!d) return;
  document.querySelectorAll(".sources details.flash").forEach((x) => x.classList.remove("flash"));
  d.open = true; d.classList.add("flash"); d.scrollIntoView({block: "nearest"});
}, true);
</script>"""


def mode_text(service: ChatService, lang: str) -> str:
    model = service.settings.llm_model or "OpenAI-compatible"
    return T[lang][service.mode].format(model=html.escape(model))


def filters_from(doc: str, place: str, date_from: str, date_to: str, role: str) -> dict[str, str]:
    kind, _, value = (place or "").partition(":")
    out = {"doc": doc, "date_from": date_from, "date_to": date_to, "role": role}
    if value:
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
    return [(T[lang]["all"], ""), *((f"{j} / {e}", k) for k, (j, e) in ROLES.items())]


def build_ui(service: ChatService, embed: bool = False) -> gr.Blocks:
    """The chat (and, outside the embed page, the admin tab) over ``service``."""
    lang0 = "ja"
    docs, places = _choices(service, lang0)
    with gr.Blocks(title="gikai-rag 議会資料チャット", analytics_enabled=False) as demo:
        lang = gr.State(lang0)
        history = gr.State([])  # standalone questions, for follow-ups
        last = gr.State({})  # the last answer's JSON, for feedback
        with gr.Row():
            title = gr.Markdown(T[lang0]["title"], visible=not embed)
            lang_pick = gr.Radio(
                [("日本語", "ja"), ("English", "en")], value=lang0, show_label=False, scale=0
            )
        mode_badge = gr.Markdown(mode_text(service, lang0), elem_id="mode")
        with gr.Tab(T[lang0]["chat"]) as chat_tab, gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label=T[lang0]["chat"],
                    height=420 if embed else 480,
                    feedback_options=None,
                    elem_id="chatbot",
                )
                with gr.Row():
                    box = gr.Textbox(
                        label=T[lang0]["box"],
                        placeholder=T[lang0]["placeholder"],
                        scale=5,
                        elem_id="question",
                    )
                    send = gr.Button(T[lang0]["send"], variant="primary", scale=1)
                gr.Examples(EXAMPLES, inputs=box, label="質問の例 / Examples")
                with gr.Row():
                    good = gr.Button(T[lang0]["good"], size="sm", elem_id="good")
                    bad = gr.Button(T[lang0]["bad"], size="sm", elem_id="bad")
                    new = gr.Button(T[lang0]["new"], size="sm")
                comment = gr.Textbox(label=T[lang0]["comment"], lines=1, elem_id="comment")
                thanks = gr.Markdown(elem_id="feedback-status")
            with gr.Column(scale=2):
                sources = gr.HTML(elem_id="sources")
                with gr.Accordion(T[lang0]["filters"], open=False) as filter_box:
                    doc = gr.Dropdown(docs, value="", label=T[lang0]["doc"])
                    place = gr.Dropdown(places, value="", label=T[lang0]["place"])
                    with gr.Row():
                        date_from = gr.Textbox(
                            label=T[lang0]["date_from"], placeholder="2023-01-01"
                        )
                        date_to = gr.Textbox(label=T[lang0]["date_to"], placeholder="2023-12-31")
                    role = gr.Dropdown(
                        _role_choices(lang0),
                        value="",
                        label=T[lang0]["role"],
                    )
        filters = [doc, place, date_from, date_to, role]

        def respond(
            message: str, chat: list[Any], hist: list[str], lg: str, *picked: str
        ) -> Iterator[tuple[Any, ...]]:
            chat = [*chat, {"role": "user", "content": html.escape(message or "", quote=False)}]
            chat.append({"role": "assistant", "content": T[lg]["searching"]})
            yield chat, gr.skip(), hist, gr.skip(), ""
            text, final = "", None
            try:
                for item in service.stream(message, hist, filters_from(*picked)):
                    if isinstance(item, Answer):
                        final = item
                    else:
                        text += item
                        chat[-1] = {"role": "assistant", "content": answer_markdown(text)}
                        yield chat, gr.skip(), hist, gr.skip(), ""
            except (RequestError, BusyError) as e:
                chat[-1] = {"role": "assistant", "content": "⚠ " + html.escape(str(e))}
                yield chat, gr.skip(), hist, gr.skip(), ""
                return
            assert final is not None
            footer = f"\n\n<small>{final.mode} · {final.status} · confidence {final.confidence:.2f}</small>"
            warnings = "".join(f"\n\n⚠ {html.escape(w)}" for w in final.warnings)
            chat[-1] = {
                "role": "assistant",
                "content": answer_markdown(final.answer) + warnings + footer,
            }
            panel = sources_html(
                final.citations or final.nearest,
                not final.citations,
                lg,
                files_url=service.settings.root_path + "/files/",
            )
            record = {**final.to_json(), "filters": filters_from(*picked)}
            yield chat, panel, [*hist, final.standalone_question], record, ""

        ask_inputs = [box, chatbot, history, lang, *filters]
        ask_outputs = [chatbot, sources, history, last, box]
        box.submit(respond, ask_inputs, ask_outputs, api_visibility="private")
        send.click(respond, ask_inputs, ask_outputs, api_visibility="private")
        new.click(
            lambda: ([], "", [], {}),
            None,
            [chatbot, sources, history, last],
            api_visibility="private",
        )

        def rate(is_good: bool, note: str, record: dict[str, Any], lg: str) -> tuple[str, str]:
            if not record:
                return T[lg]["no_answer_yet"], note
            row = service.feedback.add(
                record, is_good, clean_text(note or ""), record.get("filters")
            )
            return T[lg]["thanks"].format(n=row), ""

        for button, is_good in ((good, True), (bad, False)):
            button.click(
                lambda note, record, lg, g=is_good: rate(g, note, record, lg),
                [comment, last, lang],
                [thanks, comment],
                api_visibility="private",
            )

        translated: list[Any] = [title, mode_badge, chat_tab, chatbot, box, send, good, bad, new]
        translated += [comment, filter_box, *filters]
        admin: list[Any] = []
        if service.settings.admin and not embed:
            admin = _admin_tab(service, lang, doc, place)

        def relabel(lg: str) -> list[Any]:
            t = T[lg]
            docs, places = _choices(service, lg)
            updates = [
                lg,
                gr.update(value=t["title"]),
                gr.update(value=mode_text(service, lg)),
                gr.update(label=t["chat"]),
                gr.update(label=t["chat"]),
                gr.update(label=t["box"], placeholder=t["placeholder"]),
                gr.update(value=t["send"]),
                gr.update(value=t["good"]),
                gr.update(value=t["bad"]),
                gr.update(value=t["new"]),
                gr.update(label=t["comment"]),
                gr.update(label=t["filters"]),
                gr.update(label=t["doc"], choices=docs),
                gr.update(label=t["place"], choices=places),
                gr.update(label=t["date_from"]),
                gr.update(label=t["date_to"]),
                gr.update(label=t["role"], choices=_role_choices(lg)),
            ]
            admin_updates = [
                gr.update(label=t["admin"]),
                gr.update(label=t["upload"].format(mb=_upload_mb(service))),
                gr.update(label=t["preview"]),
                gr.update(value=t["add"]),
            ]
            return updates + admin_updates[: len(admin)]

        lang_pick.change(relabel, lang_pick, [lang, *translated, *admin], api_visibility="private")

        def from_url(request: gr.Request) -> str:
            return "en" if request.query_params.get("lang") == "en" else "ja"

        demo.load(from_url, None, lang_pick, api_visibility="private")
        gr.api(_api_chat(service), api_name="chat")
    demo.queue(default_concurrency_limit=service.settings.concurrency)
    return demo


def _admin_tab(service: ChatService, lang: Any, doc: Any, place: Any) -> list[Any]:
    """Upload a file, preview its chunks, add it to the index on confirmation."""
    t = T["ja"]
    with gr.Tab(t["admin"]) as tab:
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

    def confirm(path: str, lg: str) -> tuple[Any, ...]:
        keep = (gr.update(), gr.update(), gr.update(), gr.update())
        if not path:
            return (*keep, gr.update(interactive=False), "", "")
        try:
            report = service.add_document(Path(path), Path(path).name)
        except RequestError as e:
            return (*keep, gr.update(interactive=False), "⚠ " + html.escape(str(e)), "")
        docs, places = _choices(service, lg)
        msg = T[lg]["added"].format(summary=html.escape(report.summary()))
        cleared = (None, gr.update(value=None), gr.update(choices=docs), gr.update(choices=places))
        return (*cleared, gr.update(interactive=False), msg, "")

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
        [upload, preview, doc, place, add, status, pending],
        api_visibility="private",
    )
    return [tab, upload, preview, add]


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
        then the same JSON as `rag ask --json` and POST /api/ask."""
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


def build_app(service: ChatService) -> Any:
    """FastAPI with the JSON API, the chat at / and the compact chat at /embed/."""
    api = create_api(service)
    settings = service.settings
    common: dict[str, Any] = {
        "root_path": settings.root_path or None,
        "css": CSS,
        "head": HEAD,
        "footer_links": ["api"],
    }
    mounts = {"/embed": build_ui(service, embed=True), "": build_ui(service)}
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
