"""The only write path of the air-quality app: imports, figures, and the anomaly response loop.

Every service runs in one transaction, takes ``acting_user`` keyword-only (``None`` is the
system, e.g. the detector) and writes an audit event. Notifications go out on commit.

Response items follow a small workflow (排查 → 反馈 → 评估):

    investigating --feedback (owner unit)--> feedback --accept (office)--> closed
                                             feedback --return (office)--> investigating
    investigating | feedback --dismiss (office)--> dismissed
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from accounts.choices import Role, UnitKind
from accounts.models import District, Unit
from accounts.notify import notify_units, notify_users, users_of_units
from airquality import figures, importing
from airquality.aqi import LABELS
from airquality.choices import (
    AnomalyKind,
    ImportKind,
    ImportStatus,
    ResponseStatus,
    StepKind,
)
from airquality.models import (
    POLLUTANT_FIELDS,
    DataImport,
    DustFall,
    HourlyObservation,
    ResponseItem,
    ResponseStep,
    Station,
)
from audit.log import diff, record, snapshot
from evidence.services import attach_evidence
from lantian.lib import tz
from lantian.lib.workdays import add_workdays
from regulations.lookup import RegulationNotFound, local_version, value

# --- imports ---


def _refuse(kind, file_name, digest, acting_user, problems, rows=0, options=None) -> DataImport:
    data_import = DataImport.objects.create(
        kind=kind,
        status=ImportStatus.REFUSED,
        file_name=file_name[:255],
        sha256=digest,
        uploaded_by=_user(acting_user),
        rows=rows,
        errors=[p.as_dict() for p in problems[: importing.MAX_ERRORS]],
        options=options or {},
    )
    record(
        acting_user,
        "airquality.import_refused",
        data_import,
        changes={"errors": [None, len(problems)]},
        reason=problems[0].message if problems else "",
    )
    return data_import


def _user(acting_user):
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def _stations_by_key(rows: list[importing.HourRow]) -> dict[tuple[bool, str], Station | str]:
    """Each station key of the file → its station, or a message saying why it is not one."""
    codes = {r.station for r in rows if r.by_code}
    names = {r.station for r in rows if not r.by_code}
    found: dict[tuple[bool, str], Station | str] = {}
    # A "station" column may hold codes, a "code" column names: try both.
    for station in Station.objects.filter(code__in=codes | names):
        found[(station.code in codes, station.code)] = station
        if station.code in names:
            found[(False, station.code)] = station
    by_name: dict[str, list[Station]] = {}
    unmatched = names - {k for b, k in found if not b}
    for station in Station.objects.filter(name__in=unmatched).select_related("district"):
        by_name.setdefault(station.name, []).append(station)
    for name, stations in by_name.items():
        if len(stations) == 1:
            found[(False, name)] = stations[0]
        else:
            where = "、".join(s.district.name for s in stations)
            found[(False, name)] = f"站点名称“{name}”不唯一（{where}），请改用站点编码"
    for code in codes:
        found.setdefault((True, code), f"未知站点编码“{code}”（请先在站点名录中登记）")
    for name in names:
        found.setdefault((False, name), f"未知站点“{name}”（请先在站点名录中登记）")
    return found


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


@transaction.atomic
def import_hours(
    content: bytes,
    file_name: str,
    *,
    acting_user,
    replace: bool = False,
    hour_ending: bool = False,
) -> DataImport:
    """Import hourly station data (CSV or Excel), all or nothing, then refresh the figures.

    Every row is validated first; with any problem the import is refused (its errors kept) and
    nothing is stored. Hours already stored with other values are a problem unless ``replace``,
    in which case the old values are kept in the import's ``replaced`` list.
    """
    digest = hashlib.sha256(content).hexdigest()
    options = {"replace": replace, "hour_ending": hour_ending}
    try:
        parsed = importing.parse_hours(content, file_name, hour_ending=hour_ending)
    except importing.ImportFileError as exc:
        problem = importing.Problem(0, str(exc))
        return _refuse(ImportKind.HOURLY, file_name, digest, acting_user, [problem], 0, options)
    problems = list(parsed.problems)
    stations = _stations_by_key(parsed.rows)
    keyed = []
    for row in parsed.rows:
        station = stations[(row.by_code, row.station)]
        if isinstance(station, str):
            problems.append(importing.Problem(row.line, station))
        else:
            keyed.append((station, row))
    if not parsed.rows and not problems:
        problems.append(importing.Problem(0, _("文件中没有数据行")))
    existing = _existing_hours(keyed)
    new, changed, replaced, unchanged = [], [], [], 0
    for station, row in keyed:
        old = existing.get((station.pk, row.time))
        if old is None:
            new.append(HourlyObservation(station=station, time=row.time, **row.values))
            continue
        differs = [p for p in parsed.pollutants if not _same(getattr(old, p), row.values[p])]
        if not differs:
            unchanged += 1
        elif not replace:
            problems.append(
                importing.Problem(
                    row.line,
                    f"{station.name} {tz.to_local(row.time):%Y-%m-%d %H:%M} 已有不同数值"
                    f"（{'、'.join(differs)}）；如需更正请选择“以本次数据替换已有数据”",
                )
            )
        else:
            replaced.append(_replaced_entry(station, old, differs))
            for p in parsed.pollutants:
                setattr(old, p, row.values[p])
            changed.append(old)
    if problems:
        problems.sort(key=lambda p: p.line)
        rows = len(parsed.rows) + len(parsed.problems)
        return _refuse(ImportKind.HOURLY, file_name, digest, acting_user, problems, rows, options)
    times = [row.time for _, row in keyed]
    data_import = DataImport.objects.create(
        kind=ImportKind.HOURLY,
        status=ImportStatus.DONE,
        file_name=file_name[:255],
        sha256=digest,
        uploaded_by=_user(acting_user),
        rows=len(keyed),
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        flagged=parsed.flagged,
        first_time=min(times),
        last_time=max(times),
        replaced=replaced,
        options=options,
    )
    for obs in new + changed:
        obs.data_import = data_import
    HourlyObservation.objects.bulk_create(new, batch_size=1000)
    HourlyObservation.objects.bulk_update(
        changed, [*parsed.pollutants, "data_import"], batch_size=1000
    )
    record(
        acting_user,
        "airquality.hours_imported",
        data_import,
        changes={"created": [0, len(new)], "replaced": [0, len(changed)]},
        reason=file_name,
    )
    figures.refresh_after_hours({(s.pk, tz.to_local(r.time).date()) for s, r in keyed})
    return data_import


def _existing_hours(keyed) -> dict[tuple[int, dt.datetime], HourlyObservation]:
    if not keyed:
        return {}
    times = [row.time for _, row in keyed]
    stations = {station.pk for station, _ in keyed}
    found = HourlyObservation.objects.filter(
        station_id__in=stations, time__gte=min(times), time__lte=max(times)
    )
    return {(o.station_id, o.time): o for o in found.iterator(chunk_size=5000)}


def _replaced_entry(station: Station, old: HourlyObservation, differs: list[str]) -> dict:
    return {
        "station": station.code,
        "time": tz.to_local(old.time).isoformat(),
        "old": {p: getattr(old, p) for p in POLLUTANT_FIELDS if p in differs},
        "import": old.data_import_id,
    }


def _district_index(city: District) -> dict[str, District]:
    index = {}
    for district in District.objects.filter(parent=city):
        for name in [district.name, *district.aliases]:
            index[name] = district
    return index


@transaction.atomic
def import_dustfall(
    content: bytes, file_name: str, *, acting_user, city: District, replace: bool = False
) -> DataImport:
    """Import monthly dust fall per district of ``city`` (all or nothing, like hours)."""
    digest = hashlib.sha256(content).hexdigest()
    options = {"replace": replace, "city": city.name}
    try:
        parsed = importing.parse_dustfall(content, file_name)
    except importing.ImportFileError as exc:
        problem = importing.Problem(0, str(exc))
        return _refuse(ImportKind.DUSTFALL, file_name, digest, acting_user, [problem], 0, options)
    problems = list(parsed.problems)
    districts = _district_index(city)
    existing = {
        (d.district_id, d.month): d
        for d in DustFall.objects.filter(
            district__parent=city, month__in={r.month for r in parsed.rows}
        )
    }
    new, changed, replaced, unchanged = [], [], [], 0
    for row in parsed.rows:
        district = districts.get(row.district)
        if district is None:
            problems.append(importing.Problem(row.line, f"{city.name}没有区县“{row.district}”"))
            continue
        old = existing.get((district.pk, row.month))
        if old is None:
            new.append(
                DustFall(district=district, month=row.month, value=row.value, points=row.points)
            )
        elif _same(old.value, row.value):
            unchanged += 1
        elif not replace:
            problems.append(
                importing.Problem(
                    row.line,
                    f"{district.name} {row.month:%Y-%m} 已有降尘量 {old.value:g}；"
                    "如需更正请选择“以本次数据替换已有数据”",
                )
            )
        else:
            replaced.append(
                {"district": district.name, "month": f"{row.month:%Y-%m}", "old": old.value}
            )
            old.value, old.points = row.value, row.points
            changed.append(old)
    if not parsed.rows and not problems:
        problems.append(importing.Problem(0, _("文件中没有数据行")))
    if problems:
        problems.sort(key=lambda p: p.line)
        rows = len(parsed.rows) + len(parsed.problems)
        return _refuse(ImportKind.DUSTFALL, file_name, digest, acting_user, problems, rows, options)
    data_import = DataImport.objects.create(
        kind=ImportKind.DUSTFALL,
        status=ImportStatus.DONE,
        file_name=file_name[:255],
        sha256=digest,
        uploaded_by=_user(acting_user),
        rows=len(parsed.rows),
        created=len(new),
        updated=len(changed),
        unchanged=unchanged,
        replaced=replaced,
        options=options,
    )
    for item in new + changed:
        item.data_import = data_import
    DustFall.objects.bulk_create(new)
    DustFall.objects.bulk_update(changed, ["value", "points", "data_import"])
    record(
        acting_user,
        "airquality.dustfall_imported",
        data_import,
        changes={"created": [0, len(new)], "replaced": [0, len(changed)]},
        reason=file_name,
    )
    return data_import


# --- the anomaly response loop ---


def owner_unit(district: District) -> Unit | None:
    """The district's government (区县政府) or, for a zone, its administrative committee."""
    return (
        Unit.objects.filter(
            district=district, kind__in=[UnitKind.GOVERNMENT, UnitKind.ZONE_ADMIN], is_active=True
        )
        .order_by("kind", "id")
        .first()
    )


