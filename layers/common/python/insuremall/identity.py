"""Identity documents of policyholders and insured persons (masking is in insuremall.privacy).

PRC Resident Identity Card numbers follow GB 11643-1999: six digits of region code, eight
digits of birth date (YYYYMMDD), three digits of sequence (odd = male) and one ISO 7064
MOD 11-2 check character (0-9 or X).
"""

from __future__ import annotations

import re
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")
_PASSPORT = re.compile(r"^[A-Za-z0-9]{6,9}$")
# First two digits: provinces, autonomous regions and municipalities, 71 Taiwan, 81/82 Hong Kong and
# Macao, 83 Taiwan residents' residence permits, 91 abroad.
_PROVINCE_RANGES = ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65), (71, 71), (81, 83), (91, 91))
PROVINCE_CODES = frozenset(code for low, high in _PROVINCE_RANGES for code in range(low, high + 1))
DOCUMENT_TYPES = ("prc_id", "passport")


def normalize_prc_id(number: str) -> str:
    """Strip spaces and upper-case the check character; customers often type a lower-case x."""
    return number.strip().upper()


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def validate_prc_id(number: str, today: date | None = None) -> list[str]:
    """Problems with a PRC ID number in plain English; an empty list means valid."""
    if not isinstance(number, str):
        return ["ID number must be text"]
    number = normalize_prc_id(number)
    if len(number) != 18:
        return [f"ID number must be 18 characters long, got {len(number)}"]
    if not _SHAPE.match(number):
        return ["ID number must be 17 digits followed by a digit or X"]

    problems = []
    if int(number[:2]) not in PROVINCE_CODES:
        problems.append(f"ID number starts with {number[:2]}, which is not a PRC region code")
    birth = _birth_date(number)
    if birth is None:
        problems.append(f"ID number contains {number[6:14]}, which is not a real date of birth")
    elif birth.year < 1900:
        problems.append("ID number has a date of birth before 1900")
    elif birth > (today or date.today()):
        problems.append("ID number has a date of birth in the future")
    if check_character(number[:17]) != number[17]:
        problems.append("ID number check digit does not match; please check for a typing mistake")
    return problems


def birth_date_from_prc_id(number: str) -> date:
    birth = _birth_date(normalize_prc_id(number))
    if birth is None:
        raise ValueError("ID number does not contain a valid date of birth")
    return birth


def gender_from_prc_id(number: str) -> str:
    """ "M" or "F" from the 17th digit (odd = male)."""
    number = normalize_prc_id(number)
    if len(number) != 18 or not number[16].isdigit():
        raise ValueError("not an 18-character ID number")
    return "M" if int(number[16]) % 2 else "F"


def make_prc_id(region6: str, birth: date, seq3: str) -> str:
    """Build a well-formed ID number with its check character (for tests and demo data)."""
    if not (len(region6) == 6 and region6.isdigit() and len(seq3) == 3 and seq3.isdigit()):
        raise ValueError("region6 must be 6 digits and seq3 must be 3 digits")
    first17 = f"{region6}{birth:%Y%m%d}{seq3}"
    return first17 + check_character(first17)


def validate_document(doc_type: str, number: str) -> list[str]:
    """Problems with an identity document number; supports "prc_id" and "passport"."""
    if doc_type == "prc_id":
        return validate_prc_id(number)
    if doc_type == "passport":
        if not isinstance(number, str) or not _PASSPORT.match(number.strip()):
            return ["Passport number must be 6 to 9 letters or digits"]
        return []
    return [f"Unsupported document type {doc_type!r}; use one of {', '.join(DOCUMENT_TYPES)}"]


def region_of(person: dict) -> str:
    """The sales figures' region of a person: the province of their PRC ID (its first two digits), "XX"
    for other documents. Only these two characters leave the application (in events)."""
    if person.get("id_type") != "prc_id":
        return "XX"
    return str(person.get("id_number") or "")[:2] or "XX"


def age_at(birth: date, on: date) -> int:
    """Age last birthday. A 29 February birthday is reached on 1 March in non-leap years."""
    if on < birth:
        raise ValueError("date is before the date of birth")
    # Tuple comparison does the leap-day rule: (2, 28) < (2, 29) <= (3, 1).
    had_birthday = (on.month, on.day) >= (birth.month, birth.day)
    return on.year - birth.year - (0 if had_birthday else 1)


def _birth_date(number: str) -> date | None:
    digits = number[6:14]
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
