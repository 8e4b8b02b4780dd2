"""The start page's card: the latest issue this user may see."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office, is_staff_user, restrict
from lantian.home import Card
from reports.models import Issue, IssueState


def cards(user, today: dt.date) -> list[Card]:
    if not is_staff_user(user):
        return []
    issues = restrict(Issue.objects.all(), user).order_by("-created_at", "-pk")
    latest = issues.first()
    if latest is None:
        return []
    out = [
        Card(
            _("最新一期调度通报"),
            latest.number_label,
            reverse("reports-issue", args=[latest.pk]),
            "" if latest.is_published else "warn",
            latest.get_state_display(),
        )
    ]
    if is_office(user):
        drafts = issues.filter(state=IssueState.DRAFT).count()
        if drafts:
            out.append(Card(_("待印发的通报"), drafts, reverse("reports-issues"), "warn"))
    return out
