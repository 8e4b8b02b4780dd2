"""Sign-ins in the audit log: each login, each failed attempt on an existing account, and each
lockout django-axes imposes (too many failures from one address for one user name)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed

from audit.log import record


def _address(request) -> str:
    return (getattr(request, "META", None) or {}).get("REMOTE_ADDR", "") if request else ""


def _account(username: str | None):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def logged_in(sender, request, user, **kwargs) -> None:
    record(user, "login", user, reason=_address(request))


def login_failed(sender, credentials, request=None, **kwargs) -> None:
    user = _account(credentials.get("username"))
    if user is not None:  # unknown names are counted by axes, not chained here
        record(None, "login.failed", user, reason=_address(request))


def locked_out(sender, request, username, ip_address, **kwargs) -> None:
    from axes.models import AccessAttempt

    subject = _account(username) or (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address).first()
    )
    if subject is not None:
        record(None, "login.locked_out", subject, reason=f"{ip_address} · {username}")


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(logged_in, dispatch_uid="lantian-audit-login")
    user_login_failed.connect(login_failed, dispatch_uid="lantian-audit-login-failed")
    user_locked_out.connect(locked_out, dispatch_uid="lantian-audit-locked-out")
