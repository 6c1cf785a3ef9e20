"""Journeys through the live execution viewer and the approval inbox, in real Chromium.

The app runs as it does for a user: `manage.py runserver --noreload` (Daphne,
the websockets and the embedded runtime in one process) on a file database,
with each step of the pizza kitchen held at a gate the test opens
(tests/browser/kitchen.py): a journey never depends on how fast the machine
runs or the page loads. alice owns the pizza machine; carol is staff, so she approves.

Screenshots go to test-results/viewer/ (gitignored) to be looked at.
"""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from designer import arns
from designer.approvals.decision import decide
from designer.models import Execution, StateMachine, TaskToken
from tests.browser.conftest import watch_csp
from tests.browser.kitchen import Gates
from tests.helpers import migrated_sqlite, using_database
from tests.runserver import RunServer

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "viewer"
ORDER = {"customer": "Ada", "pizza": "margherita", "toppings": ["basil", "olives"], "address": "1 Main St"}
# A person answers a callback with the items, then a Map works through them (one always fails).
BATCH = {"StartAt": "AskForItems", "States": {
    "AskForItems": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {"FunctionName": "Postbox", "Payload": {"token.$": "$$.Task.Token"}},
                    "Next": "EachItem"},
    "EachItem": {"Type": "Map", "ItemsPath": "$.items", "ToleratedFailurePercentage": 100, "End": True,
                 "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
                     "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:UnreliableFunction",
                     "End": True}}}}}}
# the pizza's states in the order they run, up to the approval
KITCHEN_IN_ORDER = ["TakeOrder", "PrepareInParallel", "AddToppings", "Bake", "QualityCheck"]

pytestmark = pytest.mark.skipif(not (ROOT / "static/build/viewer.js").exists(),
                                reason="no front-end bundle: run `npm ci && npm run build` (scripts/test does)")

# Every status a state node takes, in order, as the page shows it (new nodes and attribute changes).
RECORD_STATUSES = """
window.statusLog = [];
const note = (el) => {
  if (el.dataset && el.dataset.stateName) window.statusLog.push([el.dataset.stateName, el.dataset.status, el.dataset.waitingFor || null]);
};
new MutationObserver((records) => {
  for (const r of records) {
    if (r.type === "attributes") note(r.target);
    for (const added of r.addedNodes || []) {
      if (added.nodeType !== 1) continue;
      note(added);
      added.querySelectorAll("[data-state-name]").forEach(note);
    }
  }
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory, django_db_blocker):
    """The running app, its database open in this process too, alice's pizza machine in it."""
    folder = tmp_path_factory.mktemp("viewer-site")
    url = migrated_sqlite(folder)
    with django_db_blocker.unblock(), using_database(url, folder):
        users = get_user_model().objects
        alice = users.create_user("alice", password="alice-password")
        users.create_user("carol", password="carol-password", is_staff=True)
        pizza = StateMachine.objects.create(
            arn=arns.arn("stateMachine", "us-east-1", "pizza"), name="pizza", region="us-east-1", owner=alice,
            definition=(ROOT / "examples/pizza.asl.json").read_text())
        batch = StateMachine.objects.create(
            arn=arns.arn("stateMachine", "us-east-1", "batch"), name="batch", region="us-east-1", owner=alice,
            definition=json.dumps(BATCH))
        gates = folder / "gates"
        server = RunServer(url, folder / "server.log", DJANGO_SECRET_KEY="viewer-journeys",
                           STATELIGHT_HANDLERS="examples.handlers,tests.browser.kitchen,tests.browser.callbacks",
                           STATELIGHT_TEST_GATES=str(gates))
        server.start()
        try:
            yield {"server": server, "pizza": pizza, "batch": batch, "carol": users.get(username="carol"),
                   "kitchen": lambda execution_name: Gates(gates, execution_name)}
        finally:
            server.stop()


@pytest.fixture
def person(browser, site):
    """person(name) -> a page of their own, logged in (their own cookies: two people, two contexts)."""
    contexts = []
    violations = []

    def log_in(username, width=1400, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=site["server"].url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        violations.append(watch_csp(context))
        page = context.new_page()
        page.add_init_script(RECORD_STATUSES)
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(f"{username}-password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    yield log_in
    for context in contexts:
        context.close()
    assert [v for each in violations for v in each] == [], "a page broke its Content-Security-Policy"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def state(page, name):
    return page.locator(f'[data-state-name="{name}"]')


def order_a_pizza(page, site, order, expect, machine="pizza", name=""):
    page.goto(f"/machines/{site[machine].pk}/runs/")
    page.get_by_label("Input (JSON)").fill(json.dumps(order))
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Start execution").click()
    expect(page).to_have_url(__import__("re").compile(r"/executions/\d+/$"))
    expect(page.locator("body")).to_have_attribute("data-ws", "open")
    return Execution.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))


