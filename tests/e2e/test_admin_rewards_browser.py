"""The operator console's distribution-and-rewards screens in a real browser.

An operator adds a commission rate (a wrong percentage is caught before anything is sent), creates a
campaign with a coupon (the API's 422 lands next to the coupon's field) and edits its quota, approves
one member's pending withdrawal and rejects another with a reason (the withdrawals are requested over
HTTP after the member is given an available balance), finds the member and verifies their agent
licence, changes a programme setting (and a stale revision answers 409 in plain words), and reads the
audit trail of it all. axe finds nothing on any of the screens. A screen whose API is not deployed says
so. Desktop screenshots go to test-artifacts/screenshots/admin-rewards-*.png.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from test_admin_console_browser import DESKTOP, ready, shot, sign_in_to_console, watched
from test_withdrawals_http import ACCOUNT, fund, send

from local import demo
from tools.storefront_audit import AXE_SCRIPT, axe_check

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
CHINA = timezone(timedelta(hours=8))
# A product other tests do not earn fees on, and a day far enough ahead that no sale of this session
# earns at the rate added here.
RATE_PRODUCT = ("home-family-shield", "Family Home Shield")
LICENCE = "AG-2026-778812"


def china_today() -> date:
    return datetime.now(CHINA).date()


@pytest.fixture
def operator_page(browser, platform):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = watched(context)
    sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    from playwright.sync_api import expect

    expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    ready(page)
    yield page
    context.close()


@pytest.fixture
def settings_restored(operator):
    """The programme settings are shared by every e2e test: put back what this test changes."""
    before = operator.get("/admin/rewards/settings").json()
    yield before
    now = operator.get("/admin/rewards/settings").json()
    restore = {k: v for k, v in before.items() if k != "revision" and now[k] != v}
    if not restore:
        return
    response = send(operator, "PUT", "/admin/rewards/settings", restore | {"revision": now["revision"]})
    assert response.status_code == 200, response.text


def settled(page, timeout: int = 30_000) -> None:
    """Like ready(), for a first visit: each rewards route may start a cold function locally."""
    from playwright.sync_api import expect

    expect(page.locator("#main")).not_to_have_attribute("aria-busy", "true", timeout=timeout)


def axe_clean(page, violations: list, where: str) -> None:
    if AXE_SCRIPT.exists():
        violations.extend({"screen": where} | v for v in axe_check(page))


def go(page, name: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("link", name=name, exact=True).click()
    settled(page)


def pending_withdrawal(customer, cents: int) -> dict:
    response = send(customer, "POST", "/members/me/withdrawals", {"amount_cents": cents})
    assert response.status_code == 201, response.text
    withdrawal = response.json()
    assert withdrawal["status"] == "pending", withdrawal  # automatic approval is off in these tests
    return withdrawal


def test_given_the_console_when_an_operator_runs_the_rewards_programme_then_each_change_is_made_and_audited(
    platform, operator, customer, operator_page, settings_restored
):
    from playwright.sync_api import expect

    page = operator_page
    violations: list = []
    assert settings_restored["auto_approve_below_cents"] == 0

    # ---------- commission rates ----------
    go(page, "Commission rates")
    expect(page.get_by_role("heading", name="Commission rates", level=1)).to_be_visible()
    form = page.get_by_role("form", name="Add a rate")
    effective = (china_today() + timedelta(days=400)).isoformat()
    form.get_by_label("Product", exact=True).select_option(RATE_PRODUCT[0])
    form.get_by_label("Effective from (China time)").fill(effective)
    form.get_by_label("Level 1 (direct inviter), %").fill("60")
    form.get_by_label("Level 2 (inviter's inviter), %").fill("3.255")
    calls_before = len(page.admin_calls)
    form.get_by_role("button", name="Add rate").click()
    level1 = form.get_by_label("Level 1 (direct inviter), %")
    expect(level1).to_have_attribute("aria-invalid", "true")
    expect(level1).to_be_focused()
    expect(form).to_contain_text("at most 50 %")
    expect(form).to_contain_text("at most two decimals")
    assert len(page.admin_calls) == calls_before  # nothing sent

    level1.fill("12.5")
    form.get_by_label("Level 2 (inviter's inviter), %").fill("3.25")
    form.get_by_label("Renewal, level 1, %").fill("6")
    form.get_by_label("Renewal, level 2, %").fill("1.5")
    form.get_by_role("button", name="Add rate").click()
    done = page.locator(".alert.ok")
    expect(done).to_contain_text(f"Rate added for {RATE_PRODUCT[1]}")
    expect(done).to_contain_text("level 1 12.50 %, level 2 3.25 %")
    rates = operator.get(f"/admin/commission-rates?product_id={RATE_PRODUCT[0]}").json()["rates"]
    added = next(r for r in rates if r["effective_from"] == effective)
    assert (
        added["level1_bp"],
        added["level2_bp"],
        added["renewal_level1_bp"],
        added["renewal_level2_bp"],
    ) == (
        1250,
        325,
        600,
        150,
    )
    table = page.get_by_role("table", name=re.compile("Commission rates"))
    row = table.get_by_role("row").filter(has_text=RATE_PRODUCT[1]).filter(has_text="Scheduled")
    expect(row).to_contain_text("12.50 %")
    expect(row).to_contain_text("1.50 %")
    shot(page, "rewards-commission-rates")
    axe_clean(page, violations, "commission rates")

    # ---------- campaigns and coupons ----------
    go(page, "Campaigns")
    page.get_by_role("link", name="New campaign").click()
    ready(page)
    name = f"Spring Shield Week {uuid.uuid4().hex[:6]}"
    start = china_today() + timedelta(days=1)  # scheduled: the storefront of other tests is unchanged
    page.get_by_label("Name").fill(name)
    page.get_by_label("Description (optional)").fill("Double points and CNY 20 off home cover")
    page.get_by_label("Starts (China time)").fill(f"{start.isoformat()}T09:00")
    page.get_by_label("Ends (China time)").fill(f"{(start + timedelta(days=7)).isoformat()}T23:00")
    page.get_by_label("Points multiplier").fill("2")
    page.get_by_label(re.compile("^Family Home Shield")).check()
    page.get_by_role("button", name="Add a coupon").click()
    coupon = page.get_by_role("group", name="Coupon 1")
    coupon.get_by_label("Coupon id").fill("spring-20")
    coupon.get_by_label("Amount off (CNY)").fill("200")  # more than the minimum premium: the API says no
    coupon.get_by_label("Minimum premium (CNY)").fill("100")
    coupon.get_by_label("Per-member limit").fill("1")
    coupon.get_by_label("Total quota").fill("50")
    page.get_by_role("button", name="Create campaign").click()
    amount = coupon.get_by_label("Amount off (CNY)")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(coupon).to_contain_text("must be less than the minimum premium")
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    shot(page, "rewards-campaign-422")
    axe_clean(page, violations, "campaign form")

    amount.fill("20")
    page.get_by_role("button", name="Create campaign").click()
    ready(page)
    expect(
        page.get_by_role("status").filter(has_text=f"Campaign “{name}” created with 1 coupon")
    ).to_be_visible()
    listed = page.get_by_role("row").filter(has_text=name)
    expect(listed).to_contain_text("Scheduled")
    expect(listed).to_contain_text("× 2")
    expect(listed).to_contain_text("CNY 20.00 off, premium from CNY 100.00, 1 per member")
    expect(listed).to_contain_text("50 of 50 left")

    listed.get_by_role("link", name=name).click()
    ready(page)
    page.get_by_role("group", name="Coupon 1").get_by_label("Total quota").fill("60")
    page.get_by_role("button", name="Save campaign").click()
    ready(page)
    expect(page.get_by_role("row").filter(has_text=name)).to_contain_text("60 of 60 left")
    campaign = next(c for c in operator.get("/admin/campaigns").json()["campaigns"] if c["name"] == name)
    assert campaign["product_ids"] == [RATE_PRODUCT[0]] and campaign["points_multiplier"] in (
        "2",
        "2.0",
        "2.00",
    )
    assert campaign["coupons"][0] | {"remaining": 60} == campaign["coupons"][0]
    assert campaign["coupons"][0]["amount_cents"] == 2000 and campaign["coupons"][0]["quota"] == 60
    shot(page, "rewards-campaigns")
    axe_clean(page, violations, "campaigns")

    # ---------- withdrawals: one approved and paid, one rejected with a reason ----------
    member_id = customer.get("/members/me").json()["member"]["member_id"]
    assert send(customer, "PUT", "/members/me/payout-account", ACCOUNT).status_code == 200
    fund(member_id, 10_000)
    paid = pending_withdrawal(customer, 2_500)
    refused = pending_withdrawal(customer, 1_200)

    go(page, "Withdrawals")
    row = page.locator(f"#w-{paid['withdrawal_id']}")
    expect(row).to_contain_text("CNY 25.00")
    expect(row).to_contain_text("4567")
    row.get_by_role("button", name=re.compile("^Approve CNY 25.00")).click()
    row.get_by_label("Note for the member (optional)").fill("Checked against the policy records")
    row.get_by_role("button", name="Continue").click()
    confirm = row.get_by_role("group", name=re.compile("Approve and pay CNY 25.00"))
    expect(confirm).to_be_visible()
    shot(page, "rewards-withdrawal-confirm")
    confirm.get_by_role("button", name="Yes, approve and pay").click()
    result = page.locator(".alert.ok")
    # the first payout of a session may start the payout path cold
    expect(result).to_contain_text("Withdrawal of CNY 25.00 approved and paid.", timeout=30_000)
    expect(result).to_contain_text(f"po_{paid['withdrawal_id']}")
    expect(result).to_be_focused()
    expect(page.locator(f"#w-{paid['withdrawal_id']}")).to_have_count(0)

    row = page.locator(f"#w-{refused['withdrawal_id']}")
    row.get_by_role("button", name=re.compile("^Reject CNY 12.00")).click()
    calls_before = len(page.admin_calls)
    row.get_by_role("button", name="Continue to reject").click()
    reason = row.get_by_label("Reason for rejecting (required)")
    expect(reason).to_be_focused()
    expect(row).to_contain_text("Give the member a reason for rejecting")
    assert len(page.admin_calls) == calls_before
    reason.fill("The account is not in your name")
    row.get_by_role("button", name="Continue to reject").click()
    row.get_by_role("button", name="Yes, reject").click()
    expect(page.locator(".alert.ok")).to_contain_text(
        "rejected; the money is back in the member's available balance", timeout=30_000
    )
    axe_clean(page, violations, "withdrawals")

    page.get_by_role("navigation", name="Withdrawal status").get_by_role(
        "link", name="Paid", exact=True
    ).click()
    ready(page)
    expect(page.locator(f"#w-{paid['withdrawal_id']}")).to_contain_text("Paid")
    shot(page, "rewards-withdrawals-paid")
    mine = {w["withdrawal_id"]: w for w in customer.get("/members/me/withdrawals").json()["withdrawals"]}
    assert mine[paid["withdrawal_id"]]["status"] == "paid"
    assert mine[refused["withdrawal_id"]]["status"] == "rejected"
    assert mine[refused["withdrawal_id"]]["note"] == "The account is not in your name"

    # ---------- members: find, detail, licence ----------
    go(page, "Members")
    page.get_by_label("E-mail, invitation code or member id").fill(customer.email)
    page.get_by_role("button", name="Find member").click()
    found = page.get_by_role("table", name="Members found")
    expect(found).to_contain_text(member_id)
    assert customer.email not in found.inner_text()  # masked
    found.get_by_role("link").first.click()
    settled(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(member_id)
    fees = page.get_by_role("region", name="Promotion fees")
    expect(fees).to_contain_text("CNY 75.00")  # available: 100.00 - 25.00 paid (the rejected 12.00 came back)
    expect(fees).to_contain_text("CNY 25.00")  # withdrawn
    ledger = page.get_by_role("region", name="Promotion-fee ledger")
    expect(ledger).to_contain_text("Withdrawal paid (withdrawn)")
    expect(ledger).to_contain_text("Withdrawal rejected (back to available)")
    licence = page.get_by_role("region", name="Agent licence")
    expect(licence).to_contain_text("None on file")
    licence.get_by_label("Licence number").fill(LICENCE)
    licence.get_by_role("button", name="Mark verified").click()
    expect(page.locator(".alert.ok")).to_contain_text("Licence verified")
    expect(licence).to_contain_text("Verified")
    assert LICENCE not in licence.inner_text()  # masked once saved
    expect(page.get_by_role("region", name="Audit trail for this member")).to_contain_text(
        "set the member's agent licence"
    )
    shot(page, "rewards-member")
    axe_clean(page, violations, "member detail")

    # ---------- programme settings, and a stale revision ----------
    go(page, "Programme settings")
    minimum = page.get_by_label("Minimum withdrawal (CNY)")
    expect(minimum).to_have_value(f"{settings_restored['withdrawal_min_cents'] / 100:.2f}")
    minimum.fill("15.50")
    page.get_by_role("button", name="Save settings").click()
    saved = page.locator(".alert.ok")
    expect(saved).to_contain_text("Settings saved.")
    was = f"CNY {settings_restored['withdrawal_min_cents'] / 100:,.2f}"
    expect(saved).to_contain_text(f"Minimum withdrawal (CNY): {was} → CNY 15.50")
    now = operator.get("/admin/rewards/settings").json()
    assert now["withdrawal_min_cents"] == 1550 and now["revision"] == settings_restored["revision"] + 1

    # another operator saves meanwhile
    changed = send(
        operator, "PUT", "/admin/rewards/settings", {"signin_points": 7, "revision": now["revision"]}
    )
    assert changed.status_code == 200, changed.text
    page.get_by_label("Points for the daily check-in").fill("9")
    page.get_by_role("button", name="Save settings").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was saved: another operator changed the settings")
    expect(alert).to_contain_text("Points for the daily check-in → 9")
    assert operator.get("/admin/rewards/settings").json()["signin_points"] == 7
    shot(page, "rewards-settings-409")
    axe_clean(page, violations, "programme settings")
    page.get_by_role("button", name="Load the latest settings").click()
    expect(page.get_by_label("Points for the daily check-in")).to_have_value("7")

    # ---------- the audit trail describes it all and links back ----------
    page.goto(platform.url + "/admin/#/audit?entity=settings:rewards")
    settled(page)
    trail = page.get_by_role("table", name=re.compile("Audit trail"))
    expect(trail).to_contain_text("changed the programme settings")
    page.goto(platform.url + f"/admin/#/audit?entity=commission-rates:product:{RATE_PRODUCT[0]}")
    settled(page)
    expect(trail).to_contain_text("added a commission rate")
    trail.get_by_role("link", name=f"commission-rates:product:{RATE_PRODUCT[0]}").first.click()
    settled(page)
    expect(page.get_by_label("Show rates of")).to_have_value(f"product:{RATE_PRODUCT[0]}")
    page.goto(platform.url + f"/admin/#/audit?entity=withdrawal:{paid['withdrawal_id']}")
    settled(page)
    expect(trail).to_contain_text("approved the withdrawal")
    expect(trail).to_contain_text("paid the withdrawal out")
    page.goto(platform.url + "/admin/#/audit")
    settled(page)
    expect(trail).to_contain_text("created the campaign")
    axe_clean(page, violations, "audit")

    assert not violations, violations
    assert not page.errors and not page.outside, (page.errors, page.outside)


def test_given_a_rewards_api_is_not_deployed_when_its_screen_opens_then_it_says_not_available(operator_page):
    from playwright.sync_api import expect

    page = operator_page

    def missing(route) -> None:
        path = route.request.url.split("/api", 1)[1].split("?")[0]
        body = {"error": {"code": "not_found", "message": f"No route GET {path}"}}
        route.fulfill(status=404, content_type="application/json", body=json.dumps(body))

    page.route(
        re.compile(r".*/api/admin/(commission-rates|withdrawals|rewards/settings|campaigns)(\?.*)?$"), missing
    )
    for link, what in (
        ("Commission rates", "Commission rates is not available yet."),
        ("Withdrawals", "Withdrawal approvals is not available yet."),
        ("Campaigns", "Campaigns is not available yet."),
        ("Programme settings", "Programme settings is not available yet."),
    ):
        go(page, link)
        expect(page.locator(".unavailable")).to_contain_text(what)
    assert not page.errors, page.errors
