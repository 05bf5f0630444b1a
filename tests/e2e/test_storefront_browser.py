"""The storefront in a real browser: a person buys a policy by clicking through the H5 pages.

Product list -> product -> quote -> buy -> sign in -> order form -> pay (sandbox) -> order status
-> my policies -> policy. Asserts on visible text only; saves a phone-size screenshot of each step
to test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import requests
from shop import prc_id_for_age

from local import demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors, page.outside = [], []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def local_only(request) -> None:
        # Nothing may come from the internet: every request goes to the local platform.
        if not request.url.startswith(("http://127.0.0.1", "data:")):
            page.outside.append(request.url)

    page.on("request", local_only)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def unlabelled_inputs(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
            .filter((el) => el.type !== 'hidden' && el.labels.length === 0 && !el.getAttribute('aria-label'))
            .map((el) => el.name || el.id)"""
    )


def test_given_the_storefront_when_a_person_buys_accident_cover_then_they_see_their_policy(platform, page):
    from playwright.sync_api import expect

    page.goto(platform.url + "/")
    expect(page.get_by_role("heading", name="Insurance products")).to_be_visible()
    expect(page.get_by_role("link", name="Guardian Personal Accident")).to_be_visible()
    shot(page, "01-products")

    # Product detail and quote.
    page.get_by_role("link", name="Guardian Personal Accident").click()
    expect(page.get_by_role("heading", name="Guardian Personal Accident", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Plans and cover")).to_be_visible()
    expect(page.get_by_text("Jade Property & Casualty").first).to_be_visible()
    assert unlabelled_inputs(page) == []
    page.get_by_label("Standard — cover up to CNY 1,000,000").check()
    page.get_by_label("Age of the insured person").fill("36")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Occupation class").select_option("1")
    page.get_by_role("button", name="Get quote").click()
    expect(page.get_by_role("heading", name="Your quote")).to_be_visible()
    expect(page.locator(".price")).to_have_text(re.compile(r"^CNY \d[\d,]*\.\d\d$"))
    expect(page.get_by_text("How the premium is worked out")).to_be_visible()
    expect(page.get_by_text("valid until")).to_be_visible()
    premium = page.locator(".price").inner_text()
    shot(page, "02-quote")

    # Buying needs an account: the order page sends the person to sign in and back.
    page.get_by_role("link", name="Buy now").click()
    expect(page).to_have_url(re.compile(r"/signin\.html\?next=order\.html"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    shot(page, "03-signin")
    page.get_by_label("E-mail").fill(demo.DEMO_CUSTOMER["email"])
    page.get_by_label("Password").fill(demo.DEMO_CUSTOMER["password"])
    page.get_by_role("button", name="Sign in").click()

    # Order form.
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    # The header shows who is signed in.
    expect(page.get_by_role("navigation", name="Main")).to_contain_text(demo.DEMO_CUSTOMER["email"])
    expect(page.get_by_text(premium).first).to_be_visible()
    assert unlabelled_inputs(page) == []
    quote_id = page.url.split("quote=")[1]
    quote = requests.get(f"{platform.api_url}/quotes/{quote_id}", timeout=30).json()
    id_number = prc_id_for_age(36, "M", date.fromisoformat(quote["inputs"]["start_date"]))
    page.get_by_label("Full name", exact=True).fill("Li Hua")
    page.get_by_label("PRC ID number", exact=True).fill(id_number)
    page.get_by_label("Mobile number").fill("13800138000")
    expect(page.get_by_label("E-mail")).to_have_value(demo.DEMO_CUSTOMER["email"])
    page.get_by_role("group", name=re.compile("physical disability")).get_by_label("No").check()
    page.get_by_label(re.compile("I have read and accept")).check()
    shot(page, "04-order-form")
    page.get_by_role("button", name=re.compile(r"^Submit order")).click()

    # Order status: wait for the payment to be ready, then pay in the sandbox.
    expect(page.get_by_role("heading", name="Order status")).to_be_visible()
    pay_now = page.get_by_role("link", name="Pay now")
    expect(pay_now).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Waiting for payment").first).to_be_visible()
    shot(page, "05-awaiting-payment")
    pay_now.click()
    expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
    pay = page.get_by_role("button", name=f"Pay {premium} (sandbox)")
    expect(pay).to_be_visible()
    shot(page, "06-sandbox-pay")
    pay.click()

    expect(page.get_by_role("heading", name="Order status")).to_be_visible()
    expect(page.get_by_role("heading", name="Policy issued")).to_be_visible(timeout=30_000)
    policy_link = page.get_by_role("link", name=re.compile(r"^[A-Z]{3}\d{10,}$"))
    expect(policy_link).to_be_visible()
    policy_no = policy_link.inner_text()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    shot(page, "07-policy-issued")

    # My policies lists it; the policy page shows the cover and masked parties.
    page.get_by_role("link", name="My policies").click()
    expect(page.get_by_role("heading", name="My policies")).to_be_visible()
    expect(page.get_by_role("link", name=policy_no)).to_be_visible()
    shot(page, "08-my-policies")
    page.get_by_role("link", name=policy_no).click()
    expect(page.get_by_text(policy_no).first).to_be_visible()
    expect(page.get_by_text("Accidental death and disability")).to_be_visible()
    expect(page.get_by_text(id_number[:3] + "*" * 11 + id_number[-4:]).first).to_be_visible()
    assert id_number not in page.content()
    shot(page, "09-policy")

    # Sign out returns the header to "Sign in".
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    assert page.errors == []
    assert page.outside == []
