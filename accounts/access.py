"""Who may see or change what. Every view, API endpoint and command asks here.

Rules, in order:
- an office administrator (整改办/专项办) and a superuser see and change everything;
- a leader sees everything and changes nothing;
- a unit officer sees and changes what concerns the units they act for;
- a review-group member sees what their review unit accepts and records acceptance;
- a field inspector sees and records the inspections assigned to them;
- the anonymous public sees only what is published, through ``disclosure``.

Each model's rule is a ``Policy`` registered below with ``@policy_for``. A model without one
is visible to office administrators and leaders only. Lookups by id answer 404, never 403,
so that guessing URLs reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from accounts.choices import Role
from accounts.models import Unit

VIEW, CHANGE = "view", "change"


# --- who the user is -------------------------------------------------------------------------


def _memberships(user) -> list[tuple[int, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lantian_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("unit_id", "role"))
        user._lantian_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {role for _, role in _memberships(user)}


def unit_ids_of(user, *roles: str) -> set[int]:
    """The units the user acts for, optionally only in the given roles."""
    return {unit for unit, role in _memberships(user) if not roles or role in roles}


def is_office(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.OFFICE_ADMIN in roles_of(user)


def is_leader(user) -> bool:
    return Role.LEADER in roles_of(user)


def sees_everything(user) -> bool:
    return is_office(user) or is_leader(user)


def is_unit_officer(user) -> bool:
    return Role.UNIT_OFFICER in roles_of(user)


def is_reviewer(user) -> bool:
    return Role.REVIEWER in roles_of(user)


def is_inspector(user) -> bool:
    return Role.INSPECTOR in roles_of(user)


def is_staff_user(user) -> bool:
    """Anyone with a role: the people the internal pages are for."""
    return is_office(user) or bool(roles_of(user))


# --- per-model rules -------------------------------------------------------------------------

Restrict = Callable[[QuerySet, object, str], QuerySet]
_POLICIES: dict[str, Restrict] = {}


def policy_for(*models_: type[models.Model]) -> Callable[[Restrict], Restrict]:
    """Register ``fn(queryset, user, action) -> queryset`` as the rule for these models."""

    def register(fn: Restrict) -> Restrict:
        for model in models_:
            _POLICIES[model._meta.label_lower] = fn
        return fn

    return register


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` the user may see (``VIEW``) or change (``CHANGE``)."""
    if is_office(user):
        return queryset
    if action == VIEW and is_leader(user):
        return queryset
    rule = _POLICIES.get(queryset.model._meta.label_lower)
    if rule is None:
        return queryset.none()
    return rule(queryset, user, action)