def seen(page, name):
    """The statuses a state showed, in order, without repeats."""
    statuses = []
    for state_name, status, _ in page.evaluate("window.statusLog"):
        if state_name == name and (not statuses or statuses[-1] != status):
            statuses.append(status)
    return statuses


def watch_the_kitchen(page, kitchen, expect):
    """Each kitchen step runs until the test lets it finish: the page shows every one running, then succeeded."""
    for step in (["TakeOrder"], ["MakeDough", "PrepareSauce", "GrateCheese"], ["AddToppings"]):
        for name in step:
            expect(state(page, name)).to_have_attribute("data-status", "running")
        for name in step:
            kitchen.open(name)
        for name in step:
            expect(state(page, name)).to_have_attribute("data-status", "succeeded")
    # Bake fails its first attempt (the oven is cold) and is retried a second later
    expect(state(page, "Bake")).to_have_attribute("data-status", "running")
    kitchen.open("Bake", attempt=0)
    page.wait_for_function("""() => window.statusLog.filter(([n]) => n === "Bake").map(([, s]) => s)
                                .join(" ").includes("running retrying running")""")
    kitchen.open("Bake", attempt=1)


def test_it_lights_up_each_state_and_the_approver_approves_in_the_inbox(person, site, expect):
    carol = person("carol")
    carol.goto("/approvals/")
    expect(carol.locator("body")).to_have_attribute("data-ws", "open")
    alice = person("alice")
    kitchen = site["kitchen"]("lights-up")
    execution = order_a_pizza(alice, site, ORDER, expect, name="lights-up")

    watch_the_kitchen(alice, kitchen, expect)
    # then a person must look at it
    expect(state(alice, "QualityCheck")).to_have_attribute("data-waiting-for", "approval")
    for name in KITCHEN_IN_ORDER[:-1]:
        expect(state(alice, name)).to_have_attribute("data-status", "succeeded")
        assert seen(alice, name)[-2:] == ["running", "succeeded"], (name, seen(alice, name))
    log = alice.evaluate("window.statusLog")
    first_running = [next(i for i, (n, s, _) in enumerate(log) if n == name and s in ("running", "waiting"))
                     for name in KITCHEN_IN_ORDER]
    assert first_running == sorted(first_running), "the states lit up out of order"
    kitchen.open_all()  # what follows the approval goes on at its own pace
    expect(state(alice, "Deliver")).to_have_attribute("data-status", "not-started")
    shot(alice, "1-waiting-for-approval")

    # the approval arrived in carol's inbox without a reload
    card = carol.get_by_role("article", name="Is this pizza good to go?").filter(has_text=execution.name)
    expect(card).to_contain_text("A margherita for Ada, to deliver to 1 Main St.")
    expect(carol.locator("#approval-count")).to_have_text("1")
    shot(carol, "1-inbox")
    card.get_by_label("Comment").fill("Looks perfect")
    card.get_by_role("button", name="Approve").click()
    expect(card).to_have_count(0)

    # alice's page follows to the end
    for name in ("Deliver", "NotifyCustomer", "Delivered"):
        expect(state(alice, name)).to_have_attribute("data-status", "succeeded")
    expect(alice.get_by_label("Execution status")).to_have_text("SUCCEEDED")
    expect(state(alice, "RefundOrder")).to_have_attribute("data-status", "not-started")
    assert seen(alice, "QualityCheck")[-2:] == ["waiting", "succeeded"]
    shot(alice, "1-delivered")

    # Bake: its retry, the handler's error readable, its log lines, timing (the whole machine in view first)
    alice.get_by_role("button", name="Fit", exact=True).click()
    alice.locator('.react-flow__node:has(> [data-state-name="Bake"])').click()
    panel = alice.get_by_role("complementary", name="State Bake")
    expect(panel.get_by_test_id("retries")).to_have_text("1")
    expect(panel.get_by_label("Stack trace").first).to_be_hidden()  # succeeded in the end: no error on top
    expect(panel.locator(".vw-attempts")).to_contain_text("OvenNotHot")
    panel.get_by_text("Errors of earlier attempts").click()
    expect(panel.get_by_label("Stack trace")).to_contain_text("handlers.py")
    expect(panel).to_contain_text("OvenNotHot: the oven is still warming up")
    # what the handler logged, under each attempt
    expect(panel.get_by_role("log", name="Log of attempt 1")).to_contain_text("oven at 180°C, it needs 250°C")
    expect(panel.get_by_role("log", name="Log of attempt 2")).to_contain_text("INFO")
    expect(panel.get_by_role("log", name="Log of attempt 2")).to_contain_text("oven at 250°C, baking 12 minutes")
    panel.locator(".vw-attempts").scroll_into_view_if_needed()
    shot(alice, "1-bake-log")
    # the approval's result is Approve, by carol, with the comment
    alice.locator('.react-flow__node:has(> [data-state-name="QualityCheck"])').click()
    output = alice.get_by_role("complementary", name="State QualityCheck").get_by_label("Output")
    expect(output).to_contain_text('"Decision": "Approve"')
    expect(output).to_contain_text('"DecidedBy": "carol"')
    expect(output).to_contain_text('"Comment": "Looks perfect"')
    shot(alice, "1-state-detail")

    # the events table, filtered; the timeline
    alice.get_by_label("Filter by type").select_option("LambdaFunctionFailed")
    rows = alice.get_by_role("table", name="Events").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bake")
    alice.get_by_role("tab", name="Timeline").click()
    expect(alice.locator(".vw-bar[data-status='succeeded']")).to_have_count(11)
    shot(alice, "1-timeline")
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
    assert TaskToken.objects.get(execution=execution).decided_by == site["carol"]


