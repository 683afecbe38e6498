"""Load and soak test of the running app (not a test): concurrent clients on loopback.

    python -m benchmarks.load                         # 20 clients for 60 s, then a 10-minute soak
    python -m benchmarks.load --seconds 30 --soak 0   # a shorter run
    python -m benchmarks.load --url http://127.0.0.1:7860/   # an app you started yourself

Without --url it starts ``python app.py`` over the sample corpus on a free port (its
feedback in a temporary folder). The clients run in this process, the server in its own:
half call ``POST /api/ask``, half the Gradio API (``gradio_client``, endpoint ``chat``),
each asking the eval questions (Japanese, English, unanswerable) in turn, back to back.

Reported: requests, errors (anything but HTTP 200 with status answered/no_answer; must be
0), latency p50/p95/max, the server's peak RSS (VmHWM), and during the soak its RSS per
minute, so growth shows. Results go to benchmarks/results/load-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    json.loads(line)["text"]
    for line in (ROOT / "evals" / "data" / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip() and json.loads(line).get("corpus", "sample") == "sample"
]


ANSWERED = ("answered", "no_answer")


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Run:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def record(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors.append(error)

    def summary(self, seconds: float) -> dict[str, Any]:
        lat = sorted(self.latencies)
        q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
        return {
            "requests": len(lat),
            "errors": len(self.errors),
            "error_examples": self.errors[:5],
            "throughput_rps": round(len(lat) / seconds, 2),
            "p50_ms": round(q[49] * 1000, 1),
            "p95_ms": round(q[94] * 1000, 1),
            "max_ms": round(lat[-1] * 1000, 1) if lat else 0.0,
        }


def ask_in_turn(
    name: str, ask: Callable[[str], str | None], run: Run, deadline: float, offset: int
) -> None:
    """Ask the questions in turn until ``deadline``; ``ask`` returns an error or None."""
    i = offset
    while time.monotonic() < deadline:
        q = QUESTIONS[i % len(QUESTIONS)]
        i += 1
        t0 = time.perf_counter()
        try:
            err = ask(q)
        except Exception as e:  # noqa: BLE001 - every failure counts as an error
            err = f"{type(e).__name__}: {e}"
        run.record(time.perf_counter() - t0, f"{name} {err}" if err else None)


def api_client(url: str, run: Run, deadline: float, offset: int) -> None:
    with httpx.Client(timeout=120) as http:

        def ask(q: str) -> str | None:
            r = http.post(url + "api/ask", json={"question": q})
            ok = r.status_code == 200 and r.json()["status"] in ANSWERED
            return None if ok else f"{r.status_code}: {r.text[:120]}"

        ask_in_turn("api", ask, run, deadline, offset)


def gradio_client(url: str, run: Run, deadline: float, offset: int) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)

    def ask(q: str) -> str | None:
        out = client.predict(q, api_name="/chat")
        return None if out["status"] in ANSWERED else str(out)

    ask_in_turn("gradio", ask, run, deadline, offset)


def drive(url: str, clients: int, seconds: float, pid: int | None, every: float) -> dict[str, Any]:
    run = Run()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=api_client if n % 2 == 0 else gradio_client,
            args=(url, run, deadline, n * 7),
            daemon=True,
        )
        for n in range(clients)
    ]
    samples: list[tuple[float, int]] = []
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if pid:
            samples.append((round(time.monotonic() - t0, 1), rss_kib(pid)))
        time.sleep(every)
    out = run.summary(seconds)
    out["clients"], out["seconds"] = clients, seconds
    if pid:
        out["rss_mib_samples"] = [(t, round(k / 1024, 1)) for t, k in samples]
        out["peak_rss_mib"] = round(rss_kib(pid, "VmHWM") / 1024, 1)
    return out


def per_minute(samples: list[tuple[float, float]]) -> list[float]:
    minutes: dict[int, list[float]] = {}
    for t, mib in samples:
        minutes.setdefault(int(t // 60), []).append(mib)
    return [max(v) for _, v in sorted(minutes.items())]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--url")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--soak", type=float, default=600, help="soak seconds (0: none)")
    ap.add_argument("--soak-clients", type=int, default=8)
    args = ap.parse_args()
    proc = None
    url, pid = args.url, None
    tmp = tempfile.TemporaryDirectory()
    if not url:
        from tests.servers import free_port

        port = free_port()
        env = {**os.environ, "RAG_FEEDBACK_DB": str(Path(tmp.name) / "fb.sqlite")}
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        url, pid = f"http://127.0.0.1:{port}/", proc.pid
        for _ in range(600):
            try:
                if httpx.get(url + "api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
    try:
        health = httpx.get(url + "api/health", timeout=10).json()
        result: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "health": health}
        if pid:
            result["rss_mib_idle"] = round(rss_kib(pid) / 1024, 1)
        print(
            f"load: {args.clients} clients for {args.seconds:.0f} s against {url}", file=sys.stderr
        )
        result["load"] = drive(url, args.clients, args.seconds, pid, 1.0)
        if args.soak:
            print(f"soak: {args.soak_clients} clients for {args.soak:.0f} s", file=sys.stderr)
            soak = drive(url, args.soak_clients, args.soak, pid, 5.0)
            if pid:
                soak["rss_mib_per_minute_max"] = per_minute(soak["rss_mib_samples"])
            result["soak"] = soak
    finally:
        if proc:
            proc.terminate()
            proc.wait(30)
        tmp.cleanup()
    out = ROOT / "benchmarks" / "results" / f"load-{time.strftime('%Y-%m-%d')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for name in ("load", "soak"):
        r = result.get(name)
        if r:
            print(
                f"{name}: {r['clients']} clients × {r['seconds']:.0f} s: {r['requests']} requests, "
                f"{r['errors']} errors, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                f"max {r['max_ms']} ms, peak RSS {r.get('peak_rss_mib', '?')} MiB"
            )
    if "soak" in result and "rss_mib_per_minute_max" in result["soak"]:
        print("soak RSS per minute (MiB):", result["soak"]["rss_mib_per_minute_max"])
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
