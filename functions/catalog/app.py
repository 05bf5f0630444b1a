"""Catalog API: the mall home, search, products (customers see on-shelf only), premium calculation,
recommendation; and the operator console's routes under /admin (operators group only)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalice import Chalice, Response

from catalog import store
from catalog.domain import merchandising, product_rules, rating, recommendation, search
from catalog.domain.rate_table_upload import RateTableInvalid, build_rate_table, coverage_problems
from catalog.domain.starting_price import premium_from
from insuremall import audit, auth, errors, web
from insuremall.clock import now_iso
from insuremall.observability import get_logger

app = Chalice(app_name="insuremall-catalog")
logger = get_logger("catalog")
web.install(app, logger)

CHANNELS = ("h5", "pc", "partner_api")
_SUMMARY_FIELDS = (
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
_BANNER_FIELDS = ("banner_id", "title", "subtitle", "link", "theme", "position", "starts_at", "ends_at")


def _visible(product: dict, caller: auth.Caller | None) -> bool:
    return product.get("status") == "on_shelf" or bool(caller and caller.is_operator)


def _product_or_404(product_id: str, caller: auth.Caller | None) -> dict:
    operator = bool(caller and caller.is_operator)
    product = store.get_product(product_id, fresh=operator)
    if product is None or not _visible(product, caller):
        # Customers read this: no internal id (a draft's id or name is not theirs to see either).
        raise errors.NotFound("This product is not on sale")
    return product


def _insurer_names() -> dict[str, str]:
    return {i["insurer_id"]: i["name"] for i in store.list_insurers()}


def _summary(product: dict, insurers: dict[str, str]) -> dict:
    item = {k: product[k] for k in _SUMMARY_FIELDS if k in product}
    item["insurer_name"] = insurers.get(product["insurer_id"], product["insurer_id"])
    item["plans"] = [
        {"code": p["code"], "name": p["name"], "sum_insured": p["sum_insured"]}
        for p in product.get("plans", [])
    ]
    item["premium_from"] = product.get("premium_from")
    return item


def _channel(params: dict) -> str | None:
    channel = params.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise errors.Invalid({"channel": f"must be one of {', '.join(CHANNELS)}"})
    return channel


@app.route("/catalog/health", methods=["GET"])
def health():
    return {"status": "ok", "service": "catalog"}


# ---------- public ----------
@app.route("/home", methods=["GET"])
def home():
    channel = _channel(app.current_request.query_params or {})
    insurers = _insurer_names()
    featured = []
    for slot in store.get_featured():
        product = store.get_product(slot["product_id"])
        if product is None or product.get("status") != "on_shelf":
            continue
        if channel and channel not in product.get("channels", []):
            continue
        featured.append({**_summary(product, insurers), "slot_label": slot.get("label", "")})
    # A banner that opens a product no longer on sale would lead to a dead end: it is not shown.
    banners = [
        b
        for b in merchandising.banners_showing(store.list_banners(), datetime.now(UTC))
        if _on_sale_or_not_a_product(merchandising.linked_product_id(b.get("link", "")))
    ]
    return {
        "banners": [{k: b.get(k) for k in _BANNER_FIELDS} for b in banners],
        "featured": featured,
        "categories": store.list_categories(),
        "needs": search.needs(),
    }


def _on_sale_or_not_a_product(product_id: str | None) -> bool:
    if product_id is None:
        return True
    product = store.get_product(product_id)
    return product is not None and product.get("status") == "on_shelf"


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
    kind, channel, query = params.get("kind"), _channel(params), params.get("q")
    problems = {}
    if query is not None and len(query) > 100:
        problems["q"] = "at most 100 characters"
    if kind is not None and kind not in product_rules.KINDS:
        problems["kind"] = f"must be one of {', '.join(product_rules.KINDS)}"
    if problems:
        raise errors.Invalid(problems)
    insurers = _insurer_names()
    products = []
    for product in store.list_products(params.get("category")):
        if not _visible(product, caller):
            continue
        if kind and product.get("kind") != kind:
            continue
        if channel and channel not in product.get("channels", []):
            continue
        products.append(_summary(product, insurers))
    if query and query.strip():
        products = [match.product for match in search.search(products, query)]
    return {"products": products}


@app.route("/products/{product_id}", methods=["GET"])
def get_product(product_id):
    caller = auth.optional_caller(app.current_request)
    product = dict(_product_or_404(product_id, caller))
    insurer = store.get_insurer(product["insurer_id"]) or {}
    product["insurer"] = {
        k: insurer.get(k) for k in ("insurer_id", "name", "short_code", "hotline", "licence_no")
    }
    product.setdefault("premium_from", None)
    return product


@app.route("/products/{product_id}/premium", methods=["POST"])
def calculate_premium(product_id):
    """Live premium calculation for the product page; nothing is stored (a quote is POST /quotes)."""
    request = app.current_request
    product = _product_or_404(product_id, auth.optional_caller(request))
    body = web.json_object(request)
    rate_table = _current_rate_table(product)
    if rate_table is None:
        raise errors.Conflict("This product has no published rates yet")
    try:
        premium = rating.rate(product, rate_table, rating.parse_rating_request(product, body))
    except rating.RatingError as exc:
        raise errors.Invalid(exc.errors) from exc
    return {"product_id": product_id, "premium": premium.to_dict()}


@app.route("/recommendations", methods=["POST"])
def recommend():
    body = web.json_object(app.current_request)
    try:
        answers = recommendation.parse_questionnaire(body)
    except recommendation.QuestionnaireInvalid as exc:
        raise errors.Invalid(exc.errors) from exc
    products = [p for p in store.list_products() if p.get("status") == "on_shelf"]
    tables = {p["product_id"]: t for p in products if (t := _current_rate_table(p)) is not None}
    insurers = _insurer_names()
    for_children = None
    if answers.children:
        covers = recommendation.recommend_for_children(answers, products, tables)
        for_children = {
            "children": answers.children,
            "note": recommendation.children_note(answers, covers),
            "recommendations": [
                {
                    "product": _summary(c.product, insurers),
                    "reasons": list(c.reasons),
                    "ages": {"min": c.youngest, "max": c.oldest},
                    "estimated_premium": _estimate_view(c.estimate) | {"from": True},
                }
                for c in covers
            ],
        }
    return {
        "for_children": for_children,
        "recommendations": [
            {
                "product": _summary(r.product, insurers),
                "score": r.score,
                "reasons": list(r.reasons),
                "estimated_premium": _estimate_view(r.estimate),
            }
            for r in recommendation.recommend(answers, products, tables)
        ],
    }


def _estimate_view(estimate) -> dict:
    return {
        "total": format(estimate.premium.total, "f"),
        "currency": estimate.premium.currency,
        "plan": estimate.plan["code"],
        "plan_name": estimate.plan["name"],
        "term": estimate.term["code"],
        "term_label": estimate.term.get("label", estimate.term["code"]),
        "per": estimate.per,
        "rate_table_version": estimate.premium.rate_table_version,
    }


def _current_rate_table(product: dict) -> dict | None:
    version = product.get("rate_table_version")
    return store.get_rate_table(product["product_id"], int(version)) if version else None


# ---------- operators: products ----------
def _admin_view(product: dict, insurers: dict[str, str] | None = None) -> dict:
    insurers = insurers if insurers is not None else _insurer_names()
    view = {"rate_table_version": None, "premium_from": None, "revision": 1, **product}
    view["insurer_name"] = insurers.get(product.get("insurer_id"), product.get("insurer_id"))
    return view


def _validated_product(body: dict) -> dict:
    try:
        return product_rules.validate_product(
            body,
            insurers={i["insurer_id"] for i in store.list_insurers()},
            categories={c["category_id"] for c in store.list_categories()},
        )
    except product_rules.ProductInvalid as exc:
        raise errors.Invalid(exc.errors) from exc


@app.route("/admin/products", methods=["GET"])
def admin_list_products():
    auth.operator(app.current_request)
    insurers = _insurer_names()
    products = sorted(store.list_products(consistent=True), key=lambda p: p["product_id"])
    return {"products": [_admin_view(p, insurers) for p in products]}


@app.route("/admin/products", methods=["POST"])
def admin_create_product():
    request = app.current_request
    actor = auth.operator(request)
    product = _validated_product(web.json_object(request))
    product.update(status="off_shelf", rate_table_version=None, premium_from=None, revision=1)
    store.create_product(product, actor)
    return Response(body=_admin_view(product), status_code=201)


@app.route("/admin/products/{product_id}", methods=["GET"])
def admin_get_product(product_id):
    auth.operator(app.current_request)
    product, _ = store.read_product(product_id)
    return _admin_view(product)


@app.route("/admin/products/{product_id}", methods=["PUT"])
def admin_update_product(product_id):
    request = app.current_request
    actor = auth.operator(request)
    body = web.json_object(request)
    revision = body.get("revision")
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise errors.Invalid({"revision": "is required: the revision you edited"})
    if body.get("product_id", product_id) != product_id:
        raise errors.Invalid({"product_id": "cannot change; create a new product instead"})
    edited = _validated_product({**body, "product_id": product_id})
    before, guard = store.read_product(product_id)
    current = int(before.get("revision") or 1)
    if revision != current:
        raise errors.Conflict(
            f"Someone saved this product after you opened it (revision {current}, you edited {revision}); "
            "reload it and make your changes again",
            {"revision": f"stale; the current revision is {current}"},
        )
    after = {
        **edited,
        "status": before.get("status", "off_shelf"),
        "rate_table_version": before.get("rate_table_version"),
        "premium_from": before.get("premium_from"),
        "revision": current + 1,
    }
    if after["status"] == "on_shelf":
        problems = _sale_problems(after)
        if problems:
            raise errors.Conflict(
                "This product is on shelf and its current rate table would not price it as edited: "
                f"{problems}. Take it off shelf, publish rates for the change, then put it back on shelf"
            )
    if after["rate_table_version"]:
        # Plans or terms may have changed; the "from" price follows the current table.
        table = store.get_rate_table(product_id, int(after["rate_table_version"]))
        found = premium_from(after, table) if table else None
        after["premium_from"] = format(found, "f") if found is not None else None
    store.update_product(before, after, guard, actor)
    return _admin_view(after)


def _sale_problems(product: dict) -> str | None:
    """Why the product's current rate table cannot price it for sale, or None."""
    table = _current_rate_table(product)
    if table is None:
        return "it has no published rate table yet"
    problems: list[str] = []
    if table.get("basis") == "table":
        problems += coverage_problems(product, table.get("rows") or [])
    priced = set(table.get("options") or {})
    unpriced = [o["code"] for o in product.get("options") or () if o["code"] not in priced]
    if unpriced:
        problems.append(f"options {', '.join(unpriced)} have no price")
    classes = product.get("occupation_classes")
    if classes:
        factors = (table.get("factors") or {}).get("occupation_class") or {}
        missing = [str(c) for c in range(1, int(classes["max"]) + 1) if str(c) not in factors]
        if missing:
            problems.append(f"occupation classes {', '.join(missing)} have no factor")
    if not problems:
        return None
    shown = "; ".join(problems[:3])
    return shown + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")


