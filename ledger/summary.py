"""The ledger's cards on the start page: what is overdue, due, awaiting acceptance or a reply."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import (
    VIEW,
    is_reviewer,
    is_unit_officer,
    restrict,
    sees_everything,
    unit_ids_of,
)
from accounts.choices import Role
from lantian.home import Card
from ledger.choices import Status, SupervisionState
from ledger.models import Acceptance, Supervision
from ledger.queries import visible_lines


def cards(user, today: dt.date) -> list[Card]:
    if not (sees_everything(user) or is_unit_officer(user) or is_reviewer(user)):
        return []
    lines = visible_lines(user).order_by()
    if is_unit_officer(user) and not sees_everything(user):
        lines = lines.filter(unit_id__in=unit_ids_of(user, Role.UNIT_OFFICER))
    open_ = ~Q(status=Status.CLOSED)
    soon = today + dt.timedelta(days=30)
    figures = lines.aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(status=Status.CLOSED)),
        overdue=Count("pk", filter=open_ & Q(due__lt=today)),
        soon=Count("pk", filter=open_ & Q(due__gte=today, due__lte=soon)),
        applied=Count("pk", filter=Q(status=Status.APPLIED)),
    )
    base = reverse("ledger-line-list")
    out = [
        Card(
            _("整改事项"), figures["total"], base, note=_("已销号 %(n)s") % {"n": figures["closed"]}
        ),
        Card(
            _("已逾期"),
            figures["overdue"],
            f"{base}?overdue=1",
            "bad" if figures["overdue"] else "ok",
        ),
        Card(
            _("30 天内到期"),
            figures["soon"],
            f"{base}?due_within=30",
            "warn" if figures["soon"] else "",
        ),
        Card(_("申请验收"), figures["applied"], f"{base}?status={Status.APPLIED}"),
    ]
    waiting = restrict(Supervision.objects.all(), user, VIEW).exclude(state=SupervisionState.CLOSED)
    out.append(
        Card(
            _("督查督办未办结"),
            waiting.count(),
            reverse("ledger-supervision-list"),
            "warn" if waiting.exists() else "",
        )
    )
    if is_reviewer(user):
        todo = Acceptance.objects.filter(
            review_unit_id__in=unit_ids_of(user, Role.REVIEWER), decided_at__isnull=True
        )
        out.append(Card(_("待我验收"), todo.count(), base + f"?status={Status.APPLIED}", "warn"))
    return out
