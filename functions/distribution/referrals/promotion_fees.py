"""Promotion fees over the policy lifecycle: earned when a policy is issued (pending through
cooling-off), released by the daily job, voided or clawed back when the policy is cancelled.

Every write is a ledger post keyed by (policy, level, kind), so a redelivered event or a re-run day
writes nothing twice. Release and void exclude each other by their conditions (a release requires
no void entry, a void requires no release entry), so a release racing a cancellation applies one.
A fee settled in points (no verified agent licence where the programme requires one) is paid into
the points ledger when it is released, keyed, so a retry pays once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from distribution import consumed_events
from distribution.referrals.domain import promotion_fees as rules
from distribution.referrals.domain.ledger_entries import Entry, entry_sk
from insuremall.clock import Clock, china_today, utc_now
from insuremall.events import PolicyCancelled, PolicyIssued


def _subject(policy_no: str, level: int) -> str:
    return f"P{policy_no}#L{level}"


def _points_key(policy_no: str, level: int) -> str:
    return f"FEE#P{policy_no}#L{level}"


@dataclass(frozen=True)
class PromotionFees:
    ledger: Any  # referrals.repository.fee_ledger: post (PreconditionFailed), entries_for_subject ...
    rates: Any  # referrals.repository.commission_rates: in_effect(scope, id, day)
    settings: Callable[[], dict[str, Any]]  # the programme settings in force
    licence_verified: Callable[[str], bool]  # referrals.repository.referral_tree
    attribution_of: Callable[[str], dict[str, Any]]  # a sale's attribution (referrals.repository.sales)
    points: Callable[[], Any]  # the points ledger (promotions), loaded when a fee is paid in points
    logger: logging.Logger
    now: Clock = utc_now

    # ---------- PolicyIssued ----------
    def earn(self, event: PolicyIssued) -> dict[str, Any]:
        """Earn entries (pending) per attributed level at the rate in effect on the issue day."""
        attribution = event.attribution or {}
        if not attribution.get("level1") and not attribution.get("level2"):
            return {"earned": 0}
        issue_day = rules.china_day(event.issued_at)
        rate = self._rate(event.product_id, event.category_id, issue_day)
        fees = rules.fees_for_sale(attribution, rate, int(event.premium_cents), bool(event.renewal_of))
        if not fees:
            self.logger.info("no promotion fee: no rate in effect", extra={"policy_no": event.policy_no})
            return {"earned": 0}
        program = self.settings()
        release_on = rules.release_day(event.cooling_off_until, issue_day)
        written = 0
        for fee in fees:
            if fee.member_id == event.customer_id:
                continue  # never a fee on one's own purchase
            entry = self._earn_entry(event.policy_no, fee, program, release_on)
            if self.ledger.post(fee.member_id, [entry], day=issue_day):
                written += 1
        self.logger.info("promotion fees earned", extra={"policy_no": event.policy_no, "entries": written})
        return {"earned": written}

    def _rate(self, product_id: str, category_id: str | None, day: date) -> dict[str, Any] | None:
        rate = self.rates.in_effect("product", product_id, day)
        if rate is None and category_id:
            rate = self.rates.in_effect("category", category_id, day)
        return rules.select_rate(rate, None)

    def _earn_entry(self, policy_no: str, fee: rules.Fee, program: dict[str, Any], release_on: date):
        licence_required = bool(program["require_licence_for_cash"])
        cash_or_points, rule = rules.settlement(
            licence_required, licence_required and self.licence_verified(fee.member_id)
        )
        detail = fee.detail | {"settlement": cash_or_points, "licence_rule": rule}
        if cash_or_points == "points":
            detail["points"] = rules.fee_points(fee.cents, int(program["fee_points_per_cny"]))
            detail["fee_points_per_cny"] = int(program["fee_points_per_cny"])
        return Entry(
            subject=_subject(policy_no, fee.level),
            kind="earn",
            amount_cents=fee.cents,
            balance="pending",
            policy_no=policy_no,
            level=fee.level,
            detail=detail,
            release_on=release_on.isoformat(),
            earned=True,
        )

    # ---------- releasing ----------
    def release(self, member_id: str, earn: dict[str, Any], day: date) -> str:
        """Move one earned fee out of pending: to available (cash) or into points. Returns "released",
        "already" (released before) or "voided" (the policy was cancelled in cooling-off first)."""
        subject = earn["key"].removesuffix("#earn")
        cents = int(earn["amount_cents"])
        detail = earn.get("detail") or {}
        points = detail.get("settlement") == "points"
        base = {"policy_no": earn.get("policy_no"), "level": earn.get("level")}
        entries = [
            Entry(
                subject, "release", -cents, "pending", detail={"settlement": detail.get("settlement")}, **base
            )
        ]
        if not points:
            entries.append(Entry(subject, "available", cents, "available", **base))
        try:
            posted = self.ledger.post(
                member_id, entries, day=day, require_absent=(entry_sk(subject, "void"),)
            )
        except self.ledger.PreconditionFailed:
            return "voided"
        if points:
            self._credit_points(member_id, earn)  # after the release is written: never for a voided fee
        return "released" if posted else "already"

    def _credit_points(self, member_id: str, earn: dict[str, Any]) -> None:
        """Pay a released fee settled in points (keyed: a retry, or a re-run finishing a crash, pays once)."""
        self.points().credit(
            member_id,
            _points_key(earn["policy_no"], int(earn["level"])),
            int((earn.get("detail") or {}).get("points") or 0),
            f"Promotion fee, policy {rules.mask_policy_no(earn['policy_no'])}, level {earn['level']}",
            policy_no=earn["policy_no"],
        )

    def release_due(self, day: date | None = None) -> dict[str, Any]:
        """Release fees whose cooling-off ended, for the run day (today in China) and the catch-up days
        before it (one index Query and one batch read per day; released or voided entries are skipped)."""
        day = day or china_today(self.now)
        counts = {"released": 0, "already": 0, "voided": 0}
        for due in rules.release_days(day):
            earned = self.ledger.due_for_release(due)
            # A catch-up day was usually released by yesterday's run: one batch read skips those.
            done = self.ledger.existing(
                [
                    (e["member_id"], entry_sk(e["key"].removesuffix("#earn"), kind))
                    for e in earned
                    for kind in ("release", "void")
                ]
            )
            for earn in earned:
                subject = earn["key"].removesuffix("#earn")
                if (earn["member_id"], entry_sk(subject, "void")) in done:
                    counts["voided"] += 1
                elif (earn["member_id"], entry_sk(subject, "release")) in done:
                    if (earn.get("detail") or {}).get("settlement") == "points":
                        self._credit_points(earn["member_id"], earn)  # finishes a run that stopped in between
                    counts["already"] += 1
                else:
                    counts[self.release(earn["member_id"], earn, day)] += 1
        self.logger.info("promotion fees released", extra={"date": day.isoformat(), **counts})
        return {"date": day.isoformat(), **counts}

    # ---------- PolicyCancelled ----------
    def reverse(self, event: PolicyCancelled) -> dict[str, Any]:
        """Void each level's pending fee (cancelled in cooling-off) or claw back the refund's share."""
        attribution = self.attribution_of(event.policy_no)
        day = date.fromisoformat(event.cancelled_on) if event.cancelled_on else china_today(self.now)
        outcome = {}
        for level in rules.LEVELS:
            member_id = attribution.get(f"level{level}")
            if member_id:
                outcome[f"level{level}"] = self._reverse(member_id, level, event, day)
        self.logger.info("promotion fees reversed", extra={"policy_no": event.policy_no, **outcome})
        return outcome

    def _reverse(self, member_id: str, level: int, event: PolicyCancelled, day: date) -> str:
        policy_no = event.policy_no
        subject = _subject(policy_no, level)
        found = {e["kind"]: e for e in self.ledger.entries_for_subject(member_id, subject)}
        earn = found.get("earn")
        if earn is None:
            return "no_fee"
        if "void" in found:
            return "already"
        # A full refund (in cooling-off, or before cover starts) voids a fee not yet released.
        full_refund = bool(event.within_cooling_off) or event.rule in ("cooling_off", "not_started")
        action = rules.cancellation_action(full_refund, "release" in found)
        base = {"policy_no": policy_no, "level": level}
        if action == rules.VOID:
            void = Entry(
                subject,
                "void",
                -int(earn["amount_cents"]),
                "pending",
                detail={"reason": "cancelled_in_cooling_off", "cancelled_on": event.cancelled_on},
                earned=True,
                **base,
            )
            try:
                self.ledger.post(member_id, [void], day=day, require_absent=(entry_sk(subject, "release"),))
                return "voided"
            except self.ledger.PreconditionFailed:
                pass  # the release job released it first: claw back instead
        elif action == rules.RELEASE_THEN_CLAWBACK and self.release(member_id, earn, day) == "voided":
            return "voided"
        return self._claw_back(member_id, subject, earn, event, day, base)

    def _claw_back(
        self,
        member_id: str,
        subject: str,
        earn: dict[str, Any],
        event: PolicyCancelled,
        day: date,
        base: dict,
    ) -> str:
        fee = int(earn["amount_cents"])
        refund, premium = int(event.refund_cents or 0), int(event.premium_cents or 0)
        share = rules.clawback_cents(fee, refund, premium)
        if share == 0:
            return "kept"  # nothing refunded: the fee stays
        settled = (earn.get("detail") or {}).get("settlement", "cash")
        detail = {
            "fee_cents": fee,
            "refund_cents": refund,
            "premium_cents": premium,
            "settlement": settled,
            "cancelled_on": event.cancelled_on,
        }
        if settled == "points":
            earned_points = int((earn.get("detail") or {}).get("points") or 0)
            detail["points"] = rules.clawback_cents(earned_points, refund, premium)
            entry = Entry(
                subject, "clawback", 0, "available", detail=detail, earned=True, earned_cents=-share, **base
            )
        else:
            entry = Entry(subject, "clawback", -share, "available", detail=detail, earned=True, **base)
        # May take available below zero when the fee was already withdrawn: later fees make it good.
        try:
            posted = self.ledger.post(
                member_id, [entry], day=day, require_present=(entry_sk(subject, "release"),)
            )
        except self.ledger.PreconditionFailed:
            return "voided"  # never released: a void won
        if settled == "points" and detail["points"]:
            self.points().debit(  # keyed: a retry takes nothing twice
                member_id,
                f"{_points_key(base['policy_no'], base['level'])}#clawback",
                detail["points"],
                f"Promotion fee clawed back, policy {rules.mask_policy_no(base['policy_no'])}",
            )
        return "clawed_back" if posted else "already"


# ---------- the consumers and the schedule task distribution.tasks names ----------
def _use_case() -> PromotionFees:
    from distribution import wiring

    return wiring.promotion_fees()


def on_policy_issued(payload: dict[str, Any], event_type: str = "PolicyIssued") -> dict[str, Any]:
    return _use_case().earn(consumed_events.read(PolicyIssued, payload))


def on_policy_cancelled(payload: dict[str, Any], event_type: str = "PolicyCancelled") -> dict[str, Any]:
    return _use_case().reverse(consumed_events.read(PolicyCancelled, payload))


def release_commissions(event: dict[str, Any]) -> dict[str, Any]:
    """Scheduled daily (or for {"date"}): release the fees whose cooling-off ended."""
    return _use_case().release_due(date.fromisoformat(event["date"]) if event.get("date") else None)
