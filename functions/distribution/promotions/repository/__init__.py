"""Promotions' data on RewardsTable, one module per part: campaigns and coupon claims, the points
ledger, the programme settings. The only promotions code that touches the table."""