# At the page's first view: the rendered size of every state name (its font size times the
# graph's zoom), the running states' boxes, the graph's canvas and the legend's box.
MEASURE_VIEW = """() => {
  const zoom = new DOMMatrix(getComputedStyle(document.querySelector(".react-flow__viewport")).transform).a;
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const nodes = [...document.querySelectorAll("[data-state-name]")];
  return {
    names: nodes.map((n) => parseFloat(getComputedStyle(n.querySelector(".sl-node-name")).fontSize) * zoom),
    running: nodes.filter((n) => n.dataset.status === "running").map(box),
    canvas: box(document.querySelector(".vw-graph")),
    legend: box(document.querySelector(".vw-legend")),
  };
}"""


def inside(inner, outer):
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def test_state_names_are_readable_at_the_first_view_and_the_legend_covers_none(person, site, expect):
    alice = person("alice")
    kitchen = site["kitchen"]("readable")
    execution = order_a_pizza(alice, site, ORDER, expect, name="readable")
    kitchen.open("TakeOrder")  # the Parallel's three branches run, and wait there
    for width, height in ((1280, 720), (1920, 1080)):
        page = person("alice", width, height)
        page.goto(f"/executions/{execution.pk}/")
        for name in ("MakeDough", "PrepareSauce", "GrateCheese"):
            expect(state(page, name)).to_have_attribute("data-status", "running")
        view = page.evaluate(MEASURE_VIEW)
        assert len(view["names"]) == 13 and min(view["names"]) >= 11, view["names"]  # px on screen
        assert len(view["running"]) == 4 and all(inside(r, view["canvas"]) for r in view["running"]), view
        assert view["legend"][1] >= view["canvas"][3], view  # below the graph, never over it
        shot(page, f"5-readable-{width}x{height}")
    kitchen.open_all()


def test_a_rejected_pizza_is_caught_and_refunded(person, site, expect):
    alice = person("alice")
    site["kitchen"]("grace").open_all()
    execution = order_a_pizza(alice, site, {**ORDER, "customer": "Grace"}, expect, name="grace")
    expect(state(alice, "QualityCheck")).to_have_attribute("data-waiting-for", "approval")
    # alice may watch, not decide (the default approvers are staff)
    expect(alice.get_by_text("Waiting for staff to decide.")).to_be_visible()

    # carol opens the execution and rejects it on the waiting state itself
    carol = person("carol")
    carol.goto(f"/executions/{execution.pk}/")
    carol.locator('.react-flow__node:has(> [data-state-name="QualityCheck"])').click()
    approval = carol.get_by_role("article", name="Is this pizza good to go?")
    approval.get_by_label("Comment").fill("Burnt crust")
    approval.get_by_role("button", name="Reject").click()

    for page in (alice, carol):
        expect(state(page, "QualityCheck")).to_have_attribute("data-status", "caught")
        expect(state(page, "RefundOrder")).to_have_attribute("data-status", "succeeded")
        expect(state(page, "Refunded")).to_have_attribute("data-status", "succeeded")
        expect(state(page, "Deliver")).to_have_attribute("data-status", "not-started")
        expect(page.get_by_label("Execution status")).to_have_text("SUCCEEDED")
    alice.get_by_role("button", name="Fit", exact=True).click()
    alice.locator('.react-flow__node:has(> [data-state-name="QualityCheck"])').click()
    error = alice.get_by_role("complementary", name="State QualityCheck").get_by_label("Error")
    expect(error).to_contain_text("Statelight.ApprovalRejected")
    expect(error).to_contain_text("Burnt crust")
    shot(alice, "2-rejected-refunded")
    execution.refresh_from_db()
    assert json.loads(execution.output)["refund"]["refunded"] is True


