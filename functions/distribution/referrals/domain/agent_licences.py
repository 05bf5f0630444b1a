"""Agent licences (pure): what an operator records of a member's insurance-agent licence, and how it
is shown (a verified licence lets the programme pay promotion fees in cash; promotion_fees.settlement)."""

from __future__ import annotations

import re
from typing import Any

from insuremall.privacy import mask_id_number

LICENCE_NO = re.compile(r"^[A-Za-z0-9-]{6,40}$")
MEMBER_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def parse_licence(body: dict[str, Any]) -> tuple[str, bool, dict[str, str]]:
    """(licence number in capitals, verified, problems) of an operator's licence body."""
    problems = {}
    licence_no = body.get("licence_no")
    if not isinstance(licence_no, str) or not LICENCE_NO.match(licence_no.strip()):
        problems["licence_no"] = "6-40 letters, digits or '-'"
    if not isinstance(body.get("verified"), bool):
        problems["verified"] = "true or false"
    if problems:
        return "", False, problems
    return licence_no.strip().upper(), body["verified"], {}


def masked(licence: dict[str, Any] | None) -> dict[str, Any] | None:
    """A licence as operators' screens and the audit trail show it: the number masked."""
    if not licence:
        return None
    return {**licence, "licence_no": mask_id_number(licence["licence_no"])}
