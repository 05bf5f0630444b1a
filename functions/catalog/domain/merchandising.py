"""The mall home's merchandising: banners, featured slots and categories, as operators set them.

Pure rules; every problem keyed by its field. Times are ISO 8601 with a UTC offset and are
compared as instants.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from insuremall.errors import Invalid

THEMES = ("blue", "green", "orange", "purple")
MAX_FEATURED = 8
CATEGORY_ID = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
# A banner links inside the mall (/product.html?id=...) or to an https page; never javascript: etc.
LINK = re.compile(r"^(?:/(?!/)[^\s]*|#[^\s]*|https://[^\s]+)$")


class MerchandisingInvalid(Invalid):
    @property
    def errors(self) -> dict[str, str]:
        return self.fields


# --- banners -----------------------------------------------------------------------------------


def validate_banner(body: dict) -> dict[str, Any]:
    errors: dict[str, str] = {}
    banner: dict[str, Any] = {
        "title": _text(body.get("title"), "title", errors, limit=60, required=True),
        "subtitle": _text(body.get("subtitle", ""), "subtitle", errors, limit=140, required=False),
    }
    link = body.get("link", "")
    if not isinstance(link, str) or (link and not LINK.match(link.strip())) or len(link) > 500:
        errors["link"] = (
            "a path in the mall such as /product.html?id=travel-asia-explorer, or an https:// address"
        )
    banner["link"] = link.strip() if isinstance(link, str) else ""
    theme = body.get("theme", "blue")
    if theme not in THEMES:
        errors["theme"] = f"must be one of {', '.join(THEMES)}"
    banner["theme"] = theme
    position = body.get("position", 1)
    if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= 99:
        errors["position"] = "must be a whole number from 1 to 99 (1 shows first)"
    banner["position"] = position
    starts = _instant(body.get("starts_at"), "starts_at", errors)
    ends = _instant(body.get("ends_at"), "ends_at", errors)
    if starts and ends and ends <= starts:
        errors["ends_at"] = "must be after starts_at"
    banner["starts_at"] = starts.isoformat() if starts else None
    banner["ends_at"] = ends.isoformat() if ends else None
    active = body.get("active", True)
    if not isinstance(active, bool):
        errors["active"] = "must be true or false"
    banner["active"] = active
    if errors:
        raise MerchandisingInvalid(errors)
    return banner


def banners_showing(banners: list[dict], now: datetime) -> list[dict]:
    """Active banners whose dates include `now`, in position order (then by id, to be stable)."""
    showing = [
        b
        for b in banners
        if b.get("active")
        and datetime.fromisoformat(b["starts_at"]) <= now < datetime.fromisoformat(b["ends_at"])
    ]
    return sorted(showing, key=lambda b: (b.get("position", 99), b.get("banner_id", "")))


def linked_product_id(link: str) -> str | None:
    """The product a banner opens (a mall link to product.html?id=...), or None for any other link."""
    parts = urlsplit(str(link or "").strip())
    if parts.scheme or parts.netloc or parts.path.lstrip("/") != "product.html":
        return None
    ids = parse_qs(parts.query).get("id")
    return ids[0] if ids and ids[0] else None


# --- featured slots ----------------------------------------------------------------------------


def validate_featured(body: dict, product_ids: set[str]) -> list[dict[str, str]]:
    slots = body.get("slots")
    if not isinstance(slots, list):
        raise MerchandisingInvalid({"slots": 'is required: [{"product_id": "...", "label": "..."}]'})
    errors: dict[str, str] = {}
    if len(slots) > MAX_FEATURED:
        errors["slots"] = f"at most {MAX_FEATURED} featured slots"
    clean, seen = [], set()
    for i, slot in enumerate(slots):
        where = f"slots[{i}]"
        if not isinstance(slot, dict):
            errors[where] = "must be an object with product_id and label"
            continue
        product_id = slot.get("product_id")
        if not isinstance(product_id, str) or product_id not in product_ids:
            errors[f"{where}.product_id"] = f"unknown product {product_id!r}"
        elif product_id in seen:
            errors[f"{where}.product_id"] = f"{product_id} is already featured in an earlier slot"
        seen.add(product_id)
        label = _text(slot.get("label", ""), f"{where}.label", errors, limit=30, required=False)
        clean.append({"product_id": product_id, "label": label})
    if errors:
        raise MerchandisingInvalid(errors)
    return clean


# --- categories --------------------------------------------------------------------------------


def validate_category(body: dict, category_id: str | None = None) -> dict[str, Any]:
    """A category; on edit `category_id` comes from the path and the body may not change it."""
    errors: dict[str, str] = {}
    given = body.get("category_id", category_id)
    if category_id is not None and given != category_id:
        errors["category_id"] = "cannot change; create a new category instead"
    elif not isinstance(given, str) or not (2 <= len(given) <= 40 and CATEGORY_ID.match(given)):
        errors["category_id"] = "use 2-40 lowercase letters, digits, _ or -"
    category = {
        "category_id": given,
        "name": _text(body.get("name"), "name", errors, limit=40, required=True),
        "icon": _text(body.get("icon", ""), "icon", errors, limit=16, required=False),
    }
    sort = body.get("sort", 99)
    if isinstance(sort, bool) or not isinstance(sort, int) or not 0 <= sort <= 999:
        errors["sort"] = "must be a whole number from 0 to 999 (lower shows first)"
    category["sort"] = sort
    if errors:
        raise MerchandisingInvalid(errors)
    return category


# --- small pieces ------------------------------------------------------------------------------


def _text(value: object, field: str, errors: dict, limit: int, required: bool) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors[field] = "is required"
        return ""
    if not isinstance(value, str):
        errors[field] = "must be text"
        return ""
    if len(value.strip()) > limit:
        errors[field] = f"is too long (at most {limit} characters)"
    return value.strip()


def _instant(value: object, field: str, errors: dict) -> datetime | None:
    if value is None or value == "":
        errors[field] = "is required (ISO 8601, e.g. 2026-12-01T00:00:00+08:00)"
        return None
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errors[field] = "use ISO 8601, e.g. 2026-12-01T00:00:00+08:00"
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)  # a time without an offset is taken as UTC
    return instant
