"""The service, the HTML it shows, and the HTTP API of a real running `python app.py`:
plain HTTP, `gradio_client`, the Gradio call API, auth on every route, a sub-path proxy,
and the LLM mode streaming through a real OpenAI-protocol server."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from rag.answering import Citation
from rag.feedback import FeedbackStore
from rag.guards import AuthMiddleware
from rag.presenting import answer_markdown, page_label, source_line, sources_html
from rag.service import ChatService, RequestError, recover_uploads
from rag.settings import Settings, parse_auth
from tests.conftest import ROOT
from tests.openai_stub import is_translation, openai_stub
from tests.servers import Server, run_app

MORIOKA_EN = "How did Morioka get cloud cost savings?"
ICS_CHUNK = "sumida-dx-r05#006"


# -- presenting ---------------------------------------------------------------------------
def test_answer_markup_is_escaped_and_markers_link_to_sources() -> None:
    out = answer_markdown('答え<script>alert(1)</script>です。[2] <img src=x onerror="x()">[10]')
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "<img" not in out and "&lt;img" in out
    assert '<a href="#src-2" class="cite">[2]</a>' in out
    assert '<a href="#src-10" class="cite">[10]</a>' in out


def test_sources_panel_escapes_passages_and_marks_the_quote() -> None:
    text = "前置き<script>bad()</script>。理由は二つあります。後書き"
    meta = {"title": "T<i>", "city": "盛岡市", "date": "2023-09-13", "pages": [4, 5]}
    html_out = sources_html([Citation(1, "d#001", text, "理由は二つあります。", meta)])
    assert "<script>" not in html_out and "&lt;script&gt;bad()&lt;/script&gt;" in html_out
    assert "T&lt;i&gt;" in html_out
    assert "<mark>理由は二つあります。</mark>" in html_out
    assert 'id="src-1"' in html_out and "pp. 4–5" in html_out


def test_source_line_names_document_place_date_and_page() -> None:
    meta = {"title": "報告書", "meeting": "第1回定例会", "date": "2024-03-01", "page": 7}
    assert source_line(meta) == "報告書 / 第1回定例会 / 2024-03-01 / p. 7"
    assert page_label({"pages": [3, 3]}) == "p. 3" and page_label({}) is None


# -- feedback and settings ----------------------------------------------------------------
def test_feedback_rows_become_eval_candidates(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    answer = {
        "question": "仙台市は？",
        "standalone_question": "仙台市はなぜ…",
        "status": "answered",
        "answer": "…[1]",
        "citations": [{"id": "d#003"}],
    }
    assert store.add(answer, good=True, comment="  正確  ") == 1
    assert store.add(answer, good=False) == 2
    with pytest.raises(ValueError, match="no answer"):
        store.add({}, good=True)
    rows = list(store.as_eval_queries())
    assert [r["rating"] for r in rows] == ["good", "bad"]
    assert rows[0]["question"] == "仙台市はなぜ…" and rows[0]["comment"] == "正確"
    assert rows[0]["candidate_relevant"] == ["d#003"] and rows[1]["candidate_relevant"] == []
    store.close()
    raw = sqlite3.connect(tmp_path / "fb" / "feedback.sqlite").execute(
        "SELECT count(*) FROM feedback"
    )
    assert raw.fetchone()[0] == 2  # on disk, not only in memory


def test_auth_settings_and_header_checks() -> None:
    assert parse_auth("a:b, staff:p:w") == (("a", "b"), ("staff", "p:w"))
    with pytest.raises(ValueError, match="RAG_AUTH"):
        parse_auth("nopassword")
    mw = AuthMiddleware(lambda *a: None, Settings(auth=(("u", "pw"),), api_token="tok"))  # type: ignore[arg-type, return-value]
    basic = "Basic " + base64.b64encode(b"u:pw").decode()
    assert mw.allowed(basic) and mw.allowed("Bearer tok")
    assert not mw.allowed("Bearer nope") and not mw.allowed(
        "Basic " + base64.b64encode(b"u:x").decode()
    )
    assert not mw.allowed("") and not mw.allowed("Basic !!!")


# -- the service's checks ----------------------------------------------------------------
@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> ChatService:
    from rag.indexing import ingest
    from tests.conftest import FakeEmbeddings
    from tests.servers import make_corpus

    folder = tmp_path_factory.mktemp("svc")
    settings = Settings(
        corpus=(make_corpus(folder / "corpus"),),
        index_dir=folder / "index",
        embed_model="fake",
        feedback_db=folder / "fb.sqlite",
        max_question_chars=100,
        concurrency=1,
        queue_timeout=0.2,
    )
    emb = FakeEmbeddings()
    ingest(list(settings.corpus), settings, emb)
    return ChatService(settings, embeddings=emb)


def test_questions_are_checked_with_messages_naming_the_field(service: ChatService) -> None:
    with pytest.raises(RequestError, match="question: empty"):
        service.clean_question(" \x00\t ")
    with pytest.raises(RequestError, match="question: 101 characters; the limit is 100"):
        service.clean_question("あ" * 101)
    assert service.clean_question("盛岡\x07市は\u202e？") == "盛岡 市は ？"
    with pytest.raises(RequestError, match="filters.colour: unknown filter"):
        service.clean_filters({"colour": "red"})
    with pytest.raises(RequestError, match="filters.date_from: '2023/13' is not a date"):
        service.clean_filters({"date_from": "2023/13"})
    assert service.clean_filters({"date_from": "2023/01"}).date_from == "2023-01"
    assert service.clean_filters({"city": "盛岡市", "role": ""}).items() == {"city": "盛岡市"}
    with pytest.raises(RequestError, match="hints: must be true or false, not 'false'"):
        service.clean_hints("false", [])
    with pytest.raises(RequestError, match="ignore_hints: labels of 1 to 100 characters"):
        service.clean_hints(True, ["2022年度", 7])
    assert service.clean_hints(False, None) == (False, ())


def test_concurrency_limit_refuses_when_every_slot_stays_taken(service: ChatService) -> None:
    from rag.service import BusyError

    held = service.stream("盛岡市のクラウドの費用は？")
    next(held)  # holds the only slot while the answer is being produced
    with pytest.raises(BusyError, match="busy: 1 answers already running"):
        service.ask("仙台市の窓口は？")
    held.close()  # the slot is given back
    assert service.ask("仙台市の窓口は？").question == "仙台市の窓口は？"


UPLOAD = (
    "令和6年第2回テスト町議会定例会会議録\n令和6年6月3日\n"
    "○2番（田中一郎君） 町営プールの再開時期を伺います。\n"
    "○教育長（高橋次郎君） 町営プールは令和6年7月に再開します。\n"
)


def test_upload_preview_and_add_keep_the_index_whole_on_a_bad_file(
    service: ChatService, tmp_path: Path
) -> None:
    before = [c.id for c in service.retriever.chunks]
    folder = service.settings.corpus[0]
    files_before = sorted(p.name for p in folder.iterdir())
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"\x00\x01\x02binary\xff\xfe" * 50)
    with pytest.raises(RequestError, match="broken.txt") as e:
        service.add_document(bad, "broken.txt")
    assert str(tmp_path) not in str(e.value) and str(folder) not in str(e.value)
    assert [c.id for c in service.retriever.chunks] == before
    assert sorted(p.name for p in folder.iterdir()) == files_before
    good = tmp_path / "upload.txt"
    good.write_text(UPLOAD, encoding="utf-8")
    chunks = service.preview(good)
    assert any("町営プール" in c.text for c in chunks)
    result = service.add_document(good, "../../etc/町議会 r6.txt")  # the name is made safe
    assert (folder / "町議会_r6.txt").exists() and not result.renamed
    assert result.report.added == ["町議会_r6"]
    after = [c.id for c in service.retriever.chunks]
    assert after[: len(before)] == before and len(after) > len(before)
    assert any(d == "町議会_r6" for _, d in service.facets.documents)
    assert not any((service.settings.index_dir / "uploads").iterdir())  # staging emptied


def test_an_upload_never_overwrites_a_document(service: ChatService, tmp_path: Path) -> None:
    folder = service.settings.corpus[0]
    original = (folder / "test-city-20240301.txt").read_bytes()
    other = tmp_path / "test-city-20240301.txt"
    other.write_text(UPLOAD.replace("プール", "体育館"), encoding="utf-8")
    result = service.add_document(other, other.name)
    assert result.renamed and result.stored_as == "test-city-20240301-2.txt"
    assert "stored as test-city-20240301-2.txt" in result.summary()
    assert (folder / "test-city-20240301.txt").read_bytes() == original
    with pytest.raises(RequestError, match="already indexed as test-city-20240301-2"):
        service.add_document(other, "again.txt")
    # a free file name that would give an indexed document's id takes a free id instead
    chunks_before = {c.id for c in service.retriever.chunks if c.id.startswith("sumida-dx-r05#")}
    shadow = tmp_path / "sumida-dx-r05.txt"
    shadow.write_text(UPLOAD.replace("プール", "図書館分室"), encoding="utf-8")
    result = service.add_document(shadow, shadow.name)
    assert result.stored_as == "sumida-dx-r05-2.txt" and result.report.added == ["sumida-dx-r05-2"]
    assert not result.report.changed
    assert {c.id for c in service.retriever.chunks if c.id.startswith("sumida-dx-r05#")} == (
        chunks_before
    )


def test_upload_names_and_unreadable_fields_give_clear_errors(
    service: ChatService, tmp_path: Path
) -> None:
    dots = tmp_path / "..txt"
    dots.write_text(UPLOAD.replace("プール", "公民館"), encoding="utf-8")
    assert service.add_document(dots, "..txt").stored_as == "upload.txt"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "m1", "dateIso": "2024-01-01", "title": "t", '
        '"voices": [{"i": "NaN", "speaker": "議長", "text": "開会します。"}]}\n',
        encoding="utf-8",
    )
    with pytest.raises(RequestError, match=r"^file: bad.jsonl: ") as e:
        service.preview(bad, "bad.jsonl")
    assert str(tmp_path) not in str(e.value)


def test_an_upload_whose_ingest_fails_or_is_killed_leaves_the_corpus_as_it_was(
    service: ChatService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.service

    folder = service.settings.corpus[0]
    files_before = sorted(p.name for p in folder.iterdir())
    doc = tmp_path / "late.txt"
    doc.write_text(UPLOAD.replace("プール", "図書室"), encoding="utf-8")

    def killed(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as a kill arrives in the middle of the ingest

    monkeypatch.setattr(rag.service, "ingest", killed)
    with pytest.raises(KeyboardInterrupt):
        service.add_document(doc, doc.name)
    assert sorted(p.name for p in folder.iterdir()) == files_before
    # a hard kill leaves the copy and its journal entry: the next start removes them
    staging = service.settings.index_dir / "uploads"
    (folder / "late.txt").write_bytes(doc.read_bytes())
    entry = {"target": str(folder / "late.txt"), "sha256": "not-committed"}
    (staging / "late.txt.pending").write_text(json.dumps(entry))
    assert recover_uploads(service.settings) == ["late.txt"]
    assert sorted(p.name for p in folder.iterdir()) == files_before
    assert not any(staging.iterdir())


# -- a real server -----------------------------------------------------------------------
@pytest.mark.integration
def test_api_ask_returns_the_cli_json(app_server: Server) -> None:
    r = httpx.post(app_server.path("api/ask"), json={"question": MORIOKA_EN}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "answered" and body["mode"] == "extractive"
    assert body["citations"][0]["id"] == ICS_CHUNK
    assert "ICS" in body["citations"][0]["quote"]
    env = {
        "RAG_CORPUS": str(app_server.folder / "corpus"),
        "RAG_INDEX_DIR": str(app_server.folder / "index"),
        "PATH": "/usr/bin:/bin",
    }

    def rag_ask(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "rag", "ask", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    expected = json.loads(rag_ask(MORIOKA_EN, "--json"))
    assert set(body) == set(expected)
    for key in ("question", "status", "answer", "mode", "citations", "standalone_question"):
        assert body[key] == expected[key], key
    # what the search read from the question is listed, and can be turned off
    dated = {"question": "令和5年の視察で盛岡市のクラウドの費用は"}
    r = httpx.post(app_server.path("api/ask"), json=dated, timeout=60)
    assert r.status_code == 200 and r.json()["understood"] == ["2023年"]
    r = httpx.post(app_server.path("api/ask"), json={**dated, "hints": False}, timeout=60)
    assert r.status_code == 200 and r.json()["understood"] == []
    two = {"question": "令和5年の予算特別委員会でのクラウドの費用は", "ignore_hints": ["2023年"]}
    r = httpx.post(app_server.path("api/ask"), json=two, timeout=60)
    assert r.status_code == 200 and r.json()["understood"] == ["予算特別委員会"]
    r = httpx.post(app_server.path("api/ask"), json={**two, "ignore_hints": ["x"] * 21}, timeout=60)
    assert r.status_code == 422 and r.json()["detail"]["field"] == "ignore_hints"
    r = httpx.post(app_server.path("api/ask"), json={**dated, "hints": "maybe"}, timeout=60)
    assert r.status_code == 422 and r.json()["detail"]["field"] == "hints"
    assert "read from the question: 2023年" in rag_ask(dated["question"])
    assert json.loads(rag_ask(dated["question"], "--no-hints", "--json"))["understood"] == []


@pytest.mark.integration
def test_api_refuses_bad_requests_clearly_and_keeps_serving(app_server: Server) -> None:
    ask = app_server.path("api/ask")
    cases = [
        ({"question": ""}, "question", "empty"),
        ({"question": "あ" * 100_000}, "question", "100,000 characters; the limit is 1,000"),
        ({"question": "x", "filters": {"colour": "red"}}, "filters.colour", "unknown filter"),
        ({"question": "x", "filters": {"date_to": "soon"}}, "filters.date_to", "is not a date"),
    ]
    for payload, field, message in cases:
        r = httpx.post(ask, json=payload, timeout=30)
        assert r.status_code == 422, r.text
        assert r.json()["detail"]["field"] == field and message in r.json()["detail"]["error"]
    r = httpx.post(ask, json={"no": "question"}, timeout=30)
    assert r.status_code == 422 and "question" in r.text
    r = httpx.post(
        ask, json={"question": "<b>図書館</b>の\x00開館時間は延長されますか"}, timeout=30
    )
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert httpx.get(app_server.path("api/health"), timeout=10).json()["status"] == "ok"


@pytest.mark.integration
def test_api_docs_health_embed_and_web_component(app_server: Server, embed_port: int) -> None:
    spec = httpx.get(app_server.path("api/openapi.json"), timeout=10).json()
    assert {"/api/ask", "/api/health", "/api/feedback"} <= set(spec["paths"])
    assert httpx.get(app_server.path("api/docs"), timeout=10).status_code == 200
    health = httpx.get(app_server.path("api/health"), timeout=10).json()
    assert health["documents"] >= 2 and health["mode"] == "extractive" and health["chunks"] > 40
    embed = httpx.get(app_server.path("embed/"), timeout=10)
    assert embed.status_code == 200 and "gradio_config" in embed.text
    js = httpx.get(app_server.path("gradio.js"), timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    # the embedding page's origin is allowed; others are not
    origin = f"http://127.0.0.1:{embed_port}"
    pre = httpx.options(
        app_server.path("api/ask"),
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert pre.headers.get("access-control-allow-origin") == origin
    other = httpx.options(
        app_server.path("api/ask"),
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        timeout=10,
    )
    assert "access-control-allow-origin" not in other.headers
    assert origin in embed.headers["content-security-policy"]


@pytest.mark.integration
def test_gradio_client_and_call_api(app_server: Server) -> None:
    from gradio_client import Client

    client = Client(app_server.url, verbose=False)
    assert "/chat" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    out = client.predict(
        "盛岡市はなぜガバメントクラウドでコストメリットを出せたのか", api_name="/chat"
    )
    assert out["status"] == "answered" and out["citations"][0]["id"] == ICS_CHUNK
    job = client.submit(
        "仙台市は？",
        ["盛岡市はなぜガバメントクラウドでコストメリットを出せたのか"],
        api_name="/chat",
    )
    outputs = list(job)
    assert outputs[0]["status"] == "streaming" and outputs[-1]["status"] in (
        "answered",
        "no_answer",
    )
    assert outputs[-1]["standalone_question"].startswith("仙台市")
    # the plain two-step call API of Gradio: POST, then read the event stream
    start = httpx.post(
        app_server.path("gradio_api/call/chat"),
        json={"data": [MORIOKA_EN, [], {}, "auto"]},
        timeout=30,
    )
    event_id = start.json()["event_id"]
    stream = httpx.get(app_server.path(f"gradio_api/call/chat/{event_id}"), timeout=60).text
    assert "event: complete" in stream and ICS_CHUNK in stream
    # errors reach the client as errors, with the field named
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="question: empty"):
        client.predict("", api_name="/chat")


@pytest.mark.integration
def test_feedback_api_saves_to_sqlite(app_server: Server) -> None:
    answer = httpx.post(app_server.path("api/ask"), json={"question": MORIOKA_EN}, timeout=60)
    r = httpx.post(
        app_server.path("api/feedback"),
        json={"answer": answer.json(), "good": True, "comment": "eval candidate"},
        timeout=10,
    )
    assert r.status_code == 200
    rows = FeedbackStore(app_server.folder / "feedback.sqlite").rows()
    assert any(x["comment"] == "eval candidate" and ICS_CHUNK in x["cited"] for x in rows)
    assert (
        httpx.post(app_server.path("api/feedback"), json={"answer": {}, "good": True}).status_code
        == 422
    )


# -- authentication, sub-path, LLM mode ---------------------------------------------------
class StripPrefixProxy:
    """A reverse proxy that serves the app under /gikai/, as nginx's proxy_pass would."""

    def __init__(self, upstream: str, prefix: str) -> None:
        self.upstream, self.prefix = upstream.rstrip("/"), prefix
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def _relay(self) -> None:
                if not self.path.startswith(proxy.prefix + "/"):
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                r = httpx.request(
                    self.command,
                    proxy.upstream + self.path[len(proxy.prefix) :],
                    headers=headers,
                    content=body,
                    timeout=60,
                )
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{prefix}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "RAG_AUTH": "staff:s3cret",
        "RAG_API_TOKEN": "tok-123",
        "RAG_ROOT_PATH": "/gikai",
        "RAG_LOGIN_LIMIT": "1000/60",  # this test tries many wrong logins on purpose
    }
    with run_app(tmp_path_factory.mktemp("locked"), env) as server:
        yield server


