"""The operator console in a real browser, and what a customer then sees.

An operator signs in at /admin/, creates a product (a 422 lands next to its field), is refused the shelf
before rates exist, uploads a rate-table CSV (a bad row is named, then a good file publishes version 1),
puts it on shelf, edits it (and a stale revision answers 409), and reads its audit trail. A customer in a
fresh browser context then finds the product by search in the storefront and gets a price from the
product page's calculator; the same customer opening /admin/ sees the refusal and the API answers 403.
Desktop screenshots (1280x800) of the console go to test-artifacts/screenshots/admin-*.png, and with
UPDATE_SCREENSHOTS=1 also to docs/screenshots/ (committed, for a reviewer).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import requests

from local import demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
# The copies a reviewer looks at without running anything; refreshed with UPDATE_SCREENSHOTS=1.
REVIEWED_SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PRODUCT_ID = "summit-hiking-accident"
PRODUCT_NAME = "Summit Hiking Accident"
BANNER_TITLE = "Hiking season"
GOOD_CSV = (
    "plan,term,age_min,age_max,gender,premium\n"
    "basic,1Y,18,40,*,59.00\n"
    "basic,1Y,41,60,*,89.00\n"
    "plus,1Y,18,40,*,109.00\n"
    "plus,1Y,41,60,*,159.00\n"
)
# The fields an operator edits (the contract's product document).
EDITABLE = (
    "name",
    "insurer_id",
    "category_id",
    "kind",
    "summary",
    "tags",
    "age_limits",
    "terms",
    "plans",
    "options",
    "occupation_classes",
    "health_questions",
    "has_beneficiaries",
    "max_sum_insured_per_person",
    "cooling_off_days",
    "purchase_notes",
    "exclusions",
    "terms_summary",
    "faq",
    "channels",
)
BAD_CSV = GOOD_CSV.replace("89.00", "eighty-nine")  # row 3 (the header is row 1)


def watched(context):
    """A page that records script errors and any request that leaves the local platform."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors, page.outside, page.admin_calls = [], [], []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def on_request(request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:", "blob:")):
            page.outside.append(request.url)
        if "/api/admin/" in request.url:
            page.admin_calls.append(request.url)

    page.on("request", on_request)
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target = SHOTS / f"admin-{name}.png"
    page.screenshot(path=str(target))
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        REVIEWED_SHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, REVIEWED_SHOTS / target.name)


def sign_in_to_console(page, platform, email: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(platform.url + "/admin/")
    expect(page.get_by_role("heading", name="Sign in to the operator console")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def ready(page) -> None:
    """The console marks #main aria-busy while a screen loads its data."""
    from playwright.sync_api import expect

    expect(page.locator("#main")).not_to_have_attribute("aria-busy", "true")


def csv_file(text: str) -> dict:
    return {"name": "hiking-rates.csv", "mimeType": "text/csv", "buffer": text.encode()}


@pytest.fixture
def operator_page(browser):
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=1)
    page = watched(context)
    yield page
    context.close()


@pytest.fixture
def customer_page(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = watched(context)
    yield page
    context.close()


def send(client, method: str, path: str, body=None) -> requests.Response:
    return client.http.request(
        method, client.base + path, json=body, headers={"Authorization": f"Bearer {client.token}"}, timeout=30
    )


@pytest.fixture
def shared_shop_restored(operator):
    """Put back what the test changes on the platform the other e2e tests share."""
    featured = operator.get("/admin/featured").json()["slots"]
    yield
    send(operator, "POST", f"/admin/products/{PRODUCT_ID}/shelf", {"status": "off_shelf"})
    send(
        operator,
        "PUT",
        "/admin/featured",
        {"slots": [{"product_id": s["product_id"], "label": s["label"]} for s in featured]},
    )
    for banner in operator.get("/admin/banners").json()["banners"]:
        if banner["title"] == BANNER_TITLE:
            send(operator, "DELETE", f"/admin/banners/{banner['banner_id']}")


def create_product(page) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name="New product").click()
    expect(page.get_by_role("heading", name="New product")).to_be_visible()
    page.get_by_label("Product id").fill(PRODUCT_ID)
    page.get_by_label("Product name").fill(PRODUCT_NAME)
    page.get_by_label("Insurer").select_option(label="Jade Property & Casualty")
    page.get_by_label("Category").select_option("accident")
    page.get_by_label("Type").select_option("accident")
    page.get_by_label("Summary", exact=True).fill(
        "Accident cover for hikers and climbers: rescue, accident medical and disability."
    )
    page.get_by_label("Tags and needs").fill("hiking, outdoor, accident, sports")
    page.get_by_label("Youngest").fill("18")
    page.get_by_label("Oldest").fill("60")
    page.get_by_label("Most cover per person (CNY)").fill("1000000")
    plans = page.get_by_role("group", name="Plans", exact=True)
    page.get_by_label("Plan 1, Code").fill("basic")
    page.get_by_label("Plan 1, Plan name").fill("Basic")
    page.get_by_label("Plan 1, Sum insured (CNY)").fill("300000")
    page.get_by_label("Plan 1, coverage 1, Code").fill("accidental_death")
    page.get_by_label("Plan 1, coverage 1, Coverage").fill("Accidental death and disability")
    # Coverage sum insured left empty: the API's 422 must land next to that field.
    plans.get_by_role("button", name="Add a plan").click()
    page.get_by_label("Plan 2, Code").fill("plus")
    page.get_by_label("Plan 2, Plan name").fill("Plus")
    page.get_by_label("Plan 2, Sum insured (CNY)").fill("600000")
    page.get_by_label("Plan 2, coverage 1, Code").fill("accidental_death")
    page.get_by_label("Plan 2, coverage 1, Coverage").fill("Accidental death and disability")
    page.get_by_label("Plan 2, coverage 1, Sum insured (CNY)").fill("600000")
    page.get_by_label("Purchase notes").fill(
        "Covers hiking up to 5,000 m.\nCover starts the day after payment."
    )
    page.get_by_label("Exclusions").fill("Mountaineering above 5,000 m\nSelf-inflicted injury")
    page.get_by_role("button", name="Create product").click()

    error = page.locator('[data-field="plans.0.coverages.0.sum_insured"] .field-error')
    expect(error).to_be_visible()
    expect(page.get_by_label("Plan 1, coverage 1, Sum insured (CNY)")).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page.get_by_text("Please correct the fields marked below.")).to_be_visible()
    error.scroll_into_view_if_needed()
    shot(page, "product-field-error")

    page.get_by_label("Plan 1, coverage 1, Sum insured (CNY)").fill("300000")
    page.get_by_role("button", name="Create product").click()
    expect(page.get_by_role("heading", name=PRODUCT_NAME, level=1)).to_be_visible()
    expect(page.get_by_text(f"Created {PRODUCT_NAME}.")).to_be_visible()


