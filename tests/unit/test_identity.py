"""PRC Resident Identity Card numbers (GB 11643-1999), passports, masking and ages."""

from datetime import date

import pytest

from insuremall.identity import (
    age_at,
    birth_date_from_prc_id,
    check_character,
    gender_from_prc_id,
    make_prc_id,
    validate_document,
    validate_prc_id,
)
from insuremall.privacy import mask_id_number, mask_phone

PUBLISHED_EXAMPLE = (
    "11010519491231002X"  # the commonly published sample: Beijing Chaoyang, 1949-12-31, female
)
TODAY = date(2026, 6, 1)


def with_check(first17):
    return first17 + check_character(first17)


def test_given_published_example_when_validated_then_valid():
    assert validate_prc_id(PUBLISHED_EXAMPLE) == []


def test_given_published_example_when_read_then_birth_date_and_gender():
    assert birth_date_from_prc_id(PUBLISHED_EXAMPLE) == date(1949, 12, 31)
    assert gender_from_prc_id(PUBLISHED_EXAMPLE) == "F"  # 17th digit 2 is even


def test_given_odd_sequence_digit_when_read_then_male():
    assert gender_from_prc_id(make_prc_id("440305", date(1990, 7, 15), "013")) == "M"


def test_given_check_character_when_computed_by_hand_then_matches_mod_11_2():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 % 11 = 2 -> "X"
    assert check_character("11010519491231002") == "X"
    assert make_prc_id("110105", date(1949, 12, 31), "002") == PUBLISHED_EXAMPLE


@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [
        ("110105", date(1949, 12, 31), "002"),
        ("440305", date(1990, 7, 15), "013"),
        ("659001", date(1977, 3, 9), "998"),
        ("820000", date(2011, 11, 30), "471"),
        ("372924", date(1963, 8, 27), "567"),
    ],
)
def test_given_built_ids_when_checked_by_the_iso_7064_definition_then_weighted_sum_is_1_mod_11(
    region, birth, seq
):
    # The standard's own statement: sum(a_i * 2^(17-i) mod 11) over all 18 positions == 1 (mod 11), X = 10.
    number = make_prc_id(region, birth, seq)
    values = [10 if char == "X" else int(char) for char in number]
    assert sum(value * pow(2, 17 - i, 11) for i, value in enumerate(values)) % 11 == 1


def test_given_lower_case_x_when_validated_then_accepted():
    assert validate_prc_id(PUBLISHED_EXAMPLE.lower()) == []


@pytest.mark.parametrize("wrong_check", ["0", "1", "9"])
def test_given_wrong_check_character_when_validated_then_checksum_problem(wrong_check):
    problems = validate_prc_id(PUBLISHED_EXAMPLE[:17] + wrong_check)

    assert problems == ["ID number check digit does not match; please check for a typing mistake"]


def test_given_one_digit_typo_when_validated_then_checksum_catches_it():
    typo = "11010519491231003X"

    assert "check digit" in " ".join(validate_prc_id(typo))


def test_given_29_february_in_a_non_leap_year_when_validated_then_date_problem_only():
    number = with_check("110105" + "19990229" + "001")

    assert validate_prc_id(number, today=TODAY) == [
        "ID number contains 19990229, which is not a real date of birth"
    ]
    with pytest.raises(ValueError):
        birth_date_from_prc_id(number)


def test_given_29_february_in_a_leap_year_when_validated_then_valid():
    assert validate_prc_id(make_prc_id("310104", date(2000, 2, 29), "123"), today=TODAY) == []


@pytest.mark.parametrize("digits", ["19901301", "19900431", "19900000"])
def test_given_impossible_month_or_day_when_validated_then_date_problem(digits):
    problems = validate_prc_id(with_check("110105" + digits + "001"), today=TODAY)
    assert problems == [f"ID number contains {digits}, which is not a real date of birth"]


def test_given_birth_date_after_today_when_validated_then_future_problem():
    tomorrow = make_prc_id("110105", date(2026, 6, 2), "001")

    assert validate_prc_id(tomorrow, today=TODAY) == ["ID number has a date of birth in the future"]
    assert validate_prc_id(make_prc_id("110105", TODAY, "001"), today=TODAY) == []


def test_given_birth_before_1900_when_validated_then_problem():
    # Another widely published sample with a correct checksum, born 1880.
    assert validate_prc_id("440524188001010014", today=TODAY) == ["ID number has a date of birth before 1900"]


