"""Pages of the heavy-pollution response. Every read goes through ``restrict``/``get_for_user``,
every write through ``emergency.services``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    CHANGE,
    can_change,
    get_for_user,
    is_inspector,
    is_office,
    is_staff_user,
    restrict,
)
from accounts.models import District
from emergency import draws, listfile, queries, readings, services
from emergency.choices import (
    HIGH_GRADES,
    LEVEL_COLOURS,
    CaseStatus,
    Drive,
    Grade,
    InspectionStatus,
    Level,
    RoundStatus,
    StepKind,
)
from emergency.forms import (
    CaseForm,
    CommitForm,
    DrawForm,
    ForecastForm,
    GradeForm,
    ImportForm,
    InspectionForm,
    IssueForm,
    LevelForm,
    LiftForm,
    PhotoForm,
)
from emergency.models import (
    Case,
    DrawRound,
    Enterprise,
    Episode,
    GradeChange,
    ImportRun,
    Inspection,
    InspectionPlan,
    ReductionMeasure,
)
from emergency.rules import grade_target, warning_rules
from emergency.warnings import RuleError
from evidence.services import evidence_for
from lantian.lib import params as query
from lantian.lib import tz


def _staff_only(user) -> None:
    if not is_staff_user(user):
        raise PermissionDenied


def _office_only(user) -> None:
    if not is_office(user):
        raise PermissionDenied


def _default_city() -> District:
    city = District.objects.filter(parent=None, name=settings.LANTIAN_DEFAULT_CITY).first()
    if city is None:
        raise Http404
    return city


def _form_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- dashboard and episodes ------------------------------------------------------------------


@login_required
def home(request):
    """Where the response stands today: the open episode, today's plans, my open checks."""
    _staff_only(request.user)
    today = tz.local_today()
    episodes = restrict(Episode.objects.all(), request.user).filter(lifted_at=None)
    plans = (
        restrict(InspectionPlan.objects.filter(day=today), request.user)
        .select_related("unit")
        .annotate(
            planned=Count("inspections"),
            done=Count("inspections", filter=Q(inspections__status=InspectionStatus.DONE)),
        )
    )
    mine = restrict(Inspection.objects.filter(plan__day=today), request.user).filter(
        status=InspectionStatus.PENDING
    )
    return render(
        request,
        "emergency/home.html",
        {
            "episodes": list(episodes.order_by("starts_at")),
            "plans": plans,
            "pending": mine.count() if is_inspector(request.user) else None,
            "today": today,
            "is_office": is_office(request.user),
        },
    )


def _segments(episodes) -> list[dict]:
    """Level segments for the timeline chart: one bar per level period of each episode."""
    out = []
    now = tz.now()
    for episode in episodes:
        steps = list(episode.steps.all())
        for step, nxt in zip(steps, [*steps[1:], None], strict=True):
            if step.kind == StepKind.LIFT:
                continue
            end = (
                nxt.effective_at
                if nxt
                else (episode.expected_end_at or max(now, step.effective_at))
            )
            out.append(
                {
                    "episode": episode.number,
                    "level": step.level_after,
                    "label": str(Level(step.level_after).label),
                    "start": tz.to_local(step.effective_at).isoformat(),
                    "end": tz.to_local(end).isoformat(),
                    "color": LEVEL_COLOURS[step.level_after],
                    "open": nxt is None and not episode.lifted_at,
                }
            )
    return out


@login_required
def episode_list(request):
    """Every episode with its level history on one timeline."""
    _staff_only(request.user)
    episodes = list(
        restrict(Episode.objects.all(), request.user)
        .select_related("city", "issued_by")
        .prefetch_related("steps")
        .order_by("-starts_at")[:100]
    )
    return render(
        request,
        "emergency/episode_list.html",
        {
            "episodes": episodes,
            "segments": _segments(reversed(episodes)),
            "is_office": is_office(request.user),
        },
    )


