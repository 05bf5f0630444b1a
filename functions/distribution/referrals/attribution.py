"""Sale attribution for checkout: who a new order is attributed to, read from the referral tree at
sale time. Checkout snapshots the answer on the order's application, so later changes to the tree
never move a past sale. Runs in checkout's process (distribution.api.attribution_for): reads only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distribution.referrals.domain import invitations as rules
from insuremall import errors


@dataclass(frozen=True)
class Attribution:
    tree: Any  # referrals.repository.referral_tree: inviter_of, owner_of_code

    def of_sale(self, buyer_id: str, ref: Any = None) -> dict[str, Any]:
        """{"level1", "level2", "source": "bound"|"link"|"none"} for a purchase by `buyer_id` who may have
        arrived through a shared link carrying the invite code `ref`. An unknown code attributes nothing
        (a stale link must not block a purchase); a `ref` that is not text is refused (422)."""
        if ref is not None and (not isinstance(ref, str) or len(ref) > 64):
            raise errors.Invalid({"ref": "an invitation code from a shared link, as text"})
        buyer_inviter = self.tree.inviter_of(buyer_id)
        ref_owner = None
        if buyer_inviter is None and ref:
            code = rules.normalize_code(ref)
            ref_owner = self.tree.owner_of_code(code) if code else None
        return rules.attribution(buyer_id, buyer_inviter, ref_owner, self.tree.inviter_of)


def attribution_for(buyer_id: str, ref: Any = None) -> dict[str, Any]:
    """What distribution.api.attribution_for calls."""
    from distribution import wiring

    return wiring.attribution().of_sale(buyer_id, ref)
