"""Commands that need no database answer without starting Django or importing what they
do not use (issue 19: start-up is what a person pays for every command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import ManagementUtility

from lantian.cli import pure_command
from lantian.commands import help_text

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples/plans/xian_2023_rectification_plan.txt"
HEAVY = ("django.db", "django.apps", "numpy", "pdfplumber", "openpyxl", "opencc", "docx", "cn2an")
FRAME = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
    b"Flag=5;CP=&&RtdInterval=30&&1C80\n"
)


def run_and_list_modules(args: list[str], stdin: bytes = b""):
    """Run ``lantian ARGS`` in a fresh interpreter; (exit status, stdout, loaded modules)."""
    code = (
        "import sys, json\n"
        "from lantian.cli import main\n"
        f"status = main(['lantian', *{args!r}])\n"
        "sys.stdout.flush()\n"
        "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
        "raise SystemExit(status)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], input=stdin, capture_output=True, cwd=ROOT, env=env
    )
    modules = json.loads(done.stderr.decode().rpartition("MODULES ")[2])
    return done.returncode, done.stdout.decode(), modules


def loaded(modules: list[str], prefixes=HEAVY) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes)]


def test_plan_parse_of_a_text_plan_starts_neither_django_nor_heavy_libraries():
    status, out, modules = run_and_list_modules(["plan", "parse", "--compact", str(SEED)])
    assert status == 0 and len(json.loads(out)["items"]) == 29
    assert loaded(modules) == []


def test_hj212_parse_starts_neither_django_nor_numpy():
    status, out, modules = run_and_list_modules(["hj212", "parse"], FRAME)
    assert status == 0 and json.loads(out)["ok"] is True
    assert loaded(modules) == []


def test_help_lists_what_django_lists_without_setting_django_up():
    status, out, modules = run_and_list_modules(["--help"])
    assert status == 0
    assert out.strip() == ManagementUtility(["lantian"]).main_help_text().strip()
    assert loaded(modules, ("django.db", "django.contrib.auth", "numpy")) == []


def test_the_help_text_matches_djangos_in_process():
    assert help_text() == ManagementUtility(["lantian"]).main_help_text()


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["lantian", "plan", "parse", "x.txt"], "plans.cli"),
        (["lantian", "aqi", "compute"], "airquality.cli"),
        (["lantian", "aqi", "table", "--on", "2026-03-01"], "airquality.cli"),
        (["lantian", "hj212", "parse"], "monitoring.hj212.cli"),
        (["lantian", "plan", "import", "x.txt"], None),
        (["lantian", "hj212", "serve"], None),
        (["lantian", "plan", "parse", "x.txt", "--settings", "other"], None),
        (["lantian", "migrate"], None),
    ],
)
def test_which_commands_skip_django(argv, module):
    assert pure_command(argv) == module
