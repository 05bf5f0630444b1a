"""In-memory stand-ins for distribution's repositories and adapters (no moto, no tables): each keeps
the contract its real module documents (keyed writes answer False on a replay, conditions raise the
module's exceptions), so the use cases of members, promotions and referrals run in milliseconds."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from distribution.promotions.domain import program_settings
from distribution.referrals.domain.invitations import ALPHABET
from distribution.referrals.domain.ledger_entries import BALANCES, Entry
from insuremall import errors

LOGGER = logging.getLogger("distribution-unit")
NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # 10:00 China time on 3 December 2026
TODAY = date(2026, 12, 3)
AT = "2026-12-03T02:00:00.000+00:00"


def clock() -> datetime:
    return NOW


def caller(subject: str = "member-1", email: str | None = "li@example.com", operator: bool = False):
    return SimpleNamespace(subject=subject, email=email, is_operator=operator)


def settings(**changes: Any):
    """A programme-settings reader: the defaults with `changes`."""
    current = program_settings.DEFAULTS | changes
    return lambda: dict(current)


def no_settings():
    raise AssertionError("the programme settings were read")


# ---------- members ----------
class FakeMembers:
    """members.repository."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict[str, Any]] = {}
        self.family: dict[str, list[dict[str, Any]]] = {}
        self.addresses: dict[str, list[dict[str, Any]]] = {}
        self.notifications: dict[str, list[dict[str, Any]]] = {}
        self._ids = 0

    def _id(self) -> str:
        self._ids += 1
        return f"{self._ids:016x}"

    def create_member(self, member_id, email, display_name):
        return self.profiles.setdefault(
            member_id,
            {
                "member_id": member_id,
                "email": email,
                "display_name": display_name,
                "phone": None,
                "created_at": AT,
            },
        )

    def get_member(self, member_id):
        return self.profiles.get(member_id)

    def update_member(self, member_id, changes):
        self.profiles[member_id] |= changes
        return self.profiles[member_id]

    def list_family(self, member_id):
        return list(self.family.get(member_id, []))

    def get_family_member(self, member_id, family_member_id):
        return next(
            (f for f in self.family.get(member_id, []) if f["family_member_id"] == family_member_id), None
        )

    def add_family_member(self, member_id, person):
        saved = {"family_member_id": self._id(), **person, "created_at": AT}
        self.family.setdefault(member_id, []).append(saved)
        return saved

    def remove_family_member(self, member_id, family_member_id):
        before = self.family.get(member_id, [])
        self.family[member_id] = [f for f in before if f["family_member_id"] != family_member_id]
        return len(self.family[member_id]) < len(before)

    def list_addresses(self, member_id):
        return list(self.addresses.get(member_id, []))

    def add_address(self, member_id, address):
        mine = self.addresses.setdefault(member_id, [])
        saved = {"address_id": self._id(), **address, "is_default": address["is_default"] or not mine}
        mine.append(saved)
        return saved

    def remove_address(self, member_id, address_id):
        before = self.addresses.get(member_id, [])
        self.addresses[member_id] = [a for a in before if a["address_id"] != address_id]
        return len(self.addresses[member_id]) < len(before)

    def list_notifications(self, member_id):
        return list(self.notifications.get(member_id, []))


class FakePool:
    """members.cognito.UserPool."""

    def __init__(self) -> None:
        self.users: dict[str, tuple[str, str, str]] = {}  # email -> (sub, password, name)

    def sign_up(self, email, password, name):
        if email in self.users:
            raise errors.Conflict("An account with this e-mail already exists; sign in instead")
        self.users[email] = (f"sub-{len(self.users) + 1}", password, name)
        return self.users[email][0]

    def sign_in(self, email, password):
        if self.users.get(email, (None, None))[1] != password:
            raise errors.Unauthenticated("Wrong e-mail or password")
        return {"id_token": f"id-{email}", "access_token": "a", "refresh_token": "r", "expires_in": 3600}


