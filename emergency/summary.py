"""Heavy-pollution response on the start page and the public pages: the warning in force,
today's spot checks, the inspector's list and open cases."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import VIEW, is_inspector, is_staff_user, restrict
from emergency.choices import CaseStatus, InspectionStatus
from emergency.models import Case, Episode, Inspection, InspectionPlan
from lantian.home import Card
from lantian.lib import tz

_TONE = {"yellow": "warn", "orange": "bad", "red": "bad"}


def active_episodes(at: dt.datetime | None = None):
    """Episodes in force now (started, not lifted), oldest first. Public information."""
    at = at or tz.now()
    return Episode.objects.filter(starts_at__lte=at, lifted_at=None).order_by("starts_at")


def public_warning(at: dt.datetime | None = None) -> list[dict]:
    """What the public may know of the warnings in force: city, level and start time."""
    return [
        {
            "city": episode.city.name,
            "level": episode.get_level_display(),
            "code": episode.level,
            "since": tz.to_local(episode.starts_at),
        }
        for episode in active_episodes(at).select_related("city")
    ]


def cards(user, today: dt.date) -> list[Card]:
    if not is_staff_user(user):
        return []
    home = reverse("emergency-home")
    episodes = list(restrict(active_episodes(), user, VIEW).select_related("city"))
    if episodes:
        out = [
            Card(
                _("重污染天气预警"),
                e.get_level_display(),
                reverse("emergency-episode", args=[e.pk]),
                _TONE.get(e.level, "warn"),
                f"{e.city.name} · {e.number}",
            )
            for e in episodes
        ]
    else:
        out = [Card(_("重污染天气预警"), _("无"), home, "ok")]
    plans = restrict(InspectionPlan.objects.filter(day=today), user, VIEW).order_by()
    inspections = Inspection.objects.filter(plan__in=plans.values("pk")).aggregate(
        planned=Count("pk"), done=Count("pk", filter=Q(status=InspectionStatus.DONE))
    )
    if inspections["planned"]:
        out.append(
            Card(
                _("今日抽查完成"),
                f"{inspections['done']}/{inspections['planned']}",
                reverse("emergency-plans"),
                "ok" if inspections["done"] == inspections["planned"] else "warn",
            )
        )
    if is_inspector(user):
        mine = restrict(Inspection.objects.filter(plan__day=today), user, VIEW).filter(
            status=InspectionStatus.PENDING
        )
        out.append(
            Card(_("我今日待查企业"), mine.count(), reverse("emergency-my-inspections"), "warn")
        )
    cases = restrict(Case.objects.all(), user, VIEW).exclude(status=CaseStatus.CLOSED)
    out.append(Card(_("应急案件未结"), cases.count(), reverse("emergency-cases")))
    return out
