"""A tiny SMTP server on 127.0.0.1 for the mail tests (stdlib only): it records what it gets."""
from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import threading


class FakeSMTP:
    """Accept SMTP sessions on a free port; with ``hold``, each session is silent until that
    event is set (a slow server, for as long as the test wants, at most HOLD_LIMIT seconds)."""

    HOLD_LIMIT = 30.0

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.hold = hold
        self.messages: list[email.message.EmailMessage] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):  # wakes accept() now, not at its next timeout
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            if self._stop.is_set():  # close()'s own connection
                conn.close()
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn: socket.socket) -> None:
        with contextlib.closing(conn), conn.makefile("rb") as lines:
            if self.hold is not None:
                self.hold.wait(self.HOLD_LIMIT)
            conn.sendall(b"220 fake.test ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb == b"DATA":
                    conn.sendall(b"354 end with .\r\n")
                    self._receive(lines)
                    conn.sendall(b"250 queued\r\n")
                elif verb == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # EHLO, HELO, MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 fake.test\r\n")

    def _receive(self, lines) -> None:
        data = bytearray()
        for line in lines:
            if line == b".\r\n":
                break
            data += line[1:] if line.startswith(b"..") else line
        self.messages.append(email.message_from_bytes(bytes(data), policy=email.policy.default))
