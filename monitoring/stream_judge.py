"""The streaming judge: alarms within a second of the frame that completes their condition.

``lantian monitoring judge`` runs one ``StreamJudge``. It keeps each active device's open
windows in memory (``windows.Window`` per rule), rebuilt from the database when it starts, and
follows the readings as the gateway stores them (``feed``: LISTEN/NOTIFY on PostgreSQL, a rowid
cursor on SQLite). A window closes when its last expected value arrives, when later data
arrives, or on a timer once its end plus the grace period has passed. Timers also fire the
conditions of silence without waiting for a frame: offline (no upload for N intervals), missing
data (an hour with too few values) and a purifier left off while the fan runs.

It never touches the gateway's path: acknowledgements depend only on the gateway's own commit.
Progress per device and rule is the ``JudgeState`` row the sweep (``checkdevices``) uses too;
closing a window that raises an alarm locks that row, so a window is judged once whoever
closes it, and a judge restarted mid-window neither loses nor repeats an alarm.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import close_old_connections, transaction
from django.db.models import Q

from lantian.lib import tz
from monitoring import rollups, services
from monitoring.choices import AlarmKind, DeviceKind
from monitoring.feed import Feed, feed_for
from monitoring.health import MAIN_CODE, thresholds
from monitoring.judge import (
    Rule,
    apply_verdicts,
    grace_intervals,
    lock_state,
    rules_for,
    spec_of,
)
from monitoring.models import Alarm, Device, JudgeState, Reading
from monitoring.windows import PM10, Window, floor

log = logging.getLogger("lantian.judge")
HOUR = dt.timedelta(hours=1)
FUME_STATUS = ("fan", "purifier")
RELOAD_EVERY = 60.0  # seconds between device-registry reloads
ROLLUP_EVERY = 2.0  # seconds between rollup refreshes of the hours data landed in
ROLLUP_ON_START = 3  # hours refreshed when the judge starts (what it may have missed)


@dataclass
class Tracked:
    """One device as the judge sees it."""

    device: Device
    rules: dict[str, Rule]
    windows: dict[str, Window]
    interval: dt.timedelta
    last_arrival: dt.datetime | None = None
    offline_fired: bool = False
    hours: dict[dt.datetime, set] = field(default_factory=dict)  # main-code times per hour
    status: dict[dt.datetime, dict[str, float]] = field(default_factory=dict)  # fan/purifier
    off_since: dt.datetime | None = None
    purifier_fired: bool = False
    due: dt.datetime | None = None


class StreamJudge:
    def __init__(self, *, clock: Callable[[], dt.datetime] = tz.now, feed: Feed | None = None):
        self.clock = clock
        self.feed = feed
        self.tracked: dict[int, Tracked] = {}
        self.timers: list[tuple[dt.datetime, int, int]] = []
        self._seq = itertools.count()
        self._quiet: list[tuple[int, str, dt.datetime, int]] = []
        self.alarms: list[Alarm] = []
        self.limits: dict = {}
        self._limits_day: dt.date | None = None
        self._loaded_at = 0.0
        self._hours: set[tuple[int, dt.datetime]] = set()  # buckets to refresh
        self._rolled_at = 0.0

    # --- start ---------------------------------------------------------------------------

    def start(self) -> None:
        """Load devices, start following the feed, then rebuild windows from the database
        (in that order: whatever lands meanwhile arrives twice, and counts once)."""
        now = self.clock()
        self._refresh_limits(now)
        devices = self._load_devices(now)
        if self.feed is None:
            self.feed = feed_for(self.codes())
        self.feed.start()
        self.rebuild(devices, now)
        self._loaded_at = time.monotonic()
        start = rollups.hour_of(now) - ROLLUP_ON_START * HOUR
        rollups.rebuild(start, now + HOUR, limits=self._rollup_limits())
        self._rolled_at = time.monotonic()

    def codes(self) -> set[str]:
        codes = {PM10, *FUME_STATUS, *MAIN_CODE.values()}
        for t in self.tracked.values():
            codes |= set(t.rules)
        return codes

    def _refresh_limits(self, now: dt.datetime) -> None:
        day = tz.to_local(now).date()
        if day != self._limits_day:
            self.limits = thresholds(day) | {"grace_intervals": grace_intervals(day)}
            self._limits_day = day

    def _load_devices(self, now: dt.datetime) -> list[Device]:
        day = tz.to_local(now).date()
        devices = list(Device.objects.filter(is_active=True).select_related("site"))
        fresh = []
        keep = set()
        for device in devices:
            keep.add(device.pk)
            rules = {rule.code: rule for rule in rules_for(device, day)}
            old = self.tracked.get(device.pk)
            if old is not None and {c: spec_of(r) for c, r in old.rules.items()} == {
                c: spec_of(r) for c, r in rules.items()
            }:
                old.device = device
                continue
            self.tracked[device.pk] = Tracked(
                device, rules, {}, dt.timedelta(seconds=device.interval_seconds)
            )
            fresh.append(device)
        for pk in set(self.tracked) - keep:
            del self.tracked[pk]
        return fresh

    def rebuild(self, devices: list[Device], now: dt.datetime) -> None:
        """Windows, hourly counts and fume status of ``devices`` from stored progress and
        readings."""
        if not devices:
            return
        ids = [d.pk for d in devices]
        JudgeState.objects.bulk_create(
            [JudgeState(device_id=pk, code=code) for pk in ids for code in self.tracked[pk].rules],
            ignore_conflicts=True,
        )
        states = {(s.device_id, s.code): s for s in JudgeState.objects.filter(device_id__in=ids)}
        horizon = now - 2 * HOUR
        since = now
        for pk in ids:
            t = self.tracked[pk]
            t.last_arrival = t.device.last_seen_at
            for code, rule in t.rules.items():
                state = states.get((pk, code))
                until = state.until if state else None
                t.windows[code] = Window(
                    spec_of(rule),
                    until=until,
                    streak=state.streak if state else 0,
                    interval=t.interval,
                )
                since = min(since, until or horizon)
        since = max(since, now - dt.timedelta(hours=self.limits["lookback_hours"]))
        since = min(since, floor(now, 60) - HOUR)
        rows = (
            Reading.objects.filter(device_id__in=ids, code__in=self.codes(), data_time__gte=since)
            .order_by("data_time")
            .values_list("device_id", "code", "data_time", "cn", "value", "flag")
        )
        self.ingest(rows.iterator(chunk_size=20_000), None, now - HOUR)
        for pk in ids:
            self._settle(self.tracked[pk], now)
        self._flush_quiet()

    # --- data ----------------------------------------------------------------------------

    def ingest(
        self, rows: Iterable[tuple], now: dt.datetime | None, recent: dt.datetime | None = None
    ) -> set[int]:
        """Take stored readings; ``now`` is their arrival (None while rebuilding). Only values
        newer than ``recent`` (default: an hour before ``now``) count towards the hourly
        completeness: a backlog of old data is not a missing-data finding."""
        touched = set()
        tracked = self.tracked
        if recent is None:
            recent = (now or self.clock()) - HOUR
        recent = floor(recent, 60)
        for device_id, code, when, _cn, value, flag in rows:
            t = tracked.get(device_id)
            if t is None:
                continue
            touched.add(device_id)
            for window in t.windows.values():
                window.add(code, when, value, flag, now)
            if code == MAIN_CODE.get(t.device.kind) and when >= recent:
                t.hours.setdefault(floor(when, 60), set()).add(when)
            elif code in FUME_STATUS and t.device.kind == DeviceKind.FUME:
                t.status.setdefault(when, {})[code] = value
            if now is not None:
                t.last_arrival = now
                t.offline_fired = False
                self._hours.add((device_id, rollups.hour_of(when)))
        return touched

    def _purifier(self, t: Tracked) -> None:
        """Follow fan and purifier status in time order: off_since is the start of the run of
        values with the fan on and the purifier off."""
        for when in sorted(t.status):
            status = t.status[when]
            if "purifier" not in status:
                continue
            off = status["purifier"] == 0 and status.get("fan", 0) >= 1
            if off and t.off_since is None:
                t.off_since = when
            elif not off:
                t.off_since, t.purifier_fired = None, False
        t.status.clear()

    # --- judging -------------------------------------------------------------------------

    def step(self, timeout: float = 0.5) -> None:
        """One turn: wait for data or the next timer, judge what is due."""
        now = self.clock()
        wait = timeout
        if self.timers:
            wait = max(0.0, min(timeout, (self.timers[0][0] - now).total_seconds()))
        rows = self.feed.poll(wait)
        now = self.clock()
        self._refresh_limits(now)
        touched = self.ingest(rows, now)
        for pk in touched:
            self._settle(self.tracked[pk], now)
        while self.timers and self.timers[0][0] <= now:
            due, _, pk = heapq.heappop(self.timers)
            t = self.tracked.get(pk)
            if t is not None and t.due == due:
                t.due = None  # popped: _schedule pushes the next one
                self._settle(t, now)
        self._flush_quiet()
        if self._hours and time.monotonic() - self._rolled_at >= ROLLUP_EVERY:
            self.roll_up()
        if time.monotonic() - self._loaded_at > RELOAD_EVERY:
            self.rebuild(self._load_devices(now), now)
            self._loaded_at = time.monotonic()

    def roll_up(self) -> None:
        """Refresh the rollups of the hours data has landed in since the last refresh."""
        keys, self._hours = self._hours, set()
        rollups.refresh(keys, self._rollup_limits())
        self._rolled_at = time.monotonic()

    def _rollup_limits(self) -> list[tuple[int, str, float, float]]:
        return [
            (pk, code, rule.limit, t.interval.total_seconds() / 60)
            for pk, t in self.tracked.items()
            for code, rule in t.rules.items()
        ]

    def _grace(self, t: Tracked) -> dt.timedelta:
        return t.interval * self.limits["grace_intervals"]

    def _settle(self, t: Tracked, now: dt.datetime) -> None:
        """Close what is due for one device and set its next timer."""
        grace = self._grace(t)
        for code, window in t.windows.items():
            upto = window.closable(now, grace)
            if upto is not None:
                self._close(t, t.rules[code], window, upto, now)
        self._purifier(t)
        self._silence(t, now, grace)
        self._schedule(t, grace)

    def _close(self, t: Tracked, rule: Rule, window: Window, upto, now) -> None:
        verdicts, streak = window.judge(upto)
        if not any(v.level for v in verdicts):
            self._quiet.append((t.device.pk, rule.code, upto, streak))
            window.advance(upto, streak)
            return
        with transaction.atomic():
            state = lock_state(t.device, rule.code)
            if state.until != window.until:  # the sweep got there first
                window.resync(state.until, state.streak)
                upto = window.closable(now, self._grace(t))
                if upto is None:
                    return
                verdicts, streak = window.judge(upto)
            self.alarms += apply_verdicts(t.device, rule, verdicts)
            state.until, state.streak = upto, streak
            state.save(update_fields=["until", "streak"])
        window.advance(upto, streak)

    def _flush_quiet(self) -> None:
        """Progress of windows closed without an alarm, in one transaction; never moves a
        state backwards (the sweep may be further)."""
        if not self._quiet:
            return
        quiet, self._quiet = self._quiet, []
        with transaction.atomic():
            for pk, code, upto, streak in quiet:
                JudgeState.objects.filter(device_id=pk, code=code).filter(
                    Q(until__isnull=True) | Q(until__lt=upto)
                ).update(until=upto, streak=streak)

    def _silence(self, t: Tracked, now: dt.datetime, grace: dt.timedelta) -> None:
        limits = self.limits
        if (
            t.last_arrival is not None
            and not t.offline_fired
            and now - t.last_arrival >= t.interval * limits["offline_intervals"]
        ):
            since = tz.to_local(t.last_arrival).strftime("%m-%d %H:%M")
            self._health(
                t,
                AlarmKind.OFFLINE,
                "",
                f"{since} 以来无数据（超过 {limits['offline_intervals']} 个上传周期）",
                now,
            )
            t.offline_fired = True
        expected = HOUR / t.interval
        for hour in sorted(h for h in t.hours if h + HOUR + grace <= now):
            got = len(t.hours.pop(hour))
            if got < expected * limits["hour_min_coverage"]:
                self._health(
                    t,
                    AlarmKind.MISSING,
                    MAIN_CODE.get(t.device.kind, ""),
                    f"{tz.to_local(hour):%m-%d %H}时 收到 {got} 个数据，应传 {expected:.0f} 个",
                    now,
                )
        points = limits["purifier_off_points"]
        if (
            t.off_since is not None
            and not t.purifier_fired
            and now >= t.off_since + t.interval * (points - 1)
        ):
            self._health(
                t,
                AlarmKind.PURIFIER_OFF,
                "purifier",
                f"{tz.to_local(t.off_since):%m-%d %H:%M} 起风机运行而净化器关闭",
                now,
            )
            t.purifier_fired = True

    def _health(self, t: Tracked, kind: str, code: str, detail: str, now) -> None:
        alarm, _ = services.raise_or_extend(
            t.device,
            kind=kind,
            code=code,
            level=1,
            at=now,
            basis=self.limits["_code"],
            detail=detail,
            response_hours=self.limits["response_hours"],
        )
        self.alarms.append(alarm)

    def _schedule(self, t: Tracked, grace: dt.timedelta) -> None:
        dues = [w.deadline(grace) for w in t.windows.values()]
        if t.last_arrival is not None and not t.offline_fired:
            dues.append(t.last_arrival + t.interval * self.limits["offline_intervals"])
        if t.hours:
            dues.append(min(t.hours) + HOUR + grace)
        if t.off_since is not None and not t.purifier_fired:
            dues.append(t.off_since + t.interval * (self.limits["purifier_off_points"] - 1))
        dues = [d for d in dues if d is not None]
        due = min(dues) if dues else None
        if due is not None and due != t.due:
            heapq.heappush(self.timers, (due, next(self._seq), t.device.pk))
        t.due = due

    # --- the process ---------------------------------------------------------------------

    def run(self, stopping: Callable[[], bool]) -> None:
        self.start()
        log.info("streaming judge: %d devices", len(self.tracked))
        errors = 0
        while not stopping():
            try:
                self.step()
                errors = 0
            except Exception:  # a database restart: reconnect, rebuild, carry on
                errors += 1
                log.exception("judging failed; rebuilding")
                time.sleep(min(30.0, 0.5 * 2**errors))
                close_old_connections()
                self._restart()
        if self.feed is not None:
            self.feed.close()

    def _restart(self) -> None:
        from django.db import connection

        connection.close()
        self.tracked.clear()
        self.timers.clear()
        self._quiet.clear()
        self._hours.clear()
        self.feed = None
        try:
            self.start()
        except Exception:
            log.exception("rebuild failed; will retry")
