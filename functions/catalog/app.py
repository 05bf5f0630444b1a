"""Catalog API: categories, insurers, products (customers see on-shelf only), premium calculation."""

from __future__ import annotations

from chalice import Chalice

from catalog import store
from catalog.domain import rating
from insuremall import auth, errors
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-catalog")
logger = get_logger("catalog")
errors.install(app, logger)

_LIST_FIELDS = (
    "product_id",
    "name",
    "insurer_id",
    "category_id",
    "kind",
    "summary",
    "tags",
    "status",
    "channels",
    "age_limits",
    "terms",
    "cooling_off_days",
)


def _visible(product: dict, caller: auth.Caller | None) -> bool:
    return product.get("status") == "on_shelf" or bool(caller and caller.is_operator)


def _product_or_404(product_id: str, caller: auth.Caller | None) -> dict:
    product = store.get_product(product_id)
    if product is None or not _visible(product, caller):
        raise errors.NotFound(f"No product {product_id!r}")
    return product


@app.route("/catalog/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "catalog"}


@app.route("/categories", methods=["GET"])
def list_categories():
    return {"categories": store.list_categories()}


@app.route("/insurers", methods=["GET"])
def list_insurers():
    return {
        "insurers": [
            {k: i[k] for k in ("insurer_id", "name", "short_code", "hotline") if k in i}
            for i in store.list_insurers()
        ]
    }


@app.route("/products", methods=["GET"])
def list_products():
    request = app.current_request
    params = request.query_params or {}
    caller = auth.optional_caller(request)
    kind, channel = params.get("kind"), params.get("channel")
    insurers = {i["insurer_id"]: i["name"] for i in store.list_insurers()}
    products = []
    for product in store.list_products(params.get("category")):
        if not _visible(product, caller):
            continue
        if kind and product.get("kind") != kind:
            continue
        if channel and channel not in product.get("channels", []):
            continue
        item = {k: product[k] for k in _LIST_FIELDS if k in product}
        item["insurer_name"] = insurers.get(product["insurer_id"], product["insurer_id"])
        item["plans"] = [
            {"code": p["code"], "name": p["name"], "sum_insured": p["sum_insured"]}
            for p in product.get("plans", [])
        ]
        products.append(item)
    return {"products": products}


@app.route("/products/{product_id}", methods=["GET"])
def get_product(product_id):
    caller = auth.optional_caller(app.current_request)
    product = dict(_product_or_404(product_id, caller))
    insurer = store.get_insurer(product["insurer_id"]) or {}
    product["insurer"] = {
        k: insurer.get(k) for k in ("insurer_id", "name", "short_code", "hotline", "licence_no")
    }
    return product


@app.route("/products/{product_id}/premium", methods=["POST"])
def calculate_premium(product_id):
    """Live premium calculation for the product page; nothing is stored (a quote is POST /quotes)."""
    request = app.current_request
    product = _product_or_404(product_id, auth.optional_caller(request))
    body = errors.json_object(request)
    rate_table = store.get_rate_table(product_id, int(product["rate_table_version"]))
    if rate_table is None:
        raise errors.Conflict("This product has no published rates yet")
    try:
        premium = rating.rate(product, rate_table, rating.parse_rating_request(product, body))
    except rating.RatingError as exc:
        raise errors.ValidationFailed(exc.errors) from exc
    return {"product_id": product_id, "premium": premium.to_dict()}