BASIC = {"Authorization": "Basic " + base64.b64encode(b"staff:s3cret").decode()}


@pytest.mark.integration
def test_auth_guards_every_route(locked_server: Server) -> None:
    s = locked_server
    routes = [
        ("GET", ""),
        ("GET", "embed/"),
        ("GET", "api/docs"),
        ("GET", "api/openapi.json"),
        ("POST", "api/ask"),
        ("POST", "api/feedback"),
        ("GET", "gradio.js"),
        ("GET", "gradio_api/info"),
        ("POST", "gradio_api/call/chat"),
        ("GET", "gradio_api/file=" + str(s.folder / "corpus" / "catalog.toml")),
        ("GET", "embed/gradio_api/info"),
        ("GET", "assets/index.js"),
        ("GET", "files/sumida-dx-r05"),
    ]
    for method, path in routes:
        r = httpx.request(method, s.path(path), json={"question": MORIOKA_EN}, timeout=30)
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["www-authenticate"].startswith("Basic")
        wrong = {"Authorization": "Basic " + base64.b64encode(b"staff:guess").decode()}
        assert httpx.request(method, s.path(path), headers=wrong, timeout=30).status_code == 401
    assert httpx.get(s.path("api/health"), timeout=10).status_code == 200  # for load balancers
    ok = httpx.post(s.path("api/ask"), json={"question": MORIOKA_EN}, headers=BASIC, timeout=60)
    assert ok.status_code == 200 and ok.json()["status"] == "answered"
    token = {"Authorization": "Bearer tok-123"}
    assert httpx.get(s.path(""), headers=token, timeout=30).status_code == 200
    from gradio_client import Client

    client = Client(s.url, headers=token, verbose=False)
    assert client.predict(MORIOKA_EN, api_name="/chat")["status"] == "answered"


