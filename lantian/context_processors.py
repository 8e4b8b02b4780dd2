from django.conf import settings
from django.utils.functional import SimpleLazyObject

from lantian.navigation import items_for


def site(request):
    """Site name and the menu entries the current user may open, each with its to-do badge.

    Lazy: an htmx fragment that shows no menu costs no query.
    """

    def nav():
        items = items_for(request.user)
        if not request.user.is_authenticated:
            return items
        from lantian import todo
        from lantian.lib import tz

        badges = todo.badges_for(request.user, tz.local_today())
        return [{**item, "badge": badges.get(item["name"], 0)} for item in items]

    def unread():
        if not request.user.is_authenticated:
            return 0
        from accounts.models import Notification

        return Notification.objects.filter(user=request.user, read_at=None).count()

    return {
        "lantian_name": settings.SITE_NAME,  # not site_name: auth views set that to the host
        "nav_items": SimpleLazyObject(nav),
        "unread_notifications": SimpleLazyObject(unread),
    }
