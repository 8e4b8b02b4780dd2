"""``lantian setup``: everything a fresh install needs, safe to run again."""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "初始化：迁移数据库，载入单位名录与法规标准；加 --demo 再导入示例方案与演示数据、演示账号。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="同时载入演示数据与演示账号")

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("loadunits", stdout=self.stdout)
        call_command("loadregs", stdout=self.stdout)
        from reports.fonts import ensure_cjk_font  # charts and PDF of the 调度通报

        ensure_cjk_font(self.stdout.write)
        if options["demo"]:
            for module in _demo_modules():
                module.load_demo(self.stdout)


def _demo_modules():
    """Each project app may ship ``demo.load_demo(stdout)``; run them in INSTALLED_APPS order."""
    project_dir = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not config.path.startswith(project_dir):
            continue
        try:
            yield import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
