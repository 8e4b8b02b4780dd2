from django.core.management.base import BaseCommand, CommandError

from lantian.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份：数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份）与佐证材料文件写入一个归档文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="归档文件（.tar.gz）")

    def handle(self, *args, **options):
        try:
            manifest = backup(options["file"])
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from None
        audit = manifest["audit"]
        self.stdout.write(
            f"已备份到 {options['file']}：{manifest['database']} 数据库，"
            f"{audit['rows']} 条审计记录（链头 #{audit['last_id']}），"
            f"{manifest['media_files']} 个文件"
        )
