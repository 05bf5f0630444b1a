"""The needs questionnaire in a real browser: ranked products with reasons and an estimated premium, each
opening the product with the calculator set to that estimate; the mall home then recommends them too."""

from __future__ import annotations

import re

import pytest
from storefront_pages import PHONE, expect_price, open_page, shot

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser):
    with open_page(browser, PHONE) as page:
        yield page


def test_given_a_family_worried_about_accidents_and_illness_when_they_answer_then_reasoned_products_follow(
    platform, page
):
    from playwright.sync_api import expect

    page.goto(platform.url + "/")
    page.get_by_role("link", name="Find my cover").click()
    expect(page.get_by_role("heading", name="Find the right cover")).to_be_visible()

    # Messages next to the fields that are missing.
    page.get_by_role("button", name="Show my recommendations").click()
    expect(page.get_by_text("Enter your age.")).to_be_visible()
    expect(page.get_by_text("Choose female or male.")).to_be_visible()

    page.get_by_label("Your age").fill("35")
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("I have a spouse or partner").check()
    page.get_by_label("Children under 18").select_option("2")
    page.get_by_label("Yearly budget for insurance (CNY)").select_option("3000")
    page.get_by_label("Accidents").check()
    page.get_by_label("Serious illness").check()
    page.get_by_role("group", name="Cover you already have (choose any)").get_by_label("Medical").check()
    page.get_by_role("button", name="Show my recommendations").click()

    results = page.get_by_role("region", name="Recommended for you")
    expect(results).to_be_visible()
    ranked = results.get_by_role("listitem").filter(has=page.get_by_role("heading"))
    expect(ranked.first).to_be_visible()
    assert ranked.count() >= 3
    first = ranked.first
    expect(first.get_by_role("heading")).to_contain_text("Number 1:")
    expect(first).to_contain_text("You listed accident as a concern")
    expect(first.get_by_text(re.compile(r"^Estimated CNY \d"))).to_be_visible()
    # The medical cover they already have is said, and ranks lower than the gaps.
    expect(results.get_by_text("You already have medical cover")).to_be_visible()
    shot(page, "phone-11-recommend")

    # The two children get cover of their own, not only reasons.
    children = page.get_by_role("region", name="For your children")
    expect(children).to_be_visible()
    expect(children.get_by_text("Cover for your 2 children")).to_be_visible()
    child_cover = children.get_by_role("listitem").filter(has=page.get_by_role("heading"))
    expect(child_cover.first.get_by_role("heading")).to_have_text("Million Care Medical")
    expect(child_cover.first).to_contain_text("Insures children from birth")
    expect(child_cover.first.get_by_text(re.compile(r"^From CNY \d.* for one child$"))).to_be_visible()

    # A recommendation opens the product with the calculator set to its estimate.
    name = re.sub(r"^Number 1:\s*", "", first.get_by_role("heading").get_by_role("link").inner_text()).strip()
    estimate = first.get_by_text(re.compile(r"^Estimated CNY")).locator("strong").inner_text()
    first.get_by_role("link", name="See cover and exact price").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_label("Age of the insured person")).to_have_value("35")
    expect(page.get_by_label("Male", exact=True)).to_be_checked()
    assert expect_price(page.locator("#live-price")).startswith(estimate)

    # The mall home remembers the answers (in this browser only) and recommends the same products.
    page.get_by_role("link", name="InsureMall").click()
    for_you = page.get_by_role("region", name="Recommended for you")
    expect(for_you.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(for_you.get_by_text("You listed accident as a concern").first).to_be_visible()
    assert page.errors == []
    assert page.outside == []
    assert page.console_errors == []
