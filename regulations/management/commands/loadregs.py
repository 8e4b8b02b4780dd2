from django.core.management.base import BaseCommand

from regulations.loading import load_regulations


class Command(BaseCommand):
    help = "载入法规标准数据（AQI 分级、浓度限值、扬尘/油烟限值、预警分级、报警分级），可重复执行。"

    def handle(self, *args, **options):
        self.stdout.write(f"已载入 {load_regulations()} 个法规标准版本")
