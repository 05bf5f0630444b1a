"""Endorsing a policy: the policyholder's contact details and/or the beneficiaries change as a new
policy version effective today (China time), with a new document version."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from insuremall import errors
from insuremall.clock import Clock, china_today, now_iso, utc_now
from policy.domain import endorsement
from policy.domain.records import Policy


@dataclass(frozen=True)
class Endorsed:
    policy_no: str
    version: int
    record: dict[str, Any]  # effective_date, changes, endorsed_at, endorsed_by


@dataclass(frozen=True)
class Endorsements:
    store: Any  # policy.store
    rerender: Any  # Callable[[str], Any]: a new document version for the policy
    logger: logging.Logger
    now: Clock = utc_now

    def history(self, policy_no: str) -> list[dict[str, Any]]:
        return self.store.endorsements_of(policy_no)

    def endorse(self, policy_no: str, customer_id: str, body: dict[str, Any]) -> Endorsed:
        policy: Policy | None = self.store.get_policy(policy_no, consistent=True)
        if policy is None or not policy.owned_by(customer_id):
            raise errors.NotFound("No such policy")
        requested, problems = endorsement.validate(body, policy.product_snapshot)
        errors.check(problems)
        if not policy.in_force:
            raise errors.Conflict(f"This policy is {policy.status}; only a policy in force can be changed")
        parties, changes = endorsement.apply(policy.parties, requested)
        if not changes:
            raise errors.Invalid({"body": "nothing changes: these are the policy's current details"})
        record = {
            "effective_date": china_today(self.now).isoformat(),
            "changes": changes,
            "endorsed_at": now_iso(self.now()),
            "endorsed_by": customer_id,
        }
        if not self.store.endorse(policy, parties, record):
            latest = self.store.get_policy(policy_no, consistent=True)
            if latest is None or not latest.in_force:
                raise errors.Conflict("This policy is no longer in force; it cannot be changed")
            raise errors.Conflict("The policy was changed meanwhile; reload it and try again")
        version = policy.version + 1
        self.logger.info(
            "policy endorsed", extra={"policy_no": policy_no, "version": version, "fields": sorted(changes)}
        )
        try:
            self.rerender(policy_no)
        except Exception:  # the endorsement stands; the same request again renders it
            self.logger.exception("policy document not re-rendered", extra={"policy_no": policy_no})
        return Endorsed(policy_no, version, record)
