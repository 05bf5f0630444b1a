"""Points arithmetic: purchase points and multipliers, the China day of a check-in, and FIFO expiry
from cumulative totals checked against a lot-by-lot reference."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from distribution.promotions.domain import points_arithmetic as rules
from distribution.promotions.domain import program_settings

SETTINGS = program_settings.merged(None)


# ---------- Earning ----------


@pytest.mark.parametrize(
    ("premium_cents", "per_cny", "product", "campaign", "expected"),
    [
        (36000, 1, 1, 1, 360),  # CNY 360 x 1
        (36099, 1, 1, 1, 360),  # fen below a whole CNY earn nothing
        (36000, 2, "1.5", 1, 1080),
        (36000, 1, "1.5", "2", 1080),
        (12345, 3, "1.1", "1.5", 611),  # 123.45 x 3 x 1.65 = 611.0775 -> floor
        (99, 1, 1, 1, 0),
        (36000, 0, 2, 2, 0),
        (36000, 1, "0", 1, 0),  # a product excluded from points
        (36000, 1, "not-a-number", None, 360),  # unreadable multipliers count as 1
    ],
)
def test_given_a_premium_when_points_are_earned_then_they_are_floored_after_all_multipliers(
    premium_cents, per_cny, product, campaign, expected
):
    assert rules.purchase_points(premium_cents, per_cny, product, campaign) == expected


def test_given_product_multipliers_in_settings_when_a_product_has_none_then_it_counts_as_one():
    settings = SETTINGS | {"product_points_multipliers": {"term-life": "2.5"}}
    assert rules.product_multiplier(settings, "term-life") == rules.multiplier("2.5")
    assert rules.product_multiplier(settings, "accident-guardian") == 1


@pytest.mark.parametrize(
    ("at", "day"),
    [
        (datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC), date(2026, 11, 24)),  # 23:59:59 in Beijing
        (datetime(2026, 11, 24, 16, 0, 0, tzinfo=UTC), date(2026, 11, 25)),  # midnight in Beijing
        ("2026-12-31T16:00:00.000+00:00", date(2027, 1, 1)),  # the new year starts 8 hours earlier
        ("2026-12-31T15:59:59.999+00:00", date(2026, 12, 31)),
        (datetime(2028, 2, 28, 16, 30), date(2028, 2, 29)),  # naive = UTC; a leap day
    ],
)
def test_given_an_instant_when_checking_in_then_the_day_is_the_china_calendar_day(at, day):
    assert rules.china_day(at) == day


def test_given_a_shortened_expiry_setting_when_a_lot_is_earned_then_it_never_expires_before_an_older_lot():
    older = rules.lot_expiry(date(2026, 1, 1), 365, None)
    assert older == date(2027, 1, 1)
    assert rules.lot_expiry(date(2026, 2, 1), 30, older) == older
    assert rules.lot_expiry(date(2026, 12, 30), 30, older) == date(2027, 1, 29)


def test_given_a_run_day_when_expiring_then_three_catch_up_days_come_first():
    assert rules.expiry_days_to_run(date(2027, 3, 1)) == [
        date(2027, 2, 26),
        date(2027, 2, 27),
        date(2027, 2, 28),
        date(2027, 3, 1),
    ]


# ---------- FIFO expiry from cumulative totals ----------


class Cumulative:
    """The store's arithmetic: totals and positions only, as the points ledger
    (distribution.promotions.repository.points_ledger) keeps them."""

    def __init__(self):
        self.earned = self.spent = self.expired = self.reversed = self.debited = self.expired_through = 0
        self.last_expiry: date | None = None
        self.lots: dict[str, tuple[int, int, date]] = {}  # key -> (points, lot_end, expires_on)
        self.reversals: list[rules.Reversal] = []
        self.spends: dict[str, int] = {}

    @property
    def consumed(self) -> int:
        return self.spent + self.expired + self.debited

    @property
    def balance(self) -> int:
        return self.earned - self.spent - self.expired - self.reversed - self.debited

    def debit(self, points: int) -> int:
        amount = min(points, self.balance)
        self.debited += amount
        return amount

    def earn(self, key: str, points: int, day: date, days: int) -> None:
        expires = rules.lot_expiry(day, days, self.last_expiry)
        self.earned += points
        self.last_expiry = expires
        self.lots[key] = (points, self.earned, expires)

    def spend(self, order: str, points: int) -> None:
        assert points <= self.balance
        self.spent += points
        self.spends[order] = points

    def release(self, order: str) -> int:
        returned = self.spends.pop(order)
        lapsed = rules.expire_on_return(returned, self.consumed, self.expired_through)
        self.spent -= returned
        self.expired += lapsed
        return lapsed

    def reverse(self, key: str) -> int:
        points, end, _ = self.lots[key]
        taken = rules.unspent_in_lot(points, end, self.consumed, self.reversals)
        self.reversals.append(rules.Reversal(end, taken))
        self.reversed += taken
        return taken

    def expire(self, key: str) -> int:
        _, end, _ = self.lots[key]
        amount = rules.to_expire(end, self.consumed, self.reversals)
        self.expired += amount
        self.expired_through = max(self.expired_through, end - rules.holes_up_to(end, self.reversals))
        return amount


@dataclass
class RefLot:
    key: str
    points: int
    expires_on: date
    spent: int = 0
    expired: int = 0
    reversed: int = 0
    closed: bool = False  # its expiry ran

    @property
    def remaining(self) -> int:
        return self.points - self.spent - self.expired - self.reversed


class Reference:
    """Lot by lot: spends take from the oldest open lot; a release gives back to the latest spent
    points (those in lots already expired expire at once); a reversal takes a lot's remainder."""

    def __init__(self):
        self.lots: list[RefLot] = []
        self.spends: dict[str, int] = {}

    @property
    def balance(self) -> int:
        return sum(lot.remaining for lot in self.lots)

    def earn(self, key: str, points: int, expires_on: date) -> None:
        self.lots.append(RefLot(key, points, expires_on))

    def debit(self, points: int) -> int:
        amount = left = min(points, self.balance)
        for lot in self.lots:
            take = min(left, lot.remaining) if not lot.closed else 0
            lot.spent += take  # like a spend that is never given back
            left -= take
        return amount

    def spend(self, order: str, points: int) -> None:
        left = points
        for lot in self.lots:
            take = min(left, lot.remaining) if not lot.closed else 0
            lot.spent += take
            left -= take
        assert left == 0
        self.spends[order] = points

    def release(self, order: str) -> int:
        left, lapsed = self.spends.pop(order), 0
        for lot in reversed(self.lots):
            back = min(left, lot.spent)
            lot.spent -= back
            left -= back
            if lot.closed:
                lot.expired += back
                lapsed += back
        assert left == 0
        return lapsed

    def reverse(self, key: str) -> int:
        lot = next(lot for lot in self.lots if lot.key == key)
        taken = lot.remaining
        lot.reversed += taken
        return taken

    def expire(self, key: str) -> int:
        lot = next(lot for lot in self.lots if lot.key == key)
        amount = lot.remaining
        lot.expired += amount
        lot.closed = True
        return amount


