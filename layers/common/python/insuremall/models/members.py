"""MembersTable: member profiles, their family members and delivery addresses (distribution).

Keys, one partition per member so one query lists a member's items (no scans, no GSI):
  MEMBER#<sub>/PROFILE             the profile; also counts family members and addresses and names
                                   the default address, so limits and "one default" are conditions
  MEMBER#<sub>/FAMILY#<id>         a family member (full ID number; responses mask it)
  MEMBER#<sub>/ADDRESS#<id>        a delivery address
  MEMBER#<sub>/NOTICE#<key>        a notification (insuremall.models.notifications)
  MEMBER#<sub>/INVITEE#<sub2>      a member this member invited (level 1), written when bound
  INVITE#<code>/INVITE             an invitation code's owner (makes codes unique)
GSI byEmail (sparse, profiles only): gsi1pk=EMAIL#<lower-case e-mail>, for operators' member lookup.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from insuremall.models import meta

PROFILE_SK = "PROFILE"
FAMILY_PREFIX = "FAMILY#"
ADDRESS_PREFIX = "ADDRESS#"
INVITEE_PREFIX = "INVITEE#"
INVITE_SK = "INVITE"


def member_pk(member_id: str) -> str:
    return f"MEMBER#{member_id}"


def invite_pk(code: str) -> str:
    return f"INVITE#{code}"


def email_key(email: str) -> str:
    return f"EMAIL#{email.strip().lower()}"


class ByEmail(GlobalSecondaryIndex):
    class Meta:
        index_name = "byEmail"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)


class MemberRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=PROFILE_SK)
    member_id = UnicodeAttribute()
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    phone = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute(null=True)
    # Absent on profiles written before family members and addresses existed: read as 0 / none.
    family_count = NumberAttribute(null=True)
    address_count = NumberAttribute(null=True)
    default_address_id = UnicodeAttribute(null=True)
    # Invitations: the member's own code (made on first use), the inviter (set once, by a condition),
    # the inviter's inviter when bound (informational) and how many members this one invited.
    invite_code = UnicodeAttribute(null=True)
    inviter_id = UnicodeAttribute(null=True)
    inviter2_id = UnicodeAttribute(null=True)
    bound_at = UnicodeAttribute(null=True)
    invitees_count = NumberAttribute(null=True)
    # {licence_no, verified, verified_at, verified_by}, set by operators.
    agent_licence = JSONAttribute(null=True)
    gsi1pk = UnicodeAttribute(null=True)

    by_email = ByEmail()


class FamilyMemberRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    family_member_id = UnicodeAttribute()
    name = UnicodeAttribute()
    relation = UnicodeAttribute()
    id_type = UnicodeAttribute()
    id_number = UnicodeAttribute()
    gender = UnicodeAttribute()
    birth_date = UnicodeAttribute()
    created_at = UnicodeAttribute()


class AddressRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    address_id = UnicodeAttribute()
    recipient = UnicodeAttribute()
    phone = UnicodeAttribute()
    province = UnicodeAttribute()
    city = UnicodeAttribute()
    district = UnicodeAttribute()
    line = UnicodeAttribute()
    postcode = UnicodeAttribute()
    is_default = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


class InviteeRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)  # the inviter's MEMBER#<sub>
    sk = UnicodeAttribute(range_key=True)  # INVITEE#<invitee sub>
    invitee_id = UnicodeAttribute()
    display_name = UnicodeAttribute()
    email = UnicodeAttribute()
    bound_at = UnicodeAttribute()


class InviteCodeRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)  # INVITE#<code>
    sk = UnicodeAttribute(range_key=True, default=INVITE_SK)
    member_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
