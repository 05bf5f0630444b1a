"""The catalog's operator routes and public home, search and recommendation, through the real
CatalogFunction handler in-process over the embedded AWS, with Cognito tokens as the console sends them."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta

import pytest

from insuremall.identity import make_prc_id

PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password
HEADER = "plan,term,age_min,age_max,gender,premium"


class Api:
    """Calls routes the way API Gateway delivers them, to whichever function the template names."""

    def __init__(self, aws, token: str | None = None):
        from local.gateway import Gateway

        self.aws, self.token = aws, token
        self.gateway = Gateway(aws.template.routes(), aws.runtime)

    def call(self, method: str, path: str, body=None, query: str = "", headers=None) -> tuple[int, dict]:
        from local.gateway import build_event

        route, params, _ = self.gateway.match(method, path)
        assert route is not None, f"no route for {method} {path}"
        sent = {"content-type": "application/json", **(headers or {})}
        if self.token:
            sent["authorization"] = f"Bearer {self.token}"
        raw = json.dumps(body).encode() if body is not None else b""
        event = build_event(route, method, path, query, sent, raw, params, "localhost")
        result, error = self.aws.runtime.invoke(route.function, event)
        assert error is None, result
        return result["statusCode"], json.loads(result["body"])

    def get(self, path, query=""):
        return self.call("GET", path, query=query)

    def post(self, path, body, **kwargs):
        return self.call("POST", path, body, **kwargs)

    def put(self, path, body):
        return self.call("PUT", path, body)

    def delete(self, path):
        return self.call("DELETE", path)


def _signed_in(aws, groups: tuple[str, ...] = ()) -> Api:
    from local import demo

    email = f"u-{uuid.uuid4().hex[:10]}@example.com"
    demo.create_user(aws, email, PASSWORD, "Test User", groups=groups)
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    api = Api(aws, tokens["IdToken"])
    api.email = email
    return api


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    return _signed_in(aws, groups=("operators",))


@pytest.fixture(scope="module")
def customer(aws) -> Api:
    return _signed_in(aws)


@pytest.fixture(scope="module")
def anonymous(aws) -> Api:
    return Api(aws)


def new_product(product_id: str | None = None, **changes) -> dict:
    product = {
        "product_id": product_id or f"pet-walker-{uuid.uuid4().hex[:6]}",
        "name": "Pet Walker Accident",
        "insurer_id": "jade-pc",
        "category_id": "accident",
        "kind": "accident",
        "summary": "Accident cover while walking the dog, with vet bills for the dog as an option.",
        "tags": ["accident", "pets"],
        "age_limits": {"min": 18, "max": 60},
        "terms": [{"code": "1Y", "label": "1 year", "months": 12}],
        "plans": [
            {
                "code": "basic",
                "name": "Basic",
                "sum_insured": 100000,
                "coverages": [
                    {"code": "accidental_death", "name": "Accidental death", "sum_insured": 100000}
                ],
            },
            {
                "code": "plus",
                "name": "Plus",
                "sum_insured": 300000,
                "coverages": [
                    {"code": "accidental_death", "name": "Accidental death", "sum_insured": 300000}
                ],
            },
        ],
        "options": [
            {"code": "vet", "name": "Vet bills", "description": "Pays the dog's vet bills after an accident."}
        ],
        "occupation_classes": None,
        "health_questions": [{"code": "hq_disability", "text": "Any disability?", "on_yes": "refer"}],
        "has_beneficiaries": False,
        "max_sum_insured_per_person": 300000,
        "cooling_off_days": 15,
        "purchase_notes": ["Cover starts the day after payment."],
        "exclusions": ["Dog fights"],
        "terms_summary": "Pays the sum insured for accidental death.",
        "faq": [{"q": "Any breed?", "a": "Yes."}],
        "channels": ["h5", "pc"],
    }
    product.update(changes)
    return product


def rates_csv(basic: str = "39.00", plus: str = "79.00") -> str:
    return "\n".join(
        [HEADER, f"basic,1Y,18,40,*,{basic}", "basic,1Y,41,60,*,59.00", f"plus,1Y,18,60,*,{plus}"]
    )


def publish(api: Api, product_id: str, csv: str | None = None) -> tuple[int, dict]:
    return api.post(
        f"/admin/products/{product_id}/rate-tables",
        {
            "csv": csv or rates_csv(),
            "effective_from": "2026-12-01",
            "options": {"vet": {"method": "add", "amount": "15.00"}},
        },
    )


def audit_actions(api: Api, entity: str) -> list[str]:
    status, body = api.get("/admin/audit", f"entity={entity}")
    assert status == 200, body
    return [e["action"] for e in body["entries"]]


# --- who may call -------------------------------------------------------------------------------

ADMIN_CALLS = [
    ("GET", "/admin/products", None),
    ("POST", "/admin/products", {}),
    ("GET", "/admin/products/accident-guardian", None),
    ("PUT", "/admin/products/accident-guardian", {"revision": 1}),
    ("POST", "/admin/products/accident-guardian/shelf", {"status": "off_shelf"}),
    ("GET", "/admin/products/accident-guardian/rate-tables", None),
    ("POST", "/admin/products/accident-guardian/rate-tables", {"csv": HEADER}),
    ("GET", "/admin/banners", None),
    ("POST", "/admin/banners", {}),
    ("PUT", "/admin/banners/BDEMOWINTER", {}),
    ("DELETE", "/admin/banners/BDEMOWINTER", None),
    ("GET", "/admin/featured", None),
    ("PUT", "/admin/featured", {"slots": []}),
    ("POST", "/admin/categories", {}),
    ("PUT", "/admin/categories/accident", {}),
    ("GET", "/admin/audit", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=lambda x: str(x))
def test_given_a_customer_when_calling_an_admin_route_then_403_and_nothing_changes(
    customer, method, path, body
):
    status, answer = customer.call(method, path, body)
    assert status == 403, answer
    assert answer["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=lambda x: str(x))
def test_given_no_token_when_calling_an_admin_route_then_401(anonymous, method, path, body):
    status, answer = anonymous.call(method, path, body)
    assert status == 401, answer


def test_given_customers_when_blocked_then_the_demo_product_and_banner_are_untouched(operator):
    status, product = operator.get("/admin/products/accident-guardian")
    assert status == 200 and product["status"] == "on_shelf"
    status, banners = operator.get("/admin/banners")
    assert "BDEMOWINTER" in [b["banner_id"] for b in banners["banners"]]


# --- products -------------------------------------------------------------------------------------


def test_given_a_new_product_when_created_then_off_shelf_revision_1_no_rates_and_audited(operator):
    body = new_product()
    status, product = operator.post("/admin/products", body)
    assert status == 201, product
    assert (product["status"], product["revision"], product["rate_table_version"]) == ("off_shelf", 1, None)
    assert product["premium_from"] is None and product["insurer_name"] == "Jade Property & Casualty"

    status, entries = operator.get("/admin/audit", f"entity=product:{body['product_id']}")
    entry = entries["entries"][0]
    assert entry["action"] == "product.created"
    assert entry["actor"]["email"] == operator.email
    assert entry["changes"]["name"] == {"from": None, "to": "Pet Walker Accident"}

    status, again = operator.post("/admin/products", body)
    assert status == 409 and again["error"]["fields"] == {"product_id": "is taken"}
    assert audit_actions(operator, f"product:{body['product_id']}") == ["product.created"]


def test_given_a_bad_product_when_created_then_422_per_field(operator):
    # What the contract (infra/openapi.yaml) says is refused before the product rules run ...
    body = new_product(
        "Bad Id", plans=[{"code": "basic", "name": "Basic", "sum_insured": -5, "coverages": []}]
    )
    status, answer = operator.post("/admin/products", body)
    assert status == 422
    assert set(answer["error"]["fields"]) >= {"product_id", "plans[0].sum_insured", "plans[0].coverages"}
    # ... and the product rules name theirs.
    body = new_product()
    body["terms"] = [{"code": "1Y", "label": "1 year", "months": 12, "days": 3}]
    status, answer = operator.post("/admin/products", body)
    assert status == 422 and set(answer["error"]["fields"]) == {"terms[0]"}, answer


def test_given_two_operators_editing_when_the_second_saves_a_stale_revision_then_409(operator):
    body = new_product()
    operator.post("/admin/products", body)
    path = f"/admin/products/{body['product_id']}"

    status, saved = operator.put(path, {**body, "name": "Pet Walker Accident Plus", "revision": 1})
    assert status == 200, saved
    assert (saved["revision"], saved["name"]) == (2, "Pet Walker Accident Plus")

    status, stale = operator.put(path, {**body, "summary": "Someone else's edit", "revision": 1})
    assert status == 409
    assert stale["error"]["fields"] == {"revision": "stale; the current revision is 2"}
    status, current = operator.get(path)
    assert current["summary"] == body["summary"]

    entries = operator.get("/admin/audit", f"entity=product:{body['product_id']}")[1]["entries"]
    assert [e["action"] for e in entries] == ["product.updated", "product.created"]
    assert entries[0]["changes"] == {
        "name": {"from": "Pet Walker Accident", "to": "Pet Walker Accident Plus"}
    }


def test_given_a_product_stored_before_newer_fields_when_an_operator_edits_one_field_then_only_it_is_audited(
    operator,
):
    """A product stored without `reunderwrite_on_renewal` and `cancellation` (older documents, the demo
    catalog): saving it with one edit logs that edit, not "(none) -> false" for fields nobody touched."""
    from catalog import store

    product = new_product()
    stored = {k: v for k, v in product.items() if k not in ("reunderwrite_on_renewal", "cancellation")}
    store.put_product({**stored, "status": "off_shelf", "rate_table_version": None, "premium_from": None})
    path = f"/admin/products/{product['product_id']}"
    _, current = operator.get(path)
    assert "reunderwrite_on_renewal" not in current

    # As the console sends it (its refund rule at the default) and as an API client may (fields left out).
    edits = [
        {**stored, "cancellation": {"after_cooling_off": "pro_rata"}, "summary": "Edited once."},
        {**stored, "summary": "Edited twice."},
    ]
    for revision, body in enumerate(edits, start=1):
        status, saved = operator.put(path, {**body, "revision": revision})
        assert status == 200, saved
    entries = operator.get("/admin/audit", f"entity=product:{product['product_id']}")[1]["entries"]
    assert [e["changes"] for e in entries] == [
        {"summary": {"from": "Edited once.", "to": "Edited twice."}},
        {"summary": {"from": product["summary"], "to": "Edited once."}},
    ]
    # A real change of such a field is still recorded.
    changed = {**stored, "summary": "Edited twice.", "reunderwrite_on_renewal": True, "revision": 3}
    status, saved = operator.put(path, changed)
    assert status == 200, saved
    latest = operator.get("/admin/audit", f"entity=product:{product['product_id']}")[1]["entries"][0]
    assert latest["changes"] == {"reunderwrite_on_renewal": {"from": False, "to": True}}


def test_given_an_edit_when_it_tries_to_change_the_id_or_omits_the_revision_then_422(operator):
    status, answer = operator.put(
        "/admin/products/accident-guardian", {**new_product("other"), "revision": 1}
    )
    assert status == 422 and "product_id" in answer["error"]["fields"]
    status, answer = operator.put("/admin/products/accident-guardian", {"name": "x"})
    assert status == 422 and answer["error"]["fields"]["revision"] == "is required"
    status, answer = operator.put("/admin/products/accident-guardian", new_product("accident-guardian"))
    assert status == 422 and answer["error"]["fields"] == {"revision": "is required"}
    status, answer = operator.put(
        "/admin/products/no-such-product", {**new_product("no-such-product"), "revision": 1}
    )
    assert status == 404


def test_given_a_product_without_rates_when_put_on_shelf_then_409(operator):
    body = new_product()
    operator.post("/admin/products", body)
    status, answer = operator.post(f"/admin/products/{body['product_id']}/shelf", {"status": "on_shelf"})
    assert status == 409
    assert "no published rate table" in answer["error"]["message"]
    status, answer = operator.post(f"/admin/products/{body['product_id']}/shelf", {"status": "sold"})
    assert status == 422


# --- rate tables, shelf, and what customers see ----------------------------------------------------


def test_given_a_bad_csv_when_uploaded_then_422_names_the_row_and_nothing_is_published(operator):
    body = new_product()
    operator.post("/admin/products", body)
    status, answer = publish(operator, body["product_id"], rates_csv(plus="abc"))
    assert status == 422
    assert answer["error"]["fields"] == {"csv": "row 4: premium 'abc' is not a number"}
    gap = rates_csv().replace("basic,1Y,41,60", "basic,1Y,45,60")
    status, answer = publish(operator, body["product_id"], gap)
    assert answer["error"]["fields"]["csv"].startswith("row 3: plan basic, term 1Y starts at age 45")
    assert operator.get(f"/admin/products/{body['product_id']}/rate-tables")[1] == {"versions": []}
    assert audit_actions(operator, f"product:{body['product_id']}") == ["product.created"]


def test_given_rates_published_and_shelved_then_customers_find_quote_and_see_the_from_price(
    operator, anonymous
):
    body = new_product()
    product_id = body["product_id"]
    operator.post("/admin/products", body)

    status, published = publish(operator, product_id)
    assert status == 201, published
    assert published == {"version": 1, "rows": 3, "effective_from": "2026-12-01", "premium_from": "39.00"}
    assert anonymous.get(f"/products/{product_id}")[0] == 404  # still off shelf

    status, shelved = operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    assert status == 200 and shelved["status"] == "on_shelf" and shelved["rate_table_version"] == 1

    listed = anonymous.get("/products", "q=pets")[1]["products"]
    assert product_id in [p["product_id"] for p in listed]
    summary = next(p for p in listed if p["product_id"] == product_id)
    assert summary["premium_from"] == "39.00" and summary["channels"] == ["h5", "pc"]
    assert product_id not in [
        p["product_id"] for p in anonymous.get("/products", "channel=partner_api")[1]["products"]
    ]

    status, premium = anonymous.post(
        f"/products/{product_id}/premium",
        {"plan": "plus", "age": 30, "gender": "F", "term": "1Y", "options": ["vet"]},
    )
    assert status == 200 and premium["premium"]["total"] == "94.00"

    versions = operator.get(f"/admin/products/{product_id}/rate-tables")[1]["versions"]
    assert [(v["version"], v["rows"], v["current"]) for v in versions] == [(1, 3, True)]
    assert versions[0]["published_by"]["email"] == operator.email
    assert audit_actions(operator, f"product:{product_id}") == [
        "product.shelved",
        "rates.published",
        "product.created",
    ]


def test_given_a_quote_on_v1_when_v2_is_published_then_new_quotes_use_v2_and_the_old_quote_orders_at_v1(
    operator, customer, anonymous
):
    body = new_product()
    product_id = body["product_id"]
    operator.post("/admin/products", body)
    publish(operator, product_id)
    operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    factors = {"product_id": product_id, "plan": "basic", "age": 30, "gender": "M", "term": "1Y"}
    status, old_quote = anonymous.post("/quotes", factors)
    assert status == 201, old_quote
    assert (old_quote["rate_table_version"], old_quote["premium"]["total"]) == (1, "39.00")

    status, published = publish(operator, product_id, rates_csv(basic="45.00"))
    assert status == 201 and published["version"] == 2

    status, new_quote = anonymous.post("/quotes", factors)
    assert (new_quote["rate_table_version"], new_quote["premium"]["total"]) == (2, "45.00")
    assert anonymous.get(f"/products/{product_id}")[1]["rate_table_version"] == 2

    status, order = customer.post(
        "/orders", _order_body(old_quote), headers={"idempotency-key": uuid.uuid4().hex}
    )
    assert status == 201, order
    assert order["premium"]["total"] == "39.00"
    assert order["premium"]["rate_table_version"] == 1


def test_given_a_quote_for_a_plan_the_product_withdrew_when_ordering_then_409_not_500(
    operator, customer, anonymous
):
    body = new_product()
    product_id = body["product_id"]
    operator.post("/admin/products", body)
    publish(operator, product_id)
    operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    factors = {"product_id": product_id, "plan": "basic", "age": 30, "gender": "M", "term": "1Y"}
    quote = anonymous.post("/quotes", factors)[1]
    operator.post(f"/admin/products/{product_id}/shelf", {"status": "off_shelf"})
    edited = operator.put(
        f"/admin/products/{product_id}", {**body, "plans": body["plans"][1:], "revision": 1}
    )
    assert edited[0] == 200, edited
    assert publish(operator, product_id, "\n".join([HEADER, "plus,1Y,18,60,*,79.00"]))[0] == 201
    shelved = operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    assert shelved[0] == 200, shelved

    status, answer = customer.post(
        "/orders", _order_body(quote), headers={"idempotency-key": uuid.uuid4().hex}
    )

    assert status == 409, answer
    assert "get a new quote" in answer["error"]["message"]


def test_given_an_on_shelf_product_when_an_edit_adds_a_plan_without_rates_then_409_until_off_shelf(operator):
    body = new_product()
    product_id = body["product_id"]
    operator.post("/admin/products", body)
    publish(operator, product_id)
    operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    gold = {"code": "gold", "name": "Gold", "sum_insured": 300000, "coverages": body["plans"][1]["coverages"]}
    edited = {**body, "plans": [*body["plans"], gold], "revision": 1}

    status, answer = operator.put(f"/admin/products/{product_id}", edited)
    assert status == 409
    assert "no rates for plan gold" in answer["error"]["message"]

    operator.post(f"/admin/products/{product_id}/shelf", {"status": "off_shelf"})
    status, saved = operator.put(f"/admin/products/{product_id}", edited)
    assert status == 200 and saved["revision"] == 2
    status, answer = operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    assert status == 409 and "no rates for plan gold" in answer["error"]["message"]
    csv = rates_csv() + "\ngold,1Y,18,60,*,99.00"
    assert publish(operator, product_id, csv)[0] == 201
    assert operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})[0] == 200


# --- banners, featured slots, categories, the home page ---------------------------------------------

BANNER = {
    "title": "Dog days",
    "subtitle": "Walk the dog, covered",
    "link": "/product.html?id=accident-guardian",
    "theme": "purple",
    "position": 9,
    "starts_at": "2026-01-01T00:00:00+08:00",
    "ends_at": "2030-01-01T00:00:00+08:00",
}


def test_given_a_banner_when_created_edited_and_deleted_then_the_home_page_follows_and_each_step_is_audited(
    operator, anonymous
):
    status, banner = operator.post("/admin/banners", BANNER)
    assert status == 201, banner
    banner_id = banner["banner_id"]
    home = anonymous.get("/home")[1]
    assert [b["banner_id"] for b in home["banners"]][-1] == banner_id
    assert home["banners"][0]["banner_id"] == "BDEMOWINTER"

    status, edited = operator.put(f"/admin/banners/{banner_id}", {**BANNER, "active": False})
    assert status == 200 and edited["active"] is False
    assert banner_id not in [b["banner_id"] for b in anonymous.get("/home")[1]["banners"]]

    assert operator.delete(f"/admin/banners/{banner_id}") == (200, {"deleted": True})
    assert operator.delete(f"/admin/banners/{banner_id}")[0] == 404
    assert audit_actions(operator, f"banner:{banner_id}") == [
        "banner.deleted",
        "banner.updated",
        "banner.created",
    ]
    status, answer = operator.post("/admin/banners", {**BANNER, "theme": "red"})
    assert status == 422 and set(answer["error"]["fields"]) == {"theme"}
    status, answer = operator.post("/admin/banners", {**BANNER, "link": "javascript:alert(1)"})
    assert status == 422 and set(answer["error"]["fields"]) == {"link"}


def test_given_a_banner_to_a_product_taken_off_shelf_when_the_home_is_read_then_it_is_not_shown(
    operator, anonymous, customer
):
    body = new_product()
    product_id = body["product_id"]
    operator.post("/admin/products", body)
    publish(operator, product_id)
    operator.post(f"/admin/products/{product_id}/shelf", {"status": "on_shelf"})
    status, banner = operator.post("/admin/banners", {**BANNER, "link": f"/product.html?id={product_id}"})
    assert status == 201, banner
    other = operator.post("/admin/banners", {**BANNER, "link": "/recommend.html"})[1]
    try:
        assert banner["banner_id"] in [b["banner_id"] for b in anonymous.get("/home")[1]["banners"]]

        operator.post(f"/admin/products/{product_id}/shelf", {"status": "off_shelf"})
        shown = [b["banner_id"] for b in anonymous.get("/home")[1]["banners"]]
        assert banner["banner_id"] not in shown
        assert other["banner_id"] in shown  # a banner that opens no product stays
        assert "BDEMOWINTER" in shown

        # What a customer then meets says so in words, without the product's internal id.
        status, answer = anonymous.get(f"/products/{product_id}")
        assert (status, answer["error"]["message"]) == (404, "This product is not on sale")
        status, answer = customer.post(
            "/quotes", {"product_id": product_id, "plan": "basic", "age": 30, "gender": "F", "term": "1Y"}
        )
        assert (status, answer["error"]["message"]) == (404, "This product is not on sale")
        status, answer = anonymous.post(
            f"/products/{product_id}/premium", {"plan": "basic", "age": 30, "gender": "F", "term": "1Y"}
        )
        assert status == 404 and product_id not in json.dumps(answer)
    finally:
        operator.delete(f"/admin/banners/{banner['banner_id']}")
        operator.delete(f"/admin/banners/{other['banner_id']}")


def test_given_featured_slots_when_replaced_then_home_lists_on_shelf_products_in_slot_order(
    operator, anonymous
):
    before = operator.get("/admin/featured")[1]["slots"]
    slots = [
        {"product_id": "home-family-shield", "label": "New home?"},
        {"product_id": "medical-classic-2024", "label": "Off shelf"},
        {"product_id": "accident-commuter", "label": "Commute"},
    ]
    status, saved = operator.put("/admin/featured", {"slots": slots})
    assert status == 200, saved
    assert [s["status"] for s in saved["slots"]] == ["on_shelf", "off_shelf", "on_shelf"]

    featured = anonymous.get("/home")[1]["featured"]
    assert [(f["product_id"], f["slot_label"]) for f in featured] == [
        ("home-family-shield", "New home?"),
        ("accident-commuter", "Commute"),
    ]
    assert featured[0]["premium_from"] == "88.00"
    pc = anonymous.get("/home", "channel=pc")[1]["featured"]
    assert [f["product_id"] for f in pc] == [
        "home-family-shield"
    ]  # the commuter cover is h5 and partner only

    status, answer = operator.put("/admin/featured", {"slots": [{"product_id": "nope"}]})
    assert status == 422 and "slots[0].product_id" in answer["error"]["fields"]
    operator.put(
        "/admin/featured", {"slots": [{"product_id": s["product_id"], "label": s["label"]} for s in before]}
    )
    assert audit_actions(operator, "featured:home")[:2] == ["featured.updated", "featured.updated"]


def test_given_a_category_when_created_and_edited_then_listed_in_sort_order_and_audited(operator, anonymous):
    category_id = f"pets-{uuid.uuid4().hex[:4]}"
    status, created = operator.post(
        "/admin/categories", {"category_id": category_id, "name": "Pets", "icon": "🐾", "sort": 0}
    )
    assert status == 201, created
    assert anonymous.get("/categories")[1]["categories"][0]["category_id"] == category_id
    assert operator.post("/admin/categories", {"category_id": category_id, "name": "Pets"})[0] == 409

    status, edited = operator.put(
        f"/admin/categories/{category_id}", {"name": "Pets & animals", "icon": "🐾", "sort": 60}
    )
    assert status == 200 and edited["name"] == "Pets & animals"
    assert anonymous.get("/categories")[1]["categories"][-1]["category_id"] == category_id
    assert operator.put("/admin/categories/no-such", {"name": "X"})[0] == 404
    assert audit_actions(operator, f"category:{category_id}") == ["category.updated", "category.created"]


def test_given_changes_when_the_latest_audit_is_read_then_newest_first_across_entities(operator):
    status, body = operator.get("/admin/audit", "limit=5")
    assert status == 200 and len(body["entries"]) == 5
    times = [e["at"] for e in body["entries"]]
    assert times == sorted(times, reverse=True)
    assert operator.get("/admin/audit", "limit=0")[0] == 422
    assert operator.get("/admin/audit", "entity=not an entity")[0] == 422


def test_given_the_home_page_then_banners_categories_and_needs_are_there(anonymous):
    status, home = anonymous.get("/home", "channel=h5")
    assert status == 200
    assert {"BDEMOWINTER", "BDEMOFAMILY", "BDEMOADVICE"} <= {b["banner_id"] for b in home["banners"]}
    assert set(home["banners"][0]) == {
        "banner_id",
        "title",
        "subtitle",
        "link",
        "theme",
        "position",
        "starts_at",
        "ends_at",
    }
    assert {"travel", "children", "critical_illness", "elderly"} <= {n["code"] for n in home["needs"]}
    assert home["categories"]
    assert anonymous.get("/home", "channel=tv")[0] == 422


# --- search and recommendation --------------------------------------------------------------------


def test_given_a_search_then_relevant_products_first_with_from_prices(anonymous):
    status, body = anonymous.get("/products", "q=critical%20illness")
    assert status == 200
    assert [p["product_id"] for p in body["products"]] == ["critical-illness-care"]
    assert body["products"][0]["premium_from"] == "84.00"
    travel = [p["product_id"] for p in anonymous.get("/products", "q=travel")[1]["products"]]
    assert set(travel) == {"travel-asia-explorer", "travel-worldwide"}
    assert anonymous.get("/products", "q=" + "x" * 101)[0] == 422


def test_given_an_unknown_kind_when_listing_products_then_422_names_the_kinds(anonymous):
    status, body = anonymous.get("/products", "kind=pet")
    assert status == 422, body
    assert "travel" in body["error"]["fields"]["kind"]
    status, body = anonymous.get("/products", "kind=travel")
    assert status == 200 and {p["kind"] for p in body["products"]} == {"travel"}


def test_given_a_parent_of_a_child_when_recommended_then_cover_for_the_child_is_suggested(anonymous):
    body = {"age": 38, "gender": "F", "family": {"children": 1}, "concerns": ["accident"]}
    status, answer = anonymous.post("/recommendations", body)
    assert status == 200, answer
    children = answer["for_children"]
    assert children["children"] == 1 and children["note"].startswith("Cover for your child")
    (cover,) = children["recommendations"]
    assert cover["product"]["product_id"] == "medical-million" and cover["ages"] == {"min": 0, "max": 17}
    assert cover["reasons"][0] == "Insures children from birth"
    assert cover["estimated_premium"]["from"] is True and float(cover["estimated_premium"]["total"]) > 0
    status, answer = anonymous.post("/recommendations", body | {"family": {"children": 0}})
    assert status == 200 and answer["for_children"] is None


def test_given_a_questionnaire_then_ranked_recommendations_with_reasons_and_estimates(anonymous):
    body = {
        "age": 35,
        "gender": "M",
        "family": {"spouse": True, "children": 2, "parents_over_60": False},
        "annual_budget": "3000",
        "concerns": ["accident", "life"],
        "existing_cover": ["medical"],
        "occupation_class": 1,
    }
    status, answer = anonymous.post("/recommendations", body)
    assert status == 200, answer
    first = answer["recommendations"][0]
    assert first["product"]["product_id"] == "term-life-harbour"
    assert first["reasons"][0] == "You listed life as a concern"
    assert set(first["estimated_premium"]) >= {"total", "plan", "term"}
    scores = [r["score"] for r in answer["recommendations"]]
    assert scores == sorted(scores, reverse=True)
    assert anonymous.post("/recommendations", body)[1] == answer  # deterministic

    status, bad = anonymous.post("/recommendations", {"age": "old", "gender": "X", "concerns": ["dragons"]})
    assert status == 422 and set(bad["error"]["fields"]) == {"age", "gender", "concerns[0]"}


# --- helpers ----------------------------------------------------------------------------------------


def _order_body(quote: dict) -> dict:
    inputs = quote["inputs"]
    start = date.fromisoformat(inputs["start_date"])
    birth = (start - timedelta(days=40)).replace(year=start.year - inputs["age"])
    sequence = 131 if inputs["gender"] == "M" else 132
    id_number = make_prc_id("110105", birth, f"{sequence:03d}")
    person = {"name": "Wang Fang", "id_type": "prc_id", "id_number": id_number}
    return {
        "quote_id": quote["quote_id"],
        "channel": "h5",
        "policyholder": {**person, "phone": "13912345678"},
        "insured": [{**person, "relation": "self"}],
        "health_answers": {"hq_disability": False},
        "accept_terms": True,
    }


def test_given_the_demo_products_when_read_by_an_operator_then_seeded_with_revision_1_and_a_from_price(
    operator,
):
    products = {p["product_id"]: p for p in operator.get("/admin/products")[1]["products"]}
    assert {p["status"] for p in products.values()} == {"on_shelf", "off_shelf"}
    assert products["accident-guardian"]["revision"] >= 1
    assert products["accident-guardian"]["premium_from"] == "99.00"
    assert re.fullmatch(r"\d+\.\d{2}", products["term-life-harbour"]["premium_from"])
