"""What the platform's own data say about a quantitative target, for comparing with the value
a unit reports (``TargetActual``).

A measure recognises a target by its wording (油烟在线监测设施安装 …, A级、B级和绩效引领性企业,
平均降尘量 …) and measures the same quantity in the reporting unit's area from the registries
and readings lantian holds. Targets no measure recognises are not checked.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Avg, Q

from accounts.models import District

RECENT = dt.timedelta(days=30)  # a device counts as connected with data in the last 30 days


@dataclass(frozen=True)
class Area:
    city: District
    district: District | None  # None: the whole city

    @property
    def name(self) -> str:
        return self.district.name if self.district else self.city.name

    def q(self, field: str = "district") -> Q:
        if self.district is not None:
            return Q(**{field: self.district})
        return Q(**{f"{field}__parent": self.city}) | Q(**{field: self.city})


@dataclass(frozen=True)
class Measured:
    value: float
    text: str  # how it was measured, in words for the office


@dataclass(frozen=True)
class Measure:
    code: str
    pattern: re.Pattern
    measure: Callable[[Area, dt.datetime], Measured | None]


def _connected_sites(site_kind: str, device_kind: str, label: str):
    def measure(area: Area, now: dt.datetime) -> Measured | None:
        from monitoring.models import Site

        sites = Site.objects.filter(area.q(), kind=site_kind, devices__kind=device_kind)
        registered = sites.distinct().count()
        online = sites.filter(devices__last_seen_at__gte=now - RECENT).distinct().count()
        return Measured(
            online,
            f"平台登记{area.name}{label} {registered} 家，近 30 天有在线数据 {online} 家",
        )

    return measure


def _high_grades(area: Area, now: dt.datetime) -> Measured | None:
    from emergency.choices import HIGH_GRADES
    from emergency.models import Enterprise

    count = (
        Enterprise.objects.filter(area.q(), grade__in=HIGH_GRADES).filter(Q(city=area.city)).count()
    )
    return Measured(count, f"应急减排清单中{area.name} A级、B级和绩效引领性企业 {count} 家")


def _dust_fall(area: Area, now: dt.datetime) -> Measured | None:
    from airquality.models import DustFall

    rows = DustFall.objects.filter(area.q())
    latest = rows.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return None
    mean = rows.filter(month=latest).aggregate(v=Avg("value"))["v"]
    return Measured(
        round(mean, 2), f"{area.name} {latest:%Y年%m月}降尘监测均值 {mean:.2f} 吨/月・平方公里"
    )


MEASURES = [
    Measure(
        "fume_online",
        re.compile(r"油烟.*(在线|监测|监控)|(在线|监测|监控).*油烟"),
        _connected_sites("restaurant", "fume", "餐饮单位油烟在线监测"),
    ),
    Measure(
        "dust_online",
        re.compile(r"(工地|施工|扬尘).*(在线|监测|监控)"),
        _connected_sites("construction", "dust", "施工工地扬尘在线监测"),
    ),
    Measure(
        "emission_online",
        re.compile(r"(重点排污|排污单位|重点排放|污染源).*(在线|自动)(监测|监控)"),
        _connected_sites("emission", "emission", "重点排污单位自动监控"),
    ),
    Measure("high_grades", re.compile(r"A\s*级.*B\s*级|绩效引领"), _high_grades),
    Measure("dust_fall", re.compile(r"降尘"), _dust_fall),
]


def measure_for(indicator: str) -> Measure | None:
    return next((m for m in MEASURES if m.pattern.search(indicator or "")), None)