@pytest.mark.integration
def test_works_behind_a_proxy_under_a_sub_path(locked_server: Server) -> None:
    proxy = StripPrefixProxy(locked_server.url, "/gikai")
    try:
        page = httpx.get(proxy.url, headers=BASIC, timeout=30)
        assert page.status_code == 200
        config = json.loads(page.text.split("window.gradio_config = ", 1)[1].split(";</script>")[0])
        assert config["root"].endswith("/gikai"), config["root"]
        spec = httpx.get(proxy.url + "api/openapi.json", headers=BASIC, timeout=30).json()
        assert spec["servers"][0]["url"] == "/gikai"
        r = httpx.post(
            proxy.url + "api/ask", json={"question": MORIOKA_EN}, headers=BASIC, timeout=60
        )
        assert r.json()["citations"][0]["id"] == ICS_CHUNK
    finally:
        proxy.server.shutdown()


@pytest.mark.integration
def test_llm_mode_streams_through_the_gradio_api(tmp_path: Path) -> None:
    def reply(messages: list[dict[str, Any]]) -> str:
        user = messages[-1]["content"]
        if "ICS" in user:
            return "Morioka backs up data with cloud services 「クラウドサービスを活用」 [1]."
        return "NO_ANSWER"

    from gradio_client import Client

    with openai_stub(reply) as (url, requests):
        env = {"RAG_LLM_URL": url, "RAG_LLM_MODEL": "stub"}
        with run_app(tmp_path, env) as server:
            assert httpx.get(server.path("api/health")).json()["mode"] == "llm"
            outputs = list(Client(server.url, verbose=False).submit(MORIOKA_EN, api_name="/chat"))
            forced = httpx.post(
                server.path("api/ask"),
                json={"question": MORIOKA_EN, "mode": "extractive"},
                timeout=60,
            ).json()
    streamed = [o["answer"] for o in outputs if o["status"] == "streaming"]
    assert len(streamed) > 3 and streamed[-1].startswith("Morioka backs up")
    final = outputs[-1]
    assert final["mode"] == "llm" and final["status"] == "answered"
    assert final["citations"][0]["id"] == ICS_CHUNK and final["warnings"] == []
    answers = [r for r in requests if not is_translation(r["messages"])]
    assert forced["mode"] == "extractive" and len(answers) == 1


