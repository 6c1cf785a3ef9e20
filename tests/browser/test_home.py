import re

import pytest


@pytest.fixture
def expect():
    from playwright.sync_api import expect

    return expect


def test_it_logs_in_and_lists_my_machines(page, alice, expect, tmp_path):
    missing = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.goto("/")

    # anonymous: sent to the login page first
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.screenshot(path=str(tmp_path / "login.png"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="State machines")).to_be_visible()
    expect(page.get_by_text("No state machines yet")).to_be_visible()
    expect(page.get_by_role("link", name="New state machine")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # the stylesheet loaded (served by WhiteNoise): the header is laid out
    assert page.locator(".topbar").evaluate("el => getComputedStyle(el).display") == "flex"

    screenshot = tmp_path / "home.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0

    # nothing the pages asked for was missing, their icon included; /favicon.ico finds it too
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).ok
    assert missing == []
    response = page.goto("/favicon.ico")
    assert response.ok and response.url.endswith(icon)
