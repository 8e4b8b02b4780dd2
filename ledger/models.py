"""The rectification ledger (台账): plans, their tasks, each unit's line of work on a task, and
everything that happens on a line: progress reports, supervision, acceptance and close-out.

Shape (see README "ledger"):

    Plan ─< PlanRevision            every imported version of the document, file kept
    Plan ─< Task ─< Assignment      task × unit, with the roles the plan gives the unit
                 ─< Measure ─< Milestone
                 ─< Target
                 ─< GroupMention    an open group ("108国道沿线区县") the office still has to settle
    Assignment (works=True) is a unit's line of work: its own status, reports, acceptance.
    Assignment ─< ProgressReport ─< MilestoneProgress / TargetActual   (versions, never edited)
    Assignment ─< Acceptance ─< AcceptanceMember / ChecklistLine
    Supervision >─< Task, Unit      催办 督办 通报 约谈 问责; Proposal suggests them from data
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Unit, UnitGroup
from lantian.lib.workdays import add_workdays
from ledger import workflow
from ledger.choices import (
    AcceptanceState,
    AccountabilityGround,
    CheckResult,
    CheckSource,
    Comparator,
    EvidenceRule,
    MemberRole,
    PlanKind,
    ProposalState,
    ReportSource,
    SignManner,
    Status,
    SupervisionKind,
    SupervisionState,
    UnitRole,
)
from plans.extract.numerals import number_to_cn


def _plan_source_path(instance: models.Model, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"plans/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class LedgerConfig(models.Model):
    """The office's settings for the ledger (one row; ``LedgerConfig.get()``)."""

    report_day = models.PositiveSmallIntegerField(
        _("月报截止日"), default=0, help_text=_("每月几日前报送；0 表示每月月底前")
    )
    remind_before_days = models.CharField(
        _("到期前提醒（天）"), max_length=50, default="7,3,1", help_text=_("逗号分隔")
    )
    due_soon_days = models.PositiveSmallIntegerField(_("临期范围（天）"), default=30)
    propose_urge_after_days = models.PositiveSmallIntegerField(_("逾期几天建议催办"), default=1)
    propose_order_after_days = models.PositiveSmallIntegerField(_("逾期几天建议督办"), default=15)
    propose_order_missing_reports = models.PositiveSmallIntegerField(
        _("连续几个月未报建议督办"), default=2
    )
    order_due_workdays = models.PositiveSmallIntegerField(
        _("督办默认办理时限（工作日）"), default=10
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("长期坚持事项复查周期（月）"), default=3
    )
    weights = models.JSONField(
        _("考核权重"),
        default=dict,
        blank=True,
        help_text=_(
            "on_time 按时报送率、overdue 未逾期率、completion 完成率、acceptance 验收通过率"
        ),
    )
    bottom_count = models.PositiveSmallIntegerField(_("排名靠后单位数"), default=3)

    DEFAULT_WEIGHTS = {"on_time": 30, "overdue": 30, "completion": 25, "acceptance": 15}

    class Meta:
        verbose_name = _("台账设置")
        verbose_name_plural = _("台账设置")

    def __str__(self) -> str:
        return str(_("台账设置"))

    @classmethod
    def get(cls) -> LedgerConfig:
        config = cls.objects.order_by("pk").first()
        return config or cls.objects.create()

    @property
    def score_weights(self) -> dict[str, float]:
        merged = {**self.DEFAULT_WEIGHTS, **(self.weights or {})}
        return {k: float(merged[k]) for k in self.DEFAULT_WEIGHTS}

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted(
            {int(p) for p in self.remind_before_days.split(",") if p.strip().isdigit()},
            reverse=True,
        )