# ---------- promotions ----------
class FakePointsLedger:
    """promotions.repository.points_ledger: keyed entries, a balance that spends never overdraw."""

    PAGE_LIMIT = 100

    class InsufficientPoints(Exception):
        pass

    def __init__(self, balances: dict[str, int] | None = None) -> None:
        self.points = dict(balances or {})
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}

    def _write(self, member_id, key, points, **extra) -> bool:
        if (member_id, key) in self.entries:
            return False
        self.entries[(member_id, key)] = {"points": points, **extra}
        self.points[member_id] = self.points.get(member_id, 0) + points
        return True

    def balance(self, member_id):
        return self.points.get(member_id, 0)

    def credit(self, member_id, key, points, reason, day=None, *, policy_no=None, detail=None, unless=None):
        if points == 0 or (unless and (member_id, unless) in self.entries):
            return False
        return self._write(member_id, key, points, reason=reason, day=day, detail=detail)

    def debit(self, member_id, key, points, reason):
        return self._write(member_id, key, -min(points, max(0, self.balance(member_id))), reason=reason)

    def reserve(self, member_id, order_id, points):
        if (member_id, f"SPEND#{order_id}") not in self.entries and self.balance(member_id) < points:
            raise self.InsufficientPoints(points)
        return self._write(member_id, f"SPEND#{order_id}", -points)

    def release(self, member_id, order_id, reason="order closed", confirmed_too=False):
        spend = self.entries.get((member_id, f"SPEND#{order_id}"))
        if spend is None or (not confirmed_too and (member_id, f"CONFIRM#{order_id}") in self.entries):
            return False
        return self._write(member_id, f"RELEASE#{order_id}", -spend["points"], reason=reason)

    def confirm(self, member_id, order_id):
        return self._write(member_id, f"CONFIRM#{order_id}", 0)

    def reverse_purchase(self, member_id, policy_no):
        lot = self.entries.get((member_id, f"PURCHASE#{policy_no}"))
        taken = min(lot["points"], self.balance(member_id)) if lot else 0
        return self._write(member_id, f"REVERSE#{policy_no}", -taken)

    def check_in(self, member_id, at=None):
        new = self.credit(member_id, f"SIGNIN#{TODAY.isoformat()}", 5, "daily check-in")
        return new, 5 if new else 0, TODAY


class FakeCoupons:
    """promotions.repository.campaigns' claims: a claim is used by one order at a time."""

    def __init__(self, *claims: dict[str, Any]) -> None:
        self.claims_by_id = {c["claim_id"]: dict(c) for c in claims}

    def get_claim(self, member_id, claim_id, consistent=True):
        claim = self.claims_by_id.get(claim_id)
        return dict(claim) if claim and claim["member_id"] == member_id else None

    def claims(self, member_id, limit=100):
        return [dict(c) for c in self.claims_by_id.values() if c["member_id"] == member_id]

    def use(self, member_id, claim_id, order_id):
        claim = self.claims_by_id[claim_id]
        if claim["status"] == "used":
            return claim["order_id"] == order_id
        claim |= {"status": "used", "order_id": order_id}
        return True

    def unuse(self, member_id, claim_id, order_id, only_while_valid=False):
        claim = self.claims_by_id[claim_id]
        if claim["status"] != "used" or claim["order_id"] != order_id:
            return False
        if only_while_valid and claim["valid_until"] < AT:
            return False
        claim |= {"status": "available", "order_id": None}
        return True


def a_claim(claim_id: str = "c0ffee01", **terms: Any) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "member_id": "member-1",
        "campaign_id": "0123456789ab",
        "coupon_id": "twenty-off",
        "terms": {"campaign_name": "Winter", "kind": "amount", "amount_cents": 2000, "min_premium_cents": 0}
        | terms,
        "valid_from": "2026-12-01T00:00:00.000+00:00",
        "valid_until": "2026-12-31T15:59:59.999+00:00",
        "status": "available",
        "order_id": None,
        "claimed_at": "2026-12-01T00:00:00.000+00:00",
    }


