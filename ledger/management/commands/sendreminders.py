"""``lantian sendreminders``: reminders, overdue chasing and supervision proposals.

One-shot (for cron, e.g. ``15 8 * * *``) or ``--loop``, a small daemon in the shape of
healthchecks' ``sendalerts``: SIGTERM/SIGINT end it after the current run, it closes stale
database connections between runs and sleeps in short steps so a signal is answered quickly.
Each run is idempotent for its local day (messages carry dedupe keys), so cron and a loop
running side by side, or a restarted loop, send nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lantian.lib import daemon, tz
from ledger import reminders


class Command(BaseCommand):
    help = "发送台账提醒（月报、时限、逾期、督办、细化方案）并生成督办建议；--loop 常驻运行。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="常驻运行，每隔 --interval 秒一次")
        parser.add_argument("--interval", type=int, default=3600, help="常驻模式的间隔（秒）")
        parser.add_argument("--date", help="按指定的本地日期运行（YYYY-MM-DD，用于补发或演练）")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"无效日期：{options['date']}") from exc
        if options["loop"]:
            self.stdout.write(f"sendreminders: 常驻运行，间隔 {options['interval']} 秒")
        daemon.run(lambda: self.run_once(day), loop=options["loop"], every=options["interval"])
        if options["loop"]:
            self.stdout.write("sendreminders: 已停止")

    def run_once(self, day: dt.date | None) -> None:
        today = day or tz.local_today()
        outcome = reminders.run(today)
        kinds = "，".join(f"{k} {v}" for k, v in sorted(outcome.by_kind.items()) if v)
        self.stdout.write(
            f"{today.isoformat()}: 发送 {outcome.sent} 条提醒"
            + (f"（{kinds}）" if kinds else "")
            + f"，新增督办建议 {outcome.proposals} 条"
        )
