"""Fires the template's schedule events locally (moto fires none): a thread that wakes each
minute, and `fire(name)` to run one now. AWS cron and rate expressions, evaluated in UTC."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from local.lambda_runtime import LambdaRuntime
from local.template import Schedule


def _field_matches(spec: str, value: int, low: int) -> bool:
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, 10_000
        elif "-" in part:
            start, end = (int(x) for x in part.split("-"))
        else:
            start = end = int(part)
            if step != 1:
                end = 10_000
        if start <= value <= end and (value - start) % step == 0:
            return True
    return False


def _day_of_month_matches(spec: str, at: datetime) -> bool:
    if spec == "L":  # the month's last day
        return (at + timedelta(days=1)).month != at.month
    return _field_matches(spec, at.day, 1)


def cron_matches(expression: str, at: datetime) -> bool:
    """AWS cron: minutes hours day-of-month (or L) month day-of-week(1=SUN..7=SAT) year."""
    fields = re.fullmatch(r"cron\((.+)\)", expression.strip()).group(1).split()
    minute, hour, dom, month, dow, year = fields
    aws_dow = (at.isoweekday() % 7) + 1  # Monday=2 ... Sunday=1
    return (
        _field_matches(minute, at.minute, 0)
        and _field_matches(hour, at.hour, 0)
        and _day_of_month_matches(dom, at)
        and _field_matches(month, at.month, 1)
        and _field_matches(dow, aws_dow, 1)
        and _field_matches(year, at.year, 1970)
    )


def rate_seconds(expression: str) -> int:
    amount, unit = re.fullmatch(r"rate\((\d+)\s+(\w+)\)", expression.strip()).groups()
    return (
        int(amount)
        * {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[unit]
    )


class Scheduler:
    def __init__(self, schedules: list[Schedule], runtime: LambdaRuntime, function_arn) -> None:
        self.schedules = {s.name: s for s in schedules}
        self.runtime = runtime
        self.function_arn = function_arn
        self.history: list[dict[str, Any]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = datetime.now(UTC)

    def fire(self, name: str, day: str | None = None) -> dict[str, Any]:
        """Fire a schedule now; `day` (YYYY-MM-DD) re-runs the jobs that take a day for that day."""
        if name not in self.schedules:
            raise KeyError(f"no schedule {name!r}; the template has {sorted(self.schedules)}")
        schedule = self.schedules[name]
        # EventBridge delivers the rule's constant Input as the event.
        event = dict(schedule.input)
        if day:
            event["date"] = date.fromisoformat(day).isoformat()  # ValueError -> 400
        result, error = self.runtime.invoke(self.function_arn(schedule.function), event)
        record = {
            "schedule": name,
            "function": schedule.function,
            "at": datetime.now(UTC).isoformat(),
            "result": result,
            "error": error,
        }
        self.history.append(record)
        return record

    def due(self, at: datetime) -> list[str]:
        names = []
        for schedule in self.schedules.values():
            expression = schedule.expression
            if expression.startswith("cron("):
                if cron_matches(expression, at):
                    names.append(schedule.name)
            elif expression.startswith("rate("):
                elapsed = int((at - self._started).total_seconds())
                if elapsed > 0 and elapsed % rate_seconds(expression) < 60:
                    names.append(schedule.name)
        return names

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        minute = datetime.now(UTC).replace(second=0, microsecond=0)
        while not self._stop.is_set():
            minute += timedelta(minutes=1)
            wait = (minute - datetime.now(UTC)).total_seconds()
            if wait > 0 and self._stop.wait(wait):
                return
            for name in self.due(minute):
                threading.Thread(target=self.fire, args=(name,), daemon=True).start()
