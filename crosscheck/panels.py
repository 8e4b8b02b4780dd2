"""What a finding page shows beside its words: the evidence side by side (the photos, the two
texts with their differences marked, the inspector's day on a map and a clock, the data)."""

from __future__ import annotations

from django.urls import reverse

from crosscheck import texts
from crosscheck.models import Finding, Rule

PHOTO_RULES = {
    Rule.EVIDENCE_REUSE,
    Rule.PHOTO_TIME,
    Rule.PHOTO_PLACE,
    Rule.PHOTO_EDITED,
    Rule.INSPECTION_REUSE,
}


def panel(finding: Finding) -> dict:
    facts = finding.facts or {}
    out: dict = {}
    if finding.rule in PHOTO_RULES and facts.get("files"):
        out["photos"] = [
            {**f, "src": reverse("evidence-download", args=[f["evidence"]])} for f in facts["files"]
        ]
        if facts.get("place"):
            out["place"] = {"where": facts["place"], "name": facts.get("place_name", "")}
    if finding.rule == Rule.TEXT_COPY and len(facts.get("reports", [])) == 2:
        out["texts"] = _texts(facts["reports"])
    if finding.rule in (Rule.INSPECTION_TRAVEL, Rule.INSPECTION_CLONE) and facts.get("points"):
        out["route"] = _route(facts)
    if finding.rule == Rule.INSPECTION_IDLE and facts.get("series"):
        out["series"] = {"series": facts["series"], "day": facts.get("day", "")}
    if finding.rule == Rule.LATE_JUMP and facts.get("percents"):
        out["percents"] = {"rows": facts["percents"], "deadline": facts.get("deadline", "")}
    return out


def _texts(report_ids: list[int]) -> dict | None:
    from ledger.models import ProgressReport

    reports = ProgressReport.objects.select_related("assignment__unit").in_bulk(report_ids)
    if len(reports) != 2:
        return None
    earlier, later = reports[report_ids[0]], reports[report_ids[1]]
    left, right = texts.marked(earlier.narrative, later.narrative)
    return {
        "left": left,
        "right": right,
        "left_title": f"{earlier.assignment.unit.name} {earlier.period:%Y年%m月}",
        "right_title": f"{later.assignment.unit.name} {later.period:%Y年%m月}",
        "left_url": reverse("ledger-report", args=[earlier.pk]),
        "right_url": reverse("ledger-report", args=[later.pk]),
    }


def _route(facts: dict) -> dict:
    from airquality.anomaly import distance_km

    bad = {(a, b) for a, b, _ in facts.get("legs", [])}
    rows, previous = [], None
    for point in facts["points"]:
        row = {**point, "km": None, "bad": False}
        if previous and previous.get("where") and point.get("where"):
            row["km"] = round(distance_km(previous["where"], point["where"]), 1)
            row["bad"] = (previous["inspection"], point["inspection"]) in bad
        rows.append(row)
        previous = point
    return {"points": facts["points"], "rows": rows, "legs": facts.get("legs", [])}
