"""The ledger API: the same reads and writes as the pages, under the same access rules
(``accounts.access``) and through the same services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from accounts.access import get_for_user, is_office, restrict
from accounts.models import Unit
from api.fields import Filter, Id, Limit, Offset, page
from lantian.lib import tz
from ledger import queries, services
from ledger.choices import ReportSource, SupervisionKind
from ledger.choices import Status as LineStatus
from ledger.models import (
    Acceptance,
    AcceptanceMember,
    Assignment,
    ChecklistLine,
    LedgerConfig,
    Milestone,
    ProgressReport,
    Supervision,
    Target,
    Task,
)
from ledger.schemas import (
    AcceptanceOut,
    ApplyIn,
    AssignmentOut,
    CheckIn,
    ConclusionIn,
    ErrorOut,
    GroupIn,
    ReplyIn,
    ReportIn,
    ReportOut,
    SignIn,
    SupervisionIn,
    SupervisionOut,
    TargetProgressOut,
    TaskDetailOut,
    TaskOut,
)

try:  # django-ninja ≥ 1.5 deprecates returning (status, body) tuples
    from ninja.responses import Status
except ImportError:  # pragma: no cover - older django-ninja

    def Status(status_code, value):  # noqa: N802 - mirrors the class it stands in for
        return status_code, value


router = Router(tags=["整改台账"])
PREFIX = "ledger"
ERRORS = {403: ErrorOut, 422: ErrorOut}


def _refused(exc: Exception):
    if isinstance(exc, PermissionDenied):
        return Status(403, {"detail": str(exc) or _("无权操作")})
    return Status(422, {"detail": "；".join(exc.messages), "messages": exc.messages})


@router.get("/tasks", response=list[TaskOut])
def list_tasks(
    request: HttpRequest,
    plan: Id | None = None,
    q: Filter = "",
    offset: Offset = 0,
    limit: Limit = 1000,
):
    """Tasks the caller may see (units see tasks they take part in)."""
    tasks = restrict(Task.objects.select_related("plan"), request.user)
    if plan:
        tasks = tasks.filter(plan_id=plan)
    if q:
        tasks = tasks.filter(title__icontains=q)
    return page(tasks.order_by("plan_id", "no"), offset, limit)


@router.get("/tasks/{task_id}", response=TaskDetailOut)
def get_task(request: HttpRequest, task_id: Id):
    return get_for_user(Task.objects.select_related("plan"), request.user, task_id)


@router.get("/lines", response=list[AssignmentOut])
def list_lines(
    request: HttpRequest,
    plan: Id | None = None,
    status: LineStatus | None = None,
    unit: Id | None = None,
    overdue: bool = False,
    q: Filter = "",
    offset: Offset = 0,
    limit: Limit = 2000,
):
    """Lines of work (task × responsible unit), with the ledger list's filters."""
    filters = queries.LineFilter(plan=plan, status=status or "", unit=unit, overdue=overdue, q=q)
    lines = filters.apply(queries.lines_for(request.user), tz.local_today())
    return page(lines.order_by("task__plan_id", "task__no", "id"), offset, limit)


def _line(request, line_id, action="view") -> Assignment:
    return get_for_user(
        Assignment.objects.lines().select_related("task__plan", "unit"),
        request.user,
        line_id,
        action=action,
    )


@router.get("/lines/{line_id}", response=AssignmentOut)
def get_line(request: HttpRequest, line_id: Id):
    return _line(request, line_id)


@router.get("/lines/{line_id}/reports", response=list[ReportOut])
def list_reports(request: HttpRequest, line_id: Id):
    line = _line(request, line_id)
    return line.reports.prefetch_related("actuals", "milestone_lines")


@router.post("/lines/{line_id}/reports", response={201: ReportOut, **ERRORS})
def submit_report(request: HttpRequest, line_id: Id, data: ReportIn):
    """File a month's report (a second one for the same month needs ``correction_reason``
    and becomes a new version). Evidence files are uploaded through the page; without one,
    plans that ask for evidence (the default) need ``no_evidence_reason``."""
    line = _line(request, line_id)
    try:
        report = services.submit_report(
            line,
            period=data.period,
            narrative=data.narrative,
            percent=data.percent,
            problems=data.problems,
            next_steps=data.next_steps,
            correction_reason=data.correction_reason,
            no_evidence_reason=data.no_evidence_reason,
            milestones=[
                services.MilestoneEntry(
                    get_for_user(Milestone, request.user, m.milestone_id), m.done, m.done_on
                )
                for m in data.milestones
            ],
            actuals=[
                services.ActualEntry(get_for_user(Target, request.user, a.target_id), a.value)
                for a in data.actuals
            ],
            source=ReportSource.API,
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, report)


