"""Renewal in-process: the daily job's offer and reminders, renewing through an order, and the new
policy linked to the old one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from test_catalog_admin import _signed_in
from test_policy_cancellation import _subject, paid_policy

from insuremall.clock import china_today


@pytest.fixture(scope="module")
def customer(aws):
    return _signed_in(aws)


@pytest.fixture(scope="module")
def stranger(aws):
    return _signed_in(aws)


def policy_ending_in(api, new_application, days: int) -> dict:
    """A one-year policy of `api`'s customer whose last day of cover is `days` from today."""
    end = china_today() + timedelta(days=days)
    start = end.replace(year=end.year - 1) + timedelta(days=1)
    policy = paid_policy(api, new_application, factors={"start": start})
    assert policy["end_date"] == end.isoformat()
    return policy


def run_renewal_job(aws, end_date: str) -> dict:
    from policy import tasks

    window = int(aws.template.parameters["RenewalWindowDays"])
    return tasks.renewal_offers({"date": (date.fromisoformat(end_date) - timedelta(days=window)).isoformat()})


def notifications_of(api) -> list[dict]:
    from insuremall import notifications

    return notifications.list_for(_subject(api))


def test_given_a_policy_in_the_window_when_the_job_runs_twice_then_one_offer_and_one_reminder(
    aws, customer, stranger, new_application
):
    policy = policy_ending_in(customer, new_application, 20)
    no = policy["policy_no"]

    first = run_renewal_job(aws, policy["end_date"])
    second = run_renewal_job(aws, policy["end_date"])

    assert first["offers_created"] >= 1 and second["offers_created"] == 0
    status, body = customer.get("/renewals")
    assert status == 200, body
    offer = next(r for r in body["renewals"] if r["policy_no"] == no)
    assert offer["status"] == "offered"
    assert offer["start_date"] == (date.fromisoformat(policy["end_date"]) + timedelta(days=1)).isoformat()
    assert offer["valid_until"] == policy["end_date"] and offer["premium"]["total"]
    assert offer["product_name"] and offer["plan_name"] and offer["order_id"] is None
    reminders = [n for n in notifications_of(customer) if no in n["body"]]
    assert [n["kind"] for n in reminders] == ["renewal_offered"]
    assert reminders[0]["delivery"] == "sent" and reminders[0]["link"] == "/account.html#renewals"
    status, body = stranger.get("/renewals")
    assert status == 200 and all(r["policy_no"] != no for r in body["renewals"])


def test_given_an_offer_when_renewed_then_one_order_and_the_issued_policy_links_to_the_old(
    aws, customer, stranger, new_application
):
    from checkout import store as checkout_store
    from policy import store, tasks

    policy = policy_ending_in(customer, new_application, 10)
    no = policy["policy_no"]
    run_renewal_job(aws, policy["end_date"])

    status, body = customer.post(f"/policies/{no}/renewal", {})
    assert status == 422 and "accept_terms" in body["error"]["fields"]
    status, body = stranger.post(f"/policies/{no}/renewal", {"accept_terms": True})
    assert status == 404, body

    status, order = customer.post(f"/policies/{no}/renewal", {"accept_terms": True})
    assert status == 201, order
    assert order["renewal_of"] == no and order["status"] in ("pending_payment", "awaiting_payment")
    assert order["start_date"] == (date.fromisoformat(policy["end_date"]) + timedelta(days=1)).isoformat()
    status, again = customer.post(f"/policies/{no}/renewal", {"accept_terms": True})
    assert (status, again["order_id"]) == (200, order["order_id"])
    status, listed = customer.get("/renewals")
    assert next(r for r in listed["renewals"] if r["policy_no"] == no)["order_id"] == order["order_id"]

    # The saga's IssuePolicy step, as after payment and underwriting.
    application = checkout_store.get_order(order["order_id"], consistent=True)["application"]
    assert application["renewal_of"] == no and application["insured"][0]["id_number"]
    issued = tasks.issue({"order_id": order["order_id"], "application": application, "payment": {}})

    status, renewed = customer.get(f"/policies/{issued['policy_no']}")
    assert status == 200 and renewed["renewal_of"] == no
    assert store.get_policy(no)["renewed_by"] == issued["policy_no"]
    status, old = customer.get(f"/policies/{no}")
    assert old["renewed_by"] == issued["policy_no"]
    status, listed = customer.get("/renewals")
    done = next(r for r in listed["renewals"] if r["policy_no"] == no)
    assert (done["status"], done["renewed_by"]) == ("renewed", issued["policy_no"])
    status, body = customer.post(f"/policies/{no}/renewal", {"accept_terms": True})
    assert status == 409 and "already renewed" in body["error"]["message"]


