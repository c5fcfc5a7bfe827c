"""The rooms of the code and the one-way arrows between them, read from the imports themselves.

    contracts   <- everything (standard library only: it ships inside each Lambda zip)
    functions   -> contracts (and their own pinned runtime dependencies)
    components  -> contracts
    policy      -> contracts
    tools       -> components, policy, contracts
    client      -> nothing of the project (its own package, installed on people's laptops)
    testkit     -> contracts, functions (test helpers shared by tests/ and bench/)

Only `components/stacks.py` and `__main__.py` may see the config models; every other component
takes plain Args.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from components.paths import PROJECT_DIR

ROOMS = ("contracts", "functions", "components", "policy", "tools", "client", "testkit")
ALLOWED = {
    "contracts": set(),
    "functions": {"contracts"},
    "components": {"contracts"},
    "policy": {"contracts"},
    "tools": {"components", "policy", "contracts"},
    "client": set(),
    "testkit": {"contracts", "functions"},
}


def _python_files(room: str) -> list[Path]:
    return [
        p for p in sorted((PROJECT_DIR / room).rglob("*.py")) if "tests" not in p.relative_to(PROJECT_DIR).parts[1:]
    ]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _project_rooms(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules} & set(ROOMS)


@pytest.mark.parametrize("room", ROOMS)
def test_each_room_imports_only_the_rooms_it_may(room):
    files = _python_files(room)
    assert files, f"{room}/ has no Python files"
    wrong = {
        str(path.relative_to(PROJECT_DIR)): sorted(_project_rooms(_imported_modules(path)) - ALLOWED[room] - {room})
        for path in files
    }
    assert {f: rooms for f, rooms in wrong.items() if rooms} == {}


def test_contracts_use_the_standard_library_only():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in _python_files("contracts"):
        outside = {m.split(".")[0] for m in _imported_modules(path)} - stdlib
        assert outside == set(), f"{path.name} imports {outside}: contracts ship inside the Lambda zips"


def test_only_the_stack_builder_sees_the_config_models():
    seeing = sorted(
        str(path.relative_to(PROJECT_DIR))
        for path in _python_files("components")
        if (
            "config" not in path.relative_to(PROJECT_DIR).parts[1:2]
            and any(m == "components.config" or m.startswith("components.config.") for m in _imported_modules(path))
        )
        or _relative_config_import(path)
    )
    assert seeing == ["components/stacks.py"]


def _relative_config_import(path: Path) -> bool:
    if path.parent.name == "config":
        return False
    tree = ast.parse(path.read_text(), str(path))
    return any(
        isinstance(node, ast.ImportFrom)
        and node.level == 1
        and (
            node.module == "config"
            or (node.module or "").startswith("config.")
            or (node.module is None and any(a.name == "config" for a in node.names))
        )
        for node in ast.walk(tree)
    )
