"""Every response shape of the catalog: what the mall, the product page and the operator console read.

Amounts are written by insuremall.money (the API's "169.00"); the catalog shows no personal data, so
nothing here masks.
"""

from __future__ import annotations

from insuremall.money import money_text

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
_INSURER_FIELDS = ("insurer_id", "name", "short_code", "hotline")
_INSURER_ON_PRODUCT = ("insurer_id", "name", "short_code", "hotline", "licence_no")


def health() -> dict:
    return {"status": "ok", "service": "catalog"}


# ---------- the mall ----------
def summary(product: dict, insurers: dict[str, str]) -> dict:
    item = {k: product[k] for k in _SUMMARY_FIELDS if k in product}
    item["insurer_name"] = insurers.get(product["insurer_id"], product["insurer_id"])
    item["plans"] = [
        {"code": p["code"], "name": p["name"], "sum_insured": p["sum_insured"]}
        for p in product.get("plans", [])
    ]
    item["premium_from"] = product.get("premium_from")
    return item


def home(found) -> dict:
    """`found` is a shelf.Home."""
    return {
        "banners": [{k: b.get(k) for k in _BANNER_FIELDS} for b in found.banners],
        "featured": [{**summary(f.product, found.insurers), "slot_label": f.label} for f in found.featured],
        "categories": found.categories,
        "needs": found.needs,
    }


def categories(found: list[dict]) -> dict:
    return {"categories": found}


def insurers(found: list[dict]) -> dict:
    return {"insurers": [{k: i[k] for k in _INSURER_FIELDS if k in i} for i in found]}


def products(found: list[dict], insurers: dict[str, str]) -> dict:
    return {"products": [summary(p, insurers) for p in found]}


def product_page(product: dict, insurer: dict) -> dict:
    view = dict(product)
    view["insurer"] = {k: insurer.get(k) for k in _INSURER_ON_PRODUCT}
    view.setdefault("premium_from", None)
    return view


def premium(product_id: str, priced) -> dict:
    """`priced` is a pricing.Priced."""
    return {"product_id": product_id, "premium": priced.premium.to_dict()}


def _estimate(estimate) -> dict:
    return {
        "total": money_text(estimate.premium.total),
        "currency": estimate.premium.currency,
        "plan": estimate.plan["code"],
        "plan_name": estimate.plan["name"],
        "term": estimate.term["code"],
        "term_label": estimate.term.get("label", estimate.term["code"]),
        "per": estimate.per,
        "rate_table_version": estimate.premium.rate_table_version,
    }


def recommendations(found) -> dict:
    """`found` is a recommendations.Found."""
    for_children = None
    if found.children:
        for_children = {
            "children": found.children,
            "note": found.children_note,
            "recommendations": [
                {
                    "product": summary(c.product, found.insurers),
                    "reasons": list(c.reasons),
                    "ages": {"min": c.youngest, "max": c.oldest},
                    "estimated_premium": _estimate(c.estimate) | {"from": True},
                }
                for c in found.for_children
            ],
        }
    return {
        "for_children": for_children,
        "recommendations": [
            {
                "product": summary(r.product, found.insurers),
                "score": r.score,
                "reasons": list(r.reasons),
                "estimated_premium": _estimate(r.estimate),
            }
            for r in found.recommendations
        ],
    }


# ---------- operators ----------
def admin_product(product: dict, insurers: dict[str, str]) -> dict:
    view = {"rate_table_version": None, "premium_from": None, "revision": 1, **product}
    view["insurer_name"] = insurers.get(product.get("insurer_id"), product.get("insurer_id"))
    return view


def admin_products(found: list[dict], insurers: dict[str, str]) -> dict:
    return {"products": [admin_product(p, insurers) for p in found]}


def rate_table_versions(tables: list[dict], current: int | None) -> dict:
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
            for t in tables
        ]
    }


def published_rates(published) -> dict:
    """`published` is a products.Published."""
    return {
        "version": published.table["version"],
        "rows": len(published.table["rows"]),
        "effective_from": published.table["effective_from"],
        "premium_from": published.product["premium_from"],
    }


def banners(found: list[dict]) -> dict:
    return {"banners": found}


def banner(found: dict) -> dict:
    """A banner as stored (its id and the validated fields)."""
    return found


def category(found: dict) -> dict:
    return found


def deleted() -> dict:
    return {"deleted": True}


def featured(slots) -> dict:
    """`slots` are merchandising.FeaturedSlot: each slot with the product it names as it is now."""
    return {
        "slots": [
            {**s.slot, "product_name": s.product.get("name"), "status": s.product.get("status")}
            for s in slots
        ]
    }


def audit_entries(entries: list[dict]) -> dict:
    return {"entries": entries}
