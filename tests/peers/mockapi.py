"""The shared base of the local API doubles (wechat_api, weibo_api, x_api, linkedin_api, meta_api).

Standard library only. Each network is a ``Network`` subclass: its routes (``@route``), its own error
bodies (``error_reply``, ``rate_limited``) and its state; this module gives every one of them the same
HTTP plumbing and the same test-control API (modelled on mastodon-mock's):

    POST /_mock/reset                      back to the seed (state, tokens, faults, clock)
    POST /_mock/faults                     {"match": {"methods": ["POST"], "path": "/2/tweets"},
                                            "effect": {"type": "status", "status": 503, ...}, "count": 1}
    GET|DELETE /_mock/faults               list / clear
    POST /_mock/tokens                     {"token"?, "scopes"?, "expires_in"?, "user"?} -> the token
    POST /_mock/clock                      {"advance": seconds} or {"set": epoch} -> {"now": epoch}
    GET  /_mock/state                      what was published (so tests can count posts)

Fault effects: ``status`` (the network's own error body for that status; extra keys such as ``code``
go to the network), ``ratelimit`` (the network's 429 and headers), ``latency`` (``delay_ms``, then the
request is served), ``malformed`` (200 with a body that is not JSON, nothing done), ``drop`` (the request
is acted on, then the socket is closed without an answer: the lost-answer case). ``path`` is matched
with shell wildcards (``/2/tweets*``); ``count`` (default unlimited) is how many requests it hits.
"""

from __future__ import annotations

import email.parser
import email.policy
import fnmatch
import json
import logging
import re
import secrets
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable


@dataclass
class Upload:
    """A file part of a multipart body."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class Reply:
    status: int
    body: Any = None  # dict/list -> JSON; bytes -> as is; None -> empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode()


class Abort(Exception):
    """Raised by a handler to answer with ``reply`` (an error of the network's own shape)."""

    def __init__(self, reply: Reply):
        super().__init__(reply.status)
        self.reply = reply


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # from the route's named groups

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not (the network turns it into its own error)."""
        return json.loads(self.body.decode("utf-8")) if self.body.strip() else None

    def form(self) -> dict[str, Any]:
        """Fields of a urlencoded or multipart body (files as ``Upload``), overlaid on the query string."""
        fields: dict[str, Any] = dict(self.query)
        ctype = self.header("content-type")
        if ctype.startswith("multipart/form-data"):
            fields.update(parse_multipart(ctype, self.body))
        elif ctype.startswith("application/x-www-form-urlencoded") or (self.body and not ctype):
            fields.update(dict(urllib.parse.parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True)))
        return fields


def parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """multipart/form-data -> {name: str or Upload}; ValueError when it is not well formed."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None or part.get_content_type() not in ("text/plain",):
            fields[name] = Upload(filename or "", part.get_content_type(), data)
        else:
            fields[name] = data.decode(part.get_content_charset() or "utf-8", "replace")
    return fields


IMAGE_MAGIC = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "gif": b"GIF8", "bmp": b"BM"}


def image_kind(data: bytes) -> str | None:
    """"jpeg", "png", "gif" or "bmp" from the file's first bytes (what servers check, not the name)."""
    return next((kind for kind, magic in IMAGE_MAGIC.items() if data.startswith(magic)), None)


