"""The OpenAPI contract's enums name exactly what the code can emit (each value set is the one the code
checks its writes against), so a new kind in the code without the contract fails here."""

from __future__ import annotations

from functools import cache

import yaml

from local.template import TEMPLATE_PATH


@cache
def contract() -> dict:
    return yaml.safe_load(TEMPLATE_PATH.parent.joinpath("openapi.yaml").read_text())


def schema(name: str) -> dict:
    return contract()["components"]["schemas"][name]


def enums_named(field: str) -> list[list]:
    """Every enum given to a property or parameter called `field`, anywhere in the contract."""
    found: list[list] = []

    def walk(node, key=None):
        if isinstance(node, dict):
            if key == field and "enum" in node:
                found.append(node["enum"])
            if node.get("name") == field and "enum" in (node.get("schema") or {}):
                found.append(node["schema"]["enum"])
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(contract())
    return found


def test_the_commission_entry_kinds_are_exactly_the_ledger_kinds():
    from distribution.referrals.repository import fee_ledger as ledger

    entry = schema("CommissionEntry")["properties"]
    assert entry["kind"]["enum"] == list(ledger.KINDS)
    assert entry["balance"]["enum"] == list(ledger.BALANCES)


def test_given_a_kind_the_ledger_does_not_know_then_no_entry_can_be_made():
    import pytest

    from distribution.referrals.repository import fee_ledger as ledger

    with pytest.raises(ValueError, match="not a ledger entry kind"):
        ledger.Entry("W1", "release_reserve", 0, "reserved")


def test_every_product_kind_enum_is_the_catalog_kinds():
    from catalog.domain import product_rules

    kinds = [e for e in enums_named("kind") if "accident" in e]
    assert len(kinds) >= 3
    assert all(e == list(product_rules.KINDS) for e in kinds), kinds


def test_the_cancellation_rules_and_withdrawal_statuses_are_the_code_s():
    from distribution.referrals.domain import withdrawals as withdrawal
    from policy.domain import cancellation

    assert schema("CancellationQuote")["properties"]["rule"]["enum"] == list(cancellation.QUOTE_RULES)
    statuses = [e for e in enums_named("status") if "approved" in e]
    assert statuses and all(e == list(withdrawal.STATUSES) for e in statuses)


def test_the_audit_filter_pattern_names_exactly_the_audited_entity_kinds():
    import re

    from insuremall import audit

    (parameter,) = [
        p for p in contract()["paths"]["/admin/audit"]["get"]["parameters"] if p["name"] == "entity"
    ]
    kinds = re.match(r"^\^\(([^)]*)\)", parameter["schema"]["pattern"]).group(1).split("|")
    assert kinds == list(audit.ENTITY_KINDS)
    for kind, example in audit.ENTITY_KINDS.items():
        assert re.match(parameter["schema"]["pattern"], f"{kind}:{example}")


def test_the_renewal_statuses_are_the_offer_statuses():
    from policy.domain import renewal

    statuses = [e for e in enums_named("status") if "not_renewable" in e]
    assert statuses and all(e == list(renewal.STATUSES) for e in statuses)


def test_every_cancellation_rule_enum_is_the_quote_rules():
    from policy.domain import cancellation

    rules = [e for e in enums_named("rule") + enums_named("refund_rule") if "not_started" in e]
    assert len(rules) >= 3 and all(e == list(cancellation.QUOTE_RULES) for e in rules), rules