@router.get("/reports/{report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: Id):
    return get_for_user(ProgressReport, request.user, report_id)


@router.post("/lines/{line_id}/apply", response={201: AcceptanceOut, **ERRORS})
def apply_for_acceptance(request: HttpRequest, line_id: Id, data: ApplyIn):
    line = _line(request, line_id)
    try:
        acceptance = services.apply_for_acceptance(line, note=data.note, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, acceptance)


@router.get("/acceptances/{acceptance_id}", response=AcceptanceOut)
def get_acceptance(request: HttpRequest, acceptance_id: Id):
    return get_for_user(
        Acceptance.objects.select_related("review_unit"), request.user, acceptance_id
    )


@router.post("/acceptances/{acceptance_id}/group", response={200: AcceptanceOut, **ERRORS})
def form_group(request: HttpRequest, acceptance_id: Id, data: GroupIn):
    acceptance = get_for_user(Acceptance, request.user, acceptance_id)
    accounts = {
        u.username: u
        for u in services.member_accounts(acceptance).filter(
            username__in=[m.account for m in data.members if m.account]
        )
    }
    unknown = [m.account for m in data.members if m.account and m.account not in accounts]
    if unknown:
        refusal = _("成员账号须是验收单位的验收人员或整改办人员：%s") % "、".join(unknown)
        return _refused(ValidationError(refusal, code="user"))
    try:
        services.form_review_group(
            acceptance,
            members=[
                services.MemberEntry(m.name, m.role, m.organisation, accounts.get(m.account))
                for m in data.members
            ],
            visit_date=data.visit_date,
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(200, acceptance)


@router.post("/acceptance-members/{member_id}/sign", response={200: AcceptanceOut, **ERRORS})
def sign(request: HttpRequest, member_id: Id, data: SignIn):
    member = get_for_user(AcceptanceMember, request.user, member_id)
    try:
        services.sign_acceptance(
            member,
            acting_user=request.user,
            manner=data.manner,
            statement=data.statement,
            paper_date=data.paper_date,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(200, Acceptance.objects.get(pk=member.acceptance_id))


@router.post("/checks/{check_id}", response={200: AcceptanceOut, **ERRORS})
def record_check(request: HttpRequest, check_id: Id, data: CheckIn):
    line = get_for_user(ChecklistLine.objects.select_related("acceptance"), request.user, check_id)
    try:
        services.record_check(line, result=data.result, note=data.note, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(200, line.acceptance)


@router.post("/acceptances/{acceptance_id}/conclude", response={200: AcceptanceOut, **ERRORS})
def conclude(request: HttpRequest, acceptance_id: Id, data: ConclusionIn):
    acceptance = get_for_user(Acceptance, request.user, acceptance_id)
    try:
        services.conclude_acceptance(
            acceptance,
            passed=data.passed,
            conclusion=data.conclusion,
            visit_date=data.visit_date,
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    acceptance.refresh_from_db()
    return Status(200, acceptance)


@router.get("/supervisions", response=list[SupervisionOut])
def list_supervisions(
    request: HttpRequest,
    kind: SupervisionKind | None = None,
    offset: Offset = 0,
    limit: Limit = 1000,
):
    items = restrict(Supervision.objects.all(), request.user).prefetch_related("units", "tasks")
    if kind:
        items = items.filter(kind=kind)
    return page(items, offset, limit)


@router.get("/supervisions/{supervision_id}", response=SupervisionOut)
def get_supervision(request: HttpRequest, supervision_id: Id):
    return get_for_user(Supervision, request.user, supervision_id)


@router.post("/supervisions", response={201: SupervisionOut, **ERRORS})
def issue_supervision(request: HttpRequest, data: SupervisionIn):
    """The office issues a 催办/督办/通报/约谈/问责."""
    if not is_office(request.user):
        return Status(403, {"detail": _("只有整改办可以下发督查督办")})
    try:
        supervision = services.issue_supervision(
            data.kind,
            title=data.title,
            text=data.text,
            units=list(Unit.objects.filter(pk__in=data.unit_ids)),
            tasks=list(Task.objects.filter(pk__in=data.task_ids)),
            due=data.due,
            ground=data.ground or "",
            acting_user=request.user,
        )
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, supervision)


@router.post("/supervisions/{supervision_id}/replies", response={201: SupervisionOut, **ERRORS})
def reply(request: HttpRequest, supervision_id: Id, data: ReplyIn):
    supervision = get_for_user(Supervision, request.user, supervision_id)
    unit = Unit.objects.filter(pk=data.unit_id).first()
    try:
        if unit is None:
            raise ValidationError(_("未知单位"))
        services.reply_to_supervision(supervision, unit, text=data.text, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        return _refused(exc)
    return Status(201, supervision)


@router.get("/dashboard")
def dashboard(request: HttpRequest):
    """The 驾驶舱 figures for the caller's scope (what the charts draw)."""
    # the page's due-soon window, not a fixed 30 days: both answer the same figures
    data = queries.dashboard(request.user, tz.local_today(), LedgerConfig.get().due_soon_days)
    return {
        "total": data["total"],
        "by_status": data["by_status"],
        "overdue_count": data["overdue_count"],
        "due_soon_count": data["due_soon_count"],
        "by_unit": data["by_unit"],
        "burnup": data["burnup"],
    }


@router.get("/targets/progress", response={200: list[TargetProgressOut], 403: ErrorOut})
def target_progress(request: HttpRequest, city: Id | None = None, plan: Id | None = None):
    """Every quantitative target of a city's plans with its actual value: ``source`` is
    ``data`` when computed from the platform's data, ``reported`` when typed by units."""
    from accounts.access import is_staff_user
    from accounts.models import District
    from ledger import actuals
    from ledger.models import Plan

    if not is_staff_user(request.user):
        return Status(403, {"detail": _("无权查看")})
    place = District.objects.filter(parent=None, pk=city).first() if city else None
    place = place or District.objects.filter(parent=None).order_by("id").first()
    chosen = Plan.objects.filter(pk=plan, city=place).first() if plan else None
    return [
        {
            "target_id": p.target.pk,
            "task_no": p.target.task.no,
            "indicator": p.target.indicator,
            "comparator": p.target.comparator,
            "value": float(p.target.value) if p.target.value is not None else None,
            "unit": p.target.unit,
            "by": p.target.by,
            "actual": p.value,
            "source": p.source,
            "source_label": p.source_label,
            "text": p.text,
            "met": p.met,
            "progress": p.share,
        }
        for p in actuals.city_rollup(place, plan=chosen)
    ]
