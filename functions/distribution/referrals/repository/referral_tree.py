"""The referral tree on MembersTable: each member's invitation code (INVITE#<code> items keep codes
unique), their inviter (set once) and the INVITEE items listing whom they invited, and the agent
licence operators set. The tree's fields live on the member's profile item, which members' repository
writes the rest of; both write with conditions on their own fields only.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.members.repository import profile_of
from distribution.referrals.domain import invitations as invitation
from insuremall import audit, aws
from insuremall.clock import now_iso
from insuremall.config import get_settings
from insuremall.errors import Conflict
from insuremall.events import MemberInvited
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.events import DomainEventRecord, index_key
from insuremall.models.members import (
    INVITE_SK,
    INVITEE_PREFIX,
    PROFILE_SK,
    InviteCodeRecord,
    InviteeRecord,
    MemberRecord,
    email_key,
    invite_pk,
    member_pk,
)

# A code collision (another member drew the same 8 characters) is rare; draw again a few times.
_CODE_ATTEMPTS = 5
# A binding whose chain grew at its root meanwhile walks the chain again.
_BIND_ATTEMPTS = 3


def _profile_record(member_id: str, consistent: bool = False) -> MemberRecord | None:
    try:
        return MemberRecord.get(member_pk(member_id), PROFILE_SK, consistent_read=consistent)
    except MemberRecord.DoesNotExist:
        return None


def invitation_state(member_id: str) -> dict[str, Any] | None:
    """The member's place in the referral tree (and licence), or None without a profile."""
    r = _profile_record(member_id, consistent=True)
    if r is None:
        return None
    return {
        **profile_of(r),
        "invite_code": r.invite_code,
        "inviter_id": r.inviter_id,
        "inviter2_id": r.inviter2_id,
        "bound_at": r.bound_at,
        "invitees_count": int(r.invitees_count or 0),
        "agent_licence": r.agent_licence,
    }


def ensure_invite_code(member_id: str) -> str:
    """The member's invitation code, made on first use. The INVITE#<code> item (written only if
    absent) makes codes unique; the profile takes a code only if it has none, so two first uses at
    once end with one code."""
    for _ in range(_CODE_ATTEMPTS):
        profile = MemberRecord.get(member_pk(member_id), PROFILE_SK, consistent_read=True)
        if profile.invite_code:
            return profile.invite_code
        code = invitation.new_code()
        actions = [MemberRecord.invite_code.set(code)]
        if not profile.gsi1pk and profile.email:  # profiles made before the e-mail index
            actions.append(MemberRecord.gsi1pk.set(email_key(profile.email)))
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.save(
                    InviteCodeRecord(pk=invite_pk(code), member_id=member_id, created_at=now_iso()),
                    condition=InviteCodeRecord.pk.does_not_exist(),
                )
                transaction.update(
                    profile,
                    actions=actions,
                    condition=MemberRecord.pk.exists() & MemberRecord.invite_code.does_not_exist(),
                )
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            continue  # the code was taken, or this member got one meanwhile: look again
        return code
    raise Conflict("Could not make an invitation code just now; please try again")


def owner_of_code(code: str) -> str | None:
    try:
        return InviteCodeRecord.get(invite_pk(code), INVITE_SK).member_id
    except InviteCodeRecord.DoesNotExist:
        return None


def inviter_of(member_id: str) -> str | None:
    r = _profile_record(member_id, consistent=True)
    return r.inviter_id if r else None


