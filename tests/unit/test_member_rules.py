"""Member profile, family member and address rules (distribution.members.domain.member_details), and
how responses show them (distribution.members.views)."""

from datetime import date

import pytest

from distribution.members.domain.member_details import (
    MAX_FAMILY_MEMBERS,
    family_conflict,
    normalize_mobile,
    parse_address,
    parse_family_member,
    parse_profile_update,
)
from distribution.members.views import address_view, family_view, member_view
from insuremall.identity import make_prc_id

TODAY = date(2026, 11, 25)
WIFE = make_prc_id("110105", date(1991, 3, 8), "022")  # even sequence digit: female
SON = make_prc_id("310101", date(2019, 6, 1), "013")

ADDRESS = {
    "recipient": "Li Hua",
    "phone": "138 0013 8000",
    "province": "Beijing",
    "city": "Beijing",
    "district": "Chaoyang",
    "line": "1 Jianguomen Outer Street, Tower B, 12F",
    "postcode": "100020",
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("12800138000", None),  # no mainland mobile network starts 12
        ("1380013800", None),  # 10 digits
        ("010-12345678", None),  # a landline
        (13800138000, None),  # not text
        (None, None),
    ],
)
def test_given_a_phone_when_normalized_then_only_mainland_mobiles_pass(raw, expected):
    assert normalize_mobile(raw) == expected


def test_given_a_name_and_phone_when_profile_parsed_then_both_are_cleaned():
    changes, problems = parse_profile_update({"display_name": "  Li   Hua ", "phone": "+86 13800138000"})
    assert problems == {}
    assert changes == {"display_name": "Li Hua", "phone": "13800138000"}


def test_given_an_empty_phone_when_profile_parsed_then_the_phone_is_removed():
    assert parse_profile_update({"phone": ""}) == ({"phone": None}, {})
    assert parse_profile_update({"phone": None}) == ({"phone": None}, {})


def test_given_bad_profile_fields_when_parsed_then_each_is_named():
    changes, problems = parse_profile_update({"display_name": "x" * 61, "phone": "12345"})
    assert changes == {}
    assert problems["display_name"] == "at most 60 characters"
    assert "mainland mobile" in problems["phone"]
    assert parse_profile_update({})[1] == {"display_name": "send display_name, phone or both"}
    assert "display_name" in parse_profile_update({"display_name": "   "})[1]


def test_given_a_valid_prc_id_when_family_member_parsed_then_birth_date_and_gender_come_from_it():
    person, problems = parse_family_member(
        {"name": "Wang Fang", "relation": "spouse", "id_type": "prc_id", "id_number": WIFE}, TODAY
    )
    assert problems == {}
    assert person == {
        "name": "Wang Fang",
        "relation": "spouse",
        "id_type": "prc_id",
        "id_number": WIFE,
        "gender": "F",
        "birth_date": "1991-03-08",
    }


def test_given_a_lower_case_x_when_family_member_parsed_then_it_is_upper_cased():
    number = make_prc_id("110105", date(1949, 12, 31), "002")
    assert number.endswith("X")
    person, problems = parse_family_member(
        {"name": "Zhang Lan", "relation": "parent", "id_number": number.lower()}, TODAY
    )
    assert problems == {}
    assert person["id_number"] == number
    assert person["id_type"] == "prc_id"  # the default


def test_given_a_wrong_check_digit_when_family_member_parsed_then_422_names_the_id_number():
    wrong = SON[:17] + ("0" if SON[17] != "0" else "1")
    _, problems = parse_family_member({"name": "Li Xiaoming", "relation": "child", "id_number": wrong}, TODAY)
    assert "check digit" in problems["id_number"]


def test_given_bad_family_fields_when_parsed_then_every_field_is_named():
    _, problems = parse_family_member(
        {"name": "", "relation": "cousin", "id_type": "passport", "id_number": ""}
    )
    assert set(problems) == {"name", "relation", "id_type", "id_number"}
    assert "spouse, child, parent" in problems["relation"]


def test_given_a_birth_date_in_the_future_when_family_member_parsed_then_refused():
    unborn = make_prc_id("110105", date(2027, 1, 1), "011")
    _, problems = parse_family_member({"name": "Baby", "relation": "child", "id_number": unborn}, TODAY)
    assert "future" in problems["id_number"]


def _saved(relation: str, number: str) -> dict:
    return {"relation": relation, "id_type": "prc_id", "id_number": number}


def test_given_a_full_family_when_another_is_added_then_the_limit_is_explained():
    family = [_saved("child", make_prc_id("110105", date(2010, 1, 1), f"{i:03d}")) for i in range(10)]
    assert len(family) == MAX_FAMILY_MEMBERS
    assert "at most 10 family members" in family_conflict(_saved("child", SON), family)


def test_given_the_same_person_twice_when_added_then_refused():
    assert "already one of your family" in family_conflict(_saved("child", SON), [_saved("child", SON)])


def test_given_a_second_spouse_when_added_then_refused_but_a_second_child_is_fine():
    family = [_saved("spouse", WIFE), _saved("child", SON)]
    other = make_prc_id("110105", date(1990, 1, 1), "024")
    assert "already saved a spouse" in family_conflict(_saved("spouse", other), family)
    assert family_conflict(_saved("child", make_prc_id("110105", date(2021, 1, 1), "015")), family) is None


def test_given_a_valid_address_when_parsed_then_phone_normalized_and_not_default_unless_asked():
    address, problems = parse_address(ADDRESS)
    assert problems == {}
    assert address["phone"] == "13800138000"
    assert address["is_default"] is False
    assert parse_address({**ADDRESS, "is_default": True})[0]["is_default"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postcode": "10002"}, "postcode"),
        ({"postcode": "1000200"}, "postcode"),
        ({"postcode": 100020}, "postcode"),
        ({"phone": "010-65001234"}, "phone"),
        ({"recipient": " "}, "recipient"),
        ({"province": None}, "province"),
        ({"line": "x" * 201}, "line"),
        ({"is_default": "yes"}, "is_default"),
    ],
)
def test_given_a_bad_address_field_when_parsed_then_that_field_is_named(change, field):
    address, problems = parse_address({**ADDRESS, **change})
    assert address == {}
    assert set(problems) == {field}


def test_given_lists_when_shown_then_id_numbers_and_phones_are_masked_and_the_single_read_is_full():
    person = {**_saved("spouse", WIFE), "family_member_id": "a1", "created_at": "2026-11-25T00:00:00"}
    assert family_view(person)["id_number"] == WIFE[:3] + "*" * 11 + WIFE[-4:]
    assert family_view(person, full_id=True)["id_number"] == WIFE
    assert "created_at" not in family_view(person)
    shown = address_view({**parse_address(ADDRESS)[0], "address_id": "b2", "created_at": "x"})
    assert shown["phone"] == "138****8000"
    assert member_view({"member_id": "m", "phone": "13800138000"})["phone"] == "138****8000"
    assert member_view({"member_id": "m", "phone": None})["phone"] is None
