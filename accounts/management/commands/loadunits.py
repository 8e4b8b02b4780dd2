from django.core.management.base import BaseCommand

from accounts.registry import load_registry


class Command(BaseCommand):
    help = "载入单位名录（两市的区县、部门、统称），可重复执行。"

    def handle(self, *args, **options):
        counts = load_registry()
        self.stdout.write(
            f"单位名录：{counts['cities']} 个城市，{counts['units']} 个单位，"
            f"{counts['groups']} 个单位组"
        )
