"""Who may see or change what. Every view, API endpoint and command asks here.

Rules, in order:
- an office administrator (整改办/专项办) and a superuser see and change everything;
- a leader sees everything and changes nothing;
- a unit officer sees and changes what concerns the units they act for;
- a review-group member sees what their review unit accepts and records acceptance;
- a field inspector sees and records the inspections assigned to them;
- the anonymous public sees only what is published, through ``disclosure``.

Each model's rule is a function registered with ``@policy_for`` in its own app's
``policies.py`` (imported by the app's ``AppConfig.ready``, as menus and start-page cards are), so
this module knows no domain and a new domain never edits it. A model without a rule is visible to
office administrators and leaders only. Lookups by id answer 404, never 403,
so that guessing URLs reveals nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from accounts.choices import Role
from accounts.models import Unit

VIEW, CHANGE = "view", "change"


# --- who the user is -------------------------------------------------------------------------


def _memberships(user) -> list[tuple[int, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lantian_memberships", None)
    if cached is None:
        cached = list(user.memberships.values_list("unit_id", "role"))
        user._lantian_memberships = cached
    return cached


def roles_of(user) -> set[str]:
    return {role for _, role in _memberships(user)}


def unit_ids_of(user, *roles: str) -> set[int]:
    """The units the user acts for, optionally only in the given roles."""
    return {unit for unit, role in _memberships(user) if not roles or role in roles}


def is_office(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or Role.OFFICE_ADMIN in roles_of(user)


def is_leader(user) -> bool:
    return Role.LEADER in roles_of(user)


def sees_everything(user) -> bool:
    return is_office(user) or is_leader(user)


def is_unit_officer(user) -> bool:
    return Role.UNIT_OFFICER in roles_of(user)


def is_reviewer(user) -> bool:
    return Role.REVIEWER in roles_of(user)


def is_inspector(user) -> bool:
    return Role.INSPECTOR in roles_of(user)


def is_staff_user(user) -> bool:
    """Anyone with a role: the people the internal pages are for."""
    return is_office(user) or bool(roles_of(user))


def scope_key(user) -> str:
    """Equal for two users whenever ``restrict`` gives them the same rows of every model: the
    rules read only a user's memberships, and the office and leaders see everything. For caches
    of figures computed over what a user may see."""
    if sees_everything(user):
        return "all"
    return ",".join(f"{unit}:{role}" for unit, role in sorted(_memberships(user)))


def district_ids_of(user, *roles: str) -> set[int]:
    """The districts governed by the units the user acts for (in the given roles)."""
    units = unit_ids_of(user, *roles)
    if not units:
        return set()
    return set(
        Unit.objects.filter(pk__in=units, district__isnull=False).values_list(
            "district_id", flat=True
        )
    )


# --- per-model rules -------------------------------------------------------------------------

Restrict = Callable[[QuerySet, object, str], QuerySet]
_POLICIES: dict[str, Restrict] = {}


def policy_for(*models_: type[models.Model]) -> Callable[[Restrict], Restrict]:
    """Register ``fn(queryset, user, action) -> queryset`` as the rule for these models."""

    def register(fn: Restrict) -> Restrict:
        for model in models_:
            _POLICIES[model._meta.label_lower] = fn
        return fn

    return register


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` the user may see (``VIEW``) or change (``CHANGE``)."""
    if is_office(user):
        return queryset
    if action == VIEW and is_leader(user):
        return queryset
    rule = _POLICIES.get(queryset.model._meta.label_lower)
    if rule is None:
        return queryset.none()
    return rule(queryset, user, action)


def can(user, action: str, obj: models.Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def can_view(user, obj: models.Model) -> bool:
    return can(user, VIEW, obj)


def can_change(user, obj: models.Model) -> bool:
    return can(user, CHANGE, obj)


def get_for_user(queryset_or_model, user, pk, *, action: str = VIEW):
    """The object with ``pk`` if the user may see (or change) it; 404 otherwise."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    try:
        return restrict(queryset, user, action).get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- rules of the foundation's own models ----------------------------------------------------


@policy_for(Unit)
def _units(queryset: QuerySet, user, action: str) -> QuerySet:
    if action == VIEW and is_staff_user(user):
        return queryset
    return queryset.none()
