"""The holiday calendar page: which years are known, from where, and the office's entry of a
year's arrangement from the State Council's notice (preview first, then save)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import access
from lantian.lib import tz, workdays
from regulations import calendars, services


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    title = forms.CharField(label=gettext_lazy("通知名称"), max_length=200, required=False)
    text = forms.CharField(
        label=gettext_lazy("通知正文"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=gettext_lazy("粘贴国务院办公厅通知中“一、元旦：……”至最后一项的正文"),
    )


@login_required
def calendar(request):
    if not access.is_staff_user(request.user):
        raise PermissionDenied
    office = access.is_office(request.user)
    today = tz.local_today()
    years = []
    for year in range(today.year - 1, today.year + 3):
        cal = workdays.calendar_for(year)
        years.append(
            {
                "year": year,
                "known": cal is not None,
                "official": bool(cal and cal.official),
                "source": cal.source if cal else "",
                "holidays": len(cal.holidays) if cal else 0,
                "workdays": len(cal.workdays) if cal else 0,
                "notice": "" if cal and cal.official else workdays.gap_notice(year),
            }
        )
    form = NoticeForm(initial={"year": today.year + 1})
    preview = None
    if request.method == "POST":
        if not office:
            raise PermissionDenied
        form = NoticeForm(request.POST)
        if form.is_valid():
            year, text = form.cleaned_data["year"], form.cleaned_data["text"]
            holidays, made_up, problems = calendars.parse_notice(text, year)
            for problem in problems:
                form.add_error("text", problem)
            if not problems and "save" in request.POST:
                services.save_calendar(
                    year,
                    holidays,
                    made_up,
                    title=form.cleaned_data["title"],
                    acting_user=request.user,
                )
                messages.success(request, _("%(y)s 年节假日安排已保存") % {"y": year})
                return redirect("regulations-calendar")
            if not problems:
                preview = {
                    "year": year,
                    "holidays": sorted((dt.date.fromisoformat(d), n) for d, n in holidays.items()),
                    "workdays": [dt.date.fromisoformat(d) for d in made_up],
                }
    return render(
        request,
        "regulations/calendar.html",
        {"years": years, "form": form, "preview": preview, "is_office": office},
    )
