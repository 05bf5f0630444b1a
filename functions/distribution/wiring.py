"""The real collaborators of distribution's use cases, built in one place (tests pass fakes instead).
Cheap to build, so built per call; each imports what it needs when first asked (cold start).

This is also the one place where the three roles meet: members' sign-up binds an invitation
(referrals), and referrals pay fees in points (promotions)."""

from __future__ import annotations

from insuremall.observability import get_logger

logger = get_logger("distribution")


# ---------- members ----------
def accounts():
    from distribution.members import repository
    from distribution.members.accounts import Accounts
    from distribution.members.cognito import UserPool

    return Accounts(
        pool=UserPool(), members=repository, bind_invitation=invitations().bind_at_sign_up, logger=logger
    )


def profiles():
    from distribution.members import repository
    from distribution.members.profiles import Profiles

    return Profiles(members=repository)


def family():
    from distribution.members import repository
    from distribution.members.family import Family

    return Family(members=repository, logger=logger)


def addresses():
    from distribution.members import repository
    from distribution.members.addresses import Addresses

    return Addresses(members=repository)


def notifications():
    from distribution.members import repository
    from distribution.members.notifications import Notifications

    return Notifications(members=repository)


# ---------- promotions ----------
def points_ledger():
    """The points ledger, imported when points are involved (an order without them needs none)."""
    from distribution.promotions.repository import points_ledger

    return points_ledger


def campaigns():
    from distribution.promotions.campaigns import Campaigns
    from distribution.promotions.repository import campaigns

    return Campaigns(store=campaigns, logger=logger)


def coupons():
    from distribution.promotions.coupons import Coupons
    from distribution.promotions.repository import campaigns

    return Coupons(store=campaigns, logger=logger)


def discounts():
    from distribution.promotions.discounts import Discounts
    from distribution.promotions.repository import campaigns, program_settings

    return Discounts(
        coupons=campaigns, points=points_ledger, settings=program_settings.current, logger=logger
    )


def points():
    from distribution.members import repository as members
    from distribution.promotions.points import Points

    return Points(
        ledger=points_ledger(), member_exists=lambda member_id: members.get_member(member_id) is not None
    )


def check_in():
    from distribution.promotions.check_in import CheckIn

    return CheckIn(ledger=points_ledger(), logger=logger)


def points_earning():
    from distribution.promotions.points_earning import PointsEarning
    from distribution.promotions.repository import campaigns, program_settings

    return PointsEarning(
        ledger=points_ledger(),
        settings=program_settings.current,
        campaign_multiplier=campaigns.points_multiplier,
        logger=logger,
    )


def program_settings():
    from distribution.promotions.program_settings import ProgramSettings
    from distribution.promotions.repository import program_settings
    from insuremall import audit

    return ProgramSettings(store=program_settings, audit=audit, logger=logger)


# ---------- referrals ----------
def attribution():
    from distribution.referrals.attribution import Attribution
    from distribution.referrals.repository import referral_tree

    return Attribution(tree=referral_tree)


def invitations():
    from distribution.members import repository as members
    from distribution.referrals.invitations import Invitations
    from distribution.referrals.repository import referral_tree

    return Invitations(tree=referral_tree, members=members, logger=logger)


def member_lookup():
    from distribution.members import repository as members
    from distribution.referrals.member_lookup import MemberLookup
    from distribution.referrals.repository import fee_ledger, referral_tree

    return MemberLookup(tree=referral_tree, members=members, ledger=fee_ledger)


def agent_licences():
    from distribution.referrals.agent_licences import AgentLicences
    from distribution.referrals.repository import referral_tree

    return AgentLicences(tree=referral_tree, logger=logger)


def earnings():
    from distribution.promotions.repository import program_settings
    from distribution.referrals.earnings import Earnings
    from distribution.referrals.repository import fee_ledger

    return Earnings(ledger=fee_ledger, settings=program_settings.current)


def commission_rates():
    from distribution.referrals.commission_rates import CommissionRates
    from distribution.referrals.repository import commission_rates

    return CommissionRates(store=commission_rates, logger=logger)


def withdrawals():
    from distribution.promotions.repository import program_settings
    from distribution.referrals import payouts
    from distribution.referrals.repository import fee_ledger, withdrawals
    from distribution.referrals.withdrawals import Withdrawals

    return Withdrawals(
        store=withdrawals,
        ledger=fee_ledger,
        settings=program_settings.current,
        provider=payouts.provider,
        logger=logger,
    )


def promotion_fees():
    from distribution.promotions.repository import program_settings
    from distribution.referrals.promotion_fees import PromotionFees
    from distribution.referrals.repository import commission_rates, fee_ledger, referral_tree, sales

    return PromotionFees(
        ledger=fee_ledger,
        rates=commission_rates,
        settings=program_settings.current,
        licence_verified=referral_tree.licence_verified,
        attribution_of=sales.attribution_of,
        points=points_ledger,  # looked up now: a test may put its own in its place
        logger=logger,
    )