@pytest.mark.parametrize("region", ["000000", "100000", "160000", "240000", "390000", "720000", "840000"])
def test_given_region_that_is_not_a_province_when_validated_then_region_problem(region):
    problems = validate_prc_id(make_prc_id(region, date(1990, 1, 1), "001"), today=TODAY)

    assert problems == [f"ID number starts with {region[:2]}, which is not a PRC region code"]


@pytest.mark.parametrize(
    "region", ["110000", "150000", "460000", "540000", "650000", "710000", "830000", "910000"]
)
def test_given_real_province_codes_when_validated_then_valid(region):
    assert validate_prc_id(make_prc_id(region, date(1990, 1, 1), "001"), today=TODAY) == []


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("11010519491231002", "ID number must be 18 characters long, got 17"),
        ("11010519491231002X1", "ID number must be 18 characters long, got 19"),
        ("1101051949123100X2", "ID number must be 17 digits followed by a digit or X"),
        ("11010519491231002Y", "ID number must be 17 digits followed by a digit or X"),
        ("", "ID number must be 18 characters long, got 0"),
    ],
)
def test_given_badly_shaped_number_when_validated_then_shape_problem_only(number, problem):
    assert validate_prc_id(number) == [problem]


def test_given_several_problems_when_validated_then_all_are_listed():
    first17 = "99010519990229001"
    wrong = "1" if check_character(first17) == "0" else "0"

    problems = validate_prc_id(first17 + wrong, today=TODAY)

    assert problems == [
        "ID number starts with 99, which is not a PRC region code",
        "ID number contains 19990229, which is not a real date of birth",
        "ID number check digit does not match; please check for a typing mistake",
    ]


def test_given_document_types_when_validated_then_each_uses_its_rules():
    assert validate_document("prc_id", PUBLISHED_EXAMPLE) == []
    assert validate_document("prc_id", "123") != []
    assert validate_document("passport", "E12345678") == []
    assert validate_document("passport", "AB1234") == []
    assert validate_document("passport", "AB123") == ["Passport number must be 6 to 9 letters or digits"]
    assert validate_document("passport", "E1234-567") == ["Passport number must be 6 to 9 letters or digits"]
    assert validate_document("passport", "E123456789") == ["Passport number must be 6 to 9 letters or digits"]
    assert validate_document("driving_licence", "123456") == [
        "Unsupported document type 'driving_licence'; use one of prc_id, passport"
    ]


def test_given_id_number_when_masked_then_first_3_and_last_4_kept():
    assert mask_id_number(PUBLISHED_EXAMPLE) == "110***********002X"
    assert mask_id_number("E12345678") == "E12**5678"
    assert mask_id_number("AB12") == "**12"


def test_given_phone_when_masked_then_first_3_and_last_4_kept():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"
    assert mask_phone("+86 138 1234 5678") == "+86 138****5678"
    assert mask_phone("12345") == "*****"


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 6, 15), date(2026, 6, 14), 35),
        (date(1990, 6, 15), date(2026, 6, 15), 36),
        (date(1990, 6, 15), date(2026, 12, 31), 36),
        (date(2026, 1, 1), date(2026, 1, 1), 0),
        # 29 February: the birthday counts on 1 March in non-leap years.
        (date(2000, 2, 29), date(2023, 2, 28), 22),
        (date(2000, 2, 29), date(2023, 3, 1), 23),
        (date(2000, 2, 29), date(2024, 2, 28), 23),
        (date(2000, 2, 29), date(2024, 2, 29), 24),
    ],
)
def test_given_birth_date_when_age_on_a_date_then_age_last_birthday(birth, on, age):
    assert age_at(birth, on) == age


def test_given_date_before_birth_when_age_then_value_error():
    with pytest.raises(ValueError):
        age_at(date(2000, 1, 2), date(2000, 1, 1))


def test_given_made_up_id_when_built_then_valid_and_round_trips():
    number = make_prc_id("510104", date(1985, 11, 3), "457")

    assert validate_prc_id(number, today=TODAY) == []
    assert birth_date_from_prc_id(number) == date(1985, 11, 3)
    assert gender_from_prc_id(number) == "M"
    with pytest.raises(ValueError):
        make_prc_id("5101", date(1985, 11, 3), "457")
