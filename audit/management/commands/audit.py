from django.core.management.base import BaseCommand, CommandError

from audit.log import verify
from audit.models import AuditEvent


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，发现被修改或删除的记录。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计日志哈希链")

    def handle(self, *args, **options):
        breaks = list(verify())
        total = AuditEvent.objects.count()
        if breaks:
            for b in breaks:
                where = f"#{b.event_id}" if b.event_id else "链尾"
                self.stderr.write(f"TAMPERED {where}: {b.problem}")
            raise CommandError(f"审计日志校验失败：{len(breaks)} 处异常（共 {total} 条）")
        self.stdout.write(f"OK: {total} 条审计记录，哈希链完整")
