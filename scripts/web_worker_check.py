"""Part of the browser smoke test (scripts/web-smoke.sh): open the Downcast lab from a deep
link in headless Chromium, in real time, and wait until its web worker has sent the result
back to the page (`data-worker-results`). Chromium's --dump-dom cannot show this: its virtual
time runs out before a worker has started.

    python3 scripts/web_worker_check.py URL
"""

import sys

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main():
    url = sys.argv[1]
    console = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("console", lambda m: console.append(m.text))
        page.goto(url)
        try:
            page.wait_for_selector("body[data-worker-results]", state="attached", timeout=90000)
        except Exception:
            print("no result from the web worker within 90 s; console:", *console[-10:], sep="\n")
            sys.exit(1)
        panics = [c for c in console if "panicked" in c]
        if panics:
            print("a panic in the console:", panics[0])
            sys.exit(1)
        n = page.evaluate("document.body.dataset.workerResults")
        print(f"the lab's web worker sent {n} result(s) back; no panic")
        browser.close()


if __name__ == "__main__":
    main()
