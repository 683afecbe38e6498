"""Guards: the ASGI middlewares between the network and the app.

:func:`secure` installs them on the FastAPI app that serves the API and the mounted Gradio
UIs, outermost first:

1. CORS, always explicit: only ``RAG_ALLOWED_ORIGINS`` (none when unset) may call the app
   from another origin, for the JSON API and Gradio's routes alike. (Gradio adds its own,
   laxer CORS headers only when the parent app installs none.)
2. Security headers on every response: ``frame-ancestors 'self'`` plus the allowed origins,
   ``X-Frame-Options`` when no other origin may frame the chat, ``nosniff`` and a referrer
   policy.
3. Body caps: a request body over the limit gets 413 before the app reads it.
4. Authentication (``RAG_AUTH`` Basic users, ``RAG_API_TOKEN`` Bearer), with failed logins
   rate-limited per client address.
5. Gradio's file references: an event may name a file only when one of its inputs is a file
   component and the file was uploaded through this app; uploads are refused where the UI
   has no file component.

>>> limiter = LoginLimiter(max_failures=2, window=60.0)
>>> limiter.fail("203.0.113.5", now=0.0); limiter.fail("203.0.113.5", now=1.0)
>>> limiter.retry_after("203.0.113.5", now=2.0)
58
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from starlette.exceptions import HTTPException

from rag.settings import Settings

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = ("/api/health",)
_GRADIO_EVENT = re.compile(r"^(?P<prefix>.*?)/gradio_api/(?P<route>.+)$")


def app_path(scope: Scope) -> str:
    """The request path below the deployment's sub-path (``RAG_ROOT_PATH``)."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path


