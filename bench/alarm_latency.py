"""Alarm latency under a city's load: from the send of the frame that completes an exceedance
to the alarm row being readable, with the acknowledgement latency of the same run.

The gateway (``lantian hj212 serve``) and the streaming judge (``lantian monitoring judge``) run
as the daemons they are, on PostgreSQL. One load process holds a connection per device:

- the city: every device uploads one real-time dust frame a minute (phases spread over the
  minute), and every ``--burst-every`` seconds devices upload their buffered backlog at
  ``--burst-rate`` frames/s for ``--burst-seconds`` (the 230 frames/s of a city's peaks);
- injections: ``--injections`` more devices each upload two hours of exceeding minute data
  (the DB61/1078 hourly mean, level 1 at two consecutive hours) at ``--inject-rate`` frames/s;
  the frame for 09:59 completes the second hour, and a poller reads the alarm table every
  10 ms until the alarm is there.

    .venv/bin/python bench/alarm_latency.py                                  # the city load
    .venv/bin/python bench/alarm_latency.py --devices 100 --seconds 20 --injections 5  # small

The bench database (``--pg-url``, default ``lantian_bench_alarm``) is dropped and created again.
The last line is ``alarm_p50_s=<x> alarm_p99_s=<y> frames=<n>``.
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

from hj212_gateway import LANTIAN, free_port, prepare_database, raise_fd_limit  # noqa: E402

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_alarm"
MIN = dt.timedelta(minutes=1)


class Link(asyncio.Protocol):
    """One device connection: sends frames, pairs each 9014 with its send time."""

    def __init__(self, lat: list[float]):
        self.lat = lat
        self.sent: list[float] = []
        self.acked = 0
        self.buf = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def send(self, frame: bytes) -> float:
        now = time.perf_counter()
        self.sent.append(now)
        self.transport.write(frame)
        return now

    def data_received(self, data: bytes):
        self.buf += data
        count = self.buf.count(b"\r\n")
        if not count:
            return
        self.buf = self.buf[self.buf.rfind(b"\r\n") + 2 :]
        now = time.perf_counter()
        self.lat += [now - t for t in self.sent[self.acked : self.acked + count]]
        self.acked += count


async def connect(port: int, n: int, lat: list[float]) -> list[Link]:
    loop = asyncio.get_running_loop()
    links = []
    for start in range(0, n, 200):
        made = await asyncio.gather(
            *(
                loop.create_connection(lambda: Link(lat), "127.0.0.1", port)
                for _ in range(min(200, n - start))
            )
        )
        links += [p for _, p in made]
    return links


async def load(args, port: int, pg_url: str) -> dict:
    import psycopg

    from monitoring import simulator

    rng = random.Random(5)
    city = simulator.make_fleet(args.devices, prefix="B", mix="dust")
    hot = simulator.make_fleet(args.injections, prefix="X", mix="dust")
    for dev in hot:
        dev.exceed = 4.0  # ≈1,200 µg/m³ against the 800 of an earthworks site
    ack_lat: list[float] = []
    links = await connect(port, len(city), ack_lat)
    ids = {}
    async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as db:
        rows = await db.execute(
            "SELECT mn, id FROM monitoring_device WHERE mn = ANY(%s)", [[d.mn for d in hot]]
        )
        ids = {mn: pk async for mn, pk in rows}
    sent = {"frames": 0}
    t0 = time.perf_counter()
    end = t0 + args.seconds
    waiting: dict[int, float] = {}  # device id → send time of the completing frame
    latencies: list[float] = []

    async def city_minutes():
        per = 60.0 / len(city)
        k = 0
        while time.perf_counter() < end:
            i = k % len(city)
            delay = t0 + k * per - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            when = dt.datetime.now(simulator.BEIJING).replace(second=0, microsecond=0)
            links[i].send(simulator.frame_for(city[i], k // len(city), when, rng))
            sent["frames"] += 1
            k += 1

    async def bursts():
        backlog = dt.datetime.now(simulator.BEIJING).replace(second=0, microsecond=0)
        backlog -= dt.timedelta(days=1)
        k = 0
        while time.perf_counter() + args.burst_every < end:
            await asyncio.sleep(args.burst_every)
            stop = time.perf_counter() + args.burst_seconds
            start = time.perf_counter()
            n = 0
            while time.perf_counter() < stop:
                delay = start + n / args.burst_rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                i = rng.randrange(len(city))
                links[i].send(simulator.frame_for(city[i], k, backlog - k * MIN, rng))
                sent["frames"] += 1
                n += 1
                k += 1

    hot_links: list = []

    async def inject(dev):
        # connect when it starts sending, as a device does: a connection that sends nothing
        # for the gateway's handshake timeout (60 s) is closed as an abuser would be
        (link,) = await connect(port, 1, ack_lat)
        hot_links.append(link)
        base = dt.datetime(2025, 1, 1, 8, 0, tzinfo=simulator.BEIJING)
        for minute in range(120):
            frame = simulator.frame_for(dev, minute, base + minute * MIN, rng)
            at = link.send(frame)
            sent["frames"] += 1
            await asyncio.sleep(1 / args.inject_rate)
        waiting[ids[dev.mn]] = at  # the 09:59 frame completes the second hour

    async def injections():
        gap = max(0.1, (args.seconds - 10) / max(1, len(hot)))
        tasks = []
        for dev in hot:
            tasks.append(asyncio.create_task(inject(dev)))
            await asyncio.sleep(gap)
        await asyncio.gather(*tasks)

    async def poll():
        async with await psycopg.AsyncConnection.connect(pg_url, autocommit=True) as db:
            while time.perf_counter() < end + 60 and len(latencies) < len(hot):
                if waiting:
                    cur = await db.execute(
                        "SELECT DISTINCT device_id FROM monitoring_alarm "
                        "WHERE kind = 'exceedance' AND device_id = ANY(%s)",
                        [list(waiting)],
                    )
                    now = time.perf_counter()
                    for (pk,) in await cur.fetchall():
                        latencies.append(now - waiting.pop(pk))
                await asyncio.sleep(0.01)

    poller = asyncio.create_task(poll())
    await asyncio.gather(city_minutes(), bursts(), injections())
    await asyncio.wait_for(poller, args.seconds + 60)
    await asyncio.sleep(1.0)  # the last acknowledgements
    return {
        "ack": ack_lat,
        "alarm": latencies,
        "frames": sent["frames"],
        "acked": sum(link.acked for link in links + hot_links),
        "missed": len(hot) - len(latencies),
    }


def _client(args, port, pg_url, queue):
    raise_fd_limit()
    try:
        queue.put(asyncio.run(load(args, port, pg_url)))
    except Exception as exc:  # report, do not hang the parent
        queue.put(exc)


def start(command: list[str], env: dict, ready: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [LANTIAN, *command],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=raise_fd_limit,
    )
    line = proc.stdout.readline()
    if ready not in line:
        proc.kill()
        raise RuntimeError(f"{command[0]} did not start: {line!r}")
    return proc


def pick(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=2000, help="city devices, 1 frame/min")
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--burst-rate", type=float, default=230.0)
    parser.add_argument("--burst-every", type=float, default=30.0)
    parser.add_argument("--burst-seconds", type=float, default=5.0)
    parser.add_argument("--injections", type=int, default=60)
    parser.add_argument("--inject-rate", type=float, default=40.0, help="frames/s per injection")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()
    load1 = os.getloadavg()[0]
    print(
        f"{os.cpu_count()} CPUs, load {load1:.2f}, {args.devices} city devices + "
        f"{args.injections} injections, {args.seconds:.0f} s, bursts {args.burst_rate:.0f}/s "
        f"for {args.burst_seconds:.0f} s every {args.burst_every:.0f} s, gateway workers "
        f"{args.workers}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="alarm-bench-") as tmp:
        env = prepare_database("postgresql", args.pg_url, Path(tmp), args.devices)
        subprocess.run(
            [LANTIAN, "hj212", "simulate", "--register", "--devices", str(args.injections)]
            + ["--mix", "dust", "--prefix", "X", "--count", "0"],
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        gateway = start(
            ["hj212", "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(args.workers)]
            # every device of this bench connects from 127.0.0.1; the per-address cap (abuse,
            # bench/gateway_abuse.py) would refuse all but 256 of them
            + ["--max-per-address", str(args.devices + args.injections + 100)],
            env,
            "监听",
        )
        judge = start(["monitoring", "judge"], env, "实时判定")
        try:
            time.sleep(1.0)
            queue = mp.get_context("fork").Queue()
            client = mp.get_context("fork").Process(
                target=_client, args=(args, port, args.pg_url, queue)
            )
            client.start()
            result = queue.get(timeout=args.seconds + 300)
            client.join(30)
            if isinstance(result, Exception):
                raise result
        finally:
            for proc in (gateway, judge):
                proc.send_signal(signal.SIGTERM)
            for proc in (gateway, judge):
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    ack, alarm = result["ack"], result["alarm"]
    print(
        f"acks: {result['acked']}/{result['frames']} frames, p50 {pick(ack, 0.5) * 1000:.1f} ms, "
        f"p99 {pick(ack, 0.99) * 1000:.1f} ms, max {max(ack, default=0) * 1000:.1f} ms"
    )
    print(
        f"alarms: {len(alarm)} of {args.injections} injections seen "
        f"({result['missed']} missed), max {max(alarm, default=0):.3f} s; "
        f"load at the end {os.getloadavg()[0]:.2f}"
    )
    print(
        f"alarm_p50_s={pick(alarm, 0.5):.3f} alarm_p99_s={pick(alarm, 0.99):.3f} "
        f"frames={result['frames']}"
    )


if __name__ == "__main__":
    main()
