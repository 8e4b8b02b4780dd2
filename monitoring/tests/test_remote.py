"""The database side of commands (反控) and the gateway's clock watch, without a socket:
refusals, no-data answers, requeueing, expiry, and a resent backlog not taken for a wrong clock."""

from __future__ import annotations

import datetime as dt
import time
from types import SimpleNamespace

import pytest

from lantian.lib import tz
from monitoring import remote
from monitoring.choices import CommandKind, CommandStatus
from monitoring.dispatch import Dispatcher
from monitoring.hj212.frame import Frame

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def device(devices):
    return devices[0]


def queue(device, kind=CommandKind.GET_TIME, **params):
    return remote.request_command(device, kind, acting_user=remote.SYSTEM, params=params)


@pytest.mark.django_db
def test_a_refused_request_fails_with_the_devices_reason(device):
    command = queue(device)
    [out] = remote.claim([device.mn])
    assert out.qn and out.cn == "1011" and out.tries == 1
    remote.apply_events([("qn_rtn", command.pk, tz.now(), 3)])
    command.refresh_from_db()
    assert command.status == CommandStatus.FAILED and command.detail == "设备拒绝：PW 错误"


@pytest.mark.django_db
def test_history_without_data_is_done_and_says_so(device):
    now = tz.now()
    command = queue(device, CommandKind.HISTORY, begin=now - 2 * HOUR, end=now - HOUR)
    remote.claim([device.mn])
    remote.apply_events([("qn_rtn", command.pk, now, 1), ("exe_rtn", command.pk, now, 100)])
    command.refresh_from_db()
    assert command.status == CommandStatus.DONE and command.detail == "设备无该时段数据"


@pytest.mark.django_db
def test_a_requeued_command_is_claimed_again_with_a_new_qn_and_expiry_ends_it(device):
    command = queue(device)
    [first] = remote.claim([device.mn])
    remote.apply_events([("requeue", command.pk, tz.now(), "")])
    [second] = remote.claim([device.mn], now=tz.now() + dt.timedelta(seconds=1))
    assert second.id == first.id and second.qn != first.qn and second.tries == 2
    other = queue(device, CommandKind.SET_TIME)
    assert remote.claim([], now=tz.now() + 2 * HOUR) == []  # its device never came back
    other.refresh_from_db()
    assert other.status == CommandStatus.TIMEOUT and "未连接" in other.detail


@pytest.mark.django_db
def test_the_system_joins_an_open_request_and_bad_parameters_are_refused(device):
    first = queue(device, CommandKind.SET_TIME)
    assert queue(device, CommandKind.SET_TIME).pk == first.pk
    with pytest.raises(remote.ValidationError, match="30"):
        queue(device, CommandKind.SET_RTD_INTERVAL, seconds=5)
    with pytest.raises(remote.ValidationError, match="早于"):
        queue(device, CommandKind.HISTORY, begin=tz.now(), end=tz.now() - HOUR)


def test_a_resent_backlog_is_not_a_wrong_clock_but_a_steady_offset_is():
    dispatcher = Dispatcher(SimpleNamespace(), clock_drift=120)
    now = time.time()

    def upload(mn, seconds_ago):
        moment = dt.datetime.fromtimestamp(now - seconds_ago, dt.UTC).astimezone(tz.LOCAL_TZ)
        return Frame(cn="2011", mn=mn, data_time=moment.strftime("%Y%m%d%H%M%S"))

    for minutes_ago in (30, 29, 28, 27):  # a backlog: offsets shrink a minute per frame
        dispatcher.watch_clock(upload("BACKLOG", minutes_ago * 60))
    for _ in range(3):  # a clock 10 minutes behind, frame after frame
        dispatcher.watch_clock(upload("BEHIND", 600))
    assert [(mn, kind) for mn, kind, _, _ in dispatcher.wants] == [("BEHIND", CommandKind.SET_TIME)]
    assert dispatcher.wants[0][3] == pytest.approx(-600, abs=2)
