"""Journeys through the designer in real Chromium: what a person does, end to end.

Screenshots go to test-results/designer/ (gitignored) so they can be looked at.
"""
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from designer.models import Execution, StateMachine

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-results" / "designer"
SEED_TWO_TASKS = {
    "Comment": "A simple Step Function example",
    "StartAt": "FirstTask",
    "States": {
        "FirstTask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:FirstFunction",
                      "Next": "SecondTask"},
        "SecondTask": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:SecondFunction",
                       "End": True},
    },
}
RETRY_CATCH = {
    "StartAt": "FailingTask",
    "States": {
        "FailingTask": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:UnreliableFunction",
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "ErrorHandler"}],
        },
        "ErrorHandler": {"Type": "Fail"},
    },
}

# Every value body[data-save-state] takes, in order: "dirty" or "saving" means the page thought
# there was something to save.
RECORD_SAVE_STATES = """
window.saveStates = [];
new MutationObserver(() => {
  const now = document.body.dataset.saveState;
  if (now && window.saveStates[window.saveStates.length - 1] !== now) window.saveStates.push(now);
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-save-state"] });
"""

pytestmark = pytest.mark.skipif(not (ROOT / "static/build/designer.js").exists(),
                                reason="no front-end bundle: run `npm ci && npm run build` (scripts/test does)")


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def log_in(page):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("alice-password")
    page.get_by_role("button", name="Log in").click()


def state(page, name):
    return page.locator(f'[data-state-name="{name}"]')


def flow_node(page, name):
    return page.locator(f'.react-flow__node:has(> [data-state-name="{name}"])')


def drop_from_palette(page, template, x, y):
    page.drag_and_drop(f'[data-template="{template}"]', ".sl-canvas .react-flow__pane", target_position={"x": x, "y": y})


def drag_between(page, source, target):
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


def connect(page, source, handle, target):
    drag_between(page, flow_node(page, source).locator(f'.react-flow__handle[data-handleid="{handle}"]'),
                 flow_node(page, target).locator('.react-flow__handle[data-handleid="in"]'))


def code_text(page):
    return "\n".join(page.locator(".sl-code .cm-line").all_inner_texts())


