"""Every change to the ledger goes through these functions.

Each one is atomic, takes ``acting_user`` keyword-only, checks what the table in
``ledger.workflow`` and ``accounts.access`` allow, writes an audit event, and queues its
notifications for after the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from accounts.choices import Role
from accounts.models import District, Unit
from accounts.notify import notify_units, notify_users, users_of_units
from accounts.registry import city_named
from audit.log import diff, record, snapshot
from evidence.services import attach_evidence
from lantian.lib import tz
from lantian.lib.workdays import add_workdays
from ledger import importing, planmerge, schedule, workflow
from ledger.choices import (
    ACTION_LABELS,
    AcceptanceState,
    CheckResult,
    CheckSource,
    EvidenceRule,
    MemberRole,
    ProposalState,
    ReportSource,
    SignManner,
    Status,
    SupervisionKind,
    SupervisionState,
)
from ledger.models import (
    Acceptance,
    AcceptanceMember,
    Assignment,
    ChecklistLine,
    DetailedPlanFiling,
    GroupMention,
    LedgerConfig,
    Milestone,
    MilestoneProgress,
    Plan,
    PlanRevision,
    ProgressReport,
    Proposal,
    ProposalItem,
    Supervision,
    SupervisionReply,
    Target,
    TargetActual,
    Task,
    UnitScore,
)
from ledger.plansync import PlanSync


@dataclass
class ImportOutcome:
    """What ``import_plan_extraction`` did: the plan, whether it is new, what a revision
    changed (human-readable lines), the units it had to propose, and for a revision the
    three-way merge behind the lines."""

    plan: Plan
    created: bool
    changes: list[str] = field(default_factory=list)
    proposed_units: list[Unit] = field(default_factory=list)
    revision: PlanRevision | None = None
    merge: planmerge.Merge | None = None


class UnknownCity(ValueError):
    """The plan's city (or the default city) is not in the unit directory."""


def _import_city(extraction: dict, city: District | None) -> District:
    if city is not None:
        return city
    named = city_named(extraction.get("city") or "") if extraction.get("city") else None
    found = named or city_named(settings.LANTIAN_DEFAULT_CITY)
    if found is None:
        name = extraction.get("city") or settings.LANTIAN_DEFAULT_CITY
        raise UnknownCity(
            f"城市不在单位名录中：{name}（先运行 lantian setup 建立单位名录，或用 --city 指定城市）"
        )
    return found


def _already_imported(city: District, content: str) -> Plan | None:
    """The plan whose latest revision has exactly this content (the same reading of the
    same document); importing it again must create nothing."""
    revisions = PlanRevision.objects.filter(plan__city=city, content_sha256=content)
    for revision in revisions.select_related("plan"):
        if revision.number == revision.plan.revision:
            return revision.plan
    return None


def preview_plan_import(extraction: dict, *, city: District | None = None) -> ImportOutcome:
    """What importing ``extraction`` would do, without writing: for a plan already in the
    ledger, the merge of the previous document, the office's edits and this document."""
    city = _import_city(extraction, city)
    same = _already_imported(city, importing.content_hash(extraction))
    if same is not None:
        return ImportOutcome(plan=same, created=False, merge=planmerge.Merge(same))
    plan = planmerge.find_plan(city, extraction)
    if plan is None:
        return ImportOutcome(
            plan=Plan(city=city, **importing.plan_fields(extraction)), created=True
        )
    merge = planmerge.compare(plan, extraction)
    return ImportOutcome(plan=plan, created=False, changes=merge.lines(), merge=merge)


