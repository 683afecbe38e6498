"""The chat in a real browser: Debian's /usr/bin/chromium driven by Playwright (no browser
download). `make test` installs chromium when it is missing; without it these tests skip.

Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_USER, ROOT
from tests.openai_stub import openai_stub
from tests.servers import MARKUP_QUESTION, Server, run_app

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "build" / "screenshots"
MORIOKA_EN = "How did Morioka get cloud cost savings?"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium (make test installs Debian's chromium)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="ja-JP")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    yield pg
    context.close()


def ask(pg: Any, question: str, answers_before: int = 0) -> Any:
    box = pg.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    bot = pg.locator("#chatbot .message-row.bot-row, #chatbot [data-testid='bot']")
    pg.wait_for_function(
        """([n]) => {
            const bots = document.querySelectorAll("#chatbot [data-testid='bot']");
            return bots.length > n && /confidence/.test(bots[bots.length - 1].innerText);
        }""",
        arg=[answers_before],
        timeout=60_000,
    )
    return bot.last


def test_asks_sees_a_cited_answer_and_opens_its_source(app_server: Server, page: Any) -> None:
    page.goto(app_server.url)
    answer = ask(page, MORIOKA_EN)
    assert "ICS" in answer.inner_text()
    cite = page.locator("#chatbot a.cite").first
    assert cite.inner_text() == "[1]"
    page.locator("#sources details").first.evaluate("d => { d.open = false; }")
    cite.click()
    source = page.locator("#src-1")
    assert source.evaluate("d => d.open") is True
    assert "flash" in (source.get_attribute("class") or "")
    assert "ICS" in source.locator("mark").inner_text()
    assert "盛岡市" in source.locator("summary").inner_text()
    assert "2023-09-13" in source.locator("summary").inner_text()
    page.screenshot(path=str(SHOTS / "chat-morioka.png"), full_page=True)
    # a follow-up about the other city
    ask(page, "仙台市は？", answers_before=1)
    assert "仙台市" in page.locator("#sources").inner_text()
    # feedback, saved to SQLite
    page.locator("#comment textarea").fill("browser test")
    page.locator("#good").click()
    page.wait_for_function(
        "() => /#\\d+/.test(document.querySelector('#feedback-status').innerText)"
    )
    assert page.errors == []


def test_markup_in_documents_and_questions_is_shown_as_text(app_server: Server, page: Any) -> None:
    page.goto(app_server.url)
    ask(page, "<b>" + MARKUP_QUESTION + "</b><img src=x onerror='window.__xss=3'>")
    sources = page.locator("#sources")
    text = sources.inner_text()
    assert "<script>window.__xss = 1</script>" in text
    assert '<img src=x onerror="window.__xss = 2">' in text
    assert sources.locator("script").count() == 0 and sources.locator("img").count() == 0
    user = page.locator("#chatbot [data-testid='user']").last.inner_text()
    assert "<b>" in user and "onerror" in user
    assert page.locator("#chatbot img[src='x'], #chatbot b").count() == 0
    assert page.evaluate("() => window.__xss") is None
    page.screenshot(path=str(SHOTS / "chat-markup-as-text.png"), full_page=True)


def test_english_interface_and_filters(app_server: Server, page: Any) -> None:
    page.goto(app_server.url + "?lang=en")
    page.get_by_role("button", name="Send").wait_for()
    page.get_by_text("Filters").click()
    page.get_by_text("City or meeting").first.wait_for()
    answer = ask(page, "Which city has the no-writing counter?")
    assert answer.inner_text()
    assert "Extractive mode" in page.locator("#mode").inner_text()


def test_admin_uploads_previews_and_adds_a_document(
    admin_server: Server, browser: Any, tmp_path: Path
) -> None:
    user, password = ADMIN_USER
    context = browser.new_context(
        viewport={"width": 1300, "height": 1000},
        locale="ja-JP",
        http_credentials={"username": user, "password": password},
    )
    page = context.new_page()
    page.goto(admin_server.url)
    page.locator("#question textarea").wait_for()
    page.wait_for_timeout(1000)  # the on-load language event re-labels the tabs
    page.get_by_role("tab", name="文書の追加").click()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    page.locator("#upload input[type=file]").set_input_files(str(bad))
    page.wait_for_function("() => /empty/.test(document.querySelector('#admin-status').innerText)")
    assert page.locator("#add").is_disabled()
    good = tmp_path / "upload-r6.txt"
    good.write_text(
        "令和6年第2回テスト町議会定例会会議録\n令和6年6月3日\n"
        "○2番（田中一郎君） 町営プールの再開時期を伺います。\n"
        "○教育長（高橋次郎君） 町営プールは令和6年7月に再開します。\n",
        encoding="utf-8",
    )
    page.locator("#upload input[type=file]").set_input_files(str(good))
    page.wait_for_function(
        "() => /チャンク/.test(document.querySelector('#admin-status').innerText)"
    )
    assert "町営プール" in page.locator("#preview").inner_text()
    page.locator("#add").click()
    page.wait_for_function(
        "() => /追加しました/.test(document.querySelector('#admin-status').innerText)"
    )
    page.get_by_role("tab", name="チャット").click()
    ask(page, "町営プールはいつ再開しますか")
    assert "7月" in page.locator("#sources").inner_text()
    context.close()


def test_the_open_chat_has_no_admin_tab(app_server: Server, page: Any) -> None:
    page.goto(app_server.url)
    page.locator("#question textarea").wait_for()
    assert page.get_by_role("tab", name="文書の追加").count() == 0
    assert page.locator("#upload").count() == 0


def _serve(folder: Path) -> ThreadingHTTPServer:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    return ThreadingHTTPServer(("127.0.0.1", 0), handler)


def test_readme_embed_snippets_work_from_another_origin(
    app_server: Server, browser: Any, embed_port: int, tmp_path: Path
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- embed-snippet:start -->")[1].split("<!-- embed-snippet:end -->")[0]
    snippet = re.search(r"```html\n(.*?)```", block, re.S)
    assert snippet, "the README's embed snippet"
    html = snippet[1].replace("http://127.0.0.1:7860/", app_server.url)
    (tmp_path / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>intranet</title>{html}", encoding="utf-8"
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", embed_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport={"width": 1200, "height": 1800})
    try:
        pg = context.new_page()
        pg.goto(f"http://127.0.0.1:{embed_port}/index.html")
        frame = pg.frame_locator("iframe")
        frame.locator("#question textarea").fill(MORIOKA_EN)
        frame.locator("#question textarea").press("Enter")
        frame.locator("#chatbot a.cite").first.wait_for(timeout=60_000)
        component = pg.locator("gradio-app")
        component.locator("#question textarea").fill(
            "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか"
        )
        component.locator("#question textarea").press("Enter")
        component.locator("#chatbot a.cite").first.wait_for(timeout=60_000)
        assert "ICS" in component.locator("#sources").inner_text()
        pg.screenshot(path=str(SHOTS / "embed.png"), full_page=True)
    finally:
        context.close()
        server.shutdown()


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    def reply(messages: list[dict[str, Any]]) -> str:
        if "ICS" in messages[-1]["content"]:
            return (
                "Morioka keeps its backups in the cloud 「クラウドサービスを活用」 [1], and it "
                "uses a local vendor's integrated package 「パッケージシステムを導入」 [1]."
            )
        return "NO_ANSWER"

    with openai_stub(reply, delay=0.15) as (url, _):
        env = {"RAG_LLM_URL": url, "RAG_LLM_MODEL": "stub-model"}
        with run_app(tmp_path_factory.mktemp("llm-ui"), env) as server:
            yield server


def test_llm_answer_streams_into_the_chat(llm_server: Server, page: Any) -> None:
    page.goto(llm_server.url)
    assert "LLM" in page.locator("#mode").inner_text()
    page.evaluate(
        """() => {
        window.__seen = new Set();
        new MutationObserver(() => {
            const bots = document.querySelectorAll("#chatbot [data-testid='bot']");
            if (bots.length) window.__seen.add(bots[bots.length - 1].innerText);
        }).observe(document.querySelector("#chatbot"), {subtree: true, childList: true, characterData: true});
    }"""
    )
    ask(page, MORIOKA_EN)
    seen = page.evaluate("() => [...window.__seen]")
    growing = [s for s in seen if s.startswith("Morioka")]
    assert len(growing) >= 4, seen  # the answer appeared word by word
    assert page.locator("#chatbot a.cite").count() >= 1
    assert "llm" in page.locator("#chatbot [data-testid='bot']").last.inner_text()


def test_pdf_citation_names_and_links_its_page(
    tmp_path_factory: pytest.TempPathFactory, page: Any
) -> None:
    """Issue 9, as a new user: the report's PDF dropped into corpus/, then the app."""
    import httpx

    from tests.documents import build_pdf
    from tests.servers import make_corpus

    folder = tmp_path_factory.mktemp("pdf-ui")
    corpus = make_corpus(folder / "corpus")
    text = (corpus / "sumida-jichitai-dx-gyosei-chosa-r05.txt").read_text(encoding="utf-8")
    where = build_pdf(text, corpus / "sumida-report.pdf")
    ics_page = next(where[n][0] for n, line in enumerate(text.split("\n")) if "株式会社ICS" in line)
    with run_app(folder) as server:
        page.goto(server.url)
        ask(page, MORIOKA_EN)
        summary = page.locator("#src-1 summary").inner_text()
        assert summary.endswith(f"/ p. {ics_page}"), summary
        link = page.locator("#src-1 a.file")
        href = link.get_attribute("href") or ""
        assert href == f"/files/sumida-report#page={ics_page}"
        page.screenshot(path=str(SHOTS / "chat-pdf-page.png"), full_page=True)
        pdf = httpx.get(server.path(href.split("#")[0]), timeout=10)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
