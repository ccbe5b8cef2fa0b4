"""The fake Bot API over HTTP on 127.0.0.1 (stdlib ThreadingHTTPServer in a thread)."""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

from .api import FakeBotApi
from .files import parse_multipart, resolve_attachments
from .schema import decode_form

PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")


def parse_body(method: str, content_type: str, body: bytes, query: str) -> dict:
    """Parameters from the query string and a JSON, form-encoded or multipart body."""
    form = dict(parse_qsl(query))
    if content_type.startswith("multipart/form-data"):
        fields, files = parse_multipart(content_type, body)
        return resolve_attachments(decode_form(method, {**form, **fields}), files)
    if content_type.startswith("application/json") and body:
        return {**decode_form(method, form), **json.loads(body)}
    if content_type.startswith("application/x-www-form-urlencoded"):
        form.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif body:
        raise ValueError(f"unsupported content type {content_type!r}")
    return decode_form(method, form)


class _Handler(BaseHTTPRequestHandler):
    api: FakeBotApi
    protocol_version = "HTTP/1.1"  # keep-alive, as the real server
    disable_nagle_algorithm = True

    def _answer(self) -> None:
        url = urlparse(self.path)
        match = PATH.match(url.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if match is None:
            self._send(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        try:
            params = parse_body(match["method"], self.headers.get("Content-Type", ""), body, url.query)
        except ValueError as error:
            self._send(400, {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"})
            return
        self._send(*self.api.handle(match["token"], match["method"], params))

    do_GET = do_POST = _answer

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the bot went away (killed): nothing to answer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet; the api records every call."""


class _Server(ThreadingHTTPServer):
    """A listen backlog like a real server's: the stdlib's 5 resets connections a busy bot
    opens at once (its pool holds up to 256), which Telegram never does."""

    request_queue_size = 1024
    daemon_threads = True


class FakeBotApiServer:
    """Serve a FakeBotApi on a free loopback port until stopped."""

    def __init__(self, api: FakeBotApi | None = None, port: int = 0) -> None:
        """Serve ``api`` on ``port`` (0: a free one; a fixed one to come back after a stop)."""
        self.api = api or FakeBotApi()
        handler = type("Handler", (_Handler,), {"api": self.api})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_BASE_URL should be (the bot appends ``/bot<token>``)."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeBotApiServer:
        """Start serving in a background thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Release long polls and stop serving."""
        self.api.close()
        self.halt()

    def halt(self) -> None:
        """Stop listening (connections are refused) but keep the api open for a new server."""
        self.httpd.shutdown()
        self.httpd.server_close()
