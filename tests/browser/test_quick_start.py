"""The README's quick start, done as it is written, in real Chromium: `scripts/run` on a clean
database (it loads examples/ and prints the admin's password), log in, open pizza, Run with the
sample input the dialog offers, approve in Approvals, and the execution SUCCEEDED. Then the
sample inputs as a person keeps them: chosen and kept in the designer's Run dialog, offered
on the runs page.

Nothing here races the machine: each step waits for a state that stays (the approval waits
for the person; an execution that ended stays ended).

Screenshots go to test-results/quick-start/ (gitignored) to be looked at.
"""
import json
import os
import re
import signal
import subprocess
import time

import httpx
import pytest

from tests.browser.conftest import screenshot, watch_csp
from tests.helpers import ROOT
from tests.runserver import free_port

# How long to wait for a state the execution reaches however loaded the machine is (the approval,
# the end): the bound only ends a run that is broken, it times nothing.
EVENTUALLY = 60_000

pytestmark = pytest.mark.skipif(not (ROOT / "static/build/viewer.js").exists(),
                                reason="no front-end bundle: run `npm ci && npm run build` (scripts/test does)")


@pytest.fixture(scope="module")
def statelight(tmp_path_factory):
    """`scripts/run` as a newcomer starts it, on a database of its own: its address and the login it printed."""
    folder = tmp_path_factory.mktemp("quick-start")
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_SUPERUSER_", "STATELIGHT_", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}", PORT=str(port), PYTHONUNBUFFERED="1")
    log = folder / "scripts-run.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(["scripts/run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "scripts/run did not come up:\n" + log.read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        printed = log.read_text()
        assert f"Statelight: http://127.0.0.1:{port}/" in printed
        for name in ("order_total", "parallel", "pizza", "two_tasks"):
            assert f"examples: created {name} (" in printed
        username, password = re.search(r"Log in as: (\S+) / (\S+)", printed).groups()
        yield {"url": url, "username": username, "password": password}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


@pytest.fixture
def page(browser, statelight):
    """A newcomer's browser at 1280x720, logged in with what scripts/run printed."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=statelight["url"])
    context.set_default_timeout(15_000)
    violations = watch_csp(context)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Username").fill(statelight["username"])
    page.get_by_label("Password").fill(statelight["password"])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    yield page
    context.close()
    assert violations == [], "a page broke its Content-Security-Policy"


def shot(page, name):
    screenshot(page, "quick-start", name)


def sample(name):
    inputs = json.loads((ROOT / "examples/pizza.inputs.json").read_text())
    return json.dumps(inputs[name], indent=2)


def test_the_quick_start_as_the_readme_words_it(page, expect):
    # "Open pizza and press Run: the dialog offers the sample input Margherita for Ada, filled in"
    page.get_by_role("link", name="pizza", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_label("Sample input", exact=True)).to_have_value("Margherita for Ada")
    expect(page.get_by_label("Input (JSON)")).to_have_value(sample("Margherita for Ada"))
    shot(page, "1-run-dialog")
    # "Press Start execution: the viewer opens ... QualityCheck waits for an approval"
    page.get_by_role("button", name="Start execution").click()
    expect(page).to_have_url(re.compile(r"/executions/\d+/$"))
    viewer = page.url
    quality_check = page.locator('[data-state-name="QualityCheck"]')
    expect(quality_check).to_have_attribute("data-waiting-for", "approval", timeout=EVENTUALLY)
    for name in ("TakeOrder", "MakeDough", "PrepareSauce", "GrateCheese", "AddToppings", "Bake"):
        expect(page.locator(f'[data-state-name="{name}"]')).to_have_attribute("data-status", "succeeded")
    shot(page, "2-waiting-for-approval")
    # "Open Approvals and press Approve on 'Is this pizza good to go?'"
    page.get_by_role("link", name="Approvals").click()
    card = page.get_by_role("article", name="Is this pizza good to go?")
    expect(card).to_contain_text("A margherita for Ada, to deliver to 1 Main St.")
    shot(page, "3-approvals")
    card.get_by_role("button", name="Approve").click()
    expect(card).to_have_count(0)
    # "Back in the viewer (the browser's Back button), Deliver and NotifyCustomer run: SUCCEEDED"
    page.go_back()
    expect(page).to_have_url(viewer)
    expect(page.get_by_label("Execution status")).to_have_text("SUCCEEDED", timeout=EVENTUALLY)
    for name in ("Deliver", "NotifyCustomer", "Delivered"):
        expect(page.locator(f'[data-state-name="{name}"]')).to_have_attribute("data-status", "succeeded")
    shot(page, "4-succeeded")


def test_sample_inputs_are_chosen_and_kept_in_the_run_dialog_and_offered_on_the_runs_page(page, expect):
    page.get_by_role("link", name="pizza", exact=True).click()
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_label("Sample input", exact=True).select_option("Undeliverable, refunded")
    expect(page.get_by_label("Input (JSON)")).to_have_value(sample("Undeliverable, refunded"))
    # keep an input of one's own, by name
    page.get_by_label("Input (JSON)").fill('{"customer": "Di", "pizza": "marinara"}')
    page.get_by_label("Keep as sample input").fill("Marinara for Di")
    page.get_by_role("button", name="Save input").click()
    expect(page.get_by_label("Sample input", exact=True)).to_have_value("Marinara for Di")
    shot(page, "5-kept-a-sample-input")
    page.keyboard.press("Escape")

    page.goto("/")
    page.locator('[data-machine="pizza"]').get_by_role("link", name="Runs").click()
    expect(page.get_by_role("heading", name="Runs of pizza")).to_be_visible()
    choose = page.get_by_label("Sample input", exact=True)
    expect(choose.locator("option")).to_have_text(
        ["Margherita for Ada", "Undeliverable, refunded", "No pizza, fails", "Marinara for Di"])
    expect(page.get_by_label("Input (JSON)")).to_have_value(sample("Margherita for Ada"))
    choose.select_option("Marinara for Di")
    expect(page.get_by_label("Input (JSON)")).to_have_value('{\n  "customer": "Di",\n  "pizza": "marinara"\n}')
    shot(page, "6-runs-page")
