from django.core.management.base import BaseCommand, CommandError

from audit import checkpoints
from audit.log import verify
from audit.models import AuditEvent
from lantian.lib import daemon


class Command(BaseCommand):
    help = "审计日志：verify 校验签名链与检查点；checkpoint 把链头签名写入库外的检查点文件。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计日志签名链和检查点文件")
        point = sub.add_parser("checkpoint", help="写入今天的签名检查点（每天一次，可放入 cron）")
        point.add_argument("--force", action="store_true", help="今天已写过也再写一次")
        point.add_argument("--loop", action="store_true", help="常驻，每隔 --every 秒检查一次")
        point.add_argument("--every", type=float, default=3600.0)

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            daemon.run(
                lambda: self._checkpoint(options["force"]),
                loop=options["loop"],
                every=options["every"],
            )
            return
        breaks = list(verify())
        total = AuditEvent.objects.count()
        if breaks:
            for b in breaks:
                where = f"#{b.event_id}" if b.event_id else "链尾/检查点"
                self.stderr.write(f"TAMPERED {where}: {b.problem}")
            raise CommandError(f"审计日志校验失败：{len(breaks)} 处异常（共 {total} 条）")
        entries, _ = checkpoints.read()
        self.stdout.write(
            f"OK: {total} 条审计记录，签名链完整；{len(entries)} 个检查点与数据库一致"
            f"（{checkpoints.path()}）"
        )

    def _checkpoint(self, force: bool) -> None:
        entry = checkpoints.write(force=force)
        if entry is None:
            self.stdout.write("今天的检查点已写过")
        else:
            self.stdout.write(
                f"检查点 {entry['day']}：#{entry['last_id']} {entry['last_hash'][:16]}… "
                f"（{entry['count']} 条）→ {checkpoints.path()}"
            )
