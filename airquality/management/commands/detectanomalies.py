"""``lantian detectanomalies``: find abnormal rises and persistently high areas, open response
items, and urge overdue ones. One pass by default; ``--loop`` repeats every ``--interval`` seconds
until SIGINT/SIGTERM (the healthchecks ``sendalerts`` pattern: the database is the queue)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from airquality import detection, services
from lantian.lib import daemon
from lantian.lib.tz import LOCAL_TZ, to_local


class Command(BaseCommand):
    help = "空气质量数据异常识别：发现数据异常升高和顽固性高值区域并开具响应单，催办超时响应单。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="持续运行，每隔 --interval 秒一轮")
        parser.add_argument("--interval", type=int, default=600, help="循环间隔（秒），默认 600")
        parser.add_argument(
            "--at",
            help="按指定小时（北京时间，如 2026-10-12T10:00）补判；默认取最新数据",
        )

    def handle(self, *args, **options):
        at = self._parse_at(options["at"])
        daemon.run(lambda: self._pass(at), loop=options["loop"], every=options["interval"])
        if options["loop"]:
            self.stdout.write("detectanomalies: stopped")

    def _parse_at(self, text):
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CommandError(f"--at 时间无法识别：{text}") from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=LOCAL_TZ)
        return value.replace(minute=0, second=0, microsecond=0)

    def _pass(self, at):
        report = detection.run_detection(at)
        urged = services.remind_overdue()
        when = f"{to_local(report.at):%Y-%m-%d %H:00}" if report.at else "无近期小时数据"
        self.stdout.write(
            f"{when}：发现 {report.findings} 处异常，新开响应单 {len(report.opened)} 件，"
            f"延续 {len(report.extended)} 件，催办超时 {urged} 件"
        )
        for item in report.opened:
            self.stdout.write(f"  + #{item.pk} {item}（责任单位：{item.owner}）")
