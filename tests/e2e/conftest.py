"""Browser tests: the real server (`aaie serve`, SQLite, in-process jobs) on a free port, driven
by Playwright through Debian's Chromium (`/usr/bin/chromium`; `.ci/run` installs it).

Nothing here skips: without Chromium or with a server that does not start, the tests fail.
Every main page is photographed wide and at phone width (checking that nothing scrolls
sideways); `scripts/screenshots` refreshes the committed pictures in docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    expect,
    sync_playwright,
)

from aaie.services.visibility import find_teacher_only

ROOT = Path(__file__).resolve().parents[2]
# Where the page photographs go: a temporary folder, or docs/screenshots when refreshing the
# committed ones (`AAIE_SCREENSHOTS=docs/screenshots`, see scripts/screenshots).
SCREENSHOTS = Path(os.environ.get("AAIE_SCREENSHOTS", "/tmp/aaie-e2e-screenshots"))
AXE = Path(__file__).with_name("assets") / "axe.min.js"
CHROMIUM = os.environ.get("AAIE_CHROMIUM", "/usr/bin/chromium")
# Debian's Chromium on a closed network, as root: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ADMIN = ("admin@school.example.edu", "admin-password-123")
# Two cores shared with the engine: give the pages time (a failure still fails, only later).
expect.set_options(timeout=30_000)
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def api(self, method: str, path: str, token: str | None = None, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.request(method, self.url + path, headers=headers, timeout=120, **kw)

    def token(self, email: str, password: str) -> str:
        response = self.api("POST", "/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def account(self, email: str, password: str, role: str) -> None:
        admin = self.token(*ADMIN)
        body = {"email": email, "password": password, "role": role}
        response = self.api("POST", "/api/auth/register", admin, json=body)
        assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("e2e-data")
    port = _free_port()
    env = {
        **os.environ,
        "AAIE_DATA_DIR": str(data),
        "AAIE_ADMIN_EMAIL": ADMIN[0],
        "AAIE_ADMIN_PASSWORD": ADMIN[1],
        "AAIE_LOG_LEVEL": "WARNING",
        "AAIE_RATE_LIMIT_PER_MINUTE": "1000",
    }
    for key in ("DATABASE_URL", "TEST_DATABASE_URL", "JOB_BACKEND", "REDIS_URL", "JWT_SECRET"):
        env.pop(f"AAIE_{key}", None)
    log = data / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("aaie")), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"aaie serve did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.3)
    yield Server(url, process, log)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


# Module scope: Playwright's sync API runs an event loop in this thread while it is open, which
# would break later tests that call asyncio.run(); it is closed after each test module.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class Watched:
    """A browser context whose every API response body is kept (to check what a page loads)."""

    context: BrowserContext
    page: Page
    responses: list[tuple[str, Any]] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def leaks(self) -> list[str]:
        found = []
        for url, body in self.responses:
            found.extend(f"{url}: {path}" for path in find_teacher_only(body))
        return found


@pytest.fixture
def open_browser(browser: Browser, server: Server) -> Iterator[Callable[..., Watched]]:
    opened: list[BrowserContext] = []

    def open_(viewport: dict[str, int] | None = None) -> Watched:
        # bypass_csp: only so the tests can inject axe-core; the app itself runs under its CSP.
        context = browser.new_context(
            base_url=server.url, viewport=viewport or WIDE, bypass_csp=True, accept_downloads=True
        )
        opened.append(context)
        context.set_default_timeout(60_000)
        watched = Watched(context, context.new_page())

        def record(route: Route) -> None:
            if "multipart" in (route.request.headers.get("content-type") or ""):
                # route.fetch() drops multipart bodies; uploads answer file metadata only.
                route.continue_()
                return
            response = route.fetch()
            if "json" in response.headers.get("content-type", ""):
                watched.responses.append((route.request.url, json.loads(response.body())))
            route.fulfill(response=response)

        context.route("**/api/**", record)

        def console(message: Any) -> None:
            # An API answering 4xx is logged by the browser itself; the pages show those.
            if message.type == "error" and not message.text.startswith("Failed to load resource"):
                watched.console_errors.append(message.text)

        watched.page.on("console", console)
        watched.page.on("pageerror", lambda e: watched.console_errors.append(str(e)))
        return watched

    yield open_
    for context in opened:
        context.close()


def sign_in(page: Page, email: str, password: str, path: str = "/app") -> None:
    page.goto(path)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/app/login" not in url)


def check_accessibility(page: Page, where: str) -> None:
    """0 serious or critical axe-core violations (WCAG 2 A/AA rules) on the page as it is."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
                .map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    assert result == [], f"{where}: axe-core found {json.dumps(result, indent=1)}"


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>-wide.png and -narrow.png (phone width) of the page as it is."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or WIDE
    for label, viewport in (("wide", WIDE), ("narrow", NARROW)):
        page.set_viewport_size(viewport)
        page.evaluate("() => { document.activeElement?.blur?.(); window.scrollTo(0, 0); }")
        page.wait_for_timeout(150)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        if label == "narrow":
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 2, f"{name}: the page scrolls sideways at phone width ({overflow}px)"
    page.set_viewport_size(size)