def test_given_partly_spent_lots_when_they_expire_then_only_the_unspent_points_go():
    model = Cumulative()
    model.earn("A", 100, date(2026, 1, 1), 30)
    model.earn("B", 50, date(2026, 1, 5), 30)
    model.spend("o1", 120)  # all of A, 20 of B
    assert model.expire("A") == 0
    assert model.expire("B") == 30
    assert model.balance == 0


def test_given_a_spend_within_the_first_lot_when_it_expires_then_the_rest_of_it_expires():
    model = Cumulative()
    model.earn("A", 100, date(2026, 1, 1), 30)
    model.earn("B", 50, date(2026, 1, 5), 30)
    model.spend("o1", 30)
    assert model.expire("A") == 70
    assert model.balance == 50
    model.spend("o2", 50)
    assert model.expire("B") == 0


def test_given_a_later_lot_reversed_first_when_an_earlier_lot_is_reversed_then_all_its_unspent_points_go():
    model = Cumulative()
    model.earn("A", 100, date(2026, 1, 1), 30)
    model.earn("B", 50, date(2026, 1, 5), 30)
    assert model.reverse("B") == 50
    assert model.reverse("A") == 100
    assert model.balance == 0


def test_given_a_spent_policy_lot_when_it_is_reversed_then_only_its_unspent_part_is_taken():
    model = Cumulative()
    model.earn("A", 100, date(2026, 1, 1), 30)
    model.earn("B", 50, date(2026, 1, 5), 30)
    model.spend("o1", 120)
    assert model.reverse("A") == 0  # spent first (FIFO)
    assert model.reverse("B") == 30
    assert model.balance == 0


