"""Fixtures for production checks: a seeded database on SQLite or PostgreSQL, gunicorn servers."""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e import browser, servers


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "production: starts real servers (gunicorn, PostgreSQL, Redis); CI runs them")


@dataclass
class Site:
    """One database with its seed data, and the gunicorn servers started over it."""

    backend: str
    database_url: str
    tmp: Path
    seed: dict = field(default_factory=dict)
    servers: list[servers.Gunicorn] = field(default_factory=list)
    server: servers.Gunicorn | None = None  # the one a served fixture started, and its address
    base: str = ""

    def env(self, index_dir: Path | None = None, **extra: str) -> dict[str, str]:
        return servers.base_env(self.database_url, index_dir or self.tmp / "index", self.tmp,
                                **extra)

    def serve(self, workers: int = 4, index_dir: Path | None = None, args: list[str] = (),
              **extra: str) -> servers.Gunicorn:
        """Start gunicorn on this site's database (and its own index dir when given)."""
        name = f"gunicorn-{len(self.servers)}.log"
        server = servers.Gunicorn(self.env(index_dir, **extra), self.tmp / name, workers,
                                  list(args))
        self.servers.append(server)
        return server.start()

    def cli(self, *args: str, index_dir: Path | None = None, check: bool = True):
        return servers.kb_cli(self.env(index_dir), *args, check=check)

    def practices(self, reviewer: str) -> list[dict]:
        return self.seed["practices"][reviewer]

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
            # Shown by pytest only when the test failed.
            print(f"---- {server.log_path.name} (last lines)\n{server.log()[-6000:]}")


@contextlib.contextmanager
def _database(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'kb.sqlite'}"
    else:
        with servers.postgres_database() as url:
            yield url


@pytest.fixture
def make_site(tmp_path: Path):
    """Return a function: make_site(backend, reviewers=["r1"], per_reviewer=2) -> Site.

    The database is migrated with `kb init` and seeded in separate processes, as an operator
    would; every server started through the site is stopped at the end of the test.
    """
    stack = contextlib.ExitStack()
    sites: list[Site] = []

    def make(backend: str, reviewers: list[str] = ("r1",), per_reviewer: int = 2) -> Site:
        tmp = tmp_path / f"site{len(sites)}"
        tmp.mkdir()
        site = Site(backend, stack.enter_context(_database(backend, tmp)), tmp)
        sites.append(site)
        site.cli("init")
        spec = json.dumps({"reviewers": list(reviewers), "per_reviewer": per_reviewer})
        out = servers.run_python(
            site.env(), "from tests.e2e.production_data import main; main()\n", timeout=600,
            argv=[spec])
        site.seed = json.loads(out.strip().splitlines()[-1])
        return site

    with stack:
        try:
            yield make
        finally:
            for site in sites:
                site.stop()


@pytest.fixture
def chromium():
    """Debian's Chromium through Playwright (a test module may still define its own)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        instance = browser.launch(playwright)
        yield instance
        instance.close()


@pytest.fixture(autouse=True)
def valid_html(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a browser test, the Nu Html Checker reads every page it checked: 0 errors."""
    browser.visited.clear()
    yield
    if request.node.get_closest_marker("browser") is None or not browser.visited:
        return
    errors = browser.html_errors(list(dict.fromkeys(browser.visited)))
    if errors:
        pytest.fail("Nu Html Checker errors:\n" + "\n".join(errors), pytrace=False)


def _served(make_site: Callable[..., Site], demo: bool) -> Site:
    site = make_site("sqlite", ["reviewer"], per_reviewer=0)
    if demo:
        site.cli("init", "--demo")
    site.server = site.serve(workers=2)
    site.base = f"http://127.0.0.1:{site.server.port}"
    return site


@pytest.fixture
def review_site(make_site):
    """A served SQLite site with the seeded submitter and one reviewer ("reviewer")."""
    return _served(make_site, demo=False)


@pytest.fixture
def demo_site(make_site):
    """The same site with the demo repository loaded (`kb init --demo`) before it is served."""
    return _served(make_site, demo=True)