def bind_inviter(invitee_id: str, inviter_id: str) -> tuple[str | None, dict[str, Any] | None]:
    """Bind a member to their inviter, once: (refusal reason, None) or (None, the binding).

    One transaction writes the invitee's profile (only if it has no inviter), the inviter's count,
    the INVITEE item and the MemberInvited event. The cycle check walked the inviter's chain up to
    its root; since inviters are set once, only the root can change, so the same transaction requires
    the root to still have no inviter: a concurrent binding that would close a cycle fails one side."""
    for _ in range(_BIND_ATTEMPTS):
        invitee = MemberRecord.get(member_pk(invitee_id), PROFILE_SK, consistent_read=True)
        chain = invitation.walk_up(inviter_id, inviter_of, stop_at=invitee_id)
        refusal = invitation.binding_refusal(invitee_id, invitee.inviter_id, inviter_id, chain)
        if refusal:
            return refusal, None
        root = chain[-1] if chain else inviter_id
        at = now_iso()
        invitee_actions = [MemberRecord.inviter_id.set(inviter_id), MemberRecord.bound_at.set(at)]
        if chain:
            invitee_actions.append(MemberRecord.inviter2_id.set(chain[0]))
        inviter_condition = MemberRecord.pk.exists()
        if root == inviter_id:
            inviter_condition &= MemberRecord.inviter_id.does_not_exist()
        binding = MemberInvited(invitee_id=invitee_id, inviter_id=inviter_id, bound_at=at).payload()
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(
                    MemberRecord(member_pk(invitee_id), PROFILE_SK),
                    actions=invitee_actions,
                    condition=MemberRecord.pk.exists() & MemberRecord.inviter_id.does_not_exist(),
                )
                transaction.update(
                    MemberRecord(member_pk(inviter_id), PROFILE_SK),
                    actions=[MemberRecord.invitees_count.add(1)],
                    condition=inviter_condition,
                )
                if root != inviter_id:
                    transaction.condition_check(
                        MemberRecord,
                        member_pk(root),
                        PROFILE_SK,
                        condition=MemberRecord.inviter_id.does_not_exist(),
                    )
                transaction.save(
                    InviteeRecord(
                        pk=member_pk(inviter_id),
                        sk=INVITEE_PREFIX + invitee_id,
                        invitee_id=invitee_id,
                        display_name=invitee.display_name,
                        email=invitee.email,
                        bound_at=at,
                    ),
                    condition=InviteeRecord.pk.does_not_exist(),
                )
                transaction.save(
                    DomainEventRecord(
                        pk=member_pk(invitee_id),
                        sk="MemberInvited",
                        event_type="MemberInvited",
                        occurred_at=at,
                        payload=binding,
                        gsi1pk=index_key("MemberInvited", at[:10], invitee_id),
                        gsi1sk=f"{at}#{invitee_id}",
                    ),
                    condition=DomainEventRecord.pk.does_not_exist(),
                )
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            continue  # bound meanwhile (the next look says so) or the chain grew at its root
        return None, binding
    return invitation.ALREADY_BOUND, None


def list_invitees(member_id: str, limit: int, after: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the members this member invited; `after` is the previous page's cursor."""
    last_key = None
    if after:
        last_key = {"pk": {"S": member_pk(member_id)}, "sk": {"S": INVITEE_PREFIX + after}}
    results = InviteeRecord.query(
        member_pk(member_id),
        InviteeRecord.sk.startswith(INVITEE_PREFIX),
        limit=limit,
        last_evaluated_key=last_key,
    )
    page = [
        {"invitee_id": r.invitee_id, "display_name": r.display_name, "email": r.email, "bound_at": r.bound_at}
        for r in results
    ]
    more = results.last_evaluated_key is not None and len(page) == limit
    return page, (page[-1]["invitee_id"] if more else None)


def member_by_email(email: str) -> str | None:
    for r in MemberRecord.by_email.query(email_key(email), limit=1):
        return r.member_id
    return None


def set_agent_licence(member_id: str, licence: dict[str, Any], operator, changes: dict[str, Any]) -> bool:
    """Set the member's agent licence with its audit entry in one transaction; False without a profile."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                MemberRecord(member_pk(member_id), PROFILE_SK),
                actions=[MemberRecord.agent_licence.set(licence), MemberRecord.updated_at.set(now_iso())],
                condition=MemberRecord.pk.exists(),
            )
            audit.record(
                operator, "member.licence_set", f"member:{member_id}", changes, transaction=transaction
            )
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


def agent_licence(member_id: str) -> dict[str, Any] | None:
    """The member's agent licence ({licence_no, verified, verified_at, verified_by}) or None."""
    r = _profile_record(member_id)
    return r.agent_licence if r else None


_client = None


def _dynamodb():
    global _client  # noqa: PLW0603 - one client per container
    if _client is None:
        _client = aws.client("dynamodb")
    return _client


def licence_verified(member_id: str) -> bool:
    """Whether the member's agent licence is verified (the profile's `agent_licence`, set by
    operators). Read as a raw attribute so this does not depend on how the profile model maps it."""
    item = (
        _dynamodb()
        .get_item(
            TableName=get_settings().members_table,
            Key={"pk": {"S": member_pk(member_id)}, "sk": {"S": PROFILE_SK}},
            ProjectionExpression="agent_licence",
            ConsistentRead=True,
        )
        .get("Item")
        or {}
    )
    raw = item.get("agent_licence")
    if not raw:
        return False
    if "S" in raw:
        try:
            licence = json.loads(raw["S"])
        except ValueError:
            return False
    elif "M" in raw:
        licence = {k: v.get("BOOL", v.get("S")) for k, v in raw["M"].items()}
    else:
        return False
    return isinstance(licence, dict) and licence.get("verified") is True
