"""Real servers for the API and browser tests: ``python app.py`` in a subprocess, on a free
loopback port, over a temporary copy of the sample corpus plus a small 会議録 whose text
carries markup (``<script>``, an ``<img onerror>``) that must never run in the UI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import CORPUS, ROOT

MARKUP_MINUTES = """令和6年第1回テスト市議会定例会会議録
令和6年3月1日
○議長（山田太郎君） これより本日の会議を開きます。
○3番（佐藤花子君） 図書館の開館時間について伺います。<script>window.__xss = 1</script>夜間の開館を延長する予定はありますか。
○教育長（鈴木一郎君） お答えします。市立図書館の開館時間は、令和6年4月から平日は午後8時まで延長します。<img src=x onerror="window.__xss = 2">利用者アンケートで要望が多かったためです。
○議長（山田太郎君） 以上で本日の日程は終了しました。
"""
MARKUP_QUESTION = "図書館の開館時間は延長されますか"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for f in CORPUS.iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    (folder / "test-city-20240301.txt").write_text(MARKUP_MINUTES, encoding="utf-8")
    return folder


@dataclass
class Server:
    url: str  # with a trailing slash
    port: int
    folder: Path
    log: Path

    def path(self, rel: str) -> str:
        return self.url + rel.lstrip("/")


def wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"app.py did not answer at {url} in {seconds} s:\n{log.read_text()}")


@contextmanager
def run_app(folder: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Start app.py over ``folder``/corpus with its index, feedback and logs in ``folder``."""
    port = free_port()
    corpus = folder / "corpus"
    if not corpus.exists():
        make_corpus(corpus)
    full_env = {
        **os.environ,
        "RAG_CORPUS": str(corpus),
        "RAG_INDEX_DIR": str(folder / "index"),
        "RAG_FEEDBACK_DB": str(folder / "feedback.sqlite"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        **(env or {}),
    }
    log = folder / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/api/health", proc, log)
        yield Server(f"http://127.0.0.1:{port}/", port, folder, log)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
