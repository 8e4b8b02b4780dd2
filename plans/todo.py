"""Plan imports still in preview, for the office to check and commit (or discard)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.access import is_office
from lantian.lib import tz
from lantian.todo import ENTRIES, Entry, Todo
from plans.models import DraftStatus, ImportDraft


def todos(user, today: dt.date, entries: bool) -> list[Todo]:
    if not is_office(user):
        return []
    drafts = ImportDraft.objects.filter(status=DraftStatus.DRAFT).order_by("created_at")
    return [
        Todo(
            _("方案导入待确认"),
            drafts.count(),
            reverse("plan-import"),
            "plan-import",
            order=37,
            entries=[
                Entry(
                    d.source_name,
                    reverse("plan-draft", args=[d.pk]),
                    _("%(t)s 上传") % {"t": f"{tz.to_local(d.created_at):%m-%d %H:%M}"},
                )
                for d in (drafts[:ENTRIES] if entries else [])
            ],
        )
    ]
