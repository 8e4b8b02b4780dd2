"""The key emission units roster (安装联网率 with the missing units) and the fume rollout
tracker. Figures come from ``roster.progress``; writes from ``roster.services``."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import District
from lantian.lib import params, tz
from roster import progress, services
from roster.forms import LedgerImportForm, RolloutForm, RosterImportForm
from roster.importing import WorkbookRefused
from roster.models import Rollout, Roster


def _staff(request):
    if not access.is_staff_user(request.user):
        raise PermissionDenied


def _city(request) -> District | None:
    wanted = params.key(request.GET, "city")
    cities = District.objects.filter(parent=None)
    if wanted:
        return cities.filter(pk=wanted).first()
    return cities.filter(name=settings.LANTIAN_DEFAULT_CITY).first() or cities.first()


@login_required
def key_units(request):
    """One year's roster: 安装联网率 with its formula, by district, and the missing units."""
    _staff(request)
    city = _city(request)
    rosters = Roster.objects.filter(city=city).order_by("-year")
    year = params.year(request.GET)
    roster = rosters.filter(year=year).first() if year else rosters.first()
    office = access.is_office(request.user)
    form = RosterImportForm(initial={"year": tz.local_today().year})
    errors = []
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        form = RosterImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            try:
                roster = services.import_roster(
                    upload,
                    city=city,
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                    source_name=upload.name,
                    acting_user=request.user,
                )
            except WorkbookRefused as err:
                errors = err.errors
            else:
                messages.success(
                    request, _("名录已导入：%(n)s 家单位") % {"n": roster.units.count()}
                )
                return redirect(f"{request.path}?year={roster.year}")
    coverage = progress.roster_coverage(roster) if roster else None
    return render(
        request,
        "roster/key_units.html",
        {
            "city": city,
            "rosters": rosters,
            "roster": roster,
            "coverage": coverage,
            "form": form,
            "errors": errors,
            "is_office": office,
        },
    )


@login_required
def rollout_list(request):
    _staff(request)
    rollouts = Rollout.objects.select_related("city").order_by("-id")
    office = access.is_office(request.user)
    form = RolloutForm()
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        form = RolloutForm(request.POST)
        if form.is_valid():
            try:
                rows = services.milestone_rows(form.cleaned_data["milestones"])
                rollout = form.save(commit=False)
                rollout.city = _city(request)
                services.save_rollout(rollout, milestones=rows, acting_user=request.user)
            except ValidationError as err:
                for field, errs in err.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                return redirect("roster-rollout", pk=rollout.pk)
    return render(
        request,
        "roster/rollout_list.html",
        {"rollouts": rollouts, "form": form, "is_office": office},
    )


@login_required
def rollout_detail(request, pk: int):
    """Progress of a fume rollout from the registry and the data, against its milestones."""
    _staff(request)
    rollout = get_object_or_404(Rollout.objects.select_related("city", "task__plan"), pk=pk)
    office = access.is_office(request.user)
    form, errors = LedgerImportForm(), []
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        form = LedgerImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["workbook"]
            try:
                n = services.import_rollout_units(
                    upload, rollout=rollout, acting_user=request.user, source_name=upload.name
                )
            except WorkbookRefused as err:
                errors = err.errors
            else:
                messages.success(request, _("台账已导入：%(n)s 家单位") % {"n": n})
                return redirect("roster-rollout", pk=rollout.pk)
    report = progress.rollout_progress(rollout)
    return render(
        request,
        "roster/rollout_detail.html",
        {
            "rollout": rollout,
            "report": report,
            "lagging": report.lagging()[:300],
            "form": form,
            "errors": errors,
            "is_office": office,
        },
    )
