"""The operator console's times and audit diffs in a real browser.

Times: an operator whose browser runs on New York time enters a banner's and a campaign's dates; both
are stored as the China-time instants typed, listed in China time, and the forms say so.
Audit: an operator edits one sentence deep inside a long text of a product stored before newer fields
existed; the product's audit trail shows that change and only it, with the changed words marked and
some text around them (not the first 90 characters of each side).
Screenshots at 1280x800 and 390x844 go to test-artifacts/screenshots/admin-*.png.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from test_admin_console_browser import DESKTOP, PHONE, ready, send, shot, sign_in_to_console, watched
from test_catalog_admin_http import product_document

from local import demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHINA = timezone(timedelta(hours=8))
NEW_YORK = "America/New_York"
LONG_TEXT = (
    "Pays the sum insured for accidental death within 180 days of the accident. Disability is paid by "
    "the industry disability table, as a share of the sum insured. Accident medical expenses are paid "
    "above a deductible of CNY 100, at 90% once the social insurance has paid its part, for treatment "
    "in a public hospital of grade two or above. Claims are made within {days} days of the accident "
    "with the hospital's records, the receipts and, where there is one, the police report."
)


@pytest.fixture
def new_york_console(browser, platform):
    """The console signed in as the demo operator in a browser on New York time."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1, timezone_id=NEW_YORK)
    page = watched(context)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == NEW_YORK
    sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    ready(page)
    yield page
    context.close()


def go(page, name: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name, exact=True).click()
    ready(page)


def test_given_a_browser_on_new_york_time_when_an_operator_dates_banners_and_campaigns_then_china_time_kept(
    new_york_console, operator
):
    from playwright.sync_api import expect

    page = new_york_console
    title = f"Spring {uuid.uuid4().hex[:6]}"

    go(page, "Banners")
    expect(page.get_by_text("Times are China time (UTC+8).")).to_be_visible()
    page.get_by_role("button", name="New banner").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Link").fill("/recommend.html")
    page.get_by_label("Shows from (China time)").fill("2027-03-01T09:00")
    page.get_by_label("Shows until (China time)").fill("2027-03-08T21:30")
    shot(page, "banner-form-china-time")
    page.get_by_role("button", name="Create banner").click()
    expect(page.get_by_text(f"Created the banner “{title}”.")).to_be_visible()
    banner = next(b for b in operator.get("/admin/banners").json()["banners"] if b["title"] == title)
    try:
        assert datetime.fromisoformat(banner["starts_at"]) == datetime(2027, 3, 1, 9, 0, tzinfo=CHINA)
        assert datetime.fromisoformat(banner["ends_at"]) == datetime(2027, 3, 8, 21, 30, tzinfo=CHINA)
        row = page.get_by_role("row").filter(has_text=title)
        expect(row).to_contain_text("From 1 Mar 2027, 09:00")
        expect(row).to_contain_text("until 8 Mar 2027, 21:30")
        page.get_by_role("button", name=f"Edit {title}").click()
        expect(page.get_by_label("Shows from (China time)")).to_have_value("2027-03-01T09:00")
        expect(page.get_by_label("Shows until (China time)")).to_have_value("2027-03-08T21:30")
        page.get_by_role("button", name="Cancel").click()
        shot(page, "banners-china-time")
    finally:
        send(operator, "DELETE", f"/admin/banners/{banner['banner_id']}")

    go(page, "Campaigns")
    page.get_by_role("link", name="New campaign").click()
    ready(page)
    name = f"Autumn in China time {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Starts (China time)").fill("2027-04-01T10:00")
    page.get_by_label("Ends (China time)").fill("2027-04-02T08:00")
    page.get_by_label("Points multiplier").fill("1")
    page.get_by_role("button", name="Create campaign").click()
    ready(page)
    listed = page.get_by_role("row").filter(has_text=name)
    expect(listed).to_contain_text("2027-04-01 10:00")
    expect(listed).to_contain_text("2027-04-02 08:00")
    campaign = next(c for c in operator.get("/admin/campaigns").json()["campaigns"] if c["name"] == name)
    assert datetime.fromisoformat(campaign["starts_at"]) == datetime(2027, 4, 1, 10, 0, tzinfo=CHINA)
    assert datetime.fromisoformat(campaign["ends_at"]) == datetime(2027, 4, 2, 8, 0, tzinfo=CHINA)
    assert page.errors == [] and page.outside == []


def stored_before_newer_fields(product_id: str) -> dict:
    """A product document as older writes (and the demo catalog) stored it: without the fields
    product rules added since, reunderwrite_on_renewal and cancellation."""
    from catalog import store

    doc = {
        k: v
        for k, v in product_document(product_id).items()
        if k not in ("reunderwrite_on_renewal", "cancellation")
    }
    doc.update(
        terms_summary=LONG_TEXT.format(days=30),
        status="off_shelf",
        rate_table_version=None,
        premium_from=None,
    )
    store.put_product(doc)
    return doc


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_given_a_long_text_edited_deep_inside_when_the_audit_trail_shows_it_then_only_it_with_words_marked(
    browser, platform, operator, viewport
):
    from playwright.sync_api import expect

    product_id = f"audit-diff-{uuid.uuid4().hex[:6]}"
    stored_before_newer_fields(product_id)
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=phone, has_touch=phone)
    page = watched(context)
    try:
        sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
        ready(page)
        page.goto(f"{platform.url}/admin/#/products/{product_id}")
        ready(page)
        summary = page.get_by_label("Terms summary")
        expect(summary).to_have_value(LONG_TEXT.format(days=30))
        summary.fill(LONG_TEXT.format(days=60))
        page.get_by_role("button", name="Save changes").click()
        expect(page.get_by_text(re.compile(r"Saved\. This is now revision \d+\."))).to_be_visible()

        entry = operator.get(f"/admin/audit?entity=product:{product_id}").json()["entries"][0]
        assert set(entry["changes"]) == {"terms_summary"}, entry["changes"]

        page.get_by_role("link", name="Audit trail").last.click()
        ready(page)
        row = page.locator("table.audit tbody tr").first
        expect(row).to_contain_text("edited the product")
        expect(row.locator(".changes dt")).to_have_text(["terms summary"])
        expect(row.locator("del")).to_have_text("30")
        expect(row.locator("ins")).to_have_text("60")
        before = row.locator(".diff-line.was").inner_text()
        after = row.locator(".diff-line.now").inner_text()
        # The change with its context, the rest of the 400 characters elided.
        assert "within 30 days of the accident" in before and "within 60 days of the accident" in after
        assert "Pays the sum insured" not in before and "…" in before
        row.scroll_into_view_if_needed()
        shot(page, f"product-audit-diff-{'phone' if phone else 'desktop'}")
        assert page.errors == [] and page.outside == []
    finally:
        context.close()