def test_the_page_reconnects_after_a_server_restart_and_catches_up(person, site, expect):
    alice = person("alice")
    site["kitchen"]("edsger").open_all()
    execution = order_a_pizza(alice, site, {**ORDER, "customer": "Edsger"}, expect, name="edsger")
    expect(state(alice, "QualityCheck")).to_have_attribute("data-waiting-for", "approval")
    alice.evaluate("window.sameDocument = true")

    server = site["server"]
    server.stop()
    expect(alice.locator("body")).to_have_attribute("data-ws", "closed")
    shot(alice, "3-server-down")
    # decided while the server is down: the answer waits in the database for the runtime
    approval = TaskToken.objects.get(execution=execution)
    decide(approval.pk, site["carol"], "Approve", "while you were away")
    server.start()

    expect(alice.locator("body")).to_have_attribute("data-ws", "open", timeout=20_000)
    for name in ("Deliver", "NotifyCustomer", "Delivered"):
        expect(state(alice, name)).to_have_attribute("data-status", "succeeded", timeout=20_000)
    expect(alice.get_by_label("Execution status")).to_have_text("SUCCEEDED")
    assert alice.evaluate("window.sameDocument") is True  # caught up without a reload
    ids = alice.evaluate("window.statelightViewer.runs.events.map((e) => e.id)")
    assert ids == list(range(1, len(ids) + 1))  # no hole, no duplicate
    shot(alice, "3-caught-up")


def test_a_tester_answers_a_callback_then_reads_the_maps_iterations_stops_and_redrives(person, site, expect):
    alice = person("alice")
    execution = order_a_pizza(alice, site, {}, expect, machine="batch")
    expect(state(alice, "AskForItems")).to_have_attribute("data-waiting-for", "callback")

    # the callback's answer, typed in the page
    answer = alice.get_by_role("region", name="Answer AskForItems")
    answer.get_by_label("Output (JSON)").fill(json.dumps({"items": [{"failures": 0}, {"failures": 9}, {"failures": 0}]}))
    answer.get_by_role("button", name="Send success").click()
    expect(alice.get_by_label("Execution status")).to_have_text("SUCCEEDED")
    expect(state(alice, "EachItem")).to_have_attribute("data-status", "succeeded")
    expect(state(alice, "Work")).to_have_attribute("data-status", "failed")  # summed up: one failed

    # the Map's iterations: progress, the failed one first in the picker, its error
    state(alice, "EachItem").locator(".sl-container-head").click()  # its head: the middle is its states
    panel = alice.get_by_role("complementary", name="State EachItem")
    expect(panel.get_by_test_id("map-progress")).to_have_text("2 done · 0 running · 1 failed · of 3")
    picker = panel.get_by_label("Iteration of EachItem")
    expect(picker.locator("option").nth(1)).to_have_text("#1 · failed")
    picker.select_option(label="#0 · succeeded")
    expect(state(alice, "Work")).to_have_attribute("data-status", "succeeded")
    picker.select_option(label="#1 · failed")
    expect(state(alice, "Work")).to_have_attribute("data-status", "failed")
    alice.locator('.react-flow__node:has(> [data-state-name="Work"])').click()
    work = alice.get_by_role("complementary", name="State Work")
    expect(work.get_by_label("Error")).to_contain_text("UnreliableError: attempt 1 of UnreliableFunction failed")
    expect(work.get_by_label("Stack trace")).to_contain_text("handlers.py")
    shot(alice, "4-map-iteration")

    # another run, stopped while it waits, then redriven: it waits for its callback again
    second = order_a_pizza(alice, site, {}, expect, machine="batch")
    expect(state(alice, "AskForItems")).to_have_attribute("data-waiting-for", "callback")
    alice.get_by_role("button", name="Stop execution").click()
    alice.get_by_role("button", name="Stop now").click()
    expect(alice.get_by_label("Execution status")).to_have_text("ABORTED")
    expect(state(alice, "AskForItems")).to_have_attribute("data-status", "aborted")
    shot(alice, "4-stopped")
    alice.get_by_role("button", name="Redrive").click()
    expect(alice.get_by_label("Execution status")).to_have_text("RUNNING")
    expect(state(alice, "AskForItems")).to_have_attribute("data-waiting-for", "callback")
    second.refresh_from_db()
    assert second.redrive_count == 1
    execution.refresh_from_db()
    assert execution.status == "SUCCEEDED"
