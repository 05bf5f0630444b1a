"""Catalog API: the mall home, search, products (customers see on-shelf only), premium calculation,
recommendation; and the operator console's routes under /admin (operators group only).

Each route parses, authorises, calls one use case (shelf, recommendations, products, merchandising,
audit_trail) with the collaborators from wiring, and returns its view.
"""

from __future__ import annotations

from chalice import Chalice, Response

from catalog import audit_trail, merchandising, products, recommendations, shelf, views, wiring
from insuremall import auth, web
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-catalog")
logger = get_logger("catalog")
web.install(app, logger)

store = wiring.store


def _params() -> dict:
    return app.current_request.query_params or {}


def _is_operator() -> bool:
    caller = auth.optional_caller(app.current_request)
    return bool(caller and caller.is_operator)


def _created(body: dict) -> Response:
    return Response(body=body, status_code=201)


@app.route("/catalog/health", methods=["GET"])
def health():
    return views.health()


# ---------- public ----------
@app.route("/home", methods=["GET"])
def home():
    channel = shelf.channel(_params().get("channel"))
    return views.home(shelf.home(store, channel=channel, now=wiring.now()))


@app.route("/categories", methods=["GET"])
def list_categories():
    return views.categories(shelf.categories(store))


@app.route("/insurers", methods=["GET"])
def list_insurers():
    return views.insurers(shelf.insurers(store))


@app.route("/products", methods=["GET"])
def list_products():
    params = _params()
    found = shelf.browse(
        store,
        category=params.get("category"),
        kind=params.get("kind"),
        channel=shelf.channel(params.get("channel")),
        query=params.get("q"),
        operator=_is_operator(),
    )
    return views.products(found, shelf.insurer_names(store))


@app.route("/products/{product_id}", methods=["GET"])
def get_product(product_id):
    return views.product_page(*shelf.product_page(store, product_id, operator=_is_operator()))


@app.route("/products/{product_id}/premium", methods=["POST"])
def calculate_premium(product_id):
    """Live premium calculation for the product page; nothing is stored (a quote is POST /quotes)."""
    operator = _is_operator()
    factors = web.json_object(app.current_request)
    return views.premium(product_id, shelf.premium(store, product_id, factors, operator=operator))


@app.route("/recommendations", methods=["POST"])
def recommend():
    answers = web.json_object(app.current_request)
    return views.recommendations(recommendations.recommend(store, answers))


# ---------- operators: products ----------
@app.route("/admin/products", methods=["GET"])
def admin_list_products():
    auth.operator(app.current_request)
    return views.admin_products(products.all_products(store), products.insurer_names(store))


@app.route("/admin/products", methods=["POST"])
def admin_create_product():
    actor = auth.operator(app.current_request)
    created = products.create(store, web.json_object(app.current_request), actor)
    return _created(views.admin_product(created, products.insurer_names(store)))


@app.route("/admin/products/{product_id}", methods=["GET"])
def admin_get_product(product_id):
    auth.operator(app.current_request)
    return views.admin_product(products.product(store, product_id), products.insurer_names(store))


@app.route("/admin/products/{product_id}", methods=["PUT"])
def admin_update_product(product_id):
    actor = auth.operator(app.current_request)
    updated = products.update(store, product_id, web.json_object(app.current_request), actor)
    return views.admin_product(updated, products.insurer_names(store))


@app.route("/admin/products/{product_id}/shelf", methods=["POST"])
def admin_shelve_product(product_id):
    actor = auth.operator(app.current_request)
    status = web.json_object(app.current_request).get("status")
    shelved = products.shelve(store, product_id, status, actor)
    return views.admin_product(shelved, products.insurer_names(store))


@app.route("/admin/products/{product_id}/rate-tables", methods=["GET"])
def admin_list_rate_tables(product_id):
    auth.operator(app.current_request)
    return views.rate_table_versions(*products.rate_tables(store, product_id))


@app.route("/admin/products/{product_id}/rate-tables", methods=["POST"])
def admin_publish_rate_table(product_id):
    actor = auth.operator(app.current_request)
    body = web.json_object(app.current_request)
    published = products.publish_rate_table(store, product_id, body, actor, now=wiring.now())
    return _created(views.published_rates(published))


# ---------- operators: banners, featured slots, categories ----------
@app.route("/admin/banners", methods=["GET"])
def admin_list_banners():
    auth.operator(app.current_request)
    return views.banners(merchandising.banners(store))


@app.route("/admin/banners", methods=["POST"])
def admin_create_banner():
    actor = auth.operator(app.current_request)
    return _created(
        views.banner(merchandising.create_banner(store, web.json_object(app.current_request), actor))
    )


@app.route("/admin/banners/{banner_id}", methods=["PUT"])
def admin_update_banner(banner_id):
    actor = auth.operator(app.current_request)
    body = web.json_object(app.current_request)
    return views.banner(merchandising.update_banner(store, banner_id, body, actor))


@app.route("/admin/banners/{banner_id}", methods=["DELETE"])
def admin_delete_banner(banner_id):
    actor = auth.operator(app.current_request)
    merchandising.delete_banner(store, banner_id, actor)
    return views.deleted()


@app.route("/admin/featured", methods=["GET"])
def admin_get_featured():
    auth.operator(app.current_request)
    return views.featured(merchandising.featured(store))


@app.route("/admin/featured", methods=["PUT"])
def admin_replace_featured():
    actor = auth.operator(app.current_request)
    body = web.json_object(app.current_request)
    return views.featured(merchandising.replace_featured(store, body, actor))


@app.route("/admin/categories", methods=["POST"])
def admin_create_category():
    actor = auth.operator(app.current_request)
    body = web.json_object(app.current_request)
    return _created(views.category(merchandising.create_category(store, body, actor)))


@app.route("/admin/categories/{category_id}", methods=["PUT"])
def admin_update_category(category_id):
    actor = auth.operator(app.current_request)
    body = web.json_object(app.current_request)
    return views.category(merchandising.update_category(store, category_id, body, actor))


# ---------- operators: audit trail ----------
@app.route("/admin/audit", methods=["GET"])
def admin_audit():
    auth.operator(app.current_request)
    params = _params()
    return views.audit_entries(audit_trail.entries(store, params.get("entity"), params.get("limit")))
