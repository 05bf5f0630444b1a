"""Automatic underwriting: accept, decline or refer one insured person for one product.

Every rule runs and every reason is kept, so the customer learns all problems at once.
Severity: decline beats refer beats accept. Rule codes are stable identifiers for reports and
for the manual-review queue; reasons are the customer-readable text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ACCEPT, REFER, DECLINE = "accept", "refer", "decline"
_SEVERITY = {ACCEPT: 0, REFER: 1, DECLINE: 2}


@dataclass(frozen=True)
class InsuredApplication:
    insured_key: str  # opaque stable key of the insured person (hash of the ID), never the raw ID
    age: int
    occupation_class: int | None
    sum_insured: int  # of this application, CNY
    health_answers: dict[str, bool]  # question code -> answered yes?


@dataclass(frozen=True)
class Decision:
    outcome: str  # "accept" | "decline" | "refer"
    reasons: tuple[str, ...] = ()  # customer-readable; empty for a clean accept
    rule_codes: tuple[str, ...] = ()  # e.g. "AGE_LIMIT", "HEALTH_DECLINE:hq_cancer"

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "reasons": list(self.reasons), "rule_codes": list(self.rule_codes)}


def underwrite(product: dict, application: InsuredApplication, existing_sum_insured: int) -> Decision:
    """Decide one insured person.

    existing_sum_insured is the sum insured of this person's active policies of the same product
    kind, computed by the caller; it counts towards product["max_sum_insured_per_person"].
    """
    findings: list[tuple[str, str, str]] = []  # (outcome, rule code, reason)

    limits = product.get("age_limits") or {}
    age_min, age_max = limits.get("min", 0), limits.get("max", 200)
    if not age_min <= application.age <= age_max:
        findings.append(
            (DECLINE, "AGE_LIMIT", f"Age {application.age} is outside the accepted ages {age_min}-{age_max}.")
        )

    limit = product.get("max_sum_insured_per_person")
    if limit is not None:
        combined = int(existing_sum_insured) + int(application.sum_insured)
        if combined > int(limit):
            reason = (
                f"Total sum insured for this person would be CNY {combined:,}, "
                f"above the limit of CNY {int(limit):,} for this kind of cover."
            )
            findings.append((DECLINE, "SUM_INSURED_LIMIT", reason))

    classes = product.get("occupation_classes")
    if classes:
        highest = int(classes["max"])
        if application.occupation_class is None:
            findings.append(
                (REFER, "OCCUPATION_MISSING", "Occupation class is missing and needs a manual check.")
            )
        elif application.occupation_class > highest:
            reason = (
                f"Occupation class {application.occupation_class} is not insurable under this product "
                f"(classes 1-{highest} only)."
            )
            findings.append((DECLINE, "OCCUPATION_CLASS", reason))

    for question in product.get("health_questions") or ():
        code = question["code"]
        answer = application.health_answers.get(code)
        if not isinstance(answer, bool):
            # A missing answer is an upstream input error; never let it through as a clean accept.
            findings.append((REFER, f"HEALTH_MISSING:{code}", f"No answer to: {question['text']}"))
        elif answer:
            on_yes = question.get("on_yes")
            if on_yes == DECLINE:
                reason = f"We cannot offer this cover after a yes to: {question['text']}"
                findings.append((DECLINE, f"HEALTH_DECLINE:{code}", reason))
            elif on_yes == REFER:
                reason = f"A yes to this question needs a manual review: {question['text']}"
                findings.append((REFER, f"HEALTH_REFER:{code}", reason))

    if not findings:
        return Decision(ACCEPT)
    outcome = max((f[0] for f in findings), key=_SEVERITY.__getitem__)
    return Decision(outcome, tuple(f[2] for f in findings), tuple(f[1] for f in findings))


def combine(decisions: Iterable[Decision]) -> Decision:
    """One decision for a policy covering several insured persons: worst outcome, all reasons."""
    decisions = list(decisions)
    if not decisions:
        raise ValueError("combine needs at least one decision")
    outcome = max((d.outcome for d in decisions), key=_SEVERITY.__getitem__)
    reasons = tuple(dict.fromkeys(r for d in decisions for r in d.reasons))
    rule_codes = tuple(dict.fromkeys(c for d in decisions for c in d.rule_codes))
    return Decision(outcome, reasons, rule_codes)
