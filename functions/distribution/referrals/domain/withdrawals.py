"""Withdrawals of promotion fees (pure): what a request and a payout account must be, how a
withdrawal's status may change, and when it is approved without an operator."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from insuremall.clock import CHINA
from insuremall.money import from_cents

STATUSES = ("pending", "approved", "paid", "rejected")
DECISIONS = ("approve", "reject")
MAX_AMOUNT_CENTS = 100_000_000  # CNY 1,000,000 in one request
MAX_NOTE = 200
_ACCOUNT_NO = re.compile(r"^\d{12,19}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InvalidDecision(Exception):
    """The decision cannot be made on a withdrawal in its current status."""


def china_day(moment: datetime | None = None) -> date:
    return (moment or datetime.now(UTC)).astimezone(CHINA).date()


# ---------- requests ----------


def parse_request(body: dict[str, Any], settings: dict[str, Any]) -> tuple[int, dict[str, str]]:
    """The amount asked for, in fen; problems per field when it is not a whole number of fen at or
    above the operators' minimum."""
    amount = body.get("amount_cents")
    minimum = int(settings["withdrawal_min_cents"])
    if isinstance(amount, bool) or not isinstance(amount, int):
        return 0, {"amount_cents": "must be a whole number of fen, e.g. 5000 for CNY 50.00"}
    if amount < minimum:
        return amount, {
            "amount_cents": f"the minimum withdrawal is {minimum} fen (CNY {from_cents(minimum)})"
        }
    if amount > MAX_AMOUNT_CENTS:
        return amount, {"amount_cents": f"at most {MAX_AMOUNT_CENTS} fen in one request"}
    return amount, {}


def valid_idempotency_key(key: str | None) -> bool:
    return key is None or bool(_KEY.match(key))


def auto_approves(amount_cents: int, settings: dict[str, Any]) -> bool:
    """Below `auto_approve_below_cents` a withdrawal is approved and paid at once (0 turns it off)."""
    threshold = int(settings.get("auto_approve_below_cents") or 0)
    return threshold > 0 and amount_cents < threshold


# ---------- payout accounts ----------


def parse_payout_account(body: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """{holder_name, bank_name, account_no}; spaces and dashes in the number are ignored."""
    problems: dict[str, str] = {}
    account: dict[str, str] = {}
    for name, low, high in (("holder_name", 2, 60), ("bank_name", 2, 60)):
        value = body.get(name)
        if not isinstance(value, str) or not low <= len(value.strip()) <= high:
            problems[name] = f"is required, {low} to {high} characters"
        else:
            account[name] = " ".join(value.split())
    number = body.get("account_no")
    digits = re.sub(r"[\s-]", "", number) if isinstance(number, str) else ""
    if not _ACCOUNT_NO.match(digits):
        problems["account_no"] = "must be the bank account or card number: 12 to 19 digits"
    else:
        account["account_no"] = digits
    return account, problems


def mask_account_no(number: str) -> str:
    """Only the last 4 digits are shown: ************1234."""
    return "*" * (len(number) - 4) + number[-4:]


def mask_holder_name(name: str) -> str:
    """The first character is shown: Z******* or 张*."""
    return name[:1] + "*" * max(1, len(name) - 1)


def account_view(account: dict[str, Any]) -> dict[str, Any]:
    return {
        "holder_name": mask_holder_name(account["holder_name"]),
        "bank_name": account["bank_name"],
        "account_no": mask_account_no(account["account_no"]),
        "updated_at": account.get("updated_at"),
    }


def account_snapshot(account: dict[str, Any]) -> dict[str, str]:
    """What a withdrawal keeps of the account: the masked view and the token of the saved account."""
    return {
        "holder_name": mask_holder_name(account["holder_name"]),
        "bank_name": account["bank_name"],
        "account_no": mask_account_no(account["account_no"]),
        "token": account["token"],
    }


# ---------- decisions ----------


def parse_decision(body: dict[str, Any]) -> tuple[str, str | None, dict[str, str]]:
    decision, note = body.get("decision"), body.get("note")
    problems: dict[str, str] = {}
    if decision not in DECISIONS:
        problems["decision"] = 'must be "approve" or "reject"'
    if note is not None and (not isinstance(note, str) or len(note.strip()) > MAX_NOTE):
        problems["note"] = f"at most {MAX_NOTE} characters"
    elif isinstance(note, str):
        note = note.strip() or None
    return decision if not problems else "", note if not problems else None, problems


DECIDED = {"approve": "approved", "reject": "rejected"}


def not_enough_available(available_cents: int) -> tuple[str, str]:
    """Why a withdrawal above the available balance is refused: (message, the amount field's text).
    A clawback of fees already withdrawn leaves the balance below zero: that is money owed."""
    if available_cents < 0:
        owed = f"CNY {from_cents(-available_cents)}"
        return (
            f"You owe {owed}: promotion fees of a cancelled policy were clawed back after they were "
            f"withdrawn. Nothing can be withdrawn until new fees cover the {owed}.",
            f"nothing is available: {-available_cents} fen is owed",
        )
    if available_cents == 0:
        return "You have nothing available to withdraw now", "more than your available balance (0 fen)"
    return (
        f"You can withdraw at most CNY {from_cents(available_cents)} now",
        f"more than your available balance ({available_cents} fen)",
    )


def next_step(status: str, decision: str) -> str:
    """What deciding `decision` on a withdrawal in `status` does:
    "approve"  move pending -> approved, then pay out;
    "pay"      it is approved (a payout that did not finish): pay out now;
    "reject"   move pending -> rejected and return the money;
    "done"     the decision was already carried out (a repeated request changes nothing).
    Raises InvalidDecision when the withdrawal was decided the other way."""
    if decision == "approve":
        step = {"pending": "approve", "approved": "pay", "paid": "done"}.get(status)
    elif decision == "reject":
        step = {"pending": "reject", "rejected": "done"}.get(status)
    else:
        raise ValueError(decision)
    if step is None:
        raise InvalidDecision(f"This withdrawal is {status}; it cannot be {DECIDED[decision]}")
    return step


def view(withdrawal: dict[str, Any], for_operator: bool = False) -> dict[str, Any]:
    shown = {
        "withdrawal_id": withdrawal["withdrawal_id"],
        "amount_cents": withdrawal["amount_cents"],
        "amount": str(from_cents(withdrawal["amount_cents"])),
        "status": withdrawal["status"],
        "requested_at": withdrawal["requested_at"],
        "decided_at": withdrawal.get("decided_at"),
        "auto_approved": withdrawal.get("auto_approved", False),
        "note": withdrawal.get("note"),
        "payout_account": {k: v for k, v in withdrawal["payout_account"].items() if k != "token"},
        "payout": withdrawal.get("payout"),
        "history": [
            {k: v for k, v in change.items() if for_operator or k != "by"} for change in withdrawal["history"]
        ],
    }
    if for_operator:
        shown["member_id"] = withdrawal["member_id"]
        shown["decided_by"] = withdrawal.get("decided_by")
    return shown
