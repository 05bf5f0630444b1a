"""Parties to a policy - policyholder, insured persons, beneficiaries - as the application form and
endorsements take them: the same rules at sale and at a later change (pure)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from insuremall import identity

MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX = 60
RELATIONS = {"self", "spouse", "child", "parent"}
BENEFICIARY_RELATIONS = {"spouse", "child", "parent", "sibling"}


def insured_key(id_type: str, id_number: str) -> str:
    """Stable key for one person across policies, so exposure can be summed without the raw ID."""
    return hashlib.sha256(f"{id_type}:{id_number.upper()}".encode()).hexdigest()[:32]


def party(raw: Any, path: str, problems: dict[str, str], need_contact: bool = False) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems[path] = "is required"
        return {}
    person: dict[str, Any] = {}
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        problems[f"{path}.name"] = f"enter a name of 1 to {NAME_MAX} characters"
    else:
        person["name"] = name.strip()
    id_type = raw.get("id_type", "prc_id")
    id_number = raw.get("id_number")
    if not isinstance(id_number, str) or not id_number.strip():
        problems[f"{path}.id_number"] = "is required"
    else:
        id_number = id_number.strip().upper()
        issues = identity.validate_document(id_type, id_number)
        if issues:
            problems[f"{path}.id_number"] = "; ".join(issues)
        else:
            person["id_type"], person["id_number"] = id_type, id_number
    if need_contact:
        phone = raw.get("phone")
        if not isinstance(phone, str) or not MOBILE.match(phone.strip()):
            problems[f"{path}.phone"] = "enter an 11-digit mainland mobile number"
        else:
            person["phone"] = phone.strip()
        email = raw.get("email")
        if email is not None:
            if not isinstance(email, str) or not EMAIL.match(email.strip()):
                problems[f"{path}.email"] = "enter a valid e-mail address"
            else:
                person["email"] = email.strip()
    return person


def parse_beneficiaries(raw: Any, problems: dict[str, str], too_many: str) -> list[dict[str, Any]]:
    """Named beneficiaries (at most 5) with whole-percent shares adding up to 100; used by orders
    and by endorsements."""
    if not isinstance(raw, list) or len(raw) > 5:
        problems["beneficiaries"] = too_many
        return []
    people, total = [], 0
    for i, item in enumerate(raw):
        person = party(item, f"beneficiaries[{i}]", problems)
        share = item.get("share") if isinstance(item, dict) else None
        relation = item.get("relation") if isinstance(item, dict) else None
        if not isinstance(share, int) or isinstance(share, bool) or not 1 <= share <= 100:
            problems[f"beneficiaries[{i}].share"] = "a whole percentage from 1 to 100"
        else:
            total += share
            person["share"] = share
        if relation not in BENEFICIARY_RELATIONS:
            problems[f"beneficiaries[{i}].relation"] = f"must be one of {sorted(BENEFICIARY_RELATIONS)}"
        else:
            person["relation"] = relation
        people.append(person)
    if people and total != 100 and not any(k.endswith(".share") for k in problems):
        problems["beneficiaries"] = f"shares must add up to 100 (they add up to {total})"
    return people
