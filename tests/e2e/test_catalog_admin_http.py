"""The operator console's API over HTTP on the local platform: an operator creates a product, uploads
a CSV rate table and puts it on shelf; a customer then finds it, quotes it and buys it. Customers
get 403 on every /admin route and callers without a token 401."""

from __future__ import annotations

import uuid

import pytest
from shop import pay, place_order, wait_for_order

pytestmark = pytest.mark.e2e

CSV = "\n".join(
    [
        "plan,term,age_min,age_max,gender,premium",
        "walker,1Y,18,45,*,58.00",
        "walker,1Y,46,65,*,88.00",
    ]
)


def product_document(product_id: str) -> dict:
    return {
        "product_id": product_id,
        "name": "Dog Walker Accident",
        "insurer_id": "jade-pc",
        "category_id": "accident",
        "kind": "accident",
        "summary": "A year of accident cover for people who walk dogs, early and late.",
        "tags": ["accident", "pets", "dogs"],
        "age_limits": {"min": 18, "max": 65},
        "terms": [{"code": "1Y", "label": "1 year", "months": 12}],
        "plans": [
            {
                "code": "walker",
                "name": "Walker",
                "sum_insured": 200000,
                "coverages": [
                    {
                        "code": "accidental_death",
                        "name": "Accidental death and disability",
                        "sum_insured": 200000,
                    },
                    {"code": "accident_medical", "name": "Accident medical expenses", "sum_insured": 20000},
                ],
            }
        ],
        "options": [],
        "occupation_classes": None,
        "health_questions": [
            {"code": "hq_disability", "text": "Do you have a physical disability?", "on_yes": "refer"}
        ],
        "has_beneficiaries": False,
        "max_sum_insured_per_person": 200000,
        "cooling_off_days": 15,
        "purchase_notes": ["Cover starts at 00:00 on the day after payment."],
        "exclusions": ["Injuries caused by your own dog"],
        "terms_summary": "Pays the sum insured for accidental death within 180 days.",
        "faq": [{"q": "Do I need a dog?", "a": "No, but it helps."}],
        "channels": ["h5", "pc"],
    }


def test_given_an_operator_when_they_create_rate_and_shelve_a_product_then_a_customer_quotes_and_buys_it(
    operator, customer, anonymous
):
    product_id = f"dog-walker-{uuid.uuid4().hex[:6]}"
    created = operator.post("/admin/products", json=product_document(product_id))
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "off_shelf"

    bad = operator.post(
        f"/admin/products/{product_id}/rate-tables",
        json={"csv": CSV.replace("88.00", "eighty"), "effective_from": "2026-12-01"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["csv"] == "row 3: premium 'eighty' is not a number"

    rates = operator.post(
        f"/admin/products/{product_id}/rate-tables", json={"csv": CSV, "effective_from": "2026-12-01"}
    )
    assert rates.status_code == 201, rates.text
    assert rates.json() == {"version": 1, "rows": 2, "effective_from": "2026-12-01", "premium_from": "58.00"}

    assert anonymous.get(f"/products/{product_id}").status_code == 404
    shelved = operator.post(f"/admin/products/{product_id}/shelf", json={"status": "on_shelf"})
    assert shelved.status_code == 200 and shelved.json()["status"] == "on_shelf"

    found = customer.get("/products", params={"q": "dog walker"}).json()["products"]
    assert found[0]["product_id"] == product_id
    assert found[0]["premium_from"] == "58.00"
    assert customer.get(f"/products/{product_id}").json()["rate_table_version"] == 1

    quoted = customer.post(
        "/quotes", json={"product_id": product_id, "plan": "walker", "age": 50, "gender": "F", "term": "1Y"}
    )
    assert quoted.status_code == 201, quoted.text
    assert quoted.json()["premium"]["total"] == "88.00"

    order = place_order(customer, quoted.json())
    pay(customer, order)
    issued = wait_for_order(customer, order["order_id"], {"issued", "declined", "failed", "cancelled"})
    assert issued["status"] == "issued", issued
    assert issued["product_name"] == "Dog Walker Accident"

    trail = operator.get("/admin/audit", params={"entity": f"product:{product_id}"}).json()["entries"]
    assert [e["action"] for e in trail] == ["product.shelved", "rates.published", "product.created"]
    assert {e["actor"]["email"] for e in trail} == {"operator@insuremall.test"}


ADMIN_ROUTES = [
    ("GET", "/admin/products"),
    ("POST", "/admin/products"),
    ("GET", "/admin/products/accident-guardian"),
    ("PUT", "/admin/products/accident-guardian"),
    ("POST", "/admin/products/accident-guardian/shelf"),
    ("GET", "/admin/products/accident-guardian/rate-tables"),
    ("POST", "/admin/products/accident-guardian/rate-tables"),
    ("GET", "/admin/banners"),
    ("POST", "/admin/banners"),
    ("PUT", "/admin/banners/BDEMOWINTER"),
    ("DELETE", "/admin/banners/BDEMOWINTER"),
    ("GET", "/admin/featured"),
    ("PUT", "/admin/featured"),
    ("POST", "/admin/categories"),
    ("PUT", "/admin/categories/accident"),
    ("GET", "/admin/audit"),
]


def _request(client, method: str, path: str):
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    body = None if method in ("GET", "DELETE") else {"status": "off_shelf", "slots": [], "revision": 1}
    return client.http.request(method, client.base + path, json=body, headers=headers, timeout=30)


def test_given_a_customer_when_they_call_admin_routes_then_403_and_without_a_token_401(customer, anonymous):
    for method, path in ADMIN_ROUTES:
        refused = _request(customer, method, path)
        assert refused.status_code == 403, (method, path, refused.text)
        assert refused.json()["error"]["code"] == "forbidden"
        unsigned = _request(anonymous, method, path)
        assert unsigned.status_code == 401, (method, path, unsigned.text)
    assert anonymous.get("/products/accident-guardian").json()["status"] == "on_shelf"


def test_given_the_mall_home_over_http_then_banners_featured_categories_and_needs(anonymous):
    home = anonymous.get("/home", params={"channel": "h5"})
    assert home.status_code == 200
    body = home.json()
    # Other tests may edit the merchandising; what it shows must still be on shelf and on the channel.
    assert isinstance(body["banners"], list) and body["categories"] and body["needs"]
    assert all(
        f["status"] == "on_shelf" and "h5" in f["channels"] and f["premium_from"] for f in body["featured"]
    )
