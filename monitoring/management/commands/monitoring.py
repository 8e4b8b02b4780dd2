"""``lantian monitoring judge``: the streaming judge (alarms on arrival, timers on silence)."""

from __future__ import annotations

import logging
import signal

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "在线监测后台：judge 实时判定（数据到达即判定，离线、缺数、净化器关闭按时触发）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("judge", help="实时判定进程（直到 SIGTERM）")

    def handle(self, *args, **options):
        return getattr(self, options["action"])(options)

    def judge(self, options):
        from monitoring.stream_judge import StreamJudge

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        judge = StreamJudge()
        self.stdout.write("实时判定已启动")
        self.stdout.flush()
        judge.run(lambda: stopping)
        self.stdout.write(f"已停止：报警 {len(judge.alarms)} 次")
