"""How long the execution viewer takes to open: from navigation to the coloured graph.

    python -m bench.viewer_page [--reps 7] [--json]

Sets up a throw-away installation (a migrated SQLite file in a temporary folder, a staff user,
examples/pizza.asl.json twice: as `apply` loads it, with no stored layout, so the page lays it
out with ELK; and with the layout the designer would store, so the page needs no ELK) and
starts `manage.py runserver --noreload`, the embedded default. Then, in headless Chromium
(/usr/bin/chromium), at 1280x720, with a cold cache each time, for each of the two:

  waiting   a pizza execution waiting at its approval: navigation start -> QualityCheck
            shows "waiting for approval" (every event before it replayed and coloured)
  finished  the same execution once approved: navigation start -> Delivered "succeeded"

Also prints what the page downloaded (scripts and styles, as served) and when the graph
was first drawn. Goal (issue 10): under 1 s on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.viewer import CHROMIUM, CHROMIUM_ARGS, ROOT, Server

ORDER = {"customer": "Ada", "pizza": "margherita", "toppings": ["basil"], "address": "1 Main St"}
WAITING = '[data-state-name="QualityCheck"][data-waiting-for="approval"]'
FINISHED = '[data-state-name="Delivered"][data-status="succeeded"]'

# The first frames (ms since navigation start) showing any state, and showing the target.
RECORD = """
(function look() {
  window.firstNodeAt ??= document.querySelector("[data-state-name]") ? performance.now() : undefined;
  if (document.querySelector(window.target)) window.targetAt = performance.now();
  else requestAnimationFrame(look);
})();
"""


def auto_layout(definition_text: str) -> dict:
    """The layout the designer computes for a definition (static/src/graph/layout.js, in Node)."""
    import subprocess

    script = ("import { aslToGraph } from './static/src/asl/graph.js';"
              "import { autoLayout } from './static/src/graph/layout.js';"
              "import { readFileSync } from 'node:fs';"
              "const definition = JSON.parse(readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(await autoLayout(aslToGraph(definition, {}))));")
    out = subprocess.run(["node", "--input-type=module", "-e", script], input=definition_text, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def setup(folder: Path):
    import subprocess

    url = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.update(DATABASE_URL=url, DJANGO_SECRET_KEY="bench-viewer", DJANGO_SETTINGS_MODULE="statelight.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from designer import accounts, arns
    from designer.models import StateMachine

    user = get_user_model().objects.create_user("bench", password="bench-password", is_staff=True)
    text = (ROOT / "examples/pizza.asl.json").read_text()
    machines = {
        name: StateMachine.objects.create(arn=arns.arn("stateMachine", "us-east-1", name, account=accounts.account_id(user)), name=name, region="us-east-1",
                                          owner=user, definition=text, layout=layout)
        for name, layout in (("pizza", {}), ("pizza_laid_out", auto_layout(text)))
    }
    client = Client()
    client.force_login(user)
    return url, machines, client


def start_pizza(client, machine) -> int:
    r = client.post(f"/machines/{machine.pk}/run", json.dumps({"input": json.dumps(ORDER)}),
                    content_type="application/json")
    assert r.status_code == 200, r.content
    return r.json()["execution"]


def wait_until(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.05)


def approve(client, execution_pk):
    from designer.models import Execution, TaskToken

    wait_until(lambda: TaskToken.objects.filter(execution_id=execution_pk).exists(), "the approval")
    approval = TaskToken.objects.get(execution_id=execution_pk)
    r = client.post(f"/approvals/{approval.pk}/decide", {"choice": "Approve"})
    assert r.status_code in (200, 302), r.content
    wait_until(lambda: Execution.objects.get(pk=execution_pk).status != "RUNNING", "the end of the execution")


def open_once(playwright, base, cookie, execution_pk, target) -> dict:
    """One cold page load; ms from navigation start to the first frame showing `target` (a selector)."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base)
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        page = context.new_page()
        page.add_init_script(f"window.target = {json.dumps(target)};" + RECORD)
        page.goto(f"/executions/{execution_pk}/")
        page.wait_for_function("() => window.targetAt", timeout=60_000)
        resources = page.evaluate("""() => performance.getEntriesByType("resource")
            .filter((r) => /\\.(js|css)$/.test(r.name))
            .map((r) => ({name: r.name.split("/static/")[1], bytes: r.encodedBodySize}))""")
        shown, drawn = page.evaluate("[window.targetAt, window.firstNodeAt]")
    finally:
        browser.close()
    return {"ms": round(shown), "first_node_ms": round(drawn), "resources": resources}


def measure(playwright, base, cookie, execution_pk, target, reps) -> dict:
    runs = [open_once(playwright, base, cookie, execution_pk, target) for _ in range(reps)]
    times = [r["ms"] for r in runs]
    return {"target": target, "median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
            "first_node_median_ms": statistics.median(r["first_node_ms"] for r in runs),
            "runs_ms": times, "resources": runs[-1]["resources"],
            "bytes": sum(r["bytes"] for r in runs[-1]["resources"])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (ROOT / "static/build/viewer.js").exists():
        raise SystemExit("needs the front-end bundle: npm ci && npm run build")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    report = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="statelight-bench-viewer-page-") as tmp:
        folder = Path(tmp)
        url, machines, client = setup(folder)
        server = Server(url, folder, 0)
        try:
            cookie = client.cookies["sessionid"].value
            with sync_playwright() as playwright:
                for name, machine in machines.items():
                    execution = start_pizza(client, machine)
                    report[name] = {"waiting": measure(playwright, server.base, cookie, execution, WAITING, args.reps)}
                    approve(client, execution)
                    report[name]["finished"] = measure(playwright, server.base, cookie, execution, FINISHED, args.reps)
        finally:
            server.stop()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"pizza in the execution viewer, 1280x720, cold cache, median of {args.reps} (min-max):")
    for name, what in (("pizza", "no stored layout (ELK)"), ("pizza_laid_out", "with a stored layout")):
        for key in ("waiting", "finished"):
            row = report[name][key]
            print(f"  {what}, {key:8} navigation -> coloured graph {row['median_ms']} ms ({row['min_ms']}-{row['max_ms']}),"
                  f" first node drawn {row['first_node_median_ms']} ms")
        print(f"    downloaded: {report[name]['finished']['bytes'] / 1024:.1f} KiB of scripts and styles: "
              + ", ".join(f"{r['name']} {r['bytes'] / 1024:.1f}" for r in report[name]["finished"]["resources"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
