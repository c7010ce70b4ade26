"""bench/load.py's driver: every response read whole, however the server delimits it."""
from __future__ import annotations

import collections
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from bench.load import drive

BODY = b"x" * 70_000  # larger than one read


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers as the path says: keep-alive, closed, chunked or up to the end of the stream."""

    protocol_version = "HTTP/1.1"
    seen: collections.Counter = collections.Counter()

    def do_GET(self) -> None:  # the name http.server calls
        self.seen[self.path] += 1
        kind = self.path.strip("/")
        self.send_response(404 if kind == "missing" else 200)
        if kind == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(BODY), 30_000):
                part = BODY[start:start + 30_000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if kind == "eof":  # no length: the body ends when the server closes
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self.wfile.write(BODY)
            return
        self.send_header("Content-Length", str(len(BODY)))
        if kind == "close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    _Handler.seen = collections.Counter()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    # shutdown() waits for serve_forever to look at its flag again: every 0.5 s by default.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_every_response_is_read_whole_and_counted_once(server) -> None:
    urls = ["/keep", "/close", "/chunked", "/eof", "/missing"]
    result = drive(server.server_address[1], urls, seconds=0.5, connections=5)
    served = sum(_Handler.seen.values())
    assert result["requests"] == served > 50
    # Each connection asks for one URL again and again (5 connections, 5 URLs): a response
    # read short or long would break the next one on a kept-alive connection.
    assert result["errors"] == _Handler.seen["/missing"] > 0
    assert all(sample == "404 /missing" for sample in result["error_samples"])
    assert set(_Handler.seen) == set(urls)
    assert result["driver_cpu_ms"] > 0


def test_a_refused_connection_is_an_error_and_the_run_still_ends(server) -> None:
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    started = time.monotonic()
    result = drive(port, ["/keep"], seconds=0.2, connections=3)
    assert time.monotonic() - started < 5
    assert result["requests"] == result["errors"] > 0
    assert result["error_samples"][0] == "ConnectionRefusedError /keep"
