"""A target's actual value: computed from the platform's data where it holds the data, else
what the units reported (marked self-reported), and the city-wide roll-up of every target.

Measured here: monitors installed and online (fume, dust, key emission units), 联网率, A/B/
引领性 grades (together or by level), dust fall, PM2.5 and 优良天数比例; the monitor counts
and dust fall come from ``crosscheck.claims`` (the same measures the cross-checks compare
claims with), the rest are defined below. A target nothing here recognises keeps its typed
value, labelled 单位自报.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from crosscheck import claims
from crosscheck.claims import Area, Measured
from lantian.lib import tz
from ledger.choices import Comparator

DATA, REPORTED = "data", "reported"
SOURCE_LABELS = {DATA: "平台数据", REPORTED: "单位自报"}
COUNT_UNITS = ("家", "个", "处", "台", "套", "辆", "座", "户", "批次", "轮次", "次", "项")


@dataclass(frozen=True)
class Measure:
    code: str
    pattern: re.Pattern
    measure: Callable[[Area, dt.datetime], Measured | None]


def _year_start(now: dt.datetime) -> dt.date:
    return tz.to_local(now).date().replace(month=1, day=1)


def _pm25(area: Area, now: dt.datetime) -> Measured | None:
    """The year's PM2.5 so far: the mean of the area's monthly means (districts averaged)."""
    from django.db.models import Avg

    from airquality.models import DistrictMonthly

    start = _year_start(now)
    rows = DistrictMonthly.objects.filter(area.q(), month__gte=start, pm25__isnull=False)
    months = list(rows.values("month").annotate(v=Avg("pm25")).order_by("month"))
    if not months:
        return None
    value = sum(m["v"] for m in months) / len(months)
    return Measured(
        round(value, 1),
        f"{area.name} {start.year} 年 {len(months)} 个月 PM2.5 月均值的平均 "
        f"{value:.1f} 微克/立方米",
    )


def _good_days(area: Area, now: dt.datetime) -> Measured | None:
    from airquality.models import DistrictMonthly

    start = _year_start(now)
    totals = DistrictMonthly.objects.filter(area.q(), month__gte=start).aggregate(
        good=Sum("good_days"), days=Sum("days")
    )
    if not totals["days"]:
        return None
    rate = 100 * totals["good"] / totals["days"]
    return Measured(
        round(rate, 1),
        f"{area.name} {start.year} 年有效监测 {totals['days']} 个站日，优良 {totals['good']} 个，"
        f"优良天数比例 {rate:.1f}%",
    )


def _online_rate(kind: str | None, label: str):
    def measure(area: Area, now: dt.datetime) -> Measured | None:
        from monitoring import rates
        from monitoring.models import Device

        devices = Device.objects.filter(area.q("site__district"), is_active=True)
        if kind:
            devices = devices.filter(kind=kind)
        lines = rates.transmission(now - dt.timedelta(days=1), now, devices)
        total = sum(line.devices for line in lines)
        if not total:
            return None
        online = sum(line.online for line in lines)
        return Measured(
            round(100 * online / total, 1),
            f"{area.name}{label}在用设备 {total} 台，最近 24 小时有数据 {online} 台，"
            f"联网率 {100 * online / total:.1f}%",
        )

    return measure


def _installed(site_kind: str, device_kind: str, label: str):
    def measure(area: Area, now: dt.datetime) -> Measured | None:
        from monitoring.models import Site

        sites = Site.objects.filter(area.q(), kind=site_kind, devices__kind=device_kind)
        installed = sites.distinct().count()
        online = sites.filter(devices__last_seen_at__gte=now - claims.RECENT).distinct().count()
        return Measured(
            installed,
            f"平台登记{area.name}{label}已安装 {installed} 家，其中近 30 天有在线数据 {online} 家",
        )

    return measure


GRADE_WORDS = {"A": r"A\s*(级|、|，|/|和|及)", "B": r"B\s*(级|、|，|/|和|及)", "leading": r"引领"}


def _grades(indicator: str):
    levels = [g for g, word in GRADE_WORDS.items() if re.search(word, indicator)]

    def measure(area: Area, now: dt.datetime) -> Measured | None:
        from emergency.models import Enterprise

        count = Enterprise.objects.filter(area.q(), grade__in=levels, city=area.city).count()
        names = "、".join({"A": "A级", "B": "B级", "leading": "绩效引领性"}[g] for g in levels)
        return Measured(count, f"应急减排清单中{area.name} {names}企业 {count} 家")

    return measure


MEASURES = [
    Measure(
        "pm25",
        re.compile(
            r"(PM2\.?5|PM₂\.₅|细颗粒物).*(浓度|均值|平均)|(浓度|均值|平均).*(PM2\.?5|细颗粒物)"
        ),
        _pm25,
    ),
    Measure("good_days", re.compile(r"优良天数(比例|比率|占比|率)|优良率"), _good_days),
    Measure("fume_online_rate", re.compile(r"油烟.*联网率"), _online_rate("fume", "油烟在线监测")),
    Measure(
        "dust_online_rate",
        re.compile(r"(扬尘|工地|施工).*联网率"),
        _online_rate("dust", "扬尘在线监测"),
    ),
    Measure(
        "emission_online_rate",
        re.compile(r"(重点排污|污染源).*联网率"),
        _online_rate("emission", "污染源自动监控"),
    ),
    Measure("online_rate", re.compile(r"联网率"), _online_rate(None, "在线监测")),
    Measure(
        "fume_installed",
        re.compile(r"油烟.*安装|安装.*油烟"),
        _installed("restaurant", "fume", "餐饮单位油烟在线监测"),
    ),
    Measure(
        "dust_installed",
        re.compile(r"(工地|扬尘).*安装|安装.*(工地|扬尘)"),
        _installed("construction", "dust", "施工工地扬尘在线监测"),
    ),
    Measure(
        "emission_installed",
        re.compile(r"(重点排污|排污单位).*安装|安装.*自动监测"),
        _installed("emission", "emission", "重点排污单位自动监控"),
    ),
]


def measure_for(indicator: str) -> Callable[[Area, dt.datetime], Measured | None] | None:
    """What computes ``indicator`` from data: the measures above, then grades by the levels
    the text names, then the cross-checks' measures (monitors online, dust fall)."""
    text = indicator or ""
    for m in MEASURES:
        if m.pattern.search(text):
            return m.measure
    if any(re.search(word, text) for word in GRADE_WORDS.values()) and "企业" in text:
        return _grades(text)
    found = claims.measure_for(text)
    return found.measure if found else None


