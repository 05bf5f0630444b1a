"""Sign-up and the user center in a real browser: profile, family members (then picked on the order form),
addresses."""

from __future__ import annotations

import re
import uuid

import pytest
import requests
from shop import pay, place_order, prc_id_for_age, quote, wait_for_order
from storefront_pages import PHONE, open_page, shot, signed_in

from insuremall.clock import china_today

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser):
    with open_page(browser, PHONE) as page:
        yield page


def test_given_a_guest_when_they_sign_up_and_fill_in_their_account_then_family_members_fill_the_order_form(
    platform, page
):
    from playwright.sync_api import expect

    # Sign up from the header; messages next to the fields first.
    page.goto(platform.url + "/")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    page.get_by_label("E-mail").fill("not-an-address")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Enter an e-mail address like name@example.com.")).to_be_visible()
    expect(page.get_by_text("Use at least 8 characters with lower-case letters and digits.")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_have_attribute("aria-invalid", "true")
    shot(page, "phone-09-signup-errors")
    email = f"b-{uuid.uuid4().hex[:10]}@example.com"
    page.get_by_label("Your name").fill("Chen Jing")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("Secret2026x")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Insurance that fits your life")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # Profile.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My account").click()
    profile = page.locator("#profile")
    expect(profile).to_contain_text(email)
    expect(profile).to_contain_text("Chen Jing")
    profile.get_by_text("Edit profile").click()
    profile.get_by_label("Mobile number").fill("139001")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_text(re.compile("Enter an 11-digit mainland mobile number"))).to_be_visible()
    profile.get_by_label("Display name").fill("Chen J.")
    profile.get_by_label("Mobile number").fill("13900139000")
    profile.get_by_role("button", name="Save profile").click()
    expect(profile.get_by_text("Profile saved.")).to_be_visible()
    expect(profile).to_contain_text("Chen J.")
    expect(profile).to_contain_text("139****9000")

    # Family: the server checks the ID's check digit; the list masks the number.
    family = page.locator("#family")
    start = china_today()
    spouse_id = prc_id_for_age(34, "F", start)
    family.get_by_label("Full name").fill("Wang Fang")
    family.get_by_label("Relation to you").select_option("spouse")
    family.get_by_label("PRC ID number").fill(spouse_id[:-1] + ("0" if spouse_id[-1] != "0" else "1"))
    family.get_by_role("button", name="Save family member").click()
    expect(family.get_by_text(re.compile("check digit"))).to_be_visible()
    family.get_by_label("PRC ID number").fill(spouse_id)
    family.get_by_role("button", name="Save family member").click()
    expect(family.get_by_text("Wang Fang saved. You can pick them when you buy.")).to_be_visible()
    expect(family).to_contain_text(spouse_id[:3] + "*" * 11 + spouse_id[-4:])
    assert spouse_id not in page.content()
    child_id = prc_id_for_age(8, "M", start)
    family.get_by_text("Add a family member").click()
    family.get_by_label("Full name").fill("Chen Xiaoming")
    family.get_by_label("Relation to you").select_option("child")
    family.get_by_label("PRC ID number").fill(child_id)
    family.get_by_role("button", name="Save family member").click()
    expect(family.get_by_text("Chen Xiaoming saved. You can pick them when you buy.")).to_be_visible()

    # Addresses: the first is the default.
    addresses = page.locator("#addresses")
    addresses.get_by_text("Add an address").click()
    addresses.get_by_label("Recipient").fill("Chen Jing")
    addresses.get_by_label("Mobile number").fill("13900139000")
    addresses.get_by_label("Province").fill("Beijing")
    addresses.get_by_label("City").fill("Beijing")
    addresses.get_by_label("District").fill("Chaoyang")
    addresses.get_by_label("Postcode").fill("1000")
    addresses.get_by_label("Street address").fill("8 Jianguo Road, Building 3")
    addresses.get_by_role("button", name="Save address").click()
    expect(addresses.get_by_text("Enter the 6-digit postcode.")).to_be_visible()
    addresses.get_by_label("Postcode").fill("100020")
    addresses.get_by_role("button", name="Save address").click()
    expect(addresses.get_by_text("Address saved.")).to_be_visible()
    expect(addresses).to_contain_text("8 Jianguo Road, Building 3, Chaoyang, Beijing, Beijing 100020")
    expect(addresses.get_by_text("Default", exact=True)).to_be_visible()
    shot(page, "phone-10-account")

    # Removing asks once more, in place.
    family.get_by_role("button", name="Remove Chen Xiaoming").click()
    family.get_by_role("button", name="Keep").click()
    expect(family).to_contain_text("Chen Xiaoming")
    family.get_by_role("button", name="Remove Chen Xiaoming").click()
    family.get_by_role("button", name="Yes, remove Chen Xiaoming").click()
    expect(family).not_to_contain_text("Chen Xiaoming")
    addresses.get_by_role("button", name="Remove the address for Chen Jing").click()
    addresses.get_by_role("button", name="Yes, remove the address for Chen Jing").click()
    expect(addresses.get_by_text("No addresses saved yet.")).to_be_visible()

    # On the order form a saved family member fills in the insured person, full ID included.
    quote = requests.post(
        platform.api_url + "/quotes",
        json={
            "product_id": "accident-guardian",
            "plan": "basic",
            "age": 34,
            "gender": "F",
            "term": "1Y",
            "occupation_class": 1,
            "options": [],
        },
        timeout=30,
    ).json()
    page.goto(f"{platform.url}/order.html?quote={quote['quote_id']}")
    masked = spouse_id[:3] + "*" * 11 + spouse_id[-4:]
    page.get_by_label("Fill in from my family").select_option(label=f"Wang Fang (spouse, {masked})")
    expect(page.get_by_text("Filled in Wang Fang's details. Check them before you submit.")).to_be_visible()
    expect(page.get_by_label("Who is insured?")).to_have_value("spouse")
    expect(page.get_by_label("Full name of the insured person")).to_have_value("Wang Fang")
    expect(page.get_by_label("Their PRC ID number")).to_have_value(spouse_id)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert page.errors == []
    assert page.outside == []