def set_code(page, text):
    page.locator(".sl-code .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)


def position(page, name):
    box = flow_node(page, name).bounding_box()
    return box["x"], box["y"]


def flow_position(page, name):
    """Where a node is on the canvas, in flow coordinates (independent of zoom and pan)."""
    transform = flow_node(page, name).evaluate("el => el.style.transform")
    x, y = re.match(r"translate\(([-\d.]+)px, ([-\d.]+)px\)", transform).groups()
    return {"x": round(float(x)), "y": round(float(y))}


def refits(page, action):
    """Do what makes the designer fit the graph to the canvas (Fit, Auto-layout, the code view
    opening or closing), and wait until it has: nothing clicks a node on its way."""
    before = page.evaluate("document.body.dataset.fittedAt ?? ''")
    action()
    # a function, not an expression: Playwright evals an expression, which the page's CSP refuses
    page.wait_for_function("before => (document.body.dataset.fittedAt ?? '') !== before", arg=before)


def inspector_field(page, label):
    return page.locator(f'.sl-inspector [data-field="{label}"]').locator("input, select, textarea").first


def test_it_builds_the_seed_two_task_machine_by_hand_then_runs_it(page, live_server, alice, expect):
    log_in(page)
    page.get_by_role("link", name="New state machine").click()
    page.get_by_label("Name").fill("TwoTasks")
    page.get_by_role("button", name="Create and open the designer").click()
    expect(page).to_have_url(re.compile(r"/machines/\d+/$"))
    expect(page.locator(".sl-canvas-empty")).to_be_visible()
    machine = StateMachine.objects.get(name="TwoTasks")

    # two Python-handler tasks dragged from the palette onto the empty canvas
    drop_from_palette(page, "python", 420, 120)
    expect(state(page, "Handler")).to_be_visible()
    drop_from_palette(page, "python", 420, 330)
    expect(state(page, "Handler 2")).to_be_visible()
    expect(state(page, "Handler")).to_have_attribute("data-start", "")

    # Next: from the first task's bottom handle to the second task
    connect(page, "Handler", "next", "Handler 2")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(state(page, "Handler")).not_to_have_attribute("data-end", "")

    # the inspector: names and resources
    state(page, "Handler").click()
    inspector_field(page, "Name").fill("FirstTask")
    inspector_field(page, "Name").press("Enter")
    inspector_field(page, "Resource").fill("arn:aws:lambda:us-east-1:123456789012:function:FirstFunction")
    state(page, "Handler 2").click()
    inspector_field(page, "Name").fill("SecondTask")
    inspector_field(page, "Name").press("Enter")
    inspector_field(page, "Resource").fill("arn:aws:lambda:us-east-1:123456789012:function:SecondFunction")
    page.locator(".sl-canvas .react-flow__pane").click(position={"x": 60, "y": 60})
    inspector_field(page, "Comment").fill("A simple Step Function example")
    expect(state(page, "FirstTask")).to_contain_text("FirstFunction")
    shot(page, "01-built-by-hand")

    # the code view follows the graph: it is the seed's example, key for key
    refits(page, page.get_by_role("button", name="Code").click)
    expect(page.locator(".sl-code .cm-content")).to_contain_text("A simple Step Function example")
    assert json.loads(code_text(page)) == SEED_TWO_TASKS
    assert code_text(page) == json.dumps(SEED_TWO_TASKS, indent=2)  # key order too
    shot(page, "02-code-view")

    # ...and the graph follows the code: a third state typed in JSON
    edited = json.loads(code_text(page))
    edited["States"]["SecondTask"] = {**edited["States"]["SecondTask"], "Next": "Done"}
    del edited["States"]["SecondTask"]["End"]
    edited["States"]["Done"] = {"Type": "Pass", "End": True}
    set_code(page, json.dumps(edited, indent=2))
    expect(state(page, "Done")).to_be_visible()
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    # invalid JSON never destroys the graph
    set_code(page, '{"StartAt": "FirstTask", "States": {')
    expect(page.locator(".sl-code-error")).to_be_visible()
    expect(state(page, "Done")).to_be_visible()
    shot(page, "03-invalid-json-keeps-graph")
    set_code(page, json.dumps(edited, indent=2))
    expect(page.locator(".sl-code-error")).to_have_count(0)
    refits(page, page.get_by_role("button", name="Code").click)

    # a validation error, painted on the node and listed in the panel
    state(page, "Done").click()
    inspector_field(page, "End").uncheck()
    expect(state(page, "Done")).to_have_attribute("data-problems", "error")
    problems = page.get_by_role("region", name="Problems")
    expect(problems.locator('[data-path="/States/Done"]')).to_contain_text("neither 'Next' nor 'End'")
    expect(page.get_by_role("button", name="Publish")).to_be_disabled()
    shot(page, "04-validation-error")

    # undo / redo
    page.get_by_role("button", name="Undo").click()
    expect(state(page, "Done")).not_to_have_attribute("data-problems", "error")
    page.get_by_role("button", name="Redo").click()
    expect(state(page, "Done")).to_have_attribute("data-problems", "error")
    page.keyboard.press("Escape")
    page.locator(".sl-canvas .react-flow__pane").click(position={"x": 60, "y": 60})
    page.keyboard.press("Control+Z")
    expect(state(page, "Done")).not_to_have_attribute("data-problems", "error")

    # auto-layout: a straight column, top to bottom
    refits(page, page.get_by_role("button", name="Auto-layout").click)
    (x1, y1), (x2, y2), (x3, y3) = (position(page, n) for n in ("FirstTask", "SecondTask", "Done"))
    assert y1 < y2 < y3
    assert abs(x1 - x2) < 2 and abs(x2 - x3) < 2
    shot(page, "05-auto-layout")

    # free positioning: move Done aside, save, reload: it stays where it was put
    done = flow_node(page, "Done").locator(".sl-node-name")
    box = done.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 205, box["y"] + 45, steps=10)
    page.mouse.up()
    moved = flow_position(page, "Done")
    assert moved["x"] - flow_position(page, "SecondTask")["x"] > 150
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".sl-save-state")).to_have_text("Saved")
    machine.refresh_from_db()
    assert json.loads(machine.definition)["States"]["Done"] == {"Type": "Pass", "End": True}
    assert machine.layout["positions"]["/States/Done"] == moved
    page.reload()
    expect(state(page, "Done")).to_be_visible()
    assert flow_position(page, "Done") == moved
    shot(page, "06-after-reload")

    # run it: input, then the execution viewer's URL
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Input (JSON)").fill('{"order": 1}')
    page.get_by_role("button", name="Start execution").click()
    expect(page).to_have_url(re.compile(r"/executions/\d+/$"))
    execution = Execution.objects.get()
    assert page.url.endswith(f"/executions/{execution.pk}/")
    expect(state(page, "Done")).to_be_visible()  # the viewer draws the same graph
    shot(page, "07-landed-on-the-viewer")
    assert execution.input == '{"order": 1}'
    assert json.loads(execution.definition)["States"]["Done"]["Type"] == "Pass"


