"""Campaigns and coupons: the operators' campaigns, the public list of running campaigns, claiming a
coupon and a member's coupons. Coupons are spent at checkout (checkout.discounts)."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from distribution.domain import coupon as rules
from distribution.rewards import campaigns
from insuremall import auth, errors, web
from insuremall.clock import now_iso
from insuremall.observability import get_logger

bp = Blueprint(__name__)
logger = get_logger("distribution")

CAMPAIGN_ID = re.compile(r"^[0-9a-f]{12}$")


def _campaign_id(raw: str) -> str:
    # Ids are ours; anything else cannot exist.
    if not CAMPAIGN_ID.match(raw or ""):
        raise errors.NotFound("No such campaign")
    return raw


def _public(campaign: dict) -> dict:
    return {
        "campaign_id": campaign["campaign_id"],
        "name": campaign["name"],
        "description": campaign["description"],
        "starts_at": campaign["starts_at"],
        "ends_at": campaign["ends_at"],
        "product_ids": campaign["product_ids"],
        "points_multiplier": campaign["points_multiplier"],
        "coupons": [
            {
                k: c[k]
                for k in (
                    "coupon_id",
                    "kind",
                    "amount_cents",
                    "percent",
                    "min_premium_cents",
                    "per_member_limit",
                    "remaining",
                )
                if k in c
            }
            | {"label": rules.coupon_label(c | {"campaign_name": campaign["name"]})}
            for c in campaign["coupons"]
        ],
    }


def _operator_view(campaign: dict, at: str) -> dict:
    status = (
        "running" if rules.is_active(campaign, at) else ("ended" if at > campaign["ends_at"] else "scheduled")
    )
    return campaign | {"status": status}


@bp.route("/admin/campaigns", methods=["GET"])
def list_campaigns():
    auth.operator(bp.current_request)
    at = now_iso()
    return {"campaigns": [_operator_view(c, at) for c in campaigns.list_all()]}


@bp.route("/admin/campaigns", methods=["POST"])
def create_campaign():
    operator = auth.operator(bp.current_request)
    campaign, problems = rules.parse_campaign(web.json_object(bp.current_request), now_iso())
    if problems:
        raise errors.Invalid(problems)
    created = campaigns.create(campaign, operator)
    logger.info("campaign created", extra={"campaign_id": created["campaign_id"]})
    return Response(body=_operator_view(created, now_iso()), status_code=201)


@bp.route("/admin/campaigns/{campaign_id}", methods=["PUT"])
def update_campaign(campaign_id: str):
    operator = auth.operator(bp.current_request)
    current = campaigns.get(_campaign_id(campaign_id), consistent=True)
    if current is None:
        raise errors.NotFound("No such campaign")
    campaign, problems = rules.parse_campaign(web.json_object(bp.current_request), now_iso(), current)
    if problems:
        raise errors.Invalid(problems)

    def refuse(claimed: dict[str, int]) -> None:
        found = rules.quota_problems(campaign["coupons"], claimed)
        if found:
            raise errors.Invalid(found)

    updated = campaigns.update(campaign_id, campaign, operator, refuse)
    logger.info("campaign updated", extra={"campaign_id": campaign_id})
    return _operator_view(updated, now_iso())


@bp.route("/campaigns", methods=["GET"])
def list_active_campaigns():
    return {"campaigns": [_public(c) for c in campaigns.active()]}


@bp.route("/campaigns/{campaign_id}/coupons/{coupon_id}/claim", methods=["POST"])
def claim_coupon(campaign_id: str, coupon_id: str):
    caller = auth.customer(bp.current_request)
    if not rules.COUPON_ID.match(coupon_id or ""):
        raise errors.NotFound("No such coupon in this campaign")
    claimed = campaigns.claim(caller.subject, _campaign_id(campaign_id), coupon_id)
    logger.info("coupon claimed", extra={"campaign_id": campaign_id, "coupon_id": coupon_id})
    return Response(body=rules.claim_view(claimed, now_iso()), status_code=201)


@bp.route("/members/me/coupons", methods=["GET"])
def my_coupons():
    caller = auth.customer(bp.current_request)
    at = now_iso()
    return {"coupons": [rules.claim_view(c, at) for c in campaigns.claims(caller.subject)]}
