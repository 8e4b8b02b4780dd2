from django.conf import settings

from lantian.navigation import items_for


def site(request):
    """Site name and the menu entries the current user may open."""
    unread = 0
    if request.user.is_authenticated:
        from accounts.models import Notification

        unread = Notification.objects.filter(user=request.user, read_at=None).count()
    return {
        "lantian_name": settings.SITE_NAME,  # not site_name: auth views set that to the host
        "nav_items": items_for(request.user),
        "unread_notifications": unread,
    }
