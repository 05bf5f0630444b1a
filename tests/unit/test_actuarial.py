"""Actuarial present values: a hand-computed example on a tiny table, then the shipped table."""

from decimal import Decimal

import pytest

from catalog.domain.actuarial import (
    MortalityTable,
    annuity_due,
    makeham_qx,
    mortality_table,
    net_level_premium,
    net_single_premium,
)

# Ages 0-3; everyone is dead by the end of age 3. With i = 25%, v = 0.8 exactly.
TINY = MortalityTable.from_rates("tiny", ["0.1", "0.2", "0.5", "1.0"])
I_25 = Decimal("0.25")
I_2_5 = Decimal("0.025")


def test_given_tiny_table_when_two_year_term_from_age_0_then_matches_hand_computation():
    # A = v*q0 + v^2*p0*q1 = 0.8*0.1 + 0.64*0.9*0.2 = 0.08 + 0.1152
    assert net_single_premium(TINY, 0, 2, I_25) == Decimal("0.1952")
    # ä = 1 + v*p0 = 1 + 0.8*0.9
    assert annuity_due(TINY, 0, 2, I_25) == Decimal("1.72")
    # P = 1000 * 0.1952 / 1.72 = 1000 * 122/1075
    premium = net_level_premium(TINY, 0, 2, I_25, 1000)
    assert abs(premium - Decimal(122000) / Decimal(1075)) < Decimal("1e-20")
    assert str(premium)[:12] == "113.48837209"


def test_given_tiny_table_when_three_years_from_age_1_then_matches_hand_computation():
    # A = 0.8*0.2 + 0.64*0.8*0.5 + 0.512*0.4*1.0
    assert net_single_premium(TINY, 1, 3, I_25) == Decimal("0.6208")
    # ä = 1 + 0.8*0.8 + 0.64*0.4
    assert annuity_due(TINY, 1, 3, I_25) == Decimal("1.896")


def test_given_cover_to_the_end_of_the_table_when_valued_then_a_equals_one_minus_d_annuity():
    # Everyone dies by the end of the table, so term cover is whole-life cover: A = 1 - d*ä.
    table = mortality_table("illustrative_makeham_2020", "M")
    age = 40
    n = table.max_age - age + 1
    d = I_2_5 / (1 + I_2_5)
    assurance = net_single_premium(table, age, n, I_2_5)
    annuity = annuity_due(table, age, n, I_2_5)
    assert abs(assurance - (1 - d * annuity)) < Decimal("1e-24")


def test_given_zero_interest_when_valued_then_a_is_probability_of_dying_within_the_term():
    # 1 - 2p0 = 1 - 0.9*0.8 = 0.28; ä = 1 + 0.9
    assert net_single_premium(TINY, 0, 2, Decimal(0)) == Decimal("0.28")
    assert annuity_due(TINY, 0, 2, Decimal(0)) == Decimal("1.9")


def test_given_interest_as_text_when_valued_then_same_as_decimal():
    assert net_single_premium(TINY, 0, 2, "0.25") == net_single_premium(TINY, 0, 2, I_25)


def test_given_term_beyond_the_table_when_valued_then_value_error():
    with pytest.raises(ValueError, match="outside"):
        net_single_premium(TINY, 2, 3, I_25)
    with pytest.raises(ValueError, match="at least 1 year"):
        annuity_due(TINY, 0, 0, I_25)


def test_given_shipped_table_when_loaded_then_ages_0_to_105_and_q_105_is_one():
    for gender in ("M", "F"):
        table = mortality_table("illustrative_makeham_2020", gender)
        assert table.max_age == 105
        assert table.qx[105] == 1
        assert all(0 < q < 1 for q in table.qx[:105])
        assert list(table.qx[:105]) == sorted(table.qx[:105])  # Makeham mortality only rises with age


def test_given_shipped_table_when_compared_with_makeham_law_then_rows_match_the_stated_parameters():
    male = mortality_table("illustrative_makeham_2020", "M")
    female = mortality_table("illustrative_makeham_2020", "F")
    for age in (0, 30, 60, 90, 104):
        assert abs(float(male.qx[age]) - makeham_qx(age, 0.0002, 0.00003, 1.1)) < 1e-9
        assert abs(float(female.qx[age]) - makeham_qx(age, 0.0002, 0.000015, 1.1)) < 1e-9


def test_given_shipped_table_when_loaded_twice_then_the_same_object_is_returned():
    name = "illustrative_makeham_2020"
    assert mortality_table(name, "F") is mortality_table(name, "F")


def test_given_unknown_or_unsafe_table_name_when_loaded_then_value_error():
    with pytest.raises(ValueError, match="unknown mortality table"):
        mortality_table("cl_2010_2013_missing", "M")
    with pytest.raises(ValueError, match="invalid mortality table name"):
        mortality_table("../../etc/passwd", "M")
    with pytest.raises(ValueError, match="gender"):
        mortality_table("illustrative_makeham_2020", "X")


def test_given_q_outside_0_1_when_building_a_table_then_value_error():
    with pytest.raises(ValueError, match="between 0 and 1"):
        MortalityTable.from_rates("bad", ["0.1", "1.5"])


@pytest.fixture
def male():
    return mortality_table("illustrative_makeham_2020", "M")


@pytest.fixture
def female():
    return mortality_table("illustrative_makeham_2020", "F")


def test_given_same_term_when_older_then_premium_is_dearer(male):
    premiums = [net_level_premium(male, age, 20, I_2_5, 1_000_000) for age in (20, 30, 40, 50)]
    assert premiums == sorted(premiums)
    assert len(set(premiums)) == 4


def test_given_same_age_when_term_is_longer_then_premium_differs_and_rises_with_rising_mortality(male):
    ten = net_level_premium(male, 30, 10, I_2_5, 1_000_000)
    twenty = net_level_premium(male, 30, 20, I_2_5, 1_000_000)
    thirty = net_level_premium(male, 30, 30, I_2_5, 1_000_000)
    assert ten < twenty < thirty


def test_given_same_age_and_term_when_female_then_cheaper_than_male(male, female):
    for age in (18, 30, 45, 55):
        assert net_level_premium(female, age, 20, I_2_5, 1_000_000) < net_level_premium(
            male, age, 20, I_2_5, 1_000_000
        )


def test_given_higher_interest_when_valued_then_net_premium_is_lower(male):
    assert net_level_premium(male, 30, 20, Decimal("0.035"), 1_000_000) < net_level_premium(
        male, 30, 20, I_2_5, 1_000_000
    )


def test_given_sum_insured_doubled_when_valued_then_premium_doubles(male):
    million = net_level_premium(male, 35, 20, I_2_5, 1_000_000)
    half = net_level_premium(male, 35, 20, I_2_5, 500_000)
    assert abs(million - 2 * half) < Decimal("1e-18")
    assert million > 1000