@transaction.atomic
def import_plan_extraction(
    extraction: dict,
    *,
    source_name: str,
    source_bytes: bytes,
    city: District | None = None,
    acting_user,
    resolutions: dict[str, str] | None = None,
    conflicts: str = planmerge.DOCUMENT,
) -> ImportOutcome:
    """Create (or revise) a ledger plan from an extraction (``CONTRACT-plans.md`` §2).

    Idempotent: a document whose content the plan already holds creates nothing. A revised
    document of the same plan (same doc_no, else same title) becomes a new revision, merged
    three ways with the previous document and the office's edits (``ledger.planmerge``):
    an office edit stands unless the document changes the same field, a conflict settled by
    ``resolutions`` (change key → ``office``/``document``, else ``conflicts``). Tasks the
    document drops are withdrawn, never deleted. Unknown unit names become
    ``Unit(proposed=True)``; open groups are recorded on the task for the office to settle.
    The original file is kept.
    """
    city = _import_city(extraction, city)
    sha = hashlib.sha256(source_bytes).hexdigest()
    content = importing.content_hash(extraction)
    existing = _already_imported(city, content)
    if existing is not None:
        return ImportOutcome(plan=existing, created=False)

    resolutions = resolutions or {}
    fields = importing.plan_fields(extraction)
    plan = planmerge.find_plan(city, extraction)
    created = plan is None
    merge = None if created else planmerge.compare(plan, extraction)
    if created:
        plan = Plan(city=city, revision=1)
    else:
        fields = planmerge.plan_values(merge, fields, resolutions, conflicts)
        plan.revision += 1
    for name, value in fields.items():
        setattr(plan, name, value)
    if plan.report_day is None:
        plan.report_day = importing.monthly_report_day(fields["rules"])
    plan.source_name, plan.source_sha256 = source_name[:255], sha
    plan.source_file.save(source_name or "plan.txt", ContentFile(source_bytes), save=False)
    plan.save()

    resolver = importing.UnitResolver(city)
    items = [item for item in extraction.get("items") or [] if isinstance(item, dict)]
    sync = PlanSync(plan, resolver, acting_user)
    if merge is None:
        changes = sync.sync(items)
    else:
        sync.sync(
            items,
            keep_tasks=merge.kept_tasks(),
            held_targets=merge.held_targets(resolutions, conflicts),
        )
        planmerge.restore_office_values(merge, resolutions, conflicts)
        changes = merge.lines(resolutions, conflicts)
    revision = PlanRevision.objects.create(
        plan=plan,
        number=plan.revision,
        source_name=plan.source_name,
        source_file=plan.source_file.name,
        sha256=sha,
        content_sha256=content,
        extraction=extraction,
        changes=changes,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    proposed = list(resolver.proposed.values())
    record(
        acting_user,
        "plan.imported" if created else "plan.revised",
        plan,
        changes={
            "revision": [None if created else plan.revision - 1, plan.revision],
            "tasks": [None, plan.tasks.filter(withdrawn=False).count()],
            "proposed_units": [None, [u.name for u in proposed]],
            "changes": [None, changes],
        },
        reason=source_name,
    )
    return ImportOutcome(plan, created, changes, proposed, revision, merge)


# --- who is acting -----------------------------------------------------------------------------


def _is_system(user) -> bool:
    """Internal callers (demo loader, commands) act as the system, with the office's rights."""
    return user is None


def _office(user) -> bool:
    return _is_system(user) or access.is_office(user)


def _require_office(user) -> None:
    if not _office(user):
        raise PermissionDenied(_("只有整改办可以执行此操作"))


def actors_for(user, assignment: Assignment) -> set[str]:
    """The workflow roles (``unit``, ``review``, ``office``) ``user`` holds on this line."""
    out: set[str] = set()
    if _office(user):
        out.add(workflow.OFFICE)
    if user is not None and access.can_change(user, assignment):
        out.add(workflow.UNIT)
    current = assignment.acceptances.order_by("-round").first()
    if current is not None and user is not None and access.can_change(user, current):
        out.add(workflow.REVIEW)
    return out


def _move(assignment: Assignment, action: str, *, acting_user, actor: str | None = None) -> str:
    """Apply one transition of the workflow table to a line (the caller records the audit)."""
    actors = {actor} if actor else actors_for(acting_user, assignment)
    last_error = None
    for who in sorted(actors):
        try:
            target = workflow.next_status(
                assignment.status, action, actor=who, ongoing=assignment.task.ongoing
            )
        except workflow.TransitionRefused as exc:
            last_error = exc
            continue
        if target != assignment.status:
            assignment.status = target
            assignment.status_changed_at = tz.now()
        return target
    label = ACTION_LABELS.get(action, action)
    status = Status(assignment.status).label
    raise ValidationError(
        _("当前状态（%(status)s）下不能%(action)s") % {"status": status, "action": label},
        code="transition",
    ) from last_error


def _line_url(assignment: Assignment) -> str:
    return reverse("ledger-assignment", args=[assignment.pk])


def _line_units(assignment: Assignment) -> list[Unit]:
    return [assignment.unit, *[p.unit for p in assignment.partners.select_related("unit")]]


# --- plans and tasks ---------------------------------------------------------------------------

PLAN_EDITABLE = (
    "title",
    "doc_no",
    "issuer",
    "issued",
    "report_day",
    "detailed_plan_workdays",
    "detailed_plan_date",
    "evidence_rule",
    "acceptance_quorum",
)


@transaction.atomic
def update_plan(plan: Plan, *, acting_user, reason: str = "", **values) -> Plan:
    """Change the plan's own fields (issue date, report day ...); the office only."""
    _require_office(acting_user)
    unknown = set(values) - set(PLAN_EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = snapshot(plan, values.keys())
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean()
    plan.save()
    record(
        acting_user,
        "plan.updated",
        plan,
        changes=diff(before, snapshot(plan, values.keys())),
        reason=reason,
    )
    return plan


@transaction.atomic
def publish_plan(plan: Plan, *, summary: str, acting_user, published: bool = True) -> Plan:
    """Publish (or withdraw) a plan on the public pages with the office-approved summary."""
    _require_office(acting_user)
    before = snapshot(plan, ["published", "public_summary"])
    plan.published, plan.public_summary = published, summary
    plan.published_at = tz.now() if published else None
    plan.save(update_fields=["published", "public_summary", "published_at", "updated_at"])
    record(
        acting_user,
        "plan.published" if published else "plan.unpublished",
        plan,
        changes=diff(before, snapshot(plan, ["published", "public_summary"])),
    )
    return plan


@transaction.atomic
def set_task_public_summary(task: Task, *, summary: str, acting_user) -> Task:
    """The office-approved progress text the public page shows for one item."""
    _require_office(acting_user)
    before = snapshot(task, ["public_summary"])
    task.public_summary = summary
    task.save(update_fields=["public_summary", "updated_at"])
    record(
        acting_user,
        "task.public_summary",
        task,
        changes=diff(before, snapshot(task, ["public_summary"])),
    )
    return task


TASK_EDITABLE = (
    "section",
    "title",
    "problem",
    "target",
    "deadline",
    "deadline_raw",
    "immediate",
    "ongoing",
)


@transaction.atomic
def create_task(plan: Plan, *, acting_user, units: dict[Unit, Iterable[str]], **values) -> Task:
    """Add a task by hand; ``units`` maps each unit to its roles (``UnitRole`` values)."""
    _require_office(acting_user)
    no = values.pop("no", None) or (plan.tasks.aggregate(m=Max("no"))["m"] or 0) + 1
    task = Task(plan=plan, no=no, **{k: v for k, v in values.items() if k in TASK_EDITABLE})
    task.full_clean()
    task.save()
    found = {
        u.pk: importing.UnitRoles(u, set(roles) & importing.ROLE_NAMES)
        for u, roles in units.items()
    }
    importing.sync_assignments(task, found)
    record(
        acting_user,
        "task.created",
        task,
        changes={"units": [None, {u.name: sorted(r) for u, r in units.items()}]},
        reason=_("手工新增"),
    )
    return task


@transaction.atomic
def update_task(task: Task, *, acting_user, reason: str = "", **values) -> Task:
    _require_office(acting_user)
    before = snapshot(task, values.keys())
    for name, value in values.items():
        if name not in TASK_EDITABLE:
            raise ValueError(f"not editable: {name}")
        setattr(task, name, value)
    task.full_clean()
    task.save()
    record(
        acting_user,
        "task.updated",
        task,
        changes=diff(before, snapshot(task, values.keys())),
        reason=reason,
    )
    return task


@transaction.atomic
def settle_group(mention: GroupMention, *, units: Sequence[Unit], acting_user) -> list[Assignment]:
    """The office picks which candidates of an open group take part in the task."""
    _require_office(acting_user)
    task = mention.task
    out = []
    for unit in units:
        assignment, _ = Assignment.objects.get_or_create(task=task, unit=unit)
        for role in mention.roles:
            if role in Assignment.ROLE_FIELDS:
                setattr(assignment, role, True)
        assignment.works = assignment.responsible or assignment.lead or assignment.implementer
        assignment.district = unit.district
        assignment.raw = f"open-group:{mention.group.name}"
        assignment.withdrawn = False
        assignment.save()
        out.append(assignment)
    importing.join_area_bodies(
        list(Assignment.objects.filter(task=task).lines().select_related("unit"))
    )
    mention.settled = True
    mention.save(update_fields=["settled"])
    record(
        acting_user,
        "task.group_settled",
        task,
        changes={mention.group.name: [None, [u.name for u in units]]},
    )
    return out


@transaction.atomic
def add_target(
    task: Task,
    *,
    acting_user,
    indicator: str,
    value: Decimal,
    unit: str = "",
    comparator: str = ">=",
    by: dt.date | None = None,
) -> Target:
    """A quantitative target the office adds (e.g. 油烟在线监测设施 ≥ 758 家)."""
    _require_office(acting_user)
    position = (task.targets.aggregate(m=Max("position"))["m"] or 0) + 1
    target = Target.objects.create(
        task=task,
        position=position,
        indicator=indicator,
        value=value,
        unit=unit,
        comparator=comparator,
        by=by,
    )
    record(acting_user, "task.target_added", task, changes={"target": [None, str(target)]})
    return target


@transaction.atomic
def extend_deadline(
    assignment: Assignment, *, to: dt.date | None, reason: str, acting_user
) -> Assignment:
    """Grant (or remove, ``to=None``) an extension for one line; a reason is required."""
    _require_office(acting_user)
    if not reason.strip():
        raise ValidationError(_("延期须说明理由"), code="reason")
    before = snapshot(assignment, ["extended_to"])
    assignment.extended_to = to
    assignment.save(update_fields=["extended_to"])
    record(
        acting_user,
        "line.extended",
        assignment,
        changes=diff(before, snapshot(assignment, ["extended_to"])),
        reason=reason,
    )
    return assignment


# --- the workflow ------------------------------------------------------------------------------


@transaction.atomic
def transition(assignment: Assignment, action: str, *, acting_user, reason: str = "") -> Assignment:
    """Move a line by one of the simple actions (start, sustain, withdraw, resume, reopen).

    Acceptance moves (apply, pass, fail) go through the acceptance services, which need more
    than a status change.
    """
    if action not in {"start", "sustain", "withdraw", "resume", "reopen"}:
        raise ValueError(f"use the acceptance services for {action}")
    if action == "reopen" and not reason.strip():
        raise ValidationError(_("重新打开须说明理由"), code="reason")
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    before = snapshot(assignment, ["status", "closed_on"])
    _move(assignment, action, acting_user=acting_user)
    if action == "reopen":
        assignment.closed_on = None
    if action == "withdraw":
        assignment.acceptances.filter(passed__isnull=True).exclude(
            state=AcceptanceState.WITHDRAWN
        ).update(state=AcceptanceState.WITHDRAWN)
    assignment.save()
    record(
        acting_user,
        f"line.{action}",
        assignment,
        changes=diff(before, snapshot(assignment, ["status", "closed_on"])),
        reason=reason,
    )
    return assignment


# --- progress reports --------------------------------------------------------------------------


@dataclass
class MilestoneEntry:
    milestone: Milestone
    done: bool
    done_on: dt.date | None = None
    note: str = ""


@dataclass
class ActualEntry:
    target: Target
    value: Decimal
    note: str = ""


def report_day_of(plan: Plan, config: LedgerConfig | None = None) -> int:
    if plan.report_day is not None:
        return plan.report_day
    return (config or LedgerConfig.get()).report_day


def _period_has_evidence(assignment: Assignment, period: dt.date) -> bool:
    """A correction need not upload again what an earlier version of the month carries."""
    from django.contrib.contenttypes.models import ContentType

    from evidence.models import EvidenceFile

    versions = assignment.reports.filter(period=period).values_list("pk", flat=True)
    return EvidenceFile.objects.filter(
        content_type=ContentType.objects.get_for_model(ProgressReport),
        object_id__in=[str(pk) for pk in versions],
    ).exists()


def evidence_refusal(rule: str, *, has_files: bool, reason: str) -> None:
    """The plan's evidence rule for a report (``EvidenceRule``): ``ValidationError`` (code
    ``files``) when the report carries neither what the rule asks nor a reason."""
    if has_files or rule == EvidenceRule.OPTIONAL:
        return
    if rule == EvidenceRule.FILE:
        raise ValidationError(_("本方案要求每次报送附佐证材料"), code="files")
    if not (reason or "").strip():
        raise ValidationError(
            _("请上传佐证材料，或在“未附佐证的说明”中写明没有佐证的原因"), code="files"
        )


@transaction.atomic
def submit_report(
    assignment: Assignment,
    *,
    period: dt.date,
    narrative: str,
    percent: int,
    acting_user,
    problems: str = "",
    next_steps: str = "",
    milestones: Sequence[MilestoneEntry] = (),
    actuals: Sequence[ActualEntry] = (),
    files: Sequence = (),
    source: str = ReportSource.WEB,
    correction_reason: str = "",
    no_evidence_reason: str = "",
    submitted_at: dt.datetime | None = None,
) -> ProgressReport:
    """File a unit's report for one month on its line. A second report for the same month is
    a correction: a new version that supersedes the previous one, which stays as it was.

    Files are evidence (type and size checked); a refused file stores nothing of the report.
    """
    if not (_office(acting_user) or access.can_change(acting_user, assignment)):
        raise PermissionDenied(_("无权报送此项任务"))
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not assignment.works or assignment.withdrawn:
        raise ValidationError(_("此单位在该任务中没有独立的整改事项"), code="not_a_line")
    period = schedule.period_of(period)
    if period > schedule.period_of(tz.local_today()):
        raise ValidationError(_("不能报送未来月份的进展"), code="future")
    if not narrative.strip():
        raise ValidationError(_("请填写进展情况"), code="narrative")
    if not 0 <= int(percent) <= 100:
        raise ValidationError(_("完成进度须在 0–100 之间"), code="percent")
    previous = assignment.reports.filter(period=period, is_current=True).first()
    if previous is not None and not correction_reason.strip():
        raise ValidationError(_("该月已报送；更正须说明原因"), code="correction_reason")
    if milestones:
        allowed_milestones = set(assignment.milestones().values_list("pk", flat=True))
        if any(e.milestone.pk not in allowed_milestones for e in milestones):
            raise ValidationError(_("节点任务不属于此事项"), code="milestone")
    if actuals:
        allowed = assignment.task.targets.filter(withdrawn=False).values_list("pk", flat=True)
        if any(e.target.pk not in set(allowed) for e in actuals):
            raise ValidationError(_("量化目标不属于此任务"), code="target")
    evidence_refusal(
        assignment.task.plan.evidence_rule,
        has_files=bool(files) or _period_has_evidence(assignment, period),
        reason=no_evidence_reason,
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    report = ProgressReport.objects.create(
        assignment=assignment,
        period=period,
        version=(previous.version + 1) if previous else 1,
        supersedes=previous,
        narrative=narrative.strip(),
        percent=int(percent),
        problems=problems.strip(),
        next_steps=next_steps.strip(),
        correction_reason=correction_reason.strip(),
        no_evidence_reason=no_evidence_reason.strip()[:500],
        source=source,
        submitted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        submitted_at=submitted_at or tz.now(),
    )
    MilestoneProgress.objects.bulk_create(
        MilestoneProgress(
            report=report,
            milestone=e.milestone,
            done=e.done,
            done_on=e.done_on if e.done else None,
            note=e.note,
        )
        for e in milestones
    )
    TargetActual.objects.bulk_create(
        TargetActual(report=report, target=e.target, value=e.value, note=e.note) for e in actuals
    )
    for upload in files:
        attach_evidence(upload, to=report, acting_user=acting_user, description=_("进展佐证"))
    before_status = assignment.status
    actor = workflow.OFFICE if _office(acting_user) else workflow.UNIT
    _move(assignment, "report", acting_user=acting_user, actor=actor)
    if assignment.status != before_status:
        assignment.save(update_fields=["status", "status_changed_at"])
    record(
        acting_user,
        "report.corrected" if previous else "report.submitted",
        report,
        changes={
            "period": [None, period.isoformat()],
            "version": [previous.version if previous else None, report.version],
            "percent": [previous.percent if previous else None, report.percent],
            "status": [before_status, assignment.status],
        },
        reason=correction_reason,
    )
    return report


@transaction.atomic
def file_detailed_plan(
    plan: Plan, unit: Unit, *, files: Sequence, note: str = "", acting_user
) -> DetailedPlanFiling:
    """A unit files its 细化整改方案 (a new version each time; earlier ones are kept)."""
    if not (_office(acting_user) or unit.pk in access.unit_ids_of(acting_user, Role.UNIT_OFFICER)):
        raise PermissionDenied(_("无权为该单位报送"))
    if not files:
        raise ValidationError(_("请上传细化整改方案文件"), code="file")
    last = DetailedPlanFiling.objects.filter(plan=plan, unit=unit).aggregate(m=Max("version"))["m"]
    filing = DetailedPlanFiling.objects.create(
        plan=plan,
        unit=unit,
        version=(last or 0) + 1,
        note=note,
        submitted_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        submitted_at=tz.now(),
    )
    for upload in files:
        attach_evidence(upload, to=filing, acting_user=acting_user, description=_("细化整改方案"))
    due = plan.detailed_plan_due
    late = due is not None and tz.local_today() > due
    record(
        acting_user,
        "detailed_plan.filed",
        filing,
        changes={"version": [last, filing.version], "late": [None, late]},
    )
    return filing


# --- supervision -------------------------------------------------------------------------------


@transaction.atomic
def issue_supervision(
    kind: str,
    *,
    title: str,
    units: Sequence[Unit],
    acting_user,
    text: str = "",
    tasks: Sequence[Task] = (),
    due: dt.date | None = None,
    ground: str = "",
    proposal: Proposal | None = None,
) -> Supervision:
    """Record a 催办/督办/通报/约谈/问责 naming units (and tasks), and tell the units.

    A 督办 always has a due date (default: ``order_due_workdays`` working days from today);
    a 问责 states its ground (表面整改, 虚假整改, 敷衍整改 ...).
    """
    _require_office(acting_user)
    if not units:
        raise ValidationError(_("请选择被督办单位"), code="units")
    if kind == SupervisionKind.ORDER and due is None:
        due = add_workdays(tz.local_today(), LedgerConfig.get().order_due_workdays)
        from regulations.notices import warn_calendar_gaps

        warn_calendar_gaps([tz.local_today(), due], context="督办办理时限")
    if kind == SupervisionKind.ACCOUNTABILITY and not ground:
        raise ValidationError(_("问责须注明情形"), code="ground")
    supervision = Supervision.objects.create(
        kind=kind,
        title=title,
        text=text,
        due=due,
        ground=ground,
        issued_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        issued_at=tz.now(),
    )
    supervision.units.set(units)
    supervision.tasks.set(tasks)
    if proposal is not None:
        proposal.state, proposal.supervision = ProposalState.ADOPTED, supervision
        proposal.decided_at = tz.now()
        proposal.decided_by = supervision.issued_by
        proposal.save()
    record(
        acting_user,
        f"supervision.{kind}",
        supervision,
        changes={
            "units": [None, [u.name for u in units]],
            "tasks": [None, [t.no for t in tasks]],
            "due": [None, due.isoformat() if due else None],
        },
        reason=text[:300],
    )
    url = reverse("ledger-supervision", args=[supervision.pk])
    label = SupervisionKind(kind).label
    body = text + (_("\n办理时限：%(due)s") % {"due": due.isoformat()} if due else "")
    notify_units(
        units,
        kind=f"ledger.{kind}",
        title=_("【%(kind)s】%(title)s") % {"kind": label, "title": title},
        body=body,
        url=url,
        dedupe_key=f"supervision:{supervision.pk}",
    )
    return supervision


@transaction.atomic
def reply_to_supervision(
    supervision: Supervision, unit: Unit, *, text: str, acting_user, files: Sequence = ()
) -> SupervisionReply:
    """A named unit answers a supervision record (its report on a 督办)."""
    if unit.pk not in access.unit_ids_of(acting_user, Role.UNIT_OFFICER) and not _office(
        acting_user
    ):
        raise PermissionDenied(_("无权代该单位回复"))
    if not supervision.units.filter(pk=unit.pk).exists():
        raise ValidationError(_("该单位不在督办范围内"), code="unit")
    if not text.strip():
        raise ValidationError(_("请填写回复内容"), code="text")
    reply = SupervisionReply.objects.create(
        supervision=supervision,
        unit=unit,
        text=text.strip(),
        replied_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        replied_at=tz.now(),
    )
    for upload in files:
        attach_evidence(upload, to=reply, acting_user=acting_user, description=_("督办回复佐证"))
    answered = set(supervision.replies.values_list("unit_id", flat=True))
    if supervision.state == SupervisionState.OPEN and answered >= set(
        supervision.units.values_list("pk", flat=True)
    ):
        supervision.state = SupervisionState.ANSWERED
        supervision.save(update_fields=["state"])
    record(
        acting_user,
        "supervision.replied",
        supervision,
        changes={"unit": [None, unit.name]},
        reason=text[:300],
    )
    return reply


@transaction.atomic
def close_supervision(supervision: Supervision, *, note: str, acting_user) -> Supervision:
    _require_office(acting_user)
    before = snapshot(supervision, ["state"])
    supervision.state, supervision.closing_note = SupervisionState.CLOSED, note
    supervision.closed_at = tz.now()
    supervision.save(update_fields=["state", "closing_note", "closed_at"])
    record(
        acting_user,
        "supervision.closed",
        supervision,
        changes=diff(before, snapshot(supervision, ["state"])),
        reason=note,
    )
    return supervision


@transaction.atomic
def propose_supervision(kind: str, *, reason: str, line: Assignment, key: str) -> Proposal | None:
    """Record a system proposal once per ``key`` (None when it was already made)."""
    proposal, created = Proposal.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "reason": reason,
            "unit": line.unit,
            "task": line.task,
            "assignment": line,
        },
    )
    if not created:
        return None
    record(None, "proposal.created", proposal, changes={"kind": [None, kind]}, reason=reason)
    return proposal


GROUP_PREVIEW = 3  # items quoted in a grouped proposal's reason; the page lists them all


@transaction.atomic
def propose_for_unit(kind: str, *, reason: str, line: Assignment, key: str) -> bool:
    """Suggest ``kind`` for ``line`` inside its unit's pending grouped proposal of that kind
    (created on the first line), once per ``key``. Returns True when something new was added.

    The office then sees one 督办 proposal per unit listing its lines, instead of one row per
    line; a new proposal starts once the unit's pending one has been adopted or dismissed."""
    if ProposalItem.objects.filter(key=key).exists() or Proposal.objects.filter(key=key).exists():
        return False
    proposal = (
        Proposal.objects.select_for_update()
        .filter(kind=kind, unit=line.unit, state=ProposalState.PENDING, key__startswith="group:")
        .first()
    )
    created = proposal is None
    if created:
        proposal = Proposal.objects.create(
            kind=kind,
            unit=line.unit,
            reason=reason,
            key=f"group:{kind}:{line.unit_id}:{tz.now():%Y%m%d%H%M%S%f}",
        )
    ProposalItem.objects.create(proposal=proposal, assignment=line, key=key, reason=reason)
    items = list(proposal.items.select_related("assignment__task").order_by("id"))
    tasks = {item.assignment.task_id for item in items}
    proposal.task = items[0].assignment.task if len(tasks) == 1 else None
    proposal.assignment = items[0].assignment if len(items) == 1 else None
    proposal.reason = _group_reason(proposal, items)
    proposal.save(update_fields=["task", "assignment", "reason"])
    record(
        None,
        "proposal.created" if created else "proposal.extended",
        proposal,
        changes={"items": [len(items) - 1, len(items)]},
        reason=reason,
    )
    return True


def _group_reason(proposal: Proposal, items: list[ProposalItem]) -> str:
    if len(items) == 1:
        return items[0].reason
    values = {
        "unit": proposal.unit,
        "n": len(items),
        "kind": proposal.get_kind_display(),
        "first": "；".join(i.reason for i in items[:GROUP_PREVIEW]),
    }
    text = _("%(unit)s 共 %(n)s 项建议%(kind)s：%(first)s") % values
    return text + (_(" 等") if len(items) > GROUP_PREVIEW else "")


@transaction.atomic
def dismiss_proposal(proposal: Proposal, *, reason: str, acting_user) -> Proposal:
    _require_office(acting_user)
    proposal.state, proposal.decided_at = ProposalState.DISMISSED, tz.now()
    proposal.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    proposal.save()
    record(acting_user, "proposal.dismissed", proposal, reason=reason)
    return proposal


def proposal_tasks(proposal: Proposal) -> list[Task]:
    """The tasks a proposal is about: its items' tasks, else its own task."""
    tasks = {item.assignment.task for item in proposal.items.select_related("assignment__task")}
    if not tasks and proposal.task:
        tasks = {proposal.task}
    return sorted(tasks, key=lambda t: (t.plan_id, t.no))


@transaction.atomic
def adopt_proposal(
    proposal: Proposal, *, acting_user, title: str = "", text: str = "", due: dt.date | None = None
) -> Supervision:
    """Turn a proposal into the supervision record it suggests."""
    if proposal.state != ProposalState.PENDING:
        raise ValidationError(_("该建议已处理"), code="decided")
    units = [proposal.unit] if proposal.unit else []
    tasks = proposal_tasks(proposal)
    return issue_supervision(
        proposal.kind,
        title=title or proposal.reason[:300],
        text=text or proposal.reason,
        units=units,
        tasks=tasks,
        due=due,
        acting_user=acting_user,
        proposal=proposal,
    )


# --- acceptance (一事一验) ----------------------------------------------------------------------


def review_unit_for(assignment: Assignment) -> Unit | None:
    """The unit that accepts a line: the task's 验收牵头 unit, else its first acceptance unit."""
    candidates = Assignment.objects.filter(
        task=assignment.task, acceptance=True, withdrawn=False
    ).select_related("unit")
    lead = candidates.filter(acceptance_lead=True).first()
    chosen = lead or candidates.order_by("id").first()
    return chosen.unit if chosen else None


@transaction.atomic
def apply_for_acceptance(
    assignment: Assignment, *, note: str, acting_user, review_unit: Unit | None = None
) -> Acceptance:
    """The unit (or the office for it) applies for acceptance of its line."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    actors = actors_for(acting_user, assignment) & {workflow.UNIT, workflow.OFFICE}
    if not actors:
        raise PermissionDenied(_("无权申请验收"))
    review_unit = review_unit or review_unit_for(assignment)
    if review_unit is None:
        raise ValidationError(_("该任务没有督导验收单位，请整改办先指定"), code="review_unit")
    before = assignment.status
    _move(assignment, "apply", acting_user=acting_user)
    assignment.save()
    last = assignment.acceptances.aggregate(m=Max("round"))["m"] or 0
    acceptance = Acceptance.objects.create(
        assignment=assignment,
        round=last + 1,
        review_unit=review_unit,
        application=note,
        applied_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        applied_at=tz.now(),
    )
    record(
        acting_user,
        "acceptance.applied",
        acceptance,
        changes={"status": [before, assignment.status], "review_unit": [None, review_unit.name]},
        reason=note,
    )
    notify_users(
        users_of_units([review_unit], (Role.REVIEWER, Role.UNIT_OFFICER)),
        kind="ledger.acceptance",
        title=_("验收申请：%(line)s") % {"line": assignment},
        body=note,
        url=reverse("ledger-acceptance", args=[acceptance.pk]),
        dedupe_key=f"acceptance-applied:{acceptance.pk}",
    )
    return acceptance


def _require_reviewer(acceptance: Acceptance, user) -> None:
    if not (_office(user) or access.can_change(user, acceptance)):
        raise PermissionDenied(_("只有验收单位可以执行此操作"))


def _require_undecided(acceptance: Acceptance) -> None:
    if acceptance.is_decided or acceptance.state == AcceptanceState.WITHDRAWN:
        raise ValidationError(_("本轮验收已结束"), code="decided")


@dataclass
class MemberEntry:
    name: str
    role: str
    organisation: str = ""
    user: object = None


def _member_role(role: str) -> str:
    return str(dict(MemberRole.choices).get(role, role))


def member_accounts(acceptance: Acceptance):
    """The accounts a group member may be linked to: reviewers of the review unit and the
    office, the people who can open the acceptance to sign it."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(memberships__unit=acceptance.review_unit, memberships__role=Role.REVIEWER)
            | Q(memberships__role=Role.OFFICE_ADMIN)
        )
        .distinct()
        .order_by("username")
    )


