"""Attacks on a real `python app.py`, as a hostile user would make them: file references
through Gradio's event API, a hanging path, uploads where none belong, CORS from foreign
origins, framing, oversized bodies, unencodable text, malformed feedback, guessed
passwords and path leaks. Run with authentication on and off, and with the admin tab on
and off; the regressions of the attack report in issue 14 stay here."""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_USER, ROOT
from tests.servers import Server, run_app

pytestmark = pytest.mark.integration

BASIC = {"Authorization": "Basic " + base64.b64encode(":".join(ADMIN_USER).encode()).decode()}
FILE_TYPE = {"_type": "gradio.FileData"}
MORIOKA_EN = "How did Morioka get cloud cost savings?"


def file_ref(path: str) -> dict[str, Any]:
    return {"path": path, "meta": FILE_TYPE}


def config(server: Server, prefix: str = "", headers: dict[str, str] | None = None) -> Any:
    r = httpx.get(server.path(f"{prefix}config"), headers=headers or {}, timeout=30)
    r.raise_for_status()
    return r.json()


def join(
    server: Server,
    fn_index: int,
    data: list[Any],
    prefix: str = "",
    headers: dict[str, str] | None = None,
    session: str = "attack",
) -> httpx.Response:
    body = {"data": data, "fn_index": fn_index, "session_hash": session}
    return httpx.post(
        server.path(f"{prefix}gradio_api/queue/join"),
        json=body,
        headers=headers or {},
        timeout=15,
    )


