"""Cross-checks on the start page: open findings, for those who see everything."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import sees_everything
from crosscheck.models import Finding, Severity, Status
from lantian.home import Card


def cards(user, today: dt.date) -> list[Card]:
    if not sees_everything(user):
        return []
    figures = Finding.objects.filter(status=Status.OPEN).aggregate(
        high=Count("pk", filter=Q(severity=Severity.HIGH)), all=Count("pk")
    )
    url = reverse("crosscheck-findings")
    return [
        Card(_("待核实的数据疑点"), figures["all"], url, "warn" if figures["all"] else "ok"),
        Card(
            _("其中高风险"),
            figures["high"],
            f"{url}?severity={Severity.HIGH}",
            "bad" if figures["high"] else "ok",
        ),
    ]
