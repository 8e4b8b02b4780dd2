"""Who may see or change the ledger's rows.

Registered with ``accounts.access`` when the app is ready (``apps.py``), as menus and cards
are; ``accounts`` itself imports no domain's models."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from accounts.access import (
    VIEW,
    is_staff_user,
    policy_for,
    unit_ids_of,
)
from accounts.choices import Role

# --- ledger ------------------------------------------------------------------------------------
# Unit officers and review-group members see their unit's own lines of work (and those it
# shares as the area's other body) and the lines of tasks their unit supervises and accepts;
# officers change only their own lines. Review-group members change the acceptances of their
# unit. Reports, evidence and acceptance follow the line they belong to. Field inspectors
# have no part in the ledger.
from ledger import models as ledger_models

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
