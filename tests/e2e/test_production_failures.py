"""Failure behaviour on real servers: a stuck index writer, and the database going away."""
from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading

import pytest

from tests.e2e.servers import ROOT, free_port, wait_for
from tests.e2e.test_production import assert_approved, finds, reviewer

pytestmark = pytest.mark.production

HOLD_WRITER = """
import sys, time
from pathlib import Path
from kb.search import SearchIndex
writer = SearchIndex(sys.argv[1])._open().writer()
print("locked", flush=True)
release = Path(sys.argv[2])
for _ in range(1200):  # bounded: two minutes at most
    if release.exists():
        break
    time.sleep(0.1)
writer.cancel()
"""


def test_a_stuck_index_writer_delays_search_but_never_a_publish(make_site):
    site = make_site("sqlite", ["r1"], per_reviewer=1)
    server = site.serve(workers=2)
    person = reviewer(site, server)
    [practice] = site.practices("r1")
    release = site.tmp / "release"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WRITER, str(site.tmp / "index"),
                               str(release)], cwd=ROOT, env=site.env(), stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert_approved(person.approve(practice["id"]))
        assert server.get("/practices?q=zqanchor").status == 200  # searches still answer
        assert finds(server, site.seed["anchor"])
        assert not finds(server, practice)  # slightly stale while the writer is stuck
    finally:
        release.touch()
        holder.wait(timeout=30)
        holder.stdout.close()
    wait_for(lambda: finds(server, practice), 10, 0.3, "the index to catch up")
    site.cli("index", "check")
    assert "index busy" in server.log()


class TcpProxy:
    """Forward a local port to PostgreSQL; stopping it is the database becoming unreachable."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while listener is self.listener:
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), 5)
            except OSError:
                client.close()
                continue
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        listener, self.listener = self.listener, None
        if listener:
            listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.sockets.clear()


def test_an_unreachable_database_gives_a_503_page_and_recovers_by_itself(make_site):
    from sqlalchemy.engine import make_url

    site = make_site("postgresql", ["r1"], per_reviewer=0)
    url = make_url(site.database_url)
    proxy = TcpProxy(url.port)
    proxy.start()
    try:
        proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        server = site.serve(workers=2, KB_DATABASE_URL=proxied)
        assert server.get("/").status == 200
        proxy.stop()
        pages = [server.get("/") for _ in range(6)]
        assert {page.status for page in pages} == {503}, [p.status for p in pages]
        assert all("Temporarily unavailable" in page.body for page in pages)
        api = server.get("/api/v1/practices?q=zqanchor")
        # A search may still answer from the index alone; whatever needs the database says 503.
        assert api.status in (200, 503), api.body[:300]
        if api.status == 503:
            assert api.json()["error"]["code"] == "database_unavailable"
        proxy.start()
        wait_for(lambda: all(server.get("/").status == 200 for _ in range(6)), 20, 0.5,
                 "recovery once the database is back")
    finally:
        proxy.stop()
    assert "database unavailable on GET /" in server.log()
