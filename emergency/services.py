"""Every change to the heavy-pollution response goes through here: one transaction, one audit row.

Views, the API, commands and the demo all call these functions; none of them writes models.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import District, Unit
from accounts.notify import notify_units
from accounts.registry import UnitIndex
from audit.log import diff, record, snapshot
from emergency import draw, draws, listfile
from emergency.choices import (
    CaseStatus,
    ChangeSource,
    Grade,
    InspectionStatus,
    Level,
    Result,
    RoundStatus,
    StepKind,
    rank,
)
from emergency.models import (
    Case,
    DrawRound,
    Enterprise,
    Episode,
    EpisodeStep,
    GradeChange,
    ImportRun,
    Inspection,
    InspectionPlan,
    ReductionMeasure,
)
from evidence.services import attach_evidence
from lantian.lib import tz

RESPONSE_UNITS_FILE = Path(__file__).parent / "data" / "response_units.json"


# --- the reduction list ----------------------------------------------------------------------


class ImportRefused(ValidationError):
    """The list file has bad rows; ``run.report`` names each of them. Nothing was stored."""

    def __init__(self, run: ImportRun):
        super().__init__(_("清单有 %(n)s 处错误，未导入。") % {"n": len(run.report)})
        self.run = run


def _read_list(run: ImportRun) -> listfile.Reading:
    city = run.city
    districts: dict[str, int] = {}
    for district in District.objects.filter(parent=city):
        for name in [district.name, *district.aliases]:
            districts.setdefault(name.replace(" ", ""), district.pk)
    index = UnitIndex(city)

    def resolve_unit(name: str) -> int | None:
        unit = index.resolve(name).unit
        return unit.pk if unit else None

    with run.file.open("rb") as handle:
        return listfile.read_workbook(handle, districts=districts, resolve_unit=resolve_unit)


def _summarise(run: ImportRun, reading: listfile.Reading) -> dict[str, Any]:
    existing = dict(Enterprise.objects.filter(city=run.city).values_list("credit_code", "grade"))
    on_list = set(
        Enterprise.objects.filter(city=run.city, on_list=True).values_list("credit_code", flat=True)
    )
    codes = {r.code for r in reading.records}
    return {
        "rows": reading.rows,
        "new": sum(1 for r in reading.records if r.code not in existing),
        "updated": sum(1 for r in reading.records if r.code in existing),
        "grade_changes": sum(
            1 for r in reading.records if r.code in existing and existing[r.code] != r.grade
        ),
        "delisted": len(on_list - codes) if run.replace else 0,
        "warnings": [w.as_dict() for w in reading.warnings[:500]],
        "warning_count": len(reading.warnings),
    }


@transaction.atomic
def check_list_upload(
    upload: UploadedFile, *, city: District, acting_user, replace: bool = True
) -> ImportRun:
    """Store an uploaded list and check every row; applying it is a separate step.

    The run is ``checked`` when every row is valid, else ``invalid`` with a report naming each
    bad row and why. Nothing on the list changes here.
    """
    if upload.size and upload.size > settings.LANTIAN_MAX_UPLOAD_BYTES:
        raise ValidationError(_("文件过大。"))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    run = ImportRun(
        city=city,
        original_name=(upload.name or "list.xlsx")[:255],
        sha256=digest.hexdigest(),
        replace=replace,
        status=ImportRun.Status.CHECKED,
        created_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
    )
    run.file.save(f"{digest.hexdigest()[:16]}.xlsx", upload, save=False)
    reading = _read_list(run)
    run.rows = reading.rows
    run.report = [p.as_dict() for p in reading.problems]
    run.status = ImportRun.Status.CHECKED if reading.ok else ImportRun.Status.INVALID
    run.summary = _summarise(run, reading)
    run.save()
    record(
        acting_user,
        "emergency.list_checked",
        run,
        changes={"status": [None, run.status], "rows": [None, run.rows]},
        reason=_("错误 %(n)s 处") % {"n": len(run.report)},
    )
    return run


@transaction.atomic
def apply_list(run: ImportRun, *, acting_user) -> ImportRun:
    """Apply a checked run: create or update every enterprise and its measures, record grade
    changes, and (for a complete list) take enterprises missing from the file off the list.

    The file is checked again against the current registry; any bad row refuses the whole file.
    """
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportRun.Status.CHECKED:
        raise ValidationError(_("只能导入校验通过且尚未导入的清单。"))
    reading = _read_list(run)
    if not reading.ok:
        run.status, run.report = ImportRun.Status.INVALID, [p.as_dict() for p in reading.problems]
        run.save(update_fields=["status", "report"])
        raise ImportRefused(run)
    today = tz.local_today()
    existing = {e.credit_code: e for e in Enterprise.objects.filter(city=run.city)}
    changes = _apply_enterprises(run, reading.records, existing, acting_user, today)
    delisted = 0
    if run.replace:
        keep = {r.code for r in reading.records}
        delisted = (
            Enterprise.objects.filter(city=run.city, on_list=True)
            .exclude(credit_code__in=keep)
            .update(on_list=False)
        )
    run.status, run.applied_at = ImportRun.Status.APPLIED, tz.now()
    run.summary = {**run.summary, **changes, "delisted": delisted}
    run.save()
    record(
        acting_user,
        "emergency.list_imported",
        run,
        changes={k: [None, v] for k, v in run.summary.items() if k != "warnings"},
        reason=run.original_name,
    )
    return run


def _apply_enterprises(run, records, existing, acting_user, today) -> dict[str, int]:
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    new, updated, grade_changes = [], [], []
    fields = ["name", "district_id", "industry", "address", "grade", "device_mns"]
    for r in records:
        values = {
            "name": r.name,
            "district_id": r.district_id,
            "industry": r.industry,
            "address": r.address,
            "grade": r.grade,
            "device_mns": r.mns,
        }
        if r.place is not None:  # a list without coordinates keeps those already known
            values["longitude"], values["latitude"] = r.place
        enterprise = existing.get(r.code)
        if enterprise is None:
            enterprise = Enterprise(city=run.city, credit_code=r.code, grade_since=today, **values)
            new.append(enterprise)
            grade_changes.append((enterprise, "", r.grade))
            continue
        if enterprise.grade != r.grade:
            grade_changes.append((enterprise, enterprise.grade, r.grade))
            enterprise.grade_since = today
        for name, value in values.items():
            setattr(enterprise, name, value)
        enterprise.on_list, enterprise.last_import = True, run
        updated.append(enterprise)
    for enterprise in new:
        enterprise.last_import = run
    Enterprise.objects.bulk_create(new, batch_size=500)
    Enterprise.objects.bulk_update(
        updated,
        [*fields, "longitude", "latitude", "on_list", "last_import", "grade_since"],
        batch_size=500,
    )
    by_code = {e.credit_code: e for e in [*new, *updated]}
    _replace_measures(records, by_code)
    _replace_units(records, by_code)
    GradeChange.objects.bulk_create(
        [
            GradeChange(
                enterprise=e,
                old_grade=old,
                new_grade=new_grade,
                effective_on=today,
                source=ChangeSource.IMPORT,
                import_run=run,
                reason=run.original_name[:300],
                changed_by=user,
            )
            for e, old, new_grade in grade_changes
        ],
        batch_size=500,
    )
    return {"new": len(new), "updated": len(updated), "grade_changes": len(grade_changes)}


def _replace_measures(records, by_code) -> None:
    ids = [by_code[r.code].pk for r in records]
    for chunk in _chunks(ids, 900):
        ReductionMeasure.objects.filter(enterprise_id__in=chunk).delete()
    ReductionMeasure.objects.bulk_create(
        [
            ReductionMeasure(
                enterprise=by_code[r.code],
                level=level,
                measures=m.measures,
                reduction_pct=m.pct,
                stop_production=m.stop,
                limit_production=m.limit,
            )
            for r in records
            for level, m in r.measures.items()
        ],
        batch_size=1000,
    )


def _replace_units(records, by_code) -> None:
    through = Enterprise.responsible_units.through
    ids = [by_code[r.code].pk for r in records]
    for chunk in _chunks(ids, 900):
        through.objects.filter(enterprise_id__in=chunk).delete()
    through.objects.bulk_create(
        [
            through(enterprise_id=by_code[r.code].pk, unit_id=unit_id)
            for r in records
            for unit_id in r.unit_ids
        ],
        batch_size=1000,
    )


def _chunks(items: Sequence, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def import_list(upload: UploadedFile, *, city: District, acting_user, replace: bool = True):
    """Check and apply in one go (commands, demo). Raises ``ImportRefused`` on any bad row."""
    with transaction.atomic():
        run = check_list_upload(upload, city=city, acting_user=acting_user, replace=replace)
    if run.status != ImportRun.Status.CHECKED:
        raise ImportRefused(run)
    return apply_list(run, acting_user=acting_user)


@transaction.atomic
def change_grade(
    enterprise: Enterprise, grade: str, *, effective_on: dt.date, reason: str, acting_user
) -> GradeChange:
    """Record a new performance grade (e.g. after the province approves an upgrade)."""
    if grade not in Grade.values:
        raise ValidationError(_("无效的绩效等级。"))
    if grade == enterprise.grade:
        raise ValidationError(_("等级未变化。"))
    if not reason.strip():
        raise ValidationError(_("请填写调整依据（文件或评审结论）。"))
    change = GradeChange.objects.create(
        enterprise=enterprise,
        old_grade=enterprise.grade,
        new_grade=grade,
        effective_on=effective_on,
        source=ChangeSource.MANUAL,
        reason=reason[:300],
        changed_by=acting_user,
    )
    before = snapshot(enterprise, ["grade", "grade_since"])
    enterprise.grade, enterprise.grade_since = grade, effective_on
    enterprise.save(update_fields=["grade", "grade_since", "updated_at"])
    record(
        acting_user,
        "emergency.grade_changed",
        enterprise,
        changes=diff(before, snapshot(enterprise, ["grade", "grade_since"])),
        reason=reason,
    )
    return change


# --- warning episodes ------------------------------------------------------------------------


def response_units(city: District) -> list[Unit]:
    """Whom a warning is sent to: every district's government or administration, plus the
    city bureaus configured in ``data/response_units.json``."""
    units = list(draws.district_bodies(city).values())
    config = json.loads(RESPONSE_UNITS_FILE.read_text(encoding="utf-8"))
    names = config["cities"].get(city.name, [])
    index = UnitIndex(city) if names else None
    for name in names:
        unit = index.resolve(name).unit
        if unit and unit not in units:
            units.append(unit)
    return units


def _notify_episode(episode: Episode, title: str, body: str) -> None:
    url = reverse("emergency-episode", args=[episode.pk])
    units = response_units(episode.city)
    key = f"emergency-episode-{episode.pk}-{episode.steps.count()}"
    transaction.on_commit(
        lambda: notify_units(
            units, kind="emergency", title=title, body=body, url=url, dedupe_key=key
        )
    )


def _local(at: dt.datetime) -> str:
    return tz.to_local(at).strftime("%Y-%m-%d %H:%M")


def _next_number(city: District, year: int) -> str:
    used = Episode.objects.filter(city=city, number__startswith=f"{year}-").count()
    return f"{year}-{used + 1:02d}"


@transaction.atomic
def issue_episode(
    *,
    city: District,
    level: str,
    starts_at: dt.datetime,
    expected_end_at: dt.datetime | None = None,
    basis: dict | None = None,
    basis_note: str = "",
    rule_code: str = "",
    acting_user,
) -> Episode:
    """Issue a warning at ``level`` from ``starts_at``; every responding unit is notified.

    A city has at most one episode that is not lifted: a worsening forecast upgrades it.
    """
    if level not in Level.values:
        raise ValidationError(_("无效的预警级别。"))
    if expected_end_at and expected_end_at <= starts_at:
        raise ValidationError(_("预计结束时间应晚于启动时间。"))
    if Episode.objects.select_for_update().filter(city=city, lifted_at=None).exists():
        raise ValidationError(_("本市已有未解除的预警，请对其升级、降级或解除。"))
    now = tz.now()
    episode = Episode.objects.create(
        city=city,
        number=_next_number(city, tz.to_local(starts_at).year),
        level=level,
        starts_at=starts_at,
        expected_end_at=expected_end_at,
        basis=basis or {},
        basis_note=basis_note,
        rule_code=rule_code,
        issued_at=now,
        issued_by=acting_user,
    )
    EpisodeStep.objects.create(
        episode=episode,
        kind=StepKind.ISSUE,
        level_after=level,
        effective_at=starts_at,
        reason=basis_note,
        recorded_by=acting_user,
    )
    record(acting_user, "emergency.episode_issued", episode, changes={"level": [None, level]})
    name = Level(level).label
    _notify_episode(
        episode,
        _("重污染天气%(level)s预警") % {"level": name},
        _("自 %(start)s 起启动%(level)s预警（%(number)s），请按应急减排清单落实措施。")
        % {"start": _local(starts_at), "level": name, "number": episode.number},
    )
    return episode


def _check_step_time(episode: Episode, at: dt.datetime) -> None:
    if episode.lifted_at:
        raise ValidationError(_("预警已解除。"))
    last = episode.steps.order_by("-effective_at").first()
    if last and at < last.effective_at:
        raise ValidationError(
            _("生效时间不能早于上一次操作的生效时间（%(at)s）。")
            % {"at": _local(last.effective_at)}
        )


@transaction.atomic
def change_level(
    episode: Episode,
    level: str,
    *,
    effective_at: dt.datetime,
    reason: str,
    acting_user,
    expected_end_at: dt.datetime | None = None,
) -> EpisodeStep:
    """Upgrade or downgrade an episode from ``effective_at``; the units are notified."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    if level not in Level.values or level == episode.level:
        raise ValidationError(_("请选择与当前不同的预警级别。"))
    _check_step_time(episode, effective_at)
    kind = StepKind.UPGRADE if rank(level) > rank(episode.level) else StepKind.DOWNGRADE
    before = snapshot(episode, ["level", "expected_end_at"])
    step = EpisodeStep.objects.create(
        episode=episode,
        kind=kind,
        level_before=episode.level,
        level_after=level,
        effective_at=effective_at,
        reason=reason,
        recorded_by=acting_user,
    )
    episode.level = level
    if expected_end_at:
        episode.expected_end_at = expected_end_at
    episode.save(update_fields=["level", "expected_end_at"])
    record(
        acting_user,
        f"emergency.episode_{kind}d",
        episode,
        changes=diff(before, snapshot(episode, ["level", "expected_end_at"])),
        reason=reason,
    )
    name = Level(level).label
    _notify_episode(
        episode,
        _("预警%(kind)s为%(level)s") % {"kind": StepKind(kind).label, "level": name},
        _("%(number)s 自 %(at)s 起%(kind)s为%(level)s预警。%(reason)s")
        % {
            "number": episode.number,
            "at": _local(effective_at),
            "kind": StepKind(kind).label,
            "level": name,
            "reason": reason,
        },
    )
    return step


