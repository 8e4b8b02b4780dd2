"""Who may see plan imports.

Registered with ``accounts.access`` when the app is ready (``apps.py``), as menus and cards
are; ``accounts`` itself imports no domain's models."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import policy_for
from plans.models import ImportDraft


@policy_for(ImportDraft)
def _import_drafts(queryset: QuerySet, user, action: str) -> QuerySet:
    # Imports are the office's work (office admins pass before any rule); nobody else.
    return queryset.none()
