"""Screenshots of the home page at desktop and phone width in both languages,
into docs/screenshots/. Runs the real production build (tests/e2e/harness.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from portal import routes  # noqa: E402
from tests.e2e.harness import ROOT, launch_chromium, running_portal  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"desktop": (1280, 900), "phone": (375, 812)}
PAGES = {"home": "/"}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_portal(Path(tmp)) as portal, sync_playwright() as p:
        browser = launch_chromium(p)
        for size, (w, h) in SIZES.items():
            for locale in ("zh_CN", "en"):
                ctx = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1)
                ctx.add_cookies([{"name": routes.LOCALE_COOKIE, "value": locale, "url": portal.url}])
                page = ctx.new_page()
                for name, path in PAGES.items():
                    page.goto(portal.url + path)
                    page.wait_for_load_state("networkidle")
                    page.wait_for_timeout(800)
                    target = OUT / f"{name}-{size}-{locale}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
