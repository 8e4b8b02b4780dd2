"""Coverage computed from the device registry and the data devices send, never typed in.

- 安装联网率 = units on the roster whose required points all report valid data ÷ units on the
  roster (not ÷ units already registered, which hid the 38 missing units of seed 000 七).
  A point reports valid data when a device with its MN is registered, has sent data within
  ``online_hours`` and has valid (N) data in at least ``min_valid_hours_share`` of the hours
  of the last ``window_days`` (``monitoring_rates`` regulation data).
- The fume rollout: per catering unit, outlets with a fume monitor installed, online and
  reporting valid data, against the ledger's outlets and the milestones' dates.

Device states come from ``monitoring.hours`` (per device-hour counts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from lantian.lib import tz

INSTALLED, ONLINE, VALID = "installed", "online", "valid"
STATUS_LABELS = {
    "missing": "未安装（平台无该设备）",
    "offline": "已安装未联网",
    "invalid": "联网但有效数据不足",
    "ok": "正常报送有效数据",
    "no_points": "名录未列监测点位",
}


@dataclass(frozen=True)
class Window:
    """The rules and the moment progress is computed for."""

    now: dt.datetime
    window_days: int
    min_valid_share: float
    online_hours: int

    @property
    def start(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.window_days)


def window(now: dt.datetime | None = None) -> Window:
    from regulations import lookup

    now = now or tz.now()
    version = lookup.version("monitoring_rates", on=tz.to_local(now).date())
    return Window(
        now,
        int(version.number("window_days").value),
        float(version.number("min_valid_hours_share").value),
        int(version.number("online_hours").value),
    )


@dataclass
class DeviceState:
    device_id: int
    installed_on: dt.date | None
    online: bool
    valid_hours: int
    due_hours: int
    valid: bool


def device_states(devices, win: Window) -> dict[int, DeviceState]:
    """Online and valid-data state of each device over the window, from hour counts."""
    from monitoring import hours

    devices = list(devices)
    counts = hours.hour_counts(devices, win.start, win.now, hours.on_rules(win.now.date()))
    out = {}
    for device in devices:
        rows = counts.get(device.pk, [])
        installed = device.install_date
        begin = win.start
        if installed:
            begin = max(begin, tz.start_of_local_day(installed))
        due = max(1, int((win.now - begin).total_seconds() // 3600))
        valid_hours = sum(1 for h in rows if h.valid > 0)
        last = device.last_seen_at or max((h.hour for h in rows), default=None)
        online = last is not None and win.now - last <= dt.timedelta(hours=win.online_hours)
        out[device.pk] = DeviceState(
            device.pk,
            installed,
            online,
            valid_hours,
            due,
            online and valid_hours / due >= win.min_valid_share,
        )
    return out


# --- key emission units roster -------------------------------------------------------------


@dataclass
class PointStatus:
    point: object  # RequiredPoint
    status: str
    state: DeviceState | None = None

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class UnitStatus:
    unit: object  # KeyUnit
    points: list[PointStatus] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.points) and all(p.status == "ok" for p in self.points)

    @property
    def installed(self) -> bool:
        return bool(self.points) and all(p.status != "missing" for p in self.points)

    @property
    def problems(self) -> list[PointStatus]:
        return [p for p in self.points if p.status != "ok"]


@dataclass
class RosterCoverage:
    roster: object
    units: list[UnitStatus]
    window: Window

    @property
    def total(self) -> int:
        return len(self.units)

    @property
    def covered(self) -> int:
        return sum(u.covered for u in self.units)

    @property
    def installed(self) -> int:
        return sum(u.installed for u in self.units)

    @property
    def rate(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def missing(self) -> list[UnitStatus]:
        return [u for u in self.units if not u.covered]

    def by_district(self) -> list[tuple[str, int, int]]:
        rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for u in self.units:
            rows[u.unit.district.name][0] += 1
            rows[u.unit.district.name][1] += u.covered
        return [(d, t, c) for d, (t, c) in sorted(rows.items())]


def point_status(mn: str, devices_by_mn: dict, states: dict[int, DeviceState]) -> PointStatus:
    device = devices_by_mn.get(mn) if mn else None
    if device is None:
        return PointStatus(None, "missing")
    state = states[device.pk]
    if not state.online:
        return PointStatus(None, "offline", state)
    return PointStatus(None, "ok" if state.valid else "invalid", state)


def roster_coverage(roster, win: Window | None = None) -> RosterCoverage:
    """安装联网率 of a roster: every unit on it, each with its points' status."""
    from monitoring.models import Device

    win = win or window()
    units = list(roster.units.select_related("district").prefetch_related("points"))
    mns = {p.mn for u in units for p in u.points.all() if p.mn}
    devices = {d.mn: d for d in Device.objects.filter(mn__in=mns, is_active=True)}
    states = device_states(devices.values(), win)
    out = []
    for unit in units:
        status = UnitStatus(unit)
        for point in unit.points.all():
            ps = point_status(point.mn, devices, states)
            ps.point = point
            status.points.append(ps)
        out.append(status)
    return RosterCoverage(roster, out, win)


