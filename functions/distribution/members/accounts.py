"""Signing up and signing in against the customer user pool. A sign-up makes the member's profile and
may bind the member to an inviter (the invite code is optional and never blocks the sign-up)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distribution.members.domain.member_details import parse_credentials, parse_sign_up_name
from insuremall import errors
from insuremall.privacy import mask_email


@dataclass(frozen=True)
class SignedUp:
    member: dict[str, Any]
    tokens: dict[str, Any]
    invitation: dict[str, Any] | None  # the binding's answer when an invite code came with it


@dataclass(frozen=True)
class Accounts:
    pool: Any  # members.cognito.UserPool: sign_up(email, password, name) -> member id; sign_in -> tokens
    members: Any  # members.repository: create_member
    # referrals' invitations.bind_at_sign_up(member_id, raw code) -> answer | None (given by wiring)
    bind_invitation: Callable[[str, Any], dict[str, Any] | None]
    logger: logging.Logger

    def sign_up(self, body: dict[str, Any]) -> SignedUp:
        email, password, problems = parse_credentials(body)
        errors.check(problems)
        name, problems = parse_sign_up_name(body, email)
        errors.check(problems)
        member = self.members.create_member(self.pool.sign_up(email, password, name), email, name)
        self.logger.info(
            "member signed up", extra={"member_id": member["member_id"], "email": mask_email(email)}
        )
        tokens = self.pool.sign_in(email, password)
        return SignedUp(member, tokens, self.bind_invitation(member["member_id"], body.get("invite_code")))

    def sign_in(self, body: dict[str, Any]) -> dict[str, Any]:
        email, password, problems = parse_credentials(body)
        errors.check(problems)
        return self.pool.sign_in(email, password)
