"""Members' data on MembersTable: profiles, family members and addresses (notifications on the same
partitions are written by insuremall.notifications, which this module reads them through). The
invitation tree on the same profiles is referrals' (distribution.referrals.repository.referral_tree).

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

from distribution.members.domain.member_details import MAX_ADDRESSES, MAX_FAMILY_MEMBERS
from insuremall import notifications
from insuremall.clock import now_iso
from insuremall.errors import Conflict
from insuremall.models import condition_failed, transaction_connection
from insuremall.models.members import (
    ADDRESS_PREFIX,
    FAMILY_PREFIX,
    PROFILE_SK,
    AddressRecord,
    FamilyMemberRecord,
    MemberRecord,
    email_key,
    member_pk,
)

# A default-address switch that lost a race with another one re-reads the profile and tries again.
_DEFAULT_SWITCH_ATTEMPTS = 3


def profile_of(r: MemberRecord) -> dict[str, Any]:
    """A profile record as a member's profile (referrals reads the tree's fields on the same item)."""
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
    return profile_of(record)


def get_member(member_id: str) -> dict[str, Any] | None:
    try:
        return profile_of(MemberRecord.get(member_pk(member_id), PROFILE_SK))
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
    return profile_of(record)


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
