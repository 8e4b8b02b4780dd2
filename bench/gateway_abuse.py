"""Gateway under abuse: good devices' acknowledgement latency beside hostile connections.

The gateway (``lantian hj212 serve``) runs as the daemon it is. One load process holds:

- ``--devices`` good devices (one real-time dust frame a minute each, phases spread over the
  minute), connecting from 127.0.1.x addresses, ``--per-address`` each (devices behind a
  carrier's NAT share addresses);
- ``--hostile`` hostile connections from ``--hostile-addresses`` addresses 127.0.2.x: half hold
  a half-sent frame and stay silent, the other half flood frames with bad CRCs and frames of
  unknown devices at ``--flood-rate`` frames/s in all.

Printed: good devices' ack p50/p99, the quarantine rows written, hostile connections refused or
closed by the gateway. The last line is
``good_ack_p50_ms=<x> good_ack_p99_ms=<y> quarantine_rows=<n> hostile_open_at_end=<k>``.

    .venv/bin/python bench/gateway_abuse.py                          # 2,000 + 2,000, 120 s
    .venv/bin/python bench/gateway_abuse.py --devices 100 --hostile 200 --seconds 20  # small
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from alarm_latency import Link, pick, start  # noqa: E402
from hj212_gateway import LANTIAN, free_port, prepare_database, raise_fd_limit  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_abuse"


class Hostile(asyncio.Protocol):
    def __init__(self, state: dict):
        self.state = state
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.state["open"] += 1

    def data_received(self, data):
        pass

    def connection_lost(self, exc):
        self.state["open"] -= 1
        self.state["closed"] += 1


async def open_many(port, n, factory, addresses, per_address):
    loop = asyncio.get_running_loop()
    out, failed = [], 0
    for i in range(n):
        address = addresses[(i // per_address) % len(addresses)]
        try:
            _, proto = await loop.create_connection(
                factory, "127.0.0.1", port, local_addr=(address, 0)
            )
            out.append(proto)
        except OSError:
            failed += 1
    return out, failed


async def load(args, port) -> dict:
    from monitoring import simulator
    from monitoring.hj212.frame import build_segment, data_cp, wrap

    rng = random.Random(11)
    city = simulator.make_fleet(args.devices, prefix="B", mix="dust")
    lat: list[float] = []
    good_addresses = [f"127.0.1.{i}" for i in range(1, 255)]
    # A device connects when it has something to upload, as real ones do: one that connected and
    # stayed silent past --handshake-timeout would be closed like the idle hostile half-frames.
    links: list = []
    state = {"open": 0, "closed": 0}
    hostile_addresses = [f"127.0.2.{i}" for i in range(1, args.hostile_addresses + 1)]
    per = -(-args.hostile // len(hostile_addresses))
    hostile, refused_at_connect = await open_many(
        port, args.hostile, lambda: Hostile(state), hostile_addresses, per
    )
    await asyncio.sleep(0.5)
    idle = hostile[: len(hostile) // 2]
    flooders = hostile[len(hostile) // 2 :]
    stamp = dt.datetime.now(simulator.BEIJING).strftime("%Y%m%d%H%M%S")
    good = simulator.frame_for(city[0], 0, dt.datetime.now(simulator.BEIJING), rng)
    for h in idle:
        if not h.transport.is_closing():
            h.transport.write(good[:40])  # half a frame, then silence
    bad_crc = good[:-6] + b"0000\r\n"
    unknown = wrap(
        build_segment(cn="2011", mn="ATTACKER0001", pw="x", cp=data_cp(stamp, {"a34001": {}}))
    )
    t0 = time.perf_counter()
    end = t0 + args.seconds

    async def city_minutes():
        per_frame = 60.0 / len(city)
        k = 0
        while time.perf_counter() < end:
            delay = t0 + k * per_frame - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            i = k % len(city)
            if i == len(links):
                address = good_addresses[(i // args.per_address) % len(good_addresses)]
                opened, _ = await open_many(port, 1, lambda: Link(lat), [address], 1)
                links.append(opened[0] if opened else None)  # refused: counted as not connected
            when = dt.datetime.now(simulator.BEIJING).replace(second=0, microsecond=0)
            if links[i] is not None and not links[i].transport.is_closing():
                links[i].send(simulator.frame_for(city[i], k // len(city), when, rng))
            elif links[i] is not None:
                links[i].sent.append(time.perf_counter())  # closed by the gateway: a lost frame
            k += 1

    async def flood():
        k = 0
        while time.perf_counter() < end and flooders:
            delay = t0 + k / args.flood_rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            h = flooders[k % len(flooders)]
            if not h.transport.is_closing():
                h.transport.write(bad_crc if k % 2 else unknown)
            k += 1

    await asyncio.gather(city_minutes(), flood())
    await asyncio.sleep(1.0)
    return {
        "lat": lat,
        "sent": sum(len(link.sent) for link in links if link),
        "acked": sum(link.acked for link in links if link),
        "hostile_open": state["open"],
        "hostile_closed": state["closed"],
        "refused_at_connect": refused_at_connect,
        "good_connected": sum(1 for link in links if link),
    }


def _client(args, port, queue):
    import faulthandler

    faulthandler.dump_traceback_later(args.seconds + 120, exit=True)
    raise_fd_limit()
    try:
        queue.put(asyncio.run(load(args, port)))
    except Exception as exc:  # report, do not hang the parent
        queue.put(exc)


def quarantine_rows(env) -> int:
    out = subprocess.run(
        [
            LANTIAN,
            "shell",
            "--no-imports",
            "-c",
            "from monitoring.models import Quarantine; print(Quarantine.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--per-address", type=int, default=100)
    parser.add_argument("--hostile", type=int, default=2000)
    parser.add_argument("--hostile-addresses", type=int, default=4)
    parser.add_argument("--flood-rate", type=float, default=3000.0, help="bad frames/s in all")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--handshake-timeout", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}, {args.devices} good devices, "
        f"{args.hostile} hostile connections from {args.hostile_addresses} addresses, flood "
        f"{args.flood_rate:.0f} frames/s, {args.seconds:.0f} s, {args.backend}, workers "
        f"{args.workers}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="abuse-bench-") as tmp:
        env = prepare_database(args.backend, args.pg_url, Path(tmp), args.devices)
        port = free_port()
        gateway = start(
            ["hj212", "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(args.workers), "--max-connections", "30000"]
            + ["--handshake-timeout", str(args.handshake_timeout)],
            env,
            "监听",
        )
        try:
            queue = mp.get_context("fork").Queue()
            client = mp.get_context("fork").Process(target=_client, args=(args, port, queue))
            client.start()
            result = queue.get(timeout=args.seconds + 600)
            client.join(30)
            if isinstance(result, Exception):
                raise result
        finally:
            gateway.send_signal(signal.SIGTERM)
            try:
                gateway.wait(60)
            except subprocess.TimeoutExpired:
                gateway.kill()
        rows = quarantine_rows(env)
    lat = result["lat"]
    print(
        f"good devices: {result['good_connected']} connected, {result['acked']}/{result['sent']} "
        f"acknowledged; hostile: {result['refused_at_connect']} refused at connect, "
        f"{result['hostile_closed']} closed by the gateway, {result['hostile_open']} open at "
        f"the end; quarantine rows {rows}; load at the end {os.getloadavg()[0]:.2f}"
    )
    print(
        f"good_ack_p50_ms={pick(lat, 0.5) * 1000:.1f} good_ack_p99_ms={pick(lat, 0.99) * 1000:.1f} "
        f"quarantine_rows={rows} hostile_open_at_end={result['hostile_open']}"
    )


if __name__ == "__main__":
    main()
