"""The ``lantian`` console script: Django's management commands under one name.

``lantian migrate``, ``lantian runserver`` and the project's own commands (``lantian audit verify``,
``lantian plan parse`` …) all go through here. Configuration problems end in one line on stderr.
"""

from __future__ import annotations

import os
import sys


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def _describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "lantian"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")

    from lantian.lib.dburl import DatabaseURLError

    try:
        import django

        django.setup()
    except DatabaseURLError as exc:
        print(f"lantian: {exc}", file=sys.stderr)
        return 2

    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(argv)
    except OperationalError as exc:
        print(
            f"lantian: cannot use the database ({_describe_database()}): {_one_line(exc)}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
