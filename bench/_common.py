"""What every benchmark shares: figures with targets, plain-text tables, the result record and the
command line that runs one benchmark on its own (`python -m bench.<name> [--json PATH]`).

A benchmark's `run()` prints its tables as it goes and returns a `Report`. Missing a target is a
finding, not a failure: the process still exits 0. Only a crash (an exception) exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import ROOT

RESULTS_DIR = ROOT / "bench" / "results"
LOG_DIR = RESULTS_DIR / "logs"  # function logs of the platform benchmarks (git-ignored)


@dataclass
class Metric:
    """One headline figure. `target` None means informational (no PASS/MISS)."""

    name: str
    value: float
    unit: str
    target: float | None = None
    comparison: str = "<="  # value <= target, or ">=" for throughput-like figures
    digits: int = 2

    @property
    def result(self) -> str:
        if self.target is None:
            return "INFO"
        ok = self.value <= self.target if self.comparison == "<=" else self.value >= self.target
        return "PASS" if ok else "MISS"

    def value_text(self) -> str:
        return f"{_fmt(self.value, self.digits)} {self.unit}".strip()

    def target_text(self) -> str:
        if self.target is None:
            return "-"
        bound = "at most" if self.comparison == "<=" else "at least"
        return f"{bound} {_fmt(self.target, self.digits)} {self.unit}".strip()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "result": self.result}


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""


@dataclass
class Report:
    benchmark: str
    title: str
    metrics: list[Metric] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(
        self, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], note: str = ""
    ) -> Table:
        """Add a table to the report and print it."""
        table = Table(title, list(columns), [[_cell(c) for c in row] for row in rows], note)
        self.tables.append(table)
        print_table(table)
        return table

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}")

    def summary(self) -> None:
        """Print the headline figures with their targets."""
        rows = [[m.name, m.value_text(), m.target_text(), m.result] for m in self.metrics]
        print_table(Table(f"{self.title}: targets", ["Figure", "Value", "Target", "Result"], rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "title": self.title,
            "metrics": [m.to_dict() for m in self.metrics],
            "tables": [asdict(t) for t in self.tables],
            "notes": self.notes,
        }


def _fmt(value: float, digits: int) -> str:
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value):,}"
    if abs(value) != 0 and abs(value) < 10**-digits:
        return f"{value:.3g}"
    return f"{value:,.{digits}f}"


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 6)
    return value


def _text(value: Any) -> str:
    """Numbers as the benchmark rounded them: 538.5, 1.35, 0.000123 (no padding zeros)."""
    if isinstance(value, float):
        if value != 0 and abs(value) < 0.001:
            return f"{value:.3g}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def render_table(table: Table) -> str:
    cells = [[_text(c) for c in row] for row in table.rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(table.columns)]
    numeric = [
        bool(table.rows) and all(_is_number(row[i]) for row in table.rows) for i in range(len(table.columns))
    ]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        )

    out = [f"\n{table.title}", line(table.columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    if table.note:
        out.append(f"({table.note})")
    return "\n".join(out)


def _is_number(value: Any) -> bool:
    """A number, or a number already formatted as text ("0.0000280", "1,062"); blanks don't count against."""
    if isinstance(value, str):
        if value.strip() in ("", "-"):
            return True
        try:
            float(value.replace(",", ""))
        except ValueError:
            return False
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def print_table(table: Table) -> None:
    print(render_table(table), flush=True)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p90 of 20 samples is the 18th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def main(benchmark: str, run: Callable[[], Report], argv: list[str] | None = None) -> int:
    """Run one benchmark: print its tables and targets, optionally write its report as JSON."""
    parser = argparse.ArgumentParser(prog=f"python -m bench.{benchmark}")
    parser.add_argument("--json", type=Path, help="write the report to this file")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        report = run()
    except Exception:
        traceback.print_exc()
        print(f"\n{benchmark}: CRASHED (see the traceback above)", file=sys.stderr, flush=True)
        return 1
    report.summary()
    elapsed = time.monotonic() - started
    print(f"\n{benchmark}: finished in {elapsed:.1f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps({**report.to_dict(), "elapsed_s": round(elapsed, 1)}, indent=2))
    return 0
