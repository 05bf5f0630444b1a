"""Cold start: the wall time of a fresh Python process that imports each function's handler.

For each function of infra/template.yaml as deployed to prod, a new `python` (this venv) imports
the handler's module and resolves the handler attribute, with PYTHONPATH as Lambda has it
(functions + the common layer) and the function's template environment (resolved to the local
placeholder names, so nothing points at real AWS). `python -c "import boto3"` in the same
environment is the baseline every Python Lambda that talks to AWS pays; `python -c pass` is the
floor (interpreter start-up alone).

Runs are interleaved - floor, boto3, f1, boto3, f2, ... - and repeated REPEATS times, so machine
noise spreads over all figures alike; each figure is a median. One unmeasured round first writes
the .pyc files and warms the page cache (Lambda's own cold start also loads from a warm-ish disk).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench import PYTHONPATH, ROOT
from bench._common import Metric, Report, main, median

REPEATS = 9
TARGET_RATIO = 1.5
TIMEOUT_S = 60
PYTHON = sys.executable
BASELINE = "import boto3"
FLOOR = "pass"


def _base_env() -> dict[str, str]:
    """A clean environment: only what the interpreter needs, so this shell's variables don't matter."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if k in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(str(ROOT / p) for p in PYTHONPATH)
    env["AWS_REGION"] = "us-east-1"
    return env


def _functions() -> list[tuple[str, str, dict[str, str]]]:
    """(logical id, handler, environment) of every function a production stack has, in template order.
    The sandbox payment function is not one of them (it also reads SSM at start, which needs AWS)."""
    from local.embedded_aws import LOCAL_PARAMETERS
    from local.template import Template

    specs = Template({**LOCAL_PARAMETERS, "Stage": "prod"}).functions()
    return [(name, spec.handler, spec.environment) for name, spec in specs.items()]


def _import_code(handler: str) -> str:
    module, _, attribute = handler.rpartition(".")
    return f"from {module} import {attribute}"  # an import statement, so -X importtime lists the module too


def _time_process(code: str, env: dict[str, str], flags: tuple[str, ...] = ()) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [PYTHON, *flags, "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`python -c {code!r}` exited {done.returncode}:\n{done.stderr[-2000:]}")
    return elapsed, done.stderr


def import_times(code: str, env: dict[str, str]) -> list[tuple[str, int, float, float]]:
    """(module, depth, cumulative ms, self ms) of every import, from one run with -X importtime."""
    _, stderr = _time_process(code, env, ("-X", "importtime"))
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "[us]" in line:
            continue
        self_us, cumulative_us, name = line.removeprefix("import time:").split("|", 2)
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((name.strip(), depth, int(cumulative_us) / 1000, int(self_us) / 1000))
    return rows


def self_time_by_package(imports: list[tuple[str, int, float, float]]) -> list[tuple[str, float, int]]:
    """(top-level package, self ms summed over its modules, module count), largest first."""
    totals: dict[str, list[float]] = {}
    for name, _, _, own in imports:
        entry = totals.setdefault(name.split(".", 1)[0], [0.0, 0])
        entry[0] += own
        entry[1] += 1
    return sorted(((k, v[0], int(v[1])) for k, v in totals.items()), key=lambda r: r[1], reverse=True)


def run() -> Report:
    report = Report("cold_start", "Cold start (fresh process importing each handler)")
    base = _base_env()
    functions = [(name, handler, {**base, **env}) for name, handler, env in _functions()]
    print(
        f"{len(functions)} functions; {REPEATS} interleaved rounds of floor, boto3, f1, boto3, f2, ...",
        flush=True,
    )

    # Warm-up round (not measured): writes .pyc files, warms the page cache.
    _time_process(FLOOR, base)
    _time_process(BASELINE, base)
    for _, handler, env in functions:
        _time_process(_import_code(handler), env)

    floor: list[float] = []
    boto3: list[float] = []
    samples: dict[str, list[float]] = {name: [] for name, _, _ in functions}
    for round_no in range(REPEATS):
        floor.append(_time_process(FLOOR, base)[0])
        for name, handler, env in functions:
            boto3.append(_time_process(BASELINE, base)[0])
            samples[name].append(_time_process(_import_code(handler), env)[0])
        print(f"  round {round_no + 1}/{REPEATS} done", flush=True)

    floor_ms, boto3_ms = median(floor) * 1000, median(boto3) * 1000
    rows, worst = [], ("", 0.0)
    for name, handler, _ in functions:
        ms = median(samples[name]) * 1000
        ratio = ms / boto3_ms
        above_floor = (ms - floor_ms) / (boto3_ms - floor_ms)
        rows.append(
            [
                name,
                handler,
                round(ms, 1),
                round(ratio, 2),
                round(above_floor, 2),
                "PASS" if ratio <= TARGET_RATIO else "MISS",
            ]
        )
        worst = max(worst, (name, ratio), key=lambda w: w[1])
    report.table(
        "Median wall time of a fresh process, per function",
        ["Function", "Handler", "Median ms", "x boto3", "(f-floor)/(boto3-floor)", f"<= {TARGET_RATIO}x"],
        rows,
        note=f"python -c pass (floor) median {floor_ms:.1f} ms over {len(floor)} runs; "
        f"python -c 'import boto3' median {boto3_ms:.1f} ms over {len(boto3)} runs",
    )

    slowest = max(functions, key=lambda f: median(samples[f[0]]))
    imports = import_times(_import_code(slowest[1]), slowest[2])
    report.table(
        f"Top 5 cumulative imports of the slowest function, {slowest[0]} ({slowest[1]}), -X importtime",
        ["Module", "Depth", "Cumulative ms", "Self ms"],
        [
            [name, depth, round(cum, 1), round(own, 1)]
            for name, depth, cum, own in sorted(imports, key=lambda r: r[2], reverse=True)[:5]
        ],
        note="one extra run with -X importtime, which adds its own overhead; depth 0 = imported by the -c "
        "statement, each level below is imported by the row above it",
    )
    report.table(
        f"Where that time goes: self time by top-level package, {slowest[0]} (top 8)",
        ["Package", "Self ms", "Modules"],
        [[name, round(own, 1), n] for name, own, n in self_time_by_package(imports)[:8]],
        note="self time = the module's own top-level code, without what it imports; summed per package",
    )

    report.metrics += [
        Metric("Slowest function vs import boto3", round(worst[1], 2), "x", TARGET_RATIO, digits=2),
        Metric("Slowest function", round(max(median(s) for s in samples.values()) * 1000, 1), "ms", digits=1),
        Metric("import boto3 (baseline)", round(boto3_ms, 1), "ms", digits=1),
        Metric("python -c pass (floor)", round(floor_ms, 1), "ms", digits=1),
    ]
    report.note(f"the slowest function is {worst[0]}; each function's own PASS/MISS is in the table above")
    return report


if __name__ == "__main__":
    sys.exit(main("cold_start", run))
