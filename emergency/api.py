"""The heavy-pollution response over HTTP: the same rules and the same access as the pages."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router
from ninja.errors import HttpError

from accounts.access import CHANGE, get_for_user, is_staff_user, restrict
from accounts.models import District
from api.fields import Day, Filter, Id, Offset, page
from emergency import draws, queries, services
from emergency.choices import HIGH_GRADES, Grade
from emergency.models import DrawRound, Enterprise, Episode, Inspection, InspectionPlan
from emergency.rules import grade_target, warning_rules
from emergency.schemas import (
    CommitmentOut,
    EnterpriseOut,
    EpisodeDetail,
    EpisodeOut,
    ForecastIn,
    GradesOut,
    InspectionIn,
    InspectionOut,
    PlanOut,
    RoundCheckOut,
    StatsOut,
)
from emergency.warnings import ForecastError, RuleError, propose
from lantian.lib import tz

router = Router(tags=["重污染天气应对"])
PREFIX = "emergency"

FORMULAS = {
    "completion": "已检查 ÷ 计划检查",
    "compliance": "落实到位 ÷ 已检查",
    "coverage": "至少检查过一次的清单企业数 ÷ 清单企业数",
}


def _staff(request) -> None:
    if not is_staff_user(request.user):
        raise HttpError(403, "无权访问")


@router.get("/episodes", response=list[EpisodeOut])
def list_episodes(request: HttpRequest):
    """Warning episodes, newest first."""
    _staff(request)
    return restrict(Episode.objects.select_related("city"), request.user).order_by("-starts_at")[
        :200
    ]


@router.get("/episodes/{pk}", response=EpisodeDetail)
def get_episode(request: HttpRequest, pk: Id):
    """One episode with its steps (issue, upgrade, downgrade, lift) and forecast basis."""
    return get_for_user(
        Episode.objects.select_related("city").prefetch_related("steps"), request.user, pk
    )


@router.post("/warning/propose")
def propose_level(request: HttpRequest, payload: ForecastIn):
    """The level the rules in force propose for a forecast (daily and/or hourly AQI)."""
    _staff(request)
    city = payload.city or settings.LANTIAN_DEFAULT_CITY
    days = [(d.date, d.aqi) for d in payload.daily]
    hours = [(_local_naive(h.time), h.aqi) for h in payload.hourly]
    first = min([d for d, _ in days] + [h.date() for h, _ in hours], default=tz.local_today())
    try:
        rules = warning_rules(city, first)
        return propose(rules, daily=days, hourly=hours).as_dict()
    except (ForecastError, RuleError, LookupError) as exc:
        raise HttpError(422, str(exc)) from exc


def _local_naive(at: dt.datetime) -> dt.datetime:
    return tz.to_local(at).replace(tzinfo=None) if at.tzinfo else at


@router.get("/enterprises", response=list[EnterpriseOut])
def list_enterprises(
    request: HttpRequest,
    district: Filter = "",
    grade: Grade | None = None,
    q: Filter = "",
    listed: bool = True,
    offset: Offset = 0,
    limit: int = Query(100, ge=1, le=500, description="最多返回的条数"),
):
    """The reduction list as the caller may see it, with the measures at each level."""
    _staff(request)
    qs = restrict(Enterprise.objects.all(), request.user).filter(on_list=listed)
    if district:
        qs = qs.filter(district__name=district)
    if grade:
        qs = qs.filter(grade=grade)
    if q:
        qs = qs.filter(name__contains=q)
    qs = qs.select_related("district").prefetch_related("measures").order_by("id")
    return page(qs, offset, limit)


@router.get("/plans", response=list[PlanOut])
def list_plans(request: HttpRequest, day: Day | None = None):
    """The day's published plans the caller may see, each with the items the caller may see."""
    _staff(request)
    visible = restrict(Inspection.objects.all(), request.user).select_related(
        "enterprise", "district"
    )
    plans = restrict(InspectionPlan.objects.filter(day=day or tz.local_today()), request.user)
    return plans.select_related("unit").prefetch_related(
        Prefetch(
            "inspections", queryset=visible.order_by("position"), to_attr="visible_inspections"
        )
    )