def _rule(key: str, on: dt.date, variant: str = ""):
    return value("anomaly_rules", key, on=on, variant=variant).value


def feedback_deadline(kind: str, opened: dt.datetime) -> dt.datetime:
    """Rises: a number of hours; persistently high areas: working days (调休-aware)."""
    day = tz.to_local(opened).date()
    if kind == AnomalyKind.RISE:
        return opened + dt.timedelta(hours=float(_rule("feedback_hours", day, "rise")))
    days = int(_rule("feedback_workdays", day, "persistent"))
    return _workday_deadline(day, days, "异常响应反馈时限")


def _workday_deadline(day: dt.date, days: int, context: str) -> dt.datetime:
    from regulations.notices import warn_calendar_gaps

    due = add_workdays(day, days)
    warn_calendar_gaps([day, due], context=context)
    return tz.end_of_local_day(due)


def evaluation_deadline(at: dt.datetime) -> dt.datetime:
    day = tz.to_local(at).date()
    return _workday_deadline(day, int(_rule("evaluation_workdays", day)), "异常响应评估时限")


@dataclass(frozen=True)
class Opening:
    """What a detector found, ready to become a response item."""

    kind: str
    scope: str
    district: District
    station: Station | None
    pollutant: str
    period_start: dt.datetime
    period_end: dt.datetime
    value: float
    baseline: float | None
    neighbours: float | None
    detail: dict
    rule_code: str
    dedupe_key: str