def publish_rates(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Rate table versions")).to_be_visible()
    expect(page.get_by_text("No rate table yet.", exact=False).first).to_be_visible()
    page.get_by_label("Rate table (CSV file)").set_input_files(files=[csv_file(BAD_CSV)])
    expect(page.get_by_text("hiking-rates.csv: 4 rate rows")).to_be_visible()
    page.get_by_role("button", name="Publish as version 1").click()
    error = page.locator('[data-field="csv"] .field-error')
    expect(error).to_contain_text(re.compile(r"row 3\b", re.I))
    expect(page.locator("table.csv tr.bad")).to_contain_text("eighty-nine")

    page.get_by_label("Rate table (CSV file)").set_input_files(files=[csv_file(GOOD_CSV)])
    page.get_by_role("button", name="Publish as version 1").click()
    expect(page.get_by_text("Published version 1: 4 rows")).to_be_visible()
    expect(page.get_by_role("cell", name="v1 current")).to_be_visible()
    expect(page.get_by_text("Quotes already given keep their version.")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "rates")


def test_given_the_console_when_an_operator_launches_a_product_then_a_customer_finds_and_prices_it(
    platform, operator_page, customer_page, operator, shared_shop_restored
):
    from playwright.sync_api import expect

    page = operator_page
    sign_in_to_console(page, platform, demo.DEMO_OPERATOR["email"], demo.DEMO_OPERATOR["password"])
    expect(page.get_by_role("heading", name="Products", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Classic Medical 2024")).to_be_visible()  # off shelf, still listed
    shot(page, "products")

    create_product(page)

    # The shelf refuses a product without rates, and says why.
    page.get_by_role("button", name="Put on shelf").click()
    expect(page.get_by_role("alert")).to_contain_text("rate table")  # the API's reason
    expect(page.get_by_role("link", name="Upload and publish a rate table")).to_be_visible()

    publish_rates(page)

    page.get_by_role("button", name="Put on shelf").click()
    expect(page.get_by_text("On shelf: customers can now find it on H5, PC.")).to_be_visible()
    expect(page.get_by_role("button", name="Take off shelf")).to_be_visible()

    # Edit: saved as the next revision; then another operator's change makes this page's revision stale.
    page.get_by_role("link", name="Details").click()
    page.get_by_label("Terms summary").fill(
        "Pays the sum insured for accidental death; disability by the industry table."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text(re.compile(r"Saved\. This is now revision \d+\."))).to_be_visible()
    shot(page, "product")
    current = operator.get(f"/admin/products/{PRODUCT_ID}").json()
    elsewhere = {k: v for k, v in current.items() if k in EDITABLE}
    elsewhere.update(summary="Changed by another operator.", revision=current["revision"])
    response = send(operator, "PUT", f"/admin/products/{PRODUCT_ID}", elsewhere)
    assert response.status_code == 200, response.text
    page.get_by_label("Summary", exact=True).fill("My edit, made on an old revision.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("Someone else changed this product since you opened it.")).to_be_visible()
    page.get_by_role("button", name="Reload product").click()
    expect(page.get_by_label("Summary", exact=True)).to_have_value("Changed by another operator.")

    # The product's audit trail: who did what.
    page.get_by_role("link", name="Audit trail").last.click()
    trail = page.locator("table.audit")
    for action in (
        "created the product",
        "published a rate table",
        "changed the shelf status",
        "edited the product",
    ):
        expect(trail.get_by_text(action).first).to_be_visible()
    expect(trail.get_by_text(demo.DEMO_OPERATOR["email"]).first).to_be_visible()
    shot(page, "product-audit")

    console = page.get_by_role("navigation", name="Console")

    # Banners: one for the new product, listed with its dates, then deleted again.
    console.get_by_role("link", name="Banners").click()
    ready(page)
    page.get_by_role("button", name="New banner").click()
    page.get_by_label("Title", exact=True).fill(BANNER_TITLE)
    page.get_by_label("Subtitle").fill("Accident cover for the mountains, from CNY 59 a year")
    page.get_by_label("Link").fill(f"/product.html?id={PRODUCT_ID}")
    page.get_by_label("Colour").select_option("green")
    page.get_by_role("button", name="Create banner").click()
    expect(page.get_by_text(f"Created the banner “{BANNER_TITLE}”.")).to_be_visible()
    expect(page.get_by_role("button", name=f"Edit {BANNER_TITLE}")).to_be_visible()
    shot(page, "banners")
    page.get_by_role("button", name=f"Delete {BANNER_TITLE}").click()
    page.get_by_role("button", name=f"Yes, delete {BANNER_TITLE}").click()
    expect(page.get_by_text(f"Deleted the banner “{BANNER_TITLE}”.")).to_be_visible()

    # Featured: the new product goes first, with a label (the fixture puts the old slots back).
    console.get_by_role("link", name="Featured").click()
    ready(page)
    page.get_by_role("button", name="Add a slot").click()
    slot = page.locator("li.slot").count()
    page.get_by_label(f"Product in slot {slot}").select_option(PRODUCT_ID)
    page.get_by_label(f"Label for slot {slot}").fill("New")
    for above in range(slot, 1, -1):
        page.get_by_role("button", name=f"Move slot {above} up").click()
    expect(page.get_by_label("Product in slot 1")).to_have_value(PRODUCT_ID)
    page.get_by_role("button", name="Save featured slots").click()
    expect(page.get_by_text(re.compile(r"Saved \d+ featured slots?\."))).to_be_visible()
    shot(page, "featured")

    # Categories: the edit form (cancelled: a category cannot be deleted, and other tests share the home).
    console.get_by_role("link", name="Categories").click()
    ready(page)
    page.get_by_role("button", name="Edit Travel").click()
    expect(page.get_by_role("heading", name="Edit category: Travel")).to_be_visible()
    expect(page.get_by_label("Category id", exact=True)).to_have_value("travel")
    shot(page, "categories")
    page.get_by_role("button", name="Cancel").click()

    # The whole audit trail has this session's changes, newest first.
    console.get_by_role("link", name="Audit trail").click()
    ready(page)
    trail = page.locator("table.audit")
    expect(trail.get_by_text("changed the featured slots").first).to_be_visible()
    expect(trail.get_by_text("deleted a banner").first).to_be_visible()
    expect(trail.get_by_role("link", name=f"product:{PRODUCT_ID}").first).to_be_visible()
    shot(page, "audit")
    assert page.errors == [] and page.outside == []

    # A customer finds it by need in the storefront and gets a price on its page.
    shopper = customer_page
    shopper.goto(platform.url + "/")
    shopper.get_by_role("searchbox").first.fill("hiking")
    shopper.get_by_role("searchbox").first.press("Enter")
    shopper.get_by_role("link", name=PRODUCT_NAME).first.click()
    expect(shopper.get_by_role("heading", name=PRODUCT_NAME, level=1)).to_be_visible()
    price = shopper.locator("#live-price")
    expect(price).to_have_text(re.compile(r"CNY\s*\d"))
    assert shopper.errors == [] and shopper.outside == []


def test_given_a_customer_when_they_open_the_console_then_it_refuses_and_the_api_answers_403(
    platform, customer, customer_page
):
    from playwright.sync_api import expect

    page = customer_page
    page.set_viewport_size(DESKTOP)
    sign_in_to_console(page, platform, customer.email, "Secret2026x")
    expect(page.get_by_role("heading", name="This area is for operators")).to_be_visible()
    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    shot(page, "refused")
    page.goto(platform.url + "/admin/#/audit")
    page.reload()
    expect(page.get_by_role("heading", name="This area is for operators")).to_be_visible()
    assert page.admin_calls == []  # the console asked for no admin data

    status = page.evaluate(
        """async () => {
            const token = JSON.parse(localStorage.getItem("insuremall.session")).idToken;
            const r = await fetch("/api/admin/products", {headers: {Authorization: "Bearer " + token}});
            return [r.status, await r.json()];
        }"""
    )
    assert status[0] == 403, status
    assert status[1]["error"]["code"]
    assert requests.get(platform.api_url + "/admin/products", timeout=30).status_code == 401
    assert page.errors == [] and page.outside == []
