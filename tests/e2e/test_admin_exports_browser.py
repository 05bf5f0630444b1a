"""The console's Exports form in a real browser (issue 10 §4): an operator asks for a policy-level detail
export of today; a wrong range is refused next to its field first; the job is listed as being made, then
ready with its CSV and Excel downloads (the CSV has the policy just bought). axe finds nothing, and a
phone-sized (375x812) screenshot goes to test-artifacts/screenshots/admin-exports-form-phone.png."""

from __future__ import annotations

import re

import pytest
import requests
from shop import sign_up
from test_admin_console_browser import SHOTS, ready
from test_admin_statistics_browser import (
    DESKTOP,
    PHONE,
    PURCHASES,
    buy,
    china_today,
    console_page,
    no_axe_violations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def bought(platform, anonymous) -> str:
    """A policy bought today (China day), for the detail export to find."""
    customer = sign_up(platform, "Exports Customer")
    buy(customer, anonymous, *PURCHASES[0])
    return china_today()


def open_exports(page) -> None:
    page.evaluate("() => { location.hash = '#/exports'; }")
    page.get_by_role("heading", name="Ask for an export").wait_for()
    ready(page)


def test_given_an_operator_when_a_detail_export_is_asked_then_it_is_listed_ready_with_downloads(
    browser, platform, operator, bought
):
    from playwright.sync_api import expect

    context, page = console_page(browser, platform, DESKTOP)
    try:
        open_exports(page)
        form = page.locator("form.export-form")
        page.get_by_label("From").fill(bought)
        page.get_by_label("To (inclusive)").fill("2020-01-01")
        form.get_by_role("button", name="Ask for export").click()
        expect(form.locator('[data-field="to"] .field-error')).to_have_text(
            re.compile("cannot be before the first day")
        )
        expect(page.get_by_label("To (inclusive)")).to_have_attribute("aria-invalid", "true")

        page.get_by_label(re.compile("^Policy detail")).check()
        page.get_by_label("To (inclusive)").fill(bought)
        form.get_by_role("button", name="Ask for export").click()
        expect(form.get_by_role("status")).to_contain_text("Policy detail export for")
        expect(form.locator(".field-error")).to_have_count(0)

        jobs = operator.get("/reports/exports").json()["jobs"]
        job = next(j for j in jobs if j["kind"] == "detail" and j["from"] == bought == j["to"])
        row = page.locator(f'table.jobs tr[data-job="{job["job_id"]}"]')
        expect(row).to_have_attribute("data-status", "ready", timeout=60_000)  # the page follows the job
        expect(row).to_contain_text("Ready")
        expect(row).to_contain_text("Policy detail")
        links = row.get_by_role("link", name=re.compile("^Download"))
        expect(links).to_have_count(2)
        csv_link = row.get_by_role("link", name=re.compile("^Download CSV"))
        href = csv_link.get_attribute("href")
        got = requests.get(href if href.startswith("http") else platform.url + href, timeout=30)
        assert got.status_code == 200 and got.text.startswith("Event,Time (China),China day,Policy number")
        done = next(
            j for j in operator.get("/reports/exports").json()["jobs"] if j["job_id"] == job["job_id"]
        )
        assert (
            done["rows"] >= 1 and got.text.count("\nissued,") + got.text.count("\ncancelled,") == done["rows"]
        )
        expect(page.locator(f'table.exports tr[data-key="{done["files"][0]["key"]}"]')).to_contain_text(
            "Policy detail"
        )
        assert page.errors == [] and page.outside == []
        no_axe_violations(page)
    finally:
        context.close()


def test_given_a_phone_when_the_exports_form_is_shown_then_it_fits_375_px(browser, platform, bought):
    context, page = console_page(browser, platform, PHONE, is_mobile=True, has_touch=True)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        open_exports(page)
        page.locator("table.jobs, table.exports, .empty").first.wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_axe_violations(page)
        page.screenshot(path=str(SHOTS / "admin-exports-form-phone.png"), full_page=True)
        assert page.errors == [] and page.outside == []
    finally:
        context.close()