@transaction.atomic
def lift_episode(
    episode: Episode, *, effective_at: dt.datetime, reason: str, acting_user
) -> EpisodeStep:
    """Lift (解除) an episode from ``effective_at``; the units are notified."""
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    _check_step_time(episode, effective_at)
    step = EpisodeStep.objects.create(
        episode=episode,
        kind=StepKind.LIFT,
        level_before=episode.level,
        effective_at=effective_at,
        reason=reason,
        recorded_by=acting_user,
    )
    episode.lifted_at = effective_at
    episode.save(update_fields=["lifted_at"])
    record(
        acting_user,
        "emergency.episode_lifted",
        episode,
        changes={"lifted_at": [None, effective_at.isoformat()]},
        reason=reason,
    )
    _notify_episode(
        episode,
        _("预警解除"),
        _("%(number)s 于 %(at)s 解除。%(reason)s")
        % {"number": episode.number, "at": _local(effective_at), "reason": reason},
    )
    return step


# --- the daily draw --------------------------------------------------------------------------


@transaction.atomic
def commit_round(
    episode: Episode, day: dt.date, *, acting_user, now: dt.datetime | None = None
) -> DrawRound:
    """Publish the commitment for ``day``'s draw; the secret behind it stays hidden until then.

    ``now`` is for loading historical records (the demo); views and the API never pass it.
    """
    now = now or tz.now()
    if episode.lifted_at and episode.lifted_at <= now:
        raise ValidationError(_("预警已解除，不能再安排抽查。"))
    if day < tz.to_local(episode.starts_at).date():
        raise ValidationError(_("检查日期早于预警启动日期。"))
    if day < tz.to_local(now).date():
        raise ValidationError(_("承诺值须在检查日之前或当日公布。"))
    if DrawRound.objects.filter(episode=episode, day=day).exists():
        raise ValidationError(_("该日已公布承诺值。"))
    secret = draw.new_secret()
    round_ = DrawRound.objects.create(
        episode=episode,
        day=day,
        secret=secret,
        commitment=draw.commitment_of(secret),
        committed_at=now,
        committed_by=acting_user,
        status=RoundStatus.COMMITTED,
    )
    record(
        acting_user,
        "emergency.draw_committed",
        round_,
        changes={"commitment": [None, round_.commitment]},
    )
    return round_


