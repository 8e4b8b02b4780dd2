"""The streaming judge: window rules, alarms on the completing frame, timers on silence, and a
restart in the middle of a window (no alarm lost, none doubled)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from monitoring.hj212 import parse_frame, wrap
from monitoring.hj212.frame import build_segment, data_cp
from monitoring.ingest import write_batch
from monitoring.judge import judge_devices
from monitoring.models import Alarm, JudgeState
from monitoring.stream_judge import StreamJudge
from monitoring.windows import Window, WindowSpec, floor

BEIJING = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING)
MIN = dt.timedelta(minutes=1)
LADDER = [
    {"level": 1, "consecutive": 2, "multiple": 1.0, "response_hours": 24},
    {"level": 2, "consecutive": 3, "multiple": 1.5, "response_hours": 4},
]


# --- the pure window rules ------------------------------------------------------------------


def run(spec, values, now, *, until=None, streak=0, grace=MIN):
    window = Window(spec, until=until, streak=streak)
    for when, value in values:
        window.add(spec.code, when, value, "N")
    upto = window.closable(now, grace)
    return window.judge(upto)[0] if upto else []


def test_windows_align_to_the_beijing_clock():
    assert floor(T0 + dt.timedelta(minutes=37, seconds=5), 15) == T0 + dt.timedelta(minutes=30)
    assert floor(T0 + dt.timedelta(minutes=59), 60) == T0
    assert floor(T0.replace(hour=0) - MIN, 60 * 24) == T0.replace(hour=0) - dt.timedelta(days=1)


def test_minute_values_rule_judges_each_value_and_counts_consecutive_minutes():
    spec = WindowSpec("a34001", 800.0, 1, LADDER)
    values = [(T0 + k * MIN, v) for k, v in enumerate([900, 900, 700, 900, 900, 1300])]
    verdicts = run(spec, values, T0 + 5 * MIN)
    assert [v.streak for v in verdicts] == [1, 2, 0, 1, 2, 3]
    assert [v.level for v in verdicts] == [0, 1, 0, 0, 1, 2]  # 1300 = 1.63×: level 2 at 3


def test_fifteen_minute_means():
    spec = WindowSpec("a34001", 800.0, 15, LADDER)
    # 08:00–08:15 mean 850 (exceeds), 08:15–08:30 mean 780 (does not), 08:30–08:45 900, 900
    values = [(T0 + k * MIN, 900 if k % 15 < 10 else 750) for k in range(15)]
    values += [(T0 + (15 + k) * MIN, 780) for k in range(15)]
    values += [(T0 + (30 + k) * MIN, 900) for k in range(30)]
    verdicts = run(spec, values, T0 + 59 * MIN)
    assert [round(v.mean) for v in verdicts] == [850, 780, 900, 900]
    assert [v.streak for v in verdicts] == [1, 0, 1, 2]
    assert [v.level for v in verdicts] == [0, 0, 0, 1]


def test_hourly_mean_closes_on_its_last_value_not_before():
    spec = WindowSpec("a34001", 800.0, 60, LADDER)
    window = Window(spec, until=T0, streak=1)
    for k in range(59):
        window.add("a34001", T0 + k * MIN, 900, "N")
    assert window.closable(T0 + 59 * MIN, MIN) is None  # 08:59 not here yet
    window.add("a34001", T0 + 59 * MIN, 900, "N")
    upto = window.closable(T0 + 59 * MIN, MIN)
    assert upto == T0 + 60 * MIN  # closed by the frame that completes it
    [verdict] = window.judge(upto)[0]
    assert (verdict.streak, verdict.level, verdict.count) == (2, 1, 60)


def test_clock_closes_a_window_after_the_grace_and_late_values_stay_out():
    spec = WindowSpec("a34001", 800.0, 60, LADDER)
    window = Window(spec, until=T0)
    for k in range(0, 50):
        window.add("a34001", T0 + k * MIN, 900, "N")
    assert window.closable(T0 + 60 * MIN, 2 * MIN) is None  # within the grace
    upto = window.closable(T0 + 62 * MIN, 2 * MIN)
    assert upto == T0 + 60 * MIN
    window.advance(upto, 1)
    assert not window.add("a34001", T0 + 55 * MIN, 5000, "N")  # late: the verdict stands


def test_n_consecutive_windows_and_a_gap_breaks_the_streak():
    spec = WindowSpec("a34001", 800.0, 60, LADDER)
    values = [(T0 + k * MIN, 900) for k in range(0, 120)]  # 08 and 09 exceed
    values += [(T0 + k * MIN, 900) for k in range(180, 240)]  # 10 silent, 11 exceeds
    verdicts = run(spec, values, T0 + 240 * MIN)
    assert [v.streak for v in verdicts] == [1, 2, 0, 1]
    assert [v.level for v in verdicts] == [0, 1, 0, 0]


def test_invalid_flags_and_resent_values_count_once():
    spec = WindowSpec("a34001", 800.0, 60, LADDER)
    window = Window(spec, until=T0)
    for _ in range(3):  # the same minute sent three times
        window.add("a34001", T0, 1000, "N")
    window.add("a34001", T0 + MIN, 5000, "C")  # calibrating: not a valid value
    [verdict] = window.judge(T0 + 60 * MIN)[0]
    assert (verdict.count, verdict.mean) == (1, 1000)


# --- the judge against the database ---------------------------------------------------------


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def store(device, minutes, values, *, cn="2011", start=T0):
    uploads = []
    for minute in minutes:
        when = (start + minute * MIN).strftime("%Y%m%d%H%M%S")
        seg = build_segment(cn=cn, mn=device.mn, pw=device.password, cp=data_cp(when, values))
        uploads.append((device.pk, parse_frame(wrap(seg))))
    write_batch(uploads, received_at=start + minutes[-1] * MIN)


def tsp(v):
    return {"a34001": {"Rtd": v, "Flag": "N"}}


def exceedances(device):
    return Alarm.objects.filter(device=device, kind="exceedance")


def started(clock):
    judge = StreamJudge(clock=clock)
    judge.start()
    return judge


@pytest.mark.django_db(transaction=True)
def test_alarm_is_raised_by_the_frame_that_completes_the_second_hour(world, devices):
    device = devices[0]  # earthworks: hourly mean, level 1 at 2 exceeding hours
    clock = Clock(T0)
    judge = started(clock)
    for minute in range(0, 119):
        clock.now = T0 + minute * MIN + dt.timedelta(seconds=5)
        store(device, [minute], tsp(1000))
        judge.step(timeout=0.2)
    assert not exceedances(device).exists()  # 09:58: the second hour is not complete
    clock.now = T0 + 119 * MIN + dt.timedelta(seconds=5)
    store(device, [119], tsp(1000))
    judge.step(timeout=0.2)
    alarm = exceedances(device).get()
    assert (alarm.level, alarm.count, alarm.peak) == (1, 1, 1000)
    assert alarm.last_at == T0 + dt.timedelta(hours=2)


@pytest.mark.django_db(transaction=True)
def test_silence_fires_on_time_without_a_new_frame(world, site, devices):
    from monitoring.models import Device, Site

    dust = devices[0]
    fume_site = Site.objects.create(name="饭店", kind="restaurant", district=site.district)
    fume = Device.objects.create(mn="FUME9", password="1", kind="fume", site=fume_site)
    clock = Clock(T0 + dt.timedelta(seconds=5))
    judge = started(clock)
    store(dust, list(range(0, 10)), tsp(100))  # 10 values in the 08 hour, then silence
    store(fume, [0], {"fume": {"Rtd": 0.5}, "fan": {"Rtd": 1}, "purifier": {"Rtd": 0}})
    judge.step(timeout=0.2)
    assert not Alarm.objects.exists()

    clock.now = T0 + 2 * MIN + dt.timedelta(seconds=1)  # purifier off for 3 points' time
    judge.step(timeout=0)
    assert set(Alarm.objects.filter(device=fume).values_list("kind", flat=True)) == {"purifier_off"}
    clock.now = T0 + 3 * MIN + dt.timedelta(seconds=6)  # 3 intervals since the last upload
    judge.step(timeout=0)
    assert Alarm.objects.filter(device=dust, kind="offline").exists()
    assert not Alarm.objects.filter(device=dust, kind="missing").exists()
    clock.now = T0 + 61 * MIN + dt.timedelta(seconds=1)  # the 08 hour is over: 10 of 60
    judge.step(timeout=0)
    missing = Alarm.objects.get(device=dust, kind="missing")
    assert "收到 10 个数据" in missing.detail
    judge.step(timeout=0)
    assert Alarm.objects.filter(device=dust).count() == 2  # timers fire once


@pytest.mark.django_db(transaction=True)
def test_judge_restarted_mid_window_loses_and_doubles_nothing(world, devices):
    device = devices[0]
    clock = Clock(T0)
    judge = started(clock)
    store(device, list(range(0, 60)), tsp(1000))  # 08 hour complete, exceeding: streak 1
    store(device, list(range(60, 90)), tsp(1000))  # half of the 09 hour
    clock.now = T0 + 90 * MIN
    judge.step(timeout=0.2)
    state = JudgeState.objects.get(device=device, code="a34001")
    assert (state.until, state.streak) == (T0 + dt.timedelta(hours=1), 1)
    del judge  # killed mid-window: the 09 hour's values lived only in its memory

    judge = started(clock)  # rebuilt from the database
    store(device, list(range(90, 120)), tsp(1000))
    clock.now = T0 + 120 * MIN
    judge.step(timeout=0.2)
    alarm = exceedances(device).get()
    assert alarm.count == 1

    # killed right after storing the alarm: a new judge does not raise it again
    judge = started(clock)
    judge.step(timeout=0)
    clock.now = T0 + 125 * MIN
    judge.step(timeout=0)
    alarm.refresh_from_db()
    assert alarm.count == 1
    # nor does the sweep, the safety net, judging the same windows
    judge_devices(now=clock.now)
    alarm.refresh_from_db()
    assert alarm.count == 1


@pytest.mark.django_db(transaction=True)
def test_window_length_is_regulation_data(world, devices):
    from regulations.loading import load_regulations
    from regulations.lookup import clear_cache
    from regulations.models import RegulatoryValue

    load_regulations()  # a transactional test may start from an emptied table
    row = RegulatoryValue.objects.get(
        regulation__family="construction_dust", key="averaging_minutes"
    )
    row.value = 15
    row.save()
    clear_cache()
    try:
        device = devices[0]
        clock = Clock(T0)
        judge = started(clock)
        store(device, list(range(0, 30)), tsp(1000))  # two exceeding 15-minute windows
        clock.now = T0 + 30 * MIN
        judge.step(timeout=0.2)
        alarm = exceedances(device).get()
        assert "15 分钟均值" in alarm.detail and alarm.last_at == T0 + 30 * MIN
    finally:
        clear_cache()


def test_a_backlog_of_old_data_is_judged_by_its_data_not_by_the_clock():
    spec = WindowSpec("a34001", 800.0, 60, LADDER)
    window = Window(spec)
    now = T0 + dt.timedelta(days=2)  # the device uploads what it buffered two days ago
    for k in range(30):
        window.add("a34001", T0 + k * MIN, 900, "N", arrived=now)
    assert window.closable(now, MIN) is None  # still arriving: the 08 hour stays open
    for k in range(30, 61):
        window.add("a34001", T0 + k * MIN, 900, "N", arrived=now)
    assert window.closable(now, MIN) == T0 + dt.timedelta(hours=1)
    assert window.closable(now + 2 * MIN, 3 * MIN) == T0 + dt.timedelta(hours=1)
    # once the backlog has stopped for the grace period, the clock closes the rest
    assert window.closable(now + 2 * MIN, MIN) == floor(now + MIN, 60)


@pytest.mark.django_db(transaction=True)
def test_rollups_follow_the_data_exactly_once(world, devices):
    from monitoring import rollups
    from monitoring.models import DailyRollup, HourlyRollup

    device = devices[0]
    clock = Clock(T0 + 50 * MIN)
    judge = started(clock)
    store(device, list(range(0, 50)), tsp(1000))  # 08:00–08:49, over the 800 limit
    store(device, list(range(40, 50)), tsp(1000))  # re-sent: stored once
    judge.step(timeout=0.2)
    judge.roll_up()
    hour = HourlyRollup.objects.get(device=device, code="a34001")
    assert (hour.start, hour.n, hour.valid, hour.mean, hour.exceed) == (T0, 50, 50, 1000, 50)
    judge = started(clock)  # a restarted judge refreshes recent hours: still counted once
    store(device, [50, 51], {"a34001": {"Rtd": 100.0, "Flag": "D"}})  # invalid values
    judge.step(timeout=0.2)
    judge.roll_up()
    hour.refresh_from_db()
    assert (hour.n, hour.valid, hour.vmin, hour.exceed) == (52, 50, 1000, 50)
    day = DailyRollup.objects.get(device=device, code="a34001")
    assert (day.day, day.n, day.valid) == (dt.date(2024, 6, 1), 52, 50)
    assert rollups.verify(T0, T0 + dt.timedelta(hours=1)) == []
