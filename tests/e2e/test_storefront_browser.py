"""The storefront in a real browser: a person finds, prices and buys cover by clicking through the H5 pages.

Mall home -> search -> product -> live premium calculator -> Buy -> sign in -> order form -> pay (sandbox)
-> order status -> policy issued -> my account. Asserts on visible text only. Screenshots go to
test-artifacts/screenshots/; with UPDATE_SCREENSHOTS=1 the reviewed set in docs/screenshots/ is refreshed.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import requests
from shop import prc_id_for_age
from storefront_pages import PHONE, expect_price, open_page, shot, signed_in, unlabelled_inputs

from local import demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

PRICE = re.compile(r"^CNY \d[\d,]*\.\d\d$")


@pytest.fixture
def page(browser):
    with open_page(browser, PHONE) as page:
        yield page


def fill_order_form(page, platform, age: int = 36, gender: str = "M") -> str:
    """Policyholder insures themself; returns the ID number used."""
    quote_id = page.url.split("quote=")[1]
    quote = requests.get(f"{platform.api_url}/quotes/{quote_id}", timeout=30).json()
    id_number = prc_id_for_age(age, gender, date.fromisoformat(quote["inputs"]["start_date"]))
    page.get_by_label("Full name", exact=True).fill("Li Hua")
    page.get_by_label("PRC ID number", exact=True).fill(id_number)
    page.get_by_label("Mobile number").fill("13800138000")
    page.get_by_role("group", name=re.compile("physical disability")).get_by_label("No").check()
    page.get_by_label(re.compile("I have read and accept")).check()
    return id_number


def test_given_the_mall_when_a_person_searches_prices_and_buys_accident_cover_then_their_policy_is_issued(
    platform, page
):
    from playwright.sync_api import expect

    # Mall home: search by need.
    page.goto(platform.url + "/")
    expect(page.get_by_role("heading", name="Insurance that fits your life")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Categories").get_by_role("link", name="Travel")
    ).to_be_visible()
    expect(page.get_by_role("list", name="Offers").get_by_role("link").first).to_be_visible()
    featured = page.get_by_role("region", name="Featured")
    expect(featured.get_by_role("link", name="Guardian Personal Accident")).to_be_visible()
    expect(featured.get_by_text(re.compile(r"^from CNY \d")).first).to_be_visible()
    expect(page.get_by_role("heading", name="All products")).to_be_visible()
    shot(page, "phone-01-home")
    page.get_by_role("searchbox", name="Search insurance by name or need").fill("accident")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=accident"))
    expect(page.get_by_role("heading", name="Results for “accident”")).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d+ products? found"))).to_be_visible()
    expect(page.get_by_role("link", name="Guardian Personal Accident")).to_be_visible()
    expect(page.get_by_role("link", name="Worldwide Travel Shield")).to_have_count(0)
    shot(page, "phone-02-search")

    # Product detail: the live calculator re-prices as the answers change.
    page.get_by_role("link", name="Guardian Personal Accident").click()
    expect(page.get_by_role("heading", name="Guardian Personal Accident", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Plans and cover")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Accidental death and disability"))).to_be_visible()
    expect(page.get_by_text("Jade Property & Casualty").first).to_be_visible()
    expect(page.get_by_role("heading", name="What is not covered")).to_be_visible()
    assert unlabelled_inputs(page) == []
    price = page.locator("#live-price")
    first = expect_price(price)
    page.get_by_label(re.compile(r"^Premium")).check()
    premium_plan = expect_price(price, not_equal=first)
    quotes: list[str] = []
    page.on("request", lambda r: quotes.append(r.url) if r.url.endswith("/premium") else None)
    age = page.get_by_label("Age of the insured person")
    age.fill("")
    age.press_sequentially("52", delay=60)  # two keystrokes inside the debounce window: one request
    older = expect_price(price, not_equal=premium_plan)
    page.wait_for_timeout(400)
    assert len(quotes) == 1, quotes
    page.get_by_label(re.compile("^Traffic accident extra")).check()
    expect_price(price, not_equal=older)
    expect(page.get_by_role("cell", name=re.compile("Option Traffic accident extra"))).to_be_visible()
    # Back to the person who buys: 36, standard plan, no options.
    page.get_by_label(re.compile("^Traffic accident extra")).uncheck()
    page.get_by_label(re.compile(r"^Standard")).check()
    age.fill("36")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Occupation class").select_option("1")
    expect(page.locator("#live-note")).to_have_text("1 year, Standard plan")
    expect(page.get_by_role("row", name=re.compile("age 18-40"))).to_be_visible()
    premium = expect_price(price)
    # The QR code of the share link is drawn when the customer scrolls to it.
    page.get_by_role("heading", name="Share with family and friends").scroll_into_view_if_needed()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    shot(page, "phone-03-product")

    # Buying needs an account: the order page sends the person to sign in and back.
    page.get_by_role("button", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/signin\.html\?next=order\.html"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(demo.DEMO_CUSTOMER["email"])
    page.get_by_label("Password").fill(demo.DEMO_CUSTOMER["password"])
    page.get_by_role("button", name="Sign in").click()

    # Order form: breakdown, insured person, health question, terms.
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"You pay"))).to_contain_text(premium)
    expect(page.get_by_label("E-mail")).to_have_value(demo.DEMO_CUSTOMER["email"])
    assert unlabelled_inputs(page) == []
    id_number = fill_order_form(page, platform)
    shot(page, "phone-04-order")
    page.get_by_role("button", name=re.compile(r"^Submit order")).click()

    # Order status follows the state machine: waiting for payment, then pay in the sandbox.
    expect(page.get_by_role("heading", name="Order status")).to_be_visible()
    pay_now = page.get_by_role("link", name="Pay now")
    expect(pay_now).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Waiting for payment").first).to_be_visible()
    pay_now.click()
    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    # The pay link carries the payer's client secret in its fragment; without it the page cannot pay.
    with_secret = page.url
    assert "#client_secret=" in with_secret
    page.goto(with_secret.split("#", 1)[0])
    expect(page.get_by_text("This link cannot pay")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Pay CNY"))).to_have_count(0)
    page.goto(with_secret)
    page.reload()  # a fragment-only change does not load the page again
    pay = page.get_by_role("button", name=f"Pay {premium} (sandbox)")
    shot(page, "phone-05-pay")
    with page.expect_request("**/api/sandbox-payments/*/pay") as sent:
        pay.click()
    assert sent.value.post_data_json == {"client_secret": with_secret.split("#client_secret=", 1)[1]}

    expect(page.get_by_role("heading", name="Policy issued")).to_be_visible(timeout=30_000)
    policy_link = page.get_by_role("link", name=re.compile(r"^[A-Z]{3}\d{10,}$"))
    policy_no = policy_link.inner_text()
    expect(page.get_by_role("list", name="Progress")).to_contain_text("Policy")
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    shot(page, "phone-06-issued")

    # My account lists the order and the policy; the policy page masks the ID number.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    expect(page.get_by_role("heading", name="My policies")).to_be_visible()
    expect(page.get_by_role("link", name=policy_no)).to_be_visible()
    page.get_by_role("link", name=policy_no).click()
    expect(page.get_by_text(policy_no).first).to_be_visible()
    expect(page.get_by_text(id_number[:3] + "*" * 11 + id_number[-4:]).first).to_be_visible()
    assert id_number not in page.content()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.errors == []
    assert page.outside == []
    assert page.console_errors == []


def test_given_an_order_when_the_quote_expires_the_network_drops_and_payment_fails_then_the_customer_recovers(
    platform, page, customer
):
    """Each error state is said in words a customer understands, with a way forward that works."""
    from playwright.sync_api import expect

    quote = customer.post(
        "/quotes",
        json={
            "product_id": "accident-guardian",
            "plan": "basic",
            "age": 36,
            "gender": "M",
            "term": "1Y",
            "occupation_class": 1,
            "options": [],
        },
    ).json()
    signed_in(page, platform, customer)
    page.goto(f"{platform.url}/order.html?quote={quote['quote_id']}")
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    fill_order_form(page, platform)
    page.get_by_label("E-mail").fill(customer.email)

    # Validation next to the field.
    page.get_by_label("Mobile number").fill("12345")
    page.get_by_role("button", name=re.compile(r"^Submit order")).click()
    expect(page.get_by_text("Enter an 11-digit mainland mobile number.")).to_be_visible()
    page.get_by_label("Mobile number").fill("13800138000")

    # The quote expired while the customer was typing: one button gets a new price; the answers stay.
    expired = {
        "error": {
            "code": "conflict",
            "message": "This quote has expired; get a new quote",
            "fields": {"quote_id": "expired"},
        }
    }
    page.route("**/api/orders", lambda route: route.fulfill(status=409, json=expired))
    page.get_by_role("button", name=re.compile(r"^Submit order")).click()
    expect(page.get_by_text("This quote has expired, get a new price.")).to_be_visible()
    shot(page, "phone-07-expired-quote")
    page.unroute("**/api/orders")
    page.get_by_role("button", name="Get a new price").click()
    expect(page.get_by_text(re.compile(r"Your price is still CNY"))).to_be_visible()
    expect(page).not_to_have_url(re.compile(quote["quote_id"]))
    expect(page.get_by_label("Mobile number")).to_have_value("13800138000")

    # The network drops: say so, and "Try again" sends the same order.
    page.route("**/api/orders", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name=re.compile(r"^Submit order")).click()
    expect(page.get_by_text(re.compile("We could not reach InsureMall"))).to_be_visible()
    page.unroute("**/api/orders")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name="Order status")).to_be_visible()

    # A failed payment: nothing taken, try again.
    page.get_by_role("link", name="Pay now").click(timeout=20_000)
    page.route(
        "**/api/sandbox-payments/*/pay",
        lambda route: route.fulfill(
            status=502,
            json={"error": {"code": "bad_gateway", "message": "The payment provider did not answer"}},
        ),
    )
    page.get_by_role("button", name=re.compile(r"^Pay CNY")).click()
    expect(
        page.get_by_text(re.compile(r"^Your payment did not go through\. No money was taken\."))
    ).to_be_visible()
    shot(page, "phone-08-payment-failed")
    page.unroute("**/api/sandbox-payments/*/pay")
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_role("heading", name="Policy issued")).to_be_visible(timeout=30_000)
    assert page.errors == []
    assert page.outside == []
