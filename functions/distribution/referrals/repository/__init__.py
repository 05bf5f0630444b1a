"""Referrals' data, one module per part: the referral tree and agent licences (MembersTable), the
promotion-fee ledger and balances, commission rates, withdrawals and payout records (RewardsTable),
and the attribution recorded on sales (EventsTable, read only). The only referrals code that
touches these tables."""
