"""The daily renewal offers (policy.renewal_offers) over in-memory fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from policy_fakes import TODAY, FakeCatalog, FakeStore, a_policy

from policy.renewal_offers import RenewalOffers

PRODUCT = {
    "product_id": "accident-guardian",
    "name": "Accident Guardian",
    "status": "on_shelf",
    "rate_table_version": 3,
    "age_limits": {"min": 18, "max": 65},
    "terms": [{"code": "1y", "label": "1 year", "months": 12}],
    "plans": [{"code": "basic", "name": "Basic"}],
}


def _ending_in(days: int):
    end = TODAY + timedelta(days=days)
    return a_policy(start_date=(end - timedelta(days=364)).isoformat(), end_date=end.isoformat())


def _offers(store: FakeStore, catalog: FakeCatalog):
    sent: list[tuple] = []

    def notify(member_id, key, kind, title, body, link=None):
        sent.append((member_id, key, kind, title))
        return True

    offers = RenewalOffers(
        store=store, catalog=catalog, notify=notify, order_status=lambda _: None, window_days=30
    )
    return offers, sent


def test_a_policy_ending_in_the_window_is_offered_at_the_new_price_once():
    store = FakeStore(_ending_in(30))
    offers, sent = _offers(store, FakeCatalog(PRODUCT, premium="130.00"))

    first = offers.offer(TODAY)
    again = offers.offer(TODAY)  # a re-run of the same day

    assert (first["offers_created"], again["offers_created"], again["already_offered"]) == (1, 0, 1)
    offer = store.offers["HML2026120300000011"]
    assert offer.status == "offered"
    assert offer.offer["premium"] == {"total": "130.00"} and offer.offer["rate_table_version"] == 3
    assert offer.offer["start_date"] == (TODAY + timedelta(days=31)).isoformat()
    assert offer.offer["age"] == 30 and offer.offer["plan_name"] == "Basic"
    # one message per policy and kind: the notifier is keyed, the re-run asks it again with the same key
    assert {key for _, key, _, _ in sent} == {"RENEWAL#HML2026120300000011#renewal_offered"}


def test_an_off_shelf_product_is_not_renewable_and_the_holder_is_told_why():
    store = FakeStore(_ending_in(30))
    offers, sent = _offers(store, FakeCatalog(PRODUCT | {"status": "off_shelf"}))

    offers.offer(TODAY)

    offer = store.offers["HML2026120300000011"]
    assert offer.status == "not_renewable" and "Accident Guardian" in offer.offer["reason"]
    assert [kind for _, _, kind, _ in sent] == ["renewal_not_possible"]


def test_rates_that_no_longer_price_the_policy_make_it_not_renewable():
    store = FakeStore(_ending_in(30))
    offers, _ = _offers(store, FakeCatalog(PRODUCT, problems={"age": "no rate for age 31"}))

    offers.offer(TODAY)

    assert store.offers["HML2026120300000011"].status == "not_renewable"


def test_a_cancelled_policy_gets_no_offer():
    store = FakeStore(replace(_ending_in(30), status="cancelled"))
    offers, sent = _offers(store, FakeCatalog(PRODUCT))
    assert offers.offer(TODAY)["offers_created"] == 0 and sent == [] and store.offers == {}


def test_the_listing_shows_the_renewal_order_and_health_questions_only_while_offered():
    store = FakeStore(_ending_in(30))
    product = PRODUCT | {
        "reunderwrite_on_renewal": True,
        "health_questions": [{"code": "h1", "text": "Ill?"}],
    }
    offers, _ = _offers(store, FakeCatalog(product))
    offers.offer(TODAY)
    store.offers["HML2026120300000011"] = replace(store.offers["HML2026120300000011"], order_id="ORD2")
    offers = replace(offers, order_status={"ORD2": "paying"}.get)

    (listed,) = offers.of("customer-1")
    assert listed.order_status == "paying" and listed.health_questions == [{"code": "h1", "text": "Ill?"}]
    store.withdraw_renewal_offer("HML2026120300000011", "cancelled")
    (listed,) = offers.of("customer-1")
    assert listed.order_status is None and listed.health_questions is None


def test_the_run_day_covers_days_a_missed_run_left():
    late = FakeStore(_ending_in(29))  # yesterday's run would have offered it
    offers, _ = _offers(late, FakeCatalog(PRODUCT))
    assert offers.offer(TODAY)["offers_created"] == 1
    assert date.fromisoformat(offers.offer(TODAY)["ending_from"]) < TODAY + timedelta(days=30)