# -- what is indexed ---------------------------------------------------------------------
@pytest.fixture
def own_service(tmp_path: Path) -> ChatService:
    from rag.indexing import ingest
    from tests.conftest import FakeEmbeddings
    from tests.servers import make_corpus

    settings = Settings(
        corpus=(make_corpus(tmp_path / "corpus"),),
        index_dir=tmp_path / "index",
        embed_model="fake",
        feedback_db=tmp_path / "fb.sqlite",
    )
    emb = FakeEmbeddings()
    ingest(list(settings.corpus), settings, emb)  # type: ignore[arg-type]
    return ChatService(settings, embeddings=emb)


def test_documents_list_each_indexed_document_once(own_service: ChatService) -> None:
    rows = {r["doc_id"]: r for r in own_service.documents()}
    assert set(rows) == {"sumida-dx-r05", "test-city-20240301"}
    report = rows["sumida-dx-r05"]
    assert report["kind"] == "report" and report["council"] == "墨田区議会"
    assert report["date"] == "2023-09-13" and report["places"] == ["盛岡市", "仙台市"]
    chunks = own_service.retriever.chunks
    assert report["chunks"] == sum(c.metadata["doc_id"] == "sumida-dx-r05" for c in chunks)
    minutes = rows["test-city-20240301"]
    assert minutes["kind"] == "minutes" and minutes["meeting"] == "令和6年第1回定例会"
    assert minutes["council"] == "テスト市議会" and minutes["date"] == "2024-03-01"


