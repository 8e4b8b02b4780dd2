"""Judging windows: the pure core shared by the streaming judge and the safety-net sweep.

A rule (``WindowSpec``) says which pollutant is judged, its limit, the window length in minutes
(1 = each minute value on its own, 15 or 60 = means over windows aligned to the Beijing clock)
and the alarm ladder (N consecutive exceeding windows, multiple of the limit). ``Window`` holds
one device's values for the windows still open and closes them:

- when the window's last expected value has arrived (the frame that completes the window),
- when a value after the window arrives (the device has moved on),
- when the clock passes the window's end plus a grace period (a frame that never comes) and
  no value has arrived for a grace period: a device uploading its backlog of old data is judged
  by its data, not by the clock.

Closing yields one ``Verdict`` per window with its mean, the streak of consecutive exceeding
windows and the ladder level. Progress is ``until`` (every window before it is judged) and
``streak``: the only state that must survive a restart, so the judge and the sweep keep it in
the database and either may close a window, never both. No Django here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from monitoring.units import background_corrected
from monitoring.workflow import level_for

UTC = dt.UTC
LOCAL_OFFSET = dt.timedelta(hours=8)  # Beijing time has no daylight saving
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
VALID_FLAGS = frozenset({"N", ""})
PM10 = "a34002"


@dataclass(frozen=True)
class WindowSpec:
    code: str
    limit: float
    minutes: int
    ladder: list[dict] = field(default_factory=list, hash=False, compare=False)
    correction: dict | None = field(default=None, hash=False, compare=False)

    @property
    def length(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Verdict:
    code: str
    start: dt.datetime
    end: dt.datetime
    mean: float | None  # None: no valid value in the window
    count: int
    streak: int
    level: int


def floor(moment: dt.datetime, minutes: int) -> dt.datetime:
    """The start of the window holding ``moment``, windows aligned to Beijing midnight."""
    seconds = int((moment - EPOCH + LOCAL_OFFSET).total_seconds())
    step = minutes * 60
    return EPOCH + dt.timedelta(seconds=seconds - seconds % step) - LOCAL_OFFSET


class Window:
    """The open windows of one device and rule; values keyed by time, so a re-sent value
    counts once."""

    def __init__(
        self,
        spec: WindowSpec,
        *,
        until: dt.datetime | None = None,
        streak: int = 0,
        interval: dt.timedelta = dt.timedelta(minutes=1),
    ) -> None:
        self.spec = spec
        self.until = until
        self.streak = streak
        self.interval = interval
        self.values: dict[dt.datetime, dict[dt.datetime, float]] = {}
        self.background: dict[dt.datetime, dict[dt.datetime, float]] = {}
        self.latest: dt.datetime | None = None  # newest time seen for the judged code
        self.arrived: dt.datetime | None = None  # when a value last arrived (streaming only)

    def add(self, code: str, when: dt.datetime, value: float, flag: str, arrived=None) -> bool:
        """Take one stored value; False when it is not for this rule or already judged.
        ``arrived`` is the clock time it arrived (None when read back from the database)."""
        spec = self.spec
        if code != spec.code and not (spec.correction and code == PM10):
            return False
        if self.until is not None and when < self.until:
            return False  # its window is closed: late data never reopens a verdict
        start = floor(when, spec.minutes)
        if self.until is None:
            self.until = start
        if code == spec.code:
            if self.latest is None or when > self.latest:
                self.latest = when
            if arrived is not None:
                self.arrived = arrived
            if flag in VALID_FLAGS:
                self.values.setdefault(start, {})[when] = value
        elif flag in VALID_FLAGS:
            self.background.setdefault(start, {})[when] = value
        return True

    def closable(self, now: dt.datetime, grace: dt.timedelta) -> dt.datetime | None:
        """The end of the last window that may be closed now (None: nothing to close)."""
        if self.until is None:
            return None
        length = self.spec.length
        upto = floor(now - grace, self.spec.minutes)
        if self.latest is not None:
            current = floor(self.latest, self.spec.minutes)
            if self.arrived is not None and now - self.arrived < grace:
                upto = min(upto, current)  # data is flowing: let the data close windows
            upto = max(upto, current)  # data after a window closes it
            if self.latest >= current + length - self.interval:
                upto = max(upto, current + length)  # its last expected value has come
        return upto if upto > self.until else None

    def deadline(self, grace: dt.timedelta) -> dt.datetime | None:
        """When the clock will close the oldest open window, for the judge's timers."""
        if self.until is None:
            return None
        due = self.until + self.spec.length + grace
        return max(due, self.arrived + grace) if self.arrived is not None else due

    def judge(self, upto: dt.datetime) -> tuple[list[Verdict], int]:
        """Verdicts of every window in [until, upto) and the streak after them (no change)."""
        spec = self.spec
        verdicts = []
        streak = self.streak
        start = self.until
        while start is not None and start < upto:
            end = start + spec.length
            values = self.values.get(start)
            if values:
                mean = sum(values.values()) / len(values)
                if spec.correction:
                    pm10 = self.background.get(start)
                    mean = background_corrected(
                        mean, sum(pm10.values()) / len(pm10) if pm10 else None, spec.correction
                    )
                streak = streak + 1 if mean > spec.limit else 0
                level = level_for(streak, mean / spec.limit, spec.ladder) if streak else 0
                verdicts.append(Verdict(spec.code, start, end, mean, len(values), streak, level))
            else:
                streak = 0  # no valid data: the streak cannot be shown to continue
                verdicts.append(Verdict(spec.code, start, end, None, 0, 0, 0))
            start = end
        return verdicts, streak

    def advance(self, upto: dt.datetime, streak: int) -> None:
        """Forget the judged windows (after their verdicts are stored)."""
        self.until, self.streak = upto, streak
        for store in (self.values, self.background):
            for start in [s for s in store if s < upto]:
                del store[start]

    def resync(self, until: dt.datetime | None, streak: int) -> None:
        """Take the stored progress when someone else (the sweep) has judged further."""
        if until is not None and (self.until is None or until > self.until):
            self.advance(until, streak)
        elif until == self.until:
            self.streak = streak
