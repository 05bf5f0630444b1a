"""Rewards in a real browser: an operator's campaign on the mall home (claim after signing in, a
coupon sold out under the customer's feet), the My rewards page (promotion fees with masked policies,
invitation and invitees, payout account and a withdrawal, daily check-in, coupons), the coupon and
points on the order page with the premium breakdown, and the discounts on the order status and policy
pages. A part whose API is missing shows "not available" while the rest of the page works."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from shop import ApiClient, pay, prc_id_for_age, quote, sign_up, wait_for_order
from storefront_pages import DESKTOP, PHONE, open_page, shot, signed_in

from tools.storefront_audit import AXE_SCRIPT, axe_check, blocking

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PASSWORD = "Secret2026x"  # noqa: S105 - the test customers' password (shop.sign_up)
POLICY_NO = "P20261125ACC00001234"


def _campaign(name: str) -> dict:
    now = datetime.now(UTC)
    return {
        "name": name,
        "description": "Money off accident cover this week.",
        "starts_at": (now - timedelta(minutes=5)).isoformat(),
        "ends_at": (now + timedelta(days=3)).isoformat(),
        "product_ids": ["accident-guardian"],
        "points_multiplier": "2",
        "coupons": [
            {
                "coupon_id": "ten-off",
                "kind": "amount",
                "amount_cents": 1000,
                "min_premium_cents": 2000,
                "per_member_limit": 1,
                "quota": 50,
            },
            {
                "coupon_id": "last-one",
                "kind": "percent",
                "percent": 5,
                "min_premium_cents": 0,
                "per_member_limit": 1,
                "quota": 1,
            },
        ],
    }


def _fees(member_id: str) -> None:
    """A pending promotion fee from a policy and an available balance, as the ledger records them (the
    platform runs in this process)."""
    from distribution.referrals.domain.withdrawals import china_day
    from distribution.referrals.repository import fee_ledger as ledger

    day = china_day()
    ledger.post(
        member_id,
        [
            ledger.Entry(
                f"P{POLICY_NO}#L1", "earn", 1234, "pending", policy_no=POLICY_NO, level=1, earned=True
            )
        ],
        day=day,
    )
    ledger.post(
        member_id,
        [ledger.Entry(f"T{uuid.uuid4().hex[:12]}", "adjust", 5000, "available", detail={"reason": "e2e"})],
        day=day,
    )


def _console_errors(page) -> list[tuple[str, str]]:
    """Console errors with where they came from (storefront_pages keeps only the text)."""
    found: list[tuple[str, str]] = []
    page.on(
        "console", lambda m: found.append((m.text, m.location.get("url", ""))) if m.type == "error" else None
    )
    return found


def _unexpected(errors: list[tuple[str, str]], *allowed: str) -> list[tuple[str, str]]:
    return [e for e in errors if not any(e[1].endswith(a) for a in allowed)]


def _axe(page) -> None:
    if AXE_SCRIPT.exists():
        found = blocking(axe_check(page))
        assert not found, [f"{v['id']}: {v['help']} {v['targets'][:3]}" for v in found]


def test_given_a_campaign_when_a_customer_claims_and_spends_rewards_then_every_part_shows_them(
    platform, browser, customer, operator
):
    from playwright.sync_api import expect

    name = f"Autumn {uuid.uuid4().hex[:4]}"
    response = operator.post("/admin/campaigns", json=_campaign(name))
    assert response.status_code == 201, response.text
    campaign_id = response.json()["campaign_id"]
    member_id = customer.get("/members/me").json()["member"]["member_id"]
    code = customer.get("/members/me/invitation").json()["invite_code"]
    invited = requests.post(
        platform.api_url + "/members/signup",
        json={
            "email": f"i-{uuid.uuid4().hex[:8]}@example.com",
            "password": PASSWORD,
            "name": "Zhou Min",
            "invite_code": code,
        },
        timeout=30,
    )
    assert invited.status_code == 201 and invited.json()["invitation"]["bound"], invited.text
    _fees(member_id)

    with open_page(browser, PHONE) as page:
        errors = _console_errors(page)
        # The home page shows the campaign; Claim sends a visitor to sign in and back, then claims.
        page.goto(platform.url + "/")
        card = page.locator("#campaigns li.card", has_text=name)
        expect(card).to_contain_text("For Guardian Personal Accident")
        ten_off = card.locator("li", has_text="CNY 10.00 off")
        expect(ten_off).to_contain_text("50 left")
        ten_off.get_by_role("button", name="Claim").click()
        expect(page).to_have_url(re.compile(r"signin\.html\?next="))
        page.get_by_label("E-mail").fill(customer.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(ten_off).to_contain_text("Claimed. It is in My rewards")
        expect(ten_off).to_contain_text("49 left")
        expect(ten_off.get_by_role("button", name="Claimed")).to_be_disabled()

        # Someone else takes the last 5% coupon while the page is open: a plain sold-out message.
        last = card.locator("li", has_text="5% off")
        expect(last).to_contain_text("1 left")
        assert sign_up(platform).post(f"/campaigns/{campaign_id}/coupons/last-one/claim").status_code == 201
        last.get_by_role("button", name="Claim").click()
        expect(last).to_contain_text("Sorry, this coupon is all claimed.")
        expect(last.get_by_role("button", name="Sold out")).to_be_disabled()
        card.scroll_into_view_if_needed()
        shot(page, "phone-30-home-campaigns")

        # My rewards from the header.
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
        # Each part's function answers its first request cold here: the parts appear together, once.
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        fees = page.locator("#fees")
        expect(fees.locator(".figure", has_text="Pending")).to_contain_text("CNY 12.34")
        expect(fees.locator(".figure", has_text="Available")).to_contain_text("CNY 50.00")
        expect(fees).to_contain_text("Policy P202************1234")
        assert POLICY_NO not in page.content()
        invite = page.locator("#invite")
        expect(invite).to_contain_text(code)
        expect(invite.get_by_label("Your invitation link")).to_have_value(
            re.compile(rf"index\.html\?ref={code}$")
        )
        expect(invite.get_by_role("img", name="QR code of your invitation link")).to_be_visible()
        expect(invite).to_contain_text("My invitees (1)")
        expect(invite.locator("#invitees")).to_contain_text("Z**")
        coupons = page.locator("#coupons")
        expect(coupons).to_contain_text("Available (1)")
        expect(coupons).to_contain_text(f"CNY 10.00 off — {name}")

        # Daily check-in: points, once a day.
        points = page.locator("#points")
        points.get_by_role("button", name="Check in today").click()
        expect(points.locator("#checkin-status")).to_contain_text(re.compile(r"Checked in: \+\d+ points"))
        expect(points.get_by_role("button", name="Checked in today")).to_be_disabled()
        expect(points.locator("table")).to_contain_text("daily check-in")
        balance = customer.get("/members/me/points").json()["points"]
        expect(points.locator("#points-balance")).to_have_text(f"{balance} points")

        # Payout account: the server's message next to the field, then saved and masked.
        withdraw = page.locator("#withdraw")
        expect(withdraw).to_contain_text("Add a payout account below before you withdraw.")
        withdraw.get_by_label("Account holder's name").fill("Wang Fang")
        withdraw.get_by_label("Bank").fill("Bank of China Shanghai")
        withdraw.get_by_label("Account or card number").fill("6217 85")
        withdraw.get_by_role("button", name="Save payout account").click()
        expect(withdraw.get_by_text(re.compile("12 to 19 digits", re.I)).last).to_be_visible()
        expect(withdraw.get_by_label("Account or card number")).to_have_attribute("aria-invalid", "true")
        withdraw.get_by_label("Account or card number").fill("6217 8500 0000 1234 567")
        withdraw.get_by_role("button", name="Save payout account").click()
        expect(withdraw.get_by_text("Payout account saved.")).to_be_visible()
        expect(withdraw).to_contain_text("*" * 15 + "4567")
        assert "6217850000001234567" not in page.content()

        # A withdrawal: too little is refused next to the field, then a request is on its way.
        amount = withdraw.get_by_label("Amount to withdraw (CNY)")
        expect(amount).to_have_value("50.00")
        amount.fill("0.50")
        withdraw.get_by_role("button", name="Withdraw").click()
        expect(withdraw.locator(".field-error")).to_contain_text(re.compile("minimum withdrawal", re.I))
        amount.fill("20")
        withdraw.get_by_role("button", name="Withdraw").click()
        expect(withdraw.get_by_text("Withdrawal of CNY 20.00 requested")).to_be_visible()
        expect(withdraw.locator("#withdrawals")).to_contain_text("CNY 20.00")
        expect(fees.locator(".figure", has_text="Available")).to_contain_text("CNY 30.00")
        expect(fees.locator(".figure", has_text="Being withdrawn")).to_contain_text(
            re.compile(r"CNY (20|0)\.00")
        )
        _axe(page)
        page.evaluate("window.scrollTo(0, 0)")
        shot(page, "phone-31-rewards")

        # The order page: the coupon and points come off, each on its own line of the breakdown.
        quoted = quote(customer)
        gross = round(float(quoted["premium"]["total"]) * 100)
        page.goto(f"{platform.url}/order.html?quote={quoted['quote_id']}")
        discounts = page.get_by_role("group", name="Coupons and points")
        expect(discounts).to_be_visible()
        discounts.get_by_label("Coupon").select_option(label=f"{name}: CNY 10.00 off")
        rows = page.locator("#premium-rows")
        expect(rows).to_contain_text(f"Coupon: {name}: CNY 10.00 off")
        expect(rows).to_contain_text("\u2212CNY 10.00")
        charged = gross - 1000
        expect(rows.locator("tr.total")).to_contain_text(f"CNY {charged / 100:,.2f}")
        discounts.get_by_label("Points to use").fill(str(balance + 1000))
        expect(discounts.locator(".field-error")).to_contain_text(f"You have {balance} points.")
        discounts.get_by_label("Points to use").fill(str(balance))
        expect(rows).to_contain_text(f"Points: {balance} points")
        preview = customer.post(
            f"/quotes/{quoted['quote_id']}/discounts",
            json={"coupon_claim_id": _claim(customer), "points": balance},
        ).json()
        charged = preview["payable_cents"]
        expect(page.locator("#discount-status")).to_contain_text(f"You pay CNY {charged / 100:,.2f}")
        submit = page.get_by_role("button", name=re.compile("^Submit order"))
        expect(submit).to_have_text(f"Submit order, CNY {charged / 100:,.2f}")
        shot(page, "phone-32-order-discounts")
        _fill_order_form(page, quoted)
        submit.click()
        expect(page).to_have_url(re.compile(r"order-status\.html"), timeout=20_000)
        details = page.locator("#details-h").locator("xpath=..")
        expect(details).to_contain_text("Premium before discounts")
        expect(details).to_contain_text(f"\u2212CNY 10.00 ({name}: CNY 10.00 off)")
        expect(details).to_contain_text(f"CNY {charged / 100:,.2f}")

        order_id = page.url.split("id=")[1]
        order = wait_for_order(customer, order_id, {"awaiting_payment"})
        pay(customer, order)
        issued = wait_for_order(customer, order_id, {"issued"})
        page.goto(f"{platform.url}/policy.html?no={issued['policy_no']}")
        premium = page.locator("#policy-premium-rows")
        expect(premium).to_contain_text(f"Coupon: {name}: CNY 10.00 off")
        expect(premium.get_by_role("row", name=f"You paid CNY {charged / 100:,.2f}")).to_be_visible()
        _axe(page)

        # Back on My rewards the coupon is used on that order.
        page.goto(platform.url + "/rewards.html#coupons")
        expect(coupons).to_contain_text("Used (1)")
        expect(coupons.get_by_role("link", name=order_id)).to_be_visible()
        assert page.errors == [] and page.outside == []
        # Only the refusals the test asked for (the browser logs each): no payout account yet (404) and a
        # wrong number (422), a withdrawal below the minimum (422), the sold-out claim (409), too many points.
        allowed = ("/members/me/payout-account", "/members/me/withdrawals", "/last-one/claim", "/discounts")
        assert _unexpected(errors, *allowed) == [], errors


def test_given_a_new_member_when_my_rewards_loads_and_reloads_then_nothing_fails_and_todays_check_in_shows(
    platform, browser, customer
):
    from playwright.sync_api import expect

    with open_page(browser, PHONE) as page:
        failed: list[str] = []
        page.on(
            "response",
            lambda r: (
                failed.append(f"{r.status} {r.request.method} {r.url}")
                if "/api/" in r.url and r.status >= 400
                else None
            ),
        )
        signed_in(page, platform, customer)
        page.goto(platform.url + "/rewards.html")
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        withdraw = page.locator("#withdraw")
        expect(withdraw).to_contain_text("Add a payout account below before you withdraw.")  # none on file
        points = page.locator("#points")
        points.get_by_role("button", name="Check in today").click()
        expect(points.locator("#checkin-status")).to_contain_text(re.compile(r"Checked in: \+\d+ points"))

        # After a reload the page knows today's check-in is done (the China day, from the server).
        page.reload()
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        done = points.get_by_role("button", name="Checked in today")
        expect(done).to_be_disabled()
        expect(points.get_by_role("button", name="Check in today")).to_have_count(0)
        expect(points.locator("#checkin-status")).to_have_text(
            re.compile(r"^You checked in today \(\+\d+ points\)\. Come back tomorrow\.$")
        )
        _axe(page)
        assert failed == []  # a member without a payout account is not an error on every load
        assert page.errors == [] and page.console_errors == []


def _claim(client: ApiClient) -> str:
    return next(
        c["claim_id"]
        for c in client.get("/members/me/coupons").json()["coupons"]
        if c["status"] == "available"
    )


def _fill_order_form(page, quoted: dict) -> None:
    from datetime import date

    id_number = prc_id_for_age(36, "M", date.fromisoformat(quoted["inputs"]["start_date"]))
    page.get_by_label("Full name", exact=True).fill("Li Hua")
    page.get_by_label("PRC ID number", exact=True).fill(id_number)
    page.get_by_label("Mobile number").fill("13800138000")
    page.get_by_role("group", name=re.compile("physical disability")).get_by_label("No").check()
    page.get_by_label(re.compile("I have read and accept")).check()


def test_given_a_missing_rewards_api_when_the_page_loads_then_that_part_says_not_available_and_the_rest_works(
    platform, browser, customer
):
    from playwright.sync_api import expect

    with open_page(browser, DESKTOP) as page:
        errors = _console_errors(page)
        signed_in(page, platform, customer)
        missing = {"error": {"code": "not_found", "message": "No route GET /api/members/me/commissions"}}
        page.route(
            re.compile(r".*/api/members/me/commissions(\?.*|/entries.*)?$"),
            lambda route: route.fulfill(status=404, json=missing),
        )
        page.goto(platform.url + "/rewards.html")
        expect(page.locator("#sections")).to_be_visible(timeout=30_000)
        expect(page.locator("#fees")).to_contain_text("This part of your rewards is not available yet.")
        expect(page.locator("#points")).to_contain_text("0 points")
        expect(page.locator("#coupons")).to_contain_text("No coupons yet.")
        expect(page.locator("#invite")).to_contain_text("Your invitation code")
        shot(page, "desktop-31-rewards-degraded")
        _axe(page)
        assert page.errors == [] and page.outside == []
        assert (
            _unexpected(
                errors,
                "/members/me/payout-account",
                "/members/me/commissions",
                "/commissions/entries?limit=10",
            )
            == []
        )
