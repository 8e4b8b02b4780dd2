"""``lantian computescores``: the monthly assessment without a click.

One-shot (cron, e.g. ``30 6 * * *``) or ``--loop`` (a daemon sharing ``lantian/lib/daemon.py``):
each run scores the month that last ended unless its final scores are already stored, so the
ranking, the monthly 通报 proposals and, at a quarter's end, the 约谈 proposals appear on the
first run after a month ends.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lantian.lib import daemon, tz
from ledger import services


class Command(BaseCommand):
    help = "每月自动计算上月单位考核得分与排名，并生成通报/约谈建议；--loop 常驻运行。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="常驻运行，每隔 --interval 秒一次")
        parser.add_argument("--interval", type=int, default=3600, help="常驻模式的间隔（秒）")
        parser.add_argument("--date", help="按指定的本地日期运行（YYYY-MM-DD）")

    def handle(self, *args, **options):
        day = None
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"无效日期：{options['date']}") from exc
        daemon.run(lambda: self.run_once(day), loop=options["loop"], every=options["interval"])

    def run_once(self, day: dt.date | None) -> None:
        today = day or tz.local_today()
        rows = services.score_last_month_if_due(today)
        if rows is None:
            self.stdout.write(f"{today.isoformat()}: 上月考核得分已是最终结果，无需计算")
        else:
            self.stdout.write(f"{today.isoformat()}: 已计算上月考核得分，{len(rows)} 个单位")
