"""Promotions: campaigns and coupons, points (earning, check-in, expiry), the programme settings, and
an order's discounts (coupon and points) for checkout, on RewardsTable. Imports no other role."""
