"""Ledger pages. Thin: look up through ``accounts.access``, validate with ``ledger.forms``,
change through ``ledger.services``, read through ``ledger.queries``."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    can_change,
    get_for_user,
    is_office,
    is_staff_user,
    restrict,
    sees_everything,
    unit_ids_of,
)
from accounts.choices import Role
from accounts.models import District, Unit
from evidence import pending
from evidence.services import evidence_for
from lantian.lib import params, tz
from lantian.lib.forms import refuse
from ledger import (
    actuals,
    excel,
    lamps,
    lampwords,
    lighting,
    queries,
    reporting,
    scoring,
    services,
    timeline,
    workflow,
)
from ledger.choices import ACTION_LABELS, ProposalState, Status, SupervisionKind
from ledger.forms import (
    MEMBER_ROWS,
    ApplyForm,
    CheckForm,
    ConclusionForm,
    DetailedPlanForm,
    ExtendForm,
    GroupForm,
    PaperSignatureForm,
    PlanSettingsForm,
    PublishForm,
    ReasonForm,
    ReplyForm,
    ReportForm,
    SettleGroupForm,
    SupervisionForm,
    TargetForm,
    TaskSummaryForm,
    WorkbookForm,
)
from ledger.models import (
    Acceptance,
    AcceptanceMember,
    Assignment,
    ChecklistLine,
    DetailedPlanFiling,
    GroupMention,
    LedgerConfig,
    Plan,
    ProgressReport,
    Proposal,
    Supervision,
    Task,
    UnitScore,
)


def staff_required(view):
    """Logged in and holding some role; the rest is decided object by object."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_staff_user(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def office_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _back(request, fallback: str):
    return redirect(request.POST.get("next") or fallback)


# --- the ledger list ---------------------------------------------------------------------------


def _list_context(request, filters, page, today):
    return {
        "page": page,
        "filters": filters,
        "today": today,
        "statuses": Status.choices,
        "plans": restrict(Plan.objects.all(), request.user).only("id", "title"),
        "units": _filter_units(request.user),
        "query": filters.query_string(),
        "lamp_choices": [(c, lampwords.name(c)) for c in lamps.COLOURS],
        "legend": lampwords.legend(lighting.rules_on(today)),
    }


@staff_required
def task_list(request):
    """The ledger by task: each item of each plan with its units' status, filterable."""
    today = tz.local_today()
    filters = queries.LineFilter.from_query(request.GET)
    tasks = queries.filter_tasks(request.user, filters, today)
    page = Paginator(tasks.values_list("pk", flat=True), 50).get_page(request.GET.get("page"))
    page.object_list = lighting.attach_to_tasks(
        queries.task_rows(request.user, list(page.object_list), today), today
    )
    context = _list_context(request, filters, page, today)
    template = "ledger/_task_table.html" if request.htmx else "ledger/task_list.html"
    return render(request, template, {**context, "by": "task"})


@staff_required
def line_list(request):
    """The ledger by unit: one row per line of work (task × responsible unit), filterable."""
    today = tz.local_today()
    filters = queries.LineFilter.from_query(request.GET)
    lines = filters.apply(queries.visible_lines(request.user), today).order_by(
        "-task__plan_id", "task__no", "id"
    )
    page = queries.page_of_lines(request.user, lines, request.GET.get("page"))
    lighting.attach(page.object_list, today)
    context = _list_context(request, filters, page, today)
    template = "ledger/_line_table.html" if request.htmx else "ledger/task_list.html"
    return render(request, template, {**context, "by": "line"})


def _filter_units(user):
    if sees_everything(user):
        units = Unit.objects.filter(pk__in=Assignment.objects.filter(works=True).values("unit_id"))
    else:
        units = Unit.objects.filter(pk__in=unit_ids_of(user))
    return units.order_by("kind", "id").values_list("id", "name")


# --- plans -------------------------------------------------------------------------------------


@staff_required
def plan_list(request):
    plans = restrict(Plan.objects.select_related("city"), request.user).annotate(
        n_tasks=Count("tasks", filter=Q(tasks__withdrawn=False), distinct=True)
    )
    return render(request, "ledger/plan_list.html", {"plans": plans})


@staff_required
def plan_detail(request, pk):
    plan = get_for_user(Plan.objects.select_related("city"), request.user, pk)
    return _plan_page(request, plan)


