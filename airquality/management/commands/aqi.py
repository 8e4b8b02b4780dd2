"""``lantian aqi``: the HJ 633 calculator on the command line.

``lantian aqi compute --mode daily|hourly [--standard auto|HJ633-2012|HJ633-2026] <in.csv``
``lantian aqi table [--on 2026-03-01] [--standard …]`` prints the breakpoint table in force.

Needs no database: without one (a fresh install, before ``lantian setup``) the regulation
versions come from the packaged files. Exit status of ``compute``: 0 all rows computed, 1 some
rows could not be (see their ``error`` column), 2 the input or the options are unusable.
"""

import datetime as dt
import io
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from airquality import aqi, aqi_csv


class Command(BaseCommand):
    help = "空气质量指数（HJ 633）：compute 从标准输入读 CSV、输出分指数与 AQI；table 打印分级表。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="计算 AQI：CSV 从标准输入读入，结果写到标准输出")
        compute.add_argument("--mode", choices=aqi.MODES, default=aqi.DAILY, help="日报或实时报")
        compute.add_argument(
            "--standard",
            default="auto",
            help="auto（按数据日期：2026-03-01 前用 HJ633-2012，此后用 HJ633-2026）或指定版本",
        )
        table = sub.add_parser("table", help="打印某日适用（或指定版本）的 IAQI 分级浓度表")
        table.add_argument("--on", type=dt.date.fromisoformat, default=None, help="日期，默认今天")
        table.add_argument("--standard", default="auto")

    def handle(self, *args, **options):
        if options["action"] == "table":
            return self._table(options["standard"], options["on"] or dt.date.today())
        stdin = options.get("stdin") or io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
        stdout = options.get("stdout_stream") or sys.stdout
        try:
            status = aqi_csv.run(
                stdin, stdout, self.stderr, mode=options["mode"], standard=options["standard"]
            )
            stdout.flush()
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(aqi_csv.EXIT_ROW_ERRORS) from None
        if status:
            # The reason is already on stderr; only the status is left to give.
            raise SystemExit(status)
        return None

    def _table(self, standard: str, on: dt.date) -> None:
        try:
            table = aqi.load_table(standard, on=on)
        except LookupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        flag = "" if table.verified else "（未逐项核对原文）"
        self.stdout.write(f"{table.code}{flag}，适用于 {on}")
        self.stdout.write("IAQI".ljust(10) + "".join(str(i).rjust(7) for i in table.iaqi))
        for key in aqi.TABLE_KEYS:
            nodes = "".join(str(aqi._plain(b)).rjust(7) for b in table.breakpoints[key])
            self.stdout.write(key.ljust(10) + nodes)
        for key, rule in table.over_top.items():
            self.stdout.write(f"{key} 高于上限：{rule}")
