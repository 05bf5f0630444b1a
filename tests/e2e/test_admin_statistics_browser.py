"""The console's Statistics and Exports screens in a real browser (issue 10 §3).

Policies bought over the API (two products, two provinces) are counted off the events stream; the
Statistics screen then shows the same KPI figures as GET /api/reports/sales for the same range, its
funnel (SVG and table) the API's counts and rates, its dimension tabs change the breakdown, its column
headers sort it, its CSV download neutralises formula cells, and its state survives back. The daily
export fired through the local schedules control is listed on the Exports screen with a working
download. axe finds nothing on either screen, and phone-sized (375x812) screenshots go to
test-artifacts/screenshots/admin-statistics-phone.png, admin-statistics-funnel-phone.png and
admin-exports-phone.png.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from shop import ApiClient, order_body, pay, quote, sign_up, wait_for_order
from test_admin_console_browser import SHOTS, ready, sign_in_to_console, watched

from insuremall.identity import make_prc_id
from local import demo
from tools.storefront_audit import AXE_SCRIPT, axe_check

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
MONEY = ("gross_premium", "net_premium", "refunded_premium", "discounts")
COUNTS = ("policies_issued", "policies_cancelled", "new_business", "renewals")
FUNNEL = ("quotes", "orders", "paid", "policies_issued", "declined", "referred")
# (product, plan, occupation class, health answers, the insured's region code): two products, two provinces.
PURCHASES = [
    ("accident-guardian", "standard", 1, {"hq_disability": False}, "310104"),  # Shanghai
    ("accident-guardian", "standard", 1, {"hq_disability": False}, "440305"),  # Guangdong
    ("accident-commuter", "plus", None, {}, "310104"),
]


def china_today() -> str:
    return (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()


def money_text(amount: str) -> str:
    return f"CNY {Decimal(amount):,.2f}"


def rate(n: int, of: int) -> str:
    """The console's rate: a percentage with at most one decimal (62.5%, 100%)."""
    text = f"{Decimal(n * 100) / Decimal(of):.1f}".removesuffix(".0")
    return f"{text}%"


def shown(figure: str, value) -> str:
    return money_text(value) if figure in MONEY else f"{int(value):,}"


