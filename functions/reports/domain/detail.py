"""The policy-level detail export (pure): one row per policy issued or cancelled in a period, from the
events (PolicyIssued, PolicyCancelled), with names rather than ids where the event has them, money in
CNY, times in China time, and text cells made safe for spreadsheets. No personal data: the events carry
none (no customer, no ID number), and the row leaves out the member ids they do carry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from insuremall.clock import CHINA
from insuremall.money import fen_to_text
from reports.domain.regions import province_name
from reports.domain.tables import neutralised

EVENT_TYPES = ("PolicyIssued", "PolicyCancelled")
COLUMNS = (
    ("event", "Event"),
    ("at", "Time (China)"),
    ("day", "China day"),
    ("policy_no", "Policy number"),
    ("order_id", "Order"),
    ("product", "Product"),
    ("product_id", "Product id"),
    ("insurer", "Insurer"),
    ("category_id", "Category"),
    ("channel", "Channel"),
    ("partner_id", "Partner"),
    ("province", "Province"),
    ("plan", "Plan"),
    ("term", "Term"),
    ("start_date", "Cover starts"),
    ("end_date", "Cover ends"),
    ("renewal_of", "Renews policy"),
    ("sum_insured", "Sum insured (CNY)"),
    ("gross_premium", "Gross premium (CNY)"),
    ("discount", "Discount (CNY)"),
    ("premium_paid", "Premium paid (CNY)"),
    ("refund", "Refund (CNY)"),
    ("rule", "Cancellation rule"),
    ("reason_code", "Cancellation reason"),
)
MONEY = frozenset({"gross_premium", "discount", "premium_paid", "refund"})
NUMBERS = frozenset({"sum_insured"})
HEADER = tuple(title for _, title in COLUMNS)


def row(event_type: str, occurred_at: str, payload: dict[str, Any]) -> tuple[Any, ...] | None:
    """The export row of one event; None for an event the export leaves out (test mode, another type)."""
    if event_type not in EVENT_TYPES or payload.get("livemode") is False:
        return None
    moment = datetime.fromisoformat(occurred_at).astimezone(CHINA)
    issued = event_type == "PolicyIssued"
    premium = int(payload.get("premium_cents") or 0)
    discount = int(payload.get("discount_cents") or 0)
    gross = payload.get("gross_cents")
    region = payload.get("region")
    values: dict[str, Any] = {
        "event": "issued" if issued else "cancelled",
        "at": moment.strftime("%Y-%m-%d %H:%M:%S"),
        "day": payload.get("cancelled_on")
        if not issued and payload.get("cancelled_on")
        else moment.date().isoformat(),
        "product": payload.get("product_name") or payload.get("product_id"),
        "insurer": payload.get("insurer_name") or payload.get("insurer_id"),
        "province": province_name(region) if region else "",
        "sum_insured": payload.get("sum_insured") if issued else None,
        "gross_premium": fen_to_text(gross if gross is not None else premium + discount) if issued else None,
        "discount": fen_to_text(discount) if issued else None,
        "premium_paid": fen_to_text(premium),
        "refund": None if issued else fen_to_text(int(payload.get("refund_cents") or 0)),
    }
    for name, _ in COLUMNS:
        if name not in values:
            values[name] = payload.get(name)
    return tuple(neutralised(_blank(values[name])) for name, _ in COLUMNS)


def _blank(value: Any) -> Any:
    return "" if value is None else value
