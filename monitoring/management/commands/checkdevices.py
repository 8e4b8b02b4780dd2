"""``lantian checkdevices``: judge readings, check device health, escalate overdue alarms.

One sweep by default; ``--loop`` repeats it every ``--every`` seconds until SIGTERM, in the
manner of healthchecks' ``sendalerts`` (old connections closed each round, no work lost on stop).
"""

from django.core.management.base import BaseCommand

from lantian.lib import daemon
from monitoring.gaps import refetch_due
from monitoring.health import check_devices
from monitoring.judge import judge_devices
from monitoring.keys import check_keys
from monitoring.services import escalate_overdue


class Command(BaseCommand):
    help = (
        "设备巡检：超标判定、设备异常（离线、恒值、零负值、突变、雷同、密钥到期或无法解密等）、"
        "超时升级、缺失数据自动补采（提取历史数据）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="循环运行")
        parser.add_argument("--every", type=float, default=60.0, help="循环间隔（秒）")

    def handle(self, *args, loop=False, every=60.0, **options):
        daemon.run(self.sweep_once, loop=loop, every=every)

    def sweep_once(self) -> None:
        judged = judge_devices()
        found = check_devices() + check_keys()
        escalated = escalate_overdue()
        refetched = refetch_due()
        self.stdout.write(
            f"超标报警 {len(judged)}，设备异常 {len(found)}，超时升级 {len(escalated)}，"
            f"缺失数据补采请求 {len(refetched)}"
        )
