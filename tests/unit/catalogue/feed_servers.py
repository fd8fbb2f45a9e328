"""Local stand-ins for providers' feed servers, and a socket that proves nobody connected to it.

``FeedServer`` serves canned answers by path (a body, a status, a redirect,
a slow trickle) on 127.0.0.1 and records every request it got, with its
``Host`` header. ``Listener`` is a bare listening socket: ``connections()``
counts the connections the kernel queued for it, which is how the tests show
that a refused URL never reached the network.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Answer = Callable[[http.server.BaseHTTPRequestHandler], None]


def body(data: bytes, content_type: str = "application/vnd.api+json", status: int = 200) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def redirect(location: str, status: int = 302) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def trickle(chunks: int, pause: float, chunk: bytes = b" ") -> Answer:
    """A 200 whose body arrives a little at a time: every read is quick, the whole takes chunks × pause."""
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        try:
            for _ in range(chunks):
                handler.wfile.write(chunk)
                handler.wfile.flush()
                time.sleep(pause)
        except OSError:
            pass  # the fetcher gave up: exactly what the test wants

    return answer


def endless(total: int, piece: int = 65536) -> Answer:
    """A 200 without a length that streams ``total`` bytes."""
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.end_headers()
        try:
            sent = 0
            while sent < total:
                handler.wfile.write(b"x" * piece)
                sent += piece
        except OSError:
            pass

    return answer


@dataclass
class FeedServer:
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, Host header)

    def __post_init__(self) -> None:
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                server.requests.append((self.path, self.headers.get("Host", "")))
                answer = server.answers.get(self.path) or server.answers.get(self.path.split("?")[0])
                (answer or body(b"not found", "text/plain", 404))(self)

            def log_message(self, *args: object) -> None:
                pass

        self._http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


class Listener:
    """A listening socket nobody accepts on; it tells how many connections reached it."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.setblocking(False)
        self.port = int(self.sock.getsockname()[1])
        self._accepted = 0

    def connections(self) -> int:
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return self._accepted
            conn.close()
            self._accepted += 1

    def close(self) -> None:
        self.sock.close()