def test_landing_examples_are_questions_the_index_answers(own_service: ChatService) -> None:
    from rag.service import candidate_questions

    candidates = [q for q, _ in candidate_questions(own_service.retriever.chunks)]
    assert all("というご質問" not in q and not q.startswith("次に") for q in candidates)
    assert not any("<" in q for q in candidates)  # the markup-carrying question is left out
    examples = own_service.examples(limit=3, seconds=30)
    assert 1 <= len(examples) <= 3
    for q in examples:
        assert q in candidates
        assert own_service.ask(q, mode="extractive").status == "answered"
    assert own_service.examples(seconds=0) == []  # out of time: none rather than unchecked


def test_removing_a_document_keeps_corpus_and_index_in_step(own_service: ChatService) -> None:
    folder = own_service.settings.corpus[0]
    report = own_service.remove_document("test-city-20240301")
    assert report.removed == ["test-city-20240301"]
    assert not (folder / "test-city-20240301.txt").exists()
    assert (own_service.settings.index_dir / "removed" / "test-city-20240301.txt").exists()
    assert {r["doc_id"] for r in own_service.documents()} == {"sumida-dx-r05"}
    assert all(c.metadata["doc_id"] == "sumida-dx-r05" for c in own_service.retriever.chunks)
    with pytest.raises(RequestError, match="doc_id: no indexed document"):
        own_service.remove_document("test-city-20240301")
    with pytest.raises(RequestError, match="doc_id"):
        own_service.reingest_document("../corpus")


def test_reingesting_a_changed_document_rechunks_only_it(own_service: ChatService) -> None:
    path = own_service.settings.corpus[0] / "test-city-20240301.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("午後8時", "午後9時"))
    report = own_service.reingest_document("test-city-20240301")
    assert report.changed == ["test-city-20240301"] and report.unchanged == 1
    assert any("午後9時" in c.text for c in own_service.retriever.chunks)
