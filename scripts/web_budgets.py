"""Measure the web page's budgets in headless Chromium (Debian's chromium, WebGL2 through
SwiftShader), in real time: time to the first frame after load, and the Bits panel's frame
time while it redraws continuously (`?bench`). Also screenshots of each panel.

    pip install playwright          # the Python package only; its browser download is not used
    scripts/web.sh                  # builds dist/
    python3 scripts/web_budgets.py [OUT_DIR]

Not part of CI (the smoke test, scripts/web-smoke.sh, is); numbers go into docs/web.md.
"""

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/quantscope-web")
ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve():
    # The repository root: the page is /dist/, the dropped fixture /tests/fixtures/….
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(ROOT)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


DROP = """async () => {
  const dt = new DataTransfer();
  const dir = '../tests/fixtures/mobilevit/';
  for (const name of ['tiny/model.safetensors', 'tiny/config.json',
                      'tiny/preprocessor_config.json', 'image.png']) {
    const blob = await (await fetch(dir + name)).blob();
    dt.items.add(new File([blob], name.split('/').pop()));
  }
  const canvas = document.getElementById('quantscope_canvas');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    canvas.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
  }
}"""


LONG_TASKS = """() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(e.duration);
  }).observe({type: 'longtask'});
}"""


def page_cpu_per_frame(page, seconds=5.0):
    """CPU time of the page's thread per frame, from Chrome's sampling profiler (time the
    thread spends blocked on the software GPU process is idle, not CPU), and frames/s."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 100})
    cdp.send("Profiler.start")
    f0 = int(page.evaluate("document.body.dataset.frames"))
    time.sleep(seconds)
    f1 = int(page.evaluate("document.body.dataset.frames"))
    profile = cdp.send("Profiler.stop")["profile"]
    names = {n["id"]: n["callFrame"]["functionName"] for n in profile["nodes"]}
    deltas = profile["timeDeltas"]
    busy_us = sum(d for s, d in zip(profile["samples"], deltas)
                  if names[s] not in ("(idle)", "(root)", "(garbage collector)"))
    frames = max(1, f1 - f0)
    return busy_us / 1000.0 / frames, frames / seconds


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}/dist/"
    console = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: console.append(m.text))
        t0 = time.time()
        page.goto(base + "?bench#tab=bits&value=0.1&format=float16")
        page.wait_for_selector("body[data-first-frame-ms]", timeout=60000)
        first = page.evaluate("document.body.dataset.firstFrameMs")
        load = page.evaluate(
            "performance.getEntriesByType('navigation')[0].loadEventEnd"
        )
        page.wait_for_selector("body[data-frame-ms]", timeout=60000)
        # Steady state: the first seconds include the browser's optimising compile of the wasm.
        time.sleep(6)
        cpu, fps = page_cpu_per_frame(page)
        frame = page.evaluate("document.body.dataset.frameMs")
        frames = page.evaluate("document.body.dataset.frames")
        print(f"page load event at {load:.0f} ms; first frame at {first} ms "
              f"({float(first) - load:.0f} ms after load); wall {time.time() - t0:.1f} s")
        print(f"Bits panel frame (eframe's cpu_usage, mean of the last 60 of {frames}): "
              f"{frame} ms")
        print(f"Bits panel frame (the page thread busy per frame, Chrome's profiler): "
              f"{cpu:.2f} ms at {fps:.1f} frames/s")
        print("title:", page.title())
        page.screenshot(path=str(OUT / "web-bits.png"))
        for tab, link in [
            ("downcast", "#tab=downcast&dist=normal&size=100000&seed=0&to=float8_e4m3fn"),
            ("model", "#tab=model"),
        ]:
            page.goto(base + link)
            page.wait_for_selector("body[data-first-frame-ms]", timeout=60000)
            time.sleep(4)
            page.screenshot(path=str(OUT / f"web-{tab}.png"))
        # Heavy work runs in a web worker: the page's thread must never be busy > ~50 ms.
        # The lab at its largest size, then a dropped MobileViT run in every precision.
        page.goto(base + "#tab=downcast&dist=normal&size=10000000&seed=0&to=bfloat16")
        page.wait_for_selector("body[data-first-frame-ms]", timeout=60000)
        page.evaluate(LONG_TASKS)
        t = time.time()
        page.wait_for_function("document.title.includes('10000000')", timeout=120000)
        time.sleep(15)
        page.screenshot(path=str(OUT / "web-lab-10M.png"))
        longest = page.evaluate("Math.max(0, ...window.__long)")
        print(f"lab at 10^7 values: longest busy stretch of the page {longest:.0f} ms "
              f"(long tasks: {page.evaluate('window.__long.length')})")
        # Drop a MobileViT checkpoint (weights + configs) and an image on the page, as a user
        # drags them from the file manager: it opens from memory and runs in every precision.
        page.goto(base + "#tab=model")
        page.wait_for_selector("body[data-first-frame-ms]", timeout=60000)
        time.sleep(2)
        page.evaluate(LONG_TASKS)
        page.evaluate(DROP)
        time.sleep(15)
        longest = page.evaluate("Math.max(0, ...window.__long)")
        print(f"dropped MobileViT, run in 5 precisions: longest busy stretch {longest:.0f} ms")
        print("after the drop:", page.title())
        page.screenshot(path=str(OUT / "web-dropped-mobilevit.png"))
        panics = [c for c in console if "panicked" in c]
        print("console panics:", panics or "none")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
