"""Every response shape of members' routes; masking through insuremall.privacy."""

from __future__ import annotations

from typing import Any

from insuremall.privacy import mask_id_number, mask_phone


def member_view(profile: dict[str, Any]) -> dict[str, Any]:
    phone = profile.get("phone")
    return {**profile, "phone": mask_phone(phone) if phone else None}


def me_view(profile: dict[str, Any], is_operator: bool) -> dict[str, Any]:
    return {"member": member_view(profile), "operator": is_operator}


def signed_up_view(signed: Any) -> dict[str, Any]:
    """members.accounts.SignedUp: the new profile as stored, the tokens, and the invitation's answer."""
    answer = {"member": signed.member, "tokens": signed.tokens}
    if signed.invitation is not None:
        answer["invitation"] = signed.invitation
    return answer


def family_view(person: dict[str, Any], full_id: bool = False) -> dict[str, Any]:
    """Lists mask the ID number; only the owner's single-item read shows it whole (to fill a form)."""
    shown = {k: v for k, v in person.items() if k != "created_at"}
    if not full_id:
        shown["id_number"] = mask_id_number(person["id_number"])
    return shown


def address_view(address: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in address.items() if k != "created_at"}
    shown["phone"] = mask_phone(address["phone"])
    return shown
