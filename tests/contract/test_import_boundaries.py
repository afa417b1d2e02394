"""Services never import each other, domains stay pure, the common library stays mechanics-only."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT, SERVICES

IO_PACKAGES = {"flask", "flask_smorest", "sqlalchemy", "alembic", "pika", "psycopg", "boto3", "requests", "smtplib"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def python_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.py"))


def test_no_service_imports_another_service():
    for service in SERVICES:
        others = {f"scelle_{other}" for other in SERVICES if other != service}
        for path in python_files(ROOT / "services" / service):
            offending = {module for module in imported_modules(path) if module.split(".")[0] in others}
            assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_domain_packages_do_no_io():
    for service in SERVICES:
        for path in python_files(ROOT / "services" / service / "src" / f"scelle_{service}" / "domain"):
            offending = {module for module in imported_modules(path) if module.split(".")[0] in IO_PACKAGES}
            assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_the_common_library_imports_no_service():
    services = {f"scelle_{service}" for service in SERVICES}
    for path in python_files(ROOT / "libs" / "common" / "src"):
        offending = {module for module in imported_modules(path) if module.split(".")[0] in services}
        assert not offending, f"{path.relative_to(ROOT)} imports {offending}"


def test_the_boundary_check_sees_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import flask\nfrom scelle_billing.domain import x\nfrom . import local\n")
    assert imported_modules(sample) == {"flask", "scelle_billing.domain"}
