from django.core.management.base import BaseCommand, CommandError

from monitoring.importing import ImportRefused, import_registry


class Command(BaseCommand):
    help = "从 Excel 导入监控点位与设备（工作表“点位”“设备”）；任何一行有误则全部不导入。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--city", default=None)

    def handle(self, *args, path, city, **options):
        try:
            with open(path, "rb") as handle:
                result = import_registry(handle, acting_user="importdevices", city_name=city)
        except ImportRefused as err:
            for message in err.messages:
                self.stderr.write(message)
            raise CommandError(f"未导入：{len(err.messages)} 处错误") from None
        self.stdout.write(f"已导入点位 {result.sites} 个、设备 {result.devices} 台")
