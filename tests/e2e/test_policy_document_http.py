"""The policy PDF over HTTP: buy, download it through the presigned link the gateway serves locally,
check its text and hash, verify the printed code publicly; nobody else gets the link."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import date

import requests
from pypdf import PdfReader
from shop import pay, place_order, prc_id_for_age, quote, sign_up, wait_for_order


def _bought(customer, anonymous, **factors) -> tuple[str, str]:
    view = quote(anonymous, **factors)
    inputs = view["inputs"]
    id_number = prc_id_for_age(inputs["age"], inputs["gender"], date.fromisoformat(inputs["start_date"]))
    person = {"name": "王芳", "id_type": "prc_id", "id_number": id_number}
    order = place_order(
        customer,
        view,
        policyholder={**person, "phone": "13912345678"},
        insured=[{**person, "relation": "self"}],
    )
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed"})
    assert issued["status"] == "issued", issued
    return issued["policy_no"], id_number


def _document_link(customer, policy_no: str) -> dict:
    deadline = time.monotonic() + 20
    while True:
        answer = customer.get(f"/policies/{policy_no}/document")
        if answer.status_code == 200 or time.monotonic() > deadline:
            assert answer.status_code == 200, answer.text
            return answer.json()
        time.sleep(0.2)


def test_given_a_bought_policy_when_downloaded_then_the_pdf_matches_its_hash_and_verifies(
    platform, customer, anonymous
):
    policy_no, id_number = _bought(customer, anonymous)
    link = _document_link(customer, policy_no)
    assert link["url"].startswith(f"{platform.url}/local/s3/") and link["version"] >= 1

    pdf = requests.get(link["url"], timeout=10)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == link["sha256"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert policy_no in text and "王芳" in text and "Accident" in text
    assert id_number not in text and id_number[-4:] in text

    code = text.split("verify.html?code=")[1][:20]
    verified = anonymous.get(f"/verify/{code}")
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["genuine"] is True and body["status"] == "in_force"
    assert "王芳" not in verified.text and id_number not in verified.text
    assert anonymous.get("/verify/ABCDEFGHJKLMNPQRSTUV").status_code == 404

    page = requests.get(f"{platform.url}/verify.html?code={code}", timeout=10)
    assert page.status_code == 200 and "verify" in page.text.lower()


def test_given_a_bought_policy_when_downloaded_then_words_hotline_and_exclusions_print_in_an_embedded_font(
    platform, customer, anonymous
):
    policy_no, _ = _bought(customer, anonymous, options=["sudden_death"])
    product = anonymous.get("/products/accident-guardian").json()
    pdf = requests.get(_document_link(customer, policy_no)["url"], timeout=10).content
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join("".join(p.extract_text() for p in reader.pages).split())

    for words in (
        "1年 / 1 year",
        "有效 / In force",
        "居民身份证 / PRC resident ID card",
        "本人 / Self",
        "Sudden death",
    ):
        assert words in text, words
    for code in ("in_force", "prc_id", "relation:", "sudden_death", " 1Y "):
        assert code not in f" {text} ", code
    assert f"Claims and service hotline: {product['insurer']['hotline']}" in text
    assert all(" ".join(e.split()) in text for e in product["exclusions"])
    fonts = [ref.get_object() for page in reader.pages for ref in page["/Resources"]["/Font"].values()]
    assert fonts and all("/FontFile2" in f["/FontDescriptor"].get_object() for f in fonts)
    assert "王芳" in text


def test_given_another_customer_or_no_token_then_no_document_link(platform, customer, anonymous):
    policy_no, _ = _bought(customer, anonymous)
    assert sign_up(platform).get(f"/policies/{policy_no}/document").status_code == 404
    assert anonymous.get(f"/policies/{policy_no}/document").status_code == 401


def test_given_the_storefront_then_print_opens_the_pdf_and_the_verify_page_says_genuine(
    platform, customer, anonymous, browser
):
    from storefront_pages import PHONE, open_page, shot, signed_in

    policy_no, _ = _bought(customer, anonymous)
    code = customer.get(f"/policies/{policy_no}/document")  # ready before the page asks
    assert code.status_code == 200
    with open_page(browser, PHONE) as page:
        signed_in(page, platform, customer)
        page.goto(f"{platform.url}/policy.html?no={policy_no}")
        # The new tab asks the gateway for the PDF (headless Chromium may save it rather than show it).
        asked: list[str] = []
        page.context.on("request", lambda r: asked.append(r.url) if "/local/s3/" in r.url else None)
        page.get_by_role("button", name="Print / download").click()
        deadline = time.monotonic() + 10
        while not asked and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert asked and policy_no in asked[0]
        shot(page, "policy-print-phone")
        assert not page.errors and not page.outside

    pdf = requests.get(customer.get(f"/policies/{policy_no}/document").json()["url"], timeout=10).content
    printed = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    code = printed.split("verify.html?code=")[1][:20]
    with open_page(browser, PHONE) as page:
        page.goto(f"{platform.url}/verify.html?code={code}")
        page.get_by_text("Genuine policy, in force").wait_for()
        assert "王芳" not in page.content()
        shot(page, "verify-genuine-phone")
        page.fill("#code", "ABCDEFGHJKLMNPQRSTUV")
        page.get_by_role("button", name="Verify").click()
        page.get_by_text("No policy matches this code").wait_for()
        shot(page, "verify-unknown-phone")
        assert not page.errors and not page.outside


def _printed_code(url: str) -> str:
    pdf = requests.get(url, timeout=10).content
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split("verify.html?code=")[1][
        :20
    ]


def test_given_a_changed_policy_when_the_old_printout_is_verified_then_it_says_superseded_by_the_current(
    platform, customer, anonymous, browser
):
    from storefront_pages import PHONE, open_page, shot

    policy_no, _ = _bought(customer, anonymous)
    first = _document_link(customer, policy_no)
    old_code = _printed_code(first["url"])
    changed = customer.post(f"/policies/{policy_no}/endorsements", json={"contact": {"phone": "13800002222"}})
    assert changed.status_code == 200, changed.text

    current = customer.get(f"/policies/{policy_no}/document").json()
    assert (current["version"], current["current"], current["superseded_by"]) == (2, True, None)
    old = customer.get(f"/policies/{policy_no}/document", params={"version": 1}).json()
    assert (old["version"], old["current"], old["superseded_by"]) == (1, False, 2)
    assert old["sha256"] == first["sha256"] != current["sha256"]
    listed = customer.get(f"/policies/{policy_no}/documents").json()
    assert [(d["version"], d["reason"], d["current"]) for d in listed["documents"]] == [
        (2, "changed details", True),
        (1, "issued", False),
    ]

    verified = anonymous.get(f"/verify/{old_code}").json()
    assert (verified["document_version"], verified["current"], verified["superseded_by"]) == (1, False, 2)
    new_code = _printed_code(current["url"])
    assert new_code != old_code and anonymous.get(f"/verify/{new_code}").json()["current"] is True

    with open_page(browser, PHONE) as page:
        page.goto(f"{platform.url}/verify.html?code={old_code}")
        notice = page.locator("#superseded")
        notice.wait_for()
        assert notice.inner_text().startswith("This document is version 1, superseded by version 2")
        assert page.locator("#document-version").inner_text() == "Version 1 scanned; current version 2"
        shot(page, "verify-superseded-phone")
        page.goto(f"{platform.url}/verify.html?code={new_code}")
        page.locator("#document-version").wait_for()
        assert page.locator("#document-version").inner_text() == "Version 2, the current one"
        assert page.locator("#superseded").count() == 0
        assert not page.errors and not page.outside
