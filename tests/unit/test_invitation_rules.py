"""Invitation codes, the binding rules and sale attribution (distribution.referrals.domain.invitations)."""

import pytest

from distribution.referrals.domain.invitations import (
    ALPHABET,
    ALREADY_BOUND,
    CHAIN_TOO_DEEP,
    CODE_LENGTH,
    CYCLE,
    MAX_CHAIN_DEPTH,
    OWN_CODE,
    attribution,
    binding_refusal,
    masked_name,
    new_code,
    normalize_code,
    walk_up,
)


def _tree(**inviters):
    """inviter_of over a dict: member -> their inviter."""
    return lambda member: inviters.get(member)


def test_given_the_alphabet_then_it_has_no_characters_people_confuse():
    assert not set("01OIL") & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 31


def test_given_many_new_codes_then_each_is_8_characters_of_the_alphabet_and_they_differ():
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes)


def test_given_a_choice_when_a_code_is_made_then_every_character_comes_from_it():
    assert new_code(lambda alphabet: alphabet[-1]) == "ZZZZZZZZ"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7m2q9xa", "K7M2Q9XA"),
        (" K7M2-Q9XA ", "K7M2Q9XA"),
        ("K7M 2Q9XA", "K7M2Q9XA"),
        ("K7M2Q9X", None),  # too short
        ("K7M2Q9XA1", None),  # too long
        ("K7M2Q9X0", None),  # 0 is not in the alphabet
        ("K7M2Q9XO", None),
        (12345678, None),
        (None, None),
        ("x" * 100, None),
    ],
)
def test_given_typed_codes_when_normalized_then_case_and_separators_are_forgiven(typed, expected):
    assert normalize_code(typed) == expected


def test_given_a_member_when_they_use_their_own_code_then_it_is_refused():
    assert binding_refusal("A", None, "A", []) == OWN_CODE


def test_given_a_bound_member_when_another_code_is_used_then_already_bound():
    assert binding_refusal("C", "B", "D", []) == ALREADY_BOUND


def test_given_a_to_b_to_c_when_a_would_be_bound_to_c_then_the_cycle_is_refused():
    # B was invited by A, C by B; binding A to C would close A -> B -> C -> A.
    inviter_of = _tree(B="A", C="B")
    chain = walk_up("C", inviter_of, stop_at="A")
    assert chain == ["B", "A"]
    assert binding_refusal("A", None, "C", chain) == CYCLE


def test_given_a_chain_without_the_invitee_then_binding_is_allowed():
    inviter_of = _tree(B="A", C="B")
    chain = walk_up("C", inviter_of, stop_at="D")
    assert chain == ["B", "A"]
    assert binding_refusal("D", None, "C", chain) is None


def test_given_a_root_inviter_then_the_chain_is_empty_and_binding_is_allowed():
    assert walk_up("A", _tree()) == []
    assert binding_refusal("B", None, "A", []) is None


def test_given_a_chain_longer_than_the_limit_then_the_walk_stops_and_binding_is_refused():
    inviters = {f"m{i}": f"m{i + 1}" for i in range(MAX_CHAIN_DEPTH + 10)}
    chain = walk_up("m0", inviters.get, stop_at="new")
    assert len(chain) == MAX_CHAIN_DEPTH
    assert binding_refusal("new", None, "m0", chain) == CHAIN_TOO_DEEP


def test_given_corrupt_data_with_a_loop_then_the_walk_still_ends():
    assert walk_up("A", _tree(A="B", B="C", C="A")) == ["B", "C"]


def test_given_a_bound_buyer_then_the_sale_goes_to_their_inviter_and_the_inviters_inviter():
    inviter_of = _tree(C="B", B="A")
    assert attribution("C", "B", "X", inviter_of) == {"level1": "B", "level2": "A", "source": "bound"}


def test_given_an_unbound_buyer_with_a_link_then_the_link_owner_and_their_inviter():
    inviter_of = _tree(X="Y")
    assert attribution("D", None, "X", inviter_of) == {"level1": "X", "level2": "Y", "source": "link"}


def test_given_a_buyer_with_their_own_link_then_nothing_is_attributed():
    assert attribution("D", None, "D", _tree()) == {"level1": None, "level2": None, "source": "none"}


def test_given_a_link_owner_invited_by_the_buyer_then_level2_is_never_the_buyer():
    assert attribution("D", None, "X", _tree(X="D")) == {"level1": "X", "level2": None, "source": "link"}


def test_given_no_inviter_and_no_link_then_nothing_is_attributed():
    assert attribution("D", None, None, _tree())["source"] == "none"


@pytest.mark.parametrize(
    ("name", "shown"), [("Li Hua", "L**"), ("王小明", "王**"), ("", "***"), (None, "***")]
)
def test_given_names_when_masked_then_only_the_first_character_shows(name, shown):
    assert masked_name(name) == shown
