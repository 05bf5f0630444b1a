"""Referrals: invitation codes and the two-level referral tree (MembersTable), sale attribution,
promotion fees over the policy lifecycle, commission rates, withdrawals and payouts (RewardsTable).
Builds on members (profiles) and promotions (programme settings; fees paid in points)."""
