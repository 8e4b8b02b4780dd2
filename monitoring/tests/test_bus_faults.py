"""Faults on the bus path, against real processes: devices stream through a gateway process to a
private nats-server and two writer processes into PostgreSQL, and mid-stream a gateway, a
writer or the nats-server is SIGKILLed and restarted, or every database connection is cut.
Every acknowledged upload must end up stored, and none twice.

PostgreSQL only: the gateway and writer processes share the test database with the test (the
SQLite test database lives in the test process's memory). Restarting the PostgreSQL server
itself would cut every other user of the machine's server; the database fault is simulated by
terminating every connection to the test database (``pg_terminate_backend``) repeatedly for a
second and a half, which the writers see exactly as a restart: their connections die, and new
ones are refused or cut until it ends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from monitoring import simulator
from monitoring.tests.natsd import free_port

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="bus fault tests need PostgreSQL: the processes share the test database",
    ),
    pytest.mark.django_db(transaction=True),
]

LANTIAN = str(Path(sys.executable).with_name("lantian"))
DEVICES, UPLOADS, CODES = 8, 60, 6  # dust uploads carry six codes
BEIJING = ZoneInfo("Asia/Shanghai")


class Stack:
    """A gateway process and two writer processes on one private nats-server."""

    def __init__(self, tmp_path: Path, nats) -> None:
        s = connection.settings_dict
        url = f"postgresql://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LANTIAN_BUS")}
        self.env.update(
            DATABASE_URL=url,
            LANTIAN_VAR_DIR=str(tmp_path),
            LANTIAN_BUS_URL=nats.url,
            LANTIAN_BUS_ACK_WAIT="2",  # a killed writer's messages come back within seconds
            LANTIAN_BUS_PUBLISH_TIMEOUT="1",
        )
        if s.get("PASSWORD"):
            self.env["PGPASSWORD"] = s["PASSWORD"]
        self.nats = nats
        self.port = free_port()
        self.gateway: subprocess.Popen | None = None
        self.writers: list[subprocess.Popen] = []

    def _spawn(self, command: list[str]) -> subprocess.Popen:
        return subprocess.Popen(
            [LANTIAN, *command],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,  # its own process group: SIGKILL reaches all of it
        )

    @staticmethod
    def _ready(proc: subprocess.Popen, word: str) -> subprocess.Popen:
        line = proc.stdout.readline()
        assert word in line, line
        return proc

    def _spawn_gateway(self) -> subprocess.Popen:
        command = ["hj212", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        return self._spawn([*command, "--workers", "1"])

    def _spawn_writer(self) -> subprocess.Popen:
        proc = self._spawn(["monitoring", "writer", "--batch", "200"])
        self.writers.append(proc)
        return proc

    def start_gateway(self) -> None:
        self.gateway = self._ready(self._spawn_gateway(), "监听")

    def start_writer(self) -> None:
        self._ready(self._spawn_writer(), "已启动")

    def start(self) -> Stack:
        """All three at once: each process spends its first second importing Django."""
        gateway, writers = self._spawn_gateway(), [self._spawn_writer() for _ in range(2)]
        self.gateway = self._ready(gateway, "监听")
        for writer in writers:
            self._ready(writer, "已启动")
        return self

    def stop_gateway(self) -> str:
        """SIGTERM the gateway; its last line (what it counted)."""
        os.killpg(self.gateway.pid, signal.SIGTERM)
        out, _ = self.gateway.communicate(timeout=20)
        return out.strip().splitlines()[-1]

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop(self) -> None:
        for proc in [self.gateway, *self.writers]:
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in [self.gateway, *self.writers]:
            if proc is not None:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    self.kill(proc)


@pytest.fixture
def stack(tmp_path, nats_server, world):
    from monitoring.services import register_fleet

    register_fleet(
        simulator.make_fleet(DEVICES, prefix="BUS", mix="dust"), district="鄠邑区", acting_user=None
    )
    stack = Stack(tmp_path, nats_server).start()
    yield stack
    stack.stop()


def stream(stack: Stack, fault, after: int = 120) -> simulator.Report:
    """Stream every device's uploads; once ``after`` are acknowledged, cause the fault."""
    opts = simulator.Options(
        port=stack.port,
        rate=300,
        count=UPLOADS,
        ack_timeout=1.0,
        retries=200,
        linger=60,
        start=dt.datetime(2024, 6, 1, 8, 0, tzinfo=BEIJING),
    )
    report = simulator.Report()
    devices = simulator.make_fleet(DEVICES, prefix="BUS", mix="dust")
    runner = threading.Thread(
        target=lambda: asyncio.run(simulator.simulate(devices, opts, report)), daemon=True
    )
    runner.start()
    deadline = time.monotonic() + 60
    while report.acked < after and time.monotonic() < deadline:
        time.sleep(0.01)
    assert after <= report.acked < DEVICES * UPLOADS, "the fault must fall mid-stream"
    fault()
    runner.join(120)
    assert not runner.is_alive()
    assert report.acked == report.sent == DEVICES * UPLOADS
    return report


def assert_every_acknowledged_upload_stored_once(report: simulator.Report) -> None:
    from monitoring.models import Reading

    expected = DEVICES * UPLOADS * CODES
    deadline = time.monotonic() + 30
    while Reading.objects.count() < expected and time.monotonic() < deadline:
        time.sleep(0.1)  # the writers drain the stream
    stored: dict[tuple[str, dt.datetime], int] = {}
    for mn, when in Reading.objects.values_list("device__mn", "data_time"):
        stored[(mn, when)] = stored.get((mn, when), 0) + 1
    for mn, qn in report.acked_keys:
        when = dt.datetime.strptime(qn[:14], "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
        assert stored.get((mn, when.astimezone(dt.UTC))) == CODES, (mn, qn)
    assert Reading.objects.count() == expected  # nothing stored twice


def test_a_killed_gateway_loses_no_acknowledged_upload(stack):
    def fault():
        stack.kill(stack.gateway)
        time.sleep(0.3)
        stack.start_gateway()

    report = stream(stack, fault)
    assert report.resent > 0 or report.connect_failures > 0
    assert_every_acknowledged_upload_stored_once(report)


def test_a_killed_writer_loses_nothing_and_its_messages_are_stored_once(stack):
    def fault():
        stack.kill(stack.writers[0])
        time.sleep(0.5)
        stack.start_writer()

    report = stream(stack, fault)
    assert_every_acknowledged_upload_stored_once(report)


def test_a_killed_nats_server_loses_no_acknowledged_upload(stack):
    def fault():
        stack.nats.kill()  # JetStream's file store as a crash leaves it
        time.sleep(1.5)  # longer than the publish timeout: the gateway's publishes fail
        stack.nats.start()

    report = stream(stack, fault)
    assert report.resent > 0  # uploads went unacknowledged while NATS was away
    refused = re.search(r"总线拒收 (\d+)", stack.stop_gateway())
    assert refused and int(refused.group(1)) > 0
    assert_every_acknowledged_upload_stored_once(report)


def test_database_connections_cut_mid_stream_lose_nothing(stack):
    def fault():
        end = time.monotonic() + 1.5
        with connection.cursor() as cursor:
            while time.monotonic() < end:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                time.sleep(0.05)

    report = stream(stack, fault)
    assert_every_acknowledged_upload_stored_once(report)
    assert all(w.poll() is None for w in stack.writers)  # the writers rode it out
