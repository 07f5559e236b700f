"""Screenshot every page of a running dashboard with Debian's Chromium (no browser download).

Usage: python scripts/screenshots.py [--url http://localhost:8501] [--out test-artifacts/screens]
       [--query "lang=es"] [--width 1400]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = ("overview", "territory", "component", "organisation", "people", "method")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://localhost:8501")
    ap.add_argument("--out", default="test-artifacts/screens")
    ap.add_argument("--query", default="")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=2400, help="Streamlit scrolls inside the page, so a tall window shows it all")
    ap.add_argument("--executable", default="/usr/bin/chromium")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        for name in PAGES:
            path = "" if name == PAGES[0] else name  # the default page lives at the root URL
            page.goto(f"{args.url}/{path}?{args.query}")
            page.wait_for_selector("[data-testid='stAppViewContainer']")
            page.wait_for_timeout(2500)
            target = out / f"{name}{'-' + args.query.replace('=', '_').replace('&', '_') if args.query else ''}.png"
            page.screenshot(path=str(target))
            print(f"saved {target}")
        browser.close()


if __name__ == "__main__":
    main()
