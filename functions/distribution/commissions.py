"""Promotion fees over the policy lifecycle: earned when a policy is issued (pending through
cooling-off), released by the daily job, voided or clawed back when the policy is cancelled.

Every write is a ledger post keyed by (policy, level, kind), so a redelivered event or a re-run day
writes nothing twice. Release and void exclude each other by their conditions (a release requires
no void entry, a void requires no release entry), so a release racing a cancellation applies one.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from distribution.domain import commission
from distribution.promotions.repository import program_settings as settings
from distribution.rewards import commission_rates, ledger
from distribution.rewards.ledger import Entry, PreconditionFailed, entry_sk
from insuremall import aws
from insuremall.config import get_settings
from insuremall.models.members import PROFILE_SK
from insuremall.models.members import member_pk as members_pk
from insuremall.observability import get_logger

logger = get_logger("distribution-commissions")


def _subject(policy_no: str, level: int) -> str:
    return f"P{policy_no}#L{level}"


def _points_key(policy_no: str, level: int) -> str:
    return f"FEE#P{policy_no}#L{level}"


_client = None


def _dynamodb():
    global _client  # noqa: PLW0603 - one client per container
    if _client is None:
        _client = aws.client("dynamodb")
    return _client


def licence_verified(member_id: str) -> bool:
    """Whether the member's agent licence is verified (the profile's `agent_licence`, set by
    operators). Read as a raw attribute so this does not depend on how the profile model maps it."""
    item = (
        _dynamodb()
        .get_item(
            TableName=get_settings().members_table,
            Key={"pk": {"S": members_pk(member_id)}, "sk": {"S": PROFILE_SK}},
            ProjectionExpression="agent_licence",
            ConsistentRead=True,
        )
        .get("Item")
        or {}
    )
    raw = item.get("agent_licence")
    if not raw:
        return False
    if "S" in raw:
        try:
            licence = json.loads(raw["S"])
        except ValueError:
            return False
    elif "M" in raw:
        licence = {k: v.get("BOOL", v.get("S")) for k, v in raw["M"].items()}
    else:
        return False
    return isinstance(licence, dict) and licence.get("verified") is True


def _rate(product_id: str, category_id: str | None, day: date) -> dict[str, Any] | None:
    rate = commission_rates.in_effect("product", product_id, day)
    if rate is None and category_id:
        rate = commission_rates.in_effect("category", category_id, day)
    return commission.select_rate(rate, None)


# ---------- PolicyIssued ----------
def on_policy_issued(payload: dict[str, Any], event_type: str = "PolicyIssued") -> dict[str, Any]:
    """Earn entries (pending) per attributed level at the rate in effect on the issue day."""
    attribution = payload.get("attribution") or {}
    if not attribution.get("level1") and not attribution.get("level2"):
        return {"earned": 0}
    policy_no = payload["policy_no"]
    issue_day = commission.china_day(payload["issued_at"])
    rate = _rate(payload["product_id"], payload.get("category_id"), issue_day)
    renewal = bool(payload.get("renewal_of"))
    fees = commission.fees_for_sale(attribution, rate, int(payload["premium_cents"]), renewal)
    if not fees:
        logger.info("no promotion fee: no rate in effect", extra={"policy_no": policy_no})
        return {"earned": 0}
    program = settings.current()
    release_on = commission.release_day(payload.get("cooling_off_until"), issue_day)
    written = 0
    for fee in fees:
        if fee.member_id == payload.get("customer_id"):
            continue  # never a fee on one's own purchase
        cash_or_points, rule = commission.settlement(
            bool(program["require_licence_for_cash"]),
            program["require_licence_for_cash"] and licence_verified(fee.member_id),
        )
        detail = fee.detail | {"settlement": cash_or_points, "licence_rule": rule}
        if cash_or_points == "points":
            detail["points"] = commission.fee_points(fee.cents, int(program["fee_points_per_cny"]))
            detail["fee_points_per_cny"] = int(program["fee_points_per_cny"])
        entry = Entry(
            subject=_subject(policy_no, fee.level),
            kind="earn",
            amount_cents=fee.cents,
            balance="pending",
            policy_no=policy_no,
            level=fee.level,
            detail=detail,
            release_on=release_on.isoformat(),
            earned=True,
        )
        if ledger.post(fee.member_id, [entry], day=issue_day):
            written += 1
    logger.info("promotion fees earned", extra={"policy_no": policy_no, "entries": written})
    return {"earned": written}


# ---------- releasing ----------
def release(member_id: str, earn: dict[str, Any], day: date) -> str:
    """Move one earned fee out of pending: to available (cash) or into points. Returns "released",
    "already" (released before) or "voided" (the policy was cancelled in cooling-off first)."""
    subject = earn["key"].removesuffix("#earn")
    cents = int(earn["amount_cents"])
    detail = earn.get("detail") or {}
    points = detail.get("settlement") == "points"
    base = {"policy_no": earn.get("policy_no"), "level": earn.get("level")}
    entries = [
        Entry(subject, "release", -cents, "pending", detail={"settlement": detail.get("settlement")}, **base)
    ]
    if not points:
        entries.append(Entry(subject, "available", cents, "available", **base))
    try:
        posted = ledger.post(member_id, entries, day=day, require_absent=(entry_sk(subject, "void"),))
    except PreconditionFailed:
        return "voided"
    if points:
        _credit_points(member_id, earn)  # after the release is written: never for a voided fee
    return "released" if posted else "already"


def _credit_points(member_id: str, earn: dict[str, Any]) -> None:
    """Pay a released fee settled in points (keyed: a retry, or a re-run finishing a crash, pays once)."""
    _points().credit(
        member_id,
        _points_key(earn["policy_no"], int(earn["level"])),
        int((earn.get("detail") or {}).get("points") or 0),
        f"Promotion fee, policy {commission.mask_policy_no(earn['policy_no'])}, level {earn['level']}",
        policy_no=earn["policy_no"],
    )


def _points():
    # The points module is its own part of distribution; imported when a fee is paid in points.
    from distribution.promotions.repository import points_ledger

    return points_ledger


def _run_day(event: dict[str, Any]) -> date:
    if event.get("date"):
        return date.fromisoformat(event["date"])
    return datetime.now(commission.CHINA).date()


def release_commissions(event: dict[str, Any]) -> dict[str, Any]:
    """Scheduled daily: release fees whose cooling-off ended, for the run day and the catch-up days
    before it (one index Query and one batch read per day; released or voided entries are skipped)."""
    day = _run_day(event)
    counts = {"released": 0, "already": 0, "voided": 0}
    for due in commission.release_days(day):
        earned = ledger.due_for_release(due)
        # A catch-up day was usually released by yesterday's run: one batch read skips those.
        done = ledger.existing(
            [
                (e["member_id"], entry_sk(e["key"].removesuffix("#earn"), kind))
                for e in earned
                for kind in ("release", "void")
            ]
        )
        for earn in earned:
            subject = earn["key"].removesuffix("#earn")
            if (earn["member_id"], entry_sk(subject, "void")) in done:
                counts["voided"] += 1
            elif (earn["member_id"], entry_sk(subject, "release")) in done:
                if (earn.get("detail") or {}).get("settlement") == "points":
                    _credit_points(earn["member_id"], earn)  # finishes a run that stopped in between
                counts["already"] += 1
            else:
                counts[release(earn["member_id"], earn, day)] += 1
    logger.info("promotion fees released", extra={"date": day.isoformat(), **counts})
    return {"date": day.isoformat(), **counts}


# ---------- PolicyCancelled ----------
def _attribution(policy_no: str) -> dict[str, Any]:
    """The sale's attribution as PolicyIssued recorded it (the cancellation does not repeat it)."""
    from insuremall.models.events import DomainEventRecord

    try:
        event = DomainEventRecord.get(f"POLICY#{policy_no}", "PolicyIssued", consistent_read=True)
    except DomainEventRecord.DoesNotExist:
        return {}
    return (event.payload or {}).get("attribution") or {}


