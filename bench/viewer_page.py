"""How long the execution viewer takes to open: from navigation to the coloured graph.

    python -m bench.viewer_page [--reps 7] [--json]

Sets up a throw-away installation (a migrated SQLite file in a temporary folder, a staff user,
examples/pizza.asl.json loaded as `apply` loads it: no stored layout) and starts
`manage.py runserver --noreload`, the embedded default. Then, in headless Chromium
(/usr/bin/chromium), at 1280x720, with a cold cache each time:

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

# When a node first showed a status (ms since navigation start), for every node.
RECORD = """
window.firstSeen = {};
const note = (el) => {
  if (!el.dataset || !el.dataset.stateName) return;
  const key = el.dataset.stateName + ":" + (el.dataset.waitingFor || el.dataset.status);
  if (!(key in window.firstSeen)) window.firstSeen[key] = performance.now();
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
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status", "data-waiting-for"] });
"""


def setup(folder: Path):
    import subprocess

    url = f"sqlite:///{folder / 'db.sqlite3'}"
    os.environ.update(DATABASE_URL=url, DJANGO_SECRET_KEY="bench-viewer", DJANGO_SETTINGS_MODULE="statelight.settings")
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from designer import arns
    from designer.models import StateMachine

    user = get_user_model().objects.create_user("bench", password="bench-password", is_staff=True)
    machine = StateMachine.objects.create(
        arn=arns.arn("stateMachine", "us-east-1", "pizza"), name="pizza", region="us-east-1", owner=user,
        definition=(ROOT / "examples/pizza.asl.json").read_text())
    client = Client()
    client.force_login(user)
    return url, machine, client


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
    """One cold page load; ms from navigation start to `target` ("State:status") first shown."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 720}, base_url=base)
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        page = context.new_page()
        page.add_init_script(RECORD)
        page.goto(f"/executions/{execution_pk}/")
        page.wait_for_function(f"() => {json.dumps(target)} in window.firstSeen", timeout=60_000)
        seen = page.evaluate("window.firstSeen")
        resources = page.evaluate("""() => performance.getEntriesByType("resource")
            .filter((r) => /\\.(js|css)$/.test(r.name))
            .map((r) => ({name: r.name.split("/static/")[1], bytes: r.encodedBodySize}))""")
        drawn = min(seen.values())
    finally:
        browser.close()
    return {"ms": round(seen[target]), "first_node_ms": round(drawn), "resources": resources}


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
        url, machine, client = setup(folder)
        server = Server(url, folder, 0)
        try:
            execution = start_pizza(client, machine)
            cookie = client.cookies["sessionid"].value
            with sync_playwright() as playwright:
                report["waiting"] = measure(playwright, server.base, cookie, execution, "QualityCheck:approval", args.reps)
                approve(client, execution)
                report["finished"] = measure(playwright, server.base, cookie, execution, "Delivered:succeeded", args.reps)
        finally:
            server.stop()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"pizza in the execution viewer, 1280x720, cold cache, median of {args.reps} (min-max):")
    for key, what in (("waiting", "waiting at the approval"), ("finished", "finished")):
        row = report[key]
        print(f"  {what:24} navigation -> coloured graph {row['median_ms']} ms ({row['min_ms']}-{row['max_ms']}),"
              f" first node drawn {row['first_node_median_ms']} ms")
    print(f"  downloaded: {report['finished']['bytes'] / 1024:.1f} KiB of scripts and styles")
    for resource in report["finished"]["resources"]:
        print(f"    {resource['name']:32} {resource['bytes'] / 1024:8.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
