"""Distribution store: the distribution function's access to MembersTable (notifications on the same
partitions are written by insuremall.notifications, which this store reads them through).

A member's profile, family members and addresses share one partition (MEMBER#<sub>), so each list is
one query. The profile counts family members and addresses and names the default address; every
add or delete changes that count in the same transaction, so limits and "exactly one default address"
hold under concurrent requests.
"""

from __future__ import annotations

import uuid
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from distribution.domain import invitation
from distribution.members.domain.member_details import MAX_ADDRESSES, MAX_FAMILY_MEMBERS
from insuremall import audit, notifications
from insuremall.clock import now_iso
from insuremall.errors import Conflict
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.events import DomainEventRecord, index_key
from insuremall.models.members import (
    ADDRESS_PREFIX,
    FAMILY_PREFIX,
    INVITE_SK,
    INVITEE_PREFIX,
    PROFILE_SK,
    AddressRecord,
    FamilyMemberRecord,
    InviteCodeRecord,
    InviteeRecord,
    MemberRecord,
    email_key,
    invite_pk,
    member_pk,
)

# A default-address switch that lost a race with another one re-reads the profile and tries again.
_DEFAULT_SWITCH_ATTEMPTS = 3


def _profile(r: MemberRecord) -> dict[str, Any]:
    return {
        "member_id": r.member_id,
        "email": r.email,
        "display_name": r.display_name,
        "phone": r.phone,
        "created_at": r.created_at,
    }


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def create_member(member_id: str, email: str, display_name: str) -> dict[str, Any]:
    record = MemberRecord(
        pk=member_pk(member_id),
        member_id=member_id,
        email=email,
        display_name=display_name,
        created_at=now_iso(),
        gsi1pk=email_key(email) if email else None,
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
        return _profile(MemberRecord.get(member_pk(member_id), PROFILE_SK))
    except MemberRecord.DoesNotExist:
        return None


def update_member(member_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Set display_name and/or phone (None removes the phone) on an existing profile."""
    actions = [MemberRecord.updated_at.set(now_iso())]
    if "display_name" in changes:
        actions.append(MemberRecord.display_name.set(changes["display_name"]))
    if "phone" in changes:
        phone = changes["phone"]
        actions.append(MemberRecord.phone.set(phone) if phone else MemberRecord.phone.remove())
    record = MemberRecord(member_pk(member_id), PROFILE_SK)
    record.update(actions=actions, condition=MemberRecord.pk.exists())
    return _profile(record)


# ---------- family members ----------


def _family(r: FamilyMemberRecord) -> dict[str, Any]:
    return {
        "family_member_id": r.family_member_id,
        "name": r.name,
        "relation": r.relation,
        "id_type": r.id_type,
        "id_number": r.id_number,
        "gender": r.gender,
        "birth_date": r.birth_date,
        "created_at": r.created_at,
    }


def list_family(member_id: str) -> list[dict[str, Any]]:
    """Oldest first, the order they were added."""
    records = FamilyMemberRecord.query(
        member_pk(member_id), FamilyMemberRecord.sk.startswith(FAMILY_PREFIX), consistent_read=True
    )
    return sorted((_family(r) for r in records), key=lambda f: (f["created_at"], f["family_member_id"]))


def get_family_member(member_id: str, family_member_id: str) -> dict[str, Any] | None:
    try:
        return _family(FamilyMemberRecord.get(member_pk(member_id), FAMILY_PREFIX + family_member_id))
    except FamilyMemberRecord.DoesNotExist:
        return None


def add_family_member(member_id: str, person: dict[str, Any]) -> dict[str, Any]:
    """Save a family member; 409 when the member already has the most allowed."""
    family_member_id = _new_id()
    record = FamilyMemberRecord(
        pk=member_pk(member_id),
        sk=FAMILY_PREFIX + family_member_id,
        family_member_id=family_member_id,
        created_at=now_iso(),
        **{k: person[k] for k in ("name", "relation", "id_type", "id_number", "gender", "birth_date")},
    )
    profile = MemberRecord(member_pk(member_id), PROFILE_SK)
    room = MemberRecord.family_count.does_not_exist() | (MemberRecord.family_count < MAX_FAMILY_MEMBERS)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                profile,
                actions=[MemberRecord.family_count.add(1)],
                condition=MemberRecord.pk.exists() & room,
            )
            transaction.save(record, condition=FamilyMemberRecord.pk.does_not_exist())
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        raise Conflict(f"You can save at most {MAX_FAMILY_MEMBERS} family members; remove one first") from exc
    return _family(record)


def remove_family_member(member_id: str, family_member_id: str) -> bool:
    """False when there is no such family member of this member."""
    record = FamilyMemberRecord(member_pk(member_id), FAMILY_PREFIX + family_member_id)
    profile = MemberRecord(member_pk(member_id), PROFILE_SK)
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.delete(record, condition=FamilyMemberRecord.pk.exists())
            transaction.update(profile, actions=[MemberRecord.family_count.add(-1)])
    except TransactWriteError as exc:
        if not condition_failed(exc):
            raise
        return False
    return True


# ---------- addresses ----------


def _address(r: AddressRecord) -> dict[str, Any]:
    return {
        "address_id": r.address_id,
        "recipient": r.recipient,
        "phone": r.phone,
        "province": r.province,
        "city": r.city,
        "district": r.district,
        "line": r.line,
        "postcode": r.postcode,
        "is_default": bool(r.is_default),
        "created_at": r.created_at,
    }


def list_addresses(member_id: str) -> list[dict[str, Any]]:
    """The default address first, then the others newest first."""
    records = AddressRecord.query(
        member_pk(member_id), AddressRecord.sk.startswith(ADDRESS_PREFIX), consistent_read=True
    )
    newest_first = sorted((_address(r) for r in records), key=lambda a: a["created_at"], reverse=True)
    return sorted(newest_first, key=lambda a: not a["is_default"])


def add_address(member_id: str, address: dict[str, Any]) -> dict[str, Any]:
    """Save an address. It becomes the default when asked or when it is the member's first; the old
    default is cleared in the same transaction, conditioned on the profile still naming it."""
    address_id = _new_id()
    for _ in range(_DEFAULT_SWITCH_ATTEMPTS):
        profile = MemberRecord.get(member_pk(member_id), PROFILE_SK, consistent_read=True)
        if (profile.address_count or 0) >= MAX_ADDRESSES:
            raise Conflict(f"You can save at most {MAX_ADDRESSES} addresses; remove one first")
        old_default = profile.default_address_id
        is_default = address["is_default"] or old_default is None
        record = AddressRecord(
            pk=member_pk(member_id),
            sk=ADDRESS_PREFIX + address_id,
            address_id=address_id,
            created_at=now_iso(),
            **{**address, "is_default": is_default},
        )
        room = MemberRecord.address_count.does_not_exist() | (MemberRecord.address_count < MAX_ADDRESSES)
        actions = [MemberRecord.address_count.add(1)]
        if is_default:
            actions.append(MemberRecord.default_address_id.set(address_id))
        same_default = (
            MemberRecord.default_address_id.does_not_exist()
            if old_default is None
            else MemberRecord.default_address_id == old_default
        )
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(profile, actions=actions, condition=room & same_default)
                transaction.save(record, condition=AddressRecord.pk.does_not_exist())
                if is_default and old_default is not None:
                    transaction.update(
                        AddressRecord(member_pk(member_id), ADDRESS_PREFIX + old_default),
                        actions=[AddressRecord.is_default.set(False)],
                        condition=AddressRecord.pk.exists(),
                    )
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            continue  # the count or the default changed meanwhile: look again
        return _address(record)
    raise Conflict("Your addresses changed while saving this one; please try again")


def remove_address(member_id: str, address_id: str) -> bool:
    """False when there is no such address of this member. Removing the default address makes the
    newest remaining address the default, so a member with addresses always has one default."""
    for _ in range(_DEFAULT_SWITCH_ATTEMPTS):
        addresses = list_addresses(member_id)
        doomed = next((a for a in addresses if a["address_id"] == address_id), None)
        if doomed is None:
            return False
        profile = MemberRecord(member_pk(member_id), PROFILE_SK)
        actions = [MemberRecord.address_count.add(-1)]
        condition = None
        successor = None
        if doomed["is_default"]:
            successor = next((a for a in addresses if a["address_id"] != address_id), None)
            actions.append(
                MemberRecord.default_address_id.set(successor["address_id"])
                if successor
                else MemberRecord.default_address_id.remove()
            )
            condition = MemberRecord.default_address_id == address_id
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.delete(
                    AddressRecord(member_pk(member_id), ADDRESS_PREFIX + address_id),
                    condition=AddressRecord.pk.exists(),
                )
                transaction.update(profile, actions=actions, condition=condition)
                if successor:
                    transaction.update(
                        AddressRecord(member_pk(member_id), ADDRESS_PREFIX + successor["address_id"]),
                        actions=[AddressRecord.is_default.set(True)],
                        condition=AddressRecord.pk.exists(),
                    )
        except TransactWriteError as exc:
            if not condition_failed(exc):
                raise
            continue
        return True
    raise Conflict("Your addresses changed while removing this one; please try again")


def list_notifications(member_id: str) -> list[dict[str, Any]]:
    """The member's notifications, newest first (at most notifications.LIST_LIMIT)."""
    return notifications.list_for(member_id)


# ---------- invitations ----------
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
        **_profile(r),
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
        binding = {"invitee_id": invitee_id, "inviter_id": inviter_id, "bound_at": at}
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