class FakeCampaignStore:
    """promotions.repository.campaigns' campaigns (the claimed counts of their coupons)."""

    def __init__(self) -> None:
        self.campaigns: dict[str, dict[str, Any]] = {}
        self.claimed: dict[str, dict[str, int]] = {}

    def get(self, campaign_id, consistent=False):
        return self.campaigns.get(campaign_id)

    def create(self, campaign, actor):
        campaign_id = f"{len(self.campaigns) + 1:012x}"
        self.campaigns[campaign_id] = {"campaign_id": campaign_id, **campaign}
        self.claimed[campaign_id] = {}
        return self.campaigns[campaign_id]

    def update(self, campaign_id, campaign, actor, problems_of=None):
        if problems_of is not None:
            problems_of(self.claimed[campaign_id])
        self.campaigns[campaign_id] = {"campaign_id": campaign_id, **campaign}
        return self.campaigns[campaign_id]


class FakeSettingsStore:
    """promotions.repository.program_settings: saved only at the revision read."""

    class StaleRevision(Exception):
        pass

    def __init__(self) -> None:
        self.settings, self.revision, self.audited = {}, 0, []

    def current(self):
        return program_settings.merged(self.settings) | {"revision": self.revision}

    def save(self, settings, revision, operator_id, extra_writes=None):
        if revision != self.revision:
            raise self.StaleRevision()
        if extra_writes is not None:
            extra_writes("the transaction")
        self.settings, self.revision = dict(settings), revision + 1
        return self.current()


class FakeAudit:
    """insuremall.audit: field_changes and record."""

    def __init__(self) -> None:
        self.records: list[tuple] = []

    @staticmethod
    def field_changes(before, after, ignore=frozenset()):
        return {
            k: {"from": (before or {}).get(k), "to": v}
            for k, v in after.items()
            if k not in ignore and (before or {}).get(k) != v
        }

    def record(self, actor, action, entity, changes, transaction=None):
        self.records.append((actor.subject, action, entity, changes, transaction))


# ---------- referrals ----------
class FakeFeeLedger:
    """referrals.repository.fee_ledger: keyed entries and the balances they move, conditions checked
    in the real order (a replay answers False before any condition raises)."""

    PAGE_LIMIT = 100

    class InsufficientBalance(Exception):
        pass

    class PreconditionFailed(Exception):
        pass

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], dict[str, Any]] = {}
        self.balances: dict[str, dict[str, int]] = {}
        self.earned_on: dict[tuple[str, str], int] = {}

    def post(self, member_id, entries, *, day, require_absent=(), require_present=(), minimum=None, **rest):
        if any((member_id, e.sk) in self.entries for e in entries):
            return False
        balance = self.balance(member_id)
        for name, cents in (minimum or {}).items():
            if balance[f"{name}_cents"] < cents:
                raise self.InsufficientBalance(minimum)
        if any((member_id, sk) in self.entries for sk in require_absent) or any(
            (member_id, sk) not in self.entries for sk in require_present
        ):
            raise self.PreconditionFailed()
        mine = self.balances.setdefault(member_id, self.balance(member_id))
        for e in entries:
            self.entries[(member_id, e.sk)] = self._view(member_id, e)
            mine[f"{e.balance}_cents"] += e.amount_cents
            if e.earned:
                earned = e.amount_cents if e.earned_cents is None else e.earned_cents
                mine["earned_cents"] += earned
                self.earned_on[(member_id, day.isoformat())] = (
                    self.earned_on.get((member_id, day.isoformat()), 0) + earned
                )
        return True

    @staticmethod
    def _view(member_id: str, e: Entry) -> dict[str, Any]:
        return asdict(e) | {"key": e.sk.removeprefix("LEDGER#"), "member_id": member_id, "at": AT}

    def balance(self, member_id, consistent=False):
        found = self.balances.get(member_id)
        if found is not None:
            return found
        return {f"{name}_cents": 0 for name in BALANCES} | {"earned_cents": 0, "points": 0}

    def entries_for_subject(self, member_id, subject):
        prefix = f"LEDGER#{subject}#"
        return [dict(v) for (m, sk), v in self.entries.items() if m == member_id and sk.startswith(prefix)]

    def due_for_release(self, day):
        return [
            dict(v)
            for v in self.entries.values()
            if v["kind"] == "earn" and v["release_on"] == day.isoformat()
        ]

    def existing(self, keys):
        return {k for k in keys if k in self.entries}

    def earned_in(self, member_id, day):
        today = self.earned_on.get((member_id, day.isoformat()), 0)
        month = sum(
            v for (m, d), v in self.earned_on.items() if m == member_id and d[:7] == day.isoformat()[:7]
        )
        return {"today_cents": today, "month_cents": month}

    def page(self, member_id, limit=20, after=None):
        if after is not None and after != "next":
            raise ValueError("not a cursor of this list")
        mine = [v for (m, _), v in self.entries.items() if m == member_id]
        start = limit if after else 0
        return mine[start : start + limit], ("next" if len(mine) > start + limit else None)