def buy(client: ApiClient, anonymous: ApiClient, product: str, plan: str, occupation, answers, region: str):
    offer = quote(anonymous, product, plan=plan, occupation_class=occupation)
    body = order_body(offer, health_answers=answers)
    born = datetime.strptime(body["policyholder"]["id_number"][6:14], "%Y%m%d").date()
    person = make_prc_id(region, born, f"{uuid.uuid4().int % 400 * 2 + 101:03d}")
    body["policyholder"]["id_number"] = body["insured"][0]["id_number"] = person
    response = client.post("/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 201, response.text
    order = wait_for_order(client, response.json()["order_id"], {"awaiting_payment"})
    pay(client, order)
    issued = wait_for_order(client, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued


def sales(operator: ApiClient, day: str, by: str = "product", granularity: str = "day") -> dict:
    response = operator.get(
        "/reports/sales", params={"from": day, "to": day, "by": by, "granularity": granularity}
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def counted(platform, operator, anonymous) -> str:
    """Today's sales with three more policies in them, once the stream consumer has counted them."""
    day = china_today()
    # Earlier tests' events still in the stream would count after `before` and end the wait too soon.
    platform.streams.drain(timeout=30)
    before = sales(operator, day)["totals"]["policies_issued"]
    customer = sign_up(platform, "Statistics Customer")
    for purchase in PURCHASES:
        buy(customer, anonymous, *purchase)
    platform.streams.drain(timeout=30)
    deadline = time.monotonic() + 15
    while sales(operator, day)["totals"]["policies_issued"] < before + len(PURCHASES):
        assert time.monotonic() < deadline, "the sales were not counted within 15 s"
        time.sleep(0.3)
    return day


def console_page(browser, platform, viewport, **options):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, **options)
    page = watched(context)
    sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    page.get_by_role("navigation", name="Console").wait_for()
    ready(page)
    return context, page


@pytest.fixture
def operator_page(browser, platform):
    context, page = console_page(browser, platform, DESKTOP, accept_downloads=True)
    yield page
    context.close()


def open_statistics(page, query: str) -> None:
    page.evaluate("(hash) => { location.hash = hash; }", f"#/statistics?{query}")
    page.locator(".kpis").wait_for()
    ready(page)


def breakdown_names(page) -> list[str]:
    return page.locator("table.breakdown tbody th").all_inner_texts()


def no_axe_violations(page) -> None:
    if not AXE_SCRIPT.exists():
        pytest.skip(f"{AXE_SCRIPT} is missing (npm ci --prefix tools)")
    found = axe_check(page)
    assert not found, "\n".join(f"{v['impact']} {v['id']}: {v['help']} {v['targets']}" for v in found)


def test_given_counted_sales_when_an_operator_reads_statistics_then_the_screen_shows_the_api_figures(
    counted, operator, operator_page
):
    from playwright.sync_api import expect

    page = operator_page
    expect(page.get_by_role("navigation", name="Console").get_by_role("link").first).to_have_text(
        "Statistics"
    )
    open_statistics(page, "range=today&by=product&granularity=day")
    expect(page.get_by_role("button", name="Today")).to_have_attribute("aria-pressed", "true")
    answer = sales(operator, counted)
    totals, previous = answer["totals"], answer["previous"]
    assert totals["policies_issued"] >= len(PURCHASES)
    for figure in (*COUNTS, *MONEY):
        card = page.locator(f'[data-kpi="{figure}"]')
        expect(card.locator(".kpi-value")).to_have_text(shown(figure, totals[figure]))
        if figure in answer["definitions"] and figure not in ("new_business", "renewals"):
            expect(card).to_contain_text(answer["definitions"][figure])
    issued = page.locator('[data-kpi="policies_issued"] .kpi-change')
    expect(issued).to_contain_text("new" if previous["policies_issued"] == 0 else "%")
    # The funnel: an SVG and a table with the API's counts, each step's rate against the step before.
    assert min(totals[f] for f in ("quotes", "orders", "paid", "policies_issued")) >= len(PURCHASES)
    expect(page.get_by_role("img", name=re.compile("^Funnel, "))).to_be_visible()
    funnel = page.locator("section", has=page.get_by_role("heading", name="Funnel"))
    funnel.get_by_text("Show the funnel as a table").click()
    for figure in FUNNEL:
        row = funnel.locator(f'table.funnel-table tr[data-funnel="{figure}"]')
        expect(row.locator("td.now .count")).to_have_text(f"{totals[figure]:,}")
        expect(row.locator("td.before .count")).to_have_text(f"{previous[figure]:,}")
    for figure, of in (
        ("orders", "quotes"),
        ("paid", "orders"),
        ("policies_issued", "paid"),
        ("declined", "paid"),
    ):
        expect(funnel.locator(f'tr[data-funnel="{figure}"] td.now .rate')).to_have_text(
            f"{rate(totals[figure], totals[of])} of {'policies issued' if of == 'policies_issued' else of}"
        )
    expect(funnel.locator(".funnel-overall")).to_contain_text(
        rate(totals["policies_issued"], totals["quotes"])
    )

    chart = page.get_by_role("img", name=re.compile("Gross premium .* by day"))
    expect(chart).to_be_visible()
    page.get_by_text("Show as table").click()
    expect(page.locator("table.figures-table tbody tr")).to_have_count(len(answer["series"]))
    expect(page.locator("table.figures-table tbody tr").first).to_contain_text(
        money_text(answer["series"][0]["gross_premium"])
    )

    # The product tab: the API's rows, by name, with the total in the footer.
    expect(page.get_by_role("tab", name="Product")).to_have_attribute("aria-selected", "true")
    assert sorted(breakdown_names(page)) == sorted(r["name"] for r in answer["rows"])
    expect(page.locator("table.breakdown tfoot")).to_contain_text(money_text(totals["net_premium"]))

    # Another tab: other rows (provinces), and the hash says so; back returns to products.
    regions = sales(operator, counted, by="region")
    page.get_by_role("tab", name="Region").click()
    expect(page.get_by_role("tab", name="Region")).to_have_attribute("aria-selected", "true")
    expect(page.locator("table.breakdown thead th").first).to_have_text(re.compile("^Region"))
    ready(page)
    expect(page.locator("table.breakdown tbody th")).to_have_count(len(regions["rows"]))
    assert sorted(breakdown_names(page)) == sorted(r["name"] for r in regions["rows"])
    assert {"Shanghai", "Guangdong"} <= {r["name"] for r in regions["rows"]}
    assert "by=region" in page.evaluate("location.hash")
    page.go_back()
    expect(page.get_by_role("tab", name="Product")).to_have_attribute("aria-selected", "true")
    page.locator("table.breakdown").wait_for()
    ready(page)
    assert sorted(breakdown_names(page)) == sorted(r["name"] for r in answer["rows"])

    # Sorting: net premium descending, then ascending; aria-sort says which.
    header = page.locator("table.breakdown thead th").filter(has_text="Net premium")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    nets = [Decimal(r["net_premium"]) for r in answer["rows"]]
    by_name = {r["name"]: Decimal(r["net_premium"]) for r in answer["rows"]}
    assert [by_name[n] for n in breakdown_names(page)] == sorted(nets, reverse=True)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert [by_name[n] for n in breakdown_names(page)] == sorted(nets)
    page.locator("table.breakdown thead th").first.get_by_role("button").click()
    expect(page.locator("table.breakdown thead th").first).to_have_attribute("aria-sort", "ascending")
    assert breakdown_names(page) == sorted(breakdown_names(page), key=str.lower)
    assert page.errors == [] and page.outside == []
    no_axe_violations(page)


def test_given_a_breakdown_when_downloaded_as_csv_then_it_has_the_header_and_formulas_are_neutralised(
    counted, operator, operator_page
):
    page = operator_page
    answer = sales(operator, counted)
    assert len(answer["rows"]) >= 2

    # The names come from the producer's events: make two of them look like formulas on the way in.
    def rename(route) -> None:
        response = route.fetch()
        body = response.json()
        if body.get("rows"):
            body["rows"][0]["name"] = '=HYPERLINK("http://evil.example","x")'
            body["rows"][-1]["name"] = "@SUM(1+1)"
        route.fulfill(response=response, body=json.dumps(body))

    page.route("**/api/reports/sales?*", rename)
    open_statistics(page, "range=today&by=product&granularity=day&sort=name&dir=asc")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == f"sales-by-product-{counted}-to-{counted}.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Product",
        "Id",
        "Policies issued",
        "New business",
        "Renewals",
        "Policies cancelled",
        "Gross premium (CNY)",
        "Discounts (CNY)",
        "Refunded premium (CNY)",
        "Net premium (CNY)",
    ]
    names = [r[0] for r in rows[1:]]
    assert '\'=HYPERLINK("http://evil.example","x")' in names and "'@SUM(1+1)" in names
    assert not any(cell[:1] in "=+@" for row in rows for cell in row if cell)
    assert rows[-1][0] == "Total" and rows[-1][9] == answer["totals"]["net_premium"]
    assert len(rows) == len(answer["rows"]) + 2
    by_id = {r["key"]: r for r in answer["rows"]}
    for row in rows[1:-1]:
        assert row[2] == str(by_id[row[1]]["policies_issued"]) and row[6] == by_id[row[1]]["gross_premium"]


def test_given_a_custom_range_when_it_is_wrong_then_the_fields_say_why(counted, operator_page):
    from playwright.sync_api import expect

    page = operator_page
    open_statistics(page, "range=today")
    page.get_by_role("button", name="Custom range").click()
    page.get_by_label("From").fill("2026-03-10")
    page.get_by_label("To (inclusive)").fill("2026-03-01")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator('[data-field="to"] .field-error')).to_have_text(
        re.compile("cannot be before the first day")
    )
    expect(page.get_by_label("To (inclusive)")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("From").fill(counted)
    page.get_by_label("To (inclusive)").fill(counted)
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator('[data-field="to"] .field-error')).to_have_count(0)
    expect(page.locator(".range-now")).to_contain_text("(1 day)")
    assert f"from={counted}" in page.evaluate("location.hash")


