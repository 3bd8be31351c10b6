"""The test suite's own shape: test files import helpers from tests/helpers/, never from each other."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(part for alias in node.names for part in alias.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(node.module.split("."))  # `from tests.test_x import ...` too
    return names


def test_no_test_file_imports_another_test_module_or_conftest():
    test_modules = {p.stem for p in TESTS.glob("test_*.py")} | {"conftest"}
    offenders = {
        p.name: sorted(imported_modules(p) & test_modules)
        for p in sorted(TESTS.rglob("*.py"))
        if imported_modules(p) & test_modules
    }
    assert not offenders, f"import these from tests/helpers/ instead: {offenders}"