@app.route("/admin/products/{product_id}/shelf", methods=["POST"])
def admin_shelve_product(product_id):
    request = app.current_request
    actor = auth.operator(request)
    status = web.json_object(request).get("status")
    if status not in ("on_shelf", "off_shelf"):
        raise errors.Invalid({"status": "must be on_shelf or off_shelf"})
    before, guard = store.read_product(product_id)
    if before.get("status") == status:
        return _admin_view(before)
    after = {**before, "status": status}
    if status == "on_shelf":
        problem = _sale_problems(after)
        if problem:
            raise errors.Conflict(f"Cannot put this product on shelf: {problem}")
    store.update_product(before, after, guard, actor, action="product.shelved")
    return _admin_view(after)


@app.route("/admin/products/{product_id}/rate-tables", methods=["GET"])
def admin_list_rate_tables(product_id):
    auth.operator(app.current_request)
    product, _ = store.read_product(product_id)
    current = product.get("rate_table_version")
    return {
        "versions": [
            {
                "version": t["version"],
                "effective_from": t.get("effective_from"),
                "basis": t.get("basis"),
                "rows": len(t.get("rows") or ()),
                "published_at": t.get("published_at"),
                "published_by": t.get("published_by"),
                "current": t["version"] == current,
            }
            for t in store.list_rate_tables(product_id)
        ]
    }


