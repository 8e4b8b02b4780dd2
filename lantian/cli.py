"""The ``lantian`` console script: Django's management commands under one name.

``lantian migrate``, ``lantian runserver`` and the project's own commands (``lantian audit verify``,
``lantian plan import`` …) all go through Django. Commands that need no database (``plan parse``,
``hj212 parse``, ``aqi compute``, ``aqi table``) and the command list (``lantian``, ``--help``)
are answered without setting Django up: a person pays Python's start-up and the work, not the
framework's (``bench/startup.py`` measures each command). Heavy libraries (numpy, pdfplumber,
openpyxl, opencc) are imported by the code that uses them, when it is used. Configuration
problems end in one line on stderr.
"""

from __future__ import annotations

import os
import sys

# (command, action) → module whose ``main(argv)`` runs it without Django; ``argv`` starts
# with the action (``["parse", "plan.docx"]``).
PURE_COMMANDS = {
    ("plan", "parse"): "plans.cli",
    ("hj212", "parse"): "monitoring.hj212.cli",
    ("aqi", "compute"): "airquality.cli",
    ("aqi", "table"): "airquality.cli",
}
# Django's own options: a command given one of them goes through Django as before.
_DJANGO_OPTIONS = ("--settings", "--pythonpath", "--traceback", "--no-color", "--force-color")
_HELP = ("-h", "--help", "help")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or exc.__class__.__name__


def _describe_database() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def pure_command(argv: list[str]) -> str | None:
    """The module that runs ``argv`` without Django, or None."""
    if len(argv) < 3 or any(a.split("=")[0] in _DJANGO_OPTIONS for a in argv):
        return None
    return PURE_COMMANDS.get((argv[1], argv[2]))


def _run_pure(module_name: str, argv: list[str]) -> int:
    import importlib

    module = importlib.import_module(module_name)
    try:
        return module.main(argv[2:])
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "lantian"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")

    module = pure_command(argv)
    if module is not None:
        return _run_pure(module, argv)
    from lantian.lib.dburl import DatabaseURLError

    if len(argv) == 1 or (len(argv) == 2 and argv[1] in _HELP):
        from lantian.commands import help_text

        try:
            sys.stdout.write(help_text() + "\n")
        except DatabaseURLError as exc:
            print(f"lantian: {exc}", file=sys.stderr)
            return 2
        return 0

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
