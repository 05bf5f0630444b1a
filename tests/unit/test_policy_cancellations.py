"""Cancelling a policy (policy.cancellations) over in-memory fakes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from policy_fakes import LOGGER, FakeRefunds, FakeStore, a_policy, clock

from insuremall import errors
from policy.cancellations import Cancellations
from policy.domain.records import RenewalOffer

CUSTOMER = SimpleNamespace(subject="customer-1", email="li@example.com", is_operator=False)


def _cancellations(store: FakeStore):
    rendered: list[str] = []
    refunds = FakeRefunds(store)
    use_case = Cancellations(store=store, refunds=refunds, rerender=rendered.append, logger=LOGGER, now=clock)
    return use_case, refunds, rendered


def test_within_cooling_off_the_whole_premium_comes_back_once_and_the_offer_is_withdrawn():
    store = FakeStore(a_policy())
    store.offers["HML2026120300000011"] = RenewalOffer("HML2026120300000011", "customer-1", "offered", {})
    use_case, refunds, rendered = _cancellations(store)
    policy = use_case.policy("HML2026120300000011", "customer-1")
    quote = use_case.quote(policy)
    assert (quote.rule, quote.refund_cents) == ("cooling_off", 12000)

    cancelled = use_case.cancel(policy, CUSTOMER, "changed_mind", 12000, "customer")

    assert cancelled.status == "cancelled"
    assert cancelled.cancellation["refund"] == {"status": "refunded", "amount_cents": 12000}
    assert refunds.paid == [("HML2026120300000011", 12000)]
    assert rendered == ["HML2026120300000011"]
    assert store.offers["HML2026120300000011"].status == "withdrawn"
    (event,) = store.events
    assert event["rule"] == "cooling_off" and event["within_cooling_off"] is True
    assert event["refund_cents"] == 12000 and event["discounts"] == [{"kind": "points", "points": 500}]
    assert event["reason_code"] == "changed_mind" and event["cancelled_by"] == "customer"


def test_the_same_cancellation_again_pays_nothing_more_and_a_different_one_is_a_conflict():
    store = FakeStore(a_policy())
    use_case, refunds, _ = _cancellations(store)
    policy = use_case.policy("HML2026120300000011", "customer-1")
    use_case.cancel(policy, CUSTOMER, "changed_mind", 12000, "customer")

    again = use_case.cancel(policy, CUSTOMER, "changed_mind", 12000, "customer")  # a repeated request
    assert again.cancellation["refund"]["status"] == "refunded" and len(refunds.paid) == 1
    with pytest.raises(errors.Conflict, match="already cancelled"):
        use_case.cancel(use_case.policy("HML2026120300000011"), CUSTOMER, "too_expensive", None, "operator")
    assert len(store.events) == 1


def test_a_refund_amount_that_no_longer_holds_is_a_conflict_and_nothing_is_written():
    store = FakeStore(a_policy())
    use_case, _, _ = _cancellations(store)
    with pytest.raises(errors.Conflict, match="The refund is now 12000 fen"):
        use_case.cancel(use_case.policy("HML2026120300000011"), CUSTOMER, "other", 100, "customer")
    assert store.events == [] and store.get_policy("HML2026120300000011").in_force


def test_someone_elses_policy_is_not_found():
    use_case, _, _ = _cancellations(FakeStore(a_policy()))
    with pytest.raises(errors.NotFound):
        use_case.policy("HML2026120300000011", "customer-2")


def test_pending_refunds_are_finished_by_the_retry():
    store = FakeStore(a_policy())
    use_case, refunds, rendered = _cancellations(store)
    # The cancellation was written, then the request died before the refund.
    policy = use_case.policy("HML2026120300000011")
    store.cancel(policy, {"refund": {"status": "pending"}, "refund_cents": 12000}, {}, None)
    assert store.pending_refunds() == ["HML2026120300000011"]

    assert use_case.finish_refunds() == {"refunded": 1, "still_pending": []}
    assert store.pending_refunds() == [] and refunds.paid == [("HML2026120300000011", 12000)]
    assert rendered == ["HML2026120300000011"]  # the document shows the refund
