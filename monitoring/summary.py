"""Online monitoring on the start page: open alarms by level, overdue ones, device health."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import VIEW, is_inspector, is_unit_officer, restrict, sees_everything
from lantian.home import Card
from monitoring.choices import AlarmKind, AlarmStatus
from monitoring.models import Alarm


def cards(user, today: dt.date) -> list[Card]:
    if not (sees_everything(user) or is_unit_officer(user) or is_inspector(user)):
        return []
    alarms = restrict(Alarm.objects.all(), user, VIEW).exclude(status=AlarmStatus.CLOSED).order_by()
    figures = alarms.aggregate(
        level1=Count("pk", filter=Q(kind=AlarmKind.EXCEEDANCE, level=1)),
        level2=Count("pk", filter=Q(kind=AlarmKind.EXCEEDANCE, level=2)),
        level3=Count("pk", filter=Q(kind=AlarmKind.EXCEEDANCE, level__gte=3)),
        overdue=Count("pk", filter=Q(due_at__lt=timezone.now())),
        health=Count("pk", filter=~Q(kind=AlarmKind.EXCEEDANCE)),
    )
    url = reverse("monitoring-alarms")
    exceed = f"{url}?kind={AlarmKind.EXCEEDANCE}&level="
    return [
        Card(
            _("一级超标报警"),
            figures["level1"],
            exceed + "1",
            "warn" if figures["level1"] else "ok",
        ),
        Card(
            _("二级超标报警"),
            figures["level2"],
            exceed + "2",
            "warn" if figures["level2"] else "ok",
        ),
        Card(
            _("三级超标报警"), figures["level3"], exceed + "3", "bad" if figures["level3"] else "ok"
        ),
        Card(
            _("超过响应时限"),
            figures["overdue"],
            f"{url}?overdue=1",
            "bad" if figures["overdue"] else "ok",
        ),
        Card(
            _("设备异常（离线、恒值等）"),
            figures["health"],
            f"{url}?kind=health",
            "warn" if figures["health"] else "",
        ),
    ]
