"""Tell people something: an in-app notification for each user acting for a unit, plus e-mail.

Callers pass a ``dedupe_key`` for messages that a periodic job may produce again (a reminder for
the same deadline on the same day), so that running the job twice sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from accounts.choices import Role
from accounts.models import Membership, Notification, Unit

DEFAULT_ROLES = (Role.UNIT_OFFICER, Role.OFFICE_ADMIN)


def notify_users(
    users: Iterable,
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    unit: Unit | None = None,
    dedupe_key: str = "",
    email: bool = True,
) -> list[Notification]:
    """Create one notification per user (skipping ones already sent under ``dedupe_key``)."""
    created = []
    for user in users:
        if dedupe_key and Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        created.append(
            Notification.objects.create(
                user=user,
                unit=unit,
                kind=kind,
                title=title,
                body=body,
                url=url,
                dedupe_key=dedupe_key,
            )
        )
    if email:
        recipients = sorted({n.user.email for n in created if n.user.email})
        if recipients:
            link = f"{settings.SITE_ROOT}{url}" if url else ""
            transaction.on_commit(
                lambda: send_mail(
                    f"[{settings.SITE_NAME}] {title}",
                    f"{body}\n\n{link}".strip(),
                    settings.DEFAULT_FROM_EMAIL,
                    recipients,
                    fail_silently=True,
                )
            )
    return created


def users_of_units(units: Iterable[Unit], roles: Iterable[str] = DEFAULT_ROLES):
    unit_ids = [u.pk for u in units]
    user_ids = Membership.objects.filter(unit_id__in=unit_ids, role__in=list(roles)).values(
        "user_id"
    )
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True)


def notify_units(
    units: Iterable[Unit],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    roles: Iterable[str] = (Role.UNIT_OFFICER,),
) -> list[Notification]:
    """Notify every user acting for any of ``units`` in one of ``roles`` (officers by default)."""
    units = list(units)
    created = []
    for unit in units:
        created += notify_users(
            users_of_units([unit], roles),
            kind=kind,
            title=title,
            body=body,
            url=url,
            unit=unit,
            dedupe_key=dedupe_key,
        )
    return created