def test_it_fixes_the_seed_retry_catch_machine_and_edits_containers(page, live_server, alice, expect, tmp_path):
    machine = StateMachine.objects.create(
        arn="arn:aws:states:us-east-1:123456789012:stateMachine:RetryCatch", name="RetryCatch", region="us-east-1",
        owner=alice, definition='{"StartAt": "", "States": {}}')
    log_in(page)
    page.goto(f"/machines/{machine.pk}/")

    # import the seed's retry/catch example from a file
    seed = tmp_path / "retry-catch.asl.json"
    seed.write_text(json.dumps(RETRY_CATCH, indent=2))
    page.get_by_role("button", name="Import").click()
    page.get_by_label("A JSON or YAML file").set_input_files(str(seed))
    expect(state(page, "FailingTask")).to_be_visible()

    # the validator's problem is on the node, in the inspector and in the panel, with one-click fixes
    expect(state(page, "FailingTask")).to_have_attribute("data-problems", "error")
    row = page.get_by_role("region", name="Problems").locator('[data-path="/States/FailingTask"]')
    expect(row).to_contain_text("has neither 'Next' nor 'End'")
    expect(row.get_by_role("button", name="Connect Next → ErrorHandler")).to_be_visible()
    shot(page, "10-retry-catch-problem")
    row.get_by_role("button", name="Add End: true").click()
    expect(state(page, "FailingTask")).not_to_have_attribute("data-problems", "error")
    expect(page.locator("body")).to_have_attribute("data-validation", "valid")

    # publish version 1
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".sl-toast")).to_have_text("Published version 1")
    assert machine.versions.get().number == 1

    # drop a Wait onto the catch edge: it is inserted between the two states
    label = page.locator(".sl-edge-label-catch").first
    box = label.bounding_box()
    pane = page.locator(".sl-canvas .react-flow__pane").bounding_box()
    drop_from_palette(page, "Wait", box["x"] + box["width"] / 2 - pane["x"], box["y"] + box["height"] / 2 - pane["y"])
    expect(state(page, "Wait")).to_be_visible()
    refits(page, page.get_by_role("button", name="Code").click)
    expect(page.locator(".sl-code .cm-content")).to_contain_text('"Wait"')
    definition = json.loads(code_text(page))
    assert definition["States"]["FailingTask"]["Catch"][0]["Next"] == "Wait"
    assert definition["States"]["Wait"]["Next"] == "ErrorHandler"
    refits(page, page.get_by_role("button", name="Code").click)

    # the draft autosaves by itself, beside the published definition
    expect(page.locator("body")).to_have_attribute("data-save-state", "saved")
    machine.refresh_from_db()
    assert json.loads(machine.draft)["States"]["Wait"]["Next"] == "ErrorHandler"
    assert "Wait" not in json.loads(machine.definition)["States"]

    # a Parallel, and a Pass dropped into its first branch
    refits(page, page.get_by_role("button", name="Auto-layout").click)
    drop_from_palette(page, "Parallel", 620, 80)
    expect(state(page, "Parallel")).to_be_visible()
    lane = page.locator('.react-flow__node[data-id="/States/Parallel/Branches/0"]').bounding_box()
    drop_from_palette(page, "Pass", lane["x"] + lane["width"] / 2 - pane["x"], lane["y"] + lane["height"] / 2 + 10 - pane["y"])
    expect(page.locator('.react-flow__node[data-id="/States/Parallel/Branches/0/States/Pass"]')).to_be_visible()

    # a state already on the canvas, dragged into the second branch
    drop_from_palette(page, "Succeed", 120, 80)
    expect(state(page, "Success")).to_be_visible()
    refits(page, page.get_by_role("button", name="Fit", exact=True).click)
    grip = state(page, "Success").locator(".sl-node-name").bounding_box()
    lane = page.locator('.react-flow__node[data-id="/States/Parallel/Branches/1"]').bounding_box()
    page.mouse.move(grip["x"] + 5, grip["y"] + 5)
    page.mouse.down()
    # the dragged state's centre ends up inside the lane
    page.mouse.move(lane["x"] + lane["width"] / 2 - 90, lane["y"] + lane["height"] / 2 - 20, steps=15)
    page.mouse.up()
    expect(page.locator('.react-flow__node[data-id="/States/Parallel/Branches/1/States/Success"]')).to_be_visible()

    # a Choice: a new rule and the Default, each dragged from its own handle; a second catcher
    wait = state(page, "Wait").bounding_box()
    pane = page.locator(".sl-canvas .react-flow__pane").bounding_box()
    drop_from_palette(page, "Choice", wait["x"] + 320 - pane["x"], wait["y"] + 90 - pane["y"])  # an empty spot
    expect(state(page, "Choice")).to_be_visible()
    connect(page, "Choice", "choice-new", "Wait")
    connect(page, "Choice", "default", "ErrorHandler")
    expect(page.locator(".sl-edge-label-choice")).to_have_text('$.value == "value"')
    expect(page.locator(".sl-edge-label-default")).to_have_text("Default")
    connect(page, "FailingTask", "catch-new", "ErrorHandler")
    expect(page.locator(".sl-edge-label-catch")).to_have_count(2)

    # copy, paste, delete
    state(page, "Wait").click()
    page.keyboard.press("Control+C")
    page.keyboard.press("Control+V")
    expect(state(page, "Wait 2")).to_be_visible()
    page.keyboard.press("Delete")
    expect(state(page, "Wait 2")).to_have_count(0)
    refits(page, page.get_by_role("button", name="Auto-layout").click)
    shot(page, "11-containers-and-insert")

    # the versions dialog diffs version 1 against the editor
    page.get_by_role("button", name="Versions").click()
    dialog = page.get_by_role("dialog", name="Versions")
    expect(dialog.locator('[data-version="1"]')).to_be_visible()
    expect(dialog.get_by_label("Diff")).to_contain_text('+    "Wait": {')
    shot(page, "12-versions-diff")
    dialog.get_by_role("button", name="Close").click()

    # export: the ASL JSON as a file, and the graph as SVG
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="ASL JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["States"]["Parallel"]["Branches"][0]["States"]["Pass"]["Type"] == "Pass"
    assert exported["States"]["Parallel"]["Branches"][1] == {"StartAt": "Success", "States": {"Success": {"Type": "Succeed"}}}
    assert exported["States"]["Choice"] == {
        "Type": "Choice", "Choices": [{"Variable": "$.value", "StringEquals": "value", "Next": "Wait"}], "Default": "ErrorHandler"}
    assert [(c["ErrorEquals"], c["Next"]) for c in exported["States"]["FailingTask"]["Catch"]] == [
        (["States.TaskFailed"], "ErrorHandler"), (["States.ALL"], "Wait")]
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Graph as SVG").click()
    assert download.value.suggested_filename == "RetryCatch.svg"
    assert Path(download.value.path()).read_text().startswith("<svg")
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Graph as PNG").click()
    assert Path(download.value.path()).read_bytes().startswith(b"\x89PNG")


