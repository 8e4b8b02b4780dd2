"""``lantian aqi``: the HJ 633 calculator on the command line.

``lantian aqi compute --mode daily|hourly [--standard auto|HJ633-2012|HJ633-2026] <in.csv``
``lantian aqi table [--on 2026-03-01] [--standard …]`` prints the breakpoint table in force.

Needs no database: ``lantian`` runs both without starting Django (``airquality/cli.py``); this
command is the same code for ``manage.py`` and ``call_command``. Exit status of ``compute``: 0
all rows computed, 1 some rows could not be (see their ``error`` column), 2 the input or the
options are unusable.
"""

import datetime as dt
import io
import sys

from django.core.management.base import BaseCommand, CommandError

from airquality import cli


class Command(BaseCommand):
    help = "空气质量指数（HJ 633）：compute 从标准输入读 CSV、输出分指数与 AQI；table 打印分级表。"

    def add_arguments(self, parser):
        cli.add_arguments(parser.add_subparsers(dest="action", required=True))

    def handle(self, *args, **options):
        if options["action"] == "table":
            try:
                lines = cli.table_lines(options["standard"], options["on"] or dt.date.today())
            except LookupError as exc:
                raise CommandError(str(exc), returncode=2) from None
            for line in lines:
                self.stdout.write(line)
            return
        stdin = options.get("stdin") or io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
        stdout = options.get("stdout_stream") or sys.stdout
        status = cli.compute(
            stdin, stdout, self.stderr, mode=options["mode"], standard=options["standard"]
        )
        if status:
            # The reason is already on stderr; only the status is left to give.
            raise SystemExit(status)
