"""Every page works under the Content-Security-Policy (settings.SECURE_CSP: scripts only from our
own files, no inline script, no eval), in real Chromium against the real server (Daphne, the
websockets, the runtime): each page is opened and used a little, and no page reports a violation.
"""
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from designer import arns
from designer.models import StateMachine
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, watch_csp
from tests.helpers import migrated_sqlite, using_database
from tests.runserver import RunServer

ROOT = Path(__file__).resolve().parents[2]
ASK = ('{"StartAt": "Check", "States": {"Check": {"Type": "Task", "Resource": '
       '"arn:aws:states:::statelight:approval", "Parameters": {"Title": "Ship it?"}, "End": true}}}')

pytestmark = pytest.mark.skipif(not (ROOT / "static/build/viewer.js").exists(),
                                reason="no front-end bundle: run `npm ci && npm run build` (scripts/test does)")


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_blocker):
    folder = tmp_path_factory.mktemp("csp-site")
    url = migrated_sqlite(folder)
    with django_db_blocker.unblock(), using_database(url, folder):
        carol = get_user_model().objects.create_user("carol", password="carol-password", is_staff=True,
                                                     is_superuser=True)
        machine = StateMachine.objects.create(arn=arns.arn("stateMachine", "us-east-1", "ask"), name="ask",
                                              region="us-east-1", owner=carol, definition=ASK)
        server = RunServer(url, folder / "server.log", DJANGO_SECRET_KEY="csp-pages")
        server.start()
        try:
            yield {"url": server.url, "machine": machine}
        finally:
            server.stop()


@pytest.fixture
def browser_context(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=site["url"])
        context.set_default_timeout(15_000)
        yield context, watch_csp(context)
        browser.close()


def test_every_page_works_and_reports_no_violation(site, browser_context):
    from playwright.sync_api import expect

    context, violations = browser_context
    page = context.new_page()
    csp = page.goto("/accounts/login/").headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("carol-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="State machines")).to_be_visible()

    machine = site["machine"].pk
    page.goto(f"/machines/{machine}/")  # the designer: React, React Flow, ELK (no stored layout), CodeMirror
    expect(page.locator('[data-state-name="Check"]')).to_be_visible()
    page.get_by_role("button", name="Code").click()
    expect(page.locator(".cm-editor")).to_be_visible()

    page.goto(f"/machines/{machine}/runs/")  # the runs list, live over its websocket
    page.get_by_role("button", name="Start execution").click()
    expect(page).to_have_url(re.compile(r"/executions/\d+/$"))  # the viewer, on its websocket
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    expect(page.locator('[data-state-name="Check"]')).to_have_attribute("data-waiting-for", "approval")

    page.goto("/approvals/")  # the inbox, on its websocket
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Nothing waits for you.")).to_be_visible()

    page.goto("/keys/")
    page.get_by_role("button", name="Create access key").click()
    expect(page.get_by_text("Copy the secret now")).to_be_visible()

    for path in ["/admin/", "/admin/designer/statemachine/", f"/admin/designer/statemachine/{machine}/change/",
                 "/admin/auth/user/add/", "/admin/designer/execution/?status__exact=SUCCEEDED"]:
        assert page.goto(path).ok, path
        expect(page.locator("#content")).to_be_visible()
    page.locator("#toggle-nav-sidebar").click()  # the admin's own scripts run

    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert violations == [], "\n".join(violations)


def test_the_lockout_page_reports_no_violation(site, browser_context):
    # last in this module: locking out the browser's address locks it for every later test here
    context, violations = browser_context
    page = context.new_page()
    for _ in range(5):
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill("mallory")
        page.get_by_label("Password").fill("guess")
        page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text().startswith("Too many failed logins")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("carol")
    page.get_by_label("Password").fill("carol-password")
    page.get_by_role("button", name="Log in").click()
    assert "Too many failed logins" in page.locator(".errornote").inner_text()
    assert violations == [], "\n".join(violations)