@transaction.atomic
def form_review_group(
    acceptance: Acceptance,
    *,
    members: Sequence[MemberEntry],
    visit_date: dt.date | None,
    acting_user,
) -> Acceptance:
    """The review unit names its on-site group (at least a leader, who signs in with an
    account: the leader signs online and records the others' paper signatures) and the
    checklist is generated from the line's measures, milestones, targets and the task's goal.
    Re-forming the group drops the signatures given so far."""
    _require_reviewer(acceptance, acting_user)
    _require_undecided(acceptance)
    leaders = [m for m in members if m.role == MemberRole.LEADER]
    if not leaders:
        raise ValidationError(_("验收组须有组长"), code="leader")
    if len(leaders) > 1:
        raise ValidationError(_("验收组只能有一名组长"), code="leader")
    if leaders[0].user is None:
        raise ValidationError(
            _("组长须关联本人的平台账号：组长在线签字，并代录其他成员的纸质签字"), code="leader"
        )
    linked = [m.user.pk for m in members if m.user is not None]
    if len(linked) != len(set(linked)):
        raise ValidationError(_("一个账号只能对应一名验收组成员"), code="user")
    allowed = set(member_accounts(acceptance).filter(pk__in=linked).values_list("pk", flat=True))
    if set(linked) - allowed:
        raise ValidationError(_("成员账号须是验收单位的验收人员或整改办人员"), code="user")
    acceptance.members.all().delete()
    AcceptanceMember.objects.bulk_create(
        AcceptanceMember(
            acceptance=acceptance,
            name=m.name,
            role=m.role,
            organisation=m.organisation,
            user=m.user,
        )
        for m in members
    )
    if not acceptance.lines.exists():
        build_checklist(acceptance)
    acceptance.visit_date = visit_date
    acceptance.state = AcceptanceState.GROUP_FORMED
    acceptance.save(update_fields=["visit_date", "state"])
    record(
        acting_user,
        "acceptance.group_formed",
        acceptance,
        changes={
            "members": [None, [f"{m.name}（{_member_role(m.role)}）" for m in members]],
            "visit_date": [None, visit_date.isoformat() if visit_date else None],
            "checklist": [None, acceptance.lines.count()],
        },
    )
    return acceptance


