"""Durability: SIGKILL the gateway while devices stream; every acknowledged upload survives,
and uploads re-sent after the restart are not stored twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitoring import simulator

LANTIAN = str(Path(sys.executable).with_name("lantian"))
CODES_PER_DUST_UPLOAD = 6


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LANTIAN_VAR_DIR"] = str(tmp_path)
    return env


def start_gateway(env, port, workers=1) -> subprocess.Popen:
    command = [LANTIAN, "hj212", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--batch-delay", "0.05", "--workers", str(workers)]
    proc = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: SIGKILL reaches every worker
    )
    line = proc.stdout.readline()
    assert "监听" in line, line
    return proc


@pytest.mark.parametrize("workers", [1, 2])
def test_acknowledged_uploads_survive_sigkill(tmp_path, workers):
    env = env_for(tmp_path)
    subprocess.run([LANTIAN, "setup"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            LANTIAN,
            "hj212",
            "simulate",
            "--register",
            "--devices",
            "8",
            "--mix",
            "dust",
            "--prefix",
            "DUR",
            "--count",
            "0",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    gateway = start_gateway(env, port, workers)

    devices = simulator.make_fleet(8, prefix="DUR", mix="dust")
    opts = simulator.Options(
        port=port,
        rate=400,
        count=120,
        ack_timeout=1.0,
        retries=100,
        linger=60,
        start=dt.datetime(2024, 6, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    report = simulator.Report()
    runner = threading.Thread(
        target=lambda: asyncio.run(simulator.simulate(devices, opts, report)), daemon=True
    )
    runner.start()
    deadline = time.monotonic() + 60
    while report.acked < 200 and time.monotonic() < deadline:
        time.sleep(0.01)  # streaming until part of the uploads are acknowledged
    os.killpg(gateway.pid, signal.SIGKILL)  # the gateway and its workers, with no warning
    acked_before_kill = report.acked
    assert 200 <= acked_before_kill < 8 * 120
    gateway.wait()
    time.sleep(0.5)
    gateway = start_gateway(env, port, workers)
    runner.join(120)
    assert not runner.is_alive()
    gateway.send_signal(signal.SIGTERM)
    gateway.wait(30)

    assert report.acked == report.sent == 8 * 120
    # The kill really interrupted the stream: uploads in flight were re-sent, or (when the kill
    # fell between uploads) the devices had to reconnect.
    assert report.resent > 0 or report.connect_failures > 0

    db = sqlite3.connect(tmp_path / "lantian.sqlite3")
    rows = db.execute(
        "SELECT d.mn, r.data_time, COUNT(*) FROM monitoring_reading r "
        "JOIN monitoring_device d ON d.id = r.device_id GROUP BY d.mn, r.data_time"
    ).fetchall()
    stored = {(mn, when): n for mn, when, n in rows}
    beijing = ZoneInfo("Asia/Shanghai")
    for mn, qn in report.acked_keys:
        local = dt.datetime.strptime(qn[:14], "%Y%m%d%H%M%S").replace(tzinfo=beijing)
        key = (mn, local.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"))
        assert stored.get(key) == CODES_PER_DUST_UPLOAD, key
    total = db.execute("SELECT COUNT(*) FROM monitoring_reading").fetchone()[0]
    assert total == 8 * 120 * CODES_PER_DUST_UPLOAD  # nothing stored twice


def test_sqlite_commits_are_synced_before_an_acknowledgement(tmp_path):
    """The embedded default syncs the WAL at every commit (synchronous=FULL): the gateway
    acknowledges after its commit, so a power cut must not lose an acknowledged upload."""
    env = env_for(tmp_path)
    probe = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA synchronous'); print(c.fetchone()[0])\n"
        "    c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])\n"
    )
    out = subprocess.run(
        [LANTIAN, "shell", "--no-imports", "-c", probe],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert out == ["2", "wal"]  # 2 = FULL (1 = NORMAL loses the last commits on power loss)
