"""Daily sales report from the write-time counters (pure): totals by dimension and CSV."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from insuremall.money import fen_to_text
from reports.domain.regions import PROVINCES  # noqa: E402

DIMENSIONS = ("region", "insurer_id", "product_id", "channel")


def daily_report(day: str, counters: list[dict[str, Any]]) -> dict[str, Any]:
    rows = sorted(counters, key=lambda c: tuple(c[d] for d in DIMENSIONS))
    totals: dict[str, dict[str, dict[str, int]]] = {
        d: defaultdict(lambda: {"policies": 0, "premium_cents": 0}) for d in DIMENSIONS
    }
    for row in rows:
        for d in DIMENSIONS:
            totals[d][row[d]]["policies"] += row["policies"]
            totals[d][row[d]]["premium_cents"] += row["premium_cents"]
    return {
        "date": day,
        "policies": sum(r["policies"] for r in rows),
        "premium": fen_to_text(sum(r["premium_cents"] for r in rows)),
        "by": {
            d: {
                k: {"policies": v["policies"], "premium": fen_to_text(v["premium_cents"])}
                for k, v in sorted(totals[d].items())
            }
            for d in DIMENSIONS
        },
        "rows": [
            {
                **{d: r[d] for d in DIMENSIONS},
                "region_name": PROVINCES.get(r["region"], "Unknown"),
                "policies": r["policies"],
                "premium": fen_to_text(r["premium_cents"]),
            }
            for r in rows
        ],
    }


def to_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["date", "region", "region_name", "insurer_id", "product_id", "channel", "policies", "premium_cny"]
    )
    for r in report["rows"]:
        writer.writerow(
            [
                report["date"],
                r["region"],
                r["region_name"],
                r["insurer_id"],
                r["product_id"],
                r["channel"],
                r["policies"],
                r["premium"],
            ]
        )
    return out.getvalue()