def on_policy_cancelled(payload: dict[str, Any], event_type: str = "PolicyCancelled") -> dict[str, Any]:
    """Void each level's pending fee (cancelled in cooling-off) or claw back the refund's share."""
    policy_no = payload["policy_no"]
    attribution = _attribution(policy_no)
    day = date.fromisoformat(payload["cancelled_on"]) if payload.get("cancelled_on") else _run_day({})
    outcome = {}
    for level in commission.LEVELS:
        member_id = attribution.get(f"level{level}")
        if member_id:
            outcome[f"level{level}"] = _reverse(member_id, policy_no, level, payload, day)
    logger.info("promotion fees reversed", extra={"policy_no": policy_no, **outcome})
    return outcome


def _reverse(member_id: str, policy_no: str, level: int, payload: dict[str, Any], day: date) -> str:
    subject = _subject(policy_no, level)
    found = {e["kind"]: e for e in ledger.entries_for_subject(member_id, subject)}
    earn = found.get("earn")
    if earn is None:
        return "no_fee"
    if "void" in found:
        return "already"
    # A full refund (in cooling-off, or before cover starts) voids a fee not yet released.
    full_refund = bool(payload.get("within_cooling_off")) or payload.get("rule") in (
        "cooling_off",
        "not_started",
    )
    action = commission.cancellation_action(full_refund, "release" in found)
    base = {"policy_no": policy_no, "level": level}
    if action == commission.VOID:
        void = Entry(
            subject,
            "void",
            -int(earn["amount_cents"]),
            "pending",
            detail={"reason": "cancelled_in_cooling_off", "cancelled_on": payload.get("cancelled_on")},
            earned=True,
            **base,
        )
        try:
            ledger.post(member_id, [void], day=day, require_absent=(entry_sk(subject, "release"),))
            return "voided"
        except PreconditionFailed:
            pass  # the release job released it first: claw back instead
    elif action == commission.RELEASE_THEN_CLAWBACK and release(member_id, earn, day) == "voided":
        return "voided"
    return _claw_back(member_id, subject, earn, payload, day, base)


