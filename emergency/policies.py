"""Who may see or change the heavy-pollution response's rows.

Registered with ``accounts.access`` when the app is ready (``apps.py``), as menus and cards
are; ``accounts`` itself imports no domain's models."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.access import (
    VIEW,
    district_ids_of,
    is_inspector,
    is_staff_user,
    is_unit_officer,
    policy_for,
    restrict,
    unit_ids_of,
)
from accounts.choices import Role

# --- emergency (heavy-pollution response) ----------------------------------------------------
from emergency import models as em


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