def test_given_points_reserved_over_their_expiry_when_released_then_they_expire_at_once():
    model = Cumulative()
    model.earn("A", 100, date(2026, 1, 1), 30)
    model.spend("o1", 100)
    assert model.expire("A") == 0
    model.earn("B", 40, date(2026, 1, 20), 30)
    assert model.release("o1") == 100
    assert model.balance == 40
    assert model.expire("B") == 40


@pytest.mark.parametrize("seed", range(300))
def test_given_random_histories_when_compared_lot_by_lot_then_cumulative_totals_agree(seed):
    rng = random.Random(seed)  # noqa: S311 - reproducible histories, not secrets
    model, reference = Cumulative(), Reference()
    day = date(2026, 1, 1)
    days = rng.choice([5, 10, 30])
    orders = 0
    expired_keys: set[str] = set()
    for step in range(60):
        action = rng.random()
        if action < 0.35:
            key, points = f"L{step}", rng.randint(1, 80)
            if rng.random() < 0.1:
                days = rng.choice([3, 10, 30])  # operators change the expiry setting
            model.earn(key, points, day, days)
            reference.earn(key, points, model.lots[key][2])
        elif action < 0.6 and model.balance > 0:
            orders += 1
            points = rng.randint(1, model.balance)
            model.spend(f"O{orders}", points)
            reference.spend(f"O{orders}", points)
        elif action < 0.65 and model.balance > 0:
            points = rng.randint(1, model.balance + 20)
            assert model.debit(points) == reference.debit(points)
        elif action < 0.72 and model.spends:
            order = rng.choice(sorted(model.spends))
            assert model.release(order) == reference.release(order)
        elif action < 0.8:
            open_lots = [k for k in model.lots if k not in reversed_keys(model)]
            if open_lots:
                key = rng.choice(open_lots)
                assert model.reverse(key) == reference.reverse(key)
        else:
            day += timedelta(days=rng.randint(1, 4))
            due = sorted(
                (end, key)
                for key, (_, end, expires) in model.lots.items()
                if expires <= day and key not in expired_keys
            )
            for _, key in due:
                assert model.expire(key) == reference.expire(key)
                expired_keys.add(key)
        assert model.balance == reference.balance >= 0
        assert all(lot.remaining >= 0 for lot in reference.lots)


def reversed_keys(model: Cumulative) -> set[str]:
    ends = {r.lot_end for r in model.reversals}
    return {key for key, (_, end, _) in model.lots.items() if end in ends}


def test_given_lots_after_the_front_when_asking_what_expires_next_then_the_first_unspent_day_answers():
    lots = [
        rules.Lot(100, 100, date(2026, 2, 1)),
        rules.Lot(50, 150, date(2026, 2, 10)),
        rules.Lot(30, 180, date(2026, 2, 10)),
    ]
    assert rules.expiring_next(lots, 0, [], date(2026, 1, 20)) == (100, date(2026, 2, 1))
    assert rules.expiring_next(lots, 120, [], date(2026, 1, 20)) == (60, date(2026, 2, 10))
    assert rules.expiring_next(lots, 0, [rules.Reversal(100, 100)], date(2026, 1, 20)) == (
        80,
        date(2026, 2, 10),
    )
    assert rules.expiring_next(lots, 180, [], date(2026, 1, 20)) is None
