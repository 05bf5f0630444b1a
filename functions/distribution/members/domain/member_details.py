"""A member's details (pure): sign-up credentials, the profile, family members and delivery addresses.

Each `parse_*` takes a request body and returns (clean values, problems per field); an empty problems
dict means the values can be stored. PRC ID checks come from insuremall.identity, the one place that
knows GB 11643-1999 (see docs/decisions.md).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from insuremall import identity

MAX_FAMILY_MEMBERS = 10
MAX_ADDRESSES = 10
RELATIONS = ("spouse", "child", "parent")
ID_TYPES = ("prc_id",)  # birth date and gender come from the number, which a passport does not carry
DISPLAY_NAME_MAX = 60
NAME_MAX = 60
PLACE_MAX = 40
LINE_MAX = 200

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_POSTCODE = re.compile(r"^\d{6}$")
_SEPARATORS = re.compile(r"[\s-]")

Problems = dict[str, str]


def parse_credentials(body: dict) -> tuple[str, str, Problems]:
    """(e-mail in lower case, password) of a sign-up or sign-in body, and the problems."""
    email, password = body.get("email"), body.get("password")
    problems: Problems = {}
    if not isinstance(email, str) or not _EMAIL.match(email.strip()) or len(email) > 200:
        problems["email"] = "enter a valid e-mail address"
    if not isinstance(password, str) or not password:
        problems["password"] = "is required"  # noqa: S105 - a message, not a password
    if problems:
        return "", "", problems
    return email.strip().lower(), password, {}


def parse_sign_up_name(body: dict, email: str) -> tuple[str, Problems]:
    """The display name a member signs up with; the e-mail's local part when none is given."""
    raw = body.get("name", "")
    if not isinstance(raw, str) or len(raw.strip()) > DISPLAY_NAME_MAX:
        return "", {"name": f"at most {DISPLAY_NAME_MAX} characters"}
    return raw.strip() or email.split("@")[0], {}


def normalize_mobile(raw: Any) -> str | None:
    """An 11-digit mainland mobile number, or None. Spaces, hyphens and a +86 prefix are accepted."""
    if not isinstance(raw, str):
        return None
    digits = _SEPARATORS.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits if _MOBILE.match(digits) else None


def _text(body: dict, field: str, limit: int, problems: Problems, label: str = "") -> str | None:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        problems[field] = f"enter {label or field.replace('_', ' ')}"
        return None
    value = " ".join(value.split())
    if len(value) > limit:
        problems[field] = f"at most {limit} characters"
        return None
    return value


def parse_profile_update(body: dict) -> tuple[dict[str, Any], Problems]:
    """`display_name` and/or `phone`; a phone of null or "" removes the phone number."""
    problems: Problems = {}
    changes: dict[str, Any] = {}
    if "display_name" not in body and "phone" not in body:
        return {}, {"display_name": "send display_name, phone or both"}
    if "display_name" in body:
        name = _text(body, "display_name", DISPLAY_NAME_MAX, problems, "a display name")
        if name is not None:
            changes["display_name"] = name
    if "phone" in body:
        raw = body["phone"]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            changes["phone"] = None
        else:
            phone = normalize_mobile(raw)
            if phone is None:
                problems["phone"] = "enter an 11-digit mainland mobile number, e.g. 13800138000"
            else:
                changes["phone"] = phone
    return (changes if not problems else {}), problems


def parse_family_member(body: dict, today: date | None = None) -> tuple[dict[str, Any], Problems]:
    """A family member to save: name, relation and PRC ID; birth date and gender come from the ID."""
    problems: Problems = {}
    name = _text(body, "name", NAME_MAX, problems, "the name as on the ID card")
    relation = body.get("relation")
    if relation not in RELATIONS:
        problems["relation"] = f"choose one of {', '.join(RELATIONS)}"
    id_type = body.get("id_type", "prc_id")
    if id_type not in ID_TYPES:
        problems["id_type"] = "only prc_id (PRC Resident Identity Card) is accepted for family members"
    id_number = body.get("id_number")
    if not isinstance(id_number, str) or not id_number.strip():
        problems["id_number"] = "enter the 18-character ID number"
    elif id_type in ID_TYPES:
        id_number = identity.normalize_prc_id(id_number)
        issues = identity.validate_prc_id(id_number, today)
        if issues:
            problems["id_number"] = "; ".join(issues)
    if problems:
        return {}, problems
    return {
        "name": name,
        "relation": relation,
        "id_type": id_type,
        "id_number": id_number,
        "gender": identity.gender_from_prc_id(id_number),
        "birth_date": identity.birth_date_from_prc_id(id_number).isoformat(),
    }, {}


def family_conflict(new: dict[str, Any], family: list[dict[str, Any]]) -> str | None:
    """Why `new` cannot join the saved family members, or None. Limits are in plain words."""
    if len(family) >= MAX_FAMILY_MEMBERS:
        return f"You can save at most {MAX_FAMILY_MEMBERS} family members; remove one first"
    if any(f["id_type"] == new["id_type"] and f["id_number"] == new["id_number"] for f in family):
        return "This person is already one of your family members"
    if new["relation"] == "spouse" and any(f["relation"] == "spouse" for f in family):
        return "You already saved a spouse; remove that entry first"
    return None


def parse_address(body: dict) -> tuple[dict[str, Any], Problems]:
    """A delivery address (for printed policies and gifts)."""
    problems: Problems = {}
    address: dict[str, Any] = {
        "recipient": _text(body, "recipient", NAME_MAX, problems, "the recipient's name"),
        "province": _text(body, "province", PLACE_MAX, problems, "the province"),
        "city": _text(body, "city", PLACE_MAX, problems, "the city"),
        "district": _text(body, "district", PLACE_MAX, problems, "the district"),
        "line": _text(body, "line", LINE_MAX, problems, "the street address"),
    }
    phone = normalize_mobile(body.get("phone"))
    if phone is None:
        problems["phone"] = "enter an 11-digit mainland mobile number, e.g. 13800138000"
    address["phone"] = phone
    postcode = body.get("postcode")
    if not isinstance(postcode, str) or not _POSTCODE.match(postcode.strip()):
        problems["postcode"] = "enter the 6-digit postcode"
    else:
        address["postcode"] = postcode.strip()
    is_default = body.get("is_default", False)
    if not isinstance(is_default, bool):
        problems["is_default"] = "must be true or false"
    address["is_default"] = is_default is True
    return (address if not problems else {}), problems