@transaction.atomic
def run_draw(
    round_: DrawRound,
    *,
    beacon: str,
    beacon_source: str,
    acting_user,
    now: dt.datetime | None = None,
) -> DrawRound:
    """Reveal the secret and draw every inspecting unit's plan for the day, now.

    The draw time is the server's clock (it enters the seed, so nobody can choose it); the
    level is the episode's level at that moment. A round is drawn once and never again.
    ``now`` is for loading historical records (the demo); views and the API never pass it.
    """
    round_ = DrawRound.objects.select_for_update().select_related("episode__city").get(pk=round_.pk)
    if round_.is_drawn:
        raise ValidationError(_("该日已抽取，不能重抽。"))
    if not beacon.strip() or not beacon_source.strip():
        raise ValidationError(_("请填写公开随机值及其来源。"))
    now = (now or tz.now()).replace(microsecond=0)
    if now < round_.committed_at.replace(microsecond=0):
        raise ValidationError(_("抽取时间早于承诺值公布时间。"))
    if tz.to_local(now).date() != round_.day:
        raise ValidationError(_("只能在检查当日抽取。"))
    episode = round_.episode
    level = episode.level_at(now)
    if level is None:
        raise ValidationError(_("此时预警未生效。"))
    city = episode.city
    pops = draws.populations(city)
    unit_draws = draws.unit_draws(city, round_.day, level, pops)
    draws.freeze_populations(pops)
    drawn_at = draws.draw_time(now)
    seed = draw.round_seed(round_.secret, beacon, round_.day, drawn_at)
    round_.beacon, round_.beacon_source = beacon.strip(), beacon_source.strip()
    round_.drawn_at, round_.drawn_by, round_.seed, round_.level = now, acting_user, seed, level
    round_.status = RoundStatus.DRAWN
    round_.save()
    _create_plans(round_, unit_draws, pops, seed, drawn_at)
    record(
        acting_user,
        "emergency.draw_made",
        round_,
        changes={"seed": [None, seed], "beacon": [None, round_.beacon], "level": [None, level]},
        reason=round_.beacon_source,
    )
    _notify_plans(round_)
    return round_


