"""Impossible inspection ledgers (伪造检查记录): an inspector at places too far apart for the
time between them, many inspections at one minute or one spot, inspections recorded as seeing
production on a day the enterprise's online data show it idle. (Photos and signatures reused
across inspections: ``rules_photos.check_inspection_reuse``.)

An inspection's position is where its photos say they were taken (GPS), else the enterprise's
registered location.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse

from airquality.anomaly import distance_km
from crosscheck import memo, rules_photos
from crosscheck.found import Found
from crosscheck.models import Rule, Severity
from crosscheck.thresholds import Thresholds
from lantian.lib import tz


@dataclass
class Visit:
    inspection: object
    at: dt.datetime
    where: tuple[float, float] | None
    photographed: tuple[float, float] | None  # from the photos' GPS only
    registered: tuple[float, float] | None

    def point(self) -> dict:
        i = self.inspection
        return {
            "inspection": i.pk,
            "enterprise": i.enterprise.name,
            "at": tz.to_local(self.at).strftime("%H:%M"),
            "where": list(self.where) if self.where else None,
            "url": reverse("emergency-inspection", args=[i.pk]),
        }


def visits(now: dt.datetime, th: Thresholds) -> list[Visit]:
    from emergency.choices import InspectionStatus
    from emergency.models import Inspection

    gps = defaultdict(list)
    for p in rules_photos.photos(th):
        if p.subject.kind == "inspection" and p.print.latitude is not None:
            if not any(w in f"{p.name}{p.description}" for w in ("签字", "签名")):
                gps[p.subject.pk].append((p.print.latitude, p.print.longitude))
    out = []
    for i in (
        Inspection.objects.filter(status=InspectionStatus.DONE, inspected_at__isnull=False)
        .select_related("enterprise", "plan__unit", "inspector")
        .order_by("inspected_at", "pk")
    ):
        e = i.enterprise
        registered = (e.latitude, e.longitude) if e.latitude is not None else None
        shot = None
        if gps[i.pk]:
            shot = (
                statistics.median(p[0] for p in gps[i.pk]),
                statistics.median(p[1] for p in gps[i.pk]),
            )
        out.append(Visit(i, i.inspected_at, shot or registered, shot, registered))
    return out


def _finding(rule, key, severity, title, detail, group: list[Visit], facts: dict) -> Found:
    first = group[0].inspection
    return Found(
        rule,
        key,
        severity,
        title,
        detail,
        {"inspections": [v.inspection.pk for v in group], **facts},
        unit_id=first.plan.unit_id,
        district_id=first.district_id,
        url=reverse("emergency-inspection", args=[first.pk]),
    )


def _who(inspection) -> str:
    user = inspection.inspector
    if user is None:
        return "检查人员"
    return user.get_full_name() or user.username


# --- too far for the time ---------------------------------------------------------------------


def check_travel(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    th = th or Thresholds.on(tz.to_local(now).date())
    days = defaultdict(list)
    for v in memo.once(("visits", th.code), lambda: visits(now, th)):
        if v.inspection.inspector_id and v.where:
            days[(v.inspection.inspector_id, tz.to_local(v.at).date())].append(v)
    for (inspector, day), day_visits in sorted(days.items()):
        day_visits.sort(key=lambda v: v.at)
        legs = []
        for a, b in zip(day_visits, day_visits[1:], strict=False):
            km = distance_km(a.where, b.where)
            hours = (b.at - a.at).total_seconds() / 3600
            if km < th.travel_min_km:
                continue
            if hours <= 0 or km / hours > th.travel_speed_kmh:
                legs.append((a, b, km, hours))
        if not legs:
            continue
        first = day_visits[0].inspection
        parts = "；".join(
            f"{tz.to_local(a.at):%H:%M} {a.inspection.enterprise.name} → "
            f"{tz.to_local(b.at):%H:%M} {b.inspection.enterprise.name}：直线 {km:.1f} 公里，"
            f"间隔 {round(hours * 60)} 分钟"
            for a, b, km, hours in legs
        )
        yield _finding(
            Rule.INSPECTION_TRAVEL,
            f"travel:{inspector}:{day.isoformat()}",
            Severity.HIGH,
            f"{_who(first)} {day:%m月%d日}的检查行程不可能完成（{len(legs)} 段）",
            f"按检查记录的时间和位置，{parts}；"
            f"超过 {th.travel_speed_kmh:g} 公里/小时的直线平均速度。"
            "检查记录可能不是在现场形成的。" + th.source_note(),
            day_visits,
            {
                "day": day.isoformat(),
                "points": [v.point() for v in day_visits],
                "legs": [[a.inspection.pk, b.inspection.pk, round(km, 1)] for a, b, km, _ in legs],
            },
        )


# --- one minute, one spot -----------------------------------------------------------------------


def check_clones(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    th = th or Thresholds.on(tz.to_local(now).date())
    all_visits = memo.once(("visits", th.code), lambda: visits(now, th))
    minutes = defaultdict(list)
    for v in all_visits:
        minutes[tz.to_local(v.at).replace(second=0, microsecond=0)].append(v)
    for minute, group in sorted(minutes.items()):
        if len({v.inspection.enterprise_id for v in group}) < th.clone_min:
            continue
        names = "、".join(v.inspection.enterprise.name for v in group[:6])
        yield _finding(
            Rule.INSPECTION_CLONE,
            f"clone:time:{minute:%Y%m%d%H%M}",
            Severity.HIGH,
            f"{len(group)} 家企业的检查记录时间同为 {minute:%Y-%m-%d %H:%M}",
            f"{names} 的现场检查记为同一分钟。一次检查不可能同时在多处进行，检查记录可能是"
            "事后集中补录的。" + th.source_note(),
            group,
            {"points": [v.point() for v in group]},
        )
    # one spot: photos taken within a few metres for enterprises registered far apart
    placed = [v for v in all_visits if v.photographed and v.registered]
    taken: set[int] = set()
    for v in placed:
        if v.inspection.pk in taken:
            continue
        group = [
            w
            for w in placed
            if w.inspection.pk not in taken
            and distance_km(v.photographed, w.photographed) * 1000 <= th.clone_radius_m
        ]
        apart = [
            w
            for w in group
            if w is v or distance_km(v.registered, w.registered) > th.clone_apart_km
        ]
        if len({w.inspection.enterprise_id for w in apart}) < th.clone_min:
            continue
        taken |= {w.inspection.pk for w in apart}
        names = "、".join(w.inspection.enterprise.name for w in apart[:6])
        yield _finding(
            Rule.INSPECTION_CLONE,
            f"clone:place:{v.inspection.pk}",
            Severity.HIGH,
            f"{len(apart)} 家相距较远企业的检查照片拍摄于同一位置",
            f"{names} 登记位置相距 {th.clone_apart_km:g} 公里以上，现场照片的 GPS 位置却在"
            f" {th.clone_radius_m:g} 米之内（{v.photographed[0]:.5f}, {v.photographed[1]:.5f}）。"
            "检查照片可能不是在企业现场拍摄的。" + th.source_note(),
            apart,
            {"points": [w.point() for w in apart]},
        )


# --- recorded as seen running on a day the plant was idle --------------------------------------


def check_idle_days(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    from emergency import readings

    th = th or Thresholds.on(tz.to_local(now).date())
    if readings.provider() is None:
        return
    for v in memo.once(("visits", th.code), lambda: visits(now, th)):
        i = v.inspection
        mns = i.enterprise.device_mns
        if not mns or i.facilities_running is not True:
            continue  # only a record that saw the plant and its controls running is contradicted
        day = tz.to_local(v.at).date()
        start = tz.start_of_local_day(day)
        data = readings.for_episode(mns, start, start + dt.timedelta(days=1), baseline_days=7)
        if data is None:
            continue
        usable = [c for c in data.comparisons if c.baseline_mean and c.episode_mean is not None]
        if not usable or any(c.episode_n < th.idle_min_hours for c in usable):
            continue
        if any(c.episode_mean >= th.idle_fraction * c.baseline_mean for c in usable):
            continue
        worst = max(usable, key=lambda c: c.episode_mean / c.baseline_mean)
        yield _finding(
            Rule.INSPECTION_IDLE,
            f"idle:{i.pk}",
            Severity.HIGH,
            f"{i.enterprise.name}：{day:%m月%d日}检查记为治污设施正常运转，在线数据显示当日停产",
            f"检查记录称治污设施正常运转；当日在线监测均值（{worst.mn} {worst.pollutant}"
            f" {worst.episode_mean:g}{worst.unit}）不到此前 7 天均值（{worst.baseline_mean:g}"
            f"{worst.unit}）的 {th.idle_fraction:.0%}，企业当日处于停产状态。检查记录可能不是"
            "在现场形成的。" + th.source_note(),
            [v],
            {"series": data.series, "day": day.isoformat()},
        )
