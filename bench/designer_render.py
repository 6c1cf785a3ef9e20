"""How long the browser takes to lay out and draw a big machine.

    python bench/designer_render.py [--states 300] [--reps 5] [--json]

Builds a machine of about --states states with Parallel branches and Map
processors nested inside each other, then, in headless Chromium
(/usr/bin/chromium, driven by Playwright), times from mounting the graph to
the laid-out graph on screen, and from navigation start, so download and
script parsing are included (served from a throwaway HTTP server on 127.0.0.1):

  graph     the shared graph component alone (static/build/graph.js, as the
            execution viewer uses it): ELK auto-layout + React Flow render
  designer  the whole designer page (static/build/designer.js) opening the
            machine with no saved positions, until the first frame that shows
            its nodes laid out and fitted to the screen

Goal: under 1.5 s. Also prints the size of the bundles, raw and gzipped, and
what the designer page downloaded (goal: under 1 MB gzipped in total). Needs
`npm run build` first.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "static" / "build"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def big_machine(target: int) -> tuple[dict, int]:
    """A chain of groups (Task -> Choice -> Parallel[...] -> Map[...] -> Wait) until `target` states."""
    count = 0

    def name(kind):
        nonlocal count
        count += 1
        return f"{kind}{count}"

    def chain(kinds, end=True):
        names = [name(k) for k in kinds]
        states = {}
        for i, (n, k) in enumerate(zip(names, kinds)):
            state = {"Type": k}
            if k == "Task":
                state["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:Work"
            if k == "Wait":
                state["Seconds"] = 1
            if i + 1 < len(names):
                state["Next"] = names[i + 1]
            elif end:
                state["End"] = True
            states[n] = state
        return {"StartAt": names[0], "States": states}

    def map_state(next_name, depth):
        processor = chain(["Task", "Pass", "Task"])
        if depth:
            inner = name("Parallel")
            processor["States"][list(processor["States"])[-1]].pop("End")
            processor["States"][list(processor["States"])[-1]]["Next"] = inner
            processor["States"][inner] = {"Type": "Parallel", "Branches": [chain(["Task", "Pass"]), chain(["Task", "Task"])], "End": True}
        return {"Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **processor}, "Next": next_name}

    states = {}
    order = []
    while count < target:
        task, choice, par, mapped, wait = name("Task"), name("Choice"), name("Parallel"), name("Map"), name("Wait")
        branch_with_map = chain(["Task", "Pass"], end=False)
        last = list(branch_with_map["States"])[-1]
        inner_map = name("Map")
        branch_with_map["States"][last]["Next"] = inner_map
        branch_with_map["States"][inner_map] = {**map_state(None, 0), "End": True}
        branch_with_map["States"][inner_map].pop("Next")
        states[task] = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Work", "Next": choice}
        states[choice] = {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": par}], "Default": mapped}
        states[par] = {"Type": "Parallel", "Branches": [chain(["Task", "Task", "Pass", "Task"]), branch_with_map, chain(["Wait", "Task"])], "Next": mapped}
        states[mapped] = map_state(wait, 1)
        states[wait] = {"Type": "Wait", "Seconds": 1, "Next": None}
        order.append(wait)
    for i, wait in enumerate(order):
        if i + 1 < len(order):
            # the next group's first Task
            states[wait]["Next"] = list(states)[list(states).index(wait) + 1]
        else:
            states[wait].pop("Next")
            states[wait]["End"] = True
    return {"Comment": f"{count} states, nested Parallel and Map", "StartAt": next(iter(states)), "States": states}, count


def pages(definition: dict) -> dict[str, str]:
    links = ('<link rel="stylesheet" href="/static/build/{b}.css"><link rel="stylesheet" href="/static/css/app.css">'
             '<link rel="stylesheet" href="/static/css/graph.css"><link rel="stylesheet" href="/static/css/designer.css">')
    config = {"machine": {"pk": 0, "name": "bench"}, "definition": json.dumps(definition), "draft": "", "layout": {},
              "urls": {k: "/nowhere" for k in ("home", "validate", "draft", "save", "publish", "versions", "diff",
                                                "import", "export", "run")}}
    return {
        "/graph.html": (f"<!doctype html><html><head>{links.format(b='graph')}</head><body>"
                        "<div id='g' style='width:1400px;height:860px'></div>"
                        "<script type='module'>import '/static/build/graph.js';"
                        f"window.Statelight.mountGraph(document.getElementById('g'), {{definition: {json.dumps(definition)}}});</script>"
                        "</body></html>"),
        "/designer.html": (f"<!doctype html><html><head>{links.format(b='designer')}</head><body class='is-app'>"
                           "<main class='app'><div id='designer'></div></main>"
                           f"<script id='designer-config' type='application/json'>{json.dumps(config)}</script>"
                           "<script type='module' src='/static/build/designer.js'></script></body></html>"),
    }


def serve(definition: dict):
    """A throwaway HTTP server on loopback for the pages and static/ (stopped by the caller)."""
    import http.server
    import threading

    generated = pages(definition)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(ROOT), **kwargs)

        def do_GET(self):
            if self.path in generated:
                body = generated[self.path].encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path.startswith("/static/"):
                super().do_GET()
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The first frame where React Flow shows the nodes (measured, so visible) in a fitted viewport.
SHOWN = """
(function look() {
  const node = document.querySelector(".react-flow__node");
  const viewport = document.querySelector(".react-flow__viewport");
  if (node && viewport && viewport.style.transform && getComputedStyle(node).visibility === "visible") {
    window.shownAt = performance.now();
    return;
  }
  requestAnimationFrame(look);
})();
"""


def measure(definition: dict, reps: int) -> dict:
    """Milliseconds from navigation start (download, parse, layout, render) to the graph on screen."""
    from playwright.sync_api import sync_playwright

    results = {"graph": [], "designer": [], "graph_layout": [], "graph_mounted": [], "designer_mounted": [],
               "designer_loaded": []}
    server = serve(definition)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            try:
                for _ in range(reps):
                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.goto(base + "/graph.html")
                    page.wait_for_function("() => document.getElementById('g').dataset.renderedMs", timeout=60_000)
                    results["graph"].append(round(page.evaluate("() => performance.now()")))
                    results["graph_layout"].append(int(page.eval_on_selector("#g", "el => el.dataset.layoutMs")))
                    results["graph_mounted"].append(int(page.eval_on_selector("#g", "el => el.dataset.renderedMs")))
                    page.close()

                    page = browser.new_page(viewport={"width": 1440, "height": 900})
                    page.add_init_script(SHOWN)
                    page.goto(base + "/designer.html")
                    page.wait_for_function("() => window.shownAt", timeout=60_000)
                    results["designer"].append(round(page.evaluate("() => window.shownAt")))
                    results["designer_mounted"].append(round(page.evaluate("() => window.shownAt - window.statelightMountedAt")))
                    results["designer_loaded"] = page.evaluate(
                        "() => performance.getEntriesByType('resource').map((r) => r.name.split('/static/build/')[1]).filter(Boolean)")
                    page.close()
            finally:
                browser.close()
    finally:
        server.shutdown()
    return results


def bundle_sizes() -> dict:
    sizes = {}
    for path in sorted(BUILD.glob("*.*")):
        data = path.read_bytes()
        sizes[path.name] = {"bytes": len(data), "gzipped": len(gzip.compress(data, 9))}
    return sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=300)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not (BUILD / "designer.js").exists():
        print("no bundle in static/build/: run `npm run build` first", file=sys.stderr)
        return 2
    definition, count = big_machine(args.states)
    times = measure(definition, args.reps)
    sizes = bundle_sizes()
    report = {
        "states": count,
        "graph_ms_median": statistics.median(times["graph"]),
        "graph_layout_ms_median": statistics.median(times["graph_layout"]),
        "designer_ms_median": statistics.median(times["designer"]),
        "graph_mounted_ms_median": statistics.median(times["graph_mounted"]),
        "designer_mounted_ms_median": statistics.median(times["designer_mounted"]),
        "runs": times,
        "bundles": sizes,
        # what the designer page downloaded (its bundle, the chunks it imports, ELK for the layout)
        "designer_page_files": times["designer_loaded"],
        "designer_page_gzipped": sum(sizes[name]["gzipped"] for name in times["designer_loaded"]),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{count} states (nested Parallel and Map), median of {args.reps}, headless Chromium:")
    print("  render + auto-layout: from mounting (definition in hand) to the laid-out graph on screen")
    print(f"    graph component: {report['graph_mounted_ms_median']} ms (of which ELK layout {report['graph_layout_ms_median']} ms)")
    print(f"    designer page:   {report['designer_mounted_ms_median']} ms  (goal < 1500 ms)")
    print("  whole page load: from navigation start (download, script parse, layout, render), cold cache")
    print(f"    graph component: {report['graph_ms_median']} ms")
    print(f"    designer page:   {report['designer_ms_median']} ms")
    for name, size in sizes.items():
        print(f"  {name:24} {size['bytes'] / 1024:8.1f} KiB  {size['gzipped'] / 1024:7.1f} KiB gzipped")
    print(f"  designer page total: {report['designer_page_gzipped'] / 1024:.1f} KiB gzipped  (goal < 1024 KiB):"
          f" {', '.join(report['designer_page_files'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
