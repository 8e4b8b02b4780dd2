"""Last-minute jumps: progress leaping to 100 % in the days before the deadline, on a report
that brings no new evidence (nothing attached, or only files the line had shown before)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from crosscheck import prints
from crosscheck.found import Found
from crosscheck.models import Rule, Severity
from crosscheck.thresholds import Thresholds
from lantian.lib import tz


def check_late_jumps(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    from evidence.models import EvidenceFile
    from ledger.models import ProgressReport

    th = th or Thresholds.on(tz.to_local(now).date())
    finals = (
        ProgressReport.objects.filter(is_current=True, percent=100, assignment__withdrawn=False)
        .select_related("assignment__unit", "assignment__task")
        .order_by("pk")
    )
    candidates = []
    for report in finals:
        line = report.assignment
        deadline = line.deadline
        if deadline is None:
            continue
        days_left = (deadline - tz.to_local(report.submitted_at).date()).days
        if not 0 <= days_left <= th.jump_window_days:
            continue
        candidates.append((report, days_left))
    if not candidates:
        return
    lines = {r.assignment_id for r, _ in candidates}
    history = defaultdict(list)
    for r in ProgressReport.objects.filter(assignment_id__in=lines, is_current=True).order_by(
        "period"
    ):
        history[r.assignment_id].append(r)
    report_type = ContentType.objects.get_for_model(ProgressReport)
    files = defaultdict(list)
    all_ids = [str(r.pk) for rs in history.values() for r in rs]
    for f in EvidenceFile.objects.filter(content_type=report_type, object_id__in=all_ids):
        files[int(f.object_id)].append(f)
    same = defaultdict(set)
    for a, b in prints.same_pairs(th):
        same[a].add(b)
        same[b].add(a)
    for report, days_left in candidates:
        earlier = [r for r in history[report.assignment_id] if r.period < report.period]
        before = earlier[-1].percent if earlier else 0
        if 100 - before < th.jump_min_points:
            continue
        seen = [f for r in earlier for f in files[r.pk]]
        seen_sha, seen_ids = {f.sha256 for f in seen}, {f.pk for f in seen}
        new = [
            f for f in files[report.pk] if f.sha256 not in seen_sha and not (same[f.pk] & seen_ids)
        ]
        if new:
            continue
        line = report.assignment
        attached = len(files[report.pk])
        yield Found(
            Rule.LATE_JUMP,
            f"jump:{report.pk}",
            Severity.MEDIUM,
            f"{line.unit.name}“{line.task.title[:40]}”时限前 {days_left} 天进度由 {before}% "
            "跃升至 100%，无新佐证",
            f"{report.period:%Y年%m月}进展于 {tz.to_local(report.submitted_at):%Y-%m-%d} 报送完成"
            f" 100%（上次 {before}%），整改时限 {line.deadline:%Y-%m-%d}；"
            + (f"所附 {attached} 份材料此前均已报送过。" if attached else "未附任何佐证材料。")
            + "临近时限突击“完成”需核实（敷衍整改、虚假整改）。"
            + th.source_note(),
            {
                "reports": [r.pk for r in earlier] + [report.pk],
                "percents": [[f"{r.period:%Y-%m}", r.percent] for r in [*earlier, report]],
                "deadline": line.deadline.isoformat(),
                "submitted": tz.to_local(report.submitted_at).date().isoformat(),
            },
            unit_id=line.unit_id,
            district_id=line.district_id or line.unit.district_id,
            url=reverse("ledger-report", args=[report.pk]),
            line_id=line.pk,
        )
