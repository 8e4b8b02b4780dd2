import os
import subprocess
import sys
from pathlib import Path

import pytest

from lantian.lib.dburl import DatabaseURLError, parse_database_url

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args, env=None):
    environment = {**os.environ, **(env or {})}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    # Set by the browser fixture for this process only; a command run as users run it never has it.
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-m", "lantian.cli", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_project_commands():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("audit", "loadregs", "loadunits", "setup", "migrate", "runserver"):
        assert command in result.stdout


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "is not a URL"),
        ("mysql://root@localhost/x", "scheme 'mysql' is not supported"),
        ("postgresql://postgres@127.0.0.1:5432", "names no database"),
        ("postgresql://postgres@127.0.0.1:99999/x", "bad port"),
    ],
)
def test_a_malformed_database_url_is_one_clear_line(url, message):
    result = run_cli("check", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert message in result.stderr


def test_an_unreachable_postgresql_is_one_clear_line():
    result = run_cli("migrate", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:1/lantian"})
    assert result.returncode == 2
    line = result.stderr.strip()
    assert line.count("\n") == 0
    assert line.startswith("lantian: cannot use the database (PostgreSQL 127.0.0.1:1/lantian)")


def test_database_url_parsing():
    db = parse_database_url("postgresql://u:p%40ss@db.local:6543/lantian?sslmode=require")
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u",
        "p@ss",
        "db.local",
        "6543",
        "lantian",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert parse_database_url("sqlite:///var/x.sqlite3")["NAME"] == "var/x.sqlite3"
    with pytest.raises(DatabaseURLError):
        parse_database_url("sqlite://")
