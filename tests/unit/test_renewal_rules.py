"""Renewal rules (pure): when an offer can be taken, and the order a renewal sells through."""

from __future__ import annotations

from datetime import date

import pytest

from policy.domain import renewal


def _policy(**changes):
    policy = {
        "status": "in_force",
        "end_date": "2027-01-31",
        "product_snapshot": {"options": ["sports"]},
        "parties": {
            "policyholder": {
                "name": "Li Na",
                "id_type": "prc_id",
                "id_number": "110101199001011237",
                "phone": "13800001111",
                "email": None,
            },
            "insured": [
                {
                    "name": "Li Na",
                    "id_type": "prc_id",
                    "id_number": "110101199001011237",
                    "relation": "self",
                    "gender": "F",
                    "occupation_class": 2,
                    "age": 36,
                    "insured_key": "k",
                }
            ],
            "beneficiaries": [
                {"name": "Wang Bo", "id_type": "prc_id", "id_number": "X", "relation": "spouse", "share": 100}
            ],
        },
    }
    return policy | changes


def _offer(status="offered", **terms):
    return {"status": status, "renewed_by": None, "offer": {"reason": None, **terms}}


def test_given_an_open_offer_on_a_policy_in_force_when_checked_on_its_last_day_then_renewable():
    renewal.check_renewable(_offer(), _policy(), date(2027, 1, 31))


@pytest.mark.parametrize(
    ("offer", "policy", "today", "reason"),
    [
        (
            _offer("renewed") | {"renewed_by": "P2"},
            _policy(),
            date(2027, 1, 1),
            "already renewed by policy P2",
        ),
        (
            _offer("not_renewable", reason="The product is no longer on sale"),
            _policy(),
            date(2027, 1, 1),
            "no longer",
        ),
        (_offer(), _policy(status="cancelled"), date(2027, 1, 1), "this one is cancelled"),
        (_offer(), _policy(), date(2027, 2, 1), "renewal period ended"),
    ],
)
def test_given_a_closed_offer_or_policy_when_checked_then_not_renewable_with_a_reason(
    offer, policy, today, reason
):
    with pytest.raises(renewal.NotRenewable, match=reason):
        renewal.check_renewable(offer, policy, today)


def test_given_a_policy_when_the_order_form_is_built_then_current_parties_and_no_empty_fields():
    form = renewal.renewal_order_form(_policy(), None)

    assert form["policyholder"] == {
        "name": "Li Na",
        "id_type": "prc_id",
        "id_number": "110101199001011237",
        "phone": "13800001111",
    }
    assert form["insured"] == [
        {"name": "Li Na", "id_type": "prc_id", "id_number": "110101199001011237", "relation": "self"}
    ]
    assert form["beneficiaries"][0]["share"] == 100
    assert form["health_answers"] == {} and form["accept_terms"] is True


def test_given_an_offer_when_quoted_then_the_new_age_start_and_the_policy_factors():
    offer = {"rate_table_version": 3, "plan": "standard", "term": "1Y", "age": 37, "start_date": "2027-02-01"}

    quote = renewal.renewal_quote("P1", offer, _policy(), {"total": "120.00"}, 12000)

    assert quote["inputs"] == {
        "plan": "standard",
        "age": 37,
        "gender": "F",
        "term": "1Y",
        "options": ["sports"],
        "occupation_class": 2,
        "start_date": "2027-02-01",
    }
    assert (quote["rate_table_version"], quote["premium_cents"]) == (3, 12000)


def test_given_guaranteed_renewal_then_no_health_questions_and_reunderwriting_keeps_them():
    questions = [{"code": "q1", "text": "?", "on_yes": "decline"}]

    assert renewal.product_for_renewal({"health_questions": questions})["health_questions"] == []
    kept = renewal.product_for_renewal({"health_questions": questions, "reunderwrite_on_renewal": True})
    assert kept["health_questions"] == questions
