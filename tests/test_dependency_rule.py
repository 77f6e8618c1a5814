"""The dependency rule, read from the code's imports (docs/architecture.md, "Packages and the
dependency rule"): no feature package imports another; the kernel imports feature packages
only while create_app() wires them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "pos_app"
FEATURES = ("kds", "printers", "table_service")
WIRING = ROOT / KERNEL / "__init__.py"  # create_app() and the helpers it calls


def imported_packages(tree: ast.AST) -> list[tuple[str, int, str | None]]:
    """(top-level package, line, enclosing function) of each import in the module."""
    found = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((a.name.split(".")[0], child.lineno, function) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], child.lineno, function))
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
            else:
                visit(child, function)

    visit(tree, None)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def wiring_functions() -> set[str]:
    """create_app() and the module's functions it calls (its _init_* steps)."""
    tree = ast.parse(WIRING.read_text(encoding="utf-8"))
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {
        c.func.id
        for c in ast.walk(defined["create_app"])
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
    }
    return {"create_app"} | (calls & defined.keys())


def test_no_feature_package_imports_another():
    crossing = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        for feature in FEATURES
        for path in modules(feature)
        for package, line, _function in imported_packages(ast.parse(path.read_text("utf-8")))
        if package in FEATURES and package != feature
    ]
    assert crossing == []


def test_the_kernel_imports_feature_packages_only_while_create_app_wires_them():
    allowed = wiring_functions()
    outside = [
        f"{path.relative_to(ROOT)}:{line} imports {package}"
        + (f" in {function}()" if function else " at module level")
        for path in modules(KERNEL)
        for package, line, function in imported_packages(ast.parse(path.read_text("utf-8")))
        if package in FEATURES and not (path == WIRING and function in allowed)
    ]
    assert outside == []
    wired = {
        package
        for package, _line, function in imported_packages(ast.parse(WIRING.read_text("utf-8")))
        if function in allowed
    }
    assert set(FEATURES) <= wired  # the rule is read from real imports, not an empty scan


def test_the_rule_sees_imports_inside_functions_and_in_every_form():
    source = (
        "import kds.models\n"
        "from printers import queue\n"
        "def helper():\n"
        "    from table_service.models import DiningTable\n"
        "    import pos_app\n"
    )
    assert imported_packages(ast.parse(source)) == [
        ("kds", 1, None),
        ("printers", 2, None),
        ("table_service", 4, "helper"),
        ("pos_app", 5, "helper"),
    ]
