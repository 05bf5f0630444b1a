"""Campaigns and coupons over the embedded AWS: claims under concurrency, limits, and coupons and
points as discounts of an order (applied, charged, and given back when the order ends unpaid)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from insuremall.auth import Caller

OPERATOR = Caller(subject="operator-campaigns", email="ops@example.com", groups=frozenset({"operators"}))


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="milliseconds")


def _campaign(**overrides) -> dict:
    from distribution.domain import coupon as rules
    from insuremall.models import now_iso

    body = {
        "name": "Double eleven",
        "description": "Coupons for everyone",
        "starts_at": _iso(-timedelta(hours=1)),
        "ends_at": _iso(timedelta(days=7)),
        "product_ids": [],
        "points_multiplier": "2",
        "coupons": [
            {
                "coupon_id": "twenty-off",
                "kind": "amount",
                "amount_cents": 2000,
                "min_premium_cents": 5000,
                "per_member_limit": 1,
                "quota": 10,
            },
            {
                "coupon_id": "ten-percent",
                "kind": "percent",
                "percent": 10,
                "per_member_limit": 2,
                "quota": 100,
            },
        ],
        **overrides,
    }
    campaign, problems = rules.parse_campaign(body, now_iso())
    assert not problems, problems
    return campaign


@pytest.fixture
def campaigns(aws):
    from distribution.rewards import campaigns

    return campaigns


def test_given_a_coupon_with_quota_10_when_100_members_claim_at_once_then_exactly_10_get_one(campaigns):
    created = campaigns.create(_campaign(), OPERATOR)
    campaign_id = created["campaign_id"]

    def attempt(i: int) -> str:
        try:
            campaigns.claim(f"member-{uuid.uuid4().hex[:8]}", campaign_id, "twenty-off")
            return "claimed"
        except campaigns.SoldOut:
            return "sold_out"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(100)))

    assert outcomes.count("claimed") == 10
    assert outcomes.count("sold_out") == 90
    coupon = next(c for c in campaigns.get(campaign_id)["coupons"] if c["coupon_id"] == "twenty-off")
    assert coupon["claimed"] == 10 and coupon["remaining"] == 0


def test_given_a_per_member_limit_when_a_member_claims_more_then_refused(campaigns):
    campaign_id = campaigns.create(_campaign(), OPERATOR)["campaign_id"]
    member = f"member-{uuid.uuid4().hex[:8]}"

    campaigns.claim(member, campaign_id, "ten-percent")
    campaigns.claim(member, campaign_id, "ten-percent")
    with pytest.raises(campaigns.LimitReached):
        campaigns.claim(member, campaign_id, "ten-percent")

    mine = campaigns.claims(member)
    assert len(mine) == 2 and {c["status"] for c in mine} == {"available"}
    # The refused claim did not use up the quota.
    coupon = next(c for c in campaigns.get(campaign_id)["coupons"] if c["coupon_id"] == "ten-percent")
    assert coupon["claimed"] == 2


def test_given_an_ended_or_future_campaign_when_claimed_then_refused_and_not_listed_as_active(campaigns):
    from distribution.domain import coupon as rules
    from insuremall.models import now_iso

    # An ended campaign (written directly: operators cannot create one in the past).
    ended = _campaign()
    ended["starts_at"], ended["ends_at"] = _iso(-timedelta(days=3)), _iso(-timedelta(days=1))
    ended_id = campaigns.create(ended, OPERATOR)["campaign_id"]
    later, problems = rules.parse_campaign(
        {
            "name": "Spring",
            "starts_at": _iso(timedelta(days=5)),
            "ends_at": _iso(timedelta(days=9)),
            "coupons": [{"coupon_id": "c", "kind": "amount", "amount_cents": 100, "quota": 5}],
        },
        now_iso(),
    )
    assert not problems
    later_id = campaigns.create(later, OPERATOR)["campaign_id"]

    for campaign_id, coupon_id in ((ended_id, "twenty-off"), (later_id, "c")):
        with pytest.raises(campaigns.CampaignNotActive):
            campaigns.claim("member-late", campaign_id, coupon_id)
    active_ids = {c["campaign_id"] for c in campaigns.active()}
    assert ended_id not in active_ids and later_id not in active_ids


def test_given_campaigns_for_a_product_then_the_points_multiplier_is_the_highest_running_one(campaigns):
    product = f"product-{uuid.uuid4().hex[:6]}"
    campaigns.create(_campaign(product_ids=[product], points_multiplier="3"), OPERATOR)
    campaigns.create(_campaign(product_ids=[product], points_multiplier="1.5"), OPERATOR)
    assert campaigns.points_multiplier(product) >= 3
    assert campaigns.points_multiplier(product, _iso(timedelta(days=30))) == 1


def test_given_an_operator_change_then_it_is_audited_and_a_claimed_coupon_cannot_drop_below_its_claims(
    campaigns,
):
    from distribution.domain import coupon as rules
    from insuremall import audit, errors

    campaign_id = campaigns.create(_campaign(), OPERATOR)["campaign_id"]
    for _ in range(3):
        campaigns.claim(f"member-{uuid.uuid4().hex[:8]}", campaign_id, "twenty-off")
    change = _campaign(name="Double eleven (extended)")
    change["coupons"][0]["quota"] = 2

    def refuse(claimed):
        problems = rules.quota_problems(change["coupons"], claimed)
        if problems:
            raise errors.ValidationFailed(problems)

    with pytest.raises(errors.ValidationFailed) as refused:
        campaigns.update(campaign_id, change, OPERATOR, refuse)
    assert "coupons[0].quota" in refused.value.fields

    change["coupons"][0]["quota"] = 20
    updated = campaigns.update(campaign_id, change, OPERATOR, refuse)
    assert updated["name"] == "Double eleven (extended)"
    assert updated["coupons"][0]["remaining"] == 17
    actions = [e["action"] for e in audit.entries(f"campaign:{campaign_id}")]
    assert actions == ["campaign.updated", "campaign.created"]


def test_given_a_claimed_coupon_when_used_by_an_order_then_only_that_order_can_give_it_back(campaigns):
    campaign_id = campaigns.create(_campaign(), OPERATOR)["campaign_id"]
    member = f"member-{uuid.uuid4().hex[:8]}"
    claim_id = campaigns.claim(member, campaign_id, "twenty-off")["claim_id"]

    assert campaigns.use(member, claim_id, "ORD1") is True
    assert campaigns.use(member, claim_id, "ORD1") is True  # a retry of the same order
    assert campaigns.use(member, claim_id, "ORD2") is False
    assert campaigns.unuse(member, claim_id, "ORD2") is False
    assert campaigns.unuse(member, claim_id, "ORD1") is True
    assert campaigns.unuse(member, claim_id, "ORD1") is False  # once
    assert campaigns.get_claim(member, claim_id)["status"] == "available"
