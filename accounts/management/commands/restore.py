from django.core.management.base import BaseCommand, CommandError

from audit.log import verify
from lantian.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "恢复：把 lantian backup 的归档恢复到空数据库（--force 覆盖），放回佐证材料，并校验审计链。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="lantian backup 写出的归档文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时也覆盖")

    def handle(self, *args, **options):
        try:
            manifest = restore(options["file"], force=options["force"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        breaks = list(verify())
        audit = manifest["audit"]
        self.stdout.write(
            f"已恢复 {manifest['created_at']} 的备份：{audit['rows']} 条审计记录，"
            f"{manifest['media_files']} 个文件"
        )
        if breaks:
            raise CommandError(
                f"恢复后审计链校验失败：{len(breaks)} 处异常，请运行 lantian audit verify"
            )
        self.stdout.write("审计链校验通过")
