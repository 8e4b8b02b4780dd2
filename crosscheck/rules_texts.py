"""Narratives copied from the same line's previous month or from another unit's report.

Standard wording shared by many units is set aside first (``texts``), so a programme's
common phrases never make two honest reports look alike.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.urls import reverse

from crosscheck import texts
from crosscheck.found import Found
from crosscheck.models import Rule, Severity
from crosscheck.thresholds import Thresholds
from lantian.lib import tz


def check_text_copy(now: dt.datetime, th: Thresholds | None = None) -> Iterator[Found]:
    from ledger.models import ProgressReport

    th = th or Thresholds.on(tz.to_local(now).date())
    reports = list(
        ProgressReport.objects.filter(is_current=True, assignment__withdrawn=False)
        .select_related("assignment__unit", "assignment__task")
        .order_by("period", "submitted_at", "pk")
    )
    pieces = {r.pk: texts.shingles(_without_names(r), th.text_shingle_chars) for r in reports}
    units_using: dict[str, set[int]] = defaultdict(set)
    for r in reports:
        for piece in pieces[r.pk]:
            units_using[piece].add(r.assignment.unit_id)
    common = {p for p, units in units_using.items() if len(units) >= th.text_boilerplate_units}
    own = {pk: ps - common for pk, ps in pieces.items()}
    by_pk = {r.pk: r for r in reports}
    # candidates: reports sharing own pieces, through an inverted index
    index: dict[str, list[int]] = defaultdict(list)
    for r in reports:
        if len(own[r.pk]) >= th.text_min_shingles:
            for piece in own[r.pk]:
                index[piece].append(r.pk)
    shared: Counter = Counter()
    for holders in index.values():
        if len(holders) > 50:  # a piece this widespread is wording, not a copy
            continue
        for i, a in enumerate(holders):
            for b in holders[i + 1 :]:
                shared[(a, b) if a < b else (b, a)] += 1
    previous = _previous_reports(reports)
    for (a, b), n in shared.items():
        ra, rb = by_pk[a], by_pk[b]
        same_line = ra.assignment_id == rb.assignment_id
        if same_line and previous.get(rb.pk) != ra.pk and previous.get(ra.pk) != rb.pk:
            continue  # the same line: only consecutive months are compared
        if not same_line and ra.assignment.unit_id == rb.assignment.unit_id:
            continue  # one unit's two items may share its own wording
        small = min(len(own[a]), len(own[b]))
        if n < small * th.text_same_ratio:
            continue  # cannot reach the ratio
        ratio = texts.jaccard(own[a], own[b])
        if ratio < th.text_same_ratio:
            continue
        earlier, later = sorted((ra, rb), key=lambda r: (r.period, r.submitted_at, r.pk))
        yield _finding(earlier, later, ratio, same_line, th)


def _without_names(report) -> str:
    """The narrative without the reporting unit's own name: a unit writing its name every month
    is not copying (and a copier replaces the other unit's name anyway)."""
    text = report.narrative
    unit = report.assignment.unit
    names = {
        unit.name,
        unit.full_name,
        unit.name.removesuffix("政府"),
        unit.name.replace("西安市", ""),
    }
    for name in sorted((n for n in names if n and len(n) >= 2), key=len, reverse=True):
        text = text.replace(name, "")
    return text


def _previous_reports(reports) -> dict[int, int]:
    """Each report → the same line's report of the month before it (current versions)."""
    by_line = defaultdict(list)
    for r in reports:
        by_line[r.assignment_id].append(r)
    out = {}
    for items in by_line.values():
        items.sort(key=lambda r: r.period)
        for before, after in zip(items, items[1:], strict=False):
            out[after.pk] = before.pk
    return out


def _finding(earlier, later, ratio: float, same_line: bool, th: Thresholds) -> Found:
    unit = later.assignment.unit
    if same_line:
        title = f"{unit.name} {later.period:%Y年%m月}进展与上月几乎相同"
        why = "与本事项上月报送的进展情况"
    else:
        title = (
            f"{unit.name} {later.period:%Y年%m月}进展与{earlier.assignment.unit.name}"
            f" {earlier.period:%Y年%m月}的报送几乎相同"
        )
        why = f"与{earlier.assignment.unit.name}（任务 {earlier.assignment.task.display_no}）的报送"
    return Found(
        Rule.TEXT_COPY,
        f"text:{earlier.pk}:{later.pk}",
        Severity.MEDIUM,
        title,
        f"去掉多个单位通用的表述后，{why}重合 {ratio:.0%}。照搬材料、只改日期和数字是敷衍整改的"
        "常见表现，需核实本月实际进展。" + th.source_note(),
        {"reports": [earlier.pk, later.pk], "similarity": round(ratio, 3), "same_line": same_line},
        unit_id=later.assignment.unit_id,
        district_id=later.assignment.district_id or unit.district_id,
        url=reverse("ledger-report", args=[later.pk]),
        line_id=later.assignment_id,
    )
