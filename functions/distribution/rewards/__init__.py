"""Data access for RewardsTable (one module per part of it): the promotion-fee ledger and balances,
programme settings, commission rates, withdrawals, points and campaigns."""
