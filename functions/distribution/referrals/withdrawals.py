"""Withdrawals of promotion fees: the member's payout account, requesting a withdrawal (approved and
paid at once below the auto-approval amount), the member's and the operators' lists, and the
operators' decisions (approve pays out through the payout provider; reject returns the money)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distribution.referrals.domain import withdrawals as rules
from insuremall import errors

DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Withdrawals:
    store: Any  # referrals.repository.withdrawals
    ledger: Any  # referrals.repository.fee_ledger: the balance a refusal names
    settings: Callable[[], dict[str, Any]]  # the programme settings in force
    provider: Callable[[], Any]  # referrals.payouts.provider
    logger: logging.Logger

    # ---------- payout account ----------
    def payout_account(self, member_id: str) -> dict[str, Any] | None:
        return self.store.get_payout_account(member_id)

    def save_payout_account(self, member_id: str, body: dict[str, Any]) -> dict[str, Any]:
        account, problems = rules.parse_payout_account(body)
        errors.check(problems)
        saved = self.store.save_payout_account(member_id, account)
        masked = rules.mask_account_no(saved["account_no"])
        self.logger.info("payout account saved", extra={"member_id": member_id, "account_no": masked})
        return saved

    # ---------- requests ----------
    def request(self, member_id: str, body: dict[str, Any], key: str | None) -> tuple[dict[str, Any], bool]:
        """(withdrawal, created): a retry with the same Idempotency-Key answers the first request."""
        if not rules.valid_idempotency_key(key):
            raise errors.Malformed("Idempotency-Key must be 8-64 letters, digits, '-' or '_'")
        settings = self.settings()
        amount, problems = rules.parse_request(body, settings)
        errors.check(problems)
        account = self.store.get_payout_account(member_id)
        if account is None:
            raise errors.Invalid({"payout_account": "add a payout account before withdrawing"})
        try:
            withdrawal, created = self.store.request(member_id, amount, account, key)
        except self.store.NotEnoughAvailable as exc:
            available = self.ledger.balance(member_id, consistent=True)["available_cents"]
            message, field = rules.not_enough_available(available)
            raise errors.Conflict(message, {"amount_cents": field}) from exc
        except self.store.KeyReused as exc:
            raise errors.Conflict("This Idempotency-Key was already used for a different amount") from exc
        if created:
            self.logger.info(
                "withdrawal requested",
                extra={
                    "member_id": member_id,
                    "withdrawal_id": withdrawal["withdrawal_id"],
                    "amount_cents": amount,
                },
            )
            if rules.auto_approves(amount, settings):
                withdrawal = self.store.approve_automatically(withdrawal, self.provider())
        return withdrawal, created

    # ---------- lists ----------
    def _page_params(self, query: dict[str, str]) -> tuple[int, str | None]:
        raw_limit, after = query.get("limit"), query.get("after")
        problems = {}
        limit = DEFAULT_LIMIT
        if raw_limit is not None:
            if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= self.store.PAGE_LIMIT:
                problems["limit"] = f"must be a whole number from 1 to {self.store.PAGE_LIMIT}"
            else:
                limit = int(raw_limit)
        if after is not None:
            try:
                self.store.sort_key_of(after)
            except ValueError:
                problems["after"] = "is not a cursor of this list (use the previous page's next)"
        errors.check(problems)
        return limit, after

    def of_member(self, member_id: str, query: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        """The member's withdrawals, newest first, a page at a time."""
        return self.store.for_member(member_id, *self._page_params(query))

    def in_status(self, query: dict[str, str]) -> tuple[str, list[dict[str, Any]], str | None]:
        """Withdrawals in the queried status (pending by default): (status, page, next)."""
        status = query.get("status", "pending")
        if status not in rules.STATUSES:
            raise errors.Invalid({"status": f"must be one of {', '.join(rules.STATUSES)}"})
        return (status, *self.store.by_status(status, *self._page_params(query)))

    # ---------- decisions ----------
    def decide(self, operator: Any, withdrawal_id: str, body: dict[str, Any]) -> dict[str, Any]:
        decision, note, problems = rules.parse_decision(body)
        errors.check(problems)
        try:
            withdrawal = self.store.decide(withdrawal_id, decision, note, operator, self.provider())
        except rules.InvalidDecision as exc:
            raise errors.Conflict(str(exc), {"decision": str(exc)}) from exc
        except self.store.PayoutFailed as exc:
            raise errors.Conflict(
                "The payout did not go through; the withdrawal stays approved - approve it again to retry"
            ) from exc
        if withdrawal is None:
            raise errors.NotFound("No such withdrawal")
        self.logger.info(
            "withdrawal decided",
            extra={"withdrawal_id": withdrawal_id, "decision": decision, "status": withdrawal["status"]},
        )
        return withdrawal
