"""Campaigns and coupons over the embedded AWS: claims under concurrency, limits, and coupons and
points as discounts of an order (applied, charged, and given back when the order ends unpaid)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from insuremall.auth import Caller
from insuremall.clock import china_today

OPERATOR = Caller(subject="operator-campaigns", email="ops@example.com", groups=frozenset({"operators"}))


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="milliseconds")


def _campaign(**overrides) -> dict:
    from distribution.promotions.domain import coupons as rules
    from insuremall.clock import now_iso

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
    from distribution.promotions.repository import campaigns

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
    from distribution.promotions.domain import coupons as rules
    from insuremall.clock import now_iso

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
    from distribution.promotions.domain import coupons as rules
    from insuremall import audit, errors

    campaign_id = campaigns.create(_campaign(), OPERATOR)["campaign_id"]
    for _ in range(3):
        campaigns.claim(f"member-{uuid.uuid4().hex[:8]}", campaign_id, "twenty-off")
    change = _campaign(name="Double eleven (extended)")
    change["coupons"][0]["quota"] = 2

    def refuse(claimed):
        problems = rules.quota_problems(change["coupons"], claimed)
        if problems:
            raise errors.Invalid(problems)

    with pytest.raises(errors.Invalid) as refused:
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


# ---------- discounts at checkout, through the real Chalice handlers ----------
PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password


class Shopper:
    """A signed-in customer calling checkout and distribution routes as API Gateway delivers them."""

    def __init__(self, aws):
        from local import demo
        from local.template import Template

        self.aws = aws
        self.routes = Template().routes()
        email = f"coupon-{uuid.uuid4().hex[:10]}@example.com"
        self.member_id = demo.create_user(aws, email, PASSWORD, "Li Hua")
        self.token = aws.client("cognito-idp").initiate_auth(
            ClientId=aws.refs["StorefrontUserPoolClient"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )["AuthenticationResult"]["IdToken"]

    def call(self, method: str, path: str, body=None, headers=None) -> tuple[int, dict]:
        import json

        from local.gateway import build_event

        route, params = self._route(method, path)
        sent = {
            "content-type": "application/json",
            "authorization": f"Bearer {self.token}",
            **(headers or {}),
        }
        raw = json.dumps(body).encode() if body is not None else b""
        event = build_event(route, method, path, "", sent, raw, params, "localhost")
        result, error = self.aws.runtime.invoke(route.function, event)
        assert error is None, result
        return result["statusCode"], json.loads(result["body"])

    def _route(self, method: str, path: str):
        parts = path.strip("/").split("/")
        for route in self.routes:
            names = route.path.strip("/").split("/")
            if route.method != method or len(names) != len(parts):
                continue
            params = {}
            for name, part in zip(names, parts, strict=True):
                if name.startswith("{"):
                    params[name.strip("{}")] = part
                elif name != part:
                    break
            else:
                return route, params
        raise AssertionError(f"no route for {method} {path}")

    def quote(self) -> dict:
        status, quote = self.call(
            "POST",
            "/quotes",
            {
                "product_id": "accident-guardian",
                "plan": "standard",
                "age": 36,
                "gender": "M",
                "term": "1Y",
                "occupation_class": 1,
                "options": [],
            },
        )
        assert status == 201, quote
        return quote

    def order_body(self, quote: dict, **extra) -> dict:
        from datetime import date

        from tests.e2e.shop import prc_id_for_age

        inputs = quote["inputs"]
        person = prc_id_for_age(inputs["age"], inputs["gender"], date.fromisoformat(inputs["start_date"]))
        return {
            "quote_id": quote["quote_id"],
            "policyholder": {
                "name": "Li Hua",
                "id_type": "prc_id",
                "id_number": person,
                "phone": "13912345678",
            },
            "insured": [{"relation": "self", "name": "Li Hua", "id_type": "prc_id", "id_number": person}],
            "health_answers": {"hq_disability": False},
            "accept_terms": True,
            **extra,
        }


@pytest.fixture
def shopper(aws) -> Shopper:
    return Shopper(aws)


def _coupon_for(shopper: Shopper, campaigns, amount_cents: int = 1000) -> str:
    body = _campaign()
    body["coupons"][0] |= {"amount_cents": amount_cents, "min_premium_cents": amount_cents + 1}
    campaign_id = campaigns.create(body, OPERATOR)["campaign_id"]
    status, claimed = shopper.call("POST", f"/campaigns/{campaign_id}/coupons/twenty-off/claim")
    assert status == 201, claimed
    return claimed["claim_id"]


def _balance(member_id: str) -> int:
    from distribution.promotions.repository import points_ledger as points

    return points.balance(member_id)


def test_given_a_coupon_and_points_when_ordering_then_the_breakdown_shows_both_and_the_rest_is_charged(
    shopper, campaigns
):
    from checkout import store, tasks
    from distribution.promotions.repository import points_ledger as points

    claim_id = _coupon_for(shopper, campaigns)
    points.credit(shopper.member_id, f"TEST#{uuid.uuid4().hex[:8]}", 5000, "test grant")
    quote = shopper.quote()
    gross = int(round(float(quote["premium"]["total"]) * 100))
    assert gross > 2000

    status, preview = shopper.call(
        "POST", f"/quotes/{quote['quote_id']}/discounts", {"coupon_claim_id": claim_id, "points": 100}
    )
    assert status == 200, preview
    assert [d["kind"] for d in preview["discounts"]] == ["coupon", "points"]
    assert preview["payable_cents"] == gross - 1000 - 100
    assert preview["points_balance"] == 5000
    assert any(c["claim_id"] == claim_id and c["applies"] for c in preview["coupons"])

    # Amounts are not the client's to send (refused by the order's contract); the server derives them.
    body = shopper.order_body(quote, coupon_claim_id=claim_id, points=100, premium_cents=1, discounts=[])
    status, refused = shopper.call("POST", "/orders", body, {"idempotency-key": uuid.uuid4().hex})
    assert status == 422 and set(refused["error"]["fields"]) == {"premium_cents", "discounts"}, refused
    body = shopper.order_body(quote, coupon_claim_id=claim_id, points=100)
    status, order = shopper.call("POST", "/orders", body, {"idempotency-key": uuid.uuid4().hex})
    assert status == 201, order
    premium = order["premium"]
    assert premium["gross_cents"] == gross
    assert [(d["kind"], d["amount_cents"]) for d in premium["discounts"]] == [
        ("coupon", 1000),
        ("points", 100),
    ]
    assert premium["payable_cents"] == gross - 1100
    stored = store.get_order(order["order_id"], consistent=True)
    assert stored["premium_cents"] == gross - 1100 == stored["application"]["premium_cents"]
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "used"
    assert _balance(shopper.member_id) == 4900

    # The coupon cannot be used twice.
    status, refused = shopper.call("POST", "/orders", shopper.order_body(quote, coupon_claim_id=claim_id))
    assert status == 422 and "coupon_claim_id" in refused["error"]["fields"]

    # Not paid in time: the coupon is available again and the points come back, once.
    tasks.cancel_unpaid({"order_id": order["order_id"]})
    tasks.cancel_unpaid({"order_id": order["order_id"]})
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "available"
    assert _balance(shopper.member_id) == 5000
    status, mine = shopper.call("GET", "/members/me/coupons")
    assert status == 200 and mine["coupons"][0]["status"] == "available"


def test_given_a_retried_order_request_then_the_first_order_keeps_its_discounts(shopper, campaigns):
    claim_id = _coupon_for(shopper, campaigns)
    quote = shopper.quote()
    body = shopper.order_body(quote, coupon_claim_id=claim_id)
    key = uuid.uuid4().hex
    status, first = shopper.call("POST", "/orders", body, {"idempotency-key": key})
    assert status == 201, first
    status, again = shopper.call("POST", "/orders", body, {"idempotency-key": key})
    assert status == 200 and again["order_id"] == first["order_id"]
    assert campaigns.get_claim(shopper.member_id, claim_id)["order_id"] == first["order_id"]


def test_given_the_order_write_fails_then_the_coupon_and_points_are_given_back(
    shopper, campaigns, monkeypatch
):
    from checkout import store
    from distribution.promotions.repository import points_ledger as points

    claim_id = _coupon_for(shopper, campaigns)
    points.credit(shopper.member_id, f"TEST#{uuid.uuid4().hex[:8]}", 300, "test grant")
    quote = shopper.quote()

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is unavailable")

    monkeypatch.setattr(store, "create_order", broken)
    status, _ = shopper.call(
        "POST", "/orders", shopper.order_body(quote, coupon_claim_id=claim_id, points=200)
    )
    assert status == 500
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "available"
    assert _balance(shopper.member_id) == 300


def test_given_discounts_beyond_the_limits_then_the_order_names_each_problem(shopper, campaigns):
    quote = shopper.quote()
    status, refused = shopper.call(
        "POST", "/orders", shopper.order_body(quote, coupon_claim_id="abcdef0123456789", points=10**6)
    )
    assert status == 422
    assert set(refused["error"]["fields"]) == {"coupon_claim_id", "points"}
    status, refused = shopper.call("POST", f"/quotes/{quote['quote_id']}/discounts", {"points": -5})
    assert status == 422 and "points" in refused["error"]["fields"]


def _paid_order_with(shopper: Shopper, campaigns, points_to_spend: int) -> tuple[str, str]:
    from checkout import store
    from distribution.promotions.repository import points_ledger as points

    claim_id = _coupon_for(shopper, campaigns)
    points.credit(shopper.member_id, f"TEST#{uuid.uuid4().hex[:8]}", 1000, "test grant")
    body = shopper.order_body(shopper.quote(), coupon_claim_id=claim_id, points=points_to_spend)
    status, order = shopper.call("POST", "/orders", body)
    assert status == 201, order
    store.transition(order["order_id"], "paid", ("pending_payment",))
    return order["order_id"], claim_id


def test_given_a_declined_order_when_it_is_closed_then_the_coupon_and_points_come_back_once(
    shopper, campaigns
):
    from checkout import tasks

    order_id, claim_id = _paid_order_with(shopper, campaigns, 300)
    assert _balance(shopper.member_id) == 700
    event = {"order_id": order_id, "state": {"underwriting": {"outcome": "decline", "reasons": ["age"]}}}
    assert tasks.refund_and_close(event) == {"status": "declined"}
    tasks.refund_and_close(event)
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "available"
    assert _balance(shopper.member_id) == 1000


def test_given_an_issued_order_then_its_points_stay_spent_and_its_coupon_used(shopper, campaigns):
    from checkout import store, tasks
    from distribution.promotions import discounts

    order_id, claim_id = _paid_order_with(shopper, campaigns, 300)
    tasks.close_issued({"order_id": order_id, "policy_no": f"P{uuid.uuid4().hex[:10]}"})
    # A stray compensation after issue gives nothing back.
    order = store.get_order(order_id, consistent=True)
    discounts.give_back(
        shopper.member_id, order_id, [d for d in discounts.of_order(order) if d["kind"] == "points"]
    )
    assert _balance(shopper.member_id) == 700
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "used"


# ---------- discounts when the policy is cancelled ----------
def _issued_with(
    shopper: Shopper, new_application, points_to_spend: int, claim_id: str, start_today: bool = False
) -> str:
    """A policy bought with a coupon and points, applied as checkout's order route applies them,
    paid and issued as the saga does (without the saga's payment wait racing the test)."""

    from checkout import payments, store
    from distribution.promotions import discounts
    from distribution.promotions.repository import points_ledger as points
    from policy import tasks as policy_tasks

    points.credit(shopper.member_id, f"TEST#{uuid.uuid4().hex[:8]}", 1000, "test grant")
    application = new_application()
    application["customer_id"] = shopper.member_id
    order_id = application["order_id"]
    wanted = {"coupon_claim_id": claim_id, "points": points_to_spend}
    result = discounts.derive(shopper.member_id, "accident-guardian", application["premium_cents"], wanted)
    application["premium"] = discounts.priced(application["premium"], result)
    application["premium_cents"] = result["payable_cents"]
    discounts.apply(shopper.member_id, order_id, result["discounts"])
    if start_today:  # cooling-off over and cover started: the product's short-rate rule applies
        application["product"]["cooling_off_days"] = -1
        application["start_date"] = china_today().isoformat()
    intent = payments.provider().create_intent(order_id, application["premium_cents"], "CNY")
    paid_at = datetime.now(UTC).isoformat()
    store.set_intent_status(
        intent["intent_id"],
        "succeeded",
        "requires_payment",
        paid_at=paid_at,
        refundable_cents=application["premium_cents"],
    )
    payment = {"intent_id": intent["intent_id"], "paid_at": paid_at}
    policy_no = policy_tasks.issue({"order_id": order_id, "application": application, "payment": payment})[
        "policy_no"
    ]
    discounts.confirm(shopper.member_id, order_id, result["discounts"])  # the saga's CloseIssuedOrder
    return policy_no


def _cancelled_event(policy_no: str) -> dict:
    from insuremall.models.events import DomainEventRecord

    return DomainEventRecord.get(f"POLICY#{policy_no}", "PolicyCancelled", consistent_read=True).payload


def _cancel(shopper: Shopper, policy_no: str, times: int = 1) -> list[dict]:
    status, quote = shopper.call("GET", f"/policies/{policy_no}/cancellation-quote")
    assert status == 200, quote
    body = {"reason": "changed_mind", "refund_cents": quote["refund_cents"]}
    with ThreadPoolExecutor(times) as pool:
        answers = list(
            pool.map(
                lambda _: shopper.call("POST", f"/policies/{policy_no}/cancellation", body), range(times)
            )
        )
    assert [s for s, _ in answers] == [200] * times, answers
    return [quote] + [a for _, a in answers]


def test_given_a_full_refund_when_cancelled_three_times_at_once_then_the_coupon_and_points_come_back_once(
    shopper, campaigns, new_application
):
    from distribution import tasks as distribution_tasks
    from distribution.promotions import discounts

    claim_id = _coupon_for(shopper, campaigns)
    policy_no = _issued_with(shopper, new_application, 300, claim_id)
    assert _balance(shopper.member_id) == 700
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "used"

    quote, *answers = _cancel(shopper, policy_no, times=3)

    assert quote["rule"] == "cooling_off"
    said = {d["kind"]: d for d in quote["discounts"]}
    assert (
        said["points"]["returned"] is True and "The 300 points you spent come back" in said["points"]["text"]
    )
    assert said["coupon"]["returned"] is True and "comes back to use again until" in said["coupon"]["text"]
    assert answers[0]["policy"]["discounts_returned"] == quote["discounts"]
    event = _cancelled_event(policy_no)
    assert event["rule"] == "cooling_off" and {d["kind"] for d in event["discounts"]} == {"coupon", "points"}

    # The PolicyCancelled consumer, delivered three times (two at once): given back once.
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: discounts.give_back_for_cancellation(event), range(2)))
    assert sorted(r["points"] for r in results) == [0, 300]
    assert sorted(str(r["coupon"]) for r in results) == sorted([claim_id, "None"])
    assert discounts.give_back_for_cancellation(event) == {"coupon": None, "points": 0}
    assert (
        "distribution.promotions.discounts:give_back_for_cancellation"
        in distribution_tasks.CONSUMERS["PolicyCancelled"]
    )

    assert _balance(shopper.member_id) == 1000
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "available"
    status, mine = shopper.call("GET", "/members/me/points")
    assert status == 200, mine
    back = [e for e in mine["history"] if e["kind"] == "spend_reversal"]
    assert [(e["points"], e["reason"]) for e in back] == [(300, "policy cancelled with a full refund")]


