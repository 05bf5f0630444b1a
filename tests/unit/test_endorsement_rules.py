"""Endorsement rules: what may change, validated like the order form, and what changed, masked."""

from datetime import date

from insuremall import identity
from policy.domain.endorsement import apply, masked_changes, validate

PARTIES = {
    "policyholder": {"name": "Wang Fang", "phone": "13812345678", "email": "fang@example.com"},
    "insured": [{"name": "Wang Fang"}],
    "beneficiaries": [],
}
WITH_BENEFICIARIES = {"has_beneficiaries": True}


def beneficiary(share=100, seq="123"):
    number = identity.make_prc_id("110101", date(1990, 1, 1), seq)
    return {"name": "Li Na", "id_type": "prc_id", "id_number": number, "relation": "spouse", "share": share}


def test_given_a_new_phone_when_applied_then_only_the_phone_changes():
    request, problems = validate({"contact": {"phone": " 13912345678 "}}, {})
    parties, changes = apply(PARTIES, request)
    assert problems == {}
    assert changes == {"policyholder.phone": {"from": "13812345678", "to": "13912345678"}}
    assert parties["policyholder"]["email"] == "fang@example.com"
    assert PARTIES["policyholder"]["phone"] == "13812345678"  # the input is not modified


def test_given_the_same_details_when_applied_then_nothing_changes():
    request, _ = validate({"contact": {"phone": "13812345678", "email": "fang@example.com"}}, {})
    assert apply(PARTIES, request)[1] == {}


def test_given_bad_contact_when_validated_then_problems_per_field():
    _, problems = validate({"contact": {"phone": "1381234", "email": "x@"}}, {})
    assert set(problems) == {"contact.phone", "contact.email"}
    assert set(validate({"contact": {}}, {})[1]) == {"contact"}
    assert set(validate({}, {})[1]) == {"body"}


def test_given_a_product_without_beneficiaries_when_naming_them_then_refused():
    _, problems = validate({"beneficiaries": [beneficiary()]}, {"has_beneficiaries": False})
    assert set(problems) == {"beneficiaries"}


def test_given_shares_not_adding_to_100_when_validated_then_refused():
    _, problems = validate({"beneficiaries": [beneficiary(60), beneficiary(30, "124")]}, WITH_BENEFICIARIES)
    assert "add up to 100" in problems["beneficiaries"]


def test_given_an_empty_list_when_applied_then_legal_heirs_again():
    named = PARTIES | {"beneficiaries": [beneficiary()]}
    request, problems = validate({"beneficiaries": []}, WITH_BENEFICIARIES)
    parties, changes = apply(named, request)
    assert problems == {} and parties["beneficiaries"] == [] and "beneficiaries" in changes


def test_given_changes_when_shown_then_phones_emails_and_ids_are_masked():
    person = beneficiary()
    shown = masked_changes(
        {
            "policyholder.phone": {"from": "13812345678", "to": "13912345678"},
            "policyholder.email": {"from": None, "to": "fang@example.com"},
            "beneficiaries": {"from": [], "to": [person]},
        }
    )
    assert shown["policyholder.phone"] == {"from": "138****5678", "to": "139****5678"}
    assert shown["policyholder.email"] == {"from": None, "to": "f***@example.com"}
    assert shown["beneficiaries"]["to"][0]["id_number"] != person["id_number"]
