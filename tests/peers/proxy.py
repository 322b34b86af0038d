"""A reverse proxy for the campaign: strips `Idempotency-Key`, and fails calls after the server acted.

    python tests/peers/proxy.py --upstream http://127.0.0.1:3030 [--port 0]

prints `PORT <n>` once it listens. Every request goes to the upstream without its
`Idempotency-Key` header (as some proxies and most networks behave), so smm's guarantee
cannot lean on the server's key. Faults are armed through the proxy itself:

    POST   /_proxy/faults  {"method": "POST", "path": "/api/v1/statuses", "effect": "status", "status": 503, "count": 1}
                           (`"skip": n` lets the first n matching requests through)
    GET    /_proxy/faults  the armed faults, what fired (`fired`), how many keys were stripped, and
                           the slowest late forward (`slowest_late_ms`, from the 504 to the server's answer)
    DELETE /_proxy/faults  disarm all

Effects, each applied after the server has acted (the upstream's own /api/v1/_mock/faults act before):

    status   forward, then answer `status` (500, 502, 503, 504) instead of the server's answer
    drop     forward, then close the connection without answering (a reset after sending)
    late     answer 504 at once, and forward `delay_ms` later (the request is still being served)
    flood    forward, then answer 200 with a JSON body of `bytes` bytes (a server that never stops answering)

Only the standard library: it runs from any Python.
"""

from __future__ import annotations

import argparse
import fnmatch
import http.client
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "content-length"}
LOCK = threading.Lock()
STATE = {"faults": [], "fired": {}, "stripped": 0, "forwarded": 0, "slowest_late_ms": 0}


def take_fault(method: str, path: str) -> dict | None:
    with LOCK:
        for fault in STATE["faults"]:
            if fault.get("method", method) == method and fnmatch.fnmatch(path, fault.get("path", "*")):
                if fault.get("skip", 0) > 0:  # let this many matching requests through first
                    fault["skip"] -= 1
                    return None
                fault["count"] = fault.get("count", 1) - 1
                if fault["count"] <= 0:
                    STATE["faults"].remove(fault)
                name = fault["effect"] + (f":{fault['status']}" if fault["effect"] == "status" else "")
                STATE["fired"][name] = STATE["fired"].get(name, 0) + 1
                return fault
    return None


class Proxy(BaseHTTPRequestHandler):
    upstream = urlsplit("http://127.0.0.1:3030")
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _answer(self, status: int, body: bytes, headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _control(self, body: bytes) -> None:
        with LOCK:
            if self.command == "POST":
                STATE["faults"].append(json.loads(body))
            elif self.command == "DELETE":
                STATE["faults"].clear()
            answer = json.dumps(STATE).encode()
        self._answer(200, answer, [("Content-Type", "application/json")])

    def _forward(self, body: bytes) -> tuple[int, bytes, list[tuple[str, str]]]:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP and k.lower() != "idempotency-key"}
        with LOCK:
            STATE["forwarded"] += 1
            STATE["stripped"] += "Idempotency-Key" in self.headers
        connection = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(), response.getheaders()
        finally:
            connection.close()

    def _late(self, body: bytes, delay: float) -> None:
        """Forward `delay` seconds on; how long after the answer the server had acted is kept
        (`slowest_late_ms`): a loaded machine can make it later than smm's `settle` assumes."""
        answered = time.monotonic()
        time.sleep(delay)
        self._forward(body)
        with LOCK:
            STATE["slowest_late_ms"] = max(STATE["slowest_late_ms"], round((time.monotonic() - answered) * 1000))

    def _flood(self, size: int) -> None:
        """200 and `size` bytes of one JSON string, written as they go (never held in memory)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b'{"x": "')
        chunk, left = b"a" * 2**16, size - 9
        while left > 0:
            self.wfile.write(chunk[:left])
            left -= len(chunk)
        self.wfile.write(b'"}')

    def _handle(self) -> None:
        body = self._body()
        path = urlsplit(self.path).path
        if path == "/_proxy/faults":
            return self._control(body)
        fault = take_fault(self.command, path)
        if fault and fault["effect"] == "late":
            self._answer(504, b'{"error": "Gateway Timeout"}', [("Content-Type", "application/json")])
            threading.Thread(target=self._late, args=(body, fault.get("delay_ms", 500) / 1000), daemon=True).start()
            return
        status, answer, headers = self._forward(body)
        if fault and fault["effect"] == "drop":
            self.close_connection = True
            self.connection.close()
            return
        if fault and fault["effect"] == "flood":
            return self._flood(fault.get("bytes", 64 * 2**20))
        if fault and fault["effect"] == "status":
            status, answer, headers = fault["status"], b'{"error": "proxy fault"}', [("Content-Type", "application/json")]
        self._answer(status, answer, headers)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):  # the client was killed: nothing to answer
            pass

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle


def start(upstream: str):
    """Start a proxy in front of `upstream` in its own process: (the process, the proxy's URL)."""
    import subprocess

    process = subprocess.Popen([sys.executable, __file__, "--upstream", upstream], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        process.kill()
        raise RuntimeError(f"the proxy did not start (it printed {line!r})")
    return process, f"http://127.0.0.1:{line.split()[1]}"


def stop(process) -> None:
    process.kill()
    process.wait()
    process.stdout.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    Proxy.upstream = urlsplit(args.upstream)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Proxy)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    main()
