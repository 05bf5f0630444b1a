"""Members' use cases (distribution.members) over in-memory fakes: sign-up and sign-in, the profile,
family members and addresses."""

from __future__ import annotations

from datetime import date

import pytest
from distribution_fakes import LOGGER, FakeMembers, FakePool, caller

from distribution.members.accounts import Accounts
from distribution.members.addresses import Addresses
from distribution.members.family import Family
from distribution.members.profiles import Profiles
from insuremall import errors
from insuremall.identity import make_prc_id

WIFE = make_prc_id("110105", date(1991, 3, 8), "022")
SIGN_UP = {"email": " Li@Example.com ", "password": "Secret2026x", "name": "Li Hua"}


def _accounts(members: FakeMembers, pool: FakePool, bound: list):
    def bind(member_id, code):
        bound.append((member_id, code))
        return {"bound": True, "bound_at": "now"} if code else None

    return Accounts(pool=pool, members=members, bind_invitation=bind, logger=LOGGER)


def test_given_a_sign_up_with_an_invite_code_then_the_profile_is_made_signed_in_and_bound():
    members, pool, bound = FakeMembers(), FakePool(), []

    signed = _accounts(members, pool, bound).sign_up(SIGN_UP | {"invite_code": "ABCD2345"})

    assert signed.member == members.get_member("sub-1")
    assert (signed.member["email"], signed.member["display_name"]) == ("li@example.com", "Li Hua")
    assert signed.tokens == pool.sign_in("li@example.com", SIGN_UP["password"])
    assert signed.invitation == {"bound": True, "bound_at": "now"} and bound == [("sub-1", "ABCD2345")]


def test_given_no_name_and_no_code_then_the_email_names_the_member_and_no_invitation_is_answered():
    members, pool, bound = FakeMembers(), FakePool(), []
    signed = _accounts(members, pool, bound).sign_up({"email": "wang@example.com", "password": "x"})
    assert signed.member["display_name"] == "wang" and signed.invitation is None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"email": "not-an-email", "password": ""}, {"email", "password"}),
        (SIGN_UP | {"name": "x" * 61}, {"name"}),
        (SIGN_UP | {"name": None}, {"name"}),
    ],
)
def test_given_bad_sign_up_fields_then_nothing_is_asked_of_the_pool(body, fields):
    members, pool = FakeMembers(), FakePool()
    with pytest.raises(errors.Invalid) as refused:
        _accounts(members, pool, []).sign_up(body)
    assert set(refused.value.fields) == fields
    assert pool.users == {} and members.profiles == {}


def test_given_a_member_when_signing_in_with_the_wrong_password_then_unauthenticated():
    pool = FakePool()
    accounts = _accounts(FakeMembers(), pool, [])
    accounts.sign_up(SIGN_UP)
    assert accounts.sign_in({"email": "LI@example.com", "password": "Secret2026x"})["expires_in"] == 3600
    with pytest.raises(errors.Unauthenticated):
        accounts.sign_in({"email": "li@example.com", "password": "wrong"})


def test_given_a_user_made_by_operators_when_they_change_their_phone_then_a_profile_is_made_first():
    members = FakeMembers()
    profiles = Profiles(members=members)
    updated = profiles.update(caller("op-made", "op@example.com"), {"phone": "138 0013 8000"})
    assert updated == members.get_member("op-made") | {"phone": "13800138000"}
    assert updated["display_name"] == "op"
    assert profiles.update(caller("op-made"), {"phone": ""})["phone"] is None
    with pytest.raises(errors.Invalid):
        profiles.update(caller("op-made"), {})


def test_given_a_saved_spouse_when_another_is_added_then_conflict_and_a_missing_one_is_not_found():
    members = FakeMembers()
    family = Family(members=members, logger=LOGGER)
    wife = family.add(caller(), {"name": "Wang Fang", "relation": "spouse", "id_number": WIFE})
    assert (wife["gender"], wife["birth_date"]) == ("F", "1991-03-08")
    assert family.get("member-1", wife["family_member_id"]) == wife

    with pytest.raises(errors.Conflict, match="already"):
        family.add(caller(), {"name": "Wang Fang", "relation": "spouse", "id_number": WIFE})
    family.remove("member-1", wife["family_member_id"])
    with pytest.raises(errors.NotFound):
        family.get("member-1", wife["family_member_id"])
    with pytest.raises(errors.NotFound):
        family.remove("member-1", wife["family_member_id"])


def test_given_a_first_address_then_it_is_the_default_and_removing_a_missing_one_is_not_found():
    addresses = Addresses(members=FakeMembers())
    body = {
        "recipient": "Li Hua",
        "phone": "13800138000",
        "province": "Beijing",
        "city": "Beijing",
        "district": "Chaoyang",
        "line": "1 Jianguomen Outer Street",
        "postcode": "100020",
    }
    first = addresses.add(caller(), body)
    assert first["is_default"] is True and addresses.list("member-1") == [first]
    with pytest.raises(errors.Invalid) as refused:
        addresses.add(caller(), body | {"postcode": "1"})
    assert set(refused.value.fields) == {"postcode"}
    with pytest.raises(errors.NotFound):
        addresses.remove("member-1", "ffff")