async def reply(
    send: Send,
    status: int,
    error: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """A small JSON error response: ``{"error": ...}``."""
    body = json.dumps({"error": error}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode().lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


# -- headers ------------------------------------------------------------------------------
class SecurityHeaders:
    """``frame-ancestors`` on every response: this origin and the allowed ones only."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        ancestors = " ".join(["'self'", *origins])
        self.headers = [
            (b"content-security-policy", f"frame-ancestors {ancestors}".encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]
        if not origins:  # for browsers that ignore frame-ancestors
            self.headers.append((b"x-frame-options", b"SAMEORIGIN"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.headers if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# -- body size ----------------------------------------------------------------------------
class _TooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit. An HTTPException, so
    that FastAPI's body parsing passes it on as 413 instead of calling it malformed (400)."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes (``upload_limit`` for Gradio's upload route)
    with 413, whether the size is declared up front or only seen while streaming."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = app_path(scope)
        limit = self.upload_limit if path.endswith("/gradio_api/upload") else self.limit
        message = f"request body over {limit:,} bytes"
        declared = _headers(scope).get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            return await reply(send, 413, message)
        seen = 0
        started = False

        async def counted() -> dict[str, Any]:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge(message)
            return msg

        async def watched(msg: dict[str, Any]) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await reply(send, 413, message)


# -- authentication -----------------------------------------------------------------------
class LoginLimiter:
    """Failed logins per client address: after ``max_failures`` within ``window`` seconds,
    that address is refused (even with the right password) until the oldest failure ages out.
    """

    def __init__(self, max_failures: int = 10, window: float = 60.0, clients: int = 10_000):
        self.max_failures = max_failures
        self.window = window
        self.clients = clients
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        seen = self._failures.get(client, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen

    def retry_after(self, client: str, now: float) -> int:
        """Seconds until ``client`` may try again; 0 when it may try now."""
        with self._lock:
            seen = self._recent(client, now)
            if len(seen) < self.max_failures:
                return 0
            return max(1, int(seen[0] + self.window - now + 0.999))

    def fail(self, client: str, now: float) -> None:
        with self._lock:
            if client not in self._failures and len(self._failures) >= self.clients:
                for key in [k for k, v in self._failures.items() if not self._recent(k, now)]:
                    del self._failures[key]
                if len(self._failures) >= self.clients:  # a flood of addresses: forget oldest
                    self._failures.pop(next(iter(self._failures)))
            seen = self._recent(client, now)
            seen.append(now)
            self._failures[client] = seen


class AuthMiddleware:
    """Every route needs ``Authorization``: Basic user:password, or Bearer token.

    Browsers get the standard Basic prompt (``WWW-Authenticate``), so the UI, the embed
    page and file downloads are covered the same way as the API. Only the health check is
    open, and it tells nothing but "ok" and sizes. Wrong credentials count against the
    client's address in :class:`LoginLimiter`; past the limit it gets 429 with Retry-After.
    """

    def __init__(
        self, app: ASGIApp, settings: Settings, limiter: LoginLimiter | None = None
    ) -> None:
        self.app = app
        self.users = dict(settings.auth)
        self.token = settings.api_token
        self.limiter = limiter or LoginLimiter(settings.login_failures, settings.login_window)

    def allowed(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and self.token:
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        if scheme.lower() == "basic" and self.users:
            try:
                user, _, password = base64.b64decode(value.strip()).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            expected = self.users.get(user)
            return expected is not None and hmac.compare_digest(
                password.encode(), expected.encode()
            )
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = app_path(scope)
        if scope.get("method") == "OPTIONS" or path in OPEN_PATHS:
            return await self.app(scope, receive, send)
        import time

        client = str((scope.get("client") or ("?", 0))[0])
        now = time.monotonic()
        wait = self.limiter.retry_after(client, now)
        given = _headers(scope).get("authorization", "")
        if not wait and self.allowed(given):
            return await self.app(scope, receive, send)
        if given and not wait:  # a wrong credential, not the browser's first unprompted try
            self.limiter.fail(client, now)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if wait:
            return await reply(
                send,
                429,
                "too many failed logins; try again later",
                [(b"retry-after", b"%d" % wait)],
            )
        await reply(
            send,
            401,
            "authentication required",
            [(b"www-authenticate", b'Basic realm="gikai-rag", charset="UTF-8"')],
        )


# -- Gradio's file references -------------------------------------------------------------
def file_references(data: Any) -> list[dict[str, Any]]:
    """Every Gradio file object (``{"path": ..., "meta": {"_type": "gradio.FileData"}}``, or
    any dict with a string ``path`` or ``url``) anywhere inside ``data``."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            meta = item.get("meta")
            typed = isinstance(meta, dict) and meta.get("_type") == "gradio.FileData"
            if typed or isinstance(item.get("path"), str) or isinstance(item.get("url"), str):
                found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class GradioFileGuard:
    """Only files uploaded through this app, and only into events that take a file.

    Gradio copies any path named in an event's input into its cache and serves it. Mounted
    with ``gr.mount_gradio_app`` it skips its own check that the path is an upload, so a
    request naming ``/etc/passwd`` (or ``/dev/zero``, which hangs the event loop while it is
    hashed) must be stopped before Gradio sees it. ``mounts`` maps each mount's path prefix
    ("" and "/embed") to its Blocks.
    """

    def __init__(self, app: ASGIApp, mounts: Mapping[str, Any]) -> None:
        self.app = app
        self.mounts = dict(mounts)

    def _blocks(self, prefix: str) -> Any | None:
        return self.mounts.get(prefix.rstrip("/"))

    @staticmethod
    def takes_files(blocks: Any, fn: Any) -> bool:
        import gradio as gr

        return any(isinstance(c, gr.File | gr.UploadButton) for c in fn.inputs)

    @staticmethod
    def has_file_input(blocks: Any) -> bool:
        import gradio as gr

        return any(isinstance(b, gr.File | gr.UploadButton) for b in blocks.blocks.values())

    @staticmethod
    def _fn(blocks: Any, route: str, body: Any) -> tuple[bool, Any | None]:
        """The event a request runs: (known, fn). Routes that name an event in the URL
        (``call/<name>``, ``run/<name>``, ``api/<name>``) run that one, whatever the body's
        ``fn_index`` says; a body whose ``fn_index`` names another is not known."""
        index = body.get("fn_index") if isinstance(body, dict) else None
        by_index = blocks.fns.get(index) if isinstance(index, int) else None
        parts = route.strip("/").split("/")
        if parts[0] in ("call", "run", "api") and len(parts) > 1:
            named = next((f for f in blocks.fns.values() if f.api_name == parts[-1]), None)
            if named is None:  # the generic route (run/predict): the body's fn_index decides
                return True, by_index
            if index is not None and by_index is not named:
                return False, None
            return True, named
        return True, by_index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        match = _GRADIO_EVENT.match(app_path(scope))
        blocks = self._blocks(match["prefix"]) if match else None
        if match is None or blocks is None:
            return await self.app(scope, receive, send)
        route = match["route"]
        multipart = "multipart/" in _headers(scope).get("content-type", "").lower()
        if route.startswith("upload") or multipart:
            # Gradio takes files by multipart only at /upload (and /process_recording, for
            # screen recordings this app never makes): only the admin chat takes any.
            if not (route.rstrip("/") == "upload" and self.has_file_input(blocks)):
                return await reply(send, 403, "uploads are not accepted here")
            return await self.app(scope, receive, send)
        chunks: list[bytes] = []
        more = True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                return  # the client went away
            chunks.append(msg.get("body", b""))
            more = bool(msg.get("more_body"))
        raw = b"".join(chunks)
        try:
            body = json.loads(raw) if raw.strip() else None
        except (ValueError, UnicodeDecodeError):
            body = None  # not JSON: Gradio refuses it itself
        known, fn = self._fn(blocks, route, body)
        if not known:
            return await reply(send, 422, "fn_index names another event than the URL")
        refs = file_references(body)
        if refs:
            if fn is None or not self.takes_files(blocks, fn):
                return await reply(send, 422, "file references are not accepted by this event")
            uploaded = blocks.upload_file_set
            if any(r.get("path") not in uploaded for r in refs):
                return await reply(send, 422, "only files uploaded to this app may be named")
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# -- all of them --------------------------------------------------------------------------
def secure(app: Any, settings: Settings, mounts: Mapping[str, Any]) -> Any:
    """Install the guards on ``app`` (the FastAPI app with the Gradio UIs mounted)."""
    from fastapi.middleware.cors import CORSMiddleware

    for blocks in mounts.values():
        # Mounted apps are never "launched", and Gradio skips its own path checks for them.
        blocks.has_launched = True
    # Added last = outermost.
    app.add_middleware(GradioFileGuard, mounts=mounts)
    if settings.auth or settings.api_token:
        app.add_middleware(AuthMiddleware, settings=settings)
    app.add_middleware(
        BodyLimit, limit=settings.max_body_bytes, upload_limit=settings.max_upload_bytes + 65536
    )
    app.add_middleware(SecurityHeaders, origins=settings.allowed_origins)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_credentials="*" not in settings.allowed_origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
    )
    return app
