"""Renewal in a real browser: the demo customer's policy enters the renewal window, the user center shows
the offer and a message, one confirmation leads to the order page, and paying issues the new policy,
which names the one it renews."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import requests
from shop import ApiClient, pay, place_order, quote, wait_for_order
from storefront_pages import PHONE, open_page, shot

from insuremall.clock import china_today
from tools.storefront_audit import AXE_SCRIPT, axe_check, blocking

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
RENEWAL_WINDOW_DAYS = 30


@pytest.fixture
def demo_customer(platform) -> tuple[ApiClient, dict, str]:
    from local import demo

    email = demo.DEMO_CUSTOMER["email"]
    response = requests.post(
        platform.api_url + "/members/signin",
        json={"email": email, "password": demo.DEMO_CUSTOMER["password"]},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    tokens = response.json()["tokens"]
    return ApiClient(platform.api_url, tokens["id_token"]), tokens, email


def buy_policy(client: ApiClient, start: date | None = None) -> dict:
    # A start date no other test uses, so the renewal run offers this policy and few others.
    start = start or china_today() + timedelta(days=9)
    order = place_order(client, quote(client, start_date=start.isoformat()))
    pay(client, order)
    issued = wait_for_order(client, order["order_id"], {"issued"})
    response = client.get(f"/policies/{issued['policy_no']}")
    assert response.status_code == 200, response.text
    return response.json()


def run_renewal_offers(platform, day: date) -> dict:
    """The daily renewal schedule, fired for `day` as `make fire SCHEDULE=DailyRenewalOffers DATE=` does."""
    response = requests.post(
        f"{platform.url}/local/schedules/DailyRenewalOffers", params={"date": day.isoformat()}, timeout=60
    )
    assert response.status_code == 200, response.text
    fired = response.json()
    assert fired["error"] is None, fired
    return fired["result"]


def test_given_a_policy_in_its_renewal_window_when_the_customer_renews_online_then_the_new_policy_renews_it(
    platform, browser, demo_customer
):
    from playwright.sync_api import expect

    client, tokens, email = demo_customer
    old = buy_policy(client)
    old_no = old["policy_no"]
    run_day = date.fromisoformat(old["end_date"]) - timedelta(days=RENEWAL_WINDOW_DAYS)
    ran = run_renewal_offers(platform, run_day)
    assert ran["offers_created"] >= 1, ran

    with open_page(browser, PHONE) as page:
        page.goto(platform.url + "/config.js")
        page.evaluate(
            "async ([tokens, email]) => (await import('/assets/session.js')).saveSession(tokens, email)",
            [tokens, email],
        )

        # The message links to the renewals section, which shows the offer.
        page.goto(platform.url + "/account.html")
        messages = page.locator("#messages")
        message = messages.get_by_role("listitem").filter(has_text=old_no)
        expect(message).to_be_visible(timeout=15_000)
        message.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"account\.html#renewals$"))
        offer = page.locator("#renewals li").filter(has_text=old_no)
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("Renewal offered")
        expect(offer).to_contain_text("Renew by")
        premium = offer.locator("dt:text-is('Premium') + dd").inner_text()
        assert re.fullmatch(r"CNY \d[\d,]*\.\d\d", premium), premium

        # Renew: confirm in place; the terms must be accepted.
        offer.get_by_role("button", name=f"Renew policy {old_no}").click()
        confirm = offer.locator("form")
        expect(confirm.get_by_role("heading", name=f"Confirm the renewal of {old_no}")).to_be_focused()
        submit = confirm.get_by_role("button", name=f"Renew and pay {premium}")
        submit.click()
        expect(confirm.get_by_text("Read and accept the policy terms to renew.")).to_be_visible()
        expect(confirm.get_by_label(re.compile("I have read and accept"))).to_have_attribute(
            "aria-invalid", "true"
        )
        for no in confirm.get_by_role("radio", name="No").all():
            no.check()
        confirm.get_by_label(re.compile("I have read and accept")).check()
        if AXE_SCRIPT.exists():
            found = blocking(axe_check(page))
            assert not found, found
        shot(page, "phone-renewal-confirm")
        submit.click()

        # The renewal order is paid like a purchase, then issued.
        expect(page).to_have_url(re.compile(r"order-status\.html\?id="))
        expect(page.get_by_text(f"Renewal of policy {old_no}")).to_be_visible()
        page.get_by_role("link", name="Pay now").click(timeout=20_000)
        expect(page.get_by_role("heading", name="Sandbox payment")).to_be_visible()
        page.get_by_role("button", name=f"Pay {premium} (sandbox)").click()
        expect(page.get_by_role("heading", name="Policy issued")).to_be_visible(timeout=30_000)
        shot(page, "phone-renewal-issued")

        # The new policy says what it renews, and the old one what renewed it.
        page.locator("#order p").filter(has_text="Policy number:").get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator(".renewal-link")).to_have_text(f"Renewal of {old_no}")
        new_no = re.search(r"no=([^&]+)", page.url).group(1)
        assert new_no != old_no
        page.get_by_role("link", name=old_no).click()
        expect(page.locator(".renewal-link")).to_have_text(f"Renewed by {new_no}")

        # The user center now shows the offer as renewed.
        page.goto(platform.url + "/account.html#renewals")
        offer = page.locator("#renewals li").filter(has_text=old_no)
        expect(offer).to_contain_text("Renewed by policy")
        expect(offer.get_by_role("link", name=new_no)).to_be_visible()
        assert page.errors == [] and page.outside == []


def test_given_an_open_renewal_form_when_the_policy_was_renewed_meanwhile_then_the_customer_reads_why_not(
    platform, browser, customer
):
    from playwright.sync_api import expect

    old = buy_policy(customer, start=china_today() + timedelta(days=11))
    old_no = old["policy_no"]
    run_renewal_offers(platform, date.fromisoformat(old["end_date"]) - timedelta(days=RENEWAL_WINDOW_DAYS))
    signin = requests.post(
        platform.api_url + "/members/signin",
        json={"email": customer.email, "password": "Secret2026x"},
        timeout=30,
    )
    assert signin.status_code == 200, signin.text

    with open_page(browser, PHONE) as page:
        page.goto(platform.url + "/config.js")
        page.evaluate(
            "async ([tokens, email]) => (await import('/assets/session.js')).saveSession(tokens, email)",
            [signin.json()["tokens"], customer.email],
        )
        page.goto(platform.url + "/account.html#renewals")
        offer = page.locator("#renewals li").filter(has_text=old_no)
        offer.get_by_role("button", name=f"Renew policy {old_no}").click()
        confirm = offer.locator("form")
        confirm.get_by_label(re.compile("I have read and accept")).check()

        # Renewed in another tab while this confirmation was open.
        started = customer.post(f"/policies/{old_no}/renewal", json={"accept_terms": True})
        assert started.status_code == 201, started.text
        order = wait_for_order(customer, started.json()["order_id"], {"awaiting_payment"})
        pay(customer, order)
        wait_for_order(customer, order["order_id"], {"issued"})

        confirm.get_by_role("button", name=re.compile(r"^Renew and pay CNY")).click()
        alert = confirm.get_by_role("alert")
        expect(alert).to_be_visible()
        expect(alert).to_contain_text(re.compile(r"already renewed"))
        assert "account.html" in page.url
        alert.get_by_role("button", name="Show my renewals as they are now").click()
        expect(page.get_by_role("heading", name="Renewals")).to_be_focused()
        renewed = page.locator("#renewals li").filter(has_text=old_no)
        expect(renewed).to_contain_text("Renewed by policy")
        assert page.errors == [] and page.outside == []
