"""Sales figures from events (pure) and the statistics over them, over an in-memory store."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from insuremall import errors, events
from insuremall.models.reports import SalesFigures
from reports import counting, statistics
from reports.domain import figures


def issued(
    no="P1", at="2026-12-01T15:30:00+00:00", product="accident-guardian", region="31", premium=16900, **extra
):
    return events.PolicyIssued(
        policy_no=no, order_id=f"O-{no}", customer_id="c1", product_id=product, plan="basic", term="1Y",
        sum_insured=100000, premium_cents=premium, start_date="2026-12-02", end_date="2027-12-01",
        issued_at=at,
        channel="h5", insurer_id="jade-pc", product_kind="accident", region=region, category_id="accident",
        product_name="Accident Guardian", insurer_name="Jade P&C", **extra,
    )  # fmt: skip


def cancelled(no="P1", on="2026-12-03", refund=16900, **extra):
    return events.PolicyCancelled(
        policy_no=no, order_id=f"O-{no}", customer_id="c1", product_id="accident-guardian", cancelled_on=on,
        rule="cooling_off", refund_cents=refund, premium_cents=16900, insurer_id="jade-pc", region="31",
        channel="h5", category_id="accident", **extra,
    )  # fmt: skip


class FakeFigures:
    """ReportsTable's figures, markers and staged sums in memory, with the store's all-or-nothing steps."""

    def __init__(self):
        self.counted: set[str] = set()
        self.items: dict[tuple[str, str, str], dict] = defaultdict(lambda: defaultdict(int))
        self.transactions = 0
        self.updates: dict[tuple[str, str, str], int] = defaultdict(int)
        self.staged_items: dict[str, dict] = {}
        self.lost_before: set[str] = set()  # staged ids another fold takes first (a concurrent sweep)
        self._ids = 0

    def _new_id(self) -> str:
        self._ids += 1
        return f"S{self._ids}"

    def stage(self, event_ids, sums):
        seen = [i for i in event_ids if i in self.counted]
        if seen:
            raise figures.AlreadyCounted(seen)
        assert len(event_ids) + 1 <= counting.TRANSACTION_ITEMS
        self.transactions += 1
        self.counted |= set(event_ids)
        staged_id = self._new_id()
        self.staged_items[staged_id] = sums
        return staged_id

    def merge(self, staged_ids, sums):
        assert len(staged_ids) + 1 <= counting.TRANSACTION_ITEMS
        if any(i not in self.staged_items or i in self.lost_before for i in staged_ids):
            return None
        self.transactions += 1
        for i in staged_ids:
            del self.staged_items[i]
        into = self._new_id()
        self.staged_items[into] = sums
        return into

    def apply(self, staged_id, part, rest):
        assert len(part) + 2 <= counting.TRANSACTION_ITEMS
        if staged_id not in self.staged_items or staged_id in self.lost_before:
            return None
        self.transactions += 1
        del self.staged_items[staged_id]
        for key, total in part.items():
            item = self.items[(key.day, key.dimension, key.value)]
            self.updates[(key.day, key.dimension, key.value)] += 1
            item["name"] = item.get("name") or total.name
            for figure, n in total.figures.items():
                item[figure] += n
        if not rest:
            return None
        rest_id = self._new_id()
        self.staged_items[rest_id] = rest
        return rest_id

    def staged(self, lane):
        return list(self.staged_items.items()) if lane == 0 else []

    def read(self, day, dimension):
        return [
            {"key": value, **item}
            for (d, dim, value), item in self.items.items()
            if d == day and dim == dimension
        ]


def test_the_stored_figures_are_the_models_attributes():
    assert set(figures.FIGURES) <= set(SalesFigures.get_attributes())


@pytest.mark.parametrize(
    ("issued_at", "day"),
    [("2026-12-01T15:30:00+00:00", "2026-12-01"), ("2026-12-01T16:10:00+00:00", "2026-12-02")],
)
def test_given_a_sale_near_midnight_china_time_then_it_counts_on_its_china_day(issued_at, day):
    # 23:30 China time on the 1st is 15:30 UTC; 00:10 on the 2nd is 16:10 UTC the day before.
    assert figures.contribution(issued(at=issued_at))[0] == day


def test_given_a_test_mode_sale_then_it_never_counts():
    assert figures.contribution(issued(livemode=False)) is None
    assert figures.contribution(cancelled(livemode=False)) is None


def test_given_a_batch_delivered_twice_and_out_of_order_then_each_event_counts_once():
    store = FakeFigures()
    batch = [
        ("P1|PolicyCancelled", cancelled()),
        ("P1|PolicyIssued", issued()),
        ("P1|PolicyIssued", issued()),
    ]

    counting.count(batch, store)
    again = counting.count(list(reversed(batch)), store)

    assert again.counted == 0 and again.already_counted == 2
    assert store.items[("2026-12-01", "product", "accident-guardian")]["policies_issued"] == 1
    assert store.items[("2026-12-03", "product", "accident-guardian")]["policies_cancelled"] == 1


def test_given_a_batch_of_one_product_then_each_figure_item_is_updated_once_per_batch():
    store = FakeFigures()
    batch = [(f"P{i}|PolicyIssued", issued(no=f"P{i}")) for i in range(1000)]

    result = counting.count(batch, store)

    assert result.counted == 1000
    assert set(store.updates.values()) == {1}  # 6 items (one per dimension), one update each
    assert store.staged_items == {}
    assert store.items[("2026-12-01", "region", "31")]["gross_premium_cents"] == 1000 * 16900


def test_given_more_events_than_a_transaction_holds_then_they_are_split_and_all_counted():
    store = FakeFigures()
    batch = [(f"P{i}|PolicyIssued", issued(no=f"P{i}", region=f"{11 + i % 20}")) for i in range(250)]

    result = counting.count(batch, store)

    assert result.counted == 250 and result.writes >= 3
    assert sum(i["policies_issued"] for (d, dim, _), i in store.items.items() if dim == "region") == 250
    assert set(store.updates.values()) == {1}  # 3 chunks staged, merged, then each figure once


def test_given_more_figures_than_a_transaction_holds_then_the_fold_writes_them_in_steps_each_once():
    store = FakeFigures()
    batch = [
        (f"P{i}|PolicyIssued", issued(no=f"P{i}", region=f"{11 + i % 31}", product=f"product-{i % 80}"))
        for i in range(400)
    ]

    counting.count(batch, store)

    assert len(store.updates) > counting.FOLD_KEYS and set(store.updates.values()) == {1}
    assert sum(i["policies_issued"] for (_, dim, _), i in store.items.items() if dim == "product") == 400
    assert store.staged_items == {}


def test_given_a_fold_that_loses_its_staged_item_to_another_then_the_sweep_finishes_it_once():
    store = FakeFigures()
    batch = [(f"P{i}|PolicyIssued", issued(no=f"P{i}")) for i in range(300)]
    store.lost_before = {"S1"}  # a concurrent sweep "holds" the first staged chunk

    counting.count(batch, store)
    assert store.items[("2026-12-01", "product", "accident-guardian")]["policies_issued"] == 0
    assert "S1" in store.staged_items  # the merge lost: every chunk stays staged, nothing is lost

    store.lost_before = set()
    counting.sweep(store, lanes=1)
    counting.sweep(store, lanes=1)  # a second sweep finds nothing

    assert store.items[("2026-12-01", "product", "accident-guardian")]["policies_issued"] == 300
    assert store.staged_items == {}


def test_given_sales_and_a_cancellation_then_statistics_show_net_names_previous_and_series():
    store = FakeFigures()
    counting.count(
        [
            ("A|PolicyIssued", issued(no="A", at="2026-11-24T02:00:00+00:00")),  # the window before
            ("B|PolicyIssued", issued(no="B", premium=10000, discount_cents=500)),
            ("C|PolicyIssued", issued(no="C", region="44", product="travel", renewal_of="X")),
            ("B|PolicyCancelled", cancelled(no="B", refund=4000)),
        ],
        store,
    )
    query = statistics.parse_query(
        {"from": "2026-12-01", "to": "2026-12-07", "by": "region", "granularity": "week"}
    )

    result = statistics.sales(query, store.read)

    assert result["totals"] == {
        "policies_issued": 2, "new_business": 1, "renewals": 1, "policies_cancelled": 1,
        "gross_premium": "274.00", "discounts": "5.00", "refunded_premium": "40.00", "net_premium": "234.00",
        "quotes": 0, "orders": 0, "paid": 0, "declined": 0, "referred": 0,
    }  # fmt: skip
    assert result["previous"]["policies_issued"] == 1
    assert [(r["key"], r["name"], r["net_premium"]) for r in result["rows"]] == [
        ("31", "Shanghai", "65.00"),
        ("44", "Guangdong", "169.00"),
    ]
    assert [s["period"] for s in result["series"]] == ["2026-11-30", "2026-12-07"]
    assert "net_premium" in result["definitions"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-12-01"}, "to"),
        ({"from": "2026-12-09", "to": "2026-12-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-12-01"}, "to"),
        ({"from": "2026-12-01", "to": "2026-12-02", "by": "colour"}, "by"),
        ({"from": "2026-12-01", "to": "2026-12-02", "granularity": "hour"}, "granularity"),
    ],
)
def test_given_a_bad_range_or_dimension_then_the_field_is_named(params, field):
    with pytest.raises(errors.Invalid) as caught:
        statistics.parse_query(params)
    assert field in caught.value.fields


def test_a_range_of_366_days_is_accepted():
    query = statistics.parse_query({"from": "2024-01-01", "to": "2024-12-31"})
    assert len(query.days) == 366 and query.previous.end == date(2023, 12, 31)


def step(kind, id_="O1", at="2026-12-01T15:30:00+00:00", **extra):
    """A funnel event of checkout's (QuoteGiven, OrderPlaced, OrderPaid, OrderReferred, OrderDeclined)."""
    cls = getattr(events, kind)
    own = {"QuoteGiven": {"quote_id": id_, "premium_cents": 16900}}.get(kind) or {"order_id": id_}
    if kind == "OrderPlaced":
        own |= {"quote_id": "Q1", "premium_cents": 16900}
    if kind == "OrderPaid":
        own |= {"premium_cents": 16900}
    dims = {"product_id": "accident-guardian", "at": at, "channel": "h5", "insurer_id": "jade-pc",
            "category_id": "accident", "product_name": "Accident Guardian", "region": "31"}  # fmt: skip
    return cls(**own, **(dims | extra))