@login_required
def episode_detail(request, pk: int):
    """One episode: its steps with times and authors, its daily draws and plans, its figures."""
    episode = get_for_user(
        Episode.objects.select_related("city", "issued_by").prefetch_related("steps__recorded_by"),
        request.user,
        pk,
    )
    rounds = episode.rounds.select_related("committed_by", "drawn_by").order_by("day")
    inspections = restrict(Inspection.objects.filter(plan__round__episode=episode), request.user)
    office = is_office(request.user)
    today = tz.local_today()
    return render(
        request,
        "emergency/episode_detail.html",
        {
            "episode": episode,
            "steps": episode.steps.all(),
            "segments": _segments([episode]),
            "rounds": rounds,
            "by_level": queries.stats_by_level(inspections, 0),
            "is_office": office,
            "level_form": LevelForm(
                initial={
                    "effective_at": tz.to_local(tz.now()),
                    "expected_end_at": episode.expected_end_at,
                }
            )
            if office and not episode.lifted_at
            else None,
            "lift_form": LiftForm(initial={"effective_at": tz.to_local(tz.now())})
            if office and not episode.lifted_at
            else None,
            "commit_form": CommitForm(initial={"day": today})
            if office and not episode.lifted_at
            else None,
        },
    )


@login_required
@require_POST
def episode_change(request, pk: int):
    episode = get_for_user(Episode, request.user, pk, action=CHANGE)
    form = LevelForm(request.POST)
    if form.is_valid():
        try:
            services.change_level(
                episode,
                form.cleaned_data["level"],
                effective_at=form.cleaned_data["effective_at"],
                expected_end_at=form.cleaned_data["expected_end_at"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("已变更预警级别并通知各单位。"))
        except ValidationError as exc:
            _form_errors(request, exc)
    else:
        messages.error(request, _("请填写新级别、生效时间和理由。"))
    return redirect("emergency-episode", pk=episode.pk)


@login_required
@require_POST
def episode_lift(request, pk: int):
    episode = get_for_user(Episode, request.user, pk, action=CHANGE)
    form = LiftForm(request.POST)
    if form.is_valid():
        try:
            services.lift_episode(
                episode,
                effective_at=form.cleaned_data["effective_at"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("预警已解除，已通知各单位。"))
        except ValidationError as exc:
            _form_errors(request, exc)
    else:
        messages.error(request, _("请填写解除时间和理由。"))
    return redirect("emergency-episode", pk=episode.pk)


# --- warning proposal --------------------------------------------------------------------------


@login_required
def propose(request):
    """Paste or upload a forecast; the rules in force propose a level (htmx partial)."""
    _staff_only(request.user)
    city = _default_city()
    context = {"form": ForecastForm(), "city": city, "is_office": is_office(request.user)}
    if request.method == "POST":
        form = ForecastForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            context.update(_proposal_context(request, city, form.cleaned_data))
    template = "emergency/_proposal.html" if request.htmx else "emergency/propose.html"
    return render(request, template, context)


def _proposal_context(request, city, data) -> dict:
    first = min(
        [d for d, _ in data["daily"]] + [t.date() for t, _ in data["hourly"]],
        default=tz.local_today(),
    )
    try:
        rules = warning_rules(city.name, first)
    except (LookupError, RuleError) as exc:
        return {"rule_error": str(exc)}
    from emergency.warnings import propose as propose_level

    proposal = propose_level(rules, daily=data["daily"], hourly=data["hourly"])
    basis = proposal.as_dict()
    issue_form = None
    top = proposal.first
    if top and is_office(request.user):
        issue_form = IssueForm(
            initial={
                "city": city,
                "level": proposal.level,
                "starts_at": _aware(top.start),
                "expected_end_at": _aware(top.end),
                "basis": basis,
                "rule_code": rules.code,
                "basis_note": _("按%(code)s：%(clauses)s（%(basis)s）")
                % {"code": rules.code, "clauses": "；".join(top.matched), "basis": proposal.basis},
            }
        )
    chart = {
        "x": [d.start.strftime("%m-%d %H:%M") for d in proposal.days],
        "y": [None if d.aqi is None else round(float(d.aqi), 1) for d in proposal.days],
        "thresholds": sorted(
            {float(c.threshold) for lv in rules.levels for g in lv.any_of for c in g}
        ),
    }
    return {
        "proposal": proposal,
        "level_label": Level(proposal.level).label if proposal.level else None,
        "level_colour": LEVEL_COLOURS.get(proposal.level, "#888"),
        "rules": rules,
        "issue_form": issue_form,
        "chart": chart,
    }


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=tz.LOCAL_TZ)


@login_required
@require_POST
def issue(request):
    _office_only(request.user)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写城市、级别和启动时间。"))
        return redirect("emergency-propose")
    data = form.cleaned_data
    try:
        episode = services.issue_episode(
            city=data["city"],
            level=data["level"],
            starts_at=data["starts_at"],
            expected_end_at=data["expected_end_at"],
            basis=data["basis"] or {},
            basis_note=data["basis_note"],
            rule_code=data["rule_code"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        _form_errors(request, exc)
        return redirect("emergency-propose")
    messages.success(request, _("预警已发布，已通知各区县和相关部门。"))
    return redirect("emergency-episode", pk=episode.pk)


# --- the reduction list ----------------------------------------------------------------------


def _filtered_enterprises(request):
    qs = restrict(Enterprise.objects.all(), request.user).select_related("district")
    params = request.GET
    district = query.key(params, "district")
    if params.get("q"):
        qs = qs.filter(Q(name__contains=params["q"]) | Q(credit_code__icontains=params["q"]))
    if district:
        qs = qs.filter(district_id=district)
    if params.get("industry"):
        qs = qs.filter(industry=params["industry"])
    if params.get("grade"):
        qs = qs.filter(grade=params["grade"])
    listed = params.get("listed", "1")
    if listed in ("0", "1"):
        qs = qs.filter(on_list=listed == "1")
    if params.get("stop") in Level.values:
        qs = qs.filter(measures__level=params["stop"], measures__stop_production=True)
    if params.get("devices") == "1":
        qs = qs.exclude(device_mns=[])
    return qs.order_by("district_id", "name")


@login_required
def enterprise_list(request):
    """The reduction list with filters; the table is swapped by htmx as filters change."""
    _staff_only(request.user)
    qs = _filtered_enterprises(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    visible = restrict(Enterprise.objects.all(), request.user)
    context = {
        "page": page,
        "districts": District.objects.filter(
            pk__in=visible.values("district_id").distinct()
        ).order_by("id"),
        "industries": visible.exclude(industry="")
        .values_list("industry", flat=True)
        .distinct()
        .order_by("industry"),
        "grades": Grade.choices,
        "levels": Level.choices,
        "params": request.GET,
        "query": request.GET.urlencode(),
        "is_office": is_office(request.user),
    }
    template = (
        "emergency/_enterprise_table.html" if request.htmx else "emergency/enterprise_list.html"
    )
    return render(request, template, context)


@login_required
def enterprise_export(request):
    """The filtered list as a workbook in the import format."""
    _staff_only(request.user)
    data = listfile.write_workbook(queries.export_rows(_filtered_enterprises(request)))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"emergency-list-{tz.local_today().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def enterprise_detail(request, pk: int):
    """An enterprise: measures per level, grade history, inspections, cases and online data."""
    enterprise = get_for_user(
        Enterprise.objects.select_related("district", "city"), request.user, pk
    )
    episodes = list(restrict(Episode.objects.all(), request.user).order_by("-starts_at")[:20])
    chosen = next((e for e in episodes if str(e.pk) == request.GET.get("episode")), None)
    chosen = chosen or (episodes[0] if episodes else None)
    online = None
    if chosen and enterprise.device_mns:
        online = readings.for_episode(
            enterprise.device_mns, chosen.starts_at, chosen.lifted_at or tz.now()
        )
    owed = {m.level: m for m in enterprise.measures.all()}
    owed_now = owed.get(chosen.level) if chosen else None
    owed_pct = None
    if owed_now is not None:
        owed_pct = 100 if owed_now.stop_production else owed_now.reduction_pct
    return render(
        request,
        "emergency/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "measures": [owed.get(level.value) for level in Level],
            "levels": Level,
            "changes": enterprise.grade_changes.select_related("changed_by"),
            "inspections": restrict(enterprise.inspections.all(), request.user)
            .select_related("plan__unit", "inspector")
            .order_by("-plan__day"),
            "cases": restrict(enterprise.cases.all(), request.user),
            "units": enterprise.responsible_units.all(),
            "episodes": episodes,
            "episode": chosen,
            "online": online,
            "online_rows": [(c, c.falls_short(owed_pct)) for c in online.comparisons]
            if online
            else [],
            "online_chart": {"series": online.series, "start": online.start.isoformat()}
            if online
            else None,
            "owed": owed_now,
            "provider": readings.provider() is not None,
            "grade_form": GradeForm(initial={"effective_on": tz.local_today()})
            if is_office(request.user)
            else None,
        },
    )


@login_required
@require_POST
def grade_change(request, pk: int):
    _office_only(request.user)
    enterprise = get_for_user(Enterprise, request.user, pk)
    form = GradeForm(request.POST)
    if form.is_valid():
        try:
            services.change_grade(
                enterprise,
                form.cleaned_data["grade"],
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
            messages.success(request, _("已记录绩效等级变更。"))
        except ValidationError as exc:
            _form_errors(request, exc)
    return redirect("emergency-enterprise", pk=pk)


@login_required
def import_upload(request):
    """Upload the list; every row is checked before anything changes."""
    _office_only(request.user)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"city": _default_city()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.check_list_upload(
                form.cleaned_data["file"],
                city=form.cleaned_data["city"],
                replace=form.cleaned_data["replace"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            _form_errors(request, exc)
        else:
            return redirect("emergency-import-run", pk=run.pk)
    runs = ImportRun.objects.select_related("created_by").order_by("-id")[:20]
    return render(request, "emergency/import.html", {"form": form, "runs": runs})


@login_required
def import_run(request, pk: int):
    """A checked upload: its report of bad rows, or what applying it will change."""
    _office_only(request.user)
    run = get_for_user(ImportRun.objects.select_related("city", "created_by"), request.user, pk)
    if request.method == "POST":
        try:
            services.apply_list(run, acting_user=request.user)
            messages.success(request, _("清单已导入。"))
        except ValidationError as exc:
            _form_errors(request, exc)
        return redirect("emergency-import-run", pk=run.pk)
    return render(request, "emergency/import_run.html", {"run": run})


# --- draws and plans ---------------------------------------------------------------------------


@login_required
@require_POST
def round_commit(request, pk: int):
    episode = get_for_user(Episode, request.user, pk, action=CHANGE)
    form = CommitForm(request.POST)
    if form.is_valid():
        try:
            round_ = services.commit_round(
                episode, form.cleaned_data["day"], acting_user=request.user
            )
            messages.success(request, _("承诺值已公布。"))
            return redirect("emergency-round", pk=round_.pk)
        except ValidationError as exc:
            _form_errors(request, exc)
    return redirect("emergency-episode", pk=episode.pk)


@login_required
def round_detail(request, pk: int):
    """A day's draw: the commitment, and once drawn the revealed inputs, plans and a re-check."""
    round_ = get_for_user(
        DrawRound.objects.select_related("episode", "committed_by", "drawn_by"), request.user, pk
    )
    check = draws.verify_round(round_) if round_.is_drawn and request.GET.get("verify") else None
    if check is not None and request.htmx:
        return render(request, "emergency/_verify.html", {"check": check})
    plans = (
        restrict(round_.plans.all(), request.user)
        .select_related("unit")
        .annotate(planned=Count("inspections"))
    )
    draw_form = None
    if is_office(request.user) and round_.status == RoundStatus.COMMITTED:
        draw_form = DrawForm()
    return render(
        request,
        "emergency/round_detail.html",
        {
            "round": round_,
            "plans": plans,
            "check": check,
            "draw_form": draw_form,
            "today": tz.local_today(),
        },
    )


@login_required
@require_POST
def round_draw(request, pk: int):
    _office_only(request.user)
    round_ = get_for_user(DrawRound, request.user, pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            services.run_draw(
                round_,
                beacon=form.cleaned_data["beacon"],
                beacon_source=form.cleaned_data["beacon_source"],
                acting_user=request.user,
            )
            messages.success(request, _("已抽取并公布今日检查计划。"))
        except (ValidationError, draws.DrawError) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
    return redirect("emergency-round", pk=round_.pk)


@login_required
def plan_list(request):
    """The day's plans of the units the user may see (printable)."""
    _staff_only(request.user)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = tz.local_today()
    plans = (
        restrict(InspectionPlan.objects.filter(day=day), request.user)
        .select_related("unit", "round__episode")
        .annotate(
            planned=Count("inspections"),
            done=Count("inspections", filter=Q(inspections__status=InspectionStatus.DONE)),
        )
        .order_by("unit_id")
    )
    return render(
        request,
        "emergency/plan_list.html",
        {
            "plans": plans,
            "day": day,
            "prev": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
        },
    )


@login_required
def plan_detail(request, pk: int):
    """One unit's plan for one day: the enterprises and the measures they owe (printable)."""
    plan = get_for_user(
        InspectionPlan.objects.select_related("unit", "round__episode"), request.user, pk
    )
    measures = ReductionMeasure.objects.filter(level=plan.level)
    inspections = (
        restrict(plan.inspections.all(), request.user)
        .select_related("enterprise", "district", "inspector")
        .prefetch_related(Prefetch("enterprise__measures", queryset=measures, to_attr="owed"))
    )
    return render(request, "emergency/plan_detail.html", {"plan": plan, "inspections": inspections})


# --- inspections -------------------------------------------------------------------------------


@login_required
def my_inspections(request):
    """For field inspectors: the checks open to them today and what they recorded lately."""
    _staff_only(request.user)
    visible = restrict(Inspection.objects.all(), request.user).select_related(
        "enterprise", "district", "plan__unit"
    )
    today = tz.local_today()
    return render(
        request,
        "emergency/my_inspections.html",
        {
            "open": visible.filter(status=InspectionStatus.PENDING, plan__day=today),
            "recorded": visible.filter(inspector=request.user).order_by("-recorded_at")[:30],
            "today": today,
        },
    )


@login_required
def inspection_detail(request, pk: int):
    """An inspection: what to check, and the recording form (mobile-friendly) while open."""
    inspection = get_for_user(
        Inspection.objects.select_related(
            "enterprise__district", "plan__unit", "plan__round__episode", "inspector", "district"
        ),
        request.user,
        pk,
    )
    may_record = inspection.status == InspectionStatus.PENDING and can_change(
        request.user, inspection
    )
    form = InspectionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_record:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            finding = services.Finding(
                result=data["result"],
                measures_in_place=data["measures_in_place"],
                facilities_running=data["facilities_running"],
                ledger_ok=data["ledger_ok"],
                findings=data["findings"],
                inspected_at=data["inspected_at"],
            )
            try:
                services.record_inspection(
                    inspection, finding, photos=data["photos"], acting_user=request.user
                )
                messages.success(request, _("检查记录已保存。"))
                return redirect("emergency-inspection", pk=inspection.pk)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
    owed = inspection.enterprise.measures.filter(level=inspection.plan.level).first()
    case = Case.objects.filter(inspection=inspection).first()
    return render(
        request,
        "emergency/inspection_detail.html",
        {
            "inspection": inspection,
            "owed": owed,
            "form": form if may_record else None,
            "photo_form": PhotoForm()
            if inspection.status == InspectionStatus.DONE
            and inspection.inspector_id == request.user.pk
            else None,
            "evidence": evidence_for(inspection),
            "case": case
            if case and restrict(Case.objects.filter(pk=case.pk), request.user).exists()
            else None,
        },
    )


@login_required
@require_POST
def inspection_photos(request, pk: int):
    inspection = get_for_user(Inspection, request.user, pk, action=CHANGE)
    if inspection.inspector_id != request.user.pk and not is_office(request.user):
        raise Http404
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_inspection_photos(
                inspection, form.cleaned_data["photos"], acting_user=request.user
            )
            messages.success(request, _("照片已补充。"))
        except ValidationError as exc:
            _form_errors(request, exc)
    return redirect("emergency-inspection", pk=pk)


# --- cases -----------------------------------------------------------------------------------


@login_required
def case_list(request):
    _staff_only(request.user)
    cases = restrict(Case.objects.all(), request.user).select_related(
        "enterprise", "district", "owner_unit"
    )
    status = request.GET.get("status")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    page = Paginator(cases.order_by("-opened_at"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/case_list.html",
        {"page": page, "statuses": CaseStatus.choices, "status": status},
    )


@login_required
def case_detail(request, pk: int):
    case = get_for_user(
        Case.objects.select_related(
            "enterprise", "district", "owner_unit", "inspection__inspector"
        ),
        request.user,
        pk,
    )
    may_change = can_change(request.user, case) and case.status != CaseStatus.CLOSED
    form = CaseForm(request.POST or None)
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            try:
                services.update_case(
                    case,
                    status=form.cleaned_data["status"],
                    handling=form.cleaned_data["handling"],
                    acting_user=request.user,
                )
                messages.success(request, _("案件已更新。"))
                return redirect("emergency-case", pk=case.pk)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
    evidence = evidence_for(case.inspection) if case.inspection_id else []
    return render(
        request,
        "emergency/case_detail.html",
        {"case": case, "form": form if may_change else None, "evidence": evidence},
    )


# --- statistics and grades ---------------------------------------------------------------------


@login_required
def statistics(request):
    """Coverage and compliance by level, district and unit, each rate with its formula."""
    _staff_only(request.user)
    episodes = list(restrict(Episode.objects.all(), request.user).order_by("-starts_at")[:50])
    episode = next((e for e in episodes if str(e.pk) == request.GET.get("episode")), None)
    inspections = restrict(Inspection.objects.all(), request.user)
    plans = restrict(InspectionPlan.objects.all(), request.user)
    if episode:
        inspections = inspections.filter(plan__round__episode=episode)
        plans = plans.filter(round__episode=episode)
    enterprises = restrict(Enterprise.objects.all(), request.user)
    listed = enterprises.filter(on_list=True).count()
    by_district = queries.stats_by_district(inspections, enterprises)
    context = {
        "episodes": episodes,
        "episode": episode,
        "listed": listed,
        "by_level": queries.stats_by_level(inspections, listed),
        "by_district": by_district,
        "by_unit": queries.stats_by_unit(inspections, plans),
        "quota_days": sorted(queries.quota_met_by_day(inspections, plans).items()),
        "chart": {
            "categories": [r.label for r in by_district],
            "unit": "%",
            "series": [
                {"name": _("覆盖率"), "data": [r.coverage or 0 for r in by_district]},
                {"name": _("落实率"), "data": [r.compliance for r in by_district]},
            ],
        },
    }
    return render(request, "emergency/statistics.html", context)


@login_required
def grades(request):
    """The grade register: counts per district, progress to the target, the upgrade drives."""
    _staff_only(request.user)
    enterprises = restrict(Enterprise.objects.all(), request.user)
    city = _default_city()
    table, total = queries.grade_table(enterprises)
    target = grade_target(city.name, tz.local_today())
    high = sum(total.get(g, 0) for g in (target.grades if target else HIGH_GRADES))
    drives = queries.proposals(enterprises)
    recent = (
        restrict(GradeChange.objects.all(), request.user)
        .select_related("enterprise", "changed_by")
        .order_by("-changed_at")[:20]
    )
    return render(
        request,
        "emergency/grades.html",
        {
            "columns": [g.label for g in queries.GRADE_ORDER],
            "table": table,
            "total": [total.get(g.value, 0) for g in queries.GRADE_ORDER],
            "target": target,
            "high": high,
            "progress": round(100 * high / target.at_least, 1) if target else None,
            "gap": max(target.at_least - high, 0) if target else None,
            "drives": [(Drive(k).label, k, v[:50], len(v)) for k, v in drives.items()],
            "recent": recent,
            "chart": {
                "categories": [row["district"] for row in table],
                "series": [
                    {"name": str(g.label), "data": [row["cells"][i] for row in table]}
                    for i, g in enumerate(queries.GRADE_ORDER)
                ],
            },
        },
    )


def public_draws(request):
    """Public: each day's commitment (and once drawn, the revealed inputs) — no enterprise names."""
    rounds = DrawRound.objects.select_related("episode__city").order_by("-day", "-id")[:60]
    return render(request, "emergency/public_draws.html", {"rounds": rounds})