def _plan_page(request, plan, **forms):
    """The plan's page; ``forms`` are bound forms that failed, shown with what was entered."""
    lines = queries.visible_lines(request.user).filter(task__plan=plan)
    status_by_task: dict[int, dict[str, int]] = {}
    for task_id, status, n in (
        lines.order_by().values_list("task_id", "status").annotate(n=Count("pk"))
    ):
        status_by_task.setdefault(task_id, {})[status] = n
    tasks = restrict(plan.tasks.all(), request.user).prefetch_related(
        Prefetch(
            "group_mentions",
            queryset=GroupMention.objects.filter(settled=False).select_related("group"),
        )
    )
    rows = [(t, _status_summary(status_by_task.get(t.pk, {}))) for t in tasks]
    my_units = Unit.objects.filter(pk__in=unit_ids_of(request.user, Role.UNIT_OFFICER))
    filings = restrict(DetailedPlanFiling.objects.filter(plan=plan), request.user).select_related(
        "unit"
    )
    context = {
        "plan": plan,
        "rows": rows,
        "revisions": plan.revisions.order_by("-number"),
        "filings": filings,
        "filing_evidence": {f.pk: list(evidence_for(f)) for f in filings},
        "detailed_form": DetailedPlanForm(units=list(my_units)) if my_units else None,
        "missing_filings": _missing_filings(plan) if sees_everything(request.user) else [],
        "is_office": is_office(request.user),
        "settings_form": PlanSettingsForm(
            initial={
                "issued": plan.issued,
                "doc_no": plan.doc_no,
                "report_day": plan.report_day,
                "evidence_rule": plan.evidence_rule,
                "acceptance_quorum": plan.acceptance_quorum,
            }
        ),
        "publish_form": PublishForm(
            initial={"published": plan.published, "summary": plan.public_summary}
        ),
        "proposed_units": Unit.objects.filter(
            proposed=True, ledger_assignments__task__plan=plan
        ).distinct(),
        "kept": pending.listed(request.user, f"detailed-plan:{plan.pk}"),
    }
    context.update(forms)
    return render(request, "ledger/plan_detail.html", context)


def _status_summary(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(s.value, s.label, counts[s.value]) for s in Status if counts.get(s.value)]


def _missing_filings(plan: Plan) -> list[Unit]:
    filed = DetailedPlanFiling.objects.filter(plan=plan).values("unit_id")
    return list(
        Unit.objects.filter(ledger_assignments__task__plan=plan, ledger_assignments__works=True)
        .exclude(pk__in=filed)
        .distinct()
        .order_by("kind", "id")
    )