def signatures_needed(acceptance: Acceptance, members: Sequence[AcceptanceMember]) -> int:
    """How many signatures a conclusion needs: every member of the group, unless the plan
    sets a smaller quorum (``Plan.acceptance_quorum``; the leader signs in every case)."""
    quorum = acceptance.assignment.task.plan.acceptance_quorum
    return min(quorum, len(members)) if quorum else len(members)


def _signature_label(member: AcceptanceMember) -> str:
    return f"{member.name}（{_member_role(member.role)}）· {member.get_sign_manner_display()}"


@transaction.atomic
def sign_acceptance(
    member: AcceptanceMember,
    *,
    acting_user,
    manner: str = SignManner.ONLINE,
    statement: str = "",
    paper_date: dt.date | None = None,
) -> AcceptanceMember:
    """One member's signature on the group's findings. A member signs for themself, logged
    in to the account the group linked; the group leader may record another member's paper
    signature, with a statement naming that member and the date on the paper. A changed
    finding afterwards clears the signatures (``record_check``)."""
    acceptance = Acceptance.objects.select_for_update().get(pk=member.acceptance_id)
    _require_undecided(acceptance)
    member = AcceptanceMember.objects.select_for_update().get(pk=member.pk)
    if acceptance.state not in (AcceptanceState.GROUP_FORMED, AcceptanceState.CHECKING):
        raise ValidationError(_("验收组尚未组建"), code="state")
    if member.signed_at:
        raise ValidationError(_("%(name)s 已签字") % {"name": member.name}, code="signed")
    user_id = getattr(acting_user, "pk", None)
    statement = statement.strip()
    if manner == SignManner.ONLINE:
        if user_id is None or member.user_id != user_id:
            raise PermissionDenied(_("只能由成员本人登录签字"))
        statement, paper_date = "", None
    elif manner == SignManner.PAPER:
        leader = acceptance.members.filter(role=MemberRole.LEADER).first()
        if leader is None or user_id is None or leader.user_id != user_id:
            raise PermissionDenied(_("只有验收组组长可以代录纸质签字"))
        if member.pk == leader.pk:
            raise ValidationError(_("组长本人请在线签字"), code="manner")
        if member.name not in statement:
            raise ValidationError(
                _("代录说明须写明签字人姓名（%(name)s）及其在纸质验收意见上签字的情况")
                % {"name": member.name},
                code="statement",
            )
        if paper_date is None:
            raise ValidationError(_("请填写纸质签字日期"), code="paper_date")
        if paper_date > tz.local_today():
            raise ValidationError(_("纸质签字日期不能晚于今天"), code="paper_date")
    else:
        raise ValidationError(_("无效的签字方式"), code="manner")
    member.signed_at = tz.now()
    member.signed_by = acting_user
    member.sign_manner = manner
    member.paper_statement, member.paper_signed_on = statement, paper_date
    member.save(
        update_fields=[
            "signed_at",
            "signed_by",
            "sign_manner",
            "paper_statement",
            "paper_signed_on",
        ]
    )
    changes = {"signature": [None, _signature_label(member)]}
    if paper_date:
        changes["paper_signed_on"] = [None, paper_date.isoformat()]
    record(acting_user, "acceptance.signed", acceptance, changes=changes, reason=statement)
    return member


