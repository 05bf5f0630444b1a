"""Invitations and the referral tree (pure): invitation codes, the binding rules and sale attribution.

A member is bound to one inviter, once. The tree therefore only ever grows at its roots (a member
without an inviter gaining one), which is what lets the store check a whole chain with one condition.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

# No 0/O, 1/I/L: a code read aloud or typed from a poster is not mistaken.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
# Walking up a chain reads one profile per level; a longer chain is refused rather than walked.
MAX_CHAIN_DEPTH = 64

# Reasons a binding is refused (the sign-up response and 422 bodies name them).
INVALID_CODE = "invalid_code"
UNKNOWN_CODE = "unknown_code"
OWN_CODE = "own_code"
CYCLE = "cycle"
ALREADY_BOUND = "already_bound"
CHAIN_TOO_DEEP = "chain_too_deep"

REASON_MESSAGES = {
    INVALID_CODE: "an invitation code is 8 letters and digits",
    UNKNOWN_CODE: "no member has this invitation code",
    OWN_CODE: "you cannot use your own invitation code",
    CYCLE: "this member was invited by you (directly or through others)",
    ALREADY_BOUND: "you already have an inviter",
    CHAIN_TOO_DEEP: "this invitation chain is too long",
}

NO_ATTRIBUTION = {"level1": None, "level2": None, "source": "none"}


def new_code(choice: Callable[[str], str] = secrets.choice) -> str:
    return "".join(choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(raw: Any) -> str | None:
    """The code in canonical form, or None when it cannot be a code. Case and spaces or dashes people
    type are forgiven."""
    if not isinstance(raw, str) or len(raw) > 32:
        return None
    code = raw.strip().upper().replace(" ", "").replace("-", "")
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def binding_refusal(
    invitee_id: str, invitee_inviter: str | None, inviter_id: str, inviter_chain: list[str]
) -> str | None:
    """Why `invitee_id` may not be bound to `inviter_id`, or None when it may.

    `inviter_chain` is the inviter's ancestors walking up (the inviter's inviter first), as far as
    they go or as far as MAX_CHAIN_DEPTH."""
    if invitee_inviter is not None:
        return ALREADY_BOUND
    if inviter_id == invitee_id:
        return OWN_CODE
    if invitee_id in inviter_chain:
        return CYCLE
    if len(inviter_chain) >= MAX_CHAIN_DEPTH:
        return CHAIN_TOO_DEEP
    return None


def walk_up(start_id: str, inviter_of: Callable[[str], str | None], stop_at: str | None = None) -> list[str]:
    """The ancestors of `start_id` (its inviter first), stopping at a root, at `stop_at` (included:
    the caller looks for it), at a repeat, or after MAX_CHAIN_DEPTH levels."""
    chain: list[str] = []
    current = start_id
    while len(chain) < MAX_CHAIN_DEPTH:
        parent = inviter_of(current)
        if parent is None or parent in chain or parent == start_id:
            break
        chain.append(parent)
        if parent == stop_at:
            break
        current = parent
    return chain


def attribution(
    buyer_id: str,
    buyer_inviter: str | None,
    ref_owner: str | None,
    inviter_of: Callable[[str], str | None],
) -> dict[str, Any]:
    """Who a sale is attributed to: a buyer bound to an inviter -> that inviter (and theirs); else the
    owner of the shared link (and their inviter); never the buyer themself."""
    if buyer_inviter and buyer_inviter != buyer_id:
        level1, source = buyer_inviter, "bound"
    elif ref_owner and ref_owner != buyer_id:
        level1, source = ref_owner, "link"
    else:
        return dict(NO_ATTRIBUTION)
    level2 = inviter_of(level1)
    if level2 in (buyer_id, level1):
        level2 = None
    return {"level1": level1, "level2": level2, "source": source}


def masked_name(name: str | None) -> str:
    """A member's display name as other members see it: the first character, the rest hidden."""
    name = (name or "").strip()
    if not name:
        return "***"
    return name[0] + "**"
