"""Heavy-pollution response: the emergency reduction list, warning episodes, spot checks, cases."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Unit
from emergency.choices import (
    CaseStatus,
    ChangeSource,
    Grade,
    InspectionStatus,
    Level,
    Result,
    RoundStatus,
    StepKind,
)
from lantian.lib import tz


class ImportRun(models.Model):
    """One upload of the emergency reduction list (应急减排清单).

    A run is checked first; it is applied only when every row is valid (all or nothing), and
    only once. ``report`` lists each bad row and why; ``summary`` counts what applying does.
    """

    class Status(models.TextChoices):
        INVALID = "invalid", _("校验未通过")
        CHECKED = "checked", _("校验通过，待确认")
        APPLIED = "applied", _("已导入")

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    file = models.FileField(_("文件"), upload_to="emergency/imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    replace = models.BooleanField(
        _("以本文件为完整清单"), default=True, help_text=_("文件中没有的企业移出清单")
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    report = models.JSONField(_("错误报告"), default=list, blank=True)
    summary = models.JSONField(_("变更摘要"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("清单导入")
        verbose_name_plural = _("清单导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.original_name}（{self.get_status_display()}）"


class Enterprise(models.Model):
    """An enterprise that may be on the emergency reduction list, with its performance grade.

    ``device_mns`` are the HJ 212 MN codes of its online monitoring devices, the key by which
    its readings are found (线上监控+线下核实).
    """

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    industry = models.CharField(_("行业"), max_length=64, blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, related_name="enterprises", verbose_name=_("所在区县")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # Where it is registered: the cross-checks compare inspectors' routes and photos with it.
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    responsible_units = models.ManyToManyField(
        Unit, related_name="emergency_enterprises", blank=True, verbose_name=_("监管责任单位")
    )
    grade = models.CharField(
        _("绩效等级"), max_length=16, choices=Grade.choices, default=Grade.UNGRADED
    )
    grade_since = models.DateField(_("定级日期"), null=True, blank=True)
    on_list = models.BooleanField(_("纳入应急减排清单"), default=True)
    device_mns = models.JSONField(_("在线监测设备 MN"), default=list, blank=True)
    last_import = models.ForeignKey(
        ImportRun, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["district_id", "name"]
        indexes = [
            models.Index(fields=["district", "on_list"], name="enterprise_district_list"),
            models.Index(fields=["grade"], name="enterprise_grade"),
        ]

    def __str__(self) -> str:
        return self.name


class ReductionMeasure(models.Model):
    """What an enterprise owes at one warning level: measures, reduction share, stop or limit."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="measures")
    level = models.CharField(_("预警级别"), max_length=8, choices=Level.choices)
    measures = models.TextField(_("减排措施"), blank=True)
    reduction_pct = models.DecimalField(
        _("减排比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    stop_production = models.BooleanField(_("停产"), default=False)
    limit_production = models.BooleanField(_("限产"), default=False)

    class Meta:
        verbose_name = _("应急减排措施")
        verbose_name_plural = _("应急减排措施")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "level"], name="measure_per_level")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_level_display()}"


