"""A local stand-in for a remote LRS, answering as told (500, 429, timeouts, 409, …)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class StandIn:
    def __init__(self):
        self.stored: dict[str, dict] = {}
        self.mode = "normal"
        self.reject_verb = None  # a verb id that gets reject_status when it is in a batch
        self.reject_status = 400
        self.posts = 0
        self.lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, headers=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                statement_id = parse_qs(urlsplit(self.path).query).get("statementId", [""])[0]
                if statement_id in standin.stored:
                    return self._send(200, standin.stored[statement_id])
                return self._send(404, {"error": "not found"})

            def do_POST(self):  # noqa: N802
                batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with standin.lock:
                    standin.posts += 1
                    status, body, headers, delay = standin.answer(batch)
                time.sleep(delay)
                return self._send(status, body, headers)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, batch):
        """(status, body, headers, seconds to wait before answering)."""
        mode = self.mode
        if mode == "500":
            return 500, {"error": "boom"}, None, 0
        if mode == "401":
            return 401, {"error": "bad credentials"}, None, 0
        if mode == "429":
            return 429, {"error": "slow down"}, {"Retry-After": "7"}, 0
        if mode == "413" and len(batch) > 1:
            return 413, {"error": "too large"}, None, 0
        if self.reject_verb and any(s["verb"]["id"] == self.reject_verb for s in batch):
            return self.reject_status, {"error": "invalid statement"}, None, 0
        for statement in batch:
            known = self.stored.get(statement["id"])
            if known is not None and known != statement:
                return 409, {"error": "conflict"}, None, 0
        new = [s for s in batch if s["id"] not in self.stored]
        for statement in new:
            self.stored[statement["id"]] = statement
        delay = 0
        if mode == "timeout-after-store":
            self.mode = "normal"
            delay = 2.5  # longer than the client's read timeout in the test
        if mode == "409-duplicates" and len(new) < len(batch):
            return 409, {"error": "already stored"}, None, delay
        if not new:
            return 204, None, None, delay
        return 200, [s["id"] for s in new], None, delay

    def close(self):
        self.server.shutdown()
        self.server.server_close()
