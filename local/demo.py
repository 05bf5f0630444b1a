"""Demo data for the local platform: the demo catalog, a demo customer and an operator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEMO_CATALOG = Path(__file__).resolve().parent / "demo_data" / "catalog.json"
DEMO_CUSTOMER = {"email": "demo@insuremall.test", "password": "Demo2026pass", "name": "Li Hua"}
DEMO_OPERATOR = {"email": "operator@insuremall.test", "password": "Operator2026pass", "name": "Ops Wang"}


def load_catalog(path: Path = DEMO_CATALOG) -> dict[str, Any]:
    return json.loads(path.read_text())


def with_premium_from(product: dict[str, Any], rate_tables: list[dict[str, Any]]) -> dict[str, Any]:
    """The product with its "from" price, computed by the rating engine as publishing does."""
    from catalog.domain.starting_price import premium_from

    current = next(
        t
        for t in rate_tables
        if t["product_id"] == product["product_id"] and t["version"] == product["rate_table_version"]
    )
    lowest = premium_from(product, current)
    return {**product, "premium_from": format(lowest, "f") if lowest is not None else None}


def seed_catalog(catalog: dict[str, Any] | None = None) -> dict[str, int]:
    from catalog import store

    catalog = catalog or load_catalog()
    for category in catalog["categories"]:
        store.put_category(category)
    for insurer in catalog["insurers"]:
        store.put_insurer(insurer)
    for rate_table in catalog["rate_tables"]:
        store.put_rate_table(rate_table)
    for product in catalog["products"]:
        store.put_product(with_premium_from(product, catalog["rate_tables"]))
    for banner in catalog.get("banners", []):
        store.put_banner(banner)
    store.put_featured(catalog.get("featured", []))
    return {
        k: len(catalog.get(k, []))
        for k in ("categories", "insurers", "products", "rate_tables", "banners", "featured")
    }


def create_user(aws, email: str, password: str, name: str, groups: tuple[str, ...] = ()) -> str:
    """A confirmed user with a permanent password, and their member profile."""
    from distribution.members import repository as members

    idp = aws.client("cognito-idp")
    pool = aws.refs["CustomerUserPool"]
    user = idp.admin_create_user(
        UserPoolId=pool,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": email},
            {"Name": "name", "Value": name},
            {"Name": "email_verified", "Value": "true"},
        ],
    )["User"]
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    for group in groups:
        idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName=group)
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    members.create_member(sub, email, name)
    return sub


def seed(aws) -> dict[str, Any]:
    counts = seed_catalog()
    create_user(aws, **DEMO_CUSTOMER)
    create_user(aws, **DEMO_OPERATOR, groups=("operators",))
    return counts