class FakeRates:
    """referrals.repository.commission_rates."""

    class RateAlreadyInEffect(Exception):
        pass

    def __init__(self, *rates: dict[str, Any]) -> None:
        self.rates = list(rates)

    def in_effect(self, scope, scope_id, day):
        found = [
            r
            for r in self.rates
            if (r["scope"], r["scope_id"]) == (scope, scope_id) and r["effective_from"] <= day.isoformat()
        ]
        return max(found, key=lambda r: r["effective_from"], default=None)

    def all_rates(self):
        return list(self.rates)

    def history(self, scope, scope_id):
        return [r for r in self.rates if (r["scope"], r["scope_id"]) == (scope, scope_id)]

    def add(self, rate, actor, today):
        same = [
            r
            for r in self.rates
            if (r["scope"], r["scope_id"], r["effective_from"])
            == tuple(rate[k] for k in ("scope", "scope_id", "effective_from"))
        ]
        if same and rate["effective_from"] <= today.isoformat():
            raise self.RateAlreadyInEffect()
        self.rates.append(rate)
        return rate


class FakeTree:
    """referrals.repository.referral_tree over FakeMembers' profiles."""

    def __init__(self, members: FakeMembers) -> None:
        self.members = members
        self.codes: dict[str, str] = {}  # code -> member id
        self.inviters: dict[str, str] = {}
        self.invitees: dict[str, list[dict[str, Any]]] = {}
        self.licences: dict[str, dict[str, Any]] = {}

    def give_code(self, member_id: str, code: str) -> None:
        self.codes[code] = member_id

    def owner_of_code(self, code):
        return self.codes.get(code)

    def inviter_of(self, member_id):
        return self.inviters.get(member_id)

    def ensure_invite_code(self, member_id):
        mine = next((c for c, m in self.codes.items() if m == member_id), None)
        if mine is None:
            mine = "ABCDEFG" + ALPHABET[len(self.codes) % len(ALPHABET)]
            self.codes[mine] = member_id
        return mine

    def invitation_state(self, member_id):
        profile = self.members.get_member(member_id)
        if profile is None:
            return None
        code = next((c for c, m in self.codes.items() if m == member_id), None)
        return profile | {
            "invite_code": code,
            "inviter_id": self.inviters.get(member_id),
            "inviter2_id": self.inviters.get(self.inviters.get(member_id, ""), None),
            "bound_at": AT if member_id in self.inviters else None,
            "invitees_count": len(self.invitees.get(member_id, [])),
            "agent_licence": self.licences.get(member_id),
        }

    def bind_inviter(self, invitee_id, inviter_id):
        if invitee_id in self.inviters:
            return "already_bound", None
        if invitee_id == inviter_id:
            return "own_code", None
        self.inviters[invitee_id] = inviter_id
        invitee = self.members.get_member(invitee_id) or {}
        self.invitees.setdefault(inviter_id, []).append(
            {
                "invitee_id": invitee_id,
                "display_name": invitee.get("display_name"),
                "email": invitee.get("email"),
                "bound_at": AT,
            }
        )
        return None, {"invitee_id": invitee_id, "inviter_id": inviter_id, "bound_at": AT}

    def list_invitees(self, member_id, limit, after):
        mine = self.invitees.get(member_id, [])
        return mine[:limit], (mine[limit - 1]["invitee_id"] if len(mine) > limit else None)

    def member_by_email(self, email):
        return next((m for m, p in self.members.profiles.items() if p["email"] == email), None)

    def set_agent_licence(self, member_id, licence, operator, changes):
        if self.members.get_member(member_id) is None:
            return False
        self.licences[member_id] = licence
        self.audited = changes
        return True

    def licence_verified(self, member_id):
        return bool((self.licences.get(member_id) or {}).get("verified"))


