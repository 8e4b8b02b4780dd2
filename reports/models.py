"""The 调度通报: settings, Word templates, numbered issues and their archived revisions.

ReportSettings                 one row: issuing office, 红榜/黑榜 sizes, automatic run
ReportTemplate                 a .docx with docxtpl placeholders (the shipped default too)
Issue ─< Revision              第N期 of a series; each generation keeps its data snapshot,
                               the template it used and the files it produced
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District
from reports.periods import BRIEF, MONTHLY

DEFAULT_REQUIREMENTS = (
    "各责任单位要对照本期通报反映的问题，逐项分析原因、明确措施、压实责任，"
    "逾期事项要限期完成整改并按时报送进展；排名靠后的单位要深刻反思，切实加大工作力度。"
)


class ReportSettings(models.Model):
    """What the office configures once (``ReportSettings.get()``)."""

    office = models.CharField(
        _("发文机关"), max_length=100, default="西安市大气污染防治专项行动领导小组办公室"
    )
    monthly_title = models.CharField(_("月度刊名"), max_length=50, default="调度通报")
    brief_title = models.CharField(_("简报刊名"), max_length=50, default="工作简报")
    top_count = models.PositiveSmallIntegerField(
        _("红榜单位数"), default=3, help_text=_("0 表示不列红榜")
    )
    bottom_count = models.PositiveSmallIntegerField(
        _("黑榜单位数"), default=3, help_text=_("0 表示不列黑榜")
    )
    overdue_days = models.PositiveSmallIntegerField(_("列入通报的逾期天数"), default=30)
    overdue_rows = models.PositiveSmallIntegerField(_("逾期事项最多列出"), default=50)
    requirements = models.TextField(_("下步工作要求"), default=DEFAULT_REQUIREMENTS, blank=True)
    distribution = models.CharField(
        _("抄送"), max_length=300, blank=True, default="市委办公厅，市政府办公厅"
    )
    auto_day = models.PositiveSmallIntegerField(
        _("每月几日自动生成上月通报"), default=5, help_text=_("0 表示不自动生成")
    )
    auto_publish = models.BooleanField(_("自动生成后直接印发"), default=False)

    class Meta:
        verbose_name = _("调度通报设置")
        verbose_name_plural = _("调度通报设置")

    def __str__(self) -> str:
        return str(_("调度通报设置"))

    @classmethod
    def get(cls) -> ReportSettings:
        return cls.objects.order_by("pk").first() or cls.objects.create()

    def as_snapshot(self) -> dict:
        return {
            "office": self.office,
            "top_count": self.top_count,
            "bottom_count": self.bottom_count,
            "overdue_days": self.overdue_days,
            "requirements": self.requirements,
            "distribution": self.distribution,
        }


class ReportTemplate(models.Model):
    """A Word template. ``builtin`` rows hold the shipped default (one row per version of it,
    so an issue made with an older default regenerates with that one)."""

    name = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("模板文件"), upload_to="reports/templates/", max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    placeholders = models.JSONField(_("占位符"), default=list, blank=True)
    builtin = models.BooleanField(_("内置"), default=False)
    active = models.BooleanField(_("当前使用"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Series(models.TextChoices):
    MONTHLY = MONTHLY, _("月度调度通报")
    BRIEF = BRIEF, _("工作简报")


class IssueState(models.TextChoices):
    DRAFT = "draft", _("待印发")
    PUBLISHED = "published", _("已印发")


class Issue(models.Model):
    """第N期: one period and scope of a series. Drafts may be regenerated with fresh data
    (a new revision each time); a published issue is frozen."""

    series = models.CharField(_("刊别"), max_length=16, choices=Series.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("期号"))
    period_first = models.DateField(_("起始日期"))
    period_last = models.DateField(_("截止日期"))
    scope_key = models.CharField(max_length=40)
    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    plan = models.ForeignKey(
        "ledger.Plan",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("方案"),
    )
    title = models.CharField(_("标题"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=16, choices=IssueState.choices, default=IssueState.DRAFT
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("印发时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["series", "year", "number"], name="issue_number"),
            models.UniqueConstraint(
                fields=["series", "period_first", "period_last", "scope_key"],
                name="issue_period_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}期 {self.title}"

    @property
    def number_label(self) -> str:
        return f"{self.year}年第{self.number}期"

    @property
    def is_published(self) -> bool:
        return self.state == IssueState.PUBLISHED

    def current(self) -> Revision | None:
        return self.revisions.order_by("-number").first()


def _revision_path(instance: Revision, filename: str) -> str:
    return f"reports/issues/{instance.issue_id}/{filename}"


class Revision(models.Model):
    """One generation of an issue: the snapshot it was made from and what came out."""

    issue = models.ForeignKey(Issue, models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField(_("版本"))
    snapshot_json = models.TextField(_("数据快照"))
    snapshot_sha256 = models.CharField(max_length=64)
    header_json = models.TextField(_("刊头"))
    template = models.ForeignKey(
        ReportTemplate, models.PROTECT, related_name="revisions", verbose_name=_("模板")
    )
    docx = models.FileField(_("Word"), upload_to=_revision_path, max_length=300)
    docx_sha256 = models.CharField(max_length=64)
    xlsx = models.FileField(_("Excel"), upload_to=_revision_path, max_length=300)
    xlsx_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("PDF"), upload_to=_revision_path, max_length=300, blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    generated_by_name = models.CharField(_("生成人"), max_length=100, blank=True)
    seconds = models.FloatField(_("生成耗时（秒）"), default=0)

    class Meta:
        verbose_name = _("通报版本")
        verbose_name_plural = _("通报版本")
        ordering = ["issue_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["issue", "number"], name="revision_number")]

    def __str__(self) -> str:
        return f"{self.issue} 第{self.number}版"

    @property
    def snapshot(self) -> dict:
        return json.loads(self.snapshot_json)

    @property
    def header(self) -> dict:
        return json.loads(self.header_json)
