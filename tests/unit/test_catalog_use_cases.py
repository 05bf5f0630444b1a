"""The catalog's use cases over an in-memory store: the shelf, merchandising and the operators' product
and rate-table management, in milliseconds (the same rules run over the real store in tests/integration)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from catalog import merchandising, products, recommendations, shelf
from catalog.domain.rate_table_upload import to_csv
from insuremall import errors

CATALOG = json.loads((Path(__file__).parents[2] / "local/demo_data/catalog.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Operator:
    subject: str = "op-1"
    email: str = "ops@insuremall.example"


class FakeCatalogStore:
    """catalog.store's interface over dicts: a write based on a read someone else's write overtook is
    refused (a Conflict), as the real store's guarded transactions refuse it."""

    def __init__(self, catalog: dict):
        catalog = copy.deepcopy(catalog)
        self.products = {p["product_id"]: p for p in catalog["products"]}
        self.rate_tables = {(t["product_id"], t["version"]): t for t in catalog["rate_tables"]}
        self.insurers = catalog["insurers"]
        self.categories = catalog["categories"]
        self.banners = {b["banner_id"]: b for b in catalog["banners"]}
        self.slots = catalog["featured"]
        self.writes: dict[str, int] = {}  # product id -> how many writes (the guard)
        self.audit: list[tuple[str, str]] = []

    # reads
    def list_insurers(self):
        return self.insurers

    def get_insurer(self, insurer_id):
        return next((i for i in self.insurers if i["insurer_id"] == insurer_id), None)

    def list_categories(self):
        return self.categories

    def list_products(self, category_id=None, consistent=False):
        return [p for p in self.products.values() if category_id in (None, p["category_id"])]

    def get_product(self, product_id, fresh=False):
        return self.products.get(product_id)

    def get_rate_table(self, product_id, version):
        return self.rate_tables.get((product_id, version))

    def list_rate_tables(self, product_id):
        return sorted(
            (t for (p, _), t in self.rate_tables.items() if p == product_id), key=lambda t: -t["version"]
        )

    def latest_rate_table_version(self, product_id):
        return max((v for (p, v) in self.rate_tables if p == product_id), default=0)

    def list_banners(self):
        return list(self.banners.values())

    def get_featured(self):
        return self.slots

    # guarded writes
    def read_product(self, product_id):
        if product_id not in self.products:
            raise errors.NotFound(f"No product {product_id!r}")
        return copy.deepcopy(self.products[product_id]), self.writes.get(product_id, 0)

    def _write(self, product, guard, action):
        if self.writes.get(product["product_id"], 0) != guard:
            raise errors.Conflict("changed by someone else just now")
        self.writes[product["product_id"]] = guard + 1
        self.products[product["product_id"]] = product
        self.audit.append((action, product["product_id"]))

    def update_product(self, before, after, guard, actor, action="product.updated"):
        self._write(after, guard, action)
        return after

    def publish_rate_table(self, table, before, after, guard, actor):
        key = (table["product_id"], table["version"])
        if key in self.rate_tables:
            raise errors.Conflict("Another rate table was published for this product just now")
        self._write(after, guard, "rates.published")
        self.rate_tables[key] = table

    def replace_featured(self, slots, actor):
        self.slots = slots
        self.audit.append(("featured.updated", "home"))
        return slots


@pytest.fixture
def store():
    return FakeCatalogStore(CATALOG)


def _take_off_shelf(store, product_id):
    products.shelve(store, product_id, "off_shelf", Operator())


# --- the shelf ---------------------------------------------------------------------------------------------


def test_given_a_product_taken_off_shelf_when_a_customer_browses_then_it_is_nowhere_on_the_shelf(store):
    _take_off_shelf(store, "accident-guardian")

    listed = {
        p["product_id"]
        for p in shelf.browse(store, category=None, kind=None, channel=None, query=None, operator=False)
    }
    featured = {f.product["product_id"] for f in shelf.home(store, channel=None, now=NOW).featured}
    found = recommendations.recommend(store, {"age": 30, "gender": "M", "concerns": ["accident"]})

    assert "accident-guardian" not in listed
    assert "accident-guardian" not in featured
    assert "accident-guardian" not in {r.product["product_id"] for r in found.recommendations}
    with pytest.raises(errors.NotFound, match="not on sale"):
        shelf.product(store, "accident-guardian", operator=False)


def test_given_a_product_off_shelf_when_an_operator_browses_then_they_still_see_it(store):
    _take_off_shelf(store, "accident-guardian")

    listed = shelf.browse(store, category=None, kind=None, channel=None, query=None, operator=True)

    assert "accident-guardian" in {p["product_id"] for p in listed}
    assert shelf.product(store, "accident-guardian", operator=True)["status"] == "off_shelf"


