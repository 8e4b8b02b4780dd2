"""Photo forensics over evidence: when and where a photo was taken, through which software,
and whether one picture (resized, cropped, recompressed) proves several things.

Each evidence photo belongs to a *subject*: a monthly progress report (its period, the
item's problem date and place) or an emergency inspection (its time, the enterprise's place).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from crosscheck import memo, prints
from crosscheck.found import Found
from crosscheck.models import PhotoPrint, Rule, Severity
from crosscheck.thresholds import Thresholds
from lantian.lib import tz


@dataclass
class Subject:
    kind: str  # "report" | "inspection"
    pk: int
    label: str  # 鄠邑区政府 2024年03月进展 / 某企业 01月12日检查
    url: str
    earliest: dt.datetime | None  # a photo taken before this cannot show it
    latest: dt.datetime | None
    problem_on: dt.date | None  # the problem was raised on (reports)
    place: tuple[float, float] | None
    place_name: str
    unit_id: int | None
    district_id: int | None
    line_id: int | None
    group: tuple  # photos of one group may repeat: (line, period) or (inspection,)


@dataclass
class Photo:
    evidence_id: int
    name: str
    description: str
    sha256: str
    print: PhotoPrint
    subject: Subject

    def fact(self) -> dict:
        p = self.print
        return {
            "evidence": self.evidence_id,
            "name": self.name,
            "sha256": self.sha256,
            "taken_at": tz.to_local(p.taken_at).strftime("%Y-%m-%d %H:%M") if p.taken_at else "",
            "where": [p.latitude, p.longitude] if p.latitude is not None else None,
            "software": p.software,
            "camera": p.camera,
            "subject": self.subject.label,
            "url": self.subject.url,
        }


def photos(th: Thresholds) -> list[Photo]:
    """Every fingerprinted evidence photo of a current report or a recorded inspection."""
    return memo.once(("photos", th.code), lambda: _photos(th))


def _photos(th: Thresholds) -> list[Photo]:
    from emergency.models import Inspection
    from evidence.models import EvidenceFile
    from ledger.models import ProgressReport

    prints.refresh(th)
    report_type = ContentType.objects.get_for_model(ProgressReport)
    inspection_type = ContentType.objects.get_for_model(Inspection)
    files = list(
        EvidenceFile.objects.filter(
            kind="image",
            photo_print__readable=True,
            content_type__in=[report_type, inspection_type],
        ).select_related("photo_print")
    )
    ids = defaultdict(set)
    for f in files:
        if f.object_id.isdigit():
            ids[f.content_type_id].add(int(f.object_id))
    subjects = {}
    reports = (
        ProgressReport.objects.filter(pk__in=ids[report_type.pk], is_current=True)
        .select_related("assignment__unit", "assignment__task__plan", "assignment__task__place")
        .select_related("assignment__district")
    )
    for r in reports:
        line, task = r.assignment, r.assignment.task
        place = getattr(task, "place", None)
        start = tz.start_of_local_day(r.period) - dt.timedelta(days=th.photo_period_slack_days)
        subjects[(report_type.pk, r.pk)] = Subject(
            "report",
            r.pk,
            f"{line.unit.name} {r.period:%Y年%m月}进展（任务 {task.display_no}）",
            reverse("ledger-report", args=[r.pk]),
            start,
            r.submitted_at + dt.timedelta(hours=th.photo_clock_skew_hours),
            task.plan.issued,
            (place.latitude, place.longitude) if place else None,
            str(place) if place else "",
            line.unit_id,
            line.district_id or line.unit.district_id,
            line.pk,
            ("line", line.pk, r.period),
        )
    inspections = Inspection.objects.filter(
        pk__in=ids[inspection_type.pk], inspected_at__isnull=False
    ).select_related("enterprise", "plan__unit")
    skew = dt.timedelta(hours=th.photo_clock_skew_hours)
    for i in inspections:
        e = i.enterprise
        subjects[(inspection_type.pk, i.pk)] = Subject(
            "inspection",
            i.pk,
            f"{e.name} {tz.to_local(i.inspected_at):%m月%d日 %H:%M}检查",
            reverse("emergency-inspection", args=[i.pk]),
            i.inspected_at - skew,
            i.inspected_at + skew,
            None,
            (e.latitude, e.longitude) if e.latitude is not None else None,
            e.name,
            i.plan.unit_id,
            i.district_id,
            None,
            ("inspection", i.pk),
        )
    out = []
    for f in files:
        subject = subjects.get(
            (f.content_type_id, int(f.object_id) if f.object_id.isdigit() else 0)
        )
        if subject is not None:
            out.append(
                Photo(f.pk, f.original_name, f.description, f.sha256, f.photo_print, subject)
            )
    return out


def _by_subject(items: list[Photo]) -> dict[tuple[str, int], list[Photo]]:
    grouped: dict[tuple[str, int], list[Photo]] = defaultdict(list)
    for p in items:
        grouped[(p.subject.kind, p.subject.pk)].append(p)
    return grouped


def _found(rule: str, key: str, severity: str, title: str, detail: str, facts: dict, s: Subject):
    facts = {**facts, f"{s.kind}s": [s.pk]}
    return Found(
        rule,
        key,
        severity,
        title,
        detail,
        facts,
        unit_id=s.unit_id,
        district_id=s.district_id,
        url=s.url,
        line_id=s.line_id,
    )


def _before_photo(p: Photo, th: Thresholds) -> bool:
    text = f"{p.name}{p.description}"
    return any(mark in text for mark in th.photo_marks_before)


# --- when ---------------------------------------------------------------------------------------


def check_photo_time(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    th = th or Thresholds.on(tz.to_local(now).date())
    for (kind, pk), items in _by_subject(photos(th)).items():
        s = items[0].subject
        odd = []
        for p in items:
            taken = p.print.taken_at
            if taken is None or _before_photo(p, th):
                continue
            if s.problem_on and tz.to_local(taken).date() < s.problem_on:
                odd.append((p, _("问题提出（%(d)s）之前") % {"d": f"{s.problem_on:%Y-%m-%d}"}))
            elif s.earliest and taken < s.earliest:
                odd.append((p, _("早于%(what)s") % {"what": _window_name(s)}))
            elif s.latest and taken > s.latest:
                odd.append((p, _("晚于%(what)s") % {"what": _late_name(s)}))
        if not odd:
            continue
        parts = "；".join(
            f"{p.name} 拍摄于 {tz.to_local(p.print.taken_at):%Y-%m-%d %H:%M}，{why}"
            for p, why in odd
        )
        yield _found(
            Rule.PHOTO_TIME,
            f"photo_time:{kind}:{pk}",
            Severity.HIGH,
            f"{s.label}：{len(odd)} 张照片的拍摄时间不符",
            f"照片自带的拍摄时间（EXIF）：{parts}。旧照片不能证明本期整改（虚假整改）。"
            + th.source_note(),
            {"files": [p.fact() for p, _ in odd]},
            s,
        )


def _(text: str) -> str:  # gettext at call time (finding texts are stored as written)
    from django.utils.translation import gettext

    return gettext(text)


def _window_name(s: Subject) -> str:
    return "报送月份" if s.kind == "report" else "检查时间"


def _late_name(s: Subject) -> str:
    return "报送时间" if s.kind == "report" else "检查时间"


# --- where --------------------------------------------------------------------------------------


def check_photo_place(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    from airquality.anomaly import distance_km

    th = th or Thresholds.on(tz.to_local(now).date())
    for (kind, pk), items in _by_subject(photos(th)).items():
        s = items[0].subject
        if s.place is None:
            continue
        far = []
        for p in items:
            where = (p.print.latitude, p.print.longitude)
            if where[0] is None or _before_photo(p, th):
                continue
            km = distance_km(where, s.place)
            if km > th.photo_far_km:
                far.append((p, km))
        if not far:
            continue
        parts = "；".join(f"{p.name} 距登记位置 {km:.1f} 公里" for p, km in far)
        yield _found(
            Rule.PHOTO_PLACE,
            f"photo_place:{kind}:{pk}",
            Severity.HIGH,
            f"{s.label}：{len(far)} 张照片拍摄位置离{s.place_name or '登记位置'}较远",
            f"照片自带的 GPS 位置与登记位置（{s.place_name}，{s.place[0]:.5f}, {s.place[1]:.5f}）"
            f"不符：{parts}。" + th.source_note(),
            {
                "files": [{**p.fact(), "km": round(km, 2)} for p, km in far],
                "place": list(s.place),
                "place_name": s.place_name,
            },
            s,
        )


# --- through which software ---------------------------------------------------------------------


def check_photo_edited(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    th = th or Thresholds.on(tz.to_local(now).date())
    for (kind, pk), items in _by_subject(photos(th)).items():
        s = items[0].subject
        edited = [
            p
            for p in items
            if p.print.software and any(w in p.print.software.lower() for w in th.editing_software)
        ]
        if not edited:
            continue
        parts = "；".join(f"{p.name}（{p.print.software}）" for p in edited)
        yield _found(
            Rule.PHOTO_EDITED,
            f"photo_edited:{kind}:{pk}",
            Severity.MEDIUM,
            f"{s.label}：{len(edited)} 张照片经图片编辑软件处理",
            f"照片的处理软件标记显示经过编辑：{parts}。需核对原始照片。" + th.source_note(),
            {"files": [p.fact() for p in edited]},
            s,
        )


# --- one picture in several places --------------------------------------------------------------


def reuse_groups(items: list[Photo], th: Thresholds) -> list[list[Photo]]:
    """Groups of photos that are one picture (same bytes, or the same picture resized, cropped
    or recompressed), spanning more than one subject group."""
    by_id = {p.evidence_id: p for p in items}
    parent = {k: k for k in by_id}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    def join(a, b):
        parent[root(a)] = root(b)

    by_sha = defaultdict(list)
    for p in items:
        by_sha[p.sha256].append(p.evidence_id)
    for same in by_sha.values():
        for k in same[1:]:
            join(same[0], k)
    for a, b in prints.same_pairs(th):
        if a in by_id and b in by_id:
            join(a, b)
    groups = defaultdict(list)
    for k in by_id:
        groups[root(k)].append(by_id[k])
    return [g for g in groups.values() if len({p.subject.group for p in g}) > 1]


def check_report_photo_reuse(th: Thresholds) -> Iterator[Found]:
    """Report photos that are one picture (resized, cropped, recompressed) in several reports."""
    items = [p for p in photos(th) if p.subject.kind == "report"]
    for group in reuse_groups(items, th):
        group.sort(key=lambda p: (p.print.taken_at or p.subject.latest or tz.now(), p.evidence_id))
        first = group[0]
        identical = len({p.sha256 for p in group}) == 1
        places = sorted({p.subject.group for p in group})
        where = "；".join(sorted({p.subject.label for p in group})[:6])
        how = "内容完全相同" if identical else "经缩放、裁剪或重新压缩但为同一张照片"
        yield Found(
            Rule.EVIDENCE_REUSE,
            f"evidence:{first.sha256}",
            Severity.HIGH,
            f"同一张照片（{first.name}）用于 {len(places)} 次报送",
            f"{how}的照片作为不同任务或不同月份的佐证：{where}。"
            "同一张照片证明不同时间或地点的整改，需现场核实。" + th.source_note(),
            {
                "sha256": first.sha256,
                "reports": sorted({p.subject.pk for p in group}),
                "files": [p.fact() for p in group],
                "identical": identical,
            },
            unit_id=first.subject.unit_id,
            district_id=first.subject.district_id,
            url=first.subject.url,
            line_id=first.subject.line_id,
        )


def check_inspection_reuse(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    """Photos or signatures that are one picture across several inspections."""
    th = th or Thresholds.on(tz.to_local(now).date())
    items = [p for p in photos(th) if p.subject.kind == "inspection"]
    for group in reuse_groups(items, th):
        group.sort(key=lambda p: p.evidence_id)
        first = group[0]
        signature = any(w in f"{p.name}{p.description}" for p in group for w in ("签字", "签名"))
        what = "签字" if signature else "照片"
        where = "；".join(sorted({p.subject.label for p in group})[:6])
        yield Found(
            Rule.INSPECTION_REUSE,
            f"inspection_reuse:{first.sha256}",
            Severity.HIGH,
            f"同一{what}出现在 {len({p.subject.pk for p in group})} 条检查记录中",
            f"同一{what}（含缩放、裁剪、重新压缩后的）用于：{where}。"
            "不同现场、不同时间的检查不会留下同一张照片或一模一样的签字，检查记录的真实性需核实。"
            + th.source_note(),
            {
                "inspections": sorted({p.subject.pk for p in group}),
                "files": [p.fact() for p in group],
                "signature": signature,
            },
            unit_id=first.subject.unit_id,
            district_id=first.subject.district_id,
            url=first.subject.url,
        )
