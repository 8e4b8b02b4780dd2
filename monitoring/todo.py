"""Monitoring's part of the to-do list: alarms dispatched to my unit to handle and reply to;
for the office, alarms to dispatch and replies to close."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office, unit_ids_of
from accounts.choices import Role
from lantian.lib import tz
from lantian.todo import ENTRIES, Entry, Todo
from monitoring.choices import AlarmStatus
from monitoring.models import Alarm

MENU = "monitoring-alarms"


def _entries(alarms, entries: bool) -> list[Entry]:
    if not entries:
        return []
    from monitoring.names import alarm_title

    return [
        Entry(
            alarm_title(a),
            reverse("monitoring-alarm", args=[a.pk]),
            _("响应时限 %(t)s") % {"t": f"{tz.to_local(a.due_at):%m-%d %H:%M}"} if a.due_at else "",
        )
        for a in alarms.select_related("site", "device")[:ENTRIES]
    ]


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    out = []
    units = unit_ids_of(user, Role.UNIT_OFFICER)
    url = reverse("monitoring-alarms")
    if units:
        mine = Alarm.objects.filter(
            dispatched_to__in=units,
            status__in=[AlarmStatus.DISPATCHED, AlarmStatus.INVESTIGATING, AlarmStatus.HANDLED],
        ).order_by("due_at", "pk")
        late = mine.filter(due_at__lt=tz.now()).exists()
        out.append(
            Todo(
                _("报警待处置、答复"),
                mine.count(),
                f"{url}?mine=1",
                MENU,
                "bad" if late else "warn",
                _entries(mine, entries),
                order=15,
            )
        )
    if is_office(user):
        raised = Alarm.objects.filter(status=AlarmStatus.RAISED).order_by("first_at")
        out.append(
            Todo(
                _("报警待派发"),
                raised.count(),
                f"{url}?status={AlarmStatus.RAISED}",
                MENU,
                entries=_entries(raised, entries),
                order=33,
            )
        )
        replied = Alarm.objects.filter(status=AlarmStatus.REPLIED).order_by("last_at")
        out.append(
            Todo(
                _("报警已答复待办结"),
                replied.count(),
                f"{url}?status={AlarmStatus.REPLIED}",
                MENU,
                entries=_entries(replied, entries),
                order=34,
            )
        )
    return out