class Plan(models.Model):
    """A rectification plan or work plan, imported from its document or entered by hand.

    The current revision's fields live here; every imported version is a ``PlanRevision``.
    ``published`` plans appear on the public disclosure pages with ``public_summary``.
    """

    city = models.ForeignKey(
        District, models.PROTECT, related_name="ledger_plans", verbose_name=_("城市")
    )
    title = models.CharField(_("名称"), max_length=300)
    doc_no = models.CharField(_("文号"), max_length=100, blank=True)
    issuer = models.CharField(_("印发单位"), max_length=200, blank=True)
    issued = models.DateField(_("印发日期"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=PlanKind.choices)
    source_name = models.CharField(_("原始文件名"), max_length=255, blank=True)
    source_file = models.FileField(
        _("原始文件"), upload_to=_plan_source_path, max_length=300, blank=True
    )
    source_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    revision = models.PositiveIntegerField(_("版本"), default=1)
    rules = models.JSONField(_("保障措施规则"), default=list, blank=True)
    details = models.JSONField(_("其他信息"), default=dict, blank=True)
    report_day = models.PositiveSmallIntegerField(
        _("月报截止日"),
        null=True,
        blank=True,
        help_text=_("空：按台账设置；0：每月月底前；N：每月 N 日前"),
    )
    detailed_plan_workdays = models.PositiveSmallIntegerField(
        _("细化方案时限（印发后工作日）"), null=True, blank=True
    )
    detailed_plan_date = models.DateField(_("细化方案截止日期"), null=True, blank=True)
    evidence_rule = models.CharField(
        _("报送佐证要求"),
        max_length=16,
        choices=EvidenceRule.choices,
        default=EvidenceRule.FILE_OR_REASON,
    )
    acceptance_quorum = models.PositiveSmallIntegerField(
        _("验收结论最少签字人数"),
        null=True,
        blank=True,
        help_text=_("空：验收组全体成员签字后方可下结论；N：至少 N 名成员（含组长）签字"),
    )
    published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    public_summary = models.TextField(_("公开说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("方案")
        verbose_name_plural = _("方案")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def detailed_plan_due(self) -> dt.date | None:
        """When units must file their 细化整改方案: an explicit date, else N working days
        after the plan was issued (China's holiday and 调休 calendar)."""
        if self.detailed_plan_date:
            return self.detailed_plan_date
        if self.detailed_plan_workdays and self.issued:
            return add_workdays(self.issued, self.detailed_plan_workdays)
        return None


class PlanRevision(models.Model):
    """One imported version of a plan's document: the file, what was read, what changed."""

    plan = models.ForeignKey(Plan, models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("版本"))
    source_name = models.CharField(_("原始文件名"), max_length=255, blank=True)
    source_file = models.FileField(
        _("原始文件"), upload_to=_plan_source_path, max_length=300, blank=True
    )
    sha256 = models.CharField(max_length=64, db_index=True)
    content_sha256 = models.CharField(max_length=64, db_index=True)
    extraction = models.JSONField(_("解析内容"))
    changes = models.JSONField(_("变更"), default=list, blank=True)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("方案版本")
        verbose_name_plural = _("方案版本")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique")
        ]
        ordering = ["plan_id", "number"]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class Task(models.Model):
    """One item of a plan (问题/任务): problem, target, deadline, and what the units must do.

    ``deadline`` is null for items that are only 立行立改/长期坚持; ``uncertain`` names the fields
    the extractor was unsure of. A task a later revision drops is ``withdrawn``, never deleted,
    because units may already have reported on it.
    """

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="tasks", verbose_name=_("方案"))
    no = models.PositiveIntegerField(_("序号"))
    section = models.CharField(_("所属部分"), max_length=300, blank=True)
    title = models.CharField(_("标题"), max_length=500)
    problem = models.TextField(_("问题"), blank=True)
    text = models.TextField(_("原文"), blank=True)
    target = models.TextField(_("整改目标"), blank=True)
    deadline = models.DateField(_("整改时限"), null=True, blank=True, db_index=True)
    deadline_raw = models.CharField(_("整改时限（原文）"), max_length=200, blank=True)
    immediate = models.BooleanField(_("立行立改"), default=False)
    ongoing = models.BooleanField(_("长期坚持"), default=False)
    uncertain = models.JSONField(_("待核实字段"), default=list, blank=True)
    claim = models.TextField(
        _("整改完成情况（原文）"),
        blank=True,
        help_text=_("文件所述的完成情况，为单位自述，需以数据核实"),
    )
    details = models.JSONField(
        _("其他字段"),
        default=dict,
        blank=True,
        help_text=_("问题位置（点位、区域、施工单位等）与联系人；联系人属个人信息，不公开"),
    )
    public_summary = models.TextField(_("公开进展说明"), blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [models.UniqueConstraint(fields=["plan", "no"], name="task_no_unique")]
        ordering = ["plan_id", "no"]

    def __str__(self) -> str:
        return f"{self.display_no}、{self.title}"[:300]

    @property
    def display_no(self) -> str:
        """``六`` in a task list (as the plan writes it), ``6`` in a work plan."""
        if self.plan.kind == PlanKind.TASK_LIST and 0 < self.no < 100:
            return number_to_cn(self.no)
        return str(self.no)

    @property
    def uncertain_labels(self) -> list[str]:
        from lantian.lib.labels import task_field_label

        return [task_field_label(name) for name in self.uncertain]

    @property
    def where(self) -> list[tuple[str, str]]:
        """Where the problem is, as (label, value) in the order notices give it."""
        names = {
            "site": _("点位名称"),
            "area": _("所属区域"),
            "location": _("位置"),
            "builder": _("建设单位"),
            "contractor": _("施工单位"),
            "category": _("问题类型"),
        }
        place = (self.details or {}).get("place") or {}
        return [(str(names.get(k, k)), v) for k, v in place.items() if v]

    @property
    def contacts(self) -> list[dict]:
        """People and telephone numbers the document gives: personal data, office only."""
        return list((self.details or {}).get("contacts") or [])

    @property
    def deadline_label(self) -> str:
        parts = []
        if self.deadline:
            parts.append(self.deadline.isoformat())
        if self.immediate:
            parts.append(str(_("立行立改")))
        if self.ongoing:
            parts.append(str(_("长期坚持")))
        return "，".join(parts) or self.deadline_raw


class GroupMention(models.Model):
    """An open group a plan names on a task ("108国道沿线区县党委"): its members are decided
    task by task, so the office picks them; until then the mention is ``settled=False``."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="group_mentions")
    group = models.ForeignKey(UnitGroup, models.PROTECT, related_name="+")
    raw = models.CharField(_("原文"), max_length=300, blank=True)
    roles = models.JSONField(_("角色"), default=list)
    settled = models.BooleanField(_("已确定成员"), default=False)

    class Meta:
        verbose_name = _("待确定的单位组")
        verbose_name_plural = _("待确定的单位组")
        constraints = [
            models.UniqueConstraint(fields=["task", "group"], name="group_mention_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task.no} · {self.group}"


class AssignmentQuerySet(models.QuerySet):
    def lines(self) -> AssignmentQuerySet:
        """Lines of work: units that do (not only supervise) the task, still in force."""
        return self.filter(works=True, withdrawn=False, task__withdrawn=False)

    def open(self) -> AssignmentQuerySet:
        return self.exclude(status=Status.CLOSED)

    def overdue_on(self, day: dt.date) -> AssignmentQuerySet:
        """Open lines whose effective deadline is before ``day`` (derived, never stored)."""
        return self.open().filter(
            Q(extended_to__lt=day) | Q(extended_to__isnull=True, task__deadline__lt=day)
        )

    def due_between(self, first: dt.date, last: dt.date) -> AssignmentQuerySet:
        return self.open().filter(
            Q(extended_to__range=(first, last))
            | Q(extended_to__isnull=True, task__deadline__range=(first, last))
        )


class Assignment(models.Model):
    """A unit on a task, with every role the plan gives it there (task × unit × roles).

    When the unit does the work (``works``: responsible, lead or implementer) the row is also
    its **line of work**: its own status, report stream and acceptance. The party committee
    and the government of one area named together ("鄠邑区委、区政府") share one line: the
    committee's row points to the government's with ``joint_with`` and does not work alone.
    """

    task = models.ForeignKey(Task, models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="ledger_assignments", verbose_name=_("单位")
    )
    responsible = models.BooleanField(_("整改责任"), default=False)
    lead = models.BooleanField(_("牵头"), default=False)
    participant = models.BooleanField(_("参与"), default=False)
    implementer = models.BooleanField(_("落实"), default=False)
    acceptance = models.BooleanField(_("督导验收"), default=False)
    acceptance_lead = models.BooleanField(_("验收牵头"), default=False)
    works = models.BooleanField(_("独立报送"), default=False)
    joint_with = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("共同负责（并入）"),
    )
    district = models.ForeignKey(
        District,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("措施所属区域"),
    )
    raw = models.CharField(_("原文"), max_length=300, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    open_ended = models.BooleanField(_("含“等”"), default=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    ROLE_FIELDS = (
        "responsible",
        "lead",
        "participant",
        "implementer",
        "acceptance",
        "acceptance_lead",
    )

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="assignment_unique")]
        indexes = [
            models.Index(fields=["works", "status"], name="assignment_line_status"),
            models.Index(fields=["unit", "works"], name="assignment_unit_lines"),
        ]
        ordering = ["task_id", "id"]

    def __str__(self) -> str:
        return f"{self.task.display_no} · {self.unit}"

    @property
    def roles(self) -> list[str]:
        return [f for f in self.ROLE_FIELDS if getattr(self, f)]

    @property
    def role_labels(self) -> list[str]:
        return [str(UnitRole(r).label) for r in self.roles]

    @property
    def deadline(self) -> dt.date | None:
        return self.extended_to or self.task.deadline

    def is_overdue(self, today: dt.date) -> bool:
        return workflow.is_overdue(self.status, self.deadline, today)

    def days_overdue(self, today: dt.date) -> int:
        return workflow.days_overdue(self.status, self.deadline, today)

    def measures(self):
        """The task's measures that apply to this line: general ones and its area's."""
        measures = self.task.measures.filter(withdrawn=False)
        if self.district_id:
            return measures.filter(Q(district__isnull=True) | Q(district_id=self.district_id))
        return measures.filter(district__isnull=True) if self._task_is_split() else measures

    def _task_is_split(self) -> bool:
        return self.task.measures.filter(district__isnull=False).exists()

    def milestones(self):
        return Milestone.objects.filter(
            Q(measure__in=self.measures()) | Q(measure__isnull=True, task=self.task),
            withdrawn=False,
        )

    def unit_names(self) -> list[str]:
        """The unit and the partners that share this line."""
        return [self.unit.name, *[p.unit.name for p in self.partners.all()]]


class Measure(models.Model):
    """An 整改措施 of a task; ``district`` limits it to one area's line of work."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(_("顺序"))
    no = models.PositiveSmallIntegerField(_("编号"), null=True, blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("区域")
    )
    district_name = models.CharField(_("区域（原文）"), max_length=64, blank=True)
    text = models.TextField(_("措施"))
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["task_id", "position"]

    def __str__(self) -> str:
        prefix = f"{self.district_name}：" if self.district_name else ""
        number = f"（{number_to_cn(self.no)}）" if self.no else ""
        return f"{prefix}{number}{self.text}"[:200]


class Milestone(models.Model):
    """A dated promise inside a measure ("2024年3月底前完成287家"), optionally a quantity."""

    task = models.ForeignKey(Task, models.CASCADE, related_name="milestones")
    measure = models.ForeignKey(
        Measure, models.CASCADE, null=True, blank=True, related_name="milestones"
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    due = models.DateField(_("完成时限"), null=True, blank=True)
    raw = models.CharField(_("原文"), max_length=500, blank=True)
    promise = models.CharField(_("节点任务"), max_length=500)
    quantity = models.DecimalField(
        _("数量"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    quantity_unit = models.CharField(_("数量单位"), max_length=20, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("节点任务")
        verbose_name_plural = _("节点任务")
        ordering = ["task_id", "due", "position"]

    def __str__(self) -> str:
        return f"{self.due or ''} {self.promise}".strip()


class Target(models.Model):
    """A quantitative target of a task (indicator, comparator, value, unit, by date).

    Units report the value they reached in their progress reports (``TargetActual``).
    """

    task = models.ForeignKey(Task, models.CASCADE, related_name="targets")
    position = models.PositiveSmallIntegerField(_("顺序"))
    indicator = models.CharField(_("指标"), max_length=300)
    value = models.DecimalField(_("目标值"), max_digits=16, decimal_places=4, null=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    comparator = models.CharField(
        _("比较"), max_length=2, choices=Comparator.choices, default=Comparator.GTE
    )
    by = models.DateField(_("完成时限"), null=True, blank=True)
    raw = models.CharField(_("原文"), max_length=500, blank=True)
    withdrawn = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("量化目标")
        verbose_name_plural = _("量化目标")
        ordering = ["task_id", "position"]

    def __str__(self) -> str:
        value = f"{self.value.normalize():f}" if self.value is not None else "?"
        return f"{self.indicator} {self.comparator} {value}{self.unit}"

    def is_met(self, actual: Decimal | None) -> bool | None:
        if actual is None or self.value is None:
            return None
        return {
            Comparator.GTE: actual >= self.value,
            Comparator.GT: actual > self.value,
            Comparator.LTE: actual <= self.value,
            Comparator.LT: actual < self.value,
            Comparator.EQ: actual == self.value,
            Comparator.APPROX: abs(actual - self.value) <= abs(self.value) * Decimal("0.05"),
        }[Comparator(self.comparator)]


class ProgressReport(models.Model):
    """A unit's monthly report on its line of work. Never edited: a correction is a new
    version of the same period (``supersedes`` the previous, which stays readable)."""

    assignment = models.ForeignKey(
        Assignment, models.PROTECT, related_name="reports", verbose_name=_("责任分工")
    )
    period = models.DateField(_("报送月份"), help_text=_("当月 1 日"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("更正的版本"),
    )
    is_current = models.BooleanField(_("当前版本"), default=True)
    narrative = models.TextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    correction_reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    no_evidence_reason = models.CharField(_("未附佐证的说明"), max_length=500, blank=True)
    source = models.CharField(
        _("来源"), max_length=8, choices=ReportSource.choices, default=ReportSource.WEB
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), db_index=True)

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "period", "version"], name="report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["assignment", "period"],
                condition=Q(is_current=True),
                name="report_one_current_per_period",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_max"),
        ]
        indexes = [models.Index(fields=["period", "is_current"], name="report_period_current")]
        ordering = ["-period", "-version"]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.period:%Y-%m} v{self.version}"


class MilestoneProgress(models.Model):
    """In one report: whether a milestone is done (and when)."""

    report = models.ForeignKey(ProgressReport, models.CASCADE, related_name="milestone_lines")
    milestone = models.ForeignKey(Milestone, models.PROTECT, related_name="progress")
    done = models.BooleanField(_("已完成"), default=False)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("节点完成情况")
        verbose_name_plural = _("节点完成情况")
        constraints = [
            models.UniqueConstraint(fields=["report", "milestone"], name="milestone_line_unique")
        ]

    def __str__(self) -> str:
        return f"{self.milestone}: {'✓' if self.done else '…'}"


class TargetActual(models.Model):
    """In one report: the value reached on a quantitative target (287 of 758)."""

    report = models.ForeignKey(ProgressReport, models.CASCADE, related_name="actuals")
    target = models.ForeignKey(Target, models.PROTECT, related_name="actuals")
    value = models.DecimalField(_("实际值"), max_digits=16, decimal_places=4)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("目标完成值")
        verbose_name_plural = _("目标完成值")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="target_actual_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target.indicator}: {self.value.normalize():f}"


class DetailedPlanFiling(models.Model):
    """A unit's 细化整改方案 for a plan (the file is attached as evidence); new versions
    are new rows."""

    plan = models.ForeignKey(Plan, models.PROTECT, related_name="detailed_plans")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("单位"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    note = models.TextField(_("说明"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("细化整改方案")
        verbose_name_plural = _("细化整改方案")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit", "version"], name="detailed_plan_version_unique"
            )
        ]
        ordering = ["plan_id", "unit_id", "-version"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.plan} v{self.version}"


class Supervision(models.Model):
    """A 催办, 督办 (with its own due date), 通报, 约谈 or 问责, naming units and tasks."""

    kind = models.CharField(_("类别"), max_length=16, choices=SupervisionKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    text = models.TextField(_("内容"), blank=True)
    ground = models.CharField(
        _("问责情形"), max_length=16, choices=AccountabilityGround.choices, blank=True
    )
    due = models.DateField(_("办理时限"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=SupervisionState.choices, default=SupervisionState.OPEN
    )
    tasks = models.ManyToManyField(Task, related_name="supervisions", blank=True)
    units = models.ManyToManyField(Unit, related_name="ledger_supervisions")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("下发时间"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closing_note = models.TextField(_("办结说明"), blank=True)

    class Meta:
        verbose_name = _("督查督办")
        verbose_name_plural = _("督查督办")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.state == SupervisionState.OPEN and self.due is not None and today > self.due


class SupervisionReply(models.Model):
    """A unit's answer to a supervision record (e.g. its report on a 督办 by the due date)."""

    supervision = models.ForeignKey(Supervision, models.CASCADE, related_name="replies")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("单位"))
    text = models.TextField(_("回复"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("回复时间"))

    class Meta:
        verbose_name = _("督办回复")
        verbose_name_plural = _("督办回复")
        ordering = ["replied_at", "id"]

    def __str__(self) -> str:
        return f"{self.unit} → {self.supervision}"


class Proposal(models.Model):
    """A supervision step lantian suggests from the data (overdue > N days → 督办); the
    office adopts it (creating the ``Supervision``) or dismisses it."""

    kind = models.CharField(_("建议措施"), max_length=16, choices=SupervisionKind.choices)
    reason = models.TextField(_("依据"))
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", null=True, blank=True)
    task = models.ForeignKey(Task, models.CASCADE, related_name="+", null=True, blank=True)
    assignment = models.ForeignKey(
        Assignment, models.CASCADE, related_name="proposals", null=True, blank=True
    )
    key = models.CharField(max_length=200, unique=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=ProposalState.choices, default=ProposalState.PENDING
    )
    supervision = models.ForeignKey(
        Supervision, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("督办建议")
        verbose_name_plural = _("督办建议")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit or ''} · {self.reason[:40]}"


class ProposalItem(models.Model):
    """One line of work behind a grouped proposal: the office gets one 督办 proposal per unit
    listing its overdue lines, not one row per line (seed 000 produced 1,145). ``key`` makes
    each (cause, line) suggestion once, as ``Proposal.key`` did for per-line proposals."""

    proposal = models.ForeignKey(Proposal, models.CASCADE, related_name="items")
    assignment = models.ForeignKey(
        Assignment, models.CASCADE, related_name="proposal_items", verbose_name=_("事项")
    )
    key = models.CharField(max_length=200, unique=True)
    reason = models.TextField(_("依据"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("督办建议事项")
        verbose_name_plural = _("督办建议事项")
        ordering = ["proposal_id", "id"]

    def __str__(self) -> str:
        return self.reason[:80]


class Acceptance(models.Model):
    """One round of 一事一验 on a line of work: the application, the review group, the
    checklist, the visit and the conclusion. A pass closes the line out (销号)."""

    assignment = models.ForeignKey(Assignment, models.PROTECT, related_name="acceptances")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    review_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="+", verbose_name=_("验收单位")
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=AcceptanceState.choices, default=AcceptanceState.APPLIED
    )
    application = models.TextField(_("申请说明"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("申请时间"))
    visit_date = models.DateField(_("现场验收日期"), null=True, blank=True)
    conclusion = models.TextField(_("验收结论"), blank=True)
    passed = models.BooleanField(_("通过"), null=True)
    decided_at = models.DateTimeField(_("结论时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="acceptance_round_unique")
        ]
        ordering = ["assignment_id", "-round"]

    def __str__(self) -> str:
        return f"{self.assignment} · 第{self.round}轮验收"

    @property
    def is_decided(self) -> bool:
        return self.passed is not None


class AcceptanceMember(models.Model):
    """A member of the on-site review group (experts, technicians, staff) and their own
    signature on the group's findings: given by the member logged in as ``user``, or recorded
    by the group leader from the paper form with a statement naming who signed and when
    (``services.sign_acceptance``)."""

    acceptance = models.ForeignKey(Acceptance, models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("组内角色"), max_length=16, choices=MemberRole.choices)
    organisation = models.CharField(_("单位"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("签字时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签字录入人"),
    )
    sign_manner = models.CharField(
        _("签字方式"), max_length=8, choices=SignManner.choices, blank=True
    )
    paper_statement = models.TextField(_("代录说明"), blank=True)
    paper_signed_on = models.DateField(_("纸质签字日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收组成员")
        verbose_name_plural = _("验收组成员")
        ordering = ["acceptance_id", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class ChecklistLine(models.Model):
    """One line of the acceptance checklist, generated from a measure, milestone or target."""

    acceptance = models.ForeignKey(Acceptance, models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("顺序"))
    source = models.CharField(_("来源"), max_length=10, choices=CheckSource.choices)
    measure = models.ForeignKey(Measure, models.SET_NULL, null=True, blank=True, related_name="+")
    milestone = models.ForeignKey(
        Milestone, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target = models.ForeignKey(Target, models.SET_NULL, null=True, blank=True, related_name="+")
    text = models.TextField(_("核查内容"))
    result = models.CharField(
        _("结果"), max_length=8, choices=CheckResult.choices, default=CheckResult.PENDING
    )
    note = models.TextField(_("说明"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收核查项")
        verbose_name_plural = _("验收核查项")
        ordering = ["acceptance_id", "position"]

    def __str__(self) -> str:
        return self.text[:80]


class UnitScore(models.Model):
    """A unit's assessment for one month, with the counts every rate is computed from."""

    month = models.DateField(_("月份"))
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+", verbose_name=_("单位"))
    lines = models.PositiveIntegerField(_("任务数"), default=0)
    reports_due = models.PositiveIntegerField(_("应报次数"), default=0)
    reports_on_time = models.PositiveIntegerField(_("按时报送"), default=0)
    overdue_lines = models.PositiveIntegerField(_("逾期任务"), default=0)
    closed_lines = models.PositiveIntegerField(_("已销号"), default=0)
    acceptances_decided = models.PositiveIntegerField(_("已验收轮次"), default=0)
    acceptances_passed = models.PositiveIntegerField(_("验收通过"), default=0)
    score = models.FloatField(_("得分"), default=0)
    rank = models.PositiveIntegerField(_("排名"), default=0)
    weights = models.JSONField(_("权重"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("单位考核")
        verbose_name_plural = _("单位考核")
        constraints = [models.UniqueConstraint(fields=["month", "unit"], name="unit_score_unique")]
        ordering = ["month", "rank"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.unit} {self.score:.1f}"

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.reports_on_time, self.reports_due)

    @property
    def not_overdue_rate(self) -> float | None:
        return self._rate(self.lines - self.overdue_lines, self.lines)

    @property
    def completion_rate(self) -> float | None:
        return self._rate(self.closed_lines, self.lines)

    @property
    def pass_rate(self) -> float | None:
        return self._rate(self.acceptances_passed, self.acceptances_decided)
