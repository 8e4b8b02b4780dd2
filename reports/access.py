"""Who sees which issue: the office and leaders all of them, everyone else with a role the
published ones (a 通报 is sent to every unit). Templates are the office's."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.access import VIEW, is_staff_user, policy_for
from reports.models import Issue, IssueState, ReportTemplate, Revision


@policy_for(Issue)
def _issues(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW and is_staff_user(user):
        return queryset.filter(state=IssueState.PUBLISHED)
    return queryset.none()


@policy_for(Revision)
def _revisions(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW and is_staff_user(user):
        return queryset.filter(issue__state=IssueState.PUBLISHED)
    return queryset.none()


@policy_for(ReportTemplate)
def _templates(queryset: QuerySet, user, action: str) -> QuerySet:
    return queryset.none()
