"""Distribution store: the only code that touches MembersTable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import PutError

from insuremall.models import condition_failed
from insuremall.models.members import MemberRecord


def _profile(r: MemberRecord) -> dict[str, Any]:
    return {
        "member_id": r.member_id,
        "email": r.email,
        "display_name": r.display_name,
        "created_at": r.created_at,
    }


def create_member(member_id: str, email: str, display_name: str) -> dict[str, Any]:
    record = MemberRecord(
        pk=f"MEMBER#{member_id}",
        member_id=member_id,
        email=email,
        display_name=display_name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    try:
        record.save(condition=MemberRecord.pk.does_not_exist())
    except PutError as exc:
        if not condition_failed(exc):
            raise
        return get_member(member_id)  # type: ignore[return-value]
    return _profile(record)


def get_member(member_id: str) -> dict[str, Any] | None:
    try:
        return _profile(MemberRecord.get(f"MEMBER#{member_id}", "PROFILE"))
    except MemberRecord.DoesNotExist:
        return None