def _step(item: ResponseItem, kind: str, acting_user, text: str = "") -> ResponseStep:
    return ResponseStep.objects.create(
        item=item,
        kind=kind,
        actor=_user(acting_user),
        actor_name=_actor_name(acting_user),
        text=text,
        created_at=tz.now(),
    )


def _actor_name(acting_user) -> str:
    if _user(acting_user) is None:
        return _("系统")
    return acting_user.get_full_name() or acting_user.get_username()


def _url(item: ResponseItem) -> str:
    return reverse("airquality:response-detail", args=[item.pk])


def _notify_owner(item: ResponseItem, title: str, body: str, dedupe_key: str = "") -> None:
    transaction.on_commit(
        lambda: notify_units(
            [item.owner],
            kind="airquality.response",
            title=title,
            body=body,
            url=_url(item),
            dedupe_key=dedupe_key,
        )
    )


def _notify_office(item: ResponseItem, title: str, body: str) -> None:
    def send():
        offices = Unit.objects.filter(city=item.owner.city, kind=UnitKind.OFFICE)
        notify_users(
            users_of_units(offices, roles=[Role.OFFICE_ADMIN]),
            kind="airquality.response",
            title=title,
            body=body,
            url=_url(item),
        )

    transaction.on_commit(send)


@transaction.atomic
def open_response(opening: Opening, *, acting_user=None) -> ResponseItem | None:
    """Open a response item for a detection, owned by the district's government unit.

    Idempotent: a detection whose ``dedupe_key`` was seen before opens nothing (returns None),
    as does a district without an owner unit in the registry.
    """
    if ResponseItem.objects.filter(dedupe_key=opening.dedupe_key).exists():
        return None
    owner = owner_unit(opening.district)
    if owner is None:
        return None
    now = tz.now()
    item = ResponseItem.objects.create(
        kind=opening.kind,
        scope=opening.scope,
        station=opening.station,
        district=opening.district,
        pollutant=opening.pollutant,
        period_start=opening.period_start,
        period_end=opening.period_end,
        value=opening.value,
        baseline=opening.baseline,
        neighbours=opening.neighbours,
        detail=opening.detail,
        rule_code=opening.rule_code,
        owner=owner,
        deadline=feedback_deadline(opening.kind, now),
        opened_at=now,
        dedupe_key=opening.dedupe_key,
    )
    summary = describe(item)
    _step(item, StepKind.OPENED, acting_user, summary)
    record(acting_user, "airquality.response_opened", item, changes={"status": [None, item.status]})
    due = f"{tz.to_local(item.deadline):%Y-%m-%d %H:%M}"
    _notify_owner(
        item, _("空气质量异常，请排查反馈：") + str(item), summary + _("。反馈时限：") + due
    )
    return item


