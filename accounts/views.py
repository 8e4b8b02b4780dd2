from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import is_staff_user, restrict, roles_of
from accounts.choices import Role
from accounts.models import Membership, Notification, Unit, UnitGroup
from lantian import home as start_page
from lantian import todo
from lantian.lib import tz


@login_required
def home(request):
    """The start page: who you are, what you act for, and where to go next."""
    memberships = Membership.objects.filter(user=request.user).select_related("unit")
    return render(
        request,
        "accounts/home.html",
        {
            "memberships": memberships,
            "role_labels": [Role(r).label for r in sorted(roles_of(request.user))],
            "sections": start_page.sections_for(request.user, tz.local_today()),
            "todos": todo.todos_for(request.user, tz.local_today()),
            "today": tz.local_today(),
        },
    )


@login_required
def todo_badges(request):
    """``{menu url name: number of to-dos}`` for the menu badges (fetched by every page)."""
    return JsonResponse(todo.badges_for(request.user, tz.local_today()))


@login_required
def unit_list(request):
    """The unit registry (单位名录) with aliases and group phrases."""
    if not is_staff_user(request.user):
        raise PermissionDenied
    units = (
        restrict(Unit.objects.all(), request.user)
        .select_related("city", "district", "parent")
        .prefetch_related("aliases")
        .order_by("city_id", "kind", "id")
    )
    groups = UnitGroup.objects.select_related("city").prefetch_related("members").order_by("id")
    return render(request, "accounts/unit_list.html", {"units": units, "groups": groups})


@login_required
def notification_list(request):
    """My notifications, newest first; opening the list marks nothing, opening one marks it read."""
    notifications = Notification.objects.filter(user=request.user).select_related("unit")
    page = Paginator(notifications, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_open(request, pk: int):
    notification = Notification.objects.filter(user=request.user, pk=pk).first()
    if notification is None:
        return redirect("notification-list")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.url or "notification-list")