def _clear_signatures(acceptance: Acceptance, acting_user, why: str) -> None:
    """A signature attests the findings as they stood; a changed finding voids them all."""
    signed = list(acceptance.members.filter(signed_at__isnull=False))
    if not signed:
        return
    acceptance.members.filter(pk__in=[m.pk for m in signed]).update(
        signed_at=None, signed_by=None, sign_manner="", paper_statement="", paper_signed_on=None
    )
    record(
        acting_user,
        "acceptance.signatures_cleared",
        acceptance,
        changes={"signatories": [[m.name for m in signed], None]},
        reason=why,
    )


def build_checklist(acceptance: Acceptance) -> list[ChecklistLine]:
    """One line per measure, milestone and target of the line of work, then the task's goal."""
    assignment = acceptance.assignment
    rows: list[ChecklistLine] = []

    def add(source, text, **links):
        rows.append(
            ChecklistLine(
                acceptance=acceptance, position=len(rows) + 1, source=source, text=text, **links
            )
        )

    for measure in assignment.measures():
        add(CheckSource.MEASURE, str(measure), measure=measure)
    for milestone in assignment.milestones():
        due = _("%(due)s 前") % {"due": milestone.due.isoformat()} if milestone.due else ""
        add(CheckSource.MILESTONE, f"{due}{milestone.promise}", milestone=milestone)
    for target in assignment.task.targets.filter(withdrawn=False):
        add(CheckSource.TARGET, str(target), target=target)
    if assignment.task.target:
        add(CheckSource.GOAL, _("整改目标：%(goal)s") % {"goal": assignment.task.target})
    return ChecklistLine.objects.bulk_create(rows)


