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