def test_opening_an_example_and_looking_around_saves_nothing_and_run_keeps_it_byte_for_byte(
        page, live_server, alice, expect, tmp_path):
    call_command("apply", str(ROOT / "examples"), owner="alice")
    pizza = StateMachine.objects.get(name="pizza")
    stored = (ROOT / "examples/pizza.asl.json").read_bytes().decode()
    shipped = json.loads((ROOT / "examples/pizza.layout.json").read_text())  # the designer's own auto-layout
    assert (pizza.definition, pizza.layout) == (stored, shipped)
    before = (pizza.updated_at, pizza.revision_id)
    writes = []
    page.on("request", lambda r: writes.append(r.url) if r.method == "POST" and re.search(r"/(draft|save|publish)$", r.url) else None)
    page.add_init_script(RECORD_SAVE_STATES)
    log_in(page)

    for visit in ("opened with its stored layout", "opened with none: laid out as it opens"):
        if visit.endswith("as it opens"):
            StateMachine.objects.filter(pk=pizza.pk).update(layout={})
        page.goto(f"/machines/{pizza.pk}/")
        expect(state(page, "QualityCheck")).to_be_visible()
        expect(page.locator("body")).to_have_attribute("data-validation", "valid")
        # look around: select a state, fit, lay it out again (everything lands where it already is)
        state(page, "Bake").click()
        expect(inspector_field(page, "Name")).to_have_value("Bake")
        refits(page, page.get_by_role("button", name="Fit", exact=True).click)
        refits(page, page.get_by_role("button", name="Auto-layout").click)
        page.keyboard.press("Escape")
        page.keyboard.press("f")
        assert page.evaluate("window.saveStates") == ["saved"], visit  # never "Unsaved changes"
        expect(page.locator(".sl-save-state")).to_have_text("Saved")
        expect(page.get_by_role("button", name="Undo")).to_be_disabled()  # nothing happened to undo
    shot(page, "20-opened-nothing-to-save")

    # the export is the file, byte for byte
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="ASL JSON").click()
    assert Path(download.value.path()).read_bytes().decode() == stored

    # Run of the unchanged machine keeps its text as it is
    page.get_by_role("button", name="Run").click()
    page.get_by_role("button", name="Start execution").click()
    expect(page).to_have_url(re.compile(r"/executions/\d+/$"))
    assert writes == []
    pizza.refresh_from_db()
    assert (pizza.definition, pizza.draft, pizza.layout) == (stored, "", {})
    assert (pizza.updated_at, pizza.revision_id) == before
    assert Execution.objects.get(machine=pizza).definition == stored
    call_command("export", str(tmp_path), owner="alice")
    assert (tmp_path / "pizza.asl.json").read_bytes() == (ROOT / "examples/pizza.asl.json").read_bytes()
    assert not (tmp_path / "pizza.layout.json").exists()

    # an edit typed in the code view is saved as typed, not reformatted
    two_tasks = StateMachine.objects.get(name="two_tasks")
    page.goto(f"/machines/{two_tasks.pk}/")
    expect(state(page, "FirstTask")).to_be_visible()
    refits(page, page.get_by_role("button", name="Code").click)
    typed = json.dumps({**json.loads(two_tasks.definition), "Comment": "typed by hand"}, indent=4)
    set_code(page, typed)
    expect(page.locator(".sl-save-state")).to_have_text(re.compile("Draft saved"))
    page.keyboard.press("Control+s")
    expect(page.locator(".sl-save-state")).to_have_text("Saved")
    two_tasks.refresh_from_db()
    assert (two_tasks.definition, two_tasks.draft) == (typed, "")