def test_given_a_channel_when_the_home_page_is_read_then_only_products_sold_through_it_are_featured(store):
    store.slots = [
        {"product_id": "term-life-harbour", "label": "Life"},
        {"product_id": "accident-guardian", "label": ""},
    ]

    featured = shelf.home(store, channel="partner_api", now=NOW).featured

    assert [f.product["product_id"] for f in featured] == ["accident-guardian"]  # term life: h5 and pc only


def test_given_a_banner_opening_a_product_off_shelf_when_the_home_page_is_read_then_it_is_not_shown(store):
    _take_off_shelf(store, "travel-asia-explorer")

    banners = shelf.home(store, channel=None, now=NOW).banners

    assert "BDEMOWINTER" not in {b["banner_id"] for b in banners}


def test_given_an_unknown_kind_and_a_long_query_when_browsing_then_both_are_named(store):
    with pytest.raises(errors.Invalid) as caught:
        shelf.browse(store, category=None, kind="pets", channel=None, query="x" * 101, operator=False)

    assert set(caught.value.fields) == {"kind", "q"}


# --- merchandising -----------------------------------------------------------------------------------------


def test_given_an_off_shelf_product_when_featured_then_the_console_shows_it_and_the_home_page_hides_it(
    store,
):
    _take_off_shelf(store, "medical-million")

    slots = merchandising.replace_featured(
        store, {"slots": [{"product_id": "medical-million", "label": "New"}]}, Operator()
    )

    assert [(s.slot["product_id"], s.product["status"]) for s in slots] == [("medical-million", "off_shelf")]
    assert shelf.home(store, channel=None, now=NOW).featured == []


def test_given_an_unknown_product_when_featured_then_the_slot_is_refused_and_nothing_changes(store):
    before = store.slots

    with pytest.raises(errors.Invalid) as caught:
        merchandising.replace_featured(store, {"slots": [{"product_id": "no-such-product"}]}, Operator())

    assert caught.value.fields == {"slots[0].product_id": "unknown product 'no-such-product'"}
    assert store.slots == before


# --- products and rate tables ------------------------------------------------------------------------------


def _upload(store, product_id):
    product = store.products[product_id]
    table = store.get_rate_table(product_id, product["rate_table_version"])
    return {"csv": to_csv(table["rows"]), "effective_from": "2027-01-01"}


def test_given_a_new_rate_table_when_published_then_the_product_switches_to_the_next_version(store):
    published = products.publish_rate_table(
        store, "accident-guardian", _upload(store, "accident-guardian"), Operator(), now=NOW
    )

    assert published.table["version"] == 3
    assert published.table["published_at"] == "2026-12-03T04:00:00.000+00:00"
    assert store.products["accident-guardian"]["rate_table_version"] == 3
    assert store.products["accident-guardian"]["premium_from"] == "99.00"
    assert store.audit == [("rates.published", "accident-guardian")]


def test_given_a_version_published_meanwhile_when_publishing_then_the_stale_version_is_refused(store):
    class Racing(FakeCatalogStore):
        def latest_rate_table_version(self, product_id):
            # Another operator's publication of the next number lands between our read and our write.
            latest = super().latest_rate_table_version(product_id)
            self.rate_tables[(product_id, latest + 1)] = {"product_id": product_id, "version": latest + 1}
            return latest

    racing = Racing(CATALOG)

    with pytest.raises(errors.Conflict, match="Another rate table"):
        products.publish_rate_table(
            racing, "accident-guardian", _upload(racing, "accident-guardian"), Operator(), now=NOW
        )
    assert racing.products["accident-guardian"]["rate_table_version"] == 2


def test_given_a_bad_upload_when_publishing_then_every_problem_is_named_and_nothing_is_written(store):
    with pytest.raises(errors.Invalid) as caught:
        products.publish_rate_table(store, "accident-guardian", {"csv": ""}, Operator(), now=NOW)

    assert caught.value.message == "The rate table was not published"
    assert set(caught.value.fields) == {"csv", "effective_from"}
    assert store.audit == []


def test_given_an_edit_of_an_older_revision_when_saved_then_it_is_refused_as_stale(store):
    product = dict(store.products["accident-guardian"])
    products.update(store, "accident-guardian", {**product, "revision": 1, "name": "First edit"}, Operator())

    with pytest.raises(errors.Conflict) as caught:
        products.update(
            store, "accident-guardian", {**product, "revision": 1, "name": "Second edit"}, Operator()
        )

    assert caught.value.fields == {"revision": "stale; the current revision is 2"}
    assert store.products["accident-guardian"]["name"] == "First edit"


def test_given_a_product_without_rates_when_put_on_shelf_then_it_is_refused(store):
    store.products["accident-guardian"] = {
        **store.products["accident-guardian"],
        "status": "off_shelf",
        "rate_table_version": None,
    }

    with pytest.raises(errors.Conflict, match="no published rate table yet"):
        products.shelve(store, "accident-guardian", "on_shelf", Operator())