class FakeWithdrawalsStore:
    """referrals.repository.withdrawals: a request reserves from FakeFeeLedger's available balance."""

    PAGE_LIMIT = 50

    class NotEnoughAvailable(Exception):
        pass

    class KeyReused(Exception):
        pass

    class PayoutFailed(Exception):
        pass

    def __init__(self, ledger: FakeFeeLedger) -> None:
        self.ledger = ledger
        self.accounts: dict[str, dict[str, Any]] = {}
        self.withdrawals: dict[str, dict[str, Any]] = {}
        self.keys: dict[tuple[str, str], str] = {}
        self.auto_approved: list[str] = []
        self.fail_payouts = False

    def get_payout_account(self, member_id, token=None):
        return self.accounts.get(member_id)

    def save_payout_account(self, member_id, account):
        self.accounts[member_id] = account | {"token": "t1", "updated_at": AT}
        return self.accounts[member_id]

    def request(self, member_id, amount_cents, account, idempotency_key=None):
        if idempotency_key and (member_id, idempotency_key) in self.keys:
            earlier = self.withdrawals[self.keys[(member_id, idempotency_key)]]
            if earlier["amount_cents"] != amount_cents:
                raise self.KeyReused(idempotency_key)
            return earlier, False
        if self.ledger.balance(member_id)["available_cents"] < amount_cents:
            raise self.NotEnoughAvailable()
        withdrawal_id = f"{len(self.withdrawals) + 1:016x}"
        self.ledger.balances[member_id]["available_cents"] -= amount_cents
        self.withdrawals[withdrawal_id] = {
            "withdrawal_id": withdrawal_id,
            "member_id": member_id,
            "amount_cents": amount_cents,
            "status": "pending",
            "payout_account": {"holder_name": "Z*", "bank_name": "ICBC", "account_no": "****", "token": "t1"},
            "history": [{"status": "pending", "at": AT, "by": None, "note": None}],
            "requested_at": AT,
        }
        if idempotency_key:
            self.keys[(member_id, idempotency_key)] = withdrawal_id
        return self.withdrawals[withdrawal_id], True

    def approve_automatically(self, withdrawal, provider):
        self.auto_approved.append(withdrawal["withdrawal_id"])
        withdrawal["status"] = "paid"
        return withdrawal

    def decide(self, withdrawal_id, decision, note, operator, provider):
        withdrawal = self.withdrawals.get(withdrawal_id)
        if withdrawal is None:
            return None
        if decision == "approve" and self.fail_payouts:
            withdrawal["status"] = "approved"
            raise self.PayoutFailed("provider unreachable")
        withdrawal["status"] = {"approve": "paid", "reject": "rejected"}[decision]
        return withdrawal

    @staticmethod
    def sort_key_of(cursor):
        if not cursor.startswith("k"):
            raise ValueError("not a cursor of this list")
        return cursor

    def for_member(self, member_id, limit=20, after=None):
        return [w for w in self.withdrawals.values() if w["member_id"] == member_id][:limit], None

    def by_status(self, status, limit=20, after=None):
        return [w for w in self.withdrawals.values() if w["status"] == status][:limit], None
