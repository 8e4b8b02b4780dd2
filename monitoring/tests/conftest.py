"""Fixtures for monitoring: a site with responsible units, devices, and a running gateway."""

from __future__ import annotations

import asyncio
import threading

import pytest

PW = "123456"


@pytest.fixture
def site(world):
    from accounts.models import District
    from monitoring.models import Site

    district = District.objects.get(parent__name="西安市", name="鄠邑区")
    site = Site.objects.create(
        name="鄠邑区 示范工地", kind="construction", district=district, phase="earthworks"
    )
    site.units.set([world.unit("鄠邑区政府")])
    return site


@pytest.fixture
def devices(site):
    from monitoring.models import Device

    return [
        Device.objects.create(
            mn=f"DUST{i:04d}", password=PW, kind="dust", site=site, profile="dust-ug"
        )
        for i in range(3)
    ]


class RunningGateway:
    """A gateway serving on an ephemeral port in a background thread with its own loop."""

    def __init__(self, **kwargs):
        from monitoring.gateway import Gateway

        self.gateway = Gateway("127.0.0.1", 0, **kwargs)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.gateway.start())
        self.ready.set()
        self.loop.run_until_complete(self.gateway.serve_until_stopped_quietly())

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.gateway.stop)
        self.thread.join(20)

    @property
    def port(self):
        return self.gateway.port


@pytest.fixture
def gateway_factory():
    return RunningGateway


@pytest.fixture
def nats_server(tmp_path):
    """A private nats-server with JetStream on a free port, its file store under tmp_path."""
    from monitoring.tests.natsd import NatsServer

    server = NatsServer(tmp_path / "jetstream").start()
    yield server
    server.stop()


def run_async(make_coroutine, timeout: float = 120):
    """``asyncio.run(make_coroutine())`` in a thread of its own: a browser test earlier in the
    same process leaves Playwright's event loop running in the main thread, where
    ``asyncio.run`` refuses to start (it did under pytest-xdist's ordering)."""
    out: dict = {}

    def target():
        try:
            out["result"] = asyncio.run(make_coroutine())
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if "error" in out:
        raise out["error"]
    if thread.is_alive():
        raise TimeoutError(f"still running after {timeout} s")
    return out.get("result")