@transaction.atomic
def record_check(
    line: ChecklistLine, *, result: str, note: str = "", acting_user, files: Sequence = ()
) -> ChecklistLine:
    """The group's finding on one checklist line, with optional photos or documents."""
    acceptance = line.acceptance
    _require_reviewer(acceptance, acting_user)
    _require_undecided(acceptance)
    if result not in CheckResult.values:
        raise ValidationError(_("无效的核查结果"), code="result")
    if result == CheckResult.FAIL and not note.strip():
        raise ValidationError(_("不符合项须写明问题"), code="note")
    before = snapshot(line, ["result", "note"])
    changed = (before["result"], before["note"]) != (result, note) or bool(files)
    line.result, line.note = result, note
    line.checked_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    line.checked_at = tz.now()
    line.save()
    for upload in files:
        attach_evidence(upload, to=line, acting_user=acting_user, description=_("现场核查佐证"))
    if acceptance.state == AcceptanceState.GROUP_FORMED:
        acceptance.state = AcceptanceState.CHECKING
        acceptance.save(update_fields=["state"])
    record(
        acting_user,
        "acceptance.checked",
        acceptance,
        changes={_("第%(n)s项") % {"n": line.position}: [before["result"], result]},
        reason=note,
    )
    if changed:
        _clear_signatures(
            acceptance, acting_user, _("第%(n)s项核查结果有变，须重新签字") % {"n": line.position}
        )
    return line