def can(user, action: str, obj: models.Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_view(user, obj: models.Model) -> bool:
    return can(user, VIEW, obj)


def can_change(user, obj: models.Model) -> bool:
    return can(user, CHANGE, obj)


def get_for_user(queryset_or_model, user, pk, *, action: str = VIEW):
    """The object with ``pk`` if the user may see (or change) it; 404 otherwise."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return restrict(queryset, user, action).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- rules of the foundation's own models ----------------------------------------------------


@policy_for(Unit)
def _units(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW and is_staff_user(user):
        return queryset
    return queryset.none()


# --- ledger ------------------------------------------------------------------------------------
# Unit officers and review-group members see their unit's own lines of work (and those it
# shares as the area's other body) and the lines of tasks their unit supervises and accepts;
# officers change only their own lines. Review-group members change the acceptances of their
# unit. Reports, evidence and acceptance follow the line they belong to. Field inspectors
# have no part in the ledger.

from ledger import models as ledger_models  # noqa: E402

_LEDGER_ROLES = (Role.UNIT_OFFICER, Role.REVIEWER)


def _ledger_line_scope(user, action: str) -> models.Q:
    """Lines the user's units hold, share (as the area's other body) or, for viewing,
    supervise. Three index-friendly ``IN`` subqueries rather than one OR over joins."""
    Assignment = ledger_models.Assignment
    roles = _LEDGER_ROLES if action == VIEW else (Role.UNIT_OFFICER,)
    units = unit_ids_of(user, *roles)
    mine = Assignment.objects.filter(unit_id__in=units)
    scope = models.Q(pk__in=mine.values("pk")) | models.Q(
        pk__in=mine.filter(joint_with__isnull=False).values("joint_with_id")
    )
    if action == VIEW:
        supervised = mine.filter(acceptance=True).values("task_id")
        scope |= models.Q(task_id__in=supervised)
    return scope


def _ledger_line_ids(user, action: str):
    return ledger_models.Assignment.objects.filter(_ledger_line_scope(user, action)).values("pk")


@policy_for(ledger_models.Plan, ledger_models.PlanRevision, ledger_models.UnitScore)
def _ledger_plans(queryset: QuerySet, user, action: str) -> QuerySet:
    return queryset if action == VIEW and is_staff_user(user) else queryset.none()


@policy_for(ledger_models.Task)
def _ledger_tasks(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    mine = ledger_models.Assignment.objects.filter(unit_id__in=unit_ids_of(user, *_LEDGER_ROLES))
    return queryset.filter(pk__in=mine.values("task_id"))


@policy_for(
    ledger_models.Measure,
    ledger_models.Milestone,
    ledger_models.Target,
    ledger_models.GroupMention,
)
def _ledger_task_parts(queryset: QuerySet, user, action: str) -> QuerySet:
    tasks = _ledger_tasks(ledger_models.Task.objects.all(), user, action)
    return queryset.filter(task_id__in=tasks.values("pk"))


@policy_for(ledger_models.Assignment)
def _ledger_assignments(queryset: QuerySet, user, action: str) -> QuerySet:
    return queryset.filter(_ledger_line_scope(user, action))


@policy_for(ledger_models.ProgressReport, ledger_models.Acceptance)
def _ledger_line_records(queryset: QuerySet, user, action: str) -> QuerySet:
    if queryset.model is ledger_models.Acceptance and action != VIEW:
        return queryset.filter(review_unit_id__in=unit_ids_of(user, Role.REVIEWER))
    return queryset.filter(assignment_id__in=_ledger_line_ids(user, action))


@policy_for(ledger_models.MilestoneProgress, ledger_models.TargetActual)
def _ledger_report_lines(queryset: QuerySet, user, action: str) -> QuerySet:
    reports = _ledger_line_records(ledger_models.ProgressReport.objects.all(), user, action)
    return queryset.filter(report_id__in=reports.values("pk"))


@policy_for(ledger_models.AcceptanceMember, ledger_models.ChecklistLine)
def _ledger_acceptance_parts(queryset: QuerySet, user, action: str) -> QuerySet:
    acceptances = _ledger_line_records(ledger_models.Acceptance.objects.all(), user, action)
    return queryset.filter(acceptance_id__in=acceptances.values("pk"))


@policy_for(ledger_models.DetailedPlanFiling)
def _ledger_detailed_plans(queryset: QuerySet, user, action: str) -> QuerySet:
    roles = _LEDGER_ROLES if action == VIEW else (Role.UNIT_OFFICER,)
    return queryset.filter(unit_id__in=unit_ids_of(user, *roles))


@policy_for(ledger_models.Supervision)
def _ledger_supervisions(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    units = unit_ids_of(user, *_LEDGER_ROLES)
    named = ledger_models.Supervision.units.through.objects.filter(unit_id__in=units)
    return queryset.filter(pk__in=named.values("supervision_id"))


@policy_for(ledger_models.SupervisionReply)
def _ledger_supervision_replies(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.filter(unit_id__in=unit_ids_of(user, Role.UNIT_OFFICER))
    seen = _ledger_supervisions(ledger_models.Supervision.objects.all(), user, VIEW)
    return queryset.filter(supervision_id__in=seen.values("pk"))


# --- plans -----------------------------------------------------------------------------------


def _register_plans() -> None:
    from plans.models import ImportDraft

    @policy_for(ImportDraft)
    def _import_drafts(queryset: QuerySet, user, action: str) -> QuerySet:
        # Imports are the office's work (office admins pass before any rule); nobody else.
        return queryset.none()


_register_plans()

# --- emergency (heavy-pollution response) ----------------------------------------------------

from django.db.models import Q  # noqa: E402

from emergency import models as em  # noqa: E402


def district_ids_of(user, *roles: str) -> set[int]:
    """The districts governed by the units the user acts for (in the given roles)."""
    units = unit_ids_of(user, *roles)
    if not units:
        return set()
    return set(
        Unit.objects.filter(pk__in=units, district__isnull=False).values_list(
            "district_id", flat=True
        )
    )


def _visible_inspections(user) -> Q:
    """Inspectors: their own records, and the still open items of their units' plans.
    Unit officers: their units' plans, and recorded visits in their districts."""
    q = Q(pk__in=[])
    if is_inspector(user):
        units = unit_ids_of(user, Role.INSPECTOR)
        q |= Q(inspector=user) | Q(inspector=None, status="pending", plan__unit_id__in=units)
    if is_unit_officer(user):
        q |= Q(plan__unit_id__in=unit_ids_of(user, Role.UNIT_OFFICER))
        q |= Q(status="done", district_id__in=district_ids_of(user, Role.UNIT_OFFICER))
    return q


