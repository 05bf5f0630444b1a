"""Promotions' routes: campaigns (operators' and the running ones), claiming coupons and a member's
coupons, points and the daily check-in, and the programme settings."""

from __future__ import annotations

import re

from chalice import Blueprint, Response

from distribution import wiring
from distribution.promotions import views
from distribution.promotions.domain.coupons import COUPON_ID
from insuremall import auth, errors, web
from insuremall.clock import now_iso

bp = Blueprint(__name__)

CAMPAIGN_ID = re.compile(r"^[0-9a-f]{12}$")
MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _campaign_id(raw: str) -> str:
    # Ids are ours; anything else cannot exist.
    if not CAMPAIGN_ID.match(raw or ""):
        raise errors.NotFound("No such campaign")
    return raw


# ---------- campaigns and coupons ----------
@bp.route("/admin/campaigns", methods=["GET"])
def list_campaigns():
    auth.operator(bp.current_request)
    at = now_iso()
    return {"campaigns": [views.operator_campaign(c, at) for c in wiring.campaigns().all()]}


@bp.route("/admin/campaigns", methods=["POST"])
def create_campaign():
    operator = auth.operator(bp.current_request)
    created = wiring.campaigns().create(operator, web.json_object(bp.current_request))
    return Response(body=views.operator_campaign(created, now_iso()), status_code=201)


@bp.route("/admin/campaigns/{campaign_id}", methods=["PUT"])
def update_campaign(campaign_id: str):
    operator = auth.operator(bp.current_request)
    campaign_id = _campaign_id(campaign_id)
    updated = wiring.campaigns().update(operator, campaign_id, web.json_object(bp.current_request))
    return views.operator_campaign(updated, now_iso())


@bp.route("/campaigns", methods=["GET"])
def list_active_campaigns():
    return {"campaigns": [views.public_campaign(c) for c in wiring.campaigns().running()]}


@bp.route("/campaigns/{campaign_id}/coupons/{coupon_id}/claim", methods=["POST"])
def claim_coupon(campaign_id: str, coupon_id: str):
    caller = auth.customer(bp.current_request)
    if not COUPON_ID.match(coupon_id or ""):
        raise errors.NotFound("No such coupon in this campaign")
    claimed = wiring.coupons().claim(caller.subject, _campaign_id(campaign_id), coupon_id)
    return Response(body=views.claim_view(claimed, now_iso()), status_code=201)


@bp.route("/members/me/coupons", methods=["GET"])
def my_coupons():
    caller = auth.customer(bp.current_request)
    at = now_iso()
    return {"coupons": [views.claim_view(c, at) for c in wiring.coupons().held_by(caller.subject)]}


# ---------- points ----------
@bp.route("/members/me/points", methods=["GET"])
def my_points():
    caller = auth.customer(bp.current_request)
    page = wiring.points().page(caller.subject, bp.current_request.query_params or {})
    return views.points_view(page)


@bp.route("/members/me/check-in", methods=["POST"])
def check_in():
    caller = auth.customer(bp.current_request)
    return views.checked_in_view(wiring.check_in().today(caller.subject))


@bp.route("/admin/members/{member_id}/points", methods=["GET"])
def member_points(member_id: str):
    auth.operator(bp.current_request)
    if not MEMBER_ID.match(member_id or ""):
        raise errors.NotFound("No such member")
    page = wiring.points().of_member(member_id, bp.current_request.query_params or {})
    return views.points_view(page)


# ---------- programme settings ----------
@bp.route("/admin/rewards/settings", methods=["GET"])
def get_rewards_settings():
    auth.operator(bp.current_request)
    return wiring.program_settings().current()


@bp.route("/admin/rewards/settings", methods=["PUT"])
def put_rewards_settings():
    operator = auth.operator(bp.current_request)
    return wiring.program_settings().update(operator, web.json_object(bp.current_request))
