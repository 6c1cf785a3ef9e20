import re

import pytest


@pytest.fixture
def expect():
    from playwright.sync_api import expect

    return expect


def test_it_logs_in_and_lists_the_examples(page, alice, expect, tmp_path):
    page.goto("/")

    # anonymous: sent to the login page first
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.screenshot(path=str(tmp_path / "login.png"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-password")
    page.get_by_role("button", name="Log in").click()

    examples = page.get_by_role("list", name="Example workflows")
    expect(examples).to_be_visible()
    expect(examples.locator('[data-example="two_tasks"]')).to_contain_text("A simple Step Function example")
    expect(examples.locator('[data-example="two_tasks"]')).to_contain_text("2 states")
    expect(examples.locator('[data-example="parallel"]')).to_contain_text("3 states")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    # the stylesheet loaded (served by WhiteNoise): the header is laid out
    assert page.locator(".topbar").evaluate("el => getComputedStyle(el).display") == "flex"

    screenshot = tmp_path / "home.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