class GradeChange(models.Model):
    """One change of an enterprise's performance grade: the register's history."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="grade_changes")
    old_grade = models.CharField(_("原等级"), max_length=16, choices=Grade.choices, blank=True)
    new_grade = models.CharField(_("新等级"), max_length=16, choices=Grade.choices)
    effective_on = models.DateField(_("生效日期"))
    source = models.CharField(_("来源"), max_length=16, choices=ChangeSource.choices)
    import_run = models.ForeignKey(ImportRun, models.SET_NULL, null=True, blank=True)
    reason = models.CharField(_("依据"), max_length=300, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("绩效等级变更")
        verbose_name_plural = _("绩效等级变更")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise}: {self.old_grade or '—'} → {self.new_grade}"


class Episode(models.Model):
    """A heavy-pollution warning (预警过程): issued at a level, possibly upgraded or downgraded,
    then lifted. ``level`` is the current level; the steps hold the history."""

    city = models.ForeignKey(District, models.PROTECT, related_name="+", verbose_name=_("城市"))
    number = models.CharField(_("编号"), max_length=32)
    level = models.CharField(_("当前级别"), max_length=8, choices=Level.choices)
    starts_at = models.DateTimeField(_("启动时间"))
    expected_end_at = models.DateTimeField(_("预计结束时间"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    basis = models.JSONField(_("预报依据"), default=dict, blank=True)
    basis_note = models.TextField(_("依据说明"), blank=True)
    rule_code = models.CharField(_("预警分级依据"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("发布时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("预警过程")
        verbose_name_plural = _("预警过程")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["city", "number"], name="episode_number_in_city")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_level_display()}预警"

    def status(self, at: dt.datetime | None = None) -> str:
        at = at or tz.now()
        if self.lifted_at and self.lifted_at <= at:
            return "lifted"
        return "active" if self.starts_at <= at else "pending"

    def status_label(self) -> str:
        return {"lifted": _("已解除"), "active": _("响应中"), "pending": _("待启动")}[self.status()]

    def end_for_days(self) -> dt.datetime:
        return self.lifted_at or self.expected_end_at or max(tz.now(), self.starts_at)

    def local_days(self) -> list[dt.date]:
        """The local calendar days the response covers (start day to end day, inclusive)."""
        first = tz.to_local(self.starts_at).date()
        last = tz.to_local(self.end_for_days()).date()
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]

    def level_at(self, at: dt.datetime) -> str | None:
        """The level in force at ``at`` from the steps (None before the start or once lifted)."""
        level = None
        for step in self.steps.all():
            if step.effective_at > at:
                break
            level = step.level_after or None
        return level


class EpisodeStep(models.Model):
    """One decision on an episode: issue, upgrade, downgrade, lift; with when it takes effect."""

    episode = models.ForeignKey(Episode, models.CASCADE, related_name="steps")
    kind = models.CharField(_("操作"), max_length=16, choices=StepKind.choices)
    level_before = models.CharField(_("原级别"), max_length=8, choices=Level.choices, blank=True)
    level_after = models.CharField(_("新级别"), max_length=8, choices=Level.choices, blank=True)
    effective_at = models.DateTimeField(_("生效时间"))
    reason = models.TextField(_("理由"), blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("预警操作")
        verbose_name_plural = _("预警操作")
        ordering = ["effective_at", "id"]

    def __str__(self) -> str:
        return f"{self.episode.number} {self.get_kind_display()}"


class DrawRound(models.Model):
    """The day's random draw of an episode, by commit–reveal.

    Before the draw the office publishes ``commitment`` = SHA-256(secret); ``secret`` stays
    hidden. At the draw the office enters a public ``beacon`` value nobody knew when the
    commitment was published; the seed is SHA-256 over secret, beacon, day and draw time. Anyone
    can then check the secret against the commitment and redo every plan (``emergency.draw``).
    """

    episode = models.ForeignKey(Episode, models.PROTECT, related_name="rounds")
    day = models.DateField(_("检查日期"))
    commitment = models.CharField(_("承诺值 SHA-256"), max_length=64)
    secret = models.CharField(_("秘密值"), max_length=64)
    committed_at = models.DateTimeField(_("承诺值公布时间"))
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=RoundStatus.choices)
    level = models.CharField(_("抽取时级别"), max_length=8, choices=Level.choices, blank=True)
    beacon = models.CharField(_("公开随机值"), max_length=200, blank=True)
    beacon_source = models.CharField(_("公开随机值来源"), max_length=200, blank=True)
    drawn_at = models.DateTimeField(_("抽取（公布）时间"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    seed = models.CharField(_("种子"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("抽查摇号")
        verbose_name_plural = _("抽查摇号")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "day"], name="one_round_per_episode_day")
        ]

    def __str__(self) -> str:
        return f"{self.episode.number} {self.day}"

    @property
    def is_drawn(self) -> bool:
        return self.status == RoundStatus.DRAWN


class Population(models.Model):
    """A frozen list of credit codes a draw chose from, stored once under its SHA-256."""

    digest = models.CharField(max_length=64, primary_key=True)
    codes = models.JSONField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽取总体")
        verbose_name_plural = _("抽取总体")

    def __str__(self) -> str:
        return f"{self.digest[:12]}…（{self.size}）"


class InspectionPlan(models.Model):
    """One inspecting unit's plan for one day of an episode, drawn in a ``DrawRound``.

    ``quota`` is the rule it had to meet (with its source); ``draw_inputs`` everything needed
    to draw it again: algorithm, unit key, population digest per district, the picks in order.
    """

    round = models.ForeignKey(DrawRound, models.PROTECT, related_name="plans")
    day = models.DateField(_("检查日期"))
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("检查单位"))
    level = models.CharField(_("预警级别"), max_length=8, choices=Level.choices)
    quota = models.JSONField(_("抽查要求"), default=dict)
    draw_inputs = models.JSONField(_("抽取输入"), default=dict)
    published_at = models.DateTimeField(_("公布时间"))

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="plan_per_unit")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit}"


class Inspection(models.Model):
    """A drawn enterprise in a plan, and once visited, what the inspector found (四不两直)."""

    plan = models.ForeignKey(InspectionPlan, models.PROTECT, related_name="inspections")
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="inspections")
    district = models.ForeignKey(District, models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("抽取顺序"))
    status = models.CharField(
        _("状态"), max_length=8, choices=InspectionStatus.choices, default=InspectionStatus.PENDING
    )
    result = models.CharField(_("结论"), max_length=16, choices=Result.choices, blank=True)
    measures_in_place = models.BooleanField(_("应急减排措施落实"), null=True)
    facilities_running = models.BooleanField(_("治污设施正常运转"), null=True)
    ledger_ok = models.BooleanField(_("应急台账真实规范"), null=True)
    findings = models.TextField(_("检查发现"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="emergency_inspections",
        verbose_name=_("检查人"),
    )
    inspected_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("现场检查")
        verbose_name_plural = _("现场检查")
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "enterprise"], name="inspection_once_per_plan")
        ]
        indexes = [models.Index(fields=["status", "result"], name="inspection_status_result")]

    def __str__(self) -> str:
        return f"{self.plan.day} {self.enterprise}"


class Case(models.Model):
    """A non-compliance found on inspection, handed to the district for investigation (立案)."""

    city = models.ForeignKey(District, models.PROTECT, related_name="+")
    number = models.CharField(_("案件编号"), max_length=32)
    enterprise = models.ForeignKey(Enterprise, models.PROTECT, related_name="cases")
    inspection = models.OneToOneField(
        Inspection, models.PROTECT, null=True, blank=True, related_name="case"
    )
    district = models.ForeignKey(District, models.PROTECT, related_name="+")
    owner_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, related_name="+", verbose_name=_("承办单位")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    summary = models.TextField(_("问题"))
    handling = models.TextField(_("查处情况"), blank=True)
    opened_at = models.DateTimeField(_("立案时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["city", "number"], name="case_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"