@transaction.atomic
def conclude_acceptance(
    acceptance: Acceptance,
    *,
    passed: bool,
    conclusion: str,
    acting_user,
    visit_date: dt.date | None = None,
) -> Acceptance:
    """Close the round once the group has signed (``sign_acceptance``): every member, or the
    plan's quorum with the leader among them. A pass needs every line checked and none
    failing; it closes the line out (销号) on the visit date. A fail returns the line for
    rework with the conclusion as the reasons."""
    _require_reviewer(acceptance, acting_user)
    _require_undecided(acceptance)
    acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    if not conclusion.strip():
        raise ValidationError(_("请填写验收结论"), code="conclusion")
    visit_date = visit_date or acceptance.visit_date
    if visit_date is None:
        raise ValidationError(_("请填写现场验收日期"), code="visit_date")
    if visit_date > tz.local_today():
        raise ValidationError(_("现场验收日期不能晚于今天"), code="visit_date")
    if passed:
        lines = acceptance.lines.all()
        if lines.filter(result=CheckResult.PENDING).exists():
            raise ValidationError(_("尚有未核查的项目"), code="pending")
        if lines.filter(result=CheckResult.FAIL).exists():
            raise ValidationError(_("存在不符合项，不能通过验收"), code="failing")
    members = list(acceptance.members.all())
    signed = [m for m in members if m.signed_at]
    if not members:
        raise ValidationError(_("请先组建验收组"), code="signatories")
    needed = signatures_needed(acceptance, members)
    if len(signed) < needed:
        waiting = "、".join(m.name for m in members if not m.signed_at)
        raise ValidationError(
            _("尚有验收组成员未签字：%(names)s（须 %(n)s 人签字）")
            % {"names": waiting, "n": needed},
            code="signatories",
        )
    if not any(m.role == MemberRole.LEADER for m in signed):
        raise ValidationError(_("验收结论须有验收组组长签字"), code="leader")
    now = tz.now()
    assignment = acceptance.assignment
    before = snapshot(assignment, ["status", "closed_on"])
    _move(
        assignment,
        "pass" if passed else "fail",
        acting_user=acting_user,
        actor=workflow.OFFICE if _office(acting_user) else workflow.REVIEW,
    )
    assignment.closed_on = visit_date if passed else None
    assignment.save()
    acceptance.passed, acceptance.conclusion, acceptance.visit_date = passed, conclusion, visit_date
    acceptance.state = AcceptanceState.PASSED if passed else AcceptanceState.FAILED
    acceptance.decided_at = now
    acceptance.decided_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    acceptance.save()
    record(
        acting_user,
        "acceptance.passed" if passed else "acceptance.failed",
        acceptance,
        changes={"signatories": [None, [_signature_label(m) for m in signed]]},
        reason=conclusion,
    )
    record(
        acting_user,
        "line.closed_out" if passed else "line.returned",
        assignment,
        changes=diff(before, snapshot(assignment, ["status", "closed_on"])),
        reason=conclusion,
    )
    title = (_("验收通过，已销号：%(line)s") if passed else _("验收未通过，退回整改：%(line)s")) % {
        "line": assignment
    }
    notify_units(
        _line_units(assignment),
        kind="ledger.acceptance",
        title=title,
        body=conclusion,
        url=_line_url(assignment),
        dedupe_key=f"acceptance-decided:{acceptance.pk}",
    )
    return acceptance


# --- assessment --------------------------------------------------------------------------------


@transaction.atomic
def compute_scores(month: dt.date, *, acting_user) -> list[UnitScore]:
    """Compute (or recompute) every unit's score for ``month`` and rank the units of each city
    among themselves; propose the monthly 通报 for each city's bottom units and, at a
    quarter's end, the 约谈 of each city's bottom units by the quarter's mean score
    (seed 000 三(一)3). ``acting_user`` None is the monthly schedule (``computescores``)."""
    _require_office(acting_user)
    config = LedgerConfig.get()
    month = schedule.period_of(month)
    rows = _score_month(month, config)
    for city_rows in _by_city(rows).values():
        bottom = city_rows[-config.bottom_count :] if config.bottom_count else []
        _propose_notices(month, bottom)
    from ledger import scoring

    if scoring.is_quarter_end(month):
        _propose_interviews(month, config)
    record(
        acting_user,
        "assessment.computed",
        rows[0] if rows else LedgerConfig.get(),
        changes={"month": [None, f"{month:%Y-%m}"], "units": [None, len(rows)]},
    )
    return rows


def score_last_month_if_due(today: dt.date) -> list[UnitScore] | None:
    """The monthly schedule (``lantian computescores``): once a month has ended, score it as
    the system. Scores computed before the month ended (a click mid-month) are computed
    again; final ones are left alone, so running this hourly does nothing twice."""
    from ledger import scoring

    month = scoring.last_month(today)
    final_from = tz.start_of_local_day(schedule.month_end(month) + dt.timedelta(days=1))
    stored = UnitScore.objects.filter(month=month)
    if stored.exists() and not stored.filter(computed_at__lt=final_from).exists():
        return None
    if not Assignment.objects.lines().exists():
        return None
    return compute_scores(month, acting_user=None)


def _score_month(month: dt.date, config: LedgerConfig) -> list[UnitScore]:
    """Store the month's counts, scores and in-city ranks; rows best first within each city."""
    from ledger import scoring

    weights = config.score_weights
    counts = scoring.month_counts(month, config)
    scores = {u: scoring.weighted_score(c.rates(), weights) for u, c in counts.items()}
    city_of = dict(Unit.objects.filter(pk__in=list(counts)).values_list("pk", "city_id"))
    ranks = scoring.rank_within(scores, city_of)
    UnitScore.objects.filter(month=month).exclude(unit_id__in=counts).delete()
    rows = []
    now = tz.now()
    for unit_id, c in counts.items():
        row, _ = UnitScore.objects.update_or_create(
            month=month,
            unit_id=unit_id,
            defaults={
                "lines": c.lines,
                "reports_due": c.reports_due,
                "reports_on_time": c.reports_on_time,
                "overdue_lines": c.overdue_lines,
                "closed_lines": c.closed_lines,
                "acceptances_decided": c.acceptances_decided,
                "acceptances_passed": c.acceptances_passed,
                "score": scores[unit_id],
                "rank": ranks[unit_id],
                "weights": weights,
                "computed_at": now,
            },
        )
        rows.append(row)
    rows.sort(key=lambda r: (city_of.get(r.unit_id) or 0, r.rank, r.unit_id))
    return rows


def _by_city(rows: list[UnitScore]) -> dict[int, list[UnitScore]]:
    city_of = dict(
        Unit.objects.filter(pk__in=[r.unit_id for r in rows]).values_list("pk", "city_id")
    )
    out: dict[int, list[UnitScore]] = {}
    for row in sorted(rows, key=lambda r: (r.rank, r.unit_id)):
        out.setdefault(city_of.get(row.unit_id), []).append(row)
    return out


def quarter_ranking(
    month: dt.date, *, fill_missing: bool = True
) -> dict[int, list[tuple[Unit, float, int]]]:
    """Per city, the units of the quarter ``month`` ends with their mean score and in-city
    rank, best first. With ``fill_missing`` months not yet scored are scored first (without
    proposals); without, they are left out of the means."""
    from ledger import scoring

    config = LedgerConfig.get()
    monthly = {}
    for m in scoring.quarter_months(month):
        if fill_missing and m != month and not UnitScore.objects.filter(month=m).exists():
            _score_month(m, config)
        monthly[m] = dict(UnitScore.objects.filter(month=m).values_list("unit_id", "score"))
    means = scoring.quarter_scores(monthly)
    units = Unit.objects.in_bulk(list(means))
    ranks = scoring.rank_within(means, {u: units[u].city_id for u in means})
    out: dict[int, list[tuple[Unit, float, int]]] = {}
    for unit_id in sorted(means, key=lambda u: (ranks[u], u)):
        unit = units[unit_id]
        out.setdefault(unit.city_id, []).append((unit, means[unit_id], ranks[unit_id]))
    return out


