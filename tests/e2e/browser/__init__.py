"""Playwright helpers: Debian's Chromium, axe-core and Nu Html Checker checks, screenshots."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import need
from tests.e2e.servers import ROOT

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "artifacts" / "browser"
WIDTHS = (1280, 375)


def axe_source() -> str:
    """Return axe-core's script: KB_TEST_AXE_JS, or the copy `npm install` put beside the tests."""
    candidates = [os.environ.get("KB_TEST_AXE_JS", ""),
                  str(ROOT / "tests/e2e/.node_modules/node_modules/axe-core/axe.min.js")]
    found = next((Path(c) for c in candidates if c and Path(c).is_file()), None)
    need(found, "axe-core is not installed: npm install --prefix tests/e2e/.node_modules "
                "axe-core@4 (or set KB_TEST_AXE_JS)")
    return found.read_text(encoding="utf-8")


# Source HTML of every page check_page saw in the running test; tests/e2e/conftest.py has the
# Nu Html Checker read them all at the end of the test (one Java start per test).
visited: list[Path] = []


def vnu_jar() -> Path | None:
    """Return the Nu Html Checker's jar: KB_TEST_VNU_JAR or the copy `npm install` made."""
    candidates = [os.environ.get("KB_TEST_VNU_JAR", ""),
                  str(ROOT / "tests/e2e/.node_modules/node_modules/vnu-jar/build/dist/vnu.jar")]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


def html_errors(paths: list[Path]) -> list[str]:
    """Run the Nu Html Checker over ``paths``; return its errors, each with page and line."""
    jar, java = vnu_jar(), shutil.which("java")
    need(jar, "the Nu Html Checker is not installed: npm install --prefix tests/e2e/.node_modules "
              "vnu-jar@26 (or set KB_TEST_VNU_JAR); `source .ci/services && kb_ci_install_vnu`")
    need(java, "java is missing: apt-get install default-jre-headless")
    result = subprocess.run([java, "-jar", str(jar), "--format", "json", "--errors-only",
                             *map(str, paths)], capture_output=True, text=True, timeout=600,
                            check=False)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [f"{Path(m.get('url', '?')).stem}: line {m.get('lastLine', '?')}: {m['message']}"
            + (f" [{m['extract'].strip()}]" if m.get("extract") else "")
            for m in messages if m["type"] in ("error", "non-document-error")]


def save_source(page, name: str) -> None:
    """Keep the HTML the server sent for the page (what validators read, not the live DOM)."""
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.html"
    path.write_text(page.context.request.get(page.url).text(), encoding="utf-8")
    visited.append(path)


def launch(playwright):
    """Start Debian's Chromium; skip loudly (fail on CI) when it is not installed."""
    need(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def serious_violations(page, axe_js: str) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations, described."""
    page.evaluate(axe_js)  # evaluated by the browser itself: the page's CSP forbids inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['impact']}: {v['id']} ({v['help']}) at "
            + json.dumps([n["target"] for n in v["nodes"]][:5])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def screenshots(page, name: str) -> None:
    """Screenshot the page at 1280 and 375 px wide into artifacts/browser/NAME-WIDTH.png and
    keep its source for the Nu Html Checker (works without JavaScript)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)
    save_source(page, name)


def check_page(page, name: str, axe_js: str) -> list[str]:
    """Screenshot the page at 1280 and 375 px wide, keep its source for the Nu Html Checker,
    and return axe's serious findings (axe needs a context with JavaScript enabled)."""
    screenshots(page, name)
    return [f"{name}: {v}" for v in serious_violations(page, axe_js)]