Handler = Callable[["Network", Request], Reply]


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Mark a Network method as the handler of ``method`` + ``pattern`` (a regex with named groups)."""

    def mark(fn: Handler) -> Handler:
        fn.__dict__.setdefault("routes", []).append((method, re.compile(pattern + r"\Z")))
        return fn

    return mark


@dataclass
class Token:
    token: str
    user: str
    scopes: list[str]
    expires_at: float | None  # epoch seconds on the server's clock; None: never
    issued_at: float
    extra: dict[str, Any] = field(default_factory=dict)


class Network:
    """One network's double: routes, state, tokens, clock and faults. Subclasses set ``name``, implement
    ``seed``, ``error_reply``, ``rate_limited``, ``not_found`` and their routes."""

    name = "network"
    base_url = ""  # http://127.0.0.1:PORT once serving (for URLs the network hands out)

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.routes = [(m, rx, fn) for fn in _methods(type(self)) for m, rx in fn.__dict__["routes"]]
        self.reset()

    # ---------------------------------------------------------------- subclass hooks
    def seed(self) -> None:
        """Fresh state: seeded accounts and tokens."""

    def error_reply(self, status: int, effect: dict[str, Any], req: Request) -> Reply:
        raise NotImplementedError

    def rate_limited(self, req: Request, reset_at: float) -> Reply:
        raise NotImplementedError

    def not_found(self, req: Request) -> Reply:
        return self.error_reply(404, {}, req)

    def path_known(self, path: str) -> bool:
        """Some route has this path (with another method: a 405-like answer in the network's shape)."""
        return any(rx.match(path) for _, rx, _ in self.routes)

    def snapshot(self) -> dict[str, Any]:
        """What ``GET /_mock/state`` shows."""
        return {}

    def extra_control(self, method: str, what: str, body: dict[str, Any]) -> Reply | None:
        """A network's own /_mock/<what> endpoints (e.g. the outcome of the next asynchronous job)."""
        return None

    def settings(self) -> dict[str, str]:
        """KEY=VALUE lines of the env file (the URL is added by the runner)."""
        return {}

    # ---------------------------------------------------------------- shared state
    def reset(self) -> None:
        with self.lock:
            self.offset = 0.0
            self.faults: list[dict[str, Any]] = []
            self.tokens: dict[str, Token] = {}
            self.windows: dict[tuple[str, str], list[float]] = {}
            self.seed()

    def now(self) -> float:
        return time.time() + self.offset

    def new_id(self, digits: int = 19) -> str:
        return str(secrets.randbelow(9 * 10 ** (digits - 1)) + 10 ** (digits - 1))

    def add_token(self, token: str | None = None, user: str = "", scopes: list[str] | None = None,
                  expires_in: float | None = None, **extra: Any) -> Token:
        now = self.now()
        tok = Token(token or secrets.token_urlsafe(24), user, list(scopes or []),
                    None if expires_in is None else now + float(expires_in), now, extra)
        self.tokens[tok.token] = tok
        return tok

    def token_state(self, value: str) -> tuple[str, Token | None]:
        """("ok" | "missing" | "invalid" | "expired", token)."""
        if not value:
            return "missing", None
        tok = self.tokens.get(value)
        if tok is None or tok.extra.get("revoked"):
            return "invalid", tok
        if tok.expires_at is not None and self.now() >= tok.expires_at:
            return "expired", tok
        return "ok", tok

    def spend(self, key: str, bucket: str, limit: int, window_s: float) -> tuple[bool, int, float]:
        """Count one call in a fixed window: (allowed, remaining, reset epoch)."""
        now = self.now()
        start = self.windows.get((key, bucket), [now, 0])
        if now >= start[0] + window_s:
            start = [now, 0]
        allowed = start[1] < limit
        if allowed:
            start[1] += 1
        self.windows[(key, bucket)] = start
        return allowed, max(limit - start[1], 0), start[0] + window_s

    # ---------------------------------------------------------------- dispatch
    def dispatch(self, req: Request) -> Reply:
        for method, rx, fn in self.routes:
            match = rx.match(req.path)
            if match and method == req.method:
                req.params = match.groupdict()
                try:
                    with self.lock:
                        return fn(self, req)
                except Abort as stop:
                    return stop.reply
        return self.not_found(req)

    def take_fault(self, req: Request) -> dict[str, Any] | None:
        with self.lock:
            for fault in self.faults:
                match = fault.get("match", {})
                methods = [m.upper() for m in match.get("methods") or []]
                if methods and req.method not in methods:
                    continue
                if not fnmatch.fnmatchcase(req.path, match.get("path", "*")):
                    continue
                if fault.get("count") is not None:
                    fault["count"] -= 1
                    if fault["count"] <= 0:
                        self.faults.remove(fault)
                fault["hits"] = fault.get("hits", 0) + 1
                return dict(fault["effect"])
        return None

    def control(self, req: Request) -> Reply:
        """The /_mock/* test-control API."""
        what = req.path.removeprefix("/_mock/")
        try:
            body = req.json() or {}
        except ValueError:
            return Reply(400, {"error": "body is not JSON"})
        with self.lock:
            if what == "reset" and req.method == "POST":
                self.reset()
                return Reply(200, {"ok": True})
            if what == "faults":
                return self._faults(req.method, body)
            if what == "tokens" and req.method == "POST":
                tok = self.add_token(body.get("token"), str(body.get("user", self.default_user())),
                                     body.get("scopes"), body.get("expires_in"), **body.get("extra", {}))
                return Reply(200, {"token": tok.token, "user": tok.user, "scopes": tok.scopes,
                                   "expires_at": tok.expires_at})
            if what == "clock" and req.method == "POST":
                if "set" in body:
                    self.offset = float(body["set"]) - time.time()
                self.offset += float(body.get("advance", 0))
                return Reply(200, {"now": self.now()})
            if what == "state" and req.method == "GET":
                return Reply(200, {"network": self.name, "now": self.now(), "faults": self.faults, **self.snapshot()})
            extra = self.extra_control(req.method, what, body)
        return extra or Reply(404, {"error": f"no control endpoint {req.method} {req.path}"})

    def _faults(self, method: str, body: dict[str, Any]) -> Reply:
        if method == "GET":
            return Reply(200, {"faults": self.faults})
        if method == "DELETE":
            self.faults.clear()
            return Reply(200, {"faults": []})
        effect = body.get("effect") or {}
        if effect.get("type") not in {"status", "ratelimit", "latency", "malformed", "drop"}:
            return Reply(400, {"error": "effect.type must be status, ratelimit, latency, malformed or drop"})
        fault = {"id": secrets.token_hex(4), "match": body.get("match") or {}, "effect": effect,
                 "count": body.get("count"), "hits": 0}
        self.faults.append(fault)
        return Reply(200, fault)

    def default_user(self) -> str:
        return ""


def _methods(cls: type) -> list[Handler]:
    seen: dict[str, Handler] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if callable(value) and "routes" in getattr(value, "__dict__", {}):
                seen[name] = value
    return list(seen.values())


class _Handler(BaseHTTPRequestHandler):
    network: Network  # set per server class
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the runner's log stays readable

    def _serve(self) -> None:
        split = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, split.path, dict(urllib.parse.parse_qsl(split.query, keep_blank_values=True)),
                      {k.lower(): v for k, v in self.headers.items()}, body)
        if req.path.startswith("/_mock/"):
            return self._send(self.network.control(req))
        effect = self.network.take_fault(req)
        kind = (effect or {}).get("type")
        if kind == "latency":
            time.sleep(float(effect.get("delay_ms", 1000)) / 1000)
        elif kind == "status":
            return self._send(self.network.error_reply(int(effect.get("status", 500)), effect, req))
        elif kind == "ratelimit":
            return self._send(self.network.rate_limited(req, self.network.now() + float(effect.get("reset_in", 60))))
        elif kind == "malformed":
            return self._send(Reply(200, b'{"data": {"id": "12', content_type="application/json"))
        try:
            reply = self.network.dispatch(req)
        except Exception as err:  # a bug in the double: say so (500), do not drop the connection silently
            logging.getLogger(__name__).exception("%s %s failed", req.method, req.path)
            reply = Reply(500, {"mock_error": f"{type(err).__name__}: {err}"})
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return None
        return self._send(reply)

    def _send(self, reply: Reply) -> None:
        data = reply.encoded()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in reply.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


def serve(network: Network, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Bind (127.0.0.1 by default) and serve in a daemon thread; returns the server (``server_port``)."""
    handler = type(f"{network.name}Handler", (_Handler,), {"network": network})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=network.name, daemon=True).start()
    return server
