"""Bytes a browser moves on a first visit to a page, as transferred (compressed, with headers).

    python bench/transfer.py http://127.0.0.1:8080/territory [http://127.0.0.1:8501/territory ...]

Opens each URL in a new Chromium context (empty cache, no cookies), waits until the page has
drawn (its title, no running script, every chart drawn) and then until no request has finished
for 2 s, and sums, from Chromium's DevTools protocol:

* http_bytes: every HTTP response's encodedDataLength (the bytes on the wire: headers and the
  body as sent, so compressed when the server compressed it);
* ws_bytes: the payloads of the WebSocket frames both ways (Chromium reports them after
  per-message deflate is undone, so this is an upper bound of what the socket moved);
* the five largest responses, with Content-Encoding.

Also reports Content-Security-Policy violations and console errors seen on the way
(tests/deploy/test_serve.py uses ``first_visit`` for both). Debian's Chromium; no download.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
QUIET_S = 2.0

_CSP_WATCH = """
window.__csp_violations = [];
document.addEventListener('securitypolicyviolation', e => window.__csp_violations.push(
  e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + (e.lineNumber || '')));
"""


def wait_for_dashboard(page, timeout_s: float = 60.0) -> None:
    """Until the page's title is drawn, no script runs and every Plotly chart has its plot."""
    page.wait_for_selector("[data-testid='stMainBlockContainer'] h1", timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
        timeout=timeout_s * 1000,
    )


def first_visit(browser, url: str, viewport=None, timeout_s: float = 60.0) -> dict:
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1300})
    page = context.new_page()
    page.add_init_script(_CSP_WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    responses: dict[str, dict] = {}
    totals = {"http_bytes": 0, "ws_bytes": 0, "requests": 0}
    last = [time.monotonic()]

    def on_response(ev):
        r = ev["response"]
        headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
        responses[ev["requestId"]] = {"url": r["url"], "encoding": headers.get("content-encoding", ""),
                                      "status": r["status"]}

    def on_finished(ev):
        totals["http_bytes"] += int(ev["encodedDataLength"])
        totals["requests"] += 1
        if ev["requestId"] in responses:
            responses[ev["requestId"]]["bytes"] = int(ev["encodedDataLength"])
        last[0] = time.monotonic()

    def on_frame(ev):
        totals["ws_bytes"] += len(ev["response"].get("payloadData", "")) * (3 if ev["response"].get("opcode") == 2 else 4) // 4
        last[0] = time.monotonic()

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cdp.on("Network.webSocketFrameSent", on_frame)
    started = time.monotonic()
    page.goto(url)
    wait_for_dashboard(page, timeout_s)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() - last[0] < QUIET_S and time.monotonic() < deadline:
        page.wait_for_timeout(100)  # polls the event loop until the network has been quiet QUIET_S
    seconds = round(time.monotonic() - started, 2)
    entries = page.evaluate(
        "() => performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))"
        ".reduce((s, e) => s + (e.transferSize || 0), 0)")
    violations = page.evaluate("() => window.__csp_violations")
    largest = sorted((r for r in responses.values() if "bytes" in r), key=lambda r: -r["bytes"])[:5]
    context.close()
    return {"url": url, **totals, "total_bytes": totals["http_bytes"] + totals["ws_bytes"],
            "performance_transfer_size": entries, "seconds": seconds, "largest": largest,
            "csp_violations": violations, "console_errors": console}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("urls", nargs="+")
    ap.add_argument("--chromium", default=CHROMIUM)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for url in args.urls:
            print(json.dumps(first_visit(browser, url), indent=1))
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