@office_required
@require_POST
def plan_settings(request, pk):
    plan = get_for_user(Plan, request.user, pk)
    form = PlanSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_plan(plan, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("ledger-plan", pk=plan.pk)
    return _plan_page(request, plan, settings_form=form)


@office_required
@require_POST
def plan_publish(request, pk):
    plan = get_for_user(Plan, request.user, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        services.publish_plan(
            plan,
            summary=form.cleaned_data["summary"],
            published=form.cleaned_data["published"],
            acting_user=request.user,
        )
        messages.success(request, _("公开设置已保存"))
    return redirect("ledger-plan", pk=plan.pk)


@staff_required
def plan_source(request, pk, number=None):
    """The original document of a plan (or of one revision)."""
    plan = get_for_user(Plan, request.user, pk)
    revision = plan.revisions.filter(number=number).first() if number else None
    stored = revision.source_file if revision else plan.source_file
    if not stored:
        raise Http404
    name = (revision.source_name if revision else plan.source_name) or "plan"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@staff_required
@require_POST
def detailed_plan_file(request, pk):
    plan = get_for_user(Plan, request.user, pk)
    units = Unit.objects.filter(pk__in=unit_ids_of(request.user, Role.UNIT_OFFICER))
    form = DetailedPlanForm(request.POST, request.FILES, units=list(units))
    key = f"detailed-plan:{plan.pk}"
    kept = pending.chosen(request.user, key, request.POST)
    if kept:
        form.fields["files"].required = False
    if form.is_valid():
        try:
            services.file_detailed_plan(
                plan,
                form.cleaned_data["unit"],
                files=[*form.cleaned_data["files"], *pending.files_for(kept)],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            refuse(form, exc, FILE_ERRORS | {"file": "files"})
        else:
            pending.release(request.user, key)
            messages.success(request, _("细化整改方案已报送"))
            return redirect("ledger-plan", pk=plan.pk)
    _keep_uploads(request, form, key, "files")
    return _plan_page(request, plan, detailed_form=form)


# --- tasks -------------------------------------------------------------------------------------


@staff_required
def task_detail(request, pk):
    task = get_for_user(Task.objects.select_related("plan"), request.user, pk)
    return _task_page(request, task)


def _task_page(request, task, **forms):
    today = tz.local_today()
    lines = lighting.attach(queries.lines_for(request.user).filter(task=task).order_by("id"), today)
    assignments = task.assignments.filter(withdrawn=False).select_related(
        "unit", "joint_with__unit"
    )
    supervisions = restrict(task.supervisions.all(), request.user).prefetch_related("units")
    mentions = task.group_mentions.select_related("group").prefetch_related("group__members")
    context = {
        "task": task,
        "today": today,
        "lines": lines,
        "assignments": assignments,
        "measures": task.measures.filter(withdrawn=False).prefetch_related("milestones"),
        "loose_milestones": task.milestones.filter(measure__isnull=True, withdrawn=False),
        "targets": [
            actuals.progress(t, actuals.area_of(None, task.plan.city))
            for t in task.targets.filter(withdrawn=False)
        ],
        "supervisions": supervisions,
        "mentions": [
            (m, SettleGroupForm(candidates=list(m.group.members.all()))) for m in mentions
        ],
        "events": timeline.for_task(task, lines, supervisions),
        "is_office": is_office(request.user),
        "summary_form": TaskSummaryForm(initial={"summary": task.public_summary}),
        "target_form": TargetForm(),
    }
    context.update(forms)
    return render(request, "ledger/task_detail.html", context)


@office_required
@require_POST
def task_summary(request, pk):
    task = get_for_user(Task, request.user, pk)
    form = TaskSummaryForm(request.POST)
    if form.is_valid():
        services.set_task_public_summary(
            task, summary=form.cleaned_data["summary"], acting_user=request.user
        )
        messages.success(request, _("公开进展说明已保存"))
    return redirect("ledger-task", pk=task.pk)


@office_required
@require_POST
def task_target(request, pk):
    task = get_for_user(Task, request.user, pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.add_target(task, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("已新增量化目标"))
        return redirect("ledger-task", pk=task.pk)
    return _task_page(request, task, target_form=form, target_open=True)


@office_required
@require_POST
def group_settle(request, pk):
    mention = get_for_user(GroupMention.objects.select_related("task", "group"), request.user, pk)
    form = SettleGroupForm(request.POST, candidates=list(mention.group.members.all()))
    if form.is_valid():
        services.settle_group(
            mention, units=list(form.cleaned_data["units"]), acting_user=request.user
        )
        messages.success(request, _("已确定参与单位"))
    return redirect("ledger-task", pk=mention.task_id)


# --- one line of work --------------------------------------------------------------------------


def _line(request, pk, action="view") -> Assignment:
    return get_for_user(
        Assignment.objects.lines().select_related("task__plan", "unit", "district"),
        request.user,
        pk,
        action=action,
    )


@staff_required
def line_detail(request, pk):
    return _line_page(request, _line(request, pk))


def _line_page(request, line, **forms):
    """The line's page; ``forms`` are bound forms that failed, shown with what was entered."""
    today = tz.local_today()
    config = LedgerConfig.get()
    actors = services.actors_for(request.user, line)
    reports = line.reports.select_related("submitted_by").prefetch_related(
        "actuals__target", "milestone_lines__milestone"
    )
    acceptances = line.acceptances.select_related("review_unit").prefetch_related("members")
    supervisions = restrict(
        Supervision.objects.filter(
            Q(tasks=line.task) & Q(units__in=[u.pk for u in services._line_units(line)])
        ).distinct(),
        request.user,
    )
    plan_city = line.task.plan.city
    latest_actuals = {}
    for report in line.reports.filter(is_current=True).order_by("period"):
        for actual in report.actuals.all():
            latest_actuals[actual.target_id] = actual
    targets = [
        (t, latest_actuals.get(t.pk), actuals.progress(t, actuals.area_of(line.unit, plan_city)))
        for t in line.task.targets.filter(withdrawn=False)
    ]
    actions = [
        (a, ACTION_LABELS[a])
        for a in workflow.allowed_actions(line.status, actors=actors, ongoing=line.task.ongoing)
        if a in {"start", "sustain", "withdraw", "resume", "reopen"}
    ]
    context = {
        "line": line,
        "today": today,
        "overdue_days": line.days_overdue(today),
        "lamp": (lamp := lighting.line_lamp(line, today, config=config)),
        "lamp_why": lampwords.explain(lamp),
        "partners": line.partners.select_related("unit"),
        "measures": line.measures(),
        "milestones": line.milestones(),
        "targets": targets,
        "reports": reports,
        "acceptances": acceptances,
        "supervisions": supervisions,
        "slots": reporting.slots([line], today, config)[-12:][::-1],
        "this_month": reporting.current_slot(line, today, config),
        "actions": actions,
        "can_report": bool(actors & {workflow.UNIT, workflow.OFFICE})
        and line.status != Status.CLOSED,
        "can_apply": "apply" in workflow.allowed_actions(line.status, actors=actors),
        "is_office": workflow.OFFICE in actors,
        "apply_form": ApplyForm(),
        "reason_form": ReasonForm(),
        "extend_form": ExtendForm(initial={"to": line.deadline}),
        "events": timeline.for_line(line),
    }
    context.update(forms)
    return render(request, "ledger/line_detail.html", context)


@staff_required
@require_POST
def line_action(request, pk, action):
    line = _line(request, pk)
    if action not in {"start", "sustain", "withdraw", "resume", "reopen"}:
        raise Http404
    try:
        services.transition(
            line, action, acting_user=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, ACTION_LABELS[action])
    except ValidationError as exc:
        _fail(request, exc)
    return redirect("ledger-assignment", pk=line.pk)


@office_required
@require_POST
def line_extend(request, pk):
    line = _line(request, pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            services.extend_deadline(
                line,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("已延期"))
            return redirect("ledger-assignment", pk=line.pk)
    return _line_page(request, line, extend_form=form, extend_open=True)


@staff_required
@require_POST
def line_apply(request, pk):
    line = _line(request, pk)
    form = ApplyForm(request.POST)
    if form.is_valid():
        try:
            acceptance = services.apply_for_acceptance(
                line, note=form.cleaned_data["note"], acting_user=request.user
            )
        except ValidationError as exc:
            refuse(form, exc, {"reason": "note"})
        else:
            messages.success(request, _("已提交验收申请"))
            return redirect("ledger-acceptance", pk=acceptance.pk)
    return _line_page(request, line, apply_form=form, apply_open=True)


# --- reports -----------------------------------------------------------------------------------


@staff_required
def report_new(request, pk):
    line = _line(request, pk)
    if not (is_office(request.user) or can_change(request.user, line)):
        raise Http404
    milestones = list(line.milestones())
    targets = list(line.task.targets.filter(withdrawn=False))
    form = ReportForm(
        request.POST or None, request.FILES or None, milestones=milestones, targets=targets
    )
    key = f"report:{line.pk}"
    if request.method == "POST":
        kept = pending.chosen(request.user, key, request.POST)
        report = _submit_report(request, line, form, milestones, targets, kept)
        if report is not None:
            pending.release(request.user, key)
            messages.success(request, _("进展已报送"))
            return redirect("ledger-report", pk=report.pk)
        _keep_uploads(request, form, key, "files")
    return render(
        request,
        "ledger/report_form.html",
        {"line": line, "form": form, "kept": pending.listed(request.user, key)},
    )


# evidence refusals (``evidence.validation``) belong beside the file field
FILE_ERRORS = dict.fromkeys(("empty", "too_large", "mismatch", "type"), "files")


def _keep_uploads(request, form, key: str, field: str) -> None:
    """Keep the files of a failed submission for the next try; a refused file is named
    beside the field (instead of the service's unnamed message, so it shows once)."""
    _kept, refused = pending.keep(request.user, key, request.FILES.getlist(field))
    if refused:
        form.errors[field] = form.error_class(refused)


def _submit_report(request, line, form, milestones, targets, kept):
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.submit_report(
            line,
            period=data["period"],
            narrative=data["narrative"],
            percent=data["percent"],
            problems=data["problems"],
            next_steps=data["next_steps"],
            correction_reason=data["correction_reason"],
            no_evidence_reason=data["no_evidence_reason"],
            milestones=[
                services.MilestoneEntry(m, bool(data[f"ms_{m.pk}"]), data[f"ms_{m.pk}_on"])
                for m in milestones
            ],
            actuals=[
                services.ActualEntry(t, data[f"tg_{t.pk}"])
                for t in targets
                if data[f"tg_{t.pk}"] is not None
            ],
            files=[*data["files"], *pending.files_for(kept)],
            acting_user=request.user,
        )
    except ValidationError as exc:
        refuse(form, exc, {"future": "period", **FILE_ERRORS})
        return None


@staff_required
def report_detail(request, pk):
    report = get_for_user(
        ProgressReport.objects.select_related("assignment__task__plan", "assignment__unit"),
        request.user,
        pk,
    )
    versions = ProgressReport.objects.filter(
        assignment=report.assignment, period=report.period
    ).order_by("-version")
    context = {
        "report": report,
        "line": report.assignment,
        "versions": versions,
        "evidence": evidence_for(report),
        "milestone_lines": report.milestone_lines.select_related("milestone"),
        "actuals": report.actuals.select_related("target"),
    }
    return render(request, "ledger/report_detail.html", context)


# --- acceptance --------------------------------------------------------------------------------


def _acceptance(request, pk, action="view") -> Acceptance:
    return get_for_user(
        Acceptance.objects.select_related(
            "assignment__task__plan", "assignment__unit", "review_unit"
        ),
        request.user,
        pk,
        action=action,
    )


@staff_required
def acceptance_detail(request, pk):
    acceptance = _acceptance(request, pk)
    return render(
        request, "ledger/acceptance_detail.html", _acceptance_context(request, acceptance)
    )


def _acceptance_context(
    request, acceptance, *, group_form=None, conclusion_form=None, paper_form=None, paper_for=None
) -> dict:
    """The acceptance page; a form that failed comes back bound, with what was entered."""
    can_review = is_office(request.user) or can_change(request.user, acceptance)
    members = list(acceptance.members.select_related("user", "signed_by"))
    lines = list(acceptance.lines.select_related("checked_by"))
    evidence = {line.pk: list(evidence_for(line)) for line in lines}
    visit = acceptance.visit_date or tz.local_today()
    # what the unit reported on this line, with its evidence, beside the checklist
    reports = list(acceptance.assignment.reports.filter(is_current=True).order_by("-period")[:6])
    open_round = not acceptance.is_decided and acceptance.state in ("group_formed", "checking")
    leader = next((m for m in members if m.role == "leader"), None)
    is_leader = bool(leader and leader.user_id == request.user.pk)
    accounts = list(services.member_accounts(acceptance)) if can_review else []
    return {
        "reports": [(report, list(evidence_for(report))) for report in reports],
        "acceptance": acceptance,
        "line": acceptance.assignment,
        "members": members,
        "lines": [(line, evidence[line.pk]) for line in lines],
        "can_review": can_review and not acceptance.is_decided,
        "group_form": group_form
        or GroupForm(accounts=accounts, initial=_group_initial(request, visit, members, accounts)),
        "conclusion_form": conclusion_form or ConclusionForm(initial={"visit_date": visit}),
        "check_form": CheckForm(),
        "signed": [m for m in members if m.signed_at],
        # who may sign what: a member for themself, the leader the others' paper forms
        "can_sign_self": open_round,
        "can_record_paper": open_round and is_leader,
        "paper_form": paper_form or PaperSignatureForm(initial={"paper_date": visit}),
        "paper_for": paper_for,
        "signatures_needed": services.signatures_needed(acceptance, members) if members else 0,
        "group_leader": leader,
    }


def _group_initial(request, visit, members, accounts) -> dict:
    """The group as it stands; a new group starts with the person forming it as its leader
    (the leader signs in), when their account may lead it."""
    initial = {"visit_date": visit, **_member_initial(members)}
    if not members and any(u.pk == request.user.pk for u in accounts):
        initial["m0_user"] = str(request.user.pk)
    return initial


def _member_initial(members) -> dict:
    """The group as it stands, so that adjusting it starts from what was entered."""
    out = {}
    for i, member in enumerate(members[:MEMBER_ROWS]):
        out.update(
            {
                f"m{i}_name": member.name,
                f"m{i}_role": member.role,
                f"m{i}_org": member.organisation,
                f"m{i}_user": str(member.user_id or ""),
            }
        )
    return out


@staff_required
@require_POST
def acceptance_group(request, pk):
    acceptance = _acceptance(request, pk)
    form = GroupForm(request.POST, accounts=services.member_accounts(acceptance))
    if form.is_valid():
        try:
            members = [
                services.MemberEntry(name, role, org, user)
                for name, role, org, user in form.members()
            ]
            services.form_review_group(
                acceptance,
                members=members,
                visit_date=form.cleaned_data["visit_date"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("验收组已组建，核查清单已生成"))
            return redirect("ledger-acceptance", pk=acceptance.pk)
    context = _acceptance_context(request, acceptance, group_form=form)
    return render(request, "ledger/acceptance_detail.html", {**context, "group_open": True})


@staff_required
@require_POST
def acceptance_sign(request, pk):
    """A member signs for themself; the group leader records a paper signature."""
    member = get_for_user(
        AcceptanceMember.objects.select_related("acceptance"), request.user, pk, action="view"
    )
    acceptance = _acceptance(request, member.acceptance_id)
    paper = request.POST.get("manner") == "paper"
    form = PaperSignatureForm(request.POST) if paper else None
    if form is None or form.is_valid():
        try:
            services.sign_acceptance(
                member,
                acting_user=request.user,
                manner="paper" if paper else "online",
                statement=form.cleaned_data["statement"] if form else "",
                paper_date=form.cleaned_data["paper_date"] if form else None,
            )
        except ValidationError as exc:
            if form is None:
                messages.error(request, "；".join(exc.messages))
                return redirect("ledger-acceptance", pk=acceptance.pk)
            refuse(form, exc)
        else:
            messages.success(request, _("%(name)s 已签字") % {"name": member.name})
            return redirect("ledger-acceptance", pk=acceptance.pk)
    context = _acceptance_context(request, acceptance, paper_form=form, paper_for=member.pk)
    return render(request, "ledger/acceptance_detail.html", context)


@staff_required
@require_POST
def checklist_check(request, pk):
    line = get_for_user(ChecklistLine.objects.select_related("acceptance"), request.user, pk)
    form = CheckForm(request.POST, request.FILES)
    error = ""
    if form.is_valid():
        try:
            services.record_check(
                line,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["files"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            error = "；".join(exc.messages)
    else:
        error = _("请选择核查结果")
    line.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "ledger/_check_row.html",
            {
                "item": line,
                "files": evidence_for(line),
                "error": error,
                "can_review": True,
                "check_form": CheckForm(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect("ledger-acceptance", pk=line.acceptance_id)


@staff_required
@require_POST
def acceptance_conclude(request, pk):
    acceptance = _acceptance(request, pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            services.conclude_acceptance(
                acceptance,
                passed=form.cleaned_data["passed"],
                conclusion=form.cleaned_data["conclusion"],
                visit_date=form.cleaned_data["visit_date"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            refuse(form, exc, {"pending": None, "failing": None})
        else:
            messages.success(request, _("验收结论已记录"))
            return redirect("ledger-acceptance", pk=acceptance.pk)
    # everything entered comes back: the choice, the conclusion, the date
    context = _acceptance_context(request, acceptance, conclusion_form=form)
    return render(request, "ledger/acceptance_detail.html", context)


# --- supervision -------------------------------------------------------------------------------


@staff_required
def supervision_list(request):
    today = tz.local_today()
    items = restrict(Supervision.objects.all(), request.user).prefetch_related("units", "tasks")
    kind = request.GET.get("kind", "")
    if kind in SupervisionKind.values:
        items = items.filter(kind=kind)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/supervision_list.html",
        {
            "page": page,
            "today": today,
            "kinds": SupervisionKind.choices,
            "kind": kind,
            "is_office": is_office(request.user),
            "pending": Proposal.objects.filter(state=ProposalState.PENDING).count()
            if is_office(request.user)
            else 0,
        },
    )


@office_required
def supervision_new(request):
    city = District.objects.filter(parent=None).first()
    initial = {"kind": request.GET.get("kind", SupervisionKind.URGE)}
    proposal = None
    if request.GET.get("proposal"):
        proposal = Proposal.objects.filter(
            pk=params.key(request.GET, "proposal") or 0, state=ProposalState.PENDING
        ).first()
    task = (
        Task.objects.filter(pk=params.key(request.GET, "task") or 0).select_related("plan").first()
    )
    if task:
        city = task.plan.city
        initial["tasks"] = str(task.no)
        initial["title"] = str(task)[:300]
    if params.key(request.GET, "unit"):
        initial["units"] = [params.key(request.GET, "unit")]
    proposal_tasks = services.proposal_tasks(proposal) if proposal else []
    if proposal:
        initial.update(
            kind=proposal.kind,
            title=proposal.reason[:300],
            text="\n".join([proposal.reason, *(i.reason for i in proposal.items.all())]),
            units=[proposal.unit_id],
            tasks=str(proposal.task.no) if proposal.task else "",
        )
        task = proposal.task
    form = SupervisionForm(request.POST or None, initial=initial, city=city)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan_tasks = task.plan.tasks if task else Task.objects.none()
        numbers = [
            int(n) for n in data["tasks"].replace("，", ",").split(",") if n.strip().isdigit()
        ]
        tasks = list(plan_tasks.filter(no__in=numbers)) if numbers else ([task] if task else [])
        if proposal_tasks and not numbers:  # a unit's grouped proposal: every task it lists
            tasks = proposal_tasks
        try:
            supervision = services.issue_supervision(
                data["kind"],
                title=data["title"],
                text=data["text"],
                units=list(data["units"]),
                tasks=tasks,
                due=data["due"],
                ground=data["ground"],
                acting_user=request.user,
                proposal=proposal,
            )
        except ValidationError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("已下发"))
            return redirect("ledger-supervision", pk=supervision.pk)
    return render(
        request, "ledger/supervision_form.html", {"form": form, "task": task, "proposal": proposal}
    )


@staff_required
def supervision_detail(request, pk):
    return _supervision_page(request, get_for_user(Supervision, request.user, pk))


def _supervision_page(request, supervision, reply_form=None):
    mine = [
        u for u in supervision.units.all() if u.pk in unit_ids_of(request.user, Role.UNIT_OFFICER)
    ]
    replies = supervision.replies.select_related("unit", "replied_by")
    context = {
        "supervision": supervision,
        "today": tz.local_today(),
        "replies": [(r, evidence_for(r)) for r in replies],
        "reply_form": reply_form or (ReplyForm(units=mine) if mine else None),
        "kept": pending.listed(request.user, f"supervision-reply:{supervision.pk}"),
        "is_office": is_office(request.user),
        "tasks": restrict(supervision.tasks.select_related("plan"), request.user),
    }
    return render(request, "ledger/supervision_detail.html", context)


@staff_required
@require_POST
def supervision_reply(request, pk):
    supervision = get_for_user(Supervision, request.user, pk)
    mine = [
        u for u in supervision.units.all() if u.pk in unit_ids_of(request.user, Role.UNIT_OFFICER)
    ]
    form = ReplyForm(request.POST, request.FILES, units=mine)
    key = f"supervision-reply:{supervision.pk}"
    kept = pending.chosen(request.user, key, request.POST)
    if form.is_valid():
        try:
            services.reply_to_supervision(
                supervision,
                form.cleaned_data["unit"],
                text=form.cleaned_data["text"],
                files=[*form.cleaned_data["files"], *pending.files_for(kept)],
                acting_user=request.user,
            )
        except ValidationError as exc:
            refuse(form, exc, FILE_ERRORS)
        else:
            pending.release(request.user, key)
            messages.success(request, _("已回复"))
            return redirect("ledger-supervision", pk=supervision.pk)
    _keep_uploads(request, form, key, "files")
    return _supervision_page(request, supervision, form)


@office_required
@require_POST
def supervision_close(request, pk):
    supervision = get_for_user(Supervision, request.user, pk)
    services.close_supervision(
        supervision, note=request.POST.get("note", ""), acting_user=request.user
    )
    return redirect("ledger-supervision", pk=supervision.pk)


@office_required
def proposal_list(request):
    proposals = (
        Proposal.objects.filter(state=ProposalState.PENDING)
        .select_related("unit", "task__plan", "assignment")
        .prefetch_related("items__assignment__task")
    )
    decided = Proposal.objects.exclude(state=ProposalState.PENDING).select_related(
        "unit", "supervision"
    )[:50]
    return render(
        request, "ledger/proposal_list.html", {"proposals": proposals, "decided": decided}
    )


@office_required
@require_POST
def proposal_dismiss(request, pk):
    proposal = Proposal.objects.filter(pk=pk, state=ProposalState.PENDING).first()
    if proposal is None:
        raise Http404
    services.dismiss_proposal(
        proposal, reason=request.POST.get("reason", ""), acting_user=request.user
    )
    return redirect("ledger-proposals")


# --- units, ranking, dashboard -----------------------------------------------------------------


@staff_required
def unit_list(request):
    """Per-unit overview: lines, open, overdue, closed, and this month's missing reports."""
    today = tz.local_today()
    lines = queries.visible_lines(request.user)
    rows = (
        lines.order_by()
        .values("unit_id", "unit__name")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=Status.CLOSED)),
            overdue=Count("pk", filter=~Q(status=Status.CLOSED) & Q(due__lt=today)),
            applied=Count("pk", filter=Q(status=Status.APPLIED)),
        )
        .order_by("-overdue", "-total", "unit__name")
    )
    tallies = lighting.counts_by(lines, "unit_id", today)
    rows = list(rows)
    for row in rows:
        row["lamps"] = tallies.get(row["unit_id"], {})
        row["lamp"] = lighting.worst(row["lamps"])
    context = {
        "rows": rows,
        "today": today,
        "legend": lampwords.legend(lighting.rules_on(today)),
    }
    return render(request, "ledger/unit_list.html", context)


@staff_required
def ranking(request):
    """One city's units ranked among themselves (the seeds' two cities are assessed apart)."""
    month = scoring.parse_month(request.GET.get("month")) or scoring.last_month(tz.local_today())
    scored = UnitScore.objects.filter(month=month)
    cities = list(
        District.objects.filter(pk__in=scored.values("unit__city_id")).order_by("id")
    ) or list(District.objects.filter(parent=None).order_by("id"))
    city = _chosen_city(request, cities)
    scores = (
        restrict(scored.filter(unit__city=city), request.user)
        .select_related("unit")
        .order_by("rank", "unit_id")
    )
    config = LedgerConfig.get()
    quarter = []
    if scoring.is_quarter_end(month) and scores:
        visible = set(scores.values_list("unit_id", flat=True))
        ranked = services.quarter_ranking(month, fill_missing=False)
        quarter = [row for row in ranked.get(city.pk if city else None, []) if row[0].pk in visible]
    today = tz.local_today()
    tallies = lighting.counts_by(queries.visible_lines(request.user), "unit_id", today)
    bottom = list(scores.order_by("-rank")[: config.bottom_count])[::-1] if scores else []
    scores = list(scores)
    for score in scores:
        score.lamps = tallies.get(score.unit_id, {})
        score.lamp = lighting.worst(score.lamps)
    context = {
        "legend": lampwords.legend(lighting.rules_on(today)),
        "month": month,
        "scores": scores,
        "city": city,
        "cities": cities,
        "weights": config.score_weights,
        "bottom": bottom,
        "quarter_end": scoring.is_quarter_end(month),
        "quarter": quarter,
        "quarter_bottom": quarter[-config.bottom_count :] if config.bottom_count else [],
        "is_office": is_office(request.user),
        "months": UnitScore.objects.order_by("-month")
        .values_list("month", flat=True)
        .distinct()[:24],
    }
    return render(request, "ledger/ranking.html", context)


def _chosen_city(request, cities: list[District]) -> District | None:
    wanted = request.GET.get("city", "")
    by_id = {str(c.pk): c for c in cities}
    if wanted in by_id:
        return by_id[wanted]
    own = Unit.objects.filter(memberships__user=request.user).values_list("city_id", flat=True)
    mine = [c for c in cities if c.pk in set(own)]
    default = [c for c in cities if c.name == settings.LANTIAN_DEFAULT_CITY]
    return (mine or default or cities or [None])[0]


@office_required
@require_POST
def ranking_compute(request):
    month = scoring.parse_month(request.POST.get("month")) or scoring.last_month(tz.local_today())
    services.compute_scores(month, acting_user=request.user)
    messages.success(request, _("考核得分已计算"))
    return redirect(f"{reverse('ledger-ranking')}?month={month:%Y-%m}")


@staff_required
def target_rollup(request):
    """Every quantitative target of a city's plans with its actual value (computed from the
    platform's data where it holds the data, else what units reported) and its progress."""
    cities = list(District.objects.filter(parent=None).order_by("id"))
    city = _chosen_city(request, cities)
    plans = Plan.objects.filter(city=city).order_by("-id") if city else Plan.objects.none()
    plan = plans.filter(pk=params.key(request.GET, "plan") or 0).first()
    rows = actuals.city_rollup(city, plan=plan) if city else []
    measured = sum(1 for r in rows if r.source == actuals.DATA)
    context = {
        "rows": rows,
        "city": city,
        "cities": cities,
        "plans": plans,
        "plan": plan,
        "measured": measured,
        "reported": sum(1 for r in rows if r.source == actuals.REPORTED),
        "met": sum(1 for r in rows if r.met),
    }
    return render(request, "ledger/target_rollup.html", context)


DASHBOARD_TOP_N = 8  # units shown at each end of the completion chart


@staff_required
def dashboard(request):
    today = tz.local_today()
    config = LedgerConfig.get()
    data = queries.dashboard(request.user, today, config.due_soon_days)
    charts = {
        "status": [
            {"name": r["label"], "value": r["n"], "key": r["status"]} for r in data["by_status"]
        ],
        # every unit, best completion first; the chart shows the top and bottom N and the
        # units picked in the page's unit picker
        "units": [
            {
                "unit": r["unit__name"],
                "id": r["unit_id"],
                "total": r["total"],
                "closed": r["closed"],
                "rate": r["rate"],
            }
            for r in sorted(data["by_unit"], key=lambda r: (-r["rate"], -r["total"]))
        ],
        "top_n": DASHBOARD_TOP_N,
        "burnup": data["burnup"],
        "list_url": reverse("ledger-line-list"),
    }
    return render(
        request,
        "ledger/dashboard.html",
        {**data, "today": today, "charts": charts, "top_n": DASHBOARD_TOP_N},
    )


# --- Excel -------------------------------------------------------------------------------------


@staff_required
def export_workbook(request):
    filters = queries.LineFilter.from_query(request.GET)
    lines = filters.apply(queries.lines_for(request.user), tz.local_today())
    content = excel.export_lines(lines, tz.local_today())
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"lantian-ledger-{tz.local_today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required
def import_workbook(request):
    if not excel.may_import(request.user):
        raise PermissionDenied
    form = WorkbookForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        result = services.import_progress_workbook(
            upload.read(), period=tz.local_today(), acting_user=request.user
        )
    return render(request, "ledger/import_form.html", {"form": form, "result": result})