@pytest.mark.parametrize(
    ("kind", "figure"),
    [("QuoteGiven", "quotes"), ("OrderPlaced", "orders"), ("OrderPaid", "paid"),
     ("OrderDeclined", "declined"), ("OrderReferred", "referred")],
)  # fmt: skip
def test_given_a_funnel_event_then_it_adds_one_to_its_step_on_its_china_day_in_every_dimension(kind, figure):
    day, added, values = figures.contribution(step(kind, at="2026-12-01T16:10:00+00:00"))

    assert (day, added) == ("2026-12-02", {figure: 1})  # 00:10 China time on the 2nd
    assert set(values) == set(figures.DIMENSIONS) and values["region"] == ("31", "Shanghai")
    assert figures.FUNNEL[kind] == figure and figure in figures.DEFINITIONS


def test_given_a_quote_then_its_region_is_unknown_and_a_test_mode_step_never_counts():
    assert figures.contribution(step("QuoteGiven", "Q1", region=None))[2]["region"][0] == figures.UNKNOWN
    for kind in figures.FUNNEL:
        assert figures.contribution(step(kind, livemode=False)) is None


def test_given_funnel_events_delivered_twice_then_each_counts_once_and_statistics_show_the_funnel():
    store = FakeFigures()
    batch = [
        ("QUOTE#Q1|QuoteGiven", step("QuoteGiven", "Q1", region=None)),
        ("QUOTE#Q2|QuoteGiven", step("QuoteGiven", "Q2", region=None)),
        ("ORDER#O1|OrderPlaced", step("OrderPlaced")),
        ("ORDER#O1|OrderPaid", step("OrderPaid")),
        ("ORDER#O1|OrderPaid", step("OrderPaid")),  # twice in one batch
        ("P1|PolicyIssued", issued()),
        ("ORDER#O2|OrderPlaced", step("OrderPlaced", "O2")),
        ("ORDER#O2|OrderPaid", step("OrderPaid", "O2")),
        ("ORDER#O2|OrderReferred", step("OrderReferred", "O2")),
        ("ORDER#O2|OrderDeclined", step("OrderDeclined", "O2")),
    ]

    counting.count(batch, store)
    again = counting.count(list(reversed(batch)), store)  # a redelivery, in another order

    assert again.counted == 0 and again.already_counted == 9
    query = statistics.parse_query({"from": "2026-12-01", "to": "2026-12-01", "by": "region"})
    result = statistics.sales(query, store.read)
    funnel = {
        k: result["totals"][k]
        for k in ("quotes", "orders", "paid", "policies_issued", "declined", "referred")
    }
    assert funnel == {"quotes": 2, "orders": 2, "paid": 2, "policies_issued": 1, "declined": 1, "referred": 1}
    rows = {r["key"]: r for r in result["rows"]}
    assert (rows["unknown"]["quotes"], rows["31"]["quotes"], rows["31"]["orders"]) == (2, 0, 2)
    assert result["series"][0]["paid"] == 2 and result["previous"]["quotes"] == 0
    assert {"quotes", "orders", "paid", "declined", "referred"} <= result["definitions"].keys()
