"""MembersTable: member profiles, their family members and delivery addresses (distribution).

Keys, one partition per member so one query lists a member's items (no scans, no GSI):
  MEMBER#<sub>/PROFILE             the profile; also counts family members and addresses and names
                                   the default address, so limits and "one default" are conditions
  MEMBER#<sub>/FAMILY#<id>         a family member (full ID number; responses mask it)
  MEMBER#<sub>/ADDRESS#<id>        a delivery address
  MEMBER#<sub>/NOTICE#<key>        a notification (insuremall.models.notifications)
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta

PROFILE_SK = "PROFILE"
FAMILY_PREFIX = "FAMILY#"
ADDRESS_PREFIX = "ADDRESS#"


def member_pk(member_id: str) -> str:
    return f"MEMBER#{member_id}"


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