def test_given_a_short_rate_refund_when_cancelled_then_the_quote_says_the_coupon_and_points_stay_spent(
    shopper, campaigns, new_application
):
    from distribution.promotions import discounts

    claim_id = _coupon_for(shopper, campaigns)
    policy_no = _issued_with(shopper, new_application, 200, claim_id, start_today=True)

    quote, answer = _cancel(shopper, policy_no)

    assert quote["rule"] == "short_rate" and 0 < quote["refund_cents"] < quote["premium_cents"]
    assert all(d["returned"] is False for d in quote["discounts"]) and len(quote["discounts"]) == 2
    texts = " ".join(d["text"] for d in quote["discounts"])
    assert "200 points you spent are not returned" in texts and "coupon" in texts
    assert "share of what you paid" in texts
    assert discounts.give_back_for_cancellation(_cancelled_event(policy_no)) == {"coupon": None, "points": 0}
    assert _balance(shopper.member_id) == 800
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "used"


def test_given_the_coupon_expired_when_refunded_in_full_then_the_points_come_back_and_the_coupon_does_not(
    shopper, campaigns, new_application
):
    import time

    from distribution.promotions import discounts

    body = _campaign(ends_at=_iso(timedelta(seconds=3)))
    body["coupons"][0] |= {"amount_cents": 1000, "min_premium_cents": 1001}
    campaign_id = campaigns.create(body, OPERATOR)["campaign_id"]
    status, claimed = shopper.call("POST", f"/campaigns/{campaign_id}/coupons/twenty-off/claim")
    assert status == 201, claimed
    claim_id = claimed["claim_id"]
    policy_no = _issued_with(shopper, new_application, 100, claim_id)
    time.sleep(
        max(0.0, (datetime.fromisoformat(claimed["valid_until"]) - datetime.now(UTC)).total_seconds()) + 0.2
    )

    quote, _ = _cancel(shopper, policy_no)

    coupon = next(d for d in quote["discounts"] if d["kind"] == "coupon")
    assert (
        coupon["returned"] is False and "expired" in coupon["text"] and "does not come back" in coupon["text"]
    )
    assert discounts.give_back_for_cancellation(_cancelled_event(policy_no)) == {
        "coupon": None,
        "points": 100,
    }
    assert campaigns.get_claim(shopper.member_id, claim_id)["status"] == "used"
    assert _balance(shopper.member_id) == 1000
