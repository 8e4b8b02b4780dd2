"""``lantian report``: the 调度通报 from the command line.

lantian report monthly --month 2026-11 [--plan ID | --city NAME] --out 通报.docx
lantian report monthly --from 2026-11-23 --to 2026-11-29 --out 简报.pdf
lantian report auto [--loop] [--every 3600] [--date 2026-12-05]
lantian report list
lantian report verify ISSUE
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

FORMATS = (".docx", ".pdf", ".xlsx")


class Command(BaseCommand):
    help = "调度通报：生成月度通报或任意期间简报（Word/PDF/Excel），自动按月生成，存档核对。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="生成一期通报（存档编号；已印发的输出存档）")
        monthly.add_argument("--month", help="月份 YYYY-MM（整月，调度通报）")
        monthly.add_argument("--from", dest="first", help="开始日期 YYYY-MM-DD（简报）")
        monthly.add_argument("--to", dest="last", help="结束日期 YYYY-MM-DD（简报）")
        scope = monthly.add_mutually_exclusive_group()
        scope.add_argument("--plan", type=int, help="只含这一方案（编号）")
        scope.add_argument("--city", default="", help="城市名称（默认 LANTIAN_CITY）")
        monthly.add_argument("--out", required=True, help="输出文件：.docx、.pdf 或 .xlsx")
        monthly.add_argument(
            "--dry-run", action="store_true", help="只输出文件，不编号、不存档（试看）"
        )
        monthly.add_argument("--date", help="以这一天为生成日期（默认今天，北京时间）")
        auto = sub.add_parser("auto", help="每月自动生成上月通报（守护进程用 --loop）")
        auto.add_argument("--loop", action="store_true", help="循环运行")
        auto.add_argument("--every", type=float, default=3600.0, help="循环间隔（秒）")
        auto.add_argument("--date", help="以这一天为今天（测试、补发用）")
        sub.add_parser("list", help="列出已生成的通报")
        verify = sub.add_parser("verify", help="按存档数据重新生成并与存档比对")
        verify.add_argument("issue", type=int, help="通报编号（列表第一列）")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc

    # --- monthly ---------------------------------------------------------------------------

    def do_monthly(self, *, month, first, last, plan, city, out, dry_run, date, **_):
        from reports import gather, periods, services

        started = time.monotonic()
        target = Path(out)
        if target.suffix.lower() not in FORMATS:
            raise CommandError(f"--out 应以 .docx、.pdf 或 .xlsx 结尾（收到 {out}）")
        today = _day(date) if date else None
        try:
            if month and (first or last):
                raise CommandError("--month 与 --from/--to 只能选一种")
            if month:
                period = periods.parse_month(month)
            elif first and last:
                period = periods.between(
                    periods.parse_day(first, "--from"), periods.parse_day(last, "--to")
                )
            else:
                raise CommandError("请给出 --month YYYY-MM，或 --from 与 --to")
            scope = gather.resolve_scope(plan_id=plan, city_name=city)
        except (periods.PeriodError, gather.ScopeError) as exc:
            raise CommandError(str(exc)) from exc
        if dry_run:
            files, label = self._dry_run(period, scope, today), "试看稿（未编号、未存档）"
        else:
            issue, revision, label = self._archived(period, scope, today)
            files = services.Files(_read(revision.docx), _read(revision.xlsx))
        content = self._format(target.suffix.lower(), files)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        seconds = time.monotonic() - started
        self.stdout.write(
            f"{label} → {target}（{len(content) / 1024:.0f} KB，用时 {seconds:.1f} 秒）"
        )

    def _archived(self, period, scope, today):
        from reports import services
        from reports.models import Issue

        issue = Issue.objects.filter(
            series=period.series,
            period_first=period.first,
            period_last=period.last,
            scope_key=scope.key,
        ).first()
        if issue is not None and issue.is_published:
            revision = issue.current()
            return issue, revision, f"{issue.number_label}已印发，输出存档（第{revision.number}版）"
        issue = services.generate(period, scope, acting_user=None, today=today)
        revision = issue.current()
        return (
            issue,
            revision,
            f"{issue.number_label}{issue.get_series_display()}（审核稿，第{revision.number}版）",
        )

    def _dry_run(self, period, scope, today):
        from lantian.lib import tz
        from reports import gather, services
        from reports.models import Issue, ReportSettings

        today = today or tz.local_today()
        settings = ReportSettings.get()
        snapshot = gather.snapshot(period, scope, settings, today=today)
        issue = Issue(
            series=period.series,
            year=period.last.year,
            number=0,
            title=services.title_for(period, scope),
        )
        header = services.header_for(issue, settings, day=today, draft=True)
        header["number_label"] = f"{issue.year}年第（待定）期"
        return services.render_files(snapshot, header, services.active_template())

    def _format(self, suffix: str, files) -> bytes:
        if suffix == ".xlsx":
            return files.xlsx
        if suffix == ".pdf":
            from reports.pdf import PdfUnavailable, to_pdf

            try:
                return to_pdf(files.docx)
            except PdfUnavailable as exc:
                raise CommandError(str(exc)) from exc
        return files.docx

    # --- auto, list, verify ----------------------------------------------------------------

    def do_auto(self, *, loop, every, date, **_):
        from lantian.lib import daemon

        day = _day(date) if date else None

        def step():
            from reports import services

            issue = services.automatic_run(day)
            if issue is not None:
                self.stdout.write(f"已自动生成 {issue}（{issue.get_state_display()}）")

        daemon.run(step, loop=loop, every=every)

    def do_list(self, **_):
        from reports.models import Issue

        for issue in Issue.objects.order_by("-created_at", "-pk"):
            self.stdout.write(
                f"{issue.pk}\t{issue.number_label}\t{issue.get_series_display()}\t"
                f"{issue.get_state_display()}\t{issue.title}"
            )

    def do_verify(self, *, issue, **_):
        from reports import services
        from reports.models import Issue

        row = Issue.objects.filter(pk=issue).first()
        if row is None:
            raise CommandError(f"没有编号为 {issue} 的通报")
        failed = False
        for revision in row.revisions.order_by("number"):
            result = services.verify(revision)
            if result.docx_identical and result.xlsx_identical:
                verdict = "逐字节一致"
            elif result.text_identical:
                verdict = "文字与表格一致（图表像素有差异）"
            else:
                verdict, failed = "不一致", True
            self.stdout.write(f"{row.number_label} 第{revision.number}版：{verdict}")
        if failed:
            raise CommandError("存档核对未通过")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应写作 YYYY-MM-DD（收到 {text}）") from None


def _read(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()
