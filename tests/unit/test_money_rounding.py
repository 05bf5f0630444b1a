"""Money rounds half-up to the fen (docs/decisions.md, "Money and rating"): the two places that did not,
on amounts ending in exactly half a fen, and a scan of functions/ and layers/ that finds any new one.

The scan (AST, every .py file) refuses what rounds money another way or loses it to binary floating
point: float(...), round(...) (half-even), arithmetic with a float literal, ROUND_HALF_EVEN /
ROUND_HALF_DOWN, quantize / to_integral without rounding=ROUND_HALF_UP (Decimal's default is
half-even), and a format precision such as :.2f (Decimal formats half-even, floats are binary).
ALLOWED names what is legitimately not money, with the reason."""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("functions", "layers")
ROUNDING_CALLS = {"quantize", "to_integral", "to_integral_value", "to_integral_exact"}
PRECISION = re.compile(r"\.\d+[eEfFgG%]")

# (file, enclosing function, rule) -> why it is not money.
ALLOWED = {
    (
        "functions/distribution/promotions/domain/points_arithmetic.py",
        "purchase_points",
        "rounding=ROUND_FLOOR",
    ): ("points, not money: a purchase earns whole points, rounded down by the programme's rule"),
    **{
        ("functions/distribution/promotions/repository/points_ledger.py", function, "float arithmetic"): (
            "the jittered retry back-off in seconds, not money"
        )
        for function in ("_write", "debit", "reverse_purchase")
    },
    **{
        ("functions/policy/domain/policy_document.py", function, "float arithmetic"): (
            "the PDF's layout in points and millimetres (font sizes, leading, spacing), not money"
        )
        for function in ("style", "render")
    },
    ("functions/reports/workbook.py", "_money_cell", "float()"): (
        "Excel stores every number as a double: the API's exact decimal text is converted once, for the cell"
    ),
    **{
        ("layers/common/python/insuremall/event_stream.py", "_plain", rule): (
            "DynamoDB's Decimal back to a JSON number; money in events is integer fen, kept exact"
        )
        for rule in ("float()", "rounding=default (half-even)")
    },
}


