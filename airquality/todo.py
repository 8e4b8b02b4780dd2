"""Air-quality anomaly response in the to-do list: feedback owed by the owner unit, and
feedback for the office to evaluate."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office, unit_ids_of
from accounts.choices import Role
from airquality.choices import ResponseStatus
from airquality.models import ResponseItem
from lantian.lib import tz
from lantian.todo import ENTRIES, Entry, Todo

MENU = "airquality:responses"


def _entries(items, entries: bool) -> list[Entry]:
    return [
        Entry(
            f"{item.district.name} · {item.get_kind_display()}",
            reverse("airquality:response-detail", args=[item.pk]),
            _("时限 %(t)s") % {"t": f"{tz.to_local(item.deadline):%m-%d %H:%M}"},
        )
        for item in (items.select_related("district")[:ENTRIES] if entries else [])
    ]


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    out = []
    url = reverse("airquality:responses")
    units = unit_ids_of(user, Role.UNIT_OFFICER)
    if units:
        owed = ResponseItem.objects.filter(
            owner_id__in=units, status=ResponseStatus.INVESTIGATING
        ).order_by("deadline")
        out.append(
            Todo(
                _("空气质量异常待排查反馈"),
                owed.count(),
                url,
                MENU,
                "bad" if owed.filter(deadline__lt=tz.now()).exists() else "warn",
                _entries(owed, entries),
                order=16,
            )
        )
    if is_office(user):
        feedback = ResponseItem.objects.filter(status=ResponseStatus.FEEDBACK).order_by("deadline")
        out.append(
            Todo(
                _("异常响应反馈待评估"),
                feedback.count(),
                f"{url}?status={ResponseStatus.FEEDBACK}",
                MENU,
                entries=_entries(feedback, entries),
                order=35,
            )
        )
    return out
