"""Audit events as a person reads them: the action's name, who (full name and unit), when
(Beijing time), which object, and each change as (field label, before, after) built here in
Python, never by attribute lookup on the stored dict in a template."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from accounts.models import Membership
from audit.models import AuditEvent
from lantian.lib import labels


@dataclass
class Entry:
    event: AuditEvent
    label: str
    who: str
    when: str
    kind: str
    rows: list[labels.Change] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return self.event.reason

    @property
    def object_repr(self) -> str:
        return self.event.object_repr


def with_actors(events):
    """The queryset with what ``entries`` needs to name the actors in one go."""
    return events.select_related("actor").prefetch_related(
        Prefetch(
            "actor__memberships",
            queryset=Membership.objects.select_related("unit").order_by("id"),
        )
    )


def entries(events: Iterable[AuditEvent], *, skip: Iterable[str] = ()) -> list[Entry]:
    """``skip``: change names shown elsewhere on the page (a timeline shows ``reason``)."""
    labeller = labels.Labeller()
    skipped = set(skip)
    out = []
    for event in events:
        changes = event.changes if isinstance(event.changes, dict) else {}
        changes = {k: v for k, v in changes.items() if k not in skipped}
        out.append(
            Entry(
                event=event,
                label=labels.action_label(event.action, event.object_type),
                who=labels.person(event.actor, fallback=event.actor_name)
                if event.actor_id and event.actor
                else (event.actor_name or str(labels.person(None))),
                when=labels.local_time(event.created_at, seconds=True),
                kind=labels.object_kind(event.object_type),
                rows=labels.change_rows(event.object_type, changes, labeller),
            )
        )
    return out
