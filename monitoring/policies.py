"""Who may see or change monitoring sites, devices, readings, alarms and cases.

Registered with ``accounts.access`` when the app is ready (``apps.py``), as menus and cards
are; ``accounts`` itself imports no domain's models."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from accounts.access import (
    VIEW,
    is_inspector,
    policy_for,
    unit_ids_of,
)
from accounts.choices import Role

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


_register_monitoring_policies()
