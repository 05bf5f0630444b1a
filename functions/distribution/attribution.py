"""Sale attribution for checkout: who a new order is attributed to, read from the referral tree at
sale time. Checkout snapshots the answer on the order's application, so later changes to the tree
never move a past sale."""

from __future__ import annotations

from typing import Any

from distribution import store
from distribution.domain import invitation
from insuremall import errors


def attribution_for(buyer_id: str, ref: Any = None) -> dict[str, Any]:
    """{"level1", "level2", "source": "bound"|"link"|"none"} for a purchase by `buyer_id` who may have
    arrived through a shared link carrying the invite code `ref`. An unknown code attributes nothing
    (a stale link must not block a purchase); a `ref` that is not text is refused (422)."""
    if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
        raise errors.Invalid({"ref": "an invitation code from a shared link, as text"})
    buyer_inviter = store.inviter_of(buyer_id)
    ref_owner = None
    if buyer_inviter is None and ref:
        code = invitation.normalize_code(ref)
        ref_owner = store.owner_of_code(code) if code else None
    return invitation.attribution(buyer_id, buyer_inviter, ref_owner, store.inviter_of)