def _create_plans(round_, unit_draws, pops, seed, drawn_at) -> None:
    enterprises = dict(
        Enterprise.objects.filter(city=round_.episode.city, on_list=True).values_list(
            "credit_code", "pk"
        )
    )
    districts = dict(District.objects.filter(parent=round_.episode.city).values_list("name", "pk"))
    inspections = []
    for ud in unit_draws:
        ud.picks = draw.draw_unit(seed, ud.unit.name, ud.quota, pops)
        plan = InspectionPlan.objects.create(
            round=round_,
            day=round_.day,
            unit=ud.unit,
            level=round_.level,
            quota={**ud.rule.as_dict(), "level": round_.level, "shortfall": ud.shortfall},
            draw_inputs={
                "algorithm": draw.ALGORITHM,
                "commitment": round_.commitment,
                "beacon": round_.beacon,
                "day": round_.day.isoformat(),
                "drawn_at": drawn_at,
                "unit_key": ud.unit.name,
                "quota": ud.quota.as_dict(),
                "populations": ud.digests,
                "picks": [[p.district, p.code] for p in ud.picks],
            },
            published_at=round_.drawn_at,
        )
        inspections += [
            Inspection(
                plan=plan,
                enterprise_id=enterprises[p.code],
                district_id=districts[p.district],
                position=i,
            )
            for i, p in enumerate(ud.picks, start=1)
        ]
    Inspection.objects.bulk_create(inspections, batch_size=1000)


