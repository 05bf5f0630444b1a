"""Typed settings read once from the environment the SAM template gives each function."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

PRODUCTION_STAGE = "prod"


class ConfigurationError(RuntimeError):
    """The function's configuration is missing or not allowed here: it must not start."""


@dataclass(frozen=True)
class Settings:
    region: str
    stage: str
    catalog_table: str
    checkout_table: str
    policy_table: str
    events_table: str
    members_table: str
    reports_table: str
    audit_table: str
    rewards_table: str
    documents_bucket: str
    reports_bucket: str
    lake_bucket: str  # the analysts' lake: events as daily partitioned files (reports lands them)
    user_pool_id: str
    user_pool_client_id: str
    operator_group: str
    purchase_state_machine_arn: str
    payment_provider: str
    payment_webhook_secret: str
    payment_webhook_url_parameter: str  # SSM parameter holding the sandbox provider's webhook URL
    payment_timeout_seconds: int
    quote_ttl_seconds: int
    renewal_window_days: int

    @property
    def is_production(self) -> bool:
        return self.stage == PRODUCTION_STAGE

    @property
    def jwks_url(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}/.well-known/jwks.json"

    @property
    def token_issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        region=_env("AWS_REGION", _env("AWS_DEFAULT_REGION", "us-east-1")),
        stage=_env("STAGE", "local"),
        catalog_table=_env("CATALOG_TABLE"),
        checkout_table=_env("CHECKOUT_TABLE"),
        policy_table=_env("POLICY_TABLE"),
        events_table=_env("EVENTS_TABLE"),
        members_table=_env("MEMBERS_TABLE"),
        reports_table=_env("REPORTS_TABLE"),
        audit_table=_env("AUDIT_TABLE"),
        rewards_table=_env("REWARDS_TABLE"),
        documents_bucket=_env("DOCUMENTS_BUCKET"),
        reports_bucket=_env("REPORTS_BUCKET"),
        lake_bucket=_env("LAKE_BUCKET"),
        user_pool_id=_env("USER_POOL_ID"),
        user_pool_client_id=_env("USER_POOL_CLIENT_ID"),
        operator_group=_env("OPERATOR_GROUP", "operators"),
        purchase_state_machine_arn=_env("PURCHASE_STATE_MACHINE_ARN"),
        payment_provider=_env("PAYMENT_PROVIDER", "sandbox"),
        payment_webhook_secret=_env("PAYMENT_WEBHOOK_SECRET"),
        payment_webhook_url_parameter=_env("PAYMENT_WEBHOOK_URL_PARAMETER"),
        payment_timeout_seconds=int(_env("PAYMENT_TIMEOUT_SECONDS", "900")),
        quote_ttl_seconds=int(_env("QUOTE_TTL_SECONDS", "1800")),
        renewal_window_days=int(_env("RENEWAL_WINDOW_DAYS", "30")),
    )
