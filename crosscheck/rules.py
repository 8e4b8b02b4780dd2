"""The cross-checks: each rule compares what someone recorded with the data lantian holds and
yields a ``Found`` for every disagreement. Plain functions over the ORM, no HTTP; the sweep
(``crosscheck.sweep``) turns them into ``Finding`` rows.

- ``claims``: a reported value of a quantitative target that the platform's own data do not
  support (e.g. 758 restaurants' fume monitors "installed", 212 sending data);
- ``evidence_reuse``: one file (same SHA-256) attached as evidence in several places;
- ``alarm_rebound``: an exceedance alarm closed as handled while the device still exceeds;
- ``inspection_vs_data``: an emergency inspection recorded as compliant while the enterprise's
  online data show less reduction than it owes (伪造应急减排台账 is what this catches);
- ``closed_vs_alarms``: a ledger item on dust or fume closed out (销号) while the same kind of
  site in the unit's area keeps raising exceedance alarms in the weeks after.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.urls import reverse

from crosscheck import claims, rules_inspections, rules_photos, rules_progress, rules_texts
from crosscheck.found import Found, setting
from crosscheck.models import Rule, Severity
from crosscheck.thresholds import Thresholds
from lantian.lib import tz

# --- reported values against the platform's data -----------------------------------------------


def check_claims(now: dt.datetime) -> Iterator[Found]:
    from ledger.models import Comparator, TargetActual

    tolerance = float(setting("claim_tolerance", 0.05))
    actuals = (
        TargetActual.objects.filter(report__is_current=True, target__withdrawn=False)
        .select_related(
            "target",
            "report__assignment__unit__district",
            "report__assignment__district",
            "report__assignment__task__plan__city",
        )
        .order_by("report__assignment_id", "target_id", "-report__period")
    )
    seen: set[tuple[int, int]] = set()
    measured: dict[tuple[str, int, int | None], claims.Measured | None] = {}
    for actual in actuals:
        line, target = actual.report.assignment, actual.target
        if (line.pk, target.pk) in seen:
            continue  # an older month's report: only the latest claim counts
        seen.add((line.pk, target.pk))
        measure = claims.measure_for(target.indicator)
        city = line.task.plan.city
        if measure is None or city is None:
            continue
        area = claims.Area(city, _district_of(line, city))
        cache_key = (measure.code, city.pk, area.district.pk if area.district else None)
        if cache_key not in measured:
            measured[cache_key] = measure.measure(area, now)
        data = measured[cache_key]
        if data is None:
            continue
        claimed = float(actual.value)
        if target.comparator in (Comparator.LTE, Comparator.LT):
            better = claimed < data.value * (1 - tolerance)  # claims less pollution than measured
        else:
            better = claimed > data.value * (1 + tolerance) and claimed - data.value >= 1
        if not better:
            continue
        unit = line.unit
        yield Found(
            Rule.CLAIM,
            f"claim:{line.pk}:{target.pk}",
            Severity.HIGH,
            f"{unit.name}报送“{target.indicator}”为 {_num(claimed)}{target.unit}，"
            f"平台数据为 {_num(data.value)}",
            f"{actual.report.period:%Y年%m月}进展报送的实际值 {_num(claimed)}{target.unit}"
            f"（目标 {target}）；{data.text}。",
            {
                "claimed": claimed,
                "measured": data.value,
                "measure": measure.code,
                "report": actual.report.pk,
                "target": target.pk,
            },
            unit_id=unit.pk,
            district_id=area.district.pk if area.district else None,
            url=reverse("ledger-report", args=[actual.report.pk]),
            line_id=line.pk,
        )


def _district_of(line, city):
    district = line.district or line.unit.district
    if district is None or district.pk == city.pk or district.parent_id != city.pk:
        return None
    return district


def _num(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


# --- the same file as evidence in several places -----------------------------------------------


def check_evidence_reuse(now: dt.datetime) -> Iterator[Found]:
    """Photos: one picture (also resized, cropped, recompressed) in several reports; other
    files: the same bytes in several reports."""
    from evidence.models import EvidenceFile
    from ledger.models import ProgressReport

    th = Thresholds.on(tz.to_local(now).date())
    covered = set()
    for found in rules_photos.check_report_photo_reuse(th):
        covered |= {f["sha256"] for f in found.facts["files"]}
        yield found
    report_type = ContentType.objects.get_for_model(ProgressReport)
    documents = EvidenceFile.objects.filter(content_type=report_type).exclude(sha256__in=covered)
    reused = (
        documents.values("sha256")
        .annotate(n=Count("object_id", distinct=True))
        .filter(n__gt=1)
        .values_list("sha256", flat=True)
    )
    files = defaultdict(list)
    for f in documents.filter(sha256__in=list(reused)):
        if f.object_id.isdigit():
            files[f.sha256].append(f)
    reports = ProgressReport.objects.select_related("assignment__unit", "assignment__task").in_bulk(
        [int(f.object_id) for group in files.values() for f in group]
    )
    for sha, group in files.items():
        places = [reports[int(f.object_id)] for f in group if int(f.object_id) in reports]
        places = [r for r in places if r.is_current] or places
        lines = {(r.assignment_id, r.period) for r in places}
        if len(lines) < 2:
            continue  # a correction of the same month's report may carry its files again
        first = min(places, key=lambda r: r.submitted_at)
        photo = any(f.kind == "image" for f in group)
        names = "、".join(sorted({f.original_name for f in group})[:3])
        where = "；".join(
            f"{r.assignment.unit.name} {r.period:%Y年%m月}（任务 {r.assignment.task.no}）"
            for r in sorted(places, key=lambda r: r.submitted_at)[:6]
        )
        yield Found(
            Rule.EVIDENCE_REUSE,
            f"evidence:{sha}",
            Severity.HIGH if photo else Severity.MEDIUM,
            f"同一份佐证材料（{names}）用于 {len(lines)} 次报送",
            f"内容完全相同（SHA-256 {sha[:12]}…）的文件作为不同任务或不同月份的佐证：{where}。"
            + ("同一张照片证明不同时间或地点的整改，需现场核实。" if photo else ""),
            {"sha256": sha, "reports": sorted(r.pk for r in places)},
            unit_id=first.assignment.unit_id,
            url=reverse("ledger-report", args=[first.pk]),
            line_id=first.assignment_id,
        )


# --- alarms closed while the device still exceeds ----------------------------------------------


def check_alarm_rebound(now: dt.datetime) -> Iterator[Found]:
    from monitoring.choices import AlarmKind, AlarmStatus
    from monitoring.judge import VALID_FLAGS, rules_for
    from monitoring.models import Alarm, Reading
    from regulations.lookup import RegulationNotFound

    lookback = dt.timedelta(days=int(setting("alarm_lookback_days", 30)))
    after = dt.timedelta(hours=int(setting("alarm_rebound_hours", 24)))
    needed = int(setting("alarm_rebound_windows", 3))
    alarms = Alarm.objects.filter(
        kind=AlarmKind.EXCEEDANCE, status=AlarmStatus.CLOSED, closed_at__gte=now - lookback
    ).select_related("device__site", "site__district", "dispatched_to")
    for alarm in alarms:
        day = tz.to_local(alarm.closed_at).date()
        try:
            rules = rules_for(alarm.device, day)
        except RegulationNotFound:  # no limit in force that day: nothing to judge against
            continue
        rule = next((r for r in rules if r.code == alarm.code), None)
        if rule is None:
            continue
        end = min(alarm.closed_at + after, now)
        values = Reading.objects.filter(
            device=alarm.device,
            code=alarm.code,
            data_time__gte=alarm.closed_at,
            data_time__lt=end,
            flag__in=VALID_FLAGS,
        ).values_list("data_time", "value")
        windows: dict[int, list[float]] = defaultdict(list)
        for at, value in values:
            windows[int((at - alarm.closed_at) / rule.window)].append(value)
        means = {k: sum(v) / len(v) for k, v in windows.items()}
        over = sorted(k for k, m in means.items() if m > rule.limit)
        if len(over) < needed:
            continue
        peak = max(means[k] for k in over)
        yield Found(
            Rule.ALARM_REBOUND,
            f"alarm:{alarm.pk}",
            Severity.HIGH,
            f"报警 #{alarm.pk}（{alarm.site.name}）已办结，其后 {len(over)} 个时段仍超标",
            f"报警于 {tz.to_local(alarm.closed_at):%Y-%m-%d %H:%M} 办结；此后"
            f"{int(after.total_seconds() // 3600)} 小时内有 {len(over)} 个 "
            f"{int(rule.window.total_seconds() // 60)} 分钟均值超过限值 {rule.limit:g}{rule.unit}"
            f"（最高 {peak:.3g}），整改是否到位需核实（表面整改）。",
            {"alarm": alarm.pk, "windows_over": len(over), "peak": peak, "limit": rule.limit},
            unit_id=alarm.dispatched_to_id,
            district_id=alarm.site.district_id,
            url=reverse("monitoring-alarm", args=[alarm.pk]),
        )


# --- inspections recorded compliant against the online data ------------------------------------


def check_inspections(now: dt.datetime) -> Iterator[Found]:
    from emergency import readings
    from emergency.choices import Result
    from emergency.models import Inspection

    if readings.provider() is None:
        return
    lookback = dt.timedelta(days=int(setting("inspection_lookback_days", 90)))
    min_hours = int(setting("inspection_min_hours", 6))
    inspections = (
        Inspection.objects.filter(
            result=Result.COMPLIANT, plan__round__episode__starts_at__gte=now - lookback
        )
        .exclude(enterprise__device_mns=[])
        .select_related("enterprise", "plan__unit", "plan__round__episode", "district")
        .prefetch_related("enterprise__measures")
        .order_by("id")
    )
    cache: dict[tuple[int, int], object] = {}
    for inspection in inspections:
        enterprise, episode = inspection.enterprise, inspection.plan.round.episode
        key = (enterprise.pk, episode.pk)
        if key not in cache:
            cache[key] = readings.for_episode(
                enterprise.device_mns, episode.starts_at, episode.lifted_at or now
            )
        data = cache[key]
        if data is None:
            continue
        level = inspection.plan.level
        measure = next((m for m in enterprise.measures.all() if m.level == level), None)
        if measure is None:
            continue
        owed = 100.0 if measure.stop_production else float(measure.reduction_pct or 0)
        short = [
            c
            for c in data.comparisons
            if c.episode_n >= min_hours and c.baseline_n >= min_hours and c.falls_short(owed)
        ]
        if not short:
            continue
        worst = max(short, key=lambda c: c.change_pct or 0)
        yield Found(
            Rule.INSPECTION_VS_DATA,
            f"inspection:{inspection.pk}",
            Severity.HIGH,
            f"{enterprise.name}：{inspection.plan.day:%m月%d日}检查记为落实到位，"
            f"在线数据降幅 {-(worst.change_pct or 0):g}%，应减排 {owed:g}%",
            f"{inspection.plan.unit.name}检查记录为“落实到位”；{worst.mn} {worst.pollutant}"
            f"预警期间均值 {worst.episode_mean:g}{worst.unit}，预警前 7 天均值 "
            f"{worst.baseline_mean:g}{worst.unit}，降幅小于应执行的减排比例。应急减排台账与"
            "检查记录的真实性需核实。",
            {
                "inspection": inspection.pk,
                "episode": episode.pk,
                "mn": worst.mn,
                "change_pct": worst.change_pct,
                "owed_pct": float(owed),
            },
            unit_id=inspection.plan.unit_id,
            district_id=inspection.district_id,
            url=reverse("emergency-inspection", args=[inspection.pk]),
        )


# --- items closed out while the monitoring data of the same kind keep alarming ------------------

# What a ledger task is about, from its wording → the monitoring sites that show its effect.
TASK_SITES = (
    (re.compile(r"扬尘|工地|施工"), "construction"),
    (re.compile(r"油烟|餐饮"), "restaurant"),
)


def check_closed_items(now: dt.datetime) -> Iterator[Found]:
    from ledger.models import Assignment
    from monitoring.choices import AlarmKind
    from monitoring.models import Alarm

    after = dt.timedelta(days=int(setting("closed_watch_days", 30)))
    needed = int(setting("closed_alarms", 3))
    since = tz.to_local(now).date() - dt.timedelta(days=int(setting("closed_lookback_days", 90)))
    lines = (
        Assignment.objects.filter(works=True, withdrawn=False, closed_on__gte=since)
        .select_related("task__plan__city", "unit__district", "district")
        .order_by("id")
    )
    for line in lines:
        task, city = line.task, line.task.plan.city
        wording = f"{task.title}{task.problem}{task.target}"
        kind = next((k for pattern, k in TASK_SITES if pattern.search(wording)), None)
        if kind is None or city is None:
            continue
        area = claims.Area(city, _district_of(line, city))
        start = tz.start_of_local_day(line.closed_on)
        alarms = Alarm.objects.filter(
            area.q("site__district"),
            kind=AlarmKind.EXCEEDANCE,
            site__kind=kind,
            first_at__gte=start,
            first_at__lt=min(start + after, now),
        )
        count = alarms.count()
        if count < needed:
            continue
        sites = alarms.values("site").distinct().count()
        yield Found(
            Rule.CLOSED_VS_ALARMS,
            f"closed:{line.pk}",
            Severity.MEDIUM,
            f"{line.unit.name}“{task.title[:40]}”{line.closed_on:%m月%d日}销号，"
            f"其后 {count} 次同类超标报警",
            f"该事项于 {line.closed_on:%Y-%m-%d} 验收销号；此后 {after.days} 天内{area.name}"
            f" {sites} 个同类点位发生 {count} 次超标报警。"
            "整改成效是否巩固需核实（表面整改、反弹）。",
            {"alarms": count, "sites": sites, "closed_on": line.closed_on.isoformat()},
            unit_id=line.unit_id,
            district_id=area.district.pk if area.district else None,
            url=reverse("ledger-assignment", args=[line.pk]),
            line_id=line.pk,
        )


RULES = {
    Rule.CLAIM: check_claims,
    Rule.EVIDENCE_REUSE: check_evidence_reuse,
    Rule.ALARM_REBOUND: check_alarm_rebound,
    Rule.INSPECTION_VS_DATA: check_inspections,
    Rule.CLOSED_VS_ALARMS: check_closed_items,
    Rule.PHOTO_TIME: rules_photos.check_photo_time,
    Rule.PHOTO_PLACE: rules_photos.check_photo_place,
    Rule.PHOTO_EDITED: rules_photos.check_photo_edited,
    Rule.TEXT_COPY: rules_texts.check_text_copy,
    Rule.LATE_JUMP: rules_progress.check_late_jumps,
    Rule.INSPECTION_TRAVEL: rules_inspections.check_travel,
    Rule.INSPECTION_CLONE: rules_inspections.check_clones,
    Rule.INSPECTION_REUSE: rules_photos.check_inspection_reuse,
    Rule.INSPECTION_IDLE: rules_inspections.check_idle_days,
}
