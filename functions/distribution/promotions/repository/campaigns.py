"""Campaigns and coupons on RewardsTable: the operators' campaigns (each change audited in its
transaction), claims limited by conditional writes, and the use of a claimed coupon by an order.

A claim is one transaction: the campaign is running, the coupon's counter goes up only while
claimed < quota, the member's counter only while below the per-member limit, and the claim is
written; so concurrent claims can never exceed either limit.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from distribution.promotions.domain import coupons as rules
from insuremall import audit
from insuremall.clock import now_iso
from insuremall.errors import Conflict, NotFound
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.campaigns import (
    CAMPAIGN_SK,
    CAMPAIGNS_PK,
    CampaignRecord,
    CouponClaimRecord,
    CouponCounterRecord,
    MemberCouponCountRecord,
    campaign_pk,
    claim_count_sk,
    coupon_sk,
)
from insuremall.models.rewards import member_pk

LIST_LIMIT = 100


class CampaignNotActive(Conflict):
    code = "campaign_not_active"


class SoldOut(Conflict):
    code = "sold_out"


class LimitReached(Conflict):
    code = "limit_reached"


# ---------- reading ----------
def _campaign(record: CampaignRecord, counters: dict[str, dict[str, int]] | None = None) -> dict[str, Any]:
    doc = record.doc or {}
    coupons = []
    for c in doc.get("coupons", []):
        counter = (counters or {}).get(c["coupon_id"], {"claimed": 0, "quota": c["quota"]})
        coupons.append(
            c | {"claimed": counter["claimed"], "remaining": max(0, counter["quota"] - counter["claimed"])}
        )
    return {
        "campaign_id": record.campaign_id,
        "name": doc.get("name"),
        "description": doc.get("description", ""),
        "starts_at": record.starts_at,
        "ends_at": record.ends_at,
        "product_ids": doc.get("product_ids", []),
        "points_multiplier": doc.get("points_multiplier", "1"),
        "coupons": coupons,
        "created_at": record.created_at,
        "created_by": record.created_by,
        "updated_at": record.updated_at,
    }


def _with_counters(campaign_id: str, consistent: bool = False) -> tuple[CampaignRecord | None, dict]:
    """The campaign and its coupon counters: one query on the campaign's partition."""
    record, counters = None, {}
    items = CampaignRecord._get_connection().query(campaign_pk(campaign_id), consistent_read=consistent)[
        "Items"
    ]
    for item in items:
        sk = item["sk"]["S"]
        if sk == CAMPAIGN_SK:
            record = CampaignRecord.from_raw_data(item)
        elif sk.startswith("COUPON#"):
            counter = CouponCounterRecord.from_raw_data(item)
            counters[sk.removeprefix("COUPON#")] = {
                "claimed": int(counter.claimed or 0),
                "quota": int(counter.quota),
            }
    return record, counters


def get(campaign_id: str, consistent: bool = False) -> dict[str, Any] | None:
    record, counters = _with_counters(campaign_id, consistent)
    return _campaign(record, counters) if record else None