# --- fume rollout ----------------------------------------------------------------------------


@dataclass
class UnitProgress:
    unit: object  # RolloutUnit
    devices: list = field(default_factory=list)
    states: list[DeviceState] = field(default_factory=list)

    def installed_by(self, day: dt.date) -> int:
        """Outlets with a monitor installed on or before ``day`` (at most the ledger's)."""
        n = sum(1 for d in self.devices if (d.install_date or d_created(d)) <= day)
        return min(n, self.unit.outlets)

    @property
    def online(self) -> int:
        return min(sum(s.online for s in self.states), self.unit.outlets)

    @property
    def valid(self) -> int:
        return min(sum(s.valid for s in self.states), self.unit.outlets)


def d_created(device) -> dt.date:
    """A device without an installation date counts from when it first sent data."""
    seen = device.last_seen_at
    return tz.to_local(seen).date() if seen else dt.date.max


@dataclass
class MilestoneProgress:
    milestone: object
    units_done: int
    outlets_done: int
    due_passed: bool

    @property
    def met(self) -> bool:
        m = self.milestone
        return self.units_done >= m.units and self.outlets_done >= m.outlets


@dataclass
class RolloutProgress:
    rollout: object
    units: list[UnitProgress]
    milestones: list[MilestoneProgress]
    today: dt.date

    def _count(self, attr: str, *, outlets: bool) -> int:
        if attr == INSTALLED:
            values = [(u.installed_by(self.today), u.unit.outlets) for u in self.units]
        elif attr == ONLINE:
            values = [(u.online, u.unit.outlets) for u in self.units]
        else:
            values = [(u.valid, u.unit.outlets) for u in self.units]
        if outlets:
            return sum(v for v, _ in values)
        return sum(1 for v, need in values if v >= need)

    def figures(self) -> list[dict]:
        r = self.rollout
        out = []
        for key, label in ((INSTALLED, "已安装"), (ONLINE, "已联网"), (VALID, "报送有效数据")):
            units, outlets = self._count(key, outlets=False), self._count(key, outlets=True)
            out.append(
                {
                    "key": key,
                    "label": label,
                    "units": units,
                    "outlets": outlets,
                    "units_rate": units / r.units_target if r.units_target else None,
                    "outlets_rate": outlets / r.outlets_target if r.outlets_target else None,
                }
            )
        return out

    @property
    def ledger_units(self) -> int:
        return len(self.units)

    @property
    def ledger_outlets(self) -> int:
        return sum(u.unit.outlets for u in self.units)

    def by_district(self) -> list[dict]:
        rows: dict[str, dict] = {}
        for u in self.units:
            row = rows.setdefault(
                u.unit.district.name,
                {
                    "district": u.unit.district.name,
                    "units": 0,
                    "outlets": 0,
                    "installed": 0,
                    "online": 0,
                    "valid": 0,
                },
            )
            row["units"] += 1
            row["outlets"] += u.unit.outlets
            row["installed"] += u.installed_by(self.today)
            row["online"] += u.online
            row["valid"] += u.valid
        return [rows[k] for k in sorted(rows)]

    def lagging(self) -> list[UnitProgress]:
        return [u for u in self.units if u.valid < u.unit.outlets]


def _site_for(unit, sites_by_district: dict) -> object | None:
    if unit.site_id:
        return unit.site
    for site in sites_by_district.get(unit.district_id, []):
        if unit.name in (site.name, site.operator) or site.name.endswith(" " + unit.name):
            return site
    return None


def rollout_progress(rollout, win: Window | None = None) -> RolloutProgress:
    """Installed, online and valid outlets and units, from the registry and the data."""
    from monitoring.models import Device, Site

    win = win or window()
    today = tz.to_local(win.now).date()
    units = list(rollout.units.select_related("district", "site"))
    sites_by_district: dict[int, list] = defaultdict(list)
    for site in Site.objects.filter(kind="restaurant", district__in={u.district_id for u in units}):
        sites_by_district[site.district_id].append(site)
    linked = {u.pk: _site_for(u, sites_by_district) for u in units}
    site_ids = {s.pk for s in linked.values() if s is not None}
    devices_by_site: dict[int, list] = defaultdict(list)
    for device in Device.objects.filter(site_id__in=site_ids, kind="fume", is_active=True):
        devices_by_site[device.site_id].append(device)
    all_devices = [d for ds in devices_by_site.values() for d in ds]
    states = device_states(all_devices, win)
    progress = []
    for unit in units:
        site = linked[unit.pk]
        devices = devices_by_site.get(site.pk, []) if site else []
        progress.append(UnitProgress(unit, devices, [states[d.pk] for d in devices]))
    milestones = []
    for m in rollout.milestones.all():
        scope = [u for u in progress if u.unit.first_batch or not m.first_batch_only]
        done = [u.installed_by(m.due) for u in scope]
        milestones.append(
            MilestoneProgress(
                m,
                sum(1 for u, n in zip(scope, done, strict=True) if n >= u.unit.outlets),
                sum(done),
                m.due < today,
            )
        )
    return RolloutProgress(rollout, progress, milestones, today)
