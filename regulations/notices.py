"""Telling the office when a deadline or clock falls in a year whose holiday arrangement is not
known (weekends-only guesses would treat the Spring Festival as working days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lantian.lib import workdays


def warn_calendar_gaps(days: Iterable[dt.date | None], *, context: str = "") -> list[str]:
    """One notice per unknown year to the office (deduplicated), and the texts for the page."""
    from django.urls import reverse

    from accounts.choices import Role
    from accounts.models import Membership, Unit
    from accounts.notify import notify_users, users_of_units

    years = workdays.calendar_gaps(*[d for d in days if d is not None])
    texts = []
    for year in years:
        text = workdays.gap_notice(year)
        texts.append(text)
        calendar = workdays.calendar_for(year)
        state = "provisional" if calendar else "unknown"
        offices = Unit.objects.filter(
            pk__in=Membership.objects.filter(role=Role.OFFICE_ADMIN).values("unit_id")
        )
        notify_users(
            users_of_units(offices, (Role.OFFICE_ADMIN,)),
            kind="calendar.gap",
            title=f"请录入 {year} 年节假日安排" + (f"（{context}）" if context else ""),
            body=text,
            url=reverse("regulations-calendar"),
            dedupe_key=f"calendar-gap:{year}:{state}",
        )
    return texts