def _claw_back(
    member_id: str, subject: str, earn: dict[str, Any], payload: dict[str, Any], day: date, base: dict
) -> str:
    fee = int(earn["amount_cents"])
    refund, premium = int(payload.get("refund_cents") or 0), int(payload.get("premium_cents") or 0)
    share = commission.clawback_cents(fee, refund, premium)
    if share == 0:
        return "kept"  # nothing refunded: the fee stays
    settled = (earn.get("detail") or {}).get("settlement", "cash")
    detail = {
        "fee_cents": fee,
        "refund_cents": refund,
        "premium_cents": premium,
        "settlement": settled,
        "cancelled_on": payload.get("cancelled_on"),
    }
    if settled == "points":
        earned_points = int((earn.get("detail") or {}).get("points") or 0)
        detail["points"] = commission.clawback_cents(earned_points, refund, premium)
        entry = Entry(
            subject, "clawback", 0, "available", detail=detail, earned=True, earned_cents=-share, **base
        )
    else:
        entry = Entry(subject, "clawback", -share, "available", detail=detail, earned=True, **base)
    # May take available below zero when the fee was already withdrawn: later fees make it good.
    try:
        posted = ledger.post(member_id, [entry], day=day, require_present=(entry_sk(subject, "release"),))
    except PreconditionFailed:
        return "voided"  # never released: a void won
    if settled == "points" and detail["points"]:
        _take_back_points(member_id, base, detail["points"])  # keyed: a retry takes nothing twice
    return "clawed_back" if posted else "already"


def _take_back_points(member_id: str, base: dict, points: int) -> None:
    _points().debit(
        member_id,
        f"{_points_key(base['policy_no'], base['level'])}#clawback",
        points,
        f"Promotion fee clawed back, policy {commission.mask_policy_no(base['policy_no'])}",
    )
