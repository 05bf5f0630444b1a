"""What each function ships (functions/Makefile) is what its handler imports, so a missing package fails
here and not first in AWS, and no function carries a capability it never loads.

The import graph is grimp's (the library under import-linter); the handlers come from the template, the
string targets ("module:function") of task and consumer tables count as imports. Third-party packages
must be in the common layer (requirements/runtime.txt) or the Lambda runtime (boto3, botocore).
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from pathlib import Path

import grimp
import pytest

from local.template import Template

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = ("catalog", "checkout", "policy", "distribution", "reports")
IN_THE_RUNTIME = {"boto3", "botocore"}
_TARGET = re.compile(r"^([a-z_]+(?:\.[a-z_]+)+):[a-z_]+$")


@cache
def _graph():
    for folder in (ROOT / "functions", ROOT / "layers/common/python"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return grimp.build_graph(*CAPABILITIES, "insuremall", include_external_packages=True, cache_dir=None)


def _shipped() -> dict[str, set[str]]:
    text = (ROOT / "functions/Makefile").read_text()
    return {
        name: set(packages.split())
        for name, packages in re.findall(r"^build-(\w+):\n\t\$\(call copy,([^)]*)\)", text, re.M)
    }


def _string_targets(module: str) -> set[str]:
    path = ROOT / "functions" / (module.replace(".", "/") + ".py")
    if not path.exists():
        return set()
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _TARGET.match(node.value):
            found.add(node.value.split(":")[0])
    return found


def _loaded(handler_module: str) -> set[str]:
    graph, seen, todo = _graph(), set(), [handler_module]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        upstream = graph.find_upstream_modules(module) if module in graph.modules else set()
        todo.extend(upstream | _string_targets(module))
        seen |= upstream
        for found in upstream:
            todo.extend(_string_targets(found) - seen)
    return seen


FUNCTIONS = {name: spec.handler.rsplit(".", 1)[0] for name, spec in Template({}).functions().items()}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_function_ships_exactly_the_capabilities_its_handler_imports(function):
    loaded = _loaded(FUNCTIONS[function])
    needed = {m.split(".")[0] for m in loaded} & set(CAPABILITIES)
    assert _shipped()[function] == needed


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_third_party_package_a_function_imports_is_in_the_layer(function):
    requirements = (ROOT / "requirements/runtime.txt").read_text()
    layer = {
        re.split(r"[\[=<> ]", line)[0].lower().replace("-", "_")
        for line in requirements.splitlines()
        if line.strip() and not line.startswith("#")
    }
    aliases = {"jwt": "pyjwt", "aws_lambda_powertools": "aws_lambda_powertools"}
    graph = _graph()
    external = {m for m in _loaded(FUNCTIONS[function]) if m in graph.modules and graph.is_module_squashed(m)}
    external -= set(sys.stdlib_module_names)
    missing = {m for m in external if aliases.get(m, m) not in layer and m not in IN_THE_RUNTIME}
    assert not missing, f"{function} imports {sorted(missing)}, which the common layer does not install"