def test_given_a_renewal_when_underwritten_then_the_renewed_policy_does_not_count_against_the_cap(
    aws, customer, new_application
):
    from policy import store

    policy = policy_ending_in(customer, new_application, 12)
    key = policy["parties"]["insured"][0]["insured_key"]
    kind = policy["product_snapshot"]["kind"]
    assert store.in_force_sum_insured(key, kind) == policy["sum_insured"]
    assert store.in_force_sum_insured(key, kind, excluding=policy["policy_no"]) == 0


def test_given_an_offer_not_taken_when_a_week_is_left_then_one_due_soon_reminder(
    aws, customer, new_application
):
    from policy import tasks

    policy = policy_ending_in(customer, new_application, 25)
    no = policy["policy_no"]
    run_renewal_job(aws, policy["end_date"])
    week_before = (date.fromisoformat(policy["end_date"]) - timedelta(days=7)).isoformat()

    tasks.renewal_offers({"date": week_before})
    tasks.renewal_offers({"date": week_before})

    kinds = sorted(n["kind"] for n in notifications_of(customer) if no in n["body"])
    assert kinds == ["renewal_due_soon", "renewal_offered"]


def test_given_no_offer_when_renewing_then_404(aws, customer, new_application):
    policy = policy_ending_in(customer, new_application, 60)
    status, body = customer.post(f"/policies/{policy['policy_no']}/renewal", {"accept_terms": True})
    assert status == 404 and "no renewal offer" in body["error"]["message"]


def test_given_an_attributed_first_sale_when_renewed_then_the_renewal_order_keeps_its_attribution(
    aws, customer, new_application
):
    from checkout import store as checkout_store

    policy = policy_ending_in(customer, new_application, 15)
    no = policy["policy_no"]
    attribution = {"level1": "member-b", "level2": "member-a", "source": "bound"}
    checkout_store.create_order(
        {
            "order_id": policy["order_id"],
            "product_id": policy["product_id"],
            "product_name": "first sale",
            "quote_id": "Q1",
            "premium_cents": policy["premium_cents"],
            "channel": "h5",
            "application": {"attribution": attribution},
            "created_at": checkout_store.now_iso(),
        },
        _subject(customer),
        None,
        "",
        0,
    )
    run_renewal_job(aws, policy["end_date"])

    status, order = customer.post(f"/policies/{no}/renewal", {"accept_terms": True})

    assert status == 201, order
    renewal = checkout_store.get_order(order["order_id"], consistent=True)["application"]
    assert renewal["attribution"] == attribution and renewal["renewal_of"] == no


def renewal_of(api, policy_no: str) -> dict:
    status, body = api.get("/renewals")
    assert status == 200, body
    return next(r for r in body["renewals"] if r["policy_no"] == policy_no)


@pytest.mark.parametrize("by", ["customer", "operator"])
def test_given_an_offer_when_the_policy_is_cancelled_then_the_offer_is_withdrawn_and_no_reminder_goes_out(
    aws, customer, new_application, by
):
    from policy import tasks

    operator = _signed_in(aws, groups=("operators",))
    policy = policy_ending_in(customer, new_application, 22)
    no = policy["policy_no"]
    run_renewal_job(aws, policy["end_date"])
    assert renewal_of(customer, no)["status"] == "offered"

    if by == "customer":
        refund = customer.get(f"/policies/{no}/cancellation-quote")[1]["refund_cents"]
        status, body = customer.post(
            f"/policies/{no}/cancellation", {"reason": "other", "refund_cents": refund}
        )
    else:
        status, body = operator.post(f"/admin/policies/{no}/cancellation", {"reason": "Customer called"})
    assert status == 200, body

    offer = renewal_of(customer, no)
    assert offer["status"] == "withdrawn" and "cancelled" in offer["reason"]
    status, body = customer.post(f"/policies/{no}/renewal", {"accept_terms": True})
    assert status == 409 and "cancelled" in body["error"]["message"]
    week_before = (date.fromisoformat(policy["end_date"]) - timedelta(days=7)).isoformat()
    tasks.renewal_offers({"date": week_before})
    kinds = [n["kind"] for n in notifications_of(customer) if no in n["body"]]
    assert kinds == ["renewal_offered"]  # no "has not been renewed yet" for a cancelled policy