def list_all(limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Every campaign, latest ending first (operators)."""
    records = CampaignRecord.by_due.query(CAMPAIGNS_PK, scan_index_forward=False, limit=limit)
    return [c for c in (get(r.campaign_id) for r in records) if c]


def active(at: str | None = None) -> list[dict[str, Any]]:
    """Campaigns running at `at` (now): those not ended yet, by the index, that have started."""
    at = at or now_iso()
    records = CampaignRecord.by_due.query(
        CAMPAIGNS_PK, CampaignRecord.gsi1sk >= at, filter_condition=CampaignRecord.starts_at <= at
    )
    return [c for c in (get(r.campaign_id) for r in records) if c]


def points_multiplier(product_id: str, at: str | None = None) -> Decimal:
    """The highest points multiplier of the campaigns running at `at` for the product; 1 if none.

    `at` may be a date or time in any form `rules.instant` reads (the points module passes the issue
    time)."""
    at = (rules.instant(at) if at else None) or now_iso()
    records = CampaignRecord.by_due.query(
        CAMPAIGNS_PK, CampaignRecord.gsi1sk >= at, filter_condition=CampaignRecord.starts_at <= at
    )
    campaigns = [
        {
            "starts_at": r.starts_at,
            "ends_at": r.ends_at,
            "product_ids": (r.doc or {}).get("product_ids", []),
            "points_multiplier": (r.doc or {}).get("points_multiplier", "1"),
        }
        for r in records
    ]
    return rules.best_multiplier(campaigns, product_id, at)


# ---------- operators' writes ----------
def _record(campaign_id: str, campaign: dict, created_at: str, created_by: str, at: str) -> CampaignRecord:
    doc = {k: campaign[k] for k in ("name", "description", "product_ids", "points_multiplier", "coupons")}
    return CampaignRecord(
        pk=campaign_pk(campaign_id),
        sk=CAMPAIGN_SK,
        campaign_id=campaign_id,
        starts_at=campaign["starts_at"],
        ends_at=campaign["ends_at"],
        doc=doc,
        created_at=created_at,
        created_by=created_by,
        updated_at=at,
        gsi1pk=CAMPAIGNS_PK,
        gsi1sk=f"{campaign['ends_at']}#{campaign_id}",
    )


def _audited(campaign: dict) -> dict:
    return {k: v for k, v in campaign.items() if k not in ("created_at", "created_by", "updated_at")}


def create(campaign: dict[str, Any], actor) -> dict[str, Any]:
    campaign_id = uuid.uuid4().hex[:12]
    at = now_iso()
    record = _record(campaign_id, campaign, at, actor.subject, at)
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(record, condition=CampaignRecord.pk.does_not_exist())
        for c in campaign["coupons"]:
            transaction.save(
                CouponCounterRecord(
                    pk=campaign_pk(campaign_id), sk=coupon_sk(c["coupon_id"]), claimed=0, quota=c["quota"]
                ),
                condition=CouponCounterRecord.pk.does_not_exist(),
            )
        audit.record(
            actor,
            "campaign.created",
            f"campaign:{campaign_id}",
            audit.field_changes(None, _audited(campaign)),
            transaction=transaction,
        )
    return get(campaign_id, consistent=True)


def update(campaign_id: str, campaign: dict[str, Any], actor, problems_of=None) -> dict[str, Any]:
    """Replace a campaign; coupons keep their claim counts. `problems_of(claimed)` (optional) raises
    for coupons that cannot change; Conflict when the campaign changed meanwhile."""
    record, counters = _with_counters(campaign_id, consistent=True)
    if record is None:
        raise NotFound("No such campaign")
    if problems_of is not None:
        problems_of({k: v["claimed"] for k, v in counters.items()})
    before = _audited(_campaign(record, None))
    at = now_iso()
    new = _record(campaign_id, campaign, record.created_at, record.created_by, at)
    kept = {c["coupon_id"]: c for c in campaign["coupons"]}
    pk = campaign_pk(campaign_id)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(new, condition=CampaignRecord.updated_at == record.updated_at)
            for coupon_id, c in kept.items():
                if coupon_id in counters:
                    transaction.update(
                        CouponCounterRecord(pk=pk, sk=coupon_sk(coupon_id)),
                        actions=[CouponCounterRecord.quota.set(c["quota"])],
                        condition=CouponCounterRecord.claimed <= c["quota"],
                    )
                else:
                    transaction.save(
                        CouponCounterRecord(pk=pk, sk=coupon_sk(coupon_id), claimed=0, quota=c["quota"]),
                        condition=CouponCounterRecord.pk.does_not_exist(),
                    )
            for coupon_id in set(counters) - set(kept):
                transaction.delete(
                    CouponCounterRecord(pk=pk, sk=coupon_sk(coupon_id)),
                    condition=CouponCounterRecord.claimed == 0,
                )
            audit.record(
                actor,
                "campaign.updated",
                f"campaign:{campaign_id}",
                audit.field_changes(before, _audited(campaign)),
                transaction=transaction,
            )
    except TransactWriteError as exc:
        if condition_failed(exc):
            raise Conflict(
                "This campaign changed meanwhile (or its coupons were claimed); reload it"
            ) from exc
        raise
    return get(campaign_id, consistent=True)


# ---------- members' coupons ----------
def _claim(record: CouponClaimRecord) -> dict[str, Any]:
    return {
        "claim_id": record.claim_id,
        "member_id": record.member_id,
        "campaign_id": record.campaign_id,
        "coupon_id": record.coupon_id,
        "terms": record.terms or {},
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "status": record.status,
        "order_id": record.order_id,
        "claimed_at": record.claimed_at,
        "used_at": record.used_at,
    }


def claim(member_id: str, campaign_id: str, coupon_id: str) -> dict[str, Any]:
    """Claim one coupon: SoldOut, LimitReached or CampaignNotActive (409s) when refused."""
    try:
        record = CampaignRecord.get(campaign_pk(campaign_id), CAMPAIGN_SK)
    except CampaignRecord.DoesNotExist:
        raise NotFound("No such campaign") from None
    coupon = next((c for c in (record.doc or {}).get("coupons", []) if c["coupon_id"] == coupon_id), None)
    if coupon is None:
        raise NotFound("No such coupon in this campaign")
    at = now_iso()
    if not record.starts_at <= at <= record.ends_at:
        raise CampaignNotActive("This campaign is not running now")
    claim_id = uuid.uuid4().hex[:16]
    campaign = {"name": (record.doc or {}).get("name"), "product_ids": (record.doc or {}).get("product_ids")}
    item = CouponClaimRecord(
        pk=member_pk(member_id),
        sk=coupon_sk(claim_id),
        claim_id=claim_id,
        member_id=member_id,
        campaign_id=campaign_id,
        coupon_id=coupon_id,
        terms=rules.coupon_terms(campaign, coupon),
        valid_from=record.starts_at,
        valid_until=record.ends_at,
        status="available",
        claimed_at=at,
        gsi2pk=f"COUPONS#{member_id}",
        gsi2sk=f"{at}#{claim_id}",
    )
    limit = int(coupon["per_member_limit"])
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.condition_check(
                CampaignRecord,
                campaign_pk(campaign_id),
                CAMPAIGN_SK,
                condition=(CampaignRecord.starts_at <= at) & (CampaignRecord.ends_at >= at),
            )
            transaction.update(
                CouponCounterRecord(pk=campaign_pk(campaign_id), sk=coupon_sk(coupon_id)),
                actions=[CouponCounterRecord.claimed.add(1)],
                condition=CouponCounterRecord.claimed < CouponCounterRecord.quota,
            )
            transaction.update(
                MemberCouponCountRecord(pk=member_pk(member_id), sk=claim_count_sk(campaign_id, coupon_id)),
                actions=[MemberCouponCountRecord.claimed.add(1)],
                condition=MemberCouponCountRecord.claimed.does_not_exist()
                | (MemberCouponCountRecord.claimed < limit),
            )
            transaction.save(item, condition=CouponClaimRecord.pk.does_not_exist())
    except TransactWriteError as exc:
        reasons = list(getattr(exc, "cancellation_reasons", None) or [])
        failed = {i for i, r in enumerate(reasons) if r is not None and r.code == "ConditionalCheckFailed"}
        # PynamoDB sends condition checks, then puts, then updates: [campaign, claim, coupon, member].
        if 0 in failed:
            raise CampaignNotActive("This campaign is not running now") from exc
        if 2 in failed:
            raise SoldOut("This coupon is all claimed") from exc
        if 3 in failed:
            raise LimitReached(f"You already claimed this coupon {limit} time(s)") from exc
        raise
    return _claim(item)


def claims(member_id: str, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """A member's coupons, newest first."""
    return [
        _claim(r)
        for r in CouponClaimRecord.by_time.query(
            f"COUPONS#{member_id}", scan_index_forward=False, limit=limit
        )
    ]


def get_claim(member_id: str, claim_id: str, consistent: bool = True) -> dict[str, Any] | None:
    try:
        return _claim(
            CouponClaimRecord.get(member_pk(member_id), coupon_sk(claim_id), consistent_read=consistent)
        )
    except CouponClaimRecord.DoesNotExist:
        return None


def use(member_id: str, claim_id: str, order_id: str) -> bool:
    """Mark the coupon used by `order_id` while it is available and valid; True also when this order
    already used it (a retry). False when it is used by another order, expired or missing."""
    at = now_iso()
    try:
        CouponClaimRecord(pk=member_pk(member_id), sk=coupon_sk(claim_id)).update(
            actions=[
                CouponClaimRecord.status.set("used"),
                CouponClaimRecord.order_id.set(order_id),
                CouponClaimRecord.used_at.set(at),
            ],
            condition=CouponClaimRecord.pk.exists()
            & (
                ((CouponClaimRecord.status == "available") & (CouponClaimRecord.valid_until >= at))
                | ((CouponClaimRecord.status == "used") & (CouponClaimRecord.order_id == order_id))
            ),
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def unuse(member_id: str, claim_id: str, order_id: str, only_while_valid: bool = False) -> bool:
    """Give the coupon back when `order_id` ends without a policy (or, `only_while_valid`, its policy
    was cancelled with a full refund: an expired coupon stays used); False if it was not used by it
    (already given back, so a repeat changes nothing) or has expired."""
    condition = (CouponClaimRecord.status == "used") & (CouponClaimRecord.order_id == order_id)
    if only_while_valid:
        condition = condition & (CouponClaimRecord.valid_until >= now_iso())
    try:
        CouponClaimRecord(pk=member_pk(member_id), sk=coupon_sk(claim_id)).update(
            actions=[
                CouponClaimRecord.status.set("available"),
                CouponClaimRecord.order_id.remove(),
                CouponClaimRecord.used_at.remove(),
            ],
            condition=condition,
        )
    except UpdateError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
