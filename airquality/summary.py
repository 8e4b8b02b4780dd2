"""Read-only views of the figures, shared by pages, the API and the public summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from accounts.models import District
from airquality import aqi
from airquality.models import DistrictDaily, DistrictMonthly, DustFall
from airquality.services import dustfall_target
from lantian.lib import tz


def default_city() -> District | None:
    return District.objects.filter(parent=None, name=settings.LANTIAN_DEFAULT_CITY).first()


def level_scale(on: dt.date) -> list[dict[str, Any]]:
    """The six AQI levels with colours, for chart legends (from the regulation data)."""
    table = aqi.load_table(on=on)
    return [
        {
            "index": lv.index,
            "max": lv.max,
            "level": lv.level,
            "category": lv.category,
            "color": lv.rgb,
        }
        for lv in table.levels
    ]


def labels(codes: str) -> str:
    """``pm25;pm10`` → ``PM₂.₅、PM₁₀``."""
    return "、".join(aqi.LABELS.get(c, c) for c in codes.split(";") if c)


def day_entry(figures: DistrictDaily | Any, scale: list[dict]) -> dict[str, Any]:
    level = scale[figures.level] if figures.level is not None else None
    return {
        "aqi": figures.aqi,
        "level": level["level"] if level else None,
        "category": level["category"] if level else None,
        "color": level["color"] if level else None,
        "primary": labels(figures.primary),
        "above_scale": figures.above_scale,
        "standard": figures.standard,
    }


def district_ranking(city: District, month: dt.date) -> list[DistrictMonthly]:
    """The month's district figures, best composite index first (unranked last)."""
    rows = DistrictMonthly.objects.filter(district__parent=city, month=month.replace(day=1))
    return sorted(
        rows.select_related("district"), key=lambda r: (r.rank is None, r.rank or 0, r.district_id)
    )


def dustfall_ranking(city: District, month: dt.date) -> dict[str, Any]:
    """The month's dust fall per district, lowest first, against the target, with last month."""
    month = month.replace(day=1)
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    rows = list(
        DustFall.objects.filter(district__parent=city, month=month).select_related("district")
    )
    before = dict(
        DustFall.objects.filter(district__parent=city, month=previous).values_list(
            "district_id", "value"
        )
    )
    target = dustfall_target(month, city)
    rows.sort(key=lambda r: (r.value, r.district_id))
    out, position, last = [], 0, None
    for i, row in enumerate(rows, start=1):
        if row.value != last:
            position, last = i, row.value
        prior = before.get(row.district_id)
        out.append(
            {
                "district": row.district.name,
                "district_id": row.district_id,
                "value": row.value,
                "points": row.points,
                "rank": position,
                "over_target": target is not None and row.value > target,
                "change": None if prior is None else round(row.value - prior, 2),
            }
        )
    return {"month": month, "target": target, "rows": out}


def public_summary(on: dt.date | None = None, city: District | None = None) -> dict[str, Any]:
    """What may be published about air quality on day ``on`` (default: yesterday), JSON-ready.

    The city's and each district's daily AQI with level, category, colour and primary
    pollutants, and the month's district ranking so far. Contains no personal data and no
    station-level detail, so ``disclosure`` may show it without login.
    """
    on = on or tz.local_today() - dt.timedelta(days=1)
    city = city or default_city()
    if city is None:
        return {"date": on.isoformat(), "city": None, "districts": [], "ranking": []}
    scale = level_scale(on)
    days = {
        d.district_id: d
        for d in DistrictDaily.objects.filter(
            date=on,
            district__in=District.objects.filter(parent=city) | District.objects.filter(pk=city.pk),
        )
    }
    city_day = days.get(city.pk)
    districts = [
        {"name": d.name, **day_entry(days[d.pk], scale)}
        for d in District.objects.filter(parent=city).order_by("id")
        if d.pk in days and days[d.pk].aqi is not None
    ]
    ranking = [
        {
            "district": r.district.name,
            "rank": r.rank,
            "composite": r.composite,
            "pm25": None if r.pm25 is None else round(r.pm25, 1),
            "good_days": r.good_days,
            "days": r.days,
        }
        for r in district_ranking(city, on)
        if r.rank is not None
    ]
    return {
        "date": on.isoformat(),
        "city": {"name": city.name, **(day_entry(city_day, scale) if city_day else {"aqi": None})},
        "districts": districts,
        "ranking": ranking,
        "levels": scale,
    }


def latest_city_day(city: District | None = None) -> DistrictDaily | None:
    """The newest day with a city AQI (the start page shows it; data arrive with a lag)."""
    city = city or default_city()
    if city is None:
        return None
    return DistrictDaily.objects.filter(district=city, aqi__isnull=False).order_by("-date").first()


def cards(user, today: dt.date) -> list:
    """Start-page cards: the latest city AQI and the response items waiting for this user."""
    from django.db.models import Count, Q
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from accounts.access import VIEW, is_staff_user, restrict
    from airquality.choices import ResponseStatus
    from airquality.models import ResponseItem
    from lantian.home import Card

    if not is_staff_user(user):
        return []
    out = []
    day = latest_city_day()
    if day is not None:
        entry = day_entry(day, level_scale(day.date))
        tone = "ok" if (day.aqi or 0) <= 100 else "warn" if day.aqi <= 200 else "bad"
        note = f"{day.date.isoformat()} {entry['category'] or ''} {entry['primary'] or ''}".strip()
        out.append(Card(_("全市空气质量指数"), day.aqi, reverse("airquality:overview"), tone, note))
    items = restrict(ResponseItem.objects.all(), user, VIEW).order_by()
    open_ = Q(status__in=[ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
    figures = items.aggregate(
        open=Count("pk", filter=open_),
        overdue=Count("pk", filter=open_ & Q(deadline__lt=tz.now())),
    )
    url = reverse("airquality:responses")
    out.append(Card(_("异常响应未办结"), figures["open"], url, "warn" if figures["open"] else "ok"))
    out.append(
        Card(
            _("异常响应超时"),
            figures["overdue"],
            f"{url}?overdue=1",
            "bad" if figures["overdue"] else "ok",
        )
    )
    return out
