"""How long cover runs for a product's term (7 days, 12 months, 20 years, to age 60): pure."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from insuremall.clock import add_months


def cover_end(start: date, term: dict[str, Any], age: int) -> date:
    """Last day of cover, inclusive."""
    if "days" in term:
        return start + timedelta(days=int(term["days"]) - 1)
    if "months" in term:
        return add_months(start, int(term["months"])) - timedelta(days=1)
    if "years" in term:
        return add_months(start, 12 * int(term["years"])) - timedelta(days=1)
    to_age = re.fullmatch(r"TO(\d+)", term["code"])
    if to_age:
        return add_months(start, 12 * (int(to_age.group(1)) - age)) - timedelta(days=1)
    raise ValueError(f"term {term['code']!r} has no duration")
