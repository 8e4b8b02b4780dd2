"""Heavy-pollution response in the to-do list: the inspector's enterprises to check today."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import VIEW, is_inspector, restrict
from emergency.choices import InspectionStatus
from emergency.models import Inspection
from lantian.todo import ENTRIES, Entry, Todo


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    if not is_inspector(user):
        return []
    mine = (
        restrict(Inspection.objects.filter(plan__day=today), user, VIEW)
        .filter(status=InspectionStatus.PENDING)
        .select_related("enterprise", "district")
        .order_by("position")
    )
    return [
        Todo(
            _("今日待查企业"),
            mine.count(),
            reverse("emergency-my-inspections"),
            "emergency-home",
            order=5,
            entries=[
                Entry(
                    i.enterprise.name,
                    reverse("emergency-inspection", args=[i.pk]),
                    i.district.name,
                )
                for i in (mine[:ENTRIES] if entries else [])
            ],
        )
    ]
