"""MembersTable: member profiles (distribution). Keys: MEMBER#<sub>/PROFILE."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from insuremall.models import meta


class MemberRecord(Model):
    Meta = meta("members_table")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="PROFILE")
    member_id = UnicodeAttribute()
    email = UnicodeAttribute()
    display_name = UnicodeAttribute()
    created_at = UnicodeAttribute()
