"""Part of the browser smoke test (scripts/web-smoke.sh): a GGUF file dropped on the page opens
in the Model panel as on the desktop — read into memory, its header checked, its tensors
listed (the page's title names the file) — with no panic in the console.

    python3 scripts/web_gguf_check.py [SCREENSHOT.png]

Serves the repository root on loopback (the page is /dist/, the file
/tests/fixtures/gguf/metadata.gguf) and drives Debian's Chromium through Playwright.
"""

import functools
import http.server
import pathlib
import sys
import threading

from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

DROP = """async () => {
  const dt = new DataTransfer();
  const blob = await (await fetch('../tests/fixtures/gguf/metadata.gguf')).blob();
  dt.items.add(new File([blob], 'metadata.gguf'));
  const canvas = document.getElementById('quantscope_canvas');
  for (const type of ['dragenter', 'dragover', 'drop']) {
    canvas.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
  }
}"""


def main():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/dist/#tab=model"
    console = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: console.append(m.text))
        page.goto(url)
        page.wait_for_selector("body[data-first-frame-ms]", timeout=60000)
        page.wait_for_timeout(2000)
        page.evaluate(DROP)
        try:
            page.wait_for_function("document.title.includes('metadata.gguf')", timeout=60000)
        except Exception:
            print("the dropped GGUF did not open; title:", page.title(), *console[-10:], sep="\n")
            sys.exit(1)
        page.wait_for_timeout(3000)
        if len(sys.argv) > 1:
            page.screenshot(path=sys.argv[1])
        panics = [c for c in console if "panicked" in c]
        if panics:
            print("a panic in the console:", panics[0])
            sys.exit(1)
        print("a dropped GGUF opened on the page:", page.title())
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
