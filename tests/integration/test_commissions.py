"""Promotion fees over the embedded AWS: the PolicyIssued / PolicyCancelled consumers and the daily
release job called in-process, and the dashboard, ledger, rate and settings routes through the real
DistributionFunction handler with Cognito tokens."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from test_catalog_admin import Api as RouteCaller

PASSWORD = "Secret2026x"  # noqa: S105 - a test user's password
PREMIUM = 36_000  # CNY 360.00
LEVEL1_BP, LEVEL2_BP = 1500, 500  # 15 % and 5 %: CNY 54.00 and CNY 18.00
RENEWAL1_BP, RENEWAL2_BP = 800, 200


class Api(RouteCaller):
    """The route caller, knowing whose token it carries."""

    def __init__(self, aws, token: str | None = None, member_id: str | None = None):
        super().__init__(aws, token)
        self.member_id = member_id


def _signed_in(aws, groups: tuple[str, ...] = ()) -> Api:
    from local import demo

    email = f"c-{uuid.uuid4().hex[:10]}@example.com"
    sub = demo.create_user(aws, email, PASSWORD, "Fee Earner", groups=groups)
    tokens = aws.client("cognito-idp").initiate_auth(
        ClientId=aws.refs["StorefrontUserPoolClient"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return Api(aws, tokens["IdToken"], sub)


@pytest.fixture(scope="module")
def operator(aws) -> Api:
    return _signed_in(aws, groups=("operators",))


@pytest.fixture
def member(aws) -> Api:
    return _signed_in(aws)


def _today() -> date:
    from insuremall.clock import CHINA

    return datetime.now(CHINA).date()


def _rate(operator: Api, product_id: str, scope: str = "product", **changes) -> dict:
    body = {
        "scope": scope,
        "scope_id": product_id,
        "effective_from": _today().isoformat(),
        "level1_bp": LEVEL1_BP,
        "level2_bp": LEVEL2_BP,
        "renewal_level1_bp": RENEWAL1_BP,
        "renewal_level2_bp": RENEWAL2_BP,
    } | changes
    status, saved = operator.call("POST", "/admin/commission-rates", body)
    assert status == 201, saved
    return saved


@pytest.fixture
def product(operator) -> str:
    """A product id with its own rates (15 % / 5 %, renewals 8 % / 2 %) from today."""
    product_id = f"fee-{uuid.uuid4().hex[:10]}"
    _rate(operator, product_id)
    return product_id


class Sale:
    def __init__(self, product_id: str, level1: str | None, level2: str | None, **changes):
        today = _today()
        self.policy_no = f"JADE{today:%Y%m%d}{uuid.uuid4().int % 10**8:08d}"
        self.level1, self.level2 = level1, level2
        self.payload = {
            "policy_no": self.policy_no,
            "order_id": f"ORD{uuid.uuid4().hex[:12].upper()}",
            "customer_id": f"buyer-{uuid.uuid4().hex[:8]}",
            "product_id": product_id,
            "category_id": "accident",
            "premium_cents": PREMIUM,
            "issued_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "cooling_off_until": (today + timedelta(days=15)).isoformat(),
            "renewal_of": None,
            "attribution": {"level1": level1, "level2": level2, "source": "bound"},
        } | changes
        self.release_day = date.fromisoformat(self.payload["cooling_off_until"]) + timedelta(days=1)
        self._record_event()

    def _record_event(self) -> None:
        # The PolicyIssued event as the policy store writes it (the cancellation consumer reads it).
        from insuremall.models.events import DomainEventRecord, index_key

        DomainEventRecord(
            pk=f"POLICY#{self.policy_no}",
            sk="PolicyIssued",
            event_type="PolicyIssued",
            occurred_at=self.payload["issued_at"],
            payload=self.payload,
            gsi1pk=index_key("PolicyIssued", self.payload["issued_at"][:10], self.payload["policy_no"]),
            gsi1sk=f"{self.payload['issued_at']}#{self.policy_no}",
        ).save()

    def issue(self) -> dict:
        from distribution.referrals import promotion_fees as commissions

        return commissions.on_policy_issued(self.payload, "PolicyIssued")

    def cancel(self, within_cooling_off: bool, refund_cents: int, on: date | None = None) -> dict:
        from distribution.referrals import promotion_fees as commissions

        return commissions.on_policy_cancelled(
            {
                "policy_no": self.policy_no,
                "order_id": self.payload["order_id"],
                "customer_id": self.payload["customer_id"],
                "product_id": self.payload["product_id"],
                "cancelled_on": (on or _today()).isoformat(),
                "within_cooling_off": within_cooling_off,
                "refund_cents": refund_cents,
                "premium_cents": PREMIUM,
                "reason_code": "changed_mind",
                "cancelled_by": "customer",
            },
            "PolicyCancelled",
        )


def _release(day: date) -> dict:
    from distribution.referrals import promotion_fees as commissions

    return commissions.release_commissions({"task": "release_commissions", "date": day.isoformat()})


def _balance(member_id: str) -> dict:
    from distribution.referrals.repository import fee_ledger as ledger

    return ledger.balance(member_id, consistent=True)


def _kinds(member_id: str, policy_no: str, level: int) -> list[str]:
    from distribution.referrals.repository import fee_ledger as ledger

    return sorted(e["kind"] for e in ledger.entries_for_subject(member_id, f"P{policy_no}#L{level}"))


def _new_member() -> str:
    return f"member-{uuid.uuid4().hex[:12]}"


# ---------- earning ----------
def test_given_policy_issued_delivered_three_times_then_one_set_of_entries_and_balances(product):
    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a)

    results = [sale.issue() for _ in range(3)]

    assert [r["earned"] for r in results] == [2, 0, 0]
    assert _kinds(b, sale.policy_no, 1) == ["earn"]
    assert _kinds(a, sale.policy_no, 2) == ["earn"]
    assert _balance(b) | {"points": 0} == {
        "pending_cents": 5_400,
        "available_cents": 0,
        "reserved_cents": 0,
        "withdrawn_cents": 0,
        "earned_cents": 5_400,
        "points": 0,
    }
    assert _balance(a)["pending_cents"] == 1_800


def test_given_policy_issued_delivered_concurrently_by_three_workers_then_one_set_of_entries(product):
    from distribution.referrals.repository import fee_ledger as ledger

    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a)
    results, barrier = [], threading.Barrier(3)

    def deliver():
        barrier.wait()
        results.append(sale.issue()["earned"])

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(results) == 2
    assert _kinds(b, sale.policy_no, 1) == ["earn"]
    assert _balance(b)["pending_cents"] == 5_400
    assert _balance(a)["pending_cents"] == 1_800
    assert ledger.earned_in(b, _today())["today_cents"] == 5_400


def test_given_no_attribution_or_no_rate_then_nothing_is_earned(product):
    assert Sale(product, level1=None, level2=None).issue() == {"earned": 0}
    lonely = _new_member()
    assert Sale(f"no-rate-{uuid.uuid4().hex[:8]}", level1=lonely, level2=None, category_id=None).issue() == {
        "earned": 0
    }
    assert _balance(lonely)["pending_cents"] == 0


def test_given_a_category_rate_and_no_product_rate_then_the_category_rate_applies(operator):
    category = f"cat-{uuid.uuid4().hex[:8]}"
    _rate(operator, category, scope="category", level1_bp=1000, level2_bp=0)
    b = _new_member()
    sale = Sale(f"uncommissioned-{uuid.uuid4().hex[:8]}", level1=b, level2=None, category_id=category)

    sale.issue()

    from distribution.referrals.repository import fee_ledger as ledger

    earn = ledger.get_entry(b, f"P{sale.policy_no}#L1", "earn")
    assert earn["amount_cents"] == 3_600
    assert earn["detail"]["rate_scope"] == "category"
    assert earn["detail"]["rate_bp"] == 1000


def test_given_a_renewal_then_the_renewal_rates_apply(product):
    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a, renewal_of="JADE2025010100000001")

    sale.issue()

    assert _balance(b)["pending_cents"] == 2_880  # 8 %
    assert _balance(a)["pending_cents"] == 720  # 2 %


# ---------- releasing ----------
def test_given_the_release_job_run_twice_then_fees_are_released_once(aws, product):
    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a)
    sale.issue()

    before = _release(sale.release_day - timedelta(days=1))  # cooling-off not over yet
    assert _balance(b)["pending_cents"] == 5_400
    first = _release(sale.release_day)
    aws.meter.reset()
    second = _release(sale.release_day)
    second_writes = aws.meter.calls["dynamodb.TransactWriteItems"]

    assert first["released"] >= 2 and before["date"] < first["date"]
    assert second["released"] == 0 and second["already"] >= 2
    assert second_writes == 0  # released entries are skipped after one batch read, not re-attempted
    assert _kinds(b, sale.policy_no, 1) == ["available", "earn", "release"]
    assert _balance(b)["pending_cents"] == 0
    assert _balance(b)["available_cents"] == 5_400
    assert _balance(b)["earned_cents"] == 5_400
    assert _balance(a)["available_cents"] == 1_800


def test_given_a_missed_run_then_the_next_days_run_catches_up(product):
    b = _new_member()
    sale = Sale(product, level1=b, level2=None)
    sale.issue()

    _release(sale.release_day + timedelta(days=3))

    assert _balance(b)["available_cents"] == 5_400


# ---------- cancelling ----------
def test_given_a_cancellation_in_cooling_off_then_pending_fees_are_voided_and_never_released(product):
    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a)
    sale.issue()

    outcome = sale.cancel(within_cooling_off=True, refund_cents=PREMIUM)
    again = sale.cancel(within_cooling_off=True, refund_cents=PREMIUM)
    _release(sale.release_day)

    assert outcome == {"level1": "voided", "level2": "voided"}
    assert again == {"level1": "already", "level2": "already"}
    assert _kinds(b, sale.policy_no, 1) == ["earn", "void"]
    for member_id in (b, a):
        balance = _balance(member_id)
        assert (balance["pending_cents"], balance["available_cents"], balance["earned_cents"]) == (0, 0, 0)


def test_given_a_cancellation_after_release_then_the_refund_share_is_clawed_back(product):
    b, a = _new_member(), _new_member()
    sale = Sale(product, level1=b, level2=a)
    sale.issue()
    _release(sale.release_day)

    refund = 12_345  # of 36,000: b's share 5,400 x 12,345 / 36,000 = 1,851.75 -> 1,852
    outcome = sale.cancel(within_cooling_off=False, refund_cents=refund, on=sale.release_day)
    sale.cancel(within_cooling_off=False, refund_cents=refund, on=sale.release_day)

    assert outcome == {"level1": "clawed_back", "level2": "clawed_back"}
    from distribution.referrals.repository import fee_ledger as ledger

    clawback = ledger.get_entry(b, f"P{sale.policy_no}#L1", "clawback")
    assert clawback["amount_cents"] == -1_852
    assert clawback["detail"]["refund_cents"] == refund
    assert _balance(b)["available_cents"] == 5_400 - 1_852
    assert _balance(b)["earned_cents"] == 5_400 - 1_852
    assert _balance(a)["available_cents"] == 1_800 - 617  # 617.25 -> 617


def test_given_a_cancellation_after_cooling_off_before_the_late_job_then_released_and_clawed_back(product):
    b = _new_member()
    sale = Sale(product, level1=b, level2=None)
    sale.issue()

    outcome = sale.cancel(within_cooling_off=False, refund_cents=PREMIUM // 2, on=sale.release_day)

    assert outcome == {"level1": "clawed_back"}
    assert _kinds(b, sale.policy_no, 1) == ["available", "clawback", "earn", "release"]
    assert _balance(b)["available_cents"] == 2_700
    assert _balance(b)["pending_cents"] == 0


def test_given_a_release_racing_a_void_then_exactly_one_applies(product):
    for _ in range(3):
        b = _new_member()
        sale = Sale(product, level1=b, level2=None)
        sale.issue()
        barrier = threading.Barrier(2)

        def release_it(b=b, sale=sale, barrier=barrier):
            barrier.wait()
            _release(sale.release_day)

        def void_it(sale=sale, barrier=barrier):
            barrier.wait()
            sale.cancel(within_cooling_off=True, refund_cents=PREMIUM)

        threads = [threading.Thread(target=release_it), threading.Thread(target=void_it)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        kinds = _kinds(b, sale.policy_no, 1)
        balance = _balance(b)
        assert balance["pending_cents"] == 0
        if "void" in kinds:
            assert kinds == ["earn", "void"] and balance["available_cents"] == 0
        else:  # released first: the full refund claws the whole fee back
            assert kinds == ["available", "clawback", "earn", "release"]
            assert balance["available_cents"] == 0
        assert balance["earned_cents"] == 0


# ---------- the licence rule ----------
class FakePoints:
    def __init__(self):
        self.credits: dict[str, tuple] = {}
        self.debits: dict[str, tuple] = {}

    def credit(self, member_id, key, points, reason, day=None, *, policy_no=None, detail=None):
        self.credits.setdefault(key, (member_id, points, reason))

    def debit(self, member_id, key, points, reason):
        self.debits.setdefault(key, (member_id, points, reason))


@pytest.fixture
def licence_required(operator):
    status, current = operator.call("GET", "/admin/rewards/settings")
    assert status == 200
    status, saved = operator.call(
        "PUT", "/admin/rewards/settings", {"require_licence_for_cash": True, "revision": current["revision"]}
    )
    assert status == 200, saved
    yield saved
    status, now = operator.call("GET", "/admin/rewards/settings")
    operator.call(
        "PUT", "/admin/rewards/settings", {"require_licence_for_cash": False, "revision": now["revision"]}
    )


def _verify_licence(aws, member_id: str) -> None:
    from insuremall.config import get_settings

    aws.client("dynamodb").update_item(
        TableName=get_settings().members_table,
        Key={"pk": {"S": f"MEMBER#{member_id}"}, "sk": {"S": "PROFILE"}},
        UpdateExpression="SET agent_licence = :l",
        ExpressionAttributeValues={":l": {"S": json.dumps({"licence_no": "LIC123456", "verified": True})}},
    )


def test_given_licences_required_then_an_unlicensed_member_is_paid_in_points_and_the_rule_is_recorded(
    aws, product, licence_required, monkeypatch
):
    from distribution import wiring
    from distribution.referrals.repository import fee_ledger as ledger

    points = FakePoints()
    monkeypatch.setattr(wiring, "points_ledger", lambda: points)
    licensed, unlicensed = _new_member(), _new_member()
    _verify_licence(aws, licensed)
    sale = Sale(product, level1=unlicensed, level2=licensed)

    sale.issue()
    _release(sale.release_day)
    _release(sale.release_day)

    earn1 = ledger.get_entry(unlicensed, f"P{sale.policy_no}#L1", "earn")
    earn2 = ledger.get_entry(licensed, f"P{sale.policy_no}#L2", "earn")
    assert (
        earn1["detail"].items()
        >= {
            "settlement": "points",
            "licence_rule": "no_verified_licence",
            "points": 5_400,
        }.items()
    )
    assert earn2["detail"].items() >= {"settlement": "cash", "licence_rule": "licence_verified"}.items()
    assert _kinds(unlicensed, sale.policy_no, 1) == ["earn", "release"]  # no cash made available
    assert _balance(unlicensed)["available_cents"] == 0 and _balance(unlicensed)["pending_cents"] == 0
    assert _balance(licensed)["available_cents"] == 1_800
    assert points.credits == {
        f"FEE#P{sale.policy_no}#L1": (unlicensed, 5_400, points.credits[f"FEE#P{sale.policy_no}#L1"][2])
    }

    sale.cancel(within_cooling_off=False, refund_cents=PREMIUM // 2, on=sale.release_day)

    assert points.debits[f"FEE#P{sale.policy_no}#L1#clawback"][:2] == (unlicensed, 2_700)
    assert _balance(unlicensed)["available_cents"] == 0  # points taken back, no cash moved
    assert _balance(unlicensed)["earned_cents"] == 2_700


def test_given_licences_not_required_then_the_rule_says_so(product):
    from distribution.referrals.repository import fee_ledger as ledger

    b = _new_member()
    sale = Sale(product, level1=b, level2=None)
    sale.issue()

    earn = ledger.get_entry(b, f"P{sale.policy_no}#L1", "earn")
    assert earn["detail"]["settlement"] == "cash"
    assert earn["detail"]["licence_rule"] == "licence_not_required"


# ---------- dashboard and ledger routes ----------
def test_given_fees_when_reading_the_dashboard_then_the_figures_come_from_three_items(aws, product, member):
    for _ in range(3):
        Sale(product, level1=member.member_id, level2=None).issue()
    member.call("GET", "/members/me/commissions")  # warm: token keys, connections

    aws.meter.reset()
    status, dashboard = member.call("GET", "/members/me/commissions")
    dashboard_requests = aws.meter.count("dynamodb")
    aws.meter.reset()
    status2, page = member.call("GET", "/members/me/commissions/entries", query="limit=2")
    page_requests = aws.meter.count("dynamodb")

    assert status == 200 and status2 == 200
    assert (
        dashboard.items()
        >= {
            "today_cents": 16_200,
            "month_cents": 16_200,
            "total_cents": 16_200,
            "pending_cents": 16_200,
            "available_cents": 0,
            "withdrawn_cents": 0,
        }.items()
    )
    assert dashboard["display"]["pending"] == "162.00"
    # The balance item, one batch of the day and month counters, the settings (the withdrawal minimum).
    assert dashboard_requests <= 3
    assert page_requests == 1
    assert len(page["entries"]) == 2 and page["next"]
    entry = page["entries"][0]
    assert entry["kind"] == "earn" and entry["level"] == 1 and entry["amount_cents"] == 5_400
    assert "*" in entry["policy_no"] and len(entry["policy_no"]) == 20
    assert entry["policy_no"] in entry["key"]


def test_given_a_long_ledger_when_paging_then_every_entry_once_newest_first_and_no_policy_number(
    product, member
):
    sales = [Sale(product, level1=member.member_id, level2=None) for _ in range(5)]
    for sale in sales:
        sale.issue()
    _release(sales[0].release_day)  # 2 more entries per sale with one time each: ties in the order

    seen, after, pages = [], None, 0
    while True:
        status, page = member.call(
            "GET", "/members/me/commissions/entries", query="limit=3" + (f"&after={after}" if after else "")
        )
        assert status == 200, page
        seen += page["entries"]
        pages += 1
        after = page["next"]
        if not after:
            break
        assert not any(s.policy_no in after for s in sales)

    assert len(seen) == 15 and pages == 5
    assert len({e["key"] for e in seen}) == 15
    assert [e["at"] for e in seen] == sorted((e["at"] for e in seen), reverse=True)
    assert not any(s.policy_no in json.dumps(seen) for s in sales)


def test_given_bad_paging_parameters_then_422_naming_the_field(member):
    assert member.call("GET", "/members/me/commissions/entries", query="limit=0")[0] == 422
    status, body = member.call("GET", "/members/me/commissions/entries", query="after=nonsense")
    assert status == 422 and "after" in body["error"]["fields"]


def test_given_an_operator_then_a_members_dashboard_and_entries_are_readable(operator, product, member):
    Sale(product, level1=member.member_id, level2=None).issue()

    status, dashboard = operator.call("GET", f"/admin/members/{member.member_id}/commissions")
    status2, page = operator.call("GET", f"/admin/members/{member.member_id}/commissions/entries")

    assert status == 200 and dashboard["pending_cents"] == 5_400
    assert status2 == 200 and [e["kind"] for e in page["entries"]] == ["earn"]
    assert operator.call("GET", "/admin/members/not%20an%20id/commissions")[0] == 404


def test_given_a_customer_or_nobody_then_operator_routes_refuse(aws, member):
    for path in (
        f"/admin/members/{member.member_id}/commissions",
        "/admin/commission-rates",
        "/admin/rewards/settings",
    ):
        assert member.call("GET", path)[0] == 403
        assert Api(aws).call("GET", path)[0] == 401
    assert Api(aws).call("GET", "/members/me/commissions")[0] == 401


# ---------- rates and settings routes ----------
def test_given_rates_when_listing_then_newest_first_and_each_change_is_audited(operator):
    from insuremall import audit

    product_id = f"fee-{uuid.uuid4().hex[:10]}"
    later = (_today() + timedelta(days=30)).isoformat()
    _rate(operator, product_id)
    _rate(operator, product_id, effective_from=later, level1_bp=2000)
    replaced = _rate(operator, product_id, effective_from=later, level1_bp=2100)  # a future rate may change

    status, listed = operator.call("GET", "/admin/commission-rates", query=f"product_id={product_id}")
    status_all, everything = operator.call("GET", "/admin/commission-rates")

    assert status == 200 and [r["level1_bp"] for r in listed["rates"]] == [2100, 1500]
    assert replaced["created_by"] == operator.member_id
    assert status_all == 200 and any(r["scope_id"] == product_id for r in everything["rates"])
    actions = [e["action"] for e in audit.entries(f"commission-rates:product:{product_id}")]
    assert sorted(actions) == ["commission-rate.added", "commission-rate.added", "commission-rate.replaced"]


def test_given_a_rate_in_effect_when_adding_the_same_day_again_then_409(operator, product):
    status, body = operator.call(
        "POST",
        "/admin/commission-rates",
        {
            "scope": "product",
            "scope_id": product,
            "effective_from": _today().isoformat(),
            "level1_bp": 1,
            "level2_bp": 1,
            "renewal_level1_bp": 1,
            "renewal_level2_bp": 1,
        },
    )
    assert status == 409 and "effective_from" in body["error"]["fields"]


def test_given_a_bad_rate_then_422_per_field(operator):
    status, body = operator.call(
        "POST",
        "/admin/commission-rates",
        {"scope": "insurer", "scope_id": "x", "effective_from": "2020-01-01", "level1_bp": 6000},
    )
    assert status == 422
    assert {"scope", "level1_bp", "level2_bp"} <= set(body["error"]["fields"])
    past = {"scope": "product", "scope_id": "x", "effective_from": "2020-01-01"}
    levels = {"level1_bp": 1, "level2_bp": 1, "renewal_level1_bp": 1, "renewal_level2_bp": 1}
    status, body = operator.call("POST", "/admin/commission-rates", {**past, **levels})
    assert status == 422 and set(body["error"]["fields"]) == {"effective_from"}, body
    assert operator.call("GET", "/admin/commission-rates", query="product_id=Bad%20Id")[0] == 422


def test_given_settings_when_saving_then_stale_revisions_409_bad_values_422_and_changes_audited(operator):
    from insuremall import audit

    status, current = operator.call("GET", "/admin/rewards/settings")
    assert status == 200 and "require_licence_for_cash" in current
    revision = current["revision"]

    bad = operator.call("PUT", "/admin/rewards/settings", {"withdrawal_min_cents": 5, "revision": revision})
    stale = operator.call("PUT", "/admin/rewards/settings", {"signin_points": 6, "revision": revision + 7})
    no_revision = operator.call("PUT", "/admin/rewards/settings", {"signin_points": 6})
    status, saved = operator.call(
        "PUT",
        "/admin/rewards/settings",
        {"signin_points": current["signin_points"] + 1, "revision": revision},
    )
    replay = operator.call("PUT", "/admin/rewards/settings", {"signin_points": 1, "revision": revision})

    assert bad[0] == 422 and "withdrawal_min_cents" in bad[1]["error"]["fields"]
    assert stale[0] == 409 and no_revision[0] == 422 and replay[0] == 409
    assert status == 200 and saved["revision"] == revision + 1
    assert saved["signin_points"] == current["signin_points"] + 1
    latest = audit.entries("settings:rewards")[0]
    assert latest["action"] == "settings.updated"
    assert latest["changes"] == {
        "signin_points": {"from": current["signin_points"], "to": current["signin_points"] + 1}
    }
    operator.call(
        "PUT",
        "/admin/rewards/settings",
        {"signin_points": current["signin_points"], "revision": revision + 1},
    )


# ---------- the schedule ----------
def test_given_the_schedule_then_the_release_job_runs_through_the_tasks_function(aws, product):
    b = _new_member()
    sale = Sale(product, level1=b, level2=None)
    sale.issue()

    result, error = aws.runtime.invoke(
        "DistributionTasksFunction", {"task": "release_commissions", "date": sale.release_day.isoformat()}
    )

    assert error is None, result
    assert result["date"] == sale.release_day.isoformat() and result["released"] >= 1
    assert _balance(b)["available_cents"] == 5_400


def test_given_a_stream_record_of_policy_issued_then_the_tasks_function_earns_fees(aws, product, monkeypatch):
    from boto3.dynamodb.types import TypeSerializer

    from distribution import tasks

    assert "distribution.referrals.promotion_fees:on_policy_issued" in tasks.CONSUMERS["PolicyIssued"]
    assert "distribution.referrals.promotion_fees:on_policy_cancelled" in tasks.CONSUMERS["PolicyCancelled"]
    # Only this consumer: the others (points) have their own tests.
    monkeypatch.setitem(
        tasks.CONSUMERS, "PolicyIssued", ["distribution.referrals.promotion_fees:on_policy_issued"]
    )

    b = _new_member()
    sale = Sale(product, level1=b, level2=None)
    image = {
        "event_type": TypeSerializer().serialize("PolicyIssued"),
        "payload": {"S": json.dumps(sale.payload)},
    }
    records = [
        {"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": str(n)}} for n in (1, 2)
    ]

    result, error = aws.runtime.invoke("DistributionTasksFunction", {"Records": records})

    assert error is None and result == {"batchItemFailures": []}
    assert _balance(b)["pending_cents"] == 5_400


# ---------- the ledger's answers ----------
def test_given_checks_and_extra_writes_when_posting_then_replay_shortage_and_precondition_are_told_apart():
    from distribution.referrals.repository import fee_ledger as ledger
    from distribution.referrals.repository.fee_ledger import Entry, InsufficientBalance, PreconditionFailed
    from insuremall.models.rewards import StatRecord

    m, day = _new_member(), _today()
    earn = Entry("PX#L1", "earn", 1_000, "pending", earned=True)
    assert ledger.post(m, [earn], day=day)
    extra = lambda t: t.save(StatRecord(pk=f"MEMBER#{m}", sk=f"TEST#{uuid.uuid4().hex}"))  # noqa: E731
    take = Entry("WX", "reserve", -500, "available")
    checks = {"require_present": ("LEDGER#PX#L1#earn",), "require_absent": ("LEDGER#PX#L1#void",)}

    with pytest.raises(InsufficientBalance):  # nothing available yet
        ledger.post(m, [take], day=day, minimum={"available": 500}, extra_writes=extra, **checks)
    with pytest.raises(PreconditionFailed):
        ledger.post(m, [take], day=day, require_present=("LEDGER#PX#L1#release",), extra_writes=extra)
    replay = {"require_absent": ("LEDGER#PX#L1#void",), "require_present": ("LEDGER#PX#L1#earn",)}
    again = Entry("PX#L1", "available", 0, "available")
    assert ledger.post(m, [again], day=day, extra_writes=extra, require_absent=replay["require_absent"])
    assert ledger.post(m, [again], day=day, extra_writes=extra, **replay) is False  # a replay
    assert _balance(m)["pending_cents"] == 1_000 and _balance(m)["available_cents"] == 0


def test_given_a_fee_paid_in_points_then_the_points_module_credits_it_once_and_debits_the_clawback(
    product, licence_required
):
    from distribution.promotions.repository import points_ledger as points

    unlicensed = _new_member()
    sale = Sale(product, level1=unlicensed, level2=None)
    sale.issue()

    _release(sale.release_day)
    _release(sale.release_day)
    credited = points.balance(unlicensed)
    sale.cancel(within_cooling_off=False, refund_cents=PREMIUM // 2, on=sale.release_day)
    sale.cancel(within_cooling_off=False, refund_cents=PREMIUM // 2, on=sale.release_day)

    assert credited == 5_400
    assert points.balance(unlicensed) == 2_700  # half the premium refunded: half the fee's points back