def _notify_plans(round_: DrawRound) -> None:
    plans = list(round_.plans.select_related("unit"))
    url = reverse("emergency-plans") + f"?day={round_.day.isoformat()}"
    for plan in plans:
        count = len(plan.draw_inputs["picks"])
        unit = plan.unit
        transaction.on_commit(
            lambda unit=unit, count=count: notify_units(
                [unit],
                kind="emergency",
                title=_("今日抽查计划已发布"),
                body=_("%(day)s 抽查 %(n)s 户企业，请按“四不两直”方式检查。")
                % {"day": round_.day.isoformat(), "n": count},
                url=url,
                dedupe_key=f"emergency-plan-{round_.pk}",
                roles=("inspector", "unit_officer"),
            )
        )


# --- inspections and cases -------------------------------------------------------------------


@dataclass
class Finding:
    """What an inspector recorded on site."""

    result: str
    measures_in_place: bool
    facilities_running: bool
    ledger_ok: bool
    findings: str = ""
    inspected_at: dt.datetime | None = None


def _check_finding(finding: Finding) -> None:
    if finding.result not in Result.values:
        raise ValidationError(_("请选择检查结论。"))
    all_ok = finding.measures_in_place and finding.facilities_running and finding.ledger_ok
    if finding.result == Result.COMPLIANT and not all_ok:
        raise ValidationError(_("检查项中有未落实的内容，结论不能为“落实到位”。"))
    if finding.result == Result.NON_COMPLIANT and not finding.findings.strip():
        raise ValidationError(_("结论为“未落实”时请写明检查发现的问题。"))
    if finding.inspected_at and finding.inspected_at > tz.now():
        raise ValidationError(_("检查时间不能晚于现在。"))


