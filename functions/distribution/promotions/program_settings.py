"""The operators' settings of the rewards programme: read, and changed with the revision the operator
read (optimistic concurrency), audited in the same transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from distribution.promotions.domain import program_settings as rules
from insuremall import errors


def _stale(current_revision: int | None) -> errors.Conflict:
    message = "The settings were changed by someone else; reload them and apply your change again"
    if current_revision is not None:
        message += f" (current revision {current_revision})"
    return errors.Conflict(message, {"revision": "stale"})


@dataclass(frozen=True)
class ProgramSettings:
    store: Any  # promotions.repository.program_settings: current, save, StaleRevision
    audit: Any  # insuremall.audit: field_changes, record
    logger: logging.Logger

    def current(self) -> dict[str, Any]:
        """The settings with their revision (0 before an operator first saved them)."""
        return self.store.current()

    def update(self, operator: Any, body: dict[str, Any]) -> dict[str, Any]:
        revision = body.get("revision")
        if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
            raise errors.Invalid({"revision": "send the revision you read with GET"})
        before = self.store.current()
        if revision != before["revision"]:
            raise _stale(before["revision"])
        current = {k: v for k, v in before.items() if k != "revision"}
        changed, problems = rules.validate(body, current)
        errors.check(problems)
        changes = self.audit.field_changes(current, changed)

        def audit_entry(transaction) -> None:
            self.audit.record(
                operator, "settings.updated", "settings:rewards", changes, transaction=transaction
            )

        try:
            saved = self.store.save(changed, revision, operator.subject, extra_writes=audit_entry)
        except self.store.StaleRevision as exc:
            raise _stale(None) from exc
        self.logger.info(
            "rewards settings saved", extra={"revision": saved["revision"], "changed": sorted(changes)}
        )
        return saved