def test_given_an_offer_left_open_on_a_cancelled_policy_when_a_week_is_left_then_no_reminder(
    aws, customer, new_application
):
    from insuremall.models.policy import PolicyRecord
    from policy import tasks

    policy = policy_ending_in(customer, new_application, 23)
    no = policy["policy_no"]
    run_renewal_job(aws, policy["end_date"])
    # A cancellation that stopped before it withdrew the offer.
    PolicyRecord(pk=f"POLICY#{no}", sk="POLICY").update(actions=[PolicyRecord.status.set("cancelled")])

    tasks.renewal_offers({"date": (date.fromisoformat(policy["end_date"]) - timedelta(days=7)).isoformat()})

    assert [n["kind"] for n in notifications_of(customer) if no in n["body"]] == ["renewal_offered"]


def test_given_a_policy_cancelled_before_the_job_reads_it_then_no_offer_is_made(
    aws, customer, new_application
):
    from policy import store

    policy = policy_ending_in(customer, new_application, 24)
    assert (
        customer.post(
            f"/policies/{policy['policy_no']}/cancellation",
            {
                "reason": "other",
                "refund_cents": customer.get(f"/policies/{policy['policy_no']}/cancellation-quote")[1][
                    "refund_cents"
                ],
            },
        )[0]
        == 200
    )
    # The job read the policy while it was in force; the write finds it cancelled.
    assert store.create_renewal_offer(policy, "offered", {"start_date": "2030-01-01"}) is False
    assert store.get_renewal_offer(policy["policy_no"]) is None


def test_given_the_insured_is_over_the_age_limit_on_renewal_then_the_customer_is_told_why_once(
    aws, customer, new_application
):
    # accident-commuter insures 18 to 60: a 60-year-old's renewal starts at 61.
    end = china_today() + timedelta(days=26)
    start = end.replace(year=end.year - 1) + timedelta(days=1)
    factors = {"start": start, "age": 60, "plan": "lite", "term": "1Y"}
    policy = paid_policy(customer, new_application, "accident-commuter", factors=factors)
    assert policy["end_date"] == end.isoformat()
    no = policy["policy_no"]

    run_renewal_job(aws, policy["end_date"])
    run_renewal_job(aws, policy["end_date"])

    offer = renewal_of(customer, no)
    reason = "Zhang Wei's age on renewal, 61, is over this product's limit of 60"
    assert offer["status"] == "not_renewable" and offer["reason"] == reason
    (message,) = [n for n in notifications_of(customer) if no in n["body"]]
    assert message["kind"] == "renewal_not_possible" and reason in message["body"]
    assert end.isoformat() in message["body"] and "choose other cover" in message["body"]
    assert message["link"] == "/account.html#renewals"


def test_given_the_product_is_off_shelf_at_renewal_then_the_customer_is_told_in_time(
    aws, customer, new_application
):
    end = china_today() + timedelta(days=27)
    start = end.replace(year=end.year - 1) + timedelta(days=1)
    policy = paid_policy(
        customer, new_application, "medical-classic-2024", factors={"start": start, "plan": "classic"}
    )
    no = policy["policy_no"]

    run_renewal_job(aws, policy["end_date"])

    offer = renewal_of(customer, no)
    name = policy["product_snapshot"]["name"]
    assert offer["status"] == "not_renewable"
    assert offer["reason"] == f"{name} is no longer on sale, so this policy cannot be renewed"
    (message,) = [n for n in notifications_of(customer) if no in n["body"]]
    assert message["title"] == f"{name} cannot be renewed" and offer["reason"] in message["body"]


def test_given_a_renewal_order_then_its_premium_has_the_shape_of_a_first_sale(aws, customer, new_application):
    policy = policy_ending_in(customer, new_application, 13)
    run_renewal_job(aws, policy["end_date"])
    offered = renewal_of(customer, policy["policy_no"])["premium"]

    status, order = customer.post(f"/policies/{policy['policy_no']}/renewal", {"accept_terms": True})

    assert status == 201, order
    premium = order["premium"]
    cents = round(float(offered["total"]) * 100)
    assert {"gross", "gross_cents", "payable_cents", "discounts", "total"} <= set(premium)
    assert (premium["gross"], premium["gross_cents"], premium["payable_cents"]) == (
        offered["total"],
        cents,
        cents,
    )
    assert premium["discounts"] == [] and premium["total"] == offered["total"]