@transaction.atomic
def record_inspection(
    inspection: Inspection,
    finding: Finding,
    *,
    photos: Iterable[UploadedFile] = (),
    acting_user,
) -> Inspection:
    """Record a visit once: result, checklist, findings and photos. A non-compliance opens a
    case for the enterprise's district. A recorded inspection is never overwritten."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != InspectionStatus.PENDING:
        raise ValidationError(_("该检查已记录，不能覆盖；可以补充照片。"))
    _check_finding(finding)
    now = tz.now()
    inspection.status = InspectionStatus.DONE
    inspection.result = finding.result
    inspection.measures_in_place = finding.measures_in_place
    inspection.facilities_running = finding.facilities_running
    inspection.ledger_ok = finding.ledger_ok
    inspection.findings = finding.findings.strip()
    inspection.inspector = acting_user
    inspection.inspected_at = finding.inspected_at or now
    inspection.recorded_at = now
    inspection.save()
    record(
        acting_user,
        "emergency.inspection_recorded",
        inspection,
        changes={"result": [None, inspection.result]},
        reason=inspection.findings,
    )
    for photo in photos:
        attach_evidence(photo, to=inspection, acting_user=acting_user, description=_("现场照片"))
    if inspection.result == Result.NON_COMPLIANT:
        _open_case(inspection, acting_user)
    return inspection


def _open_case(inspection: Inspection, acting_user) -> Case:
    enterprise = inspection.enterprise
    city = enterprise.city
    year = tz.local_today().year
    last = Case.objects.filter(city=city, number__startswith=f"AJ{year}-").aggregate(Max("number"))
    seq = int(last["number__max"].split("-")[1]) + 1 if last["number__max"] else 1
    owner = draws.district_bodies(city).get(inspection.district_id)
    case = Case.objects.create(
        city=city,
        number=f"AJ{year}-{seq:04d}",
        enterprise=enterprise,
        inspection=inspection,
        district_id=inspection.district_id,
        owner_unit=owner,
        summary=inspection.findings,
        opened_at=tz.now(),
    )
    record(acting_user, "emergency.case_opened", case, changes={"status": [None, case.status]})
    if owner:
        url = reverse("emergency-case", args=[case.pk])
        transaction.on_commit(
            lambda: notify_units(
                [owner],
                kind="emergency",
                title=_("应急减排措施未落实：%(name)s") % {"name": enterprise.name},
                body=case.summary,
                url=url,
                dedupe_key=f"emergency-case-{case.pk}",
            )
        )
    return case


@transaction.atomic
def add_inspection_photos(
    inspection: Inspection, photos: Iterable[UploadedFile], *, acting_user
) -> int:
    """Add photos to a recorded inspection (nothing recorded before is changed)."""
    count = 0
    for photo in photos:
        attach_evidence(photo, to=inspection, acting_user=acting_user, description=_("现场照片"))
        count += 1
    return count


CASE_FLOW = {
    CaseStatus.OPEN: (CaseStatus.HANDLING, CaseStatus.CLOSED),
    CaseStatus.HANDLING: (CaseStatus.CLOSED,),
    CaseStatus.CLOSED: (),
}


@transaction.atomic
def update_case(case: Case, *, status: str, handling: str, acting_user) -> Case:
    """Move a case on (立案 → 查处中 → 结案); closing needs what was done about it."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in CASE_FLOW.get(case.status, ()):
        raise ValidationError(_("案件状态不能这样变更。"))
    if status == CaseStatus.CLOSED and not (handling.strip() or case.handling):
        raise ValidationError(_("结案前请填写查处情况。"))
    before = snapshot(case, ["status", "handling", "closed_at"])
    case.status = status
    if handling.strip():
        case.handling = handling.strip()
    if status == CaseStatus.CLOSED:
        case.closed_at = tz.now()
    case.save()
    record(
        acting_user,
        "emergency.case_updated",
        case,
        changes=diff(before, snapshot(case, ["status", "handling", "closed_at"])),
        reason=handling,
    )
    return case
