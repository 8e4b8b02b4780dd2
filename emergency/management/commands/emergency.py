"""``lantian emergency``: the reduction list, warning proposals and draw checks from a terminal."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from accounts.models import District
from emergency import draws, listfile, queries, sample, services
from emergency.models import DrawRound, Enterprise
from emergency.rules import warning_rules
from emergency.warnings import ForecastError, parse_forecast, propose
from lantian.lib import tz

ACTOR = "命令行 lantian emergency"


class Command(BaseCommand):
    help = (
        "重污染天气应对：import/export 应急减排清单，sample 生成示例清单，"
        "propose 研判预警级别，verify 复核抽查摇号。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--city", default=settings.LANTIAN_DEFAULT_CITY, help="城市（默认本市）"
        )
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入清单 Excel（任一行有错则整份不导入）")
        imp.add_argument("file")
        imp.add_argument("--partial", action="store_true", help="文件不是完整清单：不移出缺席企业")
        imp.add_argument("--check", action="store_true", help="只校验，不导入")
        exp = sub.add_parser("export", help="导出清单 Excel（导入格式）")
        exp.add_argument("file")
        smp = sub.add_parser("sample", help="生成示例清单 Excel（虚构企业）")
        smp.add_argument("file")
        smp.add_argument("--count", type=int, default=4467)
        sub.add_parser("propose", help="从标准输入读“时间,AQI”预报，给出建议预警级别")
        ver = sub.add_parser("verify", help="用记录的输入重新抽取并核对")
        ver.add_argument("--day", help="只核对该日（YYYY-MM-DD）")

    def handle(self, *args, **options):
        city = District.objects.filter(parent=None, name=options["city"]).first()
        if city is None:
            raise CommandError(f"没有城市“{options['city']}”，请先运行 lantian setup")
        getattr(self, "do_" + options["action"])(city, options)

    def do_import(self, city, options):
        path = Path(options["file"])
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        run = services.check_list_upload(
            upload, city=city, acting_user=ACTOR, replace=not options["partial"]
        )
        for p in run.report:
            where = f"第 {p['row']} 行" if p["row"] else "文件"
            self.stderr.write(f"{where} {p['column']}：{p['message']}")
        if run.report:
            raise CommandError(f"{len(run.report)} 处错误，未导入（{run.rows} 行）")
        s = run.summary
        line = f"{run.rows} 行：新增 {s['new']}，更新 {s['updated']}，等级变化 {s['grade_changes']}"
        if options["check"]:
            self.stdout.write(f"校验通过，{line}，移出 {s['delisted']}（未导入）")
            return
        run = services.apply_list(run, acting_user=ACTOR)
        self.stdout.write(f"已导入 {line}，移出 {run.summary['delisted']}")

    def do_export(self, city, options):
        rows = queries.export_rows(Enterprise.objects.filter(city=city, on_list=True))
        Path(options["file"]).write_bytes(listfile.write_workbook(rows))
        self.stdout.write(f"已导出 {len(rows)} 家企业到 {options['file']}")

    def do_sample(self, city, options):
        names = list(District.objects.filter(parent=city).values_list("name", flat=True))
        rows = sample.generate(options["count"], names)
        Path(options["file"]).write_bytes(listfile.write_workbook(rows))
        self.stdout.write(f"已生成 {len(rows)} 行示例清单：{options['file']}")

    def do_propose(self, city, options):
        try:
            daily, hourly = parse_forecast(sys.stdin.read())
            first = min([d for d, _ in daily] + [h.date() for h, _ in hourly], default=None)
            rules = warning_rules(city.name, first or tz.local_today())
            proposal = propose(rules, daily=daily, hourly=hourly)
        except (ForecastError, LookupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"建议：{proposal.level or '不发布预警'}（{rules.code}；{proposal.basis}）"
        )
        for p in proposal.episodes:
            span = f"{p.start:%Y-%m-%d %H:%M} — {p.end:%Y-%m-%d %H:%M}"
            self.stdout.write(f"  {p.level}\t{span}\t{'；'.join(p.matched)}")

    def do_verify(self, city, options):
        rounds = DrawRound.objects.filter(episode__city=city, status="drawn").order_by("day")
        if options["day"]:
            rounds = rounds.filter(day=options["day"])
        failed = 0
        for round_ in rounds:
            check = draws.verify_round(round_)
            state = "OK" if check.ok else "FAILED"
            self.stdout.write(f"{state} {round_.day} {round_.episode.number}：{check.plans} 份计划")
            for problem in check.problems:
                self.stderr.write(f"  {problem}")
            failed += not check.ok
        if failed:
            raise CommandError(f"{failed} 天的抽取核对未通过")
