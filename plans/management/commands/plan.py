"""``lantian plan parse FILE`` prints the extraction as JSON; ``plan import FILE`` imports it.

``parse`` is a stable contract used by tests and by outside evaluation: one JSON object on
stdout, exit status 0; exit status 2 and one line on stderr when the input cannot be read.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from plans import cli
from plans.extract import ExtractError


class Command(BaseCommand):
    help = "方案：parse 解析方案文件并输出 JSON；import 解析并导入台账。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        parse = sub.add_parser("parse", help="解析方案文件（.txt/.docx/.pdf/.xlsx），输出 JSON")
        cli.add_parse_arguments(parse)
        imp = sub.add_parser(
            "import", help="解析方案文件并导入台账（同一文件重复导入不会重复创建）"
        )
        imp.add_argument("file", help="方案文件路径")
        imp.add_argument("--year", type=cli.year)
        imp.add_argument("--issued", type=cli.date)
        imp.add_argument(
            "--city", help="解析单位名称所用的城市（默认取方案所属城市或系统默认城市）"
        )
        imp.add_argument("--user", help="记入审计日志的操作用户名")

    def handle(self, *args, **options):
        try:
            extraction, name, data = cli.parse_options(options)
        except ExtractError as exc:
            self.stderr.write(f"lantian plan {options['action']}: {exc}")
            sys.exit(2)
        if options["action"] == "parse":
            self.stdout.write(cli.dump(extraction, compact=options["compact"]))
            return
        self._import(extraction, name, data, options)

    def _import(self, extraction, name, data, options):
        try:
            from ledger.services import import_plan_extraction
        except ImportError as exc:
            raise CommandError("台账模块（ledger）尚未安装，无法导入") from exc
        from accounts.models import District

        user = None
        if options.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户不存在：{options['user']}")
        city = None
        if options.get("city"):
            city = District.objects.filter(name=options["city"], parent=None).first()
            if city is None:
                raise CommandError(f"城市不在单位名录中：{options['city']}")
        outcome = import_plan_extraction(
            extraction, source_name=name, source_bytes=data, city=city, acting_user=user
        )
        plan = outcome.plan
        state = (
            "已导入" if outcome.created else ("已更新" if outcome.changes else "无变化（已导入过）")
        )
        self.stdout.write(f"{state}：{plan}（{len(extraction['items'])} 项任务）")
        for change in outcome.changes:
            self.stdout.write(f"  · {change}")
        for unit in outcome.proposed_units:
            self.stdout.write(f"  新单位（待确认）：{unit}")