@transaction.atomic
def extend_response(
    item: ResponseItem, *, until: dt.datetime, peak: float, acting_user=None
) -> bool:
    """The rise an open item was opened for goes on: move its end (and peak). Not notified."""
    if not item.is_open or until <= item.period_end:
        return False
    before = snapshot(item, ["period_end", "value"])
    item.period_end, item.value = until, max(item.value, peak)
    item.save(update_fields=["period_end", "value"])
    record(
        acting_user,
        "airquality.response_extended",
        item,
        changes=diff(before, snapshot(item, ["period_end", "value"])),
    )
    return True


def describe(item: ResponseItem) -> str:
    """One sentence on what was detected, for steps and notifications."""
    where = item.station.name if item.station_id else item.district.name
    start = tz.to_local(item.period_start)
    label = LABELS.get(item.pollutant, item.pollutant)
    if item.kind == AnomalyKind.RISE:
        text = f"{where} {start:%m-%d %H}时起 {label} 升至 {item.value:.0f} µg/m³"
        if item.baseline is not None:
            text += f"，基线 {item.baseline:.0f}"
        if item.neighbours is not None:
            text += f"，周边/对照 {item.neighbours:.0f}"
        return text
    days = item.detail.get("high_days", [])
    return (
        f"{where} 近 {item.detail.get('window_days', '')} 天中有 {len(days)} 天 {label} "
        f"日均明显高于全市其余点位（均值 {item.value:.0f}，对照 {item.neighbours or 0:.0f} µg/m³）"
    )


def _require(item: ResponseItem, action: str, allowed: Iterable[str]) -> None:
    if item.status not in allowed:
        raise ValidationError(
            _("当前状态“%(status)s”不能%(action)s")
            % {"status": item.get_status_display(), "action": action}
        )


def _require_office(acting_user) -> None:
    if not access.is_office(acting_user):
        raise PermissionDenied(_("只有整改办/专项办管理员可以评估或核销"))


def _require_owner(item: ResponseItem, acting_user) -> None:
    if not access.can_change(acting_user, item):
        raise PermissionDenied(_("只有责任单位或管理员可以办理"))


