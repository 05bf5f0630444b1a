"""The storefront remembers the first shared link's invitation code and signs a new customer up as the
sharer's invitee."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect
from shop import sign_up
from storefront_pages import PHONE, open_page


def test_given_two_shared_links_when_a_visitor_signs_up_then_the_first_sharer_invited_them(platform, browser):
    first, second = sign_up(platform, "Anna"), sign_up(platform, "Xu")
    first_code = first.get("/members/me/invitation").json()["invite_code"]
    second_code = second.get("/members/me/invitation").json()["invite_code"]
    with open_page(browser, PHONE) as page:
        page.goto(f"{platform.url}/?ref={first_code}")
        expect(page.get_by_role("link", name="InsureMall")).to_be_visible()
        page.goto(f"{platform.url}/product.html?id=accident-guardian&ref={second_code}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("JSON.parse(localStorage.getItem('insuremall.ref')).code") == first_code

        page.goto(f"{platform.url}/signup.html")
        page.get_by_label("Your name").fill("Bo")
        page.get_by_label("E-mail").fill(f"b-{uuid.uuid4().hex[:8]}@example.com")
        page.get_by_label("Password").fill("Secret2026x")
        with page.expect_request(lambda r: r.url.endswith("/members/signup")) as sent:
            page.get_by_role("button", name="Create account").click()
        assert sent.value.post_data_json["invite_code"] == first_code
        page.wait_for_url(lambda url: "signup.html" not in url)
        assert page.errors == [] and page.outside == []

    assert first.get("/members/me/invitation").json()["invitees_count"] == 1
    assert second.get("/members/me/invitation").json()["invitees_count"] == 0
