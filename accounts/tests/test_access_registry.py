"""Access rules live with their domains: ``accounts`` imports no domain's models, and each
domain's rules are registered with ``accounts.access`` when its app is ready."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

ACCOUNTS = Path(__file__).resolve().parents[1]
FOUNDATION = {"accounts", "audit", "regulations", "api", "lantian"}


def _domains() -> set[str]:
    return {
        c.name
        for c in apps.get_app_configs()
        if c.path.startswith(str(ACCOUNTS.parent)) and "site-packages" not in c.path
    }


def test_accounts_imports_no_domain():
    domains = _domains() - FOUNDATION
    offenders = []
    for path in ACCOUNTS.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            # access rules may use no domain at all; elsewhere no domain's models (the setup
            # command and the plan-name resolver use domains' plain helpers)
            offenders += [
                f"{path.relative_to(ACCOUNTS.parent)}: {name}"
                for name in names
                if name.split(".")[0] in domains
                and (path.name == "access.py" or name.endswith(".models"))
            ]
    assert not offenders


def test_every_domain_registers_its_rules():
    from accounts.access import _POLICIES

    covered = {label.split(".")[0] for label in _POLICIES}
    assert {"ledger", "plans", "emergency", "airquality", "monitoring"} <= covered
