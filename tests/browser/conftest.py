"""Real Chromium (Debian's /usr/bin/chromium) driven by the Playwright sync API.

These tests run in their own pytest process (scripts/test does that): the
Playwright sync API runs an event loop that pytest-asyncio must not share.
Without Chromium or the playwright package they skip, saying which is missing.
`playwright install` is never used: Playwright drives the system Chromium.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("STATELIGHT_CHROMIUM", "/usr/bin/chromium")
# screenshots, to be looked at (gitignored)
SHOTS = Path(__file__).resolve().parents[2] / "test-results"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # this machine's network is closed: no update checks, no sync, no pings
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop running in the test's thread,
# and Django refuses ORM calls from a thread with a running loop. The tests
# are ordinary synchronous code, so the check is a false alarm here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def pytest_collection_modifyitems(config, items):
    missing = _missing()
    for item in items:
        if item.path.is_relative_to(os.path.dirname(__file__)):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=missing))


# Every Content-Security-Policy violation a page reports (the event every document fires), sent
# to the test; Chromium's console line for one ("Refused to ...") is a second net.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => window.reportCspViolation(
  `${e.effectiveDirective} refused ${e.blockedURI || "inline code"} on ${e.documentURI} (${e.sourceFile}:${e.lineNumber})`));
"""


def watch_csp(context) -> list[str]:
    """The violations of the Content-Security-Policy reported by any page of `context`, as they come."""
    violations = []
    context.expose_binding("reportCspViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.on("console", lambda message: violations.append(message.text)
               if "Content Security Policy" in message.text else None)
    return violations


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a module's journeys on a server of its own (each person gets a context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(live_server, tmp_path):
    """A fresh browser per test: nothing leaks from one journey to the next."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
            context.set_default_timeout(10_000)
            violations = watch_csp(context)
            yield context.new_page()
            assert violations == [], "the page broke its Content-Security-Policy"
        finally:
            browser.close()


@pytest.fixture
def users_db(transactional_db):
    """The standing users (tests/conftest.py) are committed: the live server thread must see them."""


@pytest.fixture
def expect():
    """Playwright's expect, imported only where the package is there (see _missing)."""
    from playwright.sync_api import expect

    return expect


def screenshot(page, folder: str, name: str):
    """test-results/<folder>/<name>.png"""
    (SHOTS / folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / folder / f"{name}.png"))
