"""Simple endorsements: the policyholder's phone and e-mail, and the named beneficiaries.

Validation reuses the order form's rules (checkout.domain.application) so a change is held to the
same standard as the purchase."""

from __future__ import annotations

import copy
from typing import Any

from insuremall import parties
from insuremall.privacy import mask_email, mask_phone, masked_party

CONTACT_FIELDS = ("phone", "email")


def _contact(raw: Any, problems: dict[str, str]) -> dict[str, str]:
    if not isinstance(raw, dict) or not any(k in raw for k in CONTACT_FIELDS):
        problems["contact"] = "give phone and/or email"
        return {}
    contact: dict[str, str] = {}
    if "phone" in raw:
        phone = raw["phone"]
        if not isinstance(phone, str) or not parties.MOBILE.match(phone.strip()):
            problems["contact.phone"] = "enter an 11-digit mainland mobile number"
        else:
            contact["phone"] = phone.strip()
    if "email" in raw:
        email = raw["email"]
        if not isinstance(email, str) or not parties.EMAIL.match(email.strip()):
            problems["contact.email"] = "enter a valid e-mail address"
        else:
            contact["email"] = email.strip()
    return contact


def _beneficiaries(raw: Any, problems: dict[str, str]) -> list[dict[str, Any]]:
    """An empty list returns the benefit to the insured's legal heirs."""
    return parties.parse_beneficiaries(
        raw, problems, "name up to 5 beneficiaries (an empty list means legal heirs)"
    )


def validate(body: dict[str, Any], snapshot: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The requested changes, or the problems per field (as the order form names them)."""
    problems: dict[str, str] = {}
    request: dict[str, Any] = {}
    if "contact" not in body and "beneficiaries" not in body:
        problems["body"] = "give contact {phone, email} and/or beneficiaries"
    if "contact" in body:
        request["contact"] = _contact(body["contact"], problems)
    if "beneficiaries" in body:
        if not snapshot.get("has_beneficiaries"):
            problems["beneficiaries"] = (
                "this product pays the insured or legal heirs; beneficiaries cannot be named"
            )
        else:
            request["beneficiaries"] = _beneficiaries(body["beneficiaries"], problems)
    return request, problems


def apply(parties: dict[str, Any], request: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(new parties, what changed as {field: {from, to}}); an unchanged value is not a change."""
    parties = copy.deepcopy(parties)
    changes: dict[str, Any] = {}
    holder = parties["policyholder"]
    for field, value in request.get("contact", {}).items():
        if holder.get(field) != value:
            changes[f"policyholder.{field}"] = {"from": holder.get(field), "to": value}
            holder[field] = value
    if "beneficiaries" in request:
        new = request["beneficiaries"]
        if new != parties.get("beneficiaries", []):
            changes["beneficiaries"] = {"from": parties.get("beneficiaries", []), "to": new}
            parties["beneficiaries"] = new
    return parties, changes


def masked_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """What changed, as a response may show it (phones, e-mails and ID numbers masked)."""

    def mask(field: str, value: Any) -> Any:
        if value is None:
            return None
        if field.endswith(".phone"):
            return mask_phone(value)
        if field.endswith(".email"):
            return mask_email(value)
        if field == "beneficiaries":
            return [masked_party(p) for p in value]
        return value

    return {f: {"from": mask(f, c["from"]), "to": mask(f, c["to"])} for f, c in changes.items()}
