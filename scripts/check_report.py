#!/usr/bin/env python3
"""The audit report in a real browser: runs examples/capitals on SmolLM2 into a temporary audit
database, renders `hearth audit report`, loads it in Debian's headless Chromium (DevTools protocol
over a pipe, standard library only) and checks that

  - the page logs no console error or exception and requests nothing but itself,
  - the embedded data is `hearth audit show RUN --output json` exactly, and every figure on the
    page carries the same value,
  - every headline figure links to exactly the samples behind it (value × n of them),
  - the sample browser filters and opens a transcript; the summary reads with scripting disabled,
  - nothing overflows sideways at 1280×800 or 390×844, and the layout matches the committed one
    loosely (section order and boxes, and a coarse grid of brightness of the screenshots, not pixels).

    python3 scripts/check_report.py [--hearth .build/release/hearth] [--update] [--out DIR]

--update rewrites the expectations: docs/report-1280.png, docs/report-390.png, docs/report-layout.json.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from headless import Browser, coarse  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
SIZES = [(1280, 800), (390, 844)]

LAYOUT_JS = r"""(() => {
  const box = e => { const r = e.getBoundingClientRect(); return {top: Math.round(r.top + scrollY), left: Math.round(r.left), width: Math.round(r.width), height: Math.round(r.height)}; };
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
    header: box(document.querySelector('header.top')),
    sections: [...document.querySelectorAll('main > section')].map(s => Object.assign({id: s.id}, box(s))),
  };
})()"""


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def run(cmd, env):
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(cmd)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result.stdout


def check_figures(browser, show):
    """Every figure on the page with the summary's exact value; every headline figure links to
    value × n samples."""
    figures = browser.evaluate("""[...document.querySelectorAll('a.fig[data-metric]')].map(a => ({
        run: +a.dataset.run, metric: a.dataset.metric, value: a.dataset.value, low: a.dataset.low, high: a.dataset.high,
        n: +a.dataset.n, keyed: Object.keys(a.dataset).some(k => k.startsWith('key')), href: a.getAttribute('href')}))""")
    headline = [f for f in figures if not f["keyed"]]
    if not headline:
        fail("no figures on the page")
    for f in headline:
        metric = show["metrics"].get(f["metric"])
        if metric is None:
            fail(f"figure {f['metric']} is not in the summary")
        if float(f["value"]) != metric["value"] or float(f["low"]) != metric["ci95"][0] or float(f["high"]) != metric["ci95"][1] or f["n"] != metric["n"]:
            fail(f"figure {f['metric']} shows {f} but the summary has {metric}")
        if f["metric"].endswith(".mean"):
            continue
        count = browser.evaluate(f"""new Promise(done => {{ location.hash = {json.dumps(f['href'])};
            setTimeout(() => done(window.hearthReport.matched().length), 30); }})""")
        expected = round(metric["value"] * metric["n"])
        if count != expected:
            fail(f"{f['metric']} links to {count} samples, expected {expected} ({metric})")
    print(f"  {len(headline)} headline figures equal the summary and link to their samples; {len(figures)} figures in all")


def check_browser_ui(browser):
    result = browser.evaluate("""new Promise(done => {
      location.hash = '';
      const form = document.querySelector('#samples .filters');
      form.querySelector('.reset').click();
      const total = window.hearthReport.matched().length;
      const q = form.elements.q; q.value = 'paris'; q.dispatchEvent(new Event('input'));
      setTimeout(() => {
        const found = window.hearthReport.matched().length;
        const row = document.querySelector('#samples .row');
        if (row) row.click();
        const detail = document.querySelector('#samples .detail').innerText;
        const marks = document.querySelectorAll('#samples .detail mark').length;
        form.querySelector('.reset').click();
        done({total, found, detail, marks, rows: document.querySelectorAll('#samples .row').length});
      }, 300);
    })""")
    if result["total"] < 1 or not (0 < result["found"] < result["total"]):
        fail(f"search did not filter: {result}")
    for part in ("SYSTEM PROMPT", "ANSWER", "includes", "refusal"):
        if part.lower() not in result["detail"].lower():
            fail(f"the transcript view lacks {part!r}: {result['detail'][:500]}")
    if result["marks"] < 1:
        fail("the search term is not highlighted in the transcript")
    print(f"  search: {result['found']} of {result['total']} samples; transcript view opens; list renders {result['rows']} rows")


def compare_layout(actual, expected, size):
    tag = f"{size[0]}x{size[1]}"
    if [s["id"] for s in actual["sections"]] != [s["id"] for s in expected["sections"]]:
        fail(f"{tag}: sections {[s['id'] for s in actual['sections']]} differ from {[s['id'] for s in expected['sections']]}")
    for a, e in zip(actual["sections"] + [dict(actual["header"], id="header")], expected["sections"] + [dict(expected["header"], id="header")]):
        if abs(a["left"] - e["left"]) > 24 or abs(a["width"] - e["width"]) > 0.15 * e["width"] + 24:
            fail(f"{tag}: {a['id']} at x={a['left']} width {a['width']}, expected about x={e['left']} width {e['width']}")
        if abs(a["top"] - e["top"]) > 0.25 * e["top"] + 120 or abs(a["height"] - e["height"]) > 0.25 * e["height"] + 120:
            fail(f"{tag}: {a['id']} at y={a['top']} height {a['height']}, expected about y={e['top']} height {e['height']}")


def compare_screenshot(actual, expected, size):
    (aw, ah), a = coarse(actual)
    (ew, eh), e = coarse(expected)
    if (aw, ah) != (ew, eh):
        fail(f"screenshot {actual} is {aw}x{ah}, expected {ew}x{eh}")
    difference = sum(abs(x - y) for x, y in zip(a, e)) / len(a)
    worst = max(abs(x - y) for x, y in zip(a, e))
    print(f"  {size[0]}x{size[1]} screenshot: mean block difference {difference:.4f}, worst {worst:.3f} (limits 0.05, 0.35)")
    if difference > 0.05 or worst > 0.35:
        fail(f"screenshot {actual} differs from {expected} beyond layout tolerance")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hearth", default=os.path.join(ROOT, ".build/release/hearth"))
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--update", action="store_true", help="rewrite the committed screenshots and layout")
    parser.add_argument("--out", help="keep the report and screenshots here")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="hearth-report-check-")
    out = args.out or work
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ, HEARTH_AUDIT_DB=os.path.join(work, "audit.sqlite"))
    summary = json.loads(run([args.hearth, "audit", "run", os.path.join(ROOT, "examples/capitals/capitals.json"),
                              "--model", args.model, "--output", "json"], env).strip().splitlines()[-1])
    run_id = summary["run"]
    show = json.loads(run([args.hearth, "audit", "show", run_id, "--output", "json"], env))
    report = os.path.join(out, "report.html")
    run([args.hearth, "audit", "report", run_id, "-o", report], env)
    print(f"run {run_id}: {show['samples']['done']} samples; report {os.path.getsize(report) // 1024} KiB")

    url = "file://" + os.path.abspath(report)
    layouts = {}
    browser = Browser(*SIZES[0])
    try:
        for size in SIZES:
            browser.resize(*size)
            browser.open(url)
            ready = browser.evaluate("document.documentElement.dataset.ready || null")
            if ready is None:
                fail(f"{size}: the page's script did not finish")
            if size == SIZES[0]:
                embedded = browser.evaluate("window.hearthReport.data.runs[0].summary")
                if embedded != show:
                    fail("the embedded summary differs from `hearth audit show --output json`")
                print("  embedded summary equals `hearth audit show --output json`")
                check_figures(browser, show)
                check_browser_ui(browser)
                browser.open(url)
            layout = browser.evaluate(LAYOUT_JS)
            if layout["scrollWidth"] > layout["innerWidth"] + 1:
                fail(f"{size}: the page is {layout['scrollWidth']} px wide in a {layout['innerWidth']} px window")
            layouts[f"{size[0]}x{size[1]}"] = layout
            browser.evaluate("window.scrollTo(0, 0)")
            shot = os.path.join(out, f"report-{size[0]}.png")
            browser.screenshot(shot)
            expected = os.path.join(DOCS, f"report-{size[0]}.png")
            if args.update:
                shutil.copyfile(shot, expected)
            elif os.path.exists(expected):
                compare_screenshot(shot, expected, size)
            else:
                fail(f"{expected} is missing (run with --update)")
        # Dark theme, for the record (not compared).
        browser.resize(*SIZES[0])
        browser.call("Emulation.setEmulatedMedia", session=True, features=[{"name": "prefers-color-scheme", "value": "dark"}])
        browser.open(url)
        browser.screenshot(os.path.join(out, "report-1280-dark.png"))
        # The summary with scripting disabled.
        browser.call("Emulation.setScriptExecutionDisabled", session=True, value=True)
        browser.open(url)
        static = browser.evaluate("""({figures: document.querySelectorAll('#tasks a.fig').length,
            explorerHidden: document.querySelector('#samples .explorer').hidden,
            text: document.querySelector('#tasks').innerText})""")
        if static["figures"] < 1 or not static["explorerHidden"] or "%" not in static["text"]:
            fail(f"the summary does not read without scripting: {static}")
        print(f"  without scripting: {static['figures']} figures readable")
        if browser.errors:
            fail("console errors:\n  " + "\n  ".join(browser.errors))
        others = sorted(set(u for u in browser.requests if u != url))
        if others:
            fail("the page made requests: " + ", ".join(others))
        print(f"  no console errors; {len(browser.requests)} requests, all for the report itself")
    finally:
        browser.close()

    layout_file = os.path.join(DOCS, "report-layout.json")
    if args.update:
        with open(layout_file, "w") as f:
            json.dump(layouts, f, indent=1)
            f.write("\n")
        print(f"updated {layout_file} and the screenshots in {DOCS}")
    else:
        with open(layout_file) as f:
            expected_layouts = json.load(f)
        for size in SIZES:
            key = f"{size[0]}x{size[1]}"
            compare_layout(layouts[key], expected_layouts[key], size)
        print("  layout matches docs/report-layout.json")
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)
    print("report check passed")


if __name__ == "__main__":
    main()
