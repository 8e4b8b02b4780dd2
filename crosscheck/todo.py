"""Cross-check findings the office has to decide (confirm or dismiss)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office
from crosscheck.models import Finding, Severity, Status
from lantian.todo import ENTRIES, Entry, Todo


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    if not is_office(user):
        return []
    # "high" sorts before "medium"
    open_ = Finding.objects.filter(status=Status.OPEN).order_by("severity", "pk")
    return [
        Todo(
            _("数据疑点待核实"),
            open_.count(),
            reverse("crosscheck-findings"),
            "crosscheck-findings",
            "bad" if open_.filter(severity=Severity.HIGH).exists() else "warn",
            [
                Entry(f.title, reverse("crosscheck-finding", args=[f.pk]), f.get_severity_display())
                for f in (open_[:ENTRIES] if entries else [])
            ],
            order=36,
        )
    ]
