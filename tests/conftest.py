"""Each of tests/integration and tests/e2e starts its own embedded AWS, which is process-wide, so the
two run in separate pytest processes (`make test` does that)."""
from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    folders = {item.path.parent.name for item in items}
    if {"integration", "e2e"} <= folders:
        raise pytest.UsageError(
            "tests/integration and tests/e2e each start an embedded AWS: run them in separate pytest "
            "processes, e.g. `pytest tests/unit tests/integration` then `pytest tests/e2e` (as `make test` does)")
