"""Unit tests are domain rules and use cases over in-memory fakes: they never start the embedded AWS.

Run alone (`make unit`), the session fails if any of them imported moto, so a slow, AWS-backed test
cannot slip in here; in the full suite the integration tests import it legitimately.
"""

from __future__ import annotations

import sys

import pytest


def pytest_sessionfinish(session, exitstatus):
    only_unit = all("tests/unit" in str(path) for path in session.config.args)
    if only_unit and "moto" in sys.modules:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nerror: a unit test imported moto (AWS-backed tests: tests/integration)", file=sys.stderr)