@transaction.atomic
def add_note(item: ResponseItem, text: str, *, acting_user) -> ResponseStep:
    """An investigation note by the owner unit while the item is open."""
    _require_owner(item, acting_user)
    _require(item, _("记录排查情况"), [ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
    if not text.strip():
        raise ValidationError(_("请填写排查情况"))
    step = _step(item, StepKind.NOTE, acting_user, text.strip())
    record(acting_user, "airquality.response_note", item, reason=text.strip()[:200])
    return step


@transaction.atomic
def submit_feedback(
    item: ResponseItem, *, cause: str, measures: str, acting_user, evidence=()
) -> ResponseItem:
    """The owner unit's feedback: the cause found and the measures taken, with optional
    evidence files (all refused together if one is); the item goes to evaluation."""
    _require_owner(item, acting_user)
    _require(item, _("反馈"), [ResponseStatus.INVESTIGATING])
    if not cause.strip() or not measures.strip():
        raise ValidationError(_("请填写排查原因和采取的措施"))
    before = snapshot(item, ["status", "cause", "measures", "deadline"])
    now = tz.now()
    item.status = ResponseStatus.FEEDBACK
    item.cause, item.measures = cause.strip(), measures.strip()
    item.feedback_at = now
    item.deadline = evaluation_deadline(now)
    item.save()
    for upload in evidence:
        attach_evidence(upload, to=item, acting_user=acting_user, description=_("反馈佐证"))
    _step(item, StepKind.FEEDBACK, acting_user, f"原因：{item.cause}\n措施：{item.measures}")
    record(
        acting_user,
        "airquality.response_feedback",
        item,
        changes=diff(before, snapshot(item, ["status", "cause", "measures", "deadline"])),
    )
    _notify_office(item, _("异常响应已反馈，待评估：") + str(item), item.cause[:200])
    return item


@transaction.atomic
def evaluate(item: ResponseItem, *, accepted: bool, opinion: str, acting_user) -> ResponseItem:
    """The office's evaluation: accepted closes the item; otherwise it goes back for another
    round of investigation with a new deadline."""
    _require_office(acting_user)
    _require(item, _("评估"), [ResponseStatus.FEEDBACK])
    if not accepted and not opinion.strip():
        raise ValidationError(_("退回时请写明理由"))
    before = snapshot(item, ["status", "deadline", "rounds", "evaluation"])
    now = tz.now()
    item.evaluation = opinion.strip()
    if accepted:
        item.status, item.closed_at = ResponseStatus.CLOSED, now
    else:
        item.status, item.rounds = ResponseStatus.INVESTIGATING, item.rounds + 1
        item.deadline = feedback_deadline(item.kind, now)
    item.save()
    kind = StepKind.ACCEPTED if accepted else StepKind.RETURNED
    _step(item, kind, acting_user, item.evaluation)
    record(
        acting_user,
        "airquality.response_evaluated",
        item,
        changes=diff(before, snapshot(item, ["status", "deadline", "rounds", "evaluation"])),
        reason=item.evaluation,
    )
    verdict = _("评估通过，已办结：") if accepted else _("评估未通过，请继续排查：")
    _notify_owner(item, verdict + str(item), item.evaluation)
    return item


@transaction.atomic
def dismiss(item: ResponseItem, *, reason: str, acting_user) -> ResponseItem:
    """The office closes an item as a false alarm (instrument fault, data error), with a reason."""
    _require_office(acting_user)
    _require(item, _("核销"), [ResponseStatus.INVESTIGATING, ResponseStatus.FEEDBACK])
    if not reason.strip():
        raise ValidationError(_("请写明核销理由"))
    before = snapshot(item, ["status", "evaluation"])
    item.status, item.closed_at, item.evaluation = (
        ResponseStatus.DISMISSED,
        tz.now(),
        reason.strip(),
    )
    item.save()
    _step(item, StepKind.DISMISSED, acting_user, item.evaluation)
    record(
        acting_user,
        "airquality.response_dismissed",
        item,
        changes=diff(before, snapshot(item, ["status", "evaluation"])),
        reason=item.evaluation,
    )
    _notify_owner(item, _("异常响应单已核销：") + str(item), item.evaluation)
    return item


@transaction.atomic
def remind_overdue(*, acting_user=None) -> int:
    """Urge the owners of overdue open items, once per item and local day."""
    now = tz.now()
    today = tz.local_today()
    count = 0
    overdue = ResponseItem.objects.filter(
        status=ResponseStatus.INVESTIGATING, deadline__lt=now
    ).select_related("owner", "station", "district")
    for item in overdue:
        key = f"airquality.overdue:{item.pk}:{today}"
        if item.steps.filter(kind=StepKind.URGED, text__endswith=str(today)).exists():
            continue
        _step(item, StepKind.URGED, acting_user, _("已超过反馈时限，系统催办 ") + str(today))
        record(acting_user, "airquality.response_urged", item, reason=str(today))
        _notify_owner(item, _("异常响应已超时，请尽快反馈：") + str(item), describe(item), key)
        count += 1
    return count


def open_items_for(*, station: Station | None, district: District, kind: str, pollutant: str):
    query = Q(kind=kind, district=district, pollutant=pollutant)
    query &= Q(station=station) if station else Q(station__isnull=True)
    return ResponseItem.objects.filter(query)


def dustfall_target(month: dt.date, city: District | str) -> float | None:
    """The city's monthly dust-fall target (local_targets ``dustfall``), or None when none
    applies. A target scoped to another city (咸阳市's 7 t) never applies here."""
    scope = city if isinstance(city, str) else city.name
    try:
        version = local_version("local_targets", on=month, scope=scope)
        return float(version.number("dustfall").value)
    except RegulationNotFound:
        return None
