"""Personal data in responses: names are shown, ID numbers, phones and e-mails are masked."""

from __future__ import annotations

import re
from typing import Any

_HIDDEN = {"insured_key", "birth_date"}


def mask_id_number(number: str) -> str:
    """Keep the first 3 and last 4 characters: 110***********123X. Short numbers keep only the last 2."""
    number = number.strip()
    if len(number) >= 8:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    if len(number) > 2:
        return "*" * (len(number) - 2) + number[-2:]
    return "*" * len(number)


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits: 138****5678 (a +86 prefix is kept as it is)."""
    digits = re.sub(r"[\s-]", "", phone)
    prefix = ""
    if digits.startswith("+86"):
        prefix, digits = "+86 ", digits[3:]
    if len(digits) >= 8:
        return prefix + digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return prefix + "*" * len(digits)


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def masked_party(person: dict[str, Any]) -> dict[str, Any]:
    """A policyholder, insured or beneficiary as a response may show them."""
    shown = {k: v for k, v in person.items() if k not in _HIDDEN}
    if shown.get("id_number"):
        shown["id_number"] = mask_id_number(shown["id_number"])
    if shown.get("phone"):
        shown["phone"] = mask_phone(shown["phone"])
    if shown.get("email"):
        shown["email"] = mask_email(shown["email"])
    return shown


def mask_reference(reference: str) -> str:
    """A policy or order number shown to anyone who holds the paper: the first and last 4 characters."""
    return reference[:4] + "*" * max(len(reference) - 8, 0) + reference[-4:]
