"""Who may see or change air-quality data and response items.

Registered with ``accounts.access`` when the app is ready (``apps.py``), as menus and cards
are; ``accounts`` itself imports no domain's models."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import (
    VIEW,
    is_staff_user,
    policy_for,
    unit_ids_of,
)
from accounts.choices import Role

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
