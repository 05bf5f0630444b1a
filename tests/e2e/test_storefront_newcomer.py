"""What a new customer met on a phone, in a real browser (issue 13): no dead end when a product goes off
sale, a plan table that shows each plan's own terms, a calculator that never shows a price for details it
cannot price, sign-up and verification pages that say each thing once and look like the rest, and times
in China time."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from shop import pay, place_order, quote, wait_for_order
from storefront_pages import PHONE, expect_price, open_page, shot, signed_in
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


TIME = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}\b")


def china(iso: str) -> str:
    """An instant as the storefront shows it: China time, e.g. "12 Dec 2030, 23:59"."""
    at = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone(timedelta(hours=8)))
    return f"{at.day} {at:%b %Y, %H:%M}"


def says_china_time_once(page) -> str:
    text = page.locator("main").inner_text()
    assert TIME.search(text), "no time on this screen"
    assert text.count("China time") == 1, text
    return text


def test_given_a_customer_abroad_when_they_read_times_then_every_screen_shows_china_time_and_says_so_once(
    platform, browser, customer, operator
):
    from playwright.sync_api import expect

    ends = "2030-12-12T23:59:00+08:00"
    campaign = {
        "name": f"Year end {uuid.uuid4().hex[:4]}",
        "description": "Money off accident cover.",
        "starts_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "ends_at": ends,
        "product_ids": ["accident-guardian"],
        "coupons": [
            {
                "coupon_id": "five-off",
                "kind": "amount",
                "amount_cents": 500,
                "min_premium_cents": 0,
                "quota": 9,
            }
        ],
    }
    created = operator.post("/admin/campaigns", json=campaign)
    assert created.status_code == 201, created.text
    order = place_order(customer, quote(customer, plan="basic"))
    pay(customer, order)
    order = wait_for_order(customer, order["order_id"], {"issued"})
    assert customer.post("/members/me/check-in").status_code == 200
    policy = customer.get(f"/policies/{order['policy_no']}").json()
    held = quote(customer)

    # New York is 13 hours behind China in December: a time read in the device's zone would show.
    context = browser.new_context(
        viewport=PHONE, timezone_id="America/New_York", is_mobile=True, has_touch=True
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        signed_in(page, platform, customer)

        page.goto(platform.url + "/")
        card = page.locator("#campaigns li.card", has_text=campaign["name"])
        expect(card).to_contain_text("Until 12 Dec 2030, 23:59.")
        says_china_time_once(page)
        card.scroll_into_view_if_needed()
        shot(page, "phone-15-campaign-china-time")

        page.goto(f"{platform.url}/order-status.html?id={order['order_id']}")
        expect(page.get_by_role("heading", name="Policy issued")).to_be_visible()
        text = says_china_time_once(page)
        for change in order["history"]:
            assert china(change["at"]) in text, (change, text)

        page.goto(f"{platform.url}/policy.html?no={order['policy_no']}")
        expect(page.get_by_text(f"{china(policy['paid_at'])} (China time)")).to_be_visible()
        says_china_time_once(page)

        page.goto(f"{platform.url}/order.html?quote={held['quote_id']}")
        expect(
            page.get_by_text(f"This price is held until {china(held['valid_until'])} (China time).")
        ).to_be_visible()
        says_china_time_once(page)

        page.goto(platform.url + "/rewards.html")
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        checked_in = customer.get("/members/me/points").json()["history"][0]["at"]
        expect(page.locator("#points table")).to_contain_text(china(checked_in))
        says_china_time_once(page)

        page.goto(platform.url + "/account.html")
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        orders = page.locator("#orders")
        expect(orders).to_contain_text(china(order["created_at"]).split(",")[0])  # the China day it was made
        if TIME.search(page.locator("main").inner_text()):
            says_china_time_once(page)
        assert errors == []
    finally:
        context.close()


def test_given_an_email_already_registered_when_signing_up_then_the_point_is_made_once_beside_the_field(
    platform, page
):
    from playwright.sync_api import expect

    from local import demo

    page.goto(f"{platform.url}/signup.html")
    page.get_by_label("Your name").fill("Li Hua")
    page.get_by_label("E-mail").fill(demo.DEMO_CUSTOMER["email"])
    page.get_by_label("Password").fill("Another2026x")
    page.get_by_role("button", name="Create account").click()
    email = page.get_by_label("E-mail")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(page.locator("#err-email")).to_have_text(
        "An account with this e-mail already exists. Sign in instead."
    )
    expect(page.locator("#err-email").get_by_role("link", name="Sign in instead")).to_have_attribute(
        "href", re.compile(r"/signin\.html\?next=index\.html$")
    )
    text = page.locator("main").inner_text().lower()
    assert text.count("already exists") == 1 and "already registered" not in text, text
    expect(page.locator("#alert")).to_be_hidden()
    shot(page, "phone-09-signup-taken")
    assert page.errors == []


def test_given_the_verification_page_when_it_loads_then_its_code_input_looks_like_every_other_input(
    platform, page
):
    page.goto(f"{platform.url}/verify.html")
    # The code input against a text input made here: the shared CSS styles both, or neither.
    styles = page.evaluate(
        """() => {
            const made = Object.assign(document.createElement('input'), {type: 'text'});
            document.querySelector('main').append(made);
            return [document.querySelector('#code'), made].map((el) => {
                const s = getComputedStyle(el);
                return [s.minHeight, s.borderTopWidth, s.borderTopColor, s.borderRadius, s.paddingTop];
            });
        }"""
    )
    assert styles[0] == styles[1], styles
    assert styles[0][0] == "44px"
    assert page.get_by_label("Verification code").get_attribute("type") == "text"
