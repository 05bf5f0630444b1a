"""Each of tests/integration and tests/e2e starts its own embedded AWS, which is process-wide, so the
two run in separate pytest processes (`make test` does that)."""

from __future__ import annotations

import pytest

SEPARATE = (
    "tests/integration and tests/e2e each start an embedded AWS: run them in separate pytest processes: "
    "`pytest tests/unit tests/integration`, then `pytest tests/e2e` (make test does)"
)


def pytest_collection_modifyitems(config, items):
    if {"integration", "e2e"} <= {item.path.parent.name for item in items}:
        raise pytest.UsageError(SEPARATE)