@router.post("/inspections/{pk}", response=InspectionOut)
def record_inspection(request: HttpRequest, pk: Id, payload: InspectionIn):
    """Record a visit (photos are added on the page or by the evidence upload)."""
    inspection = get_for_user(Inspection, request.user, pk, action=CHANGE)
    finding = services.Finding(**payload.dict())
    try:
        return services.record_inspection(inspection, finding, acting_user=request.user)
    except ValidationError as exc:
        raise HttpError(422, "；".join(exc.messages)) from exc


@router.get("/rounds/{pk}/check", response=RoundCheckOut)
def check_round(request: HttpRequest, pk: Id):
    """Redraw a day from its recorded inputs and compare with what was published."""
    round_ = get_for_user(DrawRound, request.user, pk)
    check = draws.verify_round(round_)
    return {"ok": check.ok, "plans": check.plans, "problems": check.problems}


@router.get("/public/commitments", response=list[CommitmentOut], auth=None)
def public_commitments(request: HttpRequest):
    """Public: each day's commitment, and once drawn the revealed secret and beacon."""
    rounds = DrawRound.objects.select_related("episode__city").order_by("-day", "-id")[:100]
    return [
        {
            "city": r.episode.city.name,
            "day": r.day,
            "commitment": r.commitment,
            "committed_at": r.committed_at,
            "secret": r.secret if r.is_drawn else None,
            "beacon": r.beacon if r.is_drawn else None,
            "beacon_source": r.beacon_source if r.is_drawn else None,
            "drawn_at": r.drawn_at,
        }
        for r in rounds
    ]


def _rows(rows):
    return [
        {
            **{k: getattr(r, k) for k in ("key", "label", "listed", "planned", "done")},
            **{k: getattr(r, k) for k in ("compliant", "non_compliant", "inspected")},
            **{k: getattr(r, k) for k in ("completion", "compliance", "coverage")},
        }
        for r in rows
    ]


@router.get("/stats", response=StatsOut)
def stats(request: HttpRequest, episode: Id | None = None):
    """Coverage and compliance by level, district and inspecting unit."""
    _staff(request)
    inspections = restrict(Inspection.objects.all(), request.user)
    plans = restrict(InspectionPlan.objects.all(), request.user)
    if episode:
        inspections = inspections.filter(plan__round__episode_id=episode)
        plans = plans.filter(round__episode_id=episode)
    enterprises = restrict(Enterprise.objects.all(), request.user)
    listed = enterprises.filter(on_list=True).count()
    return {
        "by_level": _rows(queries.stats_by_level(inspections, listed)),
        "by_district": _rows(queries.stats_by_district(inspections, enterprises)),
        "by_unit": _rows(queries.stats_by_unit(inspections, plans)),
        "formulas": FORMULAS,
    }


@router.get("/grades", response=GradesOut)
def grades(request: HttpRequest, city: Filter = ""):
    """Counts per district and grade, and the progress to the city's target."""
    _staff(request)
    name = city or settings.LANTIAN_DEFAULT_CITY
    place = District.objects.filter(parent=None, name=name).first()
    enterprises = restrict(Enterprise.objects.filter(city=place), request.user)
    table, totals = queries.grade_table(enterprises)
    target = grade_target(name, tz.local_today())
    counted = target.grades if target else HIGH_GRADES
    return {
        "grades": [g.value for g in queries.GRADE_ORDER],
        "districts": [{"district": r["district"], "counts": r["cells"]} for r in table],
        "totals": totals,
        "target": {
            "at_least": target.at_least,
            "grades": list(target.grades),
            "by": target.by.isoformat() if target.by else None,
            "code": target.code,
            "source": target.source,
        }
        if target
        else None,
        "high_grade_count": sum(totals.get(g, 0) for g in counted),
    }