@dataclass
class Progress:
    """A target with its actual value, where the value comes from, and how far it has got."""

    target: object
    area: Area
    value: float | None = None
    source: str | None = None
    text: str = ""
    reported: list[tuple[object, float]] = field(default_factory=list)  # (unit, latest value)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, "")

    @property
    def met(self) -> bool | None:
        if self.value is None or self.target.value is None:
            return None
        return self.target.is_met(Decimal(str(self.value)))

    @property
    def share(self) -> float | None:
        """How far toward the target, 0–1 (for ≤ targets: target ÷ actual)."""
        goal = float(self.target.value) if self.target.value is not None else None
        if self.value is None or not goal:
            return None
        if self.target.comparator in (Comparator.LTE, Comparator.LT):
            return 1.0 if self.value <= goal else max(0.0, goal / self.value)
        return max(0.0, min(1.0, self.value / goal))

    @property
    def overdue(self) -> bool:
        by = self.target.by
        return bool(by and by < tz.local_today() and self.met is False)


def progress(target, area: Area, *, reports=None, now: dt.datetime | None = None) -> Progress:
    """The target's actual in ``area``: computed from data when a measure applies, else the
    units' latest reported values (summed for counts), marked self-reported."""
    now = now or tz.now()
    out = Progress(target, area)
    measure = measure_for(target.indicator)
    measured = measure(area, now) if measure else None
    reported = latest_reported(target, reports)
    out.reported = reported
    if measured is not None:
        out.value, out.source, out.text = float(measured.value), DATA, measured.text
    elif reported:
        values = [v for _, v in reported]
        if len(values) == 1 or target.unit in COUNT_UNITS:
            out.value = sum(values) if target.unit in COUNT_UNITS else values[0]
            out.source = REPORTED
            names = "、".join(f"{u.name} {v:g}" for u, v in reported)
            out.text = f"单位自报：{names}" + ("，合计" if len(values) > 1 else "")
        else:
            out.source = REPORTED
            out.text = "单位自报：" + "、".join(f"{u.name} {v:g}" for u, v in reported)
    return out


def latest_reported(target, reports=None) -> list[tuple[object, float]]:
    """Each line's latest reported value of ``target`` (current report versions only)."""
    from ledger.models import TargetActual

    rows = (
        TargetActual.objects.filter(target=target, report__is_current=True)
        .select_related("report__assignment__unit")
        .order_by("report__assignment_id", "report__period")
    )
    latest = {}
    for actual in rows:
        latest[actual.report.assignment_id] = (actual.report.assignment.unit, float(actual.value))
    return list(latest.values())


def city_rollup(city, *, plan=None, now: dt.datetime | None = None) -> list[Progress]:
    """Every target of the city's plans, measured city-wide."""
    from ledger.models import Target

    targets = (
        Target.objects.filter(withdrawn=False, task__withdrawn=False, task__plan__city=city)
        .select_related("task__plan")
        .order_by("task__plan_id", "task__no", "position")
    )
    if plan is not None:
        targets = targets.filter(task__plan=plan)
    area = Area(city, None)
    return [progress(t, area, now=now) for t in targets]


def area_of(unit, city) -> Area:
    """A line's area: its unit's district, or the whole city for city-level units."""
    district = getattr(unit, "district", None)
    return Area(city, district if district is not None and district.parent_id == city.pk else None)