def event_result(server: Server, session: str, headers: dict[str, str]) -> dict[str, Any]:
    """The ``process_completed`` message of a queued event, read from Gradio's SSE stream."""
    url = server.path("gradio_api/queue/data")
    with httpx.stream(
        "GET", url, params={"session_hash": session}, headers=headers, timeout=60
    ) as r:
        for line in r.iter_lines():
            if line.startswith("data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return dict(msg)
    raise AssertionError("the event never completed")


def no_copies(cache: Path, name: str) -> bool:
    return not cache.exists() or not any(p.name == name for p in cache.rglob("*"))


# -- the file-reference hole ----------------------------------------------------------------
@pytest.fixture(scope="module")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Defaults: no login, so no admin tab; Gradio's cache in the test's folder."""
    folder = tmp_path_factory.mktemp("open")
    with run_app(folder, {"GRADIO_TEMP_DIR": str(folder / "gradio-cache")}) as server:
        yield server


def test_no_event_of_either_chat_takes_a_server_file(open_server: Server) -> None:
    s = open_server
    for prefix in ("", "embed/"):
        fns = [d["id"] for d in config(s, prefix)["dependencies"]]
        assert fns, prefix
        for fn in fns:
            for path in ("/etc/hostname", "/etc/passwd", str(ROOT / "README.md")):
                r = join(s, fn, [file_ref(path)], prefix)
                assert r.status_code == 422, (prefix, fn, path, r.text)
            # hidden in a chatbot message, a list or a dict works no better
            nested = [[{"role": "user", "content": file_ref("/etc/hostname")}]]
            assert join(s, fn, nested, prefix).status_code == 422
    assert no_copies(s.folder / "gradio-cache", "hostname")
    assert no_copies(s.folder / "gradio-cache", "passwd")
    leaked = httpx.get(s.path("gradio_api/file=/etc/hostname"), timeout=10)
    assert leaked.status_code in (403, 404), leaked.status_code


def test_dev_zero_is_refused_at_once_and_the_server_keeps_answering(open_server: Server) -> None:
    s = open_server
    t0 = time.monotonic()
    for prefix in ("", "embed/"):
        relabel = config(s, prefix)["dependencies"][-1]["id"]
        r = join(s, relabel, [file_ref("/dev/zero")], prefix)
        assert r.status_code == 422
    assert time.monotonic() - t0 < 10
    assert httpx.get(s.path("api/health"), timeout=5).json()["status"] == "ok"


def test_uploads_are_refused_where_the_ui_has_no_file_component(open_server: Server) -> None:
    for prefix in ("", "embed/"):
        r = httpx.post(
            open_server.path(f"{prefix}gradio_api/upload"),
            files={"files": ("a.txt", b"hello")},
            timeout=10,
        )
        assert r.status_code == 403, (prefix, r.text)
    assert "文書の管理" not in httpx.get(open_server.url, timeout=10).text


def test_no_multipart_route_takes_files_without_a_file_component(open_server: Server) -> None:
    video = {"video": ("a.mp4", b"\x00" * 5000, "video/mp4")}
    for prefix in ("", "embed/"):
        r = httpx.post(
            open_server.path(f"{prefix}gradio_api/process_recording"), files=video, timeout=10
        )
        assert r.status_code == 403, (prefix, r.status_code)


def test_odd_unicode_is_dropped_and_lengths_count_what_is_kept(open_server: Server) -> None:
    from rag.service import clean_text

    odd = "盛\ufdd0岡\U0001fffe市\U0010ffff\u2066の\U000e0041費\ud800用\x00"
    assert clean_text(odd) == "盛岡市の費用 "
    empty = {"answer": {"question": "\u0000 \u2066", "citations": []}, "good": True}
    r = httpx.post(open_server.path("api/feedback"), json=empty, timeout=10)
    assert r.status_code == 422 and r.json()["detail"]["field"] == "answer.question"


def test_cors_is_closed_to_foreign_origins_under_any_host(open_server: Server) -> None:
    evil = {"Origin": "https://evil.example", "Host": "council.example.jp"}
    for path in ("config", "gradio_api/info", "embed/config", "api/health"):
        r = httpx.get(open_server.path(path), headers=evil, timeout=10)
        assert "access-control-allow-origin" not in r.headers, path
    for path in ("api/ask", "gradio_api/queue/join", "api/feedback"):
        pre = httpx.options(
            open_server.path(path),
            headers={**evil, "Access-Control-Request-Method": "POST"},
            timeout=10,
        )
        assert "access-control-allow-origin" not in pre.headers, path
        assert pre.status_code >= 400, path


def test_only_this_origin_may_frame_the_chat(open_server: Server) -> None:
    for path in ("", "embed/", "api/docs"):
        r = httpx.get(open_server.path(path), timeout=10)
        assert r.headers["content-security-policy"] == "frame-ancestors 'self'", path
        assert r.headers["x-frame-options"] == "SAMEORIGIN"
        assert r.headers["x-content-type-options"] == "nosniff"


def test_request_bodies_are_capped(open_server: Server) -> None:
    big = json.dumps({"question": "あ" * 600_000})  # ~1.8 MB
    r = httpx.post(
        open_server.path("api/ask"),
        content=big,
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413 and "bytes" in r.json()["error"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        data = big.encode()
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    r = httpx.post(
        open_server.path("api/ask"),
        content=chunked(),
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413
    answer = {"question": "q", "answer": "x" * 1_500_000, "citations": []}
    r = httpx.post(
        open_server.path("api/feedback"), json={"answer": answer, "good": True}, timeout=10
    )
    assert r.status_code == 413
    r = httpx.post(
        open_server.path("gradio_api/queue/join"),
        content=big,
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 413
    assert httpx.get(open_server.path("api/health"), timeout=5).status_code == 200


def test_unencodable_text_is_cleaned_not_a_server_error(open_server: Server) -> None:
    raw = '{"question": "\\ud800How did Morioka\\udfff get cloud cost savings?", "history": ["\\ud800x"]}'
    r = httpx.post(
        open_server.path("api/ask"),
        content=raw,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert r.json()["question"] == MORIOKA_EN
    fb = '{"answer": {"question": "\\ud800q", "answer": "a\\u2028b", "citations": []}, "good": true, "comment": "\\udc00ok"}'
    r = httpx.post(
        open_server.path("api/feedback"),
        content=fb,
        headers={"content-type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 200, r.text


def test_the_question_s_reading_takes_only_a_flag_and_a_few_short_labels(
    open_server: Server,
) -> None:
    """``hints`` and ``ignore_hints`` (what the asker unticked) on /api/ask: anything but a
    boolean and a short list of short strings is refused naming the field, and labels are
    never echoed: ``understood`` holds only what the question itself was read as."""
    ask = open_server.path("api/ask")
    q = "<img src=x onerror=alert(1)>令和5年の視察で盛岡市のクラウドの費用は"
    cases = [
        ({"hints": "false"}, "hints"),
        ({"hints": {"$ne": 1}}, "hints"),
        ({"ignore_hints": ["x"] * 21}, "ignore_hints"),
        ({"ignore_hints": "2023年"}, "ignore_hints"),
        ({"ignore_hints": [{"label": "2023年"}]}, "ignore_hints.0"),
    ]
    for extra, field in cases:
        r = httpx.post(ask, json={"question": q, **extra}, timeout=30)
        assert r.status_code == 422 and r.json()["detail"]["field"] == field, (extra, r.text)
    r = httpx.post(ask, json={"question": q, "ignore_hints": ["a" * 101]}, timeout=30)
    assert r.status_code == 422 and "ignore_hints" in r.json()["detail"]["error"]
    r = httpx.post(
        ask, json={"question": q, "ignore_hints": ["<script>", "/etc/passwd"]}, timeout=60
    )
    assert r.status_code == 200 and r.json()["understood"] == ["2023年"]
    assert httpx.get(open_server.path("api/health"), timeout=5).status_code == 200


def test_malformed_feedback_is_refused_with_422(open_server: Server) -> None:
    for citations in (["a"], {}, 5, [{"n": 1}], [{"id": ""}], [{"id": 3}]):
        answer = {"question": "q", "answer": "a", "citations": citations}
        r = httpx.post(
            open_server.path("api/feedback"), json={"answer": answer, "good": True}, timeout=10
        )
        assert r.status_code == 422, (citations, r.status_code)
    for body in ({"answer": {}, "good": True}, {"answer": "x", "good": True}, {"good": True}):
        r = httpx.post(open_server.path("api/feedback"), json=body, timeout=10)
        assert r.status_code == 422, body
    long_comment = {"answer": {"question": "q"}, "good": False, "comment": "c" * 5000}
    r = httpx.post(open_server.path("api/feedback"), json=long_comment, timeout=10)
    assert r.status_code == 422


def test_health_shows_no_internals(open_server: Server) -> None:
    health = httpx.get(open_server.path("api/health"), timeout=10).json()
    assert set(health) == {"status", "mode", "chunks", "documents"}
    assert str(open_server.folder) not in json.dumps(health)


# -- the admin tab: only behind a login ---------------------------------------------------
def upload(server: Server, name: str, data: bytes) -> httpx.Response:
    return httpx.post(
        server.path("gradio_api/upload"), files={"files": (name, data)}, headers=BASIC, timeout=30
    )


def preview_fn(server: Server) -> int:
    deps = config(server, headers=BASIC)["dependencies"]
    components = {c["id"]: c for c in config(server, headers=BASIC)["components"]}
    for d in deps:
        if any(components[i]["type"] == "file" for i in d["inputs"]) and d["targets"][0][1] in (
            "upload",
        ):
            return int(d["id"])
    raise AssertionError("no upload event in the admin chat")


def test_admin_upload_takes_only_files_uploaded_through_the_app(admin_server: Server) -> None:
    s = admin_server
    fn = preview_fn(s)
    for path in ("/etc/hostname", "/dev/zero", str(s.folder / "corpus" / "catalog.toml")):
        r = join(s, fn, [file_ref(path), "ja"], headers=BASIC)
        assert r.status_code == 422, (path, r.text)
    assert no_copies(s.folder / "gradio-cache", "hostname")
    minutes = (
        "令和6年第2回テスト町議会定例会会議録\n令和6年6月3日\n"
        "○2番（田中一郎君） 町営プールの再開時期を伺います。\n"
        "○教育長（高橋次郎君） 町営プールは令和6年7月に再開します。\n"
    ).encode()
    r = upload(s, "pool.txt", minutes)
    assert r.status_code == 200, r.text
    uploaded = r.json()[0]
    r = join(
        s, fn, [{**file_ref(uploaded), "orig_name": "pool.txt"}, "ja"], headers=BASIC, session="ok"
    )
    assert r.status_code == 200, r.text
    done = event_result(s, "ok", BASIC)
    assert done["success"], done
    assert "チャンク" in json.dumps(done["output"], ensure_ascii=False)


def test_an_event_named_in_the_url_is_the_one_checked(admin_server: Server) -> None:
    s = admin_server
    fn = preview_fn(s)
    uploaded = upload(s, "note.txt", "○議長（山田太郎君） 開会します。".encode()).json()[0]
    body = {"fn_index": fn, "data": [file_ref(uploaded), [], {}, "auto"]}
    r = httpx.post(s.path("gradio_api/call/chat"), json=body, headers=BASIC, timeout=10)
    assert r.status_code == 422, r.text  # the body names the upload event, the URL the chat
    body = {"data": [file_ref(uploaded), [], {}, "auto"]}
    r = httpx.post(s.path("gradio_api/call/chat"), json=body, headers=BASIC, timeout=10)
    assert r.status_code == 422, r.text  # the chat takes no file


def test_uploads_over_the_limit_are_refused(admin_server: Server) -> None:
    r = upload(admin_server, "big.txt", b"a" * (2 * 1024 * 1024))
    assert r.status_code == 413


def test_upload_bombs_are_refused_by_their_unpacked_size(
    admin_server: Server, tmp_path: Path
) -> None:
    from rag.service import ChatService, RequestError, unpacked_size

    line = b'{"id": "x", "text": "' + b"a" * (3 * 1024 * 1024) + b'"}\n'
    gz = tmp_path / "bomb.jsonl.gz"
    gz.write_bytes(gzip.compress(line))
    assert gz.stat().st_size < 64 * 1024 and unpacked_size(gz, 1 << 20) > 1 << 20
    docx = tmp_path / "bomb.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:p/>" * 400_000)
    docx.write_bytes(buf.getvalue())
    assert unpacked_size(docx, 1 << 20) > 1 << 20
    service = ChatService.__new__(ChatService)  # only the upload check, no index needed
    from rag.settings import Settings

    service.settings = Settings(max_upload_bytes=1 << 20)
    for f in (gz, docx):
        with pytest.raises(RequestError, match=f"{f.name}: unpacks to over"):
            service.check_upload(f, f.name)


def test_the_admin_tab_needs_a_login(admin_server: Server, tmp_path: Path) -> None:
    assert httpx.get(admin_server.url, timeout=10).status_code == 401
    assert "文書の管理" in httpx.get(admin_server.url, headers=BASIC, timeout=10).text
    # turning it on without a login is refused at start, with the reason
    env = {"RAG_ADMIN": "on", "RAG_INDEX_DIR": str(tmp_path / "i")}
    import os

    proc = subprocess.run(
        [sys.executable, "app.py", "--port", "1"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "RAG_ADMIN=on needs RAG_AUTH" in proc.stderr


# -- a login without the admin tab; guessed passwords ----------------------------------------
@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"RAG_AUTH": ":".join(ADMIN_USER), "RAG_ADMIN": "off", "RAG_LOGIN_LIMIT": "5/4"}
    with run_app(tmp_path_factory.mktemp("locked"), env) as server:
        yield server


def test_admin_off_means_no_upload_even_when_logged_in(locked_server: Server) -> None:
    s = locked_server
    assert "文書の管理" not in httpx.get(s.url, headers=BASIC, timeout=10).text
    r = httpx.post(
        s.path("gradio_api/upload"), files={"files": ("a.txt", b"x")}, headers=BASIC, timeout=10
    )
    assert r.status_code == 403
    for fn in [d["id"] for d in config(s, headers=BASIC)["dependencies"]]:
        assert join(s, fn, [file_ref("/etc/hostname")], headers=BASIC).status_code == 422


def test_failed_logins_are_rate_limited(locked_server: Server) -> None:
    s = locked_server
    wrong = {"Authorization": "Basic " + base64.b64encode(b"admin:guess").decode()}
    # a made-up X-Forwarded-For neither spreads the guesses nor frees a locked address
    codes = [
        httpx.get(
            s.url, headers={**wrong, "X-Forwarded-For": f"198.51.100.{i}"}, timeout=10
        ).status_code
        for i in range(8)
    ]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}, codes
    limited = httpx.get(s.url, headers=BASIC, timeout=10)  # even the right password waits
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    elsewhere = {**BASIC, "X-Forwarded-For": "203.0.113.9"}
    assert httpx.get(s.url, headers=elsewhere, timeout=10).status_code == 429
    assert httpx.get(s.path("api/health"), timeout=10).status_code == 200
    time.sleep(4.5)
    assert httpx.get(s.url, headers=BASIC, timeout=10).status_code == 200


def test_documents_list_needs_a_login_and_shows_no_paths(admin_server: Server) -> None:
    assert httpx.get(admin_server.path("api/documents"), timeout=10).status_code == 401
    r = httpx.get(admin_server.path("api/documents"), headers=BASIC, timeout=10)
    assert r.status_code == 200
    rows = r.json()
    assert {"doc_id", "title", "kind", "council", "meeting", "date", "chunks"} == set(rows[0])
    assert str(admin_server.folder) not in r.text and "/corpus/" not in r.text
    # a query it does not take is ignored; a bad one for a route with input names the field
    assert (
        httpx.get(admin_server.path("api/documents?path=/etc/passwd"), headers=BASIC).json() == rows
    )
    bad = httpx.post(admin_server.path("api/ask"), json={"question": 3}, headers=BASIC, timeout=10)
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "question"


def test_embed_without_its_slash_is_redirected(open_server: Server) -> None:
    r = httpx.get(open_server.path("embed"), follow_redirects=False, timeout=10)
    assert r.status_code == 307 and r.headers["location"] == "/embed/"


def _event_of(server: Server, elem_id: str, trigger: str) -> tuple[int, int]:
    """The event fired by ``trigger`` on the component ``elem_id``, and its input count."""
    cfg = config(server)
    ids = {c["id"] for c in cfg["components"] if c.get("props", {}).get("elem_id") == elem_id}
    for d in cfg["dependencies"]:
        if any(t[0] in ids and t[1] == trigger for t in d["targets"]):
            return int(d["id"]), len(d["inputs"])
    raise AssertionError(f"no {trigger} event on #{elem_id}")


def test_past_exchanges_refuse_oversized_text_and_serve_no_other_file(
    open_server: Server,
) -> None:
    s = open_server
    fn, n = _event_of(s, "ex-search", "click")
    # topic, dates, meeting, member, party, department, lang, by, split
    for topic in ("図" * 5000, "", None):
        data: list[Any] = [topic, "", "", "", "", "", "", "ja", "year", ""][:n]
        r = join(s, fn, data, session=f"ex-{len(topic or '')}")
        assert r.status_code == 200, r.text
        out = event_result(s, f"ex-{len(topic or '')}", {})
        assert out.get("success") is True, out
        status = out["output"]["data"][0]
        assert status.startswith("⚠ 質問を確認してください"), status
    # an empty draft, or one over ten questions' length, is refused by its name
    fn, n = _event_of(s, "ex-check", "click")
    for name, draft in (("empty", ""), ("long", "予算は12人です。" * 1200)):
        join(s, fn, [draft, "図書館", "", "", "", "ja"][:n], session=f"draft-{name}")
        said = event_result(s, f"draft-{name}", {})["output"]["data"][0]
        assert "答弁案を確認してください" in said, said
    # a real search writes its exports; only Gradio's copies in its cache are served, never
    # the folder they were written to
    fn, n = _event_of(s, "ex-search", "click")
    join(s, fn, ["図書館", "", "", "", "", "", "", "ja", "year", ""][:n], session="ex-ok")
    out = event_result(s, "ex-ok", {})
    served = next(
        str(v["value"]["path"])
        for v in out["output"]["data"]
        if isinstance(v, dict)
        and isinstance(v.get("value"), dict)
        and str(v["value"].get("path", "")).endswith(".csv")
    )
    assert str(s.folder / "gradio-cache") in served, served
    written = sorted(Path(tempfile.gettempdir()).glob("gikai-exchanges-*"), key=os.path.getmtime)
    assert written, "the search wrote no export"
    for name in ("gikai-exchanges.csv", "gikai-exchanges.docx"):
        leaked = httpx.get(s.path(f"gradio_api/file={written[-1] / name}"), timeout=10)
        assert leaked.status_code in (403, 404), (name, leaked.status_code)