def _propose_notices(month: dt.date, bottom: list[UnitScore]) -> None:
    for row in bottom:
        line = Assignment.objects.lines().filter(unit=row.unit).first()
        if line is None:
            continue
        values = {
            "month": f"{month:%Y-%m}",
            "unit": row.unit,
            "rank": row.rank,
            "score": f"{row.score:.1f}",
        }
        propose_supervision(
            SupervisionKind.NOTICE,
            reason=_(
                "%(month)s 考核排名靠后：%(unit)s 第 %(rank)s 名（%(score)s 分），建议月度通报"
            )
            % values,
            line=line,
            key=f"notice:rank:{month:%Y-%m}:{row.unit_id}",
        )


def _propose_interviews(month: dt.date, config: LedgerConfig) -> None:
    if not config.bottom_count:
        return
    quarter = f"{month.year}Q{(month.month - 1) // 3 + 1}"
    for ranked in quarter_ranking(month).values():
        for unit, mean, rank in ranked[-config.bottom_count :]:
            line = Assignment.objects.lines().filter(unit=unit).first()
            if line is None:
                continue
            values = {"quarter": quarter, "unit": unit, "rank": rank, "score": f"{mean:.1f}"}
            propose_supervision(
                SupervisionKind.INTERVIEW,
                reason=_(
                    "%(quarter)s 季度考核排名靠后：%(unit)s 第 %(rank)s 名"
                    "（季内三个月平均 %(score)s 分），建议季度约谈"
                )
                % values,
                line=line,
                key=f"interview:rank:{quarter}:{unit.pk}",
            )


# --- Excel progress import ---------------------------------------------------------------------


@dataclass
class WorkbookImport:
    """What a workbook import did: reports registered (all or none), rows that register
    nothing because they equal what was exported (or are empty), and the errors by row."""

    applied: int = 0
    unchanged: int = 0
    period: dt.date | None = None
    errors: list[tuple[int, str]] = field(default_factory=list)


def _same_text(a: str, b: str) -> bool:
    """Equal as a person reads them: spreadsheets rewrite line ends and trailing spaces."""
    return " ".join((a or "").split()) == " ".join((b or "").split())


def import_progress_workbook(content: bytes, *, period: dt.date, acting_user) -> WorkbookImport:
    """Import monthly progress from a returned ledger workbook.

    A row equal to what was exported (the line's latest report), or with nothing in
    进展情况 and 完成进度, registers nothing and is never an error, whatever the line's state:
    exporting and importing back the same file is a no-op, and so is importing one filled
    workbook twice. Every changed row is validated (known line, the user may report on it,
    line not closed, narrative present, 0–100 progress); one bad row means nothing is applied
    and the result names each bad row and why.
    """
    from ledger import excel, queries, scoring

    result = WorkbookImport()
    if not excel.may_import(acting_user):
        raise PermissionDenied(_("只读角色不能导入进展"))
    try:
        cell, rows = excel.read_rows(content)
    except excel.WorkbookError as exc:
        result.errors.append((0, str(exc)))
        return result
    result.period = scoring.parse_month(cell) or schedule.period_of(period)
    if cell and scoring.parse_month(cell) is None:
        result.errors.append((2, _("报送月份“%(v)s”无法识别，应为 YYYY-MM") % {"v": cell}))
    ids = {int(m.group(1)) for r in rows if (m := excel.LINE_ID.match(r.code))}
    latest = queries.latest_reports()
    visible = {
        line.pk: line
        for line in access.restrict(Assignment.objects.filter(works=True), acting_user)
        .filter(pk__in=ids)
        .select_related("task__plan")
        .annotate(
            last_percent=Subquery(latest.values("percent")[:1]),
            last_narrative=Subquery(latest.values("narrative")[:1]),
        )
    }
    changeable = set(
        access.restrict(Assignment.objects.filter(works=True), acting_user, access.CHANGE)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    plans, seen = [], set()
    for row in rows:
        if row.code and row.code in seen:
            result.errors.append((row.number, _("台账编号 %(code)s 重复") % {"code": row.code}))
            continue
        seen.add(row.code)
        match = excel.LINE_ID.match(row.code)
        line = visible.get(int(match.group(1))) if match else None
        if not row.narrative and row.percent in (None, ""):
            result.unchanged += 1
            continue
        if line is not None and _row_unchanged(row, line):
            result.unchanged += 1
            continue
        error, percent = _check_row(row, line, line is not None and line.pk in changeable)
        if error:
            result.errors.append((row.number, error))
            continue
        plans.append((row, line, percent))
    if result.errors or not plans:
        return result
    try:
        with transaction.atomic():
            for row, line, percent in plans:
                existing = line.reports.filter(period=result.period, is_current=True).first()
                submit_report(
                    line,
                    period=result.period,
                    narrative=row.narrative,
                    percent=percent if percent is not None else (line.last_percent or 0),
                    source=ReportSource.EXCEL,
                    acting_user=acting_user,
                    correction_reason=_("Excel 导入更正") if existing else "",
                    no_evidence_reason=row.no_evidence_reason,
                )
                result.applied += 1
    except (ValidationError, PermissionDenied) as exc:
        result.applied = 0
        message = "；".join(getattr(exc, "messages", [str(exc)]))
        result.errors.append((row.number, message))
    return result


def _row_unchanged(row, line) -> bool:
    """The row still says what the export wrote: the line's latest report."""
    if not _same_text(row.narrative, line.last_narrative or ""):
        return False
    if row.percent in (None, ""):
        return True
    try:
        return int(float(str(row.percent).strip().rstrip("%"))) == line.last_percent
    except ValueError:
        return False


def _check_row(row, line, may_change: bool) -> tuple[str, int | None]:
    """Why a changed row cannot become a report (empty when it can), and its percent."""
    from ledger import excel

    if not excel.LINE_ID.match(row.code):
        return _("台账编号缺失或无效"), None
    if line is None or not may_change:
        return _("台账编号 %(code)s 不存在或无权填报") % {"code": row.code}, None
    if line.withdrawn or line.task.withdrawn:
        return _("该事项已撤销，不能再报送进展（本行与导出时不同）"), None
    if line.status == Status.CLOSED:
        return _("该事项已销号，不能再报送进展（本行与导出时不同）"), None
    if not row.narrative:
        return _("进展情况为空"), None
    if len(row.narrative) > 5000:
        return _("进展情况过长（超过 5000 字）"), None
    percent = None
    if row.percent not in (None, ""):
        try:
            percent = int(float(str(row.percent).strip().rstrip("%")))
        except ValueError:
            return _("完成进度“%(v)s”不是数字") % {"v": row.percent}, None
        if not 0 <= percent <= 100:
            return _("完成进度须在 0–100 之间（填了 %(v)s）") % {"v": row.percent}, None
    try:  # a workbook carries no files: the plan's evidence rule decides
        evidence_refusal(
            line.task.plan.evidence_rule, has_files=False, reason=row.no_evidence_reason
        )
    except ValidationError as exc:
        hint = _("（Excel 不能附文件：请在“未附佐证的说明”列写明原因，或在网页报送并上传佐证）")
        return exc.messages[0] + hint, None
    return "", percent
