"""Run the benchmarks: `python -m bench` (all) or `python -m bench cold_start rating` (some).

Each benchmark runs in its own Python process (`python -m bench.<name>`): the platform benchmarks
start moto and the local platform, whose process-wide state (botocore handlers, cached clients and
settings) must not leak from one benchmark into the next, and a crash or hang stays contained.

Afterwards the figures go to bench/results/latest.json and bench/results/latest.md. A run of some
benchmarks replaces only their entries there; each entry records when and on what it ran.
Exit status: 0 when every benchmark ran (whatever PASS/MISS says), 1 when one crashed or timed out.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import ROOT
from bench._common import RESULTS_DIR, Table, print_table

BENCHMARKS = {
    "cold_start": "fresh-process import time of every handler vs import boto3",
    "rating": "rating engine quotes per second, in-process",
    "purchase": "end-to-end purchase latency through the local platform",
    "cost": "AWS requests and USD per policy sold",
    "policy_document": "time to render one policy PDF, in-process",
    "renewals": "renewal job time and DynamoDB requests at 1k and 10k policies, 1% due",
    "member_dashboard": "fee dashboard and ledger page: latency and DynamoDB requests, 100 vs 10k entries",
    "statistics": "sales statistics for 31 days with 1k vs 1M policies in history; monthly export of 100k",
    "scale_model": "write path at 10,000 policies/s: most writes/s on one item and one partition key",
}
TIMEOUT_S = 600


def _git_head() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()}


def run_one(name: str) -> dict[str, Any]:
    print(f"\n{'=' * 100}\n== {name}: {BENCHMARKS[name]}\n{'=' * 100}", flush=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    entry: dict[str, Any] = {
        "ran_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_head": _git_head(),
        "machine": _machine(),
        "load_average_1min_before": load,
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.json"
        try:
            done = subprocess.run(  # noqa: S603 - this interpreter running our own module
                [sys.executable, "-m", f"bench.{name}", "--json", str(out)],
                cwd=ROOT,
                timeout=TIMEOUT_S,
                check=False,
            )
            status = "ok" if done.returncode == 0 and out.exists() else f"crashed (exit {done.returncode})"
        except subprocess.TimeoutExpired:
            status = f"timed out after {TIMEOUT_S} s"
        if status == "ok":
            entry.update(json.loads(out.read_text()))
    entry["status"] = status
    entry.setdefault("elapsed_s", round(time.monotonic() - started, 1))
    return entry


def render_markdown(results: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench` (bench/__main__.py); updated {results['updated_at']}. "
        "Each benchmark's own run is stated below; PASS/MISS is against the target in the same row.",
        "",
        "| Benchmark | Figure | Value | Target | Result |",
        "|---|---|---|---|---|",
    ]
    for name, entry in results["benchmarks"].items():
        if entry.get("status") != "ok":
            lines.append(f"| {name} | - | - | - | {entry.get('status')} |")
            continue
        for m in entry["metrics"]:
            lines.append(f"| {name} | {m['name']} | {_md_value(m)} | {_md_target(m)} | {m['result']} |")
    for name, entry in results["benchmarks"].items():
        lines += ["", f"## {name}: {entry.get('title', BENCHMARKS.get(name, ''))}", ""]
        machine = entry.get("machine", {})
        load = entry.get("load_average_1min_before")
        load_text = "unknown" if load is None else f"{load:.2f}"
        lines.append(
            f"Ran {entry.get('ran_at')} at commit `{entry.get('git_head')}`, Python {machine.get('python')}, "
            f"{machine.get('cpus')} CPUs, 1-min load average before {load_text}, "
            f"{entry.get('elapsed_s')} s; status {entry.get('status')}."
        )
        for table in entry.get("tables", []):
            lines += [
                "",
                f"**{table['title']}**",
                "",
                "| " + " | ".join(table["columns"]) + " |",
                "|" + "---|" * len(table["columns"]),
            ]
            lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in table["rows"]]
            if table.get("note"):
                lines += ["", f"_{table['note']}_"]
        for note in entry.get("notes", []):
            lines += ["", f"Note: {note}"]
    return "\n".join(lines) + "\n"


def _md_cell(value: Any) -> str:
    from bench._common import _text

    return _text(value).replace("|", "\\|").strip() or " "


def _md_value(m: dict[str, Any]) -> str:
    from bench._common import Metric

    return Metric(
        **{k: m[k] for k in ("name", "value", "unit", "target", "comparison", "digits")}
    ).value_text()


def _md_target(m: dict[str, Any]) -> str:
    from bench._common import Metric

    return Metric(
        **{k: m[k] for k in ("name", "value", "unit", "target", "comparison", "digits")}
    ).target_text()


def save(entries: dict[str, dict[str, Any]]) -> None:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    latest = RESULTS_DIR / "latest.json"
    results: dict[str, Any] = {"benchmarks": {}}
    if latest.exists():
        try:
            results = json.loads(latest.read_text())
        except ValueError:
            print(f"warning: {latest} is not valid JSON; starting it afresh", file=sys.stderr)
    results["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    merged = {**results.get("benchmarks", {}), **entries}
    results["benchmarks"] = {name: merged[name] for name in [*BENCHMARKS, *merged] if name in merged}
    latest.write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS_DIR / "latest.md").write_text(render_markdown(results))
    print(f"\nwrote {latest.relative_to(ROOT)} and {(RESULTS_DIR / 'latest.md').relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument("--no-save", action="store_true", help="do not update bench/results/latest.*")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, what in BENCHMARKS.items():
            print(f"{name:12} {what}")
        return 0
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    names = list(dict.fromkeys(args.names)) or list(BENCHMARKS)

    started = time.monotonic()
    entries = {name: run_one(name) for name in names}
    rows = []
    for name, entry in entries.items():
        if entry["status"] != "ok":
            rows.append([name, "-", "-", "-", entry["status"].upper()])
        for m in entry.get("metrics", []):
            if m["target"] is not None:
                rows.append([name, m["name"], _md_value(m), _md_target(m), m["result"]])
    print(f"\n{'=' * 100}")
    print_table(
        Table(
            f"Summary ({time.monotonic() - started:.0f} s)",
            ["Benchmark", "Figure", "Value", "Target", "Result"],
            rows,
        )
    )
    if not args.no_save:
        save(entries)
    failed = [n for n, e in entries.items() if e["status"] != "ok"]
    if failed:
        print(f"\nbenchmarks that did not finish: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
