"""Real servers for end-to-end tests: gunicorn, the kb CLI, PostgreSQL databases, Redis.

Everything binds 127.0.0.1 on a free port; every wait is bounded in time.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Call predicate until it returns something truthy; fail after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@dataclass
class Response:
    status: int
    body: str
    headers: dict[str, str]

    def json(self):
        return json.loads(self.body)


def request(port: int, method: str, path: str, body: object = None,
            headers: dict[str, str] | None = None, timeout: float = 15.0) -> Response:
    """Send one request on a fresh connection (so gunicorn may hand it to any worker)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return Response(resp.status, resp.read().decode("utf-8", "replace"),
                        {k.lower(): v for k, v in resp.getheaders()})
    finally:
        conn.close()


def base_env(database_url: str, index_dir: Path, tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a production-like kb process."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KB_") and k not in ("FLASK_DEBUG",)}
    env.update({
        "KB_DATABASE_URL": database_url,
        "KB_INDEX_DIR": str(index_dir),
        "KB_SECRET_KEY": "e2e-" + secrets.token_hex(16),
        "KB_MAIL_DIR": str(tmp / "mail"),
        "KB_RATELIMIT_ENABLED": "false",
        "KB_INDEX_SYNC_INTERVAL": "1.0",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


def kb_cli(env: dict[str, str], *args: str, stdin: str | None = None, check: bool = True,
           timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `flask --app wsgi kb ARGS` in its own process."""
    proc = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "kb", *args],
                          cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"kb {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc


def run_python(env: dict[str, str], code: str, timeout: float = 120,
               argv: list[str] = ()) -> str:
    """Run a snippet with the app of ``env`` and return its stdout."""
    proc = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"snippet failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


@dataclass
class Gunicorn:
    """One gunicorn master with its workers, serving wsgi:app on a free port."""

    env: dict[str, str]
    log_path: Path
    workers: int = 4
    extra_args: list[str] = field(default_factory=list)
    port: int = 0
    proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> Gunicorn:
        need(shutil.which("gunicorn", path=str(Path(sys.executable).parent))
             or _importable("gunicorn"), "gunicorn is not installed (make install-test)")
        self.port = free_port()
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers),
             "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", *self.extra_args,
             "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for(self._ready, timeout, 0.2, f"gunicorn on port {self.port} (log {self.log_path})")
        return self

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"gunicorn exited {self.proc.returncode}:\n{self.log()[-3000:]}")
        try:
            return request(self.port, "GET", "/api/v1/taxonomy", timeout=5).status == 200
        except OSError:
            return False

    def get(self, path: str, **kw) -> Response:
        return request(self.port, "GET", path, **kw)

    def post(self, path: str, body: object, token: str | None = None) -> Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return request(self.port, "POST", path, body=body, headers=headers)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


# PostgreSQL: each test gets its own database on the server named by the environment.

def postgres_admin_url() -> str | None:
    """The URL of a PostgreSQL server the tests may create databases on, if any."""
    url = os.environ.get("KB_TEST_POSTGRES_URL") or os.environ.get("KB_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """Create an empty database (for one test, or one test process) and drop it afterwards."""
    admin = postgres_admin_url()
    need(admin, "no PostgreSQL server: set KB_TEST_POSTGRES_URL=postgresql+psycopg://USER@"
                "127.0.0.1:PORT/postgres (a role allowed to CREATE DATABASE); .ci/run does")
    import psycopg

    parts = urllib.parse.urlsplit(admin.replace("postgresql+psycopg://", "postgresql://", 1))
    name = f"kb_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(urllib.parse.urlunsplit(parts), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    try:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(urllib.parse.urlunsplit(parts), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def redis_server(tmp: Path) -> Iterator[str]:
    """Yield the URL of a Redis server: KB_TEST_REDIS_URL, or one started here."""
    url = os.environ.get("KB_TEST_REDIS_URL")
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    need(binary, "no Redis: install redis-server or set KB_TEST_REDIS_URL=redis://127.0.0.1:PORT")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(tmp)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: _port_open(port), 10, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


class FormSession:
    """A signed-in person using the HTML forms, each request on a fresh connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep_cookies(self, resp: http.client.HTTPResponse) -> None:
        from http.cookies import SimpleCookie

        for header in resp.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def send(self, method: str, path: str, form: dict[str, str] | None = None,
             timeout: float = 15.0) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            body = urllib.parse.urlencode(form) if form is not None else None
            extra = {"Content-Type": "application/x-www-form-urlencoded"} if form else {}
            conn.request(method, path, body=body, headers=self._headers(extra))
            resp = conn.getresponse()
            self._keep_cookies(resp)
            return Response(resp.status, resp.read().decode("utf-8", "replace"),
                            {k.lower(): v for k, v in resp.getheaders()})
        finally:
            conn.close()

    def csrf_token(self, path: str) -> str:
        import re

        page = self.send("GET", path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        assert match, f"no CSRF token on {path} ({page.status})"
        return match.group(1)

    def sign_in(self, email: str, password: str) -> FormSession:
        token = self.csrf_token("/login")
        resp = self.send("POST", "/login", {"csrf_token": token, "email": email,
                                            "password": password})
        assert resp.status in (302, 303), f"sign-in failed ({resp.status}): {resp.body[:300]}"
        self.token = self.csrf_token("/review/")
        return self

    def approve(self, practice_id: int) -> Response:
        """Approve a claimed practice through the review form, as a reviewer would."""
        from kb.workflow import CHECKLIST_KEYS

        form = {"csrf_token": self.token, "decision": "approve", "comment": ""}
        form.update({f"check_{key}": "y" for key in CHECKLIST_KEYS})
        return self.send("POST", f"/review/{practice_id}/decide", form)
