"""The operator's cancellation quote in-process: what cancelling a customer's policy would refund today."""

from __future__ import annotations

import pytest
from test_catalog_admin import _signed_in
from test_policy_cancellation import paid_policy

from insuremall.clock import china_today


@pytest.fixture(scope="module")
def customer(aws):
    return _signed_in(aws)


@pytest.fixture(scope="module")
def operator(aws):
    return _signed_in(aws, groups=("operators",))


def test_given_an_operator_when_quoting_a_customers_policy_then_the_customers_quote(
    aws, customer, operator, new_application
):
    policy = paid_policy(customer, new_application)
    no = policy["policy_no"]

    status, quote = operator.get(f"/admin/policies/{no}/cancellation-quote")

    assert status == 200, quote
    assert quote["policy_no"] == no
    assert (quote["rule"], quote["refund_cents"]) == ("cooling_off", policy["premium_cents"])
    assert quote == customer.get(f"/policies/{no}/cancellation-quote")[1]


def test_given_cooling_off_over_when_an_operator_quotes_then_the_product_rule_applies(
    aws, customer, operator, new_application
):
    policy = paid_policy(
        customer, new_application, factors={"start": china_today()}, product={"cooling_off_days": -1}
    )

    status, quote = operator.get(f"/admin/policies/{policy['policy_no']}/cancellation-quote")

    assert status == 200, quote
    assert quote["rule"] == "short_rate" and quote["refund_cents"] < policy["premium_cents"]


def test_given_a_customer_when_using_the_operator_quote_then_403_even_for_their_own_policy(
    aws, customer, new_application
):
    no = paid_policy(customer, new_application)["policy_no"]

    status, body = customer.get(f"/admin/policies/{no}/cancellation-quote")

    assert status == 403, body


def test_given_an_unknown_policy_when_an_operator_quotes_then_404(aws, operator):
    status, body = operator.get("/admin/policies/NOPE123/cancellation-quote")

    assert status == 404 and body["error"]["message"] == "No such policy"


def test_given_a_cancelled_policy_when_an_operator_quotes_then_409(aws, customer, operator, new_application):
    no = paid_policy(customer, new_application)["policy_no"]
    assert operator.post(f"/admin/policies/{no}/cancellation", {"reason": "duplicate cover"})[0] == 200

    status, body = operator.get(f"/admin/policies/{no}/cancellation-quote")

    assert status == 409 and "cancelled" in body["error"]["message"], body