def test_given_a_policy_cancelled_and_refunded_when_the_customer_reads_my_orders_then_the_order_says_so(
    platform, page, customer
):
    from playwright.sync_api import expect

    cancelled = place_order(customer, quote(customer, plan="basic"))
    pay(customer, cancelled)
    cancelled = wait_for_order(customer, cancelled["order_id"], {"issued"})
    kept = place_order(customer, quote(customer, plan="standard"))
    pay(customer, kept)
    wait_for_order(customer, kept["order_id"], {"issued"})
    no = cancelled["policy_no"]
    refund = customer.get(f"/policies/{no}/cancellation-quote").json()["refund_cents"]
    done = customer.post(
        f"/policies/{no}/cancellation", json={"reason": "changed_mind", "refund_cents": refund}
    )
    assert done.status_code == 200 and done.json()["refund"]["status"] == "refunded", done.text

    signed_in(page, platform, customer)
    page.goto(f"{platform.url}/account.html#orders")
    orders = page.locator("#orders")
    row = orders.get_by_role("row").filter(has=page.get_by_role("link", name="Guardian Personal Accident"))
    expect(row).to_have_count(2)
    expect(orders.get_by_text("Policy cancelled - refunded", exact=True)).to_have_count(1)
    expect(orders.get_by_text("Policy issued", exact=True)).to_have_count(1)  # the other one
    badge = orders.get_by_text("Policy cancelled - refunded", exact=True)
    assert "issued" not in (badge.get_attribute("class") or "").split()
    shot(page, "phone-14-orders-cancelled")

    page.goto(f"{platform.url}/order-status.html?id={cancelled['order_id']}")
    expect(page.get_by_role("heading", name="Policy cancelled - refunded", level=2)).to_be_visible()
    expect(page.get_by_text(re.compile(rf"^Refund of CNY {refund / 100:,.2f} made on"))).to_be_visible()
    expect(page.get_by_role("list", name="Progress").locator("[aria-current=step]")).to_have_count(0)
    history = page.get_by_role("region", name="History")
    expect(history.get_by_text("Policy cancelled", exact=True)).to_be_visible()
    assert page.errors == []
    assert page.console_errors == []
