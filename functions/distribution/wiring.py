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
    from distribution.routes import invitations

    return Accounts(
        pool=UserPool(), members=repository, bind_invitation=invitations.bind_at_sign_up, logger=logger
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
