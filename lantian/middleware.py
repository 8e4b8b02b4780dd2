"""Refuse a request whose query string or form fields hold a NUL character, before any view.

PostgreSQL cannot store or compare text containing NUL, so such a value reaching a filter or a
form would end in a server error; no person types one. The API (``api/``) refuses the same
characters in its schemas with a 422 that names the field; the pages answer 400 here.
"""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            return self.get_response(request)
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                _("请求中含有不允许的控制字符（NUL），请检查输入。"),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


class NumberOutOfRangeMiddleware:
    """A number no database column can hold (``99999999999999999999999`` typed into a form
    whose field picks a record by id) makes SQLite raise OverflowError while binding it, deep
    inside a form's validation. PostgreSQL simply finds no such record; on SQLite it was a
    server error. Whatever view it reaches, the person gets a 400 page that says what was
    wrong; nothing was written, since every write is one transaction."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OverflowError) or request.path.startswith("/api/"):
            return None
        from django.shortcuts import render

        message = _("输入的数字超出允许范围，请检查后重新填写。")
        return render(request, "400.html", {"message": message}, status=400)
