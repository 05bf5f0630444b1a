"""The door contracts in .importlinter name every module of a capability but its api, so a module added
later is behind the door too (import-linter has no 'all but' expression)."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = ("catalog", "checkout", "policy", "distribution")


def _children(capability: str) -> set[str]:
    folder = ROOT / "functions" / capability
    names = {p.stem for p in folder.glob("*.py")} | {
        p.name for p in folder.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    return {f"{capability}.{name}" for name in names - {"__init__", "api"}}


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_module_but_the_api_is_behind_the_door(capability):
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    contract = config[f"importlinter:contract:{capability}-door"]
    forbidden = {line.strip() for line in contract["forbidden_modules"].splitlines() if line.strip()}
    assert forbidden == _children(capability)
    sources = {line.strip() for line in contract["source_modules"].splitlines() if line.strip()}
    assert sources == {c for c in (*CAPABILITIES, "reports") if c != capability}