def violations(source: str, filename: str) -> list[tuple[str, str, int]]:
    """(enclosing function, rule, line) of every way `source` may round money other than half-up."""
    found: list[tuple[str, str, int]] = []

    class Scan(ast.NodeVisitor):
        def __init__(self):
            self.scope = ["<module>"]

        def _function(self, node):
            self.scope.append(node.name)
            self.generic_visit(node)
            self.scope.pop()

        visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815 - ast.NodeVisitor's names

        def flag(self, rule: str, node: ast.AST) -> None:
            found.append((self.scope[-1], rule, node.lineno))

        def visit_Call(self, node: ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in ("float", "round"):
                self.flag(f"{node.func.id}()", node)
            if isinstance(node.func, ast.Attribute) and node.func.attr in ROUNDING_CALLS:
                rounding = next((k.value for k in node.keywords if k.arg == "rounding"), None)
                name = getattr(rounding, "id", getattr(rounding, "attr", None))
                if name != "ROUND_HALF_UP":
                    self.flag(f"rounding={name or 'default (half-even)'}", node)
            if isinstance(node.func, ast.Name) and node.func.id == "format" and len(node.args) > 1:
                spec = node.args[1]
                if isinstance(spec, ast.Constant) and PRECISION.search(str(spec.value)):
                    self.flag("format precision", node)
            self.generic_visit(node)

        def visit_BinOp(self, node: ast.BinOp):
            if any(
                isinstance(side, ast.Constant) and isinstance(side.value, float)
                for side in (node.left, node.right)
            ):
                self.flag("float arithmetic", node)
            self.generic_visit(node)

        def visit_Name(self, node: ast.Name):
            if node.id in ("ROUND_HALF_EVEN", "ROUND_HALF_DOWN"):
                self.flag(node.id, node)

        def visit_Attribute(self, node: ast.Attribute):
            if node.attr in ("ROUND_HALF_EVEN", "ROUND_HALF_DOWN"):
                self.flag(node.attr, node)
            self.generic_visit(node)

        def visit_alias(self, node: ast.alias):
            if node.name in ("ROUND_HALF_EVEN", "ROUND_HALF_DOWN"):
                found.append((self.scope[-1], node.name, 0))

        def visit_FormattedValue(self, node: ast.FormattedValue):
            spec = node.format_spec
            text = "".join(str(v.value) for v in getattr(spec, "values", []) if isinstance(v, ast.Constant))
            if PRECISION.search(text):
                self.flag("format precision", node)
            self.generic_visit(node)

    Scan().visit(ast.parse(source, filename))
    return found


def _scanned_files() -> list[Path]:
    return sorted(p for root in SCANNED for p in (ROOT / root).rglob("*.py") if "__pycache__" not in p.parts)


def test_given_functions_and_layers_then_no_money_is_rounded_other_than_half_up_or_through_a_float():
    problems, used = [], set()
    for path in _scanned_files():
        relative = path.relative_to(ROOT).as_posix()
        for function, rule, line in violations(path.read_text(), relative):
            key = (relative, function, rule)
            if key in ALLOWED:
                used.add(key)
            else:
                problems.append(f"{relative}:{line} in {function}: {rule}")
    assert not problems, "round money with insuremall.money (half-up to the fen):\n" + "\n".join(problems)
    assert used == set(ALLOWED), f"allow-list entries that no longer match anything: {set(ALLOWED) - used}"


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("def f(x):\n    return float(x)", "float()"),
        ("def f(x):\n    return round(x, 2)", "round()"),
        ("def f(x):\n    return x * 1.1", "float arithmetic"),
        ("from decimal import ROUND_HALF_EVEN", "ROUND_HALF_EVEN"),
        ("def f(x):\n    return x.quantize(CENT, rounding=decimal.ROUND_HALF_EVEN)", "ROUND_HALF_EVEN"),
        ("def f(x):\n    return x.quantize(CENT)", "rounding=default (half-even)"),
        ("def f(x):\n    return x.to_integral_value()", "rounding=default (half-even)"),
        ("def f(x):\n    return f'{x:,.2f}'", "format precision"),
        ("def f(x):\n    return format(x, '.2f')", "format precision"),
    ],
)
def test_given_code_that_rounds_money_another_way_then_the_scan_finds_it(snippet, rule):
    assert rule in {r for _, r, _ in violations(snippet, "snippet.py")}


def test_given_half_up_rounding_then_the_scan_lets_it_pass():
    snippet = (
        "def f(x):\n    return f'{x.quantize(CENT, rounding=ROUND_HALF_UP):,f}' + format(x, 'f')\n"
        "def g(cents):\n    return cents // 100, isinstance(cents, float)"
    )
    assert violations(snippet, "snippet.py") == []


# ----- the two places the issue found --------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "printed"),
    [
        ("1.005", "CNY 1.01"),  # float("1.005") is 1.00499999...: printed 1.00 before
        (Decimal("2.675"), "CNY 2.68"),  # float: 2.67499999...
        ("1234567.125", "CNY 1,234,567.13"),  # half a fen, even neighbour below: half-even gave .12
        (1_000_000, "CNY 1,000,000.00"),
        ("169.00", "CNY 169.00"),
    ],
)
def test_given_an_amount_ending_in_half_a_fen_when_printed_on_the_policy_then_half_up(amount, printed):
    from policy.domain.policy_document import _money

    assert _money(amount) == printed


@pytest.mark.parametrize(
    ("months", "premium", "yearly"),
    [
        (8, "10.03", "15.05"),  # 15.045 exactly: half-even gave 15.04
        (8, "10.01", "15.02"),  # 15.015
        (6, "49.00", "98.00"),
        (24, "0.05", "0.03"),  # 0.025: half-even gave 0.02
    ],
)
def test_given_a_term_in_months_when_its_yearly_cost_ends_in_half_a_fen_then_half_up(months, premium, yearly):
    from catalog.domain.starting_price import yearly_cost

    assert yearly_cost({"months": months}, Decimal(premium)) == Decimal(yearly)
