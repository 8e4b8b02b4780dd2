"""Writes to regulation data from pages (the admin remains for other edits)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts import access
from audit.log import record
from regulations import calendars
from regulations.lookup import clear_cache
from regulations.models import Regulation, RegulatoryValue


@transaction.atomic
def save_calendar(year: int, holidays: dict, workdays: list[str], *, title: str, acting_user):
    """Store the office's entry of a year's arrangement; it wins over the package's and the
    provisional statutory days."""
    if not access.is_office(acting_user):
        raise PermissionDenied("只有整改办/专项办可以录入节假日安排")
    name = getattr(acting_user, "get_full_name", lambda: "")() or str(acting_user)
    spec = calendars.office_spec(
        year, holidays, workdays, title=title, source=f"{name}据国务院办公厅通知录入：{title}"
    )
    reg, created = Regulation.objects.update_or_create(
        family=spec["family"],
        code=spec["code"],
        defaults={
            "title": spec["title"],
            "effective_from": spec["effective_from"],
            "effective_to": spec["effective_to"],
            "scope": spec["scope"],
            "priority": spec["priority"],
            "source": spec["source"],
            "verified": True,
        },
    )
    for row in spec["values"]:
        RegulatoryValue.objects.update_or_create(
            regulation=reg, key=row["key"], variant="", defaults={"value": row["value"]}
        )
    record(
        acting_user,
        "calendar.saved",
        reg,
        changes={"holidays": [None, len(holidays)], "workdays": [None, len(workdays)]},
        reason=title,
    )
    transaction.on_commit(clear_cache)
    clear_cache()
    return reg
