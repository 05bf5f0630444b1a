"""Helpers for the storefront browser tests: a page that records errors, screenshots, a signed-in session."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
# The screenshots a reviewer looks at without running anything; refreshed with UPDATE_SCREENSHOTS=1.
REVIEWED_SHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PRICE = re.compile(r"^CNY \d[\d,]*\.\d\d$")
# A full-page screenshot longer than this is cut, so the committed PNGs stay small (phone, desktop).
MAX_SHOT_HEIGHT = {"phone": 2600, "desktop": 1800}


@contextlib.contextmanager
def open_page(browser, viewport: dict[str, int]) -> Iterator:
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone, has_touch=phone)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors, page.outside, page.console_errors = [], [], []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.console_errors.append(msg.text) if msg.type == "error" else None)

    def local_only(request) -> None:
        # Nothing may come from the internet: every request goes to the local platform.
        if not request.url.startswith(("http://127.0.0.1", "data:")):
            page.outside.append(request.url)

    page.on("request", local_only)
    try:
        yield page
    finally:
        context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"{name}.png"
    height = page.evaluate("document.documentElement.scrollHeight")
    width = page.viewport_size["width"]
    cap = MAX_SHOT_HEIGHT["phone" if width < 600 else "desktop"]
    page.screenshot(
        path=str(target), full_page=True, clip={"x": 0, "y": 0, "width": width, "height": min(height, cap)}
    )
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        REVIEWED_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, REVIEWED_SHOTS / target.name)


def signed_in(page, platform, client) -> None:
    """Start the tab signed in as `client` (once: signing out in the test sticks)."""
    session = {
        "idToken": client.token,
        "email": client.email,
        "expiresAt": int(time.time() * 1000) + 3_000_000,
    }
    page.context.add_init_script(
        f"""if (!sessionStorage.getItem("seeded")) {{
              localStorage.setItem("insuremall.session", {json.dumps(json.dumps(session))});
              sessionStorage.setItem("seeded", "1");
            }}"""
    )


def expect_price(locator, not_equal: str | None = None, timeout: float = 10.0) -> str:
    """Wait until the live price shows an amount (different from `not_equal`); return it."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = locator.inner_text().strip()
        if PRICE.match(text) and text != not_equal:
            return text
        time.sleep(0.05)
    raise AssertionError(f"live price stayed {text!r} (expected a new amount, not {not_equal!r})")


def unlabelled_inputs(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map((el) => el.name || el.id)"""
    )
