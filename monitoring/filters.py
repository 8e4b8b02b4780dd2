"""The list pages' filters, declared once (django-filter) and applied in SQL.

The device list used to filter online/offline in Python over the first 1,000 devices, so in a
city with more devices the rest were never shown, whatever the filter said. Here every choice
is a query, and the tables paginate what it returns.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts import access
from lantian.lib import tz
from monitoring.choices import AlarmKind, AlarmStatus, DeviceKind
from monitoring.health import thresholds


def is_online(device, now: dt.datetime, intervals: int) -> bool:
    """The same test as ``online_q``, for one device in hand."""
    last = device.last_seen_at
    return last is not None and now - last <= dt.timedelta(
        seconds=device.interval_seconds * intervals
    )


def online_q(devices, now: dt.datetime, intervals: int) -> Q:
    """Devices heard from within ``intervals`` of their own upload interval: one term per
    distinct interval (a handful in a city), so the test stays an indexable range on
    ``last_seen_at``."""
    seconds = devices.order_by().values_list("interval_seconds", flat=True).distinct()
    online = Q(pk__in=[])
    for interval in seconds:
        cutoff = now - dt.timedelta(seconds=interval * intervals)
        online |= Q(interval_seconds=interval, last_seen_at__gte=cutoff)
    return online


class DeviceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("编号或点位"))
    kind = django_filters.ChoiceFilter(
        choices=DeviceKind.choices, empty_label=_("全部类型"), label=_("类型")
    )
    status = django_filters.ChoiceFilter(
        choices=[("online", _("在线")), ("offline", _("离线"))],
        label=_("状态"),
        method="by_status",
        empty_label=_("全部状态"),
    )

    def search(self, queryset, name, value):
        return queryset.filter(Q(mn__icontains=value) | Q(site__name__icontains=value))

    def by_status(self, queryset, name, value):
        intervals = thresholds(tz.local_today())["offline_intervals"]
        online = online_q(queryset, tz.now(), intervals)
        return queryset.filter(online) if value == "online" else queryset.exclude(online)


LEVELS = [("1", _("1级")), ("2", _("2级")), ("3", _("3级及以上"))]
HEALTH = "health"  # every device-health finding, i.e. anything but an exceedance


class AlarmFilter(django_filters.FilterSet):
    """The alarm inbox's filter; without a status it shows the open alarms."""

    status = django_filters.ChoiceFilter(
        choices=[("open", _("未办结")), ("all", _("全部")), *AlarmStatus.choices],
        method="by_status",
        empty_label=None,
        label=_("状态"),
    )
    level = django_filters.ChoiceFilter(
        choices=LEVELS, method="by_level", empty_label=_("全部级别")
    )
    kind = django_filters.ChoiceFilter(
        choices=[*AlarmKind.choices, (HEALTH, _("设备运行异常（全部）"))],
        method="by_kind",
        empty_label=_("全部类别"),
        label=_("类别"),
    )
    overdue = django_filters.BooleanFilter(
        method="by_overdue", label=_("已超时"), widget=forms.CheckboxInput
    )
    mine = django_filters.BooleanFilter(
        method="by_mine", label=_("仅派发给本单位"), widget=forms.CheckboxInput
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = "open"
        super().__init__(data, *args, **kwargs)

    def by_status(self, queryset, name, value):
        if value == "open":
            return queryset.exclude(status=AlarmStatus.CLOSED)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def by_level(self, queryset, name, value):
        return queryset.filter(level__gte=3) if value == "3" else queryset.filter(level=int(value))

    def by_kind(self, queryset, name, value):
        if value == HEALTH:
            return queryset.exclude(kind=AlarmKind.EXCEEDANCE)
        return queryset.filter(kind=value)

    def by_overdue(self, queryset, name, value):
        return queryset.filter(due_at__lt=tz.now()) if value else queryset

    def by_mine(self, queryset, name, value):
        user = self.request.user if self.request else None
        if not value or user is None or access.is_office(user):
            return queryset
        return queryset.filter(dispatched_to__in=access.unit_ids_of(user))
