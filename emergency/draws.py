"""Who inspects what: the day's inspecting units and their quotas, the populations drawn from,
and the replay of a published plan from its recorded inputs (``emergency.draw`` does the maths)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.choices import UnitKind
from accounts.models import District, Unit
from accounts.registry import UnitIndex
from emergency import draw
from emergency.models import DrawRound, Enterprise, Inspection, InspectionPlan, Population
from emergency.rules import DISTRICT_GOVERNMENT, InspectorRule, inspector_rules

DISTRICT_BODY_KINDS = (UnitKind.GOVERNMENT, UnitKind.ZONE_ADMIN)


class DrawError(Exception):
    """The draw cannot be made (no quota rule in force, an inspecting unit unknown …)."""


@dataclass
class UnitDraw:
    """One inspecting unit's share of a day's draw."""

    unit: Unit
    rule: InspectorRule
    quota: draw.Quota
    digests: dict[str, str]
    picks: list[draw.Pick] = field(default_factory=list)

    @property
    def shortfall(self) -> list[str]:
        return draw.shortfall(self.quota, self.picks)


def district_bodies(city: District) -> dict[int, Unit]:
    """Each district's government (or zone administration), by district id."""
    bodies = {}
    for unit in Unit.objects.filter(
        city=city, district__parent=city, kind__in=DISTRICT_BODY_KINDS
    ).order_by("id"):
        bodies.setdefault(unit.district_id, unit)
    return bodies


def populations(city: District) -> dict[str, list[str]]:
    """The credit codes on the list, by district name, for every district of the city."""
    names = dict(District.objects.filter(parent=city).values_list("id", "name"))
    codes: dict[str, list[str]] = {name: [] for name in names.values()}
    rows = Enterprise.objects.filter(city=city, on_list=True).values_list(
        "district_id", "credit_code"
    )
    for district_id, code in rows:
        codes[names[district_id]].append(code)
    return {name: sorted(values) for name, values in codes.items()}


def unit_draws(
    city: District, day: dt.date, level: str, pops: dict[str, list[str]]
) -> list[UnitDraw]:
    """The inspecting units of a day at ``level`` with their quotas (picks still empty)."""
    try:
        rules = inspector_rules(city.name, day, level)
    except LookupError as exc:
        raise DrawError(
            _("%(day)s %(city)s 没有生效的抽查频次规定：%(exc)s")
            % {"day": day, "city": city.name, "exc": exc}
        ) from exc
    digests = {name: draw.population_digest(codes) for name, codes in pops.items()}
    bodies = district_bodies(city)
    district_names = dict(District.objects.filter(parent=city).values_list("id", "name"))
    index = None
    out = []
    for rule in rules:
        if rule.unit == DISTRICT_GOVERNMENT:
            for district_id, unit in bodies.items():
                name = district_names[district_id]
                quota = draw.Quota("own_district", rule.per_district, 1, name)
                out.append(UnitDraw(unit, rule, quota, {name: digests[name]}))
            continue
        index = index or UnitIndex(city)
        unit = index.resolve(rule.unit).unit
        if unit is None:
            raise DrawError(
                _("抽查频次规定中的检查单位“%(unit)s”不在单位名录中") % {"unit": rule.unit}
            )
        quota = draw.Quota(rule.kind, rule.per_district, rule.districts)
        out.append(UnitDraw(unit, rule, quota, dict(digests)))
    return out


def freeze_populations(pops: dict[str, list[str]]) -> None:
    """Store each population under its digest once, so that every plan can be drawn again."""
    digests = {draw.population_digest(codes): codes for codes in pops.values()}
    known = set(Population.objects.filter(digest__in=digests).values_list("digest", flat=True))
    Population.objects.bulk_create(
        [
            Population(digest=d, codes=codes, size=len(codes))
            for d, codes in digests.items()
            if d not in known
        ]
    )


def draw_time(at: dt.datetime) -> str:
    """The draw time as it enters the seed: UTC, whole seconds, ISO 8601."""
    return at.astimezone(dt.UTC).replace(microsecond=0).isoformat()


# --- checking afterwards -------------------------------------------------------------------


@dataclass
class Check:
    """The result of redrawing a round from its recorded inputs."""

    round: DrawRound
    problems: list[str]
    plans: int

    @property
    def ok(self) -> bool:
        return not self.problems


def replay_plan(
    plan: InspectionPlan, seed: str, stored: dict[str, list[str]] | None = None
) -> list[draw.Pick]:
    """Draw ``plan`` again from its recorded inputs alone (seed, unit key, populations)."""
    inputs = plan.draw_inputs
    digests: dict[str, str] = inputs["populations"]
    if stored is None:
        rows = Population.objects.filter(digest__in=digests.values())
        stored = {p.digest: p.codes for p in rows}
    pops = {district: stored.get(digest, []) for district, digest in digests.items()}
    return draw.draw_unit(seed, inputs["unit_key"], draw.Quota.from_dict(inputs["quota"]), pops)


def verify_round(round_: DrawRound) -> Check:
    """Redo a round: the secret against the commitment, the seed, every plan and population."""
    problems = []
    if not round_.is_drawn:
        return Check(round_, [_("尚未抽取")], 0)
    if draw.commitment_of(round_.secret) != round_.commitment:
        problems.append(_("公布的秘密值与事先公布的承诺值不符"))
    seed = draw.round_seed(round_.secret, round_.beacon, round_.day, draw_time(round_.drawn_at))
    if seed != round_.seed:
        problems.append(_("由公开输入重算的种子与记录的种子不符"))
    plans = list(round_.plans.select_related("unit"))
    pop_rows = {
        p.digest: p.codes
        for p in Population.objects.filter(
            digest__in={d for plan in plans for d in plan.draw_inputs["populations"].values()}
        )
    }
    for digest, codes in pop_rows.items():
        if draw.population_digest(codes) != digest:
            problems.append(_("抽取总体 %(digest)s… 的内容与其摘要不符") % {"digest": digest[:12]})
    actual: dict[int, list[tuple[str, str]]] = {plan.pk: [] for plan in plans}
    rows = (
        Inspection.objects.filter(plan__round=round_)
        .order_by("plan_id", "position")
        .values_list("plan_id", "district__name", "enterprise__credit_code")
    )
    for plan_id, district, code in rows:
        actual[plan_id].append((district, code))
    for plan in plans:
        problems += _verify_plan(plan, seed, pop_rows, actual[plan.pk])
    return Check(round_, problems, len(plans))


def _verify_plan(plan: InspectionPlan, seed: str, stored, actual) -> list[str]:
    inputs = plan.draw_inputs
    expected = [(p.district, p.code) for p in replay_plan(plan, seed, stored)]
    recorded = [tuple(pair) for pair in inputs["picks"]]
    problems = []
    if expected != recorded:
        problems.append(_("%(unit)s：重新抽取的结果与公布的计划不同") % {"unit": plan.unit.name})
    if actual != recorded:
        problems.append(_("%(unit)s：检查记录与公布的计划不一致") % {"unit": plan.unit.name})
    return problems