@app.route("/admin/products/{product_id}/rate-tables", methods=["POST"])
def admin_publish_rate_table(product_id):
    request = app.current_request
    actor = auth.operator(request)
    body = web.json_object(request)
    before, guard = store.read_product(product_id)
    previous = _current_rate_table(before)
    version = store.latest_rate_table_version(product_id) + 1
    try:
        table = build_rate_table(
            before,
            body,
            previous,
            version,
            published_at=now_iso(),
            published_by={"id": actor.subject, "email": actor.email},
        )
    except RateTableInvalid as exc:
        raise errors.Invalid(exc.errors, "The rate table was not published") from exc
    lowest = premium_from(before, table)
    after = {
        **before,
        "rate_table_version": version,
        "premium_from": format(lowest, "f") if lowest is not None else None,
    }
    store.publish_rate_table(table, before, after, guard, actor)
    return Response(
        body={
            "version": version,
            "rows": len(table["rows"]),
            "effective_from": table["effective_from"],
            "premium_from": after["premium_from"],
        },
        status_code=201,
    )


# ---------- operators: banners, featured slots, categories ----------
def _banner_body(request) -> dict:
    try:
        return merchandising.validate_banner(web.json_object(request))
    except merchandising.MerchandisingInvalid as exc:
        raise errors.Invalid(exc.errors) from exc


