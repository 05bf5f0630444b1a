"""What a new customer met on a phone, in a real browser (issue 13): no dead end when a product goes off
sale, a plan table that shows each plan's own terms, a calculator that never shows a price for details it
cannot price, sign-up and verification pages that say each thing once and look like the rest, and times
in China time."""

from __future__ import annotations

import contextlib
import re
import uuid

import pytest
from storefront_pages import PHONE, expect_price, open_page, shot
from test_catalog_admin_http import CSV, product_document

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser):
    with open_page(browser, PHONE) as page:
        yield page


def on_sale_product(operator) -> str:
    product_id = f"dog-walker-{uuid.uuid4().hex[:6]}"
    created = operator.post("/admin/products", json=product_document(product_id))
    assert created.status_code == 201, created.text
    rates = operator.post(
        f"/admin/products/{product_id}/rate-tables", json={"csv": CSV, "effective_from": "2026-12-01"}
    )
    assert rates.status_code == 201, rates.text
    shelved = operator.post(f"/admin/products/{product_id}/shelf", json={"status": "on_shelf"})
    assert shelved.status_code == 200, shelved.text
    return product_id


def test_given_a_product_taken_off_shelf_when_a_customer_meets_it_then_every_page_offers_a_way_on(
    platform, page, operator
):
    from playwright.sync_api import expect

    product_id = on_sale_product(operator)
    banner = operator.post(
        "/admin/banners",
        json={
            "title": "Walk the dog, covered",
            "subtitle": "Dog Walker Accident: a year of cover, early and late.",
            "link": f"/product.html?id={product_id}",
            "theme": "green",
            "position": 9,
            "starts_at": "2026-01-01T00:00:00+08:00",
            "ends_at": "2030-12-31T23:59:59+08:00",
        },
    ).json()
    offers = page.get_by_role("list", name="Offers")
    try:
        page.goto(platform.url + "/")
        expect(offers.get_by_role("link", name=re.compile("^Walk the dog, covered"))).to_have_count(1)

        # The product page is open when the operator takes the product off shelf; then the customer buys.
        page.goto(f"{platform.url}/product.html?id={product_id}")
        expect_price(page.locator("#live-price"))
        taken = operator.post(f"/admin/products/{product_id}/shelf", json={"status": "off_shelf"})
        assert taken.status_code == 200, taken.text
        page.get_by_role("button", name="Buy now").click()
        message = page.locator("#buy-alert")
        expect(message).to_have_attribute("role", "alert")
        expect(message).to_contain_text(
            "Dog Walker Accident is no longer on sale, so it cannot be bought now."
        )
        expect(message).to_be_in_viewport()
        expect(message).to_be_focused()
        assert product_id not in message.inner_text()
        expect(page.get_by_role("button", name="Buy now")).to_be_hidden()
        expect(page.locator("#live-price")).to_have_text("\u2014")
        expect(message.get_by_role("link", name="See other accident cover")).to_have_attribute(
            "href", "index.html?category=accident"
        )
        shot(page, "phone-12-off-shelf-buy")

        # The home no longer offers the banner to it ...
        page.goto(platform.url + "/")
        expect(offers.get_by_role("link").first).to_be_visible()
        expect(offers.get_by_role("link", name=re.compile("^Walk the dog"))).to_have_count(0)

        # ... and the product's own page says so and leads on.
        page.goto(f"{platform.url}/product.html?id={product_id}")
        expect(page.get_by_role("heading", name="This product is not on sale", level=1)).to_be_visible()
        assert product_id not in page.locator("main").inner_text()
        expect(page.get_by_role("link", name="Go to the mall")).to_have_attribute("href", "index.html")
        shot(page, "phone-13-not-on-sale")
        page.get_by_role("navigation", name="Categories").get_by_role("link", name="Accident").click()
        expect(page.get_by_role("heading", name="Accident insurance")).to_be_visible()
        expect(page.get_by_role("link", name="Guardian Personal Accident")).to_be_visible()
    finally:
        operator.http.delete(
            f"{operator.base}/admin/banners/{banner['banner_id']}",
            headers={"Authorization": f"Bearer {operator.token}"},
            timeout=30,
        )
    assert page.errors == []
    assert page.outside == []


def test_given_plans_whose_cover_terms_differ_when_the_plan_table_is_read_then_each_plan_shows_its_own(
    platform, page
):
    from playwright.sync_api import expect

    page.goto(f"{platform.url}/product.html?id=travel-asia-explorer")
    row = page.locator(".plans-table tr", has=page.get_by_role("rowheader", name="Flight delay", exact=True))
    expect(row).to_have_count(1)
    cells = row.get_by_role("cell")
    expect(cells.nth(0)).to_have_text(re.compile(r"^600\s*CNY 200 per 4 hours$"))
    expect(cells.nth(1)).to_have_text(re.compile(r"^1,000\s*CNY 300 per 4 hours$"))
    # Cover that reads the same in every plan is named once, in its row header.
    same = page.locator(".plans-table tr", has=page.get_by_role("rowheader", name="Baggage loss or damage"))
    expect(same.get_by_role("cell")).to_have_text(["3,000", "5,000"])
    assert page.errors == []


def test_given_the_calculator_when_the_age_turns_invalid_then_no_price_and_no_buy_now_until_it_is_valid(
    platform, page
):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    page.goto(f"{platform.url}/product.html?id=accident-guardian")
    price = page.locator("#live-price")
    buy = page.get_by_role("button", name="Buy now")
    first = expect_price(price)
    expect(buy).to_be_visible()

    age = page.get_by_label("Age of the insured person")
    age.fill("7")  # the product insures 18 to 65
    expect(price).to_have_text("\u2014")
    expect(page.locator("#live-note")).to_have_text("Check the details above")
    expect(buy).to_be_hidden()
    expect(page.get_by_role("table", name="How the price is worked out")).to_have_count(0)
    page.wait_for_timeout(800)  # nothing arriving later brings the old price back
    expect(price).to_have_text("\u2014")
    expect(buy).to_be_hidden()
    age.press("Enter")  # no purchase with details that cannot be priced
    expect(page).to_have_url(re.compile(r"product\.html"))
    expect(page.get_by_text("Enter an age from 18 to 65.")).to_be_visible()

    # A slow answer for older details never overwrites the newer state.
    release = []
    page.route("**/premium", lambda route: release.append(route))
    age.fill("45")
    page.wait_for_function("document.querySelector('#live-note').textContent === 'Updating…'")
    deadline = 50
    while not release and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert release, "the calculator asked for no price"
    age.fill("")
    expect(price).to_have_text("\u2014")
    page.unroute("**/premium")
    with contextlib.suppress(PlaywrightError):  # the page may have cancelled it: then nothing can arrive
        release[0].continue_()
    page.wait_for_timeout(800)
    expect(price).to_have_text("\u2014")
    expect(buy).to_be_hidden()

    age.fill("36")
    expect_price(price)
    expect(buy).to_be_visible()
    assert first
    assert page.errors == []
