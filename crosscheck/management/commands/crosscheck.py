"""``lantian crosscheck``: cross-check claims against data (one sweep, or ``--loop``)."""

from django.core.management.base import BaseCommand

from crosscheck.sweep import sweep
from lantian.lib import daemon


class Command(BaseCommand):
    help = "数据核验：报送数、佐证材料、报警办结、应急检查与平台数据交叉比对。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="循环运行")
        parser.add_argument("--every", type=float, default=3600.0, help="循环间隔（秒）")

    def handle(self, *args, loop=False, every=3600.0, **options):
        daemon.run(self.sweep_once, loop=loop, every=every)

    def sweep_once(self) -> None:
        r = sweep()
        line = f"核验发现 {r.found}（新增 {r.new}，重新出现 {r.reopened}，已不成立 {r.cleared}）"
        if r.failed:
            line += f"；失败的规则：{', '.join(r.failed)}"
        self.stdout.write(line)
