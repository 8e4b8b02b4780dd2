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
    # Django's system checks (every model, URL and setting) cost 1–2 s on a busy machine before
    # a plan is read; they belong to `lantian check`, as `migrate` leaves them too
    requires_system_checks = []

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
        imp.add_argument("--dry-run", action="store_true", help="只列出将发生的变化，不导入")
        imp.add_argument(
            "--yes", action="store_true", help="撤销任务或覆盖人工修改时不再询问，直接导入"
        )
        imp.add_argument(
            "--conflicts",
            choices=("document", "office"),
            default="document",
            help="新文件与人工修改冲突时：document 采用新文件（默认，须确认），office 保留人工修改",
        )

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
        from ledger.services import UnknownCity, preview_plan_import

        try:
            preview = preview_plan_import(extraction, city=city)
        except UnknownCity as exc:
            self.stderr.write(f"lantian plan import: {exc}")
            sys.exit(2)
        conflicts = options["conflicts"]
        self._print_preview(preview, extraction, conflicts)
        if options["dry_run"]:
            self.stdout.write("（仅预览，未导入）")
            return
        risky = preview.merge.risky({}, conflicts) if preview.merge else []
        if risky and not options["yes"]:
            self._confirm(len(risky))
        outcome = import_plan_extraction(
            extraction,
            source_name=name,
            source_bytes=data,
            city=city,
            acting_user=user,
            conflicts=conflicts,
        )
        plan = outcome.plan
        state = (
            "已导入" if outcome.created else ("已更新" if outcome.changes else "无变化（已导入过）")
        )
        self.stdout.write(f"{state}：{plan}（{len(extraction['items'])} 项任务）")
        for unit in outcome.proposed_units:
            self.stdout.write(f"  新单位（待确认）：{unit}")

    def _print_preview(self, preview, extraction, conflicts) -> None:
        """The change list, before anything is written."""
        if preview.created:
            self.stdout.write(f"新方案：{preview.plan}（{len(extraction['items'])} 项任务）")
            return
        lines = preview.merge.lines({}, conflicts) if preview.merge else []
        self.stdout.write(f"修订：{preview.plan}（变化 {len(lines)} 处）")
        for line in lines:
            self.stdout.write(f"  · {line}")

    def _confirm(self, count: int) -> None:
        """A change that withdraws or overrides anything needs a yes; without a terminal to
        ask on, the import is refused."""
        question = f"以上有 {count} 处撤销内容或覆盖人工修改，确认导入？[y/N] "
        if not sys.stdin.isatty():
            self.stderr.write(
                f"lantian plan import: 有 {count} 处撤销内容或覆盖人工修改，未导入；"
                "核对后加 --yes 重新运行（--dry-run 只列出变化）"
            )
            sys.exit(1)
        if input(question).strip().lower() not in ("y", "yes", "是"):
            self.stderr.write("已取消，未导入")
            sys.exit(1)
