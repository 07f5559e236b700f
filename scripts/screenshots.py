"""Screenshots of a running dashboard for the README and for review, with Debian's Chromium (no
browser download): a laptop, a phone and a projector, each page waited for until its run has
finished and its charts are drawn (the browser tests' own condition).

Usage: python scripts/screenshots.py [--url http://localhost:8501] [--out docs]
       python scripts/screenshots.py --review [--out test-artifacts/screens]  (every page, both
       languages, both datasets, laptop and phone)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser.conftest import CHROMIUM_ARGS, PAGE_READY  # noqa: E402

PAGES = ("overview", "territory", "component", "organisation", "people", "method", "present")
LAPTOP, PHONE, PROJECTOR = (1400, 1000), (390, 844), (1920, 1080)
# the README's pictures: (file, page, query, viewport, height of the picture)
README = (
    ("screenshot-overview.png", "overview", "", LAPTOP, 1300),
    ("screenshot-territory.png", "territory", "lang=es", LAPTOP, 2000),
    ("screenshot-people.png", "people", "dataset=care_2025_synthetic", LAPTOP, 2200),
    ("screenshot-phone.png", "overview", "lang=es", PHONE, 2600),
    ("screenshot-present.png", "present", "", PROJECTOR, PROJECTOR[1]),
)


def shoot(browser, url: str, target: Path, width: int, height: int, tall: int) -> None:
    # Streamlit scrolls inside its main area: a window as tall as the picture shows it all
    page = browser.new_page(viewport={"width": width, "height": tall})
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=60_000)
    page.screenshot(path=str(target))
    page.close()
    print(f"saved {target}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://localhost:8501")
    ap.add_argument("--out", default=None)
    ap.add_argument("--review", action="store_true", help="every page, language and dataset, laptop and phone")
    ap.add_argument("--executable", default="/usr/bin/chromium")
    args = ap.parse_args()
    out = Path(args.out or ("test-artifacts/screens" if args.review else "docs"))
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=args.executable, args=CHROMIUM_ARGS)
        if args.review:
            for page in PAGES:
                for query in ("lang=en", "lang=es", "lang=es&dataset=care_2025_synthetic"):
                    for name, (w, h), tall in (("laptop", LAPTOP, 3200), ("phone", PHONE, 6000)):
                        if page == "present":
                            tall = h
                        shoot(browser, f"{args.url}/{page}?{query}", out / f"{page}-{name}-{query.replace('&', '-').replace('=', '_')}.png", w, h, tall)
        else:
            for file, page, query, (w, h), tall in README:
                path = "" if page == "overview" else page
                shoot(browser, f"{args.url}/{path}?{query}", out / file, w, h, tall)
        browser.close()


if __name__ == "__main__":
    main()