@policy_for(em.Enterprise)
def _enterprises(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    q = Q(pk__in=[])
    if is_unit_officer(user):
        units = unit_ids_of(user, Role.UNIT_OFFICER)
        q |= Q(district_id__in=district_ids_of(user, Role.UNIT_OFFICER))
        q |= Q(pk__in=em.Enterprise.objects.filter(responsible_units__in=units).values("pk"))
    if is_inspector(user):
        visible = em.Inspection.objects.filter(_visible_inspections(user))
        q |= Q(pk__in=visible.values("enterprise_id"))
    return queryset.filter(q)


@policy_for(em.ReductionMeasure, em.GradeChange)
def _enterprise_parts(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    return queryset.filter(enterprise__in=restrict(em.Enterprise.objects.all(), user, VIEW))


@policy_for(em.Episode, em.EpisodeStep, em.DrawRound, em.Population)
def _episodes(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW and is_staff_user(user):
        return queryset
    return queryset.none()


@policy_for(em.InspectionPlan)
def _plans(queryset: QuerySet, user, action: str) -> QuerySet:
    if action != VIEW:
        return queryset.none()
    units = unit_ids_of(user, Role.INSPECTOR, Role.UNIT_OFFICER)
    return queryset.filter(unit_id__in=units)


@policy_for(em.Inspection)
def _inspections(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW:
        return queryset.filter(_visible_inspections(user))
    if not is_inspector(user):
        return queryset.none()
    units = unit_ids_of(user, Role.INSPECTOR)
    open_items = Q(status="pending", plan__unit_id__in=units) & (
        Q(inspector=None) | Q(inspector=user)
    )
    # Recorded inspections stay changeable by their inspector for adding photos only.
    return queryset.filter(open_items | Q(inspector=user))


@policy_for(em.Case)
def _cases(queryset: QuerySet, user, action: str) -> QuerySet:
    q = Q(pk__in=[])
    if is_unit_officer(user):
        units = unit_ids_of(user, Role.UNIT_OFFICER)
        q |= Q(owner_unit_id__in=units) | Q(
            district_id__in=district_ids_of(user, Role.UNIT_OFFICER)
        )
    if action == VIEW and is_inspector(user):
        q |= Q(inspection__inspector=user)
    return queryset.filter(q)


# --- airquality --------------------------------------------------------------------------------
# Monitoring data, daily/monthly figures and rankings: every staff user may read them (the public
# sees a summary through ``airquality.summary.public_summary``); only office administrators write.
# A response item is seen by its owner unit (and office/leaders), and handled by its officers.


def _airquality_policies() -> None:
    from airquality.models import (
        DailyValue,
        DataImport,
        DistrictDaily,
        DistrictMonthly,
        DustFall,
        HourlyObservation,
        ResponseItem,
        ResponseStep,
        Station,
    )

    @policy_for(Station, HourlyObservation, DailyValue, DistrictDaily, DistrictMonthly, DustFall)
    def _air_data(queryset: QuerySet, user, action: str) -> QuerySet:
        if action == VIEW and is_staff_user(user):
            return queryset
        return queryset.none()

    @policy_for(DataImport)
    def _air_imports(queryset: QuerySet, user, action: str) -> QuerySet:
        return queryset.none()

    @policy_for(ResponseItem)
    def _air_responses(queryset: QuerySet, user, action: str) -> QuerySet:
        if action == VIEW:
            return queryset.filter(owner_id__in=unit_ids_of(user))
        return queryset.filter(owner_id__in=unit_ids_of(user, Role.UNIT_OFFICER))

    @policy_for(ResponseStep)
    def _air_response_steps(queryset: QuerySet, user, action: str) -> QuerySet:
        if action == VIEW:
            return queryset.filter(item__owner_id__in=unit_ids_of(user))
        return queryset.none()


_airquality_policies()

# --- monitoring ------------------------------------------------------------------------------
# Unit officers see the sites they are responsible for, with their devices, readings and
# alarms, plus alarms dispatched to their unit; they change (handle) only those alarms.
# Field inspectors of the bureau see every site and alarm (they open the cases). The public sees
# nothing here; quarantined bytes are for the office only (no policy).


def _monitoring_models():
    from monitoring.models import Alarm, Case, Device, Reading, Site

    return Alarm, Case, Device, Reading, Site


def _register_monitoring_policies() -> None:
    Alarm, Case, Device, Reading, Site = _monitoring_models()

    def scoped(prefix: str):
        def rule(queryset: QuerySet, user, action: str) -> QuerySet:
            if action == VIEW and is_inspector(user):
                return queryset
            units = unit_ids_of(user, Role.UNIT_OFFICER)
            if action != VIEW or not units:
                return queryset.none()
            return queryset.filter(**{f"{prefix}units__in": units}).distinct()

        return rule

    policy_for(Site)(scoped(""))
    policy_for(Device)(scoped("site__"))
    policy_for(Reading)(scoped("device__site__"))

    @policy_for(Alarm)
    def _alarms(queryset: QuerySet, user, action: str) -> QuerySet:
        if action == VIEW and is_inspector(user):
            return queryset
        units = unit_ids_of(user, Role.UNIT_OFFICER)
        if not units:
            return queryset.none()
        mine = models.Q(dispatched_to__in=units)
        if action == VIEW:
            mine |= models.Q(site__units__in=units)
        return queryset.filter(mine).distinct()

    @policy_for(Case)
    def _cases(queryset: QuerySet, user, action: str) -> QuerySet:
        if action != VIEW:
            return queryset.none()
        return queryset.filter(alarm__in=_alarms(Alarm.objects.all(), user, VIEW))