@app.route("/admin/banners", methods=["GET"])
def admin_list_banners():
    auth.operator(app.current_request)
    banners = sorted(store.list_banners(), key=lambda b: (b.get("position", 99), b["banner_id"]))
    return {"banners": banners}


@app.route("/admin/banners", methods=["POST"])
def admin_create_banner():
    request = app.current_request
    actor = auth.operator(request)
    return Response(body=store.create_banner(_banner_body(request), actor), status_code=201)


@app.route("/admin/banners/{banner_id}", methods=["PUT"])
def admin_update_banner(banner_id):
    request = app.current_request
    actor = auth.operator(request)
    return store.update_banner(banner_id, _banner_body(request), actor)


@app.route("/admin/banners/{banner_id}", methods=["DELETE"])
def admin_delete_banner(banner_id):
    actor = auth.operator(app.current_request)
    store.delete_banner(banner_id, actor)
    return {"deleted": True}


def _featured_view(slots: list[dict]) -> dict:
    views = []
    for slot in slots:
        product = store.get_product(slot["product_id"], fresh=True) or {}
        views.append({**slot, "product_name": product.get("name"), "status": product.get("status")})
    return {"slots": views}


@app.route("/admin/featured", methods=["GET"])
def admin_get_featured():
    auth.operator(app.current_request)
    return _featured_view(store.get_featured())


@app.route("/admin/featured", methods=["PUT"])
def admin_replace_featured():
    request = app.current_request
    actor = auth.operator(request)
    body = web.json_object(request)
    known = {p["product_id"] for p in store.list_products(consistent=True)}
    try:
        slots = merchandising.validate_featured(body, known)
    except merchandising.MerchandisingInvalid as exc:
        raise errors.Invalid(exc.errors) from exc
    return _featured_view(store.replace_featured(slots, actor))


@app.route("/admin/categories", methods=["POST"])
def admin_create_category():
    request = app.current_request
    actor = auth.operator(request)
    try:
        category = merchandising.validate_category(web.json_object(request))
    except merchandising.MerchandisingInvalid as exc:
        raise errors.Invalid(exc.errors) from exc
    return Response(body=store.create_category(category, actor), status_code=201)


@app.route("/admin/categories/{category_id}", methods=["PUT"])
def admin_update_category(category_id):
    request = app.current_request
    actor = auth.operator(request)
    try:
        category = merchandising.validate_category(web.json_object(request), category_id)
    except merchandising.MerchandisingInvalid as exc:
        raise errors.Invalid(exc.errors) from exc
    return store.update_category(category, actor)


# ---------- operators: audit trail ----------
@app.route("/admin/audit", methods=["GET"])
def admin_audit():
    request = app.current_request
    auth.operator(request)
    params = request.query_params or {}
    problems = {}
    entity = params.get("entity") or None
    if entity is not None and not audit.is_entity(entity):
        problems["entity"] = (
            "use <kind>:<id>, e.g. product:accident-guardian or commission-rates:product:accident-guardian;"
            f" the kinds are {', '.join(audit.ENTITY_KINDS)}"
        )
    raw_limit = params.get("limit", "50")
    limit = int(raw_limit) if raw_limit.isdigit() else 0
    if not 1 <= limit <= audit.MAX_LIMIT:
        problems["limit"] = f"must be a whole number from 1 to {audit.MAX_LIMIT}"
    if problems:
        raise errors.Invalid(problems)
    return {"entries": store.audit_trail(entity, limit)}