def test_given_the_daily_export_fired_when_an_operator_opens_exports_then_it_is_listed_with_a_download(
    platform, counted, operator, operator_page
):
    from playwright.sync_api import expect

    fired = requests.post(
        f"{platform.url}/local/schedules/DailySalesExport", params={"date": counted}, timeout=120
    )
    assert fired.status_code == 200, fired.text
    listed = operator.get("/reports/exports").json()["exports"]
    mine = [e for e in listed if e["from"] == counted and e["kind"] == "daily"]
    assert {e["format"] for e in mine} >= {"csv"}

    page = operator_page
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Exports").click()
    ready(page)
    rows = page.locator("table.exports tbody tr")
    expect(rows).to_have_count(len(listed))
    first = rows.first
    expect(first).to_have_attribute("data-key", listed[0]["key"])
    csv_row = page.locator(f'tr[data-key="{mine[0]["key"]}"]')
    expect(csv_row).to_contain_text("Daily")
    href = csv_row.get_by_role("link", name=re.compile("^Download")).get_attribute("href")
    got = requests.get(href if href.startswith("http") else platform.url + href, timeout=30)
    assert got.status_code == 200 and got.content
    expect(page.get_by_text("Times are China time")).to_be_visible()
    assert page.errors == [] and page.outside == []
    no_axe_violations(page)


def test_given_a_phone_when_statistics_and_exports_are_shown_then_they_fit_375_px(browser, platform, counted):
    context, page = console_page(browser, platform, PHONE, is_mobile=True, has_touch=True)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        open_statistics(page, "range=last7&by=region&granularity=day")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_axe_violations(page)
        page.screenshot(path=str(SHOTS / "admin-statistics-phone.png"), full_page=True)
        page.locator("section", has=page.get_by_role("heading", name="Trend")).screenshot(
            path=str(SHOTS / "admin-statistics-trend-phone.png")
        )
        funnel = page.locator("section", has=page.get_by_role("heading", name="Funnel"))
        funnel.get_by_text("Show the funnel as a table").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_axe_violations(page)
        # A clip of the full page from the top: an element screenshot scrolls it under the sticky bar.
        page.evaluate("window.scrollTo(0, 0)")
        box = funnel.bounding_box()
        page.screenshot(path=str(SHOTS / "admin-statistics-funnel-phone.png"), full_page=True, clip=box)
        page.evaluate("() => { location.hash = '#/exports'; }")
        page.locator("table.exports, .empty").first.wait_for()
        ready(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        no_axe_violations(page)
        page.screenshot(path=str(SHOTS / "admin-exports-phone.png"), full_page=True)
        assert page.errors == [] and page.outside == []
    finally:
        context.close()
