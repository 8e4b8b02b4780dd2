"""HJ 212 gateway benchmark: end-to-end frames/s and ack latency, plus the parse-only ceiling.

End to end means: a device frame on a TCP socket → cut from the stream → CRC → parse → MN/PW
check → dedupe → stored in the database (committed) → 9014 acknowledgement back on the socket.
The load generator runs in its own process, the gateway (``lantian hj212 serve``) in another.

    .venv/bin/python bench/hj212_gateway.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/hj212_gateway.py --backends sqlite --connections 1000
    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/lantian_bench_mon ...

Every run starts from an empty database (PostgreSQL: the bench database is dropped and
created again; never point it at a database you care about). Prints a table of figures.

Sustained load, the direct path and the bus path (a private nats-server on a free port, writer
processes consuming it), each ending with one line
``sustained_fps=<n> parse_ceiling_fps=<m> ratio=<r> acked_lost=<k>``:

    .venv/bin/python bench/hj212_gateway.py --sustain 60 --connections 10000 \
        --backends postgresql --paths direct,bus

Connections are opened and timed first (reported apart); then every connection streams with
``--window`` frames in flight for ``--sustain`` seconds; frames acknowledged in that time make
the rate. Afterwards every acknowledged frame (its MN and QN, read from the 9014) is looked up
in the database (on the bus path once the writers have emptied the stream).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LANTIAN = str(Path(sys.executable).with_name("lantian"))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_mon"
WORKERS = 1  # gateway worker processes (--workers)
QN = re.compile(rb"QN=(\d{17,20})")
CODES_PER_FRAME = 6  # the simulator's dust upload: TSP, PM10, PM2.5, noise, temperature, wind


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def make_frames(n_devices: int, per_device: int, prefix: str, seed: int = 1) -> list[list[bytes]]:
    """Realistic dust uploads (≈280 bytes), ``per_device`` consecutive minutes per device."""
    from monitoring import simulator
    from monitoring.hj212.crc import crc16_many
    from monitoring.hj212.frame import build_segment, data_cp

    rng = random.Random(seed)
    devices = simulator.make_fleet(n_devices, prefix=prefix, mix="dust")
    start = dt.datetime(2024, 6, 1, 0, 0, tzinfo=simulator.BEIJING)
    segments, owners = [], []
    for k in range(per_device):
        when = start + dt.timedelta(minutes=k)
        stamp = when.strftime("%Y%m%d%H%M%S")
        for i, dev in enumerate(devices):
            st, cn, values = dev.values(rng, k)
            seg = build_segment(
                qn=f"{stamp}{k % 1000:03d}",
                st=st,
                cn=cn,
                pw=dev.password,
                mn=dev.mn,
                flag=5,
                cp=data_cp(stamp, values),
            ).encode()
            segments.append(seg)
            owners.append(i)
    out: list[list[bytes]] = [[] for _ in devices]
    for seg, crc, i in zip(segments, crc16_many(segments), owners, strict=True):
        out[i].append(b"##%04d%s%04X\r\n" % (len(seg), seg, crc))
    return out


# --- parse-only ceiling -----------------------------------------------------------------------


def parse_ceiling(frames: list[bytes], rounds: int = 3) -> float:
    """Cut + batched CRC + parse with the device profile + reassembly: the gateway's CPU path
    without sockets and database, on the same frames."""
    from monitoring.hj212 import Reassembler, StreamDecoder, crc16_many, get_profile, parse_frame

    profile = get_profile("dust-ug")
    stream = b"".join(frames)
    chunks = [stream[i : i + 65536] for i in range(0, len(stream), 65536)]
    best = float("inf")
    for _ in range(rounds):
        decoder, reassembler, n = StreamDecoder(), Reassembler(), 0
        t0 = time.perf_counter()
        for chunk in chunks:
            cuts = decoder.feed(chunk, verify=False)
            sums = crc16_many([c.segment for c in cuts])
            for cut, crc in zip(cuts, sums, strict=True):
                if int(cut.crc, 16) != crc:
                    raise AssertionError("bad CRC in bench frames")
                reassembler.add(parse_frame(cut.raw, profile, verified=True), 0.0)
                n += 1
            decoder.settle()
        best = min(best, time.perf_counter() - t0)
    return n / best


# --- load generator (its own process) ---------------------------------------------------------


class Sender(asyncio.Protocol):
    def __init__(self, frames: list[bytes], window: int, done: asyncio.Future, lat: list | None):
        self.frames, self.window, self.done, self.lat = frames, window, done, lat
        self.next = 0
        self.acked = 0
        self.buf = b""
        self.sent_at: list[float] = []
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def start(self):
        self._send(self.window)

    def _send(self, n: int):
        end = min(len(self.frames), self.next + n)
        if end > self.next:
            now = time.perf_counter()
            self.sent_at += [now] * (end - self.next)
            self.transport.write(b"".join(self.frames[self.next : end]))
            self.next = end

    def send_one(self):
        self._send(1)

    def data_received(self, data: bytes):
        self.buf += data
        count = self.buf.count(b"\r\n")
        if not count:
            return
        cut = self.buf.rfind(b"\r\n") + 2
        self.buf = self.buf[cut:]
        now = time.perf_counter()
        if self.lat is not None:
            self.lat += [now - t for t in self.sent_at[self.acked : self.acked + count]]
        self.acked += count
        if self.window:
            self._send(count)
        if self.acked >= len(self.frames) and not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc):
        if not self.done.done():
            self.done.set_result(None)


async def _open(port: int, per_conn: list[list[bytes]], window: int, lat):
    loop = asyncio.get_running_loop()
    senders = []
    for start in range(0, len(per_conn), 500):
        batch = per_conn[start : start + 500]
        made = await asyncio.gather(
            *(
                loop.create_connection(
                    lambda f=f: Sender(f, window, loop.create_future(), lat), "127.0.0.1", port
                )
                for f in batch
            )
        )
        senders += [protocol for _, protocol in made]
    return senders


async def _throughput(port, per_conn, window):
    senders = await _open(port, per_conn, window, None)
    await asyncio.sleep(0.5)  # let the gateway settle after the connection storm
    t0 = time.perf_counter()
    for s in senders:
        s.start()
    await asyncio.wait_for(asyncio.gather(*(s.done for s in senders)), 600)
    elapsed = time.perf_counter() - t0
    return sum(s.acked for s in senders), elapsed


async def _latency(port, per_conn, rate: float):
    lat: list[float] = []
    senders = await _open(port, per_conn, 0, lat)
    await asyncio.sleep(0.5)
    total = sum(len(s.frames) for s in senders)
    order = [s for s in senders for _ in s.frames]
    random.Random(3).shuffle(order)
    t0 = time.perf_counter()
    for i, s in enumerate(order):
        delay = t0 + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        s.send_one()
    await asyncio.wait_for(asyncio.gather(*(s.done for s in senders)), 120)
    return lat, total


def _client(mode, port, per_conn, arg, queue):
    import gc

    raise_fd_limit()
    gc.freeze()  # the pregenerated frames are long-lived; do not rescan them
    gc.set_threshold(50_000, 20, 100)
    try:
        if mode == "throughput":
            queue.put(asyncio.run(_throughput(port, per_conn, arg)))
        else:
            queue.put(asyncio.run(_latency(port, per_conn, arg)))
    except Exception as exc:  # report, do not hang the parent
        queue.put(exc)


def run_client(mode, port, per_conn, arg):
    queue = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_client, args=(mode, port, per_conn, arg, queue))
    proc.start()
    result = queue.get(timeout=900)
    proc.join(30)
    if isinstance(result, Exception):
        raise result
    return result


# --- database and gateway ---------------------------------------------------------------------


def prepare_database(backend: str, pg_url: str, workdir: Path, n_devices: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["LANTIAN_VAR_DIR"] = str(workdir)
    if backend == "postgresql":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        admin = pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = pg_url
    subprocess.run([LANTIAN, "setup"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            LANTIAN,
            "hj212",
            "simulate",
            "--register",
            "--devices",
            str(n_devices),
            "--mix",
            "dust",
            "--prefix",
            "B",
            "--count",
            "0",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def start_gateway(env: dict, port: int, max_connections: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            LANTIAN,
            "hj212",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--max-connections",
            str(max_connections + 100),
            "--max-per-address",  # every bench connection comes from 127.0.0.1
            str(max_connections + 100),
            "--judge-every",
            "0",
            "--workers",
            str(WORKERS),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        preexec_fn=raise_fd_limit,
    )
    line = proc.stdout.readline()
    if "监听" not in line:
        raise RuntimeError(f"gateway did not start: {line!r}")
    return proc


def stop_gateway(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=120)
    return out.strip().splitlines()[-1] if out.strip() else ""


def count_rows(env: dict) -> int:
    out = subprocess.run(
        [
            LANTIAN,
            "shell",
            "-c",
            "from monitoring.models import Reading; print(Reading.objects.count())",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip().splitlines()[-1])


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_backend(backend, pg_url, connections, per_conn_frames, window, latency_seconds):
    rows = []
    for n in connections:
        with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
            env = prepare_database(backend, pg_url, Path(tmp), n)
            frames = make_frames(n, per_conn_frames + 10, "B")
            warm = [f[:10] for f in frames]
            load = [f[10:] for f in frames]
            port = free_port()
            gw = start_gateway(env, port, n)
            try:
                run_client("throughput", port, warm, window)  # connect, warm caches
                acked, elapsed = run_client("throughput", port, load, window)
                stats = stop_gateway(gw)
            except BaseException:
                gw.kill()
                raise
            stored = count_rows(env)
            expected = n * (per_conn_frames + 10) * CODES_PER_FRAME
            rows.append(
                {
                    "backend": backend,
                    "connections": n,
                    "frames": acked,
                    "seconds": elapsed,
                    "fps": acked / elapsed,
                    "rows_ok": stored == expected,
                    "stored": stored,
                    "expected": expected,
                    "gateway": stats,
                }
            )
            print(
                f"  {backend:10} {n:>6} conns: {acked / elapsed:9,.0f} frames/s "
                f"({acked} in {elapsed:.1f}s; rows {stored}/{expected})",
                flush=True,
            )
    return rows


def bench_latency(backend, pg_url, n, rate, seconds):
    with tempfile.TemporaryDirectory(prefix="hj212-bench-") as tmp:
        env = prepare_database(backend, pg_url, Path(tmp), n)
        per = max(1, int(rate * seconds / n))
        frames = make_frames(n, per, "B", seed=9)
        port = free_port()
        gw = start_gateway(env, port, n)
        try:
            lat, total = run_client("latency", port, frames, rate)
        finally:
            stop_gateway(gw)
    lat.sort()
    pick = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000  # noqa: E731
    print(
        f"  latency {backend:10} {n} conns at {rate:.0f} frames/s: p50 {pick(0.5):.1f} ms, "
        f"p99 {pick(0.99):.1f} ms, max {lat[-1] * 1000:.1f} ms ({len(lat)}/{total} acked)",
        flush=True,
    )
    return {"backend": backend, "p50": pick(0.5), "p99": pick(0.99), "max": lat[-1] * 1000}


# --- sustained load (direct and bus paths) ----------------------------------------------------


class SustainSender(Sender):
    """Streams until told to stop; keeps the QN of every 9014 it gets."""

    def __init__(self, frames, window, done):
        super().__init__(frames, window, done, None)
        self.qns: list[bytes] = []
        self.stopped = False

    def _send(self, n: int):
        if not self.stopped:
            super()._send(n)

    def data_received(self, data: bytes):
        self.buf += data
        cut = self.buf.rfind(b"\r\n")
        if cut < 0:
            return
        complete, self.buf = self.buf[: cut + 2], self.buf[cut + 2 :]
        qns = QN.findall(complete)
        self.qns += qns
        self.acked += len(qns)
        if self.window:
            self._send(len(qns))
        if self.acked >= len(self.frames) and not self.done.done():
            self.done.set_result(None)


async def _sustain(port, per_conn, window, seconds):
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    senders = []
    for start in range(0, len(per_conn), 500):
        made = await asyncio.gather(
            *(
                loop.create_connection(
                    lambda f=f: SustainSender(f, window, loop.create_future()), "127.0.0.1", port
                )
                for f in per_conn[start : start + 500]
            )
        )
        senders += [protocol for _, protocol in made]
    connect_seconds = time.perf_counter() - t0
    await asyncio.sleep(1.0)
    t0 = time.perf_counter()
    for s in senders:
        s.start()
    await asyncio.wait(
        [asyncio.ensure_future(asyncio.gather(*(s.done for s in senders)))], timeout=seconds
    )
    elapsed = time.perf_counter() - t0
    acked_in_time = sum(s.acked for s in senders)
    ran_out = sum(1 for s in senders if s.acked >= len(s.frames))
    closed = sum(1 for s in senders if s.done.done()) - ran_out
    for s in senders:
        s.stopped = True
    await asyncio.sleep(3.0)  # acknowledgements in flight still count for the loss check
    keys = [(i, qn) for i, s in enumerate(senders) for qn in s.qns]
    for s in senders:
        s.transport.close()
    return acked_in_time, elapsed, connect_seconds, ran_out, closed, keys


def _sustain_client(port, per_conn, window, seconds, queue):
    import gc

    raise_fd_limit()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        queue.put(asyncio.run(_sustain(port, per_conn, window, seconds)))
    except Exception as exc:
        queue.put(exc)


def stored_keys(backend: str, env: dict) -> set[tuple[str, str]]:
    """(MN, UTC data time as text) of every upload stored."""
    sql = (
        "SELECT DISTINCT d.mn, r.data_time FROM monitoring_reading r "
        "JOIN monitoring_device d ON d.id = r.device_id"
    )
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as conn:
            rows = conn.execute(sql).fetchall()
        return {(mn, when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")) for mn, when in rows}
    import sqlite3

    with sqlite3.connect(Path(env["LANTIAN_VAR_DIR"]) / "lantian.sqlite3") as conn:
        return {(mn, when[:19]) for mn, when in conn.execute(sql)}


def acked_lost(keys, mns: list[str], stored: set) -> int:
    from zoneinfo import ZoneInfo

    beijing = ZoneInfo("Asia/Shanghai")
    lost = 0
    for i, qn in keys:
        local = dt.datetime.strptime(qn[:14].decode(), "%Y%m%d%H%M%S").replace(tzinfo=beijing)
        if (mns[i], local.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")) not in stored:
            lost += 1
    return lost


class BusServer:
    """A private nats-server (JetStream, file store in the run's temporary folder)."""

    def __init__(self, workdir: Path) -> None:
        import shutil

        binary = shutil.which("nats-server") or "/usr/sbin/nats-server"
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(workdir / "js")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        self.url = f"nats://127.0.0.1:{self.port}"

    def pending(self) -> int:
        async def count():
            import nats

            nc = await nats.connect(self.url)
            try:
                return (await nc.jetstream().stream_info("HJ212")).state.messages
            finally:
                await nc.close()

        return asyncio.run(count())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def start_writers(env: dict, n: int) -> list[subprocess.Popen]:
    procs = [
        subprocess.Popen(
            [LANTIAN, "monitoring", "writer", "--batch", "5000"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(n)
    ]
    for proc in procs:
        proc.stdout.readline()
    return procs


def bench_sustain(backend, path, args, ceiling) -> str:
    from monitoring import simulator

    n, seconds = args.sustain_connections, args.sustain
    per = max(20, int(args.target_fps * seconds * 1.2 / n) + 1)
    with tempfile.TemporaryDirectory(prefix="hj212-sustain-") as tmp:
        env = prepare_database(backend, args.pg_url, Path(tmp), n)
        t0 = time.perf_counter()
        frames = make_frames(n, per, "B")
        made = time.perf_counter() - t0
        bus = writers = None
        if path == "bus":
            bus = BusServer(Path(tmp))
            env["LANTIAN_BUS_URL"] = bus.url
        port = free_port()
        gw = start_gateway(env, port, n)
        if bus:
            writers = start_writers(env, max(1, args.writers))
        load_before = os.getloadavg()[0]
        try:
            queue = mp.get_context("fork").Queue()
            proc = mp.get_context("fork").Process(
                target=_sustain_client, args=(port, frames, args.window, seconds, queue)
            )
            proc.start()
            result = queue.get(timeout=seconds + 900)
            proc.join(60)
            if isinstance(result, Exception):
                raise result
            acked, elapsed, connect_s, ran_out, closed, keys = result
            load_during = os.getloadavg()[0]
            drain = 0.0
            if bus:
                t0 = time.perf_counter()
                while bus.pending() and time.perf_counter() - t0 < max(120, 5 * seconds):
                    time.sleep(0.5)
                drain = time.perf_counter() - t0
            stats = stop_gateway(gw)
        finally:
            for w in writers or []:
                w.send_signal(signal.SIGTERM)
            for w in writers or []:
                w.wait(60)
            if gw.poll() is None:
                gw.kill()
            if bus:
                bus.stop()
        stored = stored_keys(backend, env)
    mns = [d.mn for d in simulator.make_fleet(n, prefix="B", mix="dust")]
    lost = acked_lost(keys, mns, stored)
    fps = acked / elapsed
    print(
        f"  {path} {backend}: {n:,} connections opened in {connect_s:.1f}s; {acked:,} frames "
        f"acknowledged in {elapsed:.1f}s ({fps:,.0f}/s; {ran_out} connections ran out of their "
        f"{per} frames, {closed} were closed); {len(keys):,} acknowledged in all, "
        f"{len(stored):,} uploads stored"
        + (f"; writers emptied the stream {drain:.1f}s after the load" if bus else "")
        + f"; frames made in {made:.0f}s; load {load_before:.1f} before, {load_during:.1f} after"
        f" (1-min average, {os.cpu_count()} CPUs); gateway: {stats}",
        flush=True,
    )
    return (
        f"sustained_fps={fps:.0f} parse_ceiling_fps={ceiling:.0f} ratio={fps / ceiling:.2f} "
        f"acked_lost={lost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--connections", default="1000,10000")
    parser.add_argument("--frames", type=int, default=200_000, help="frames per end-to-end run")
    parser.add_argument(
        "--window", type=int, default=32, help="unacknowledged frames per connection"
    )
    parser.add_argument("--latency-rate", type=float, default=300.0)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="gateway worker processes (default: one per CPU, as a production gateway runs)",
    )
    parser.add_argument("--sustain", type=float, default=0, help="seconds of sustained load")
    parser.add_argument("--paths", default="direct,bus", help="with --sustain: direct, bus")
    parser.add_argument("--bus", action="store_true", help="with --sustain: the bus path only")
    parser.add_argument("--writers", type=int, default=2, help="bus writer processes")
    parser.add_argument(
        "--target-fps", type=float, default=25_000, help="frames made for this rate (sustain)"
    )
    args = parser.parse_args()
    global WORKERS
    WORKERS = args.workers
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    print(
        f"fd limit {raise_fd_limit()}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"gateway workers {WORKERS}"
    )

    sample = [f for dev in make_frames(1000, 50, "P") for f in dev]
    ceiling = parse_ceiling(sample)
    print(
        f"parse-only ceiling: {ceiling:,.0f} frames/s "
        f"(cut + batched CRC + parse + reassembly; {len(sample)} frames of ≈{len(sample[0])} B)"
    )

    if args.sustain:
        print(f"load average {os.getloadavg()[0]:.1f} (1 min) before the runs")
        args.sustain_connections = int(args.connections.split(",")[-1])
        paths = ["bus"] if args.bus else args.paths.split(",")
        lines = []
        for backend in args.backends.split(","):
            for path in paths:
                lines.append(f"path={path} backend={backend}")
                lines.append(bench_sustain(backend, path, args, ceiling))
        print()
        for line in lines:
            print(line)
        return

    connections = [int(c) for c in args.connections.split(",")]
    results = []
    for backend in args.backends.split(","):
        per_conn = [max(1, args.frames // n) for n in connections]
        for n, per in zip(connections, per_conn, strict=True):
            results += bench_backend(backend, args.pg_url, [n], per, args.window, 0)
    latencies = [
        bench_latency(b, args.pg_url, 1000, args.latency_rate, args.latency_seconds)
        for b in args.backends.split(",")
    ]
    print("\n| backend | connections | frames/s end to end | × parse ceiling | rows check |")
    print("| --- | ---: | ---: | ---: | --- |")
    for r in results:
        print(
            f"| {r['backend']} | {r['connections']:,} | {r['fps']:,.0f} | "
            f"{r['fps'] / ceiling:.2f} | {'ok' if r['rows_ok'] else 'MISMATCH'} |"
        )
    print(f"\nparse-only ceiling (same run): {ceiling:,.0f} frames/s")
    for lat in latencies:
        print(
            f"ack latency at {args.latency_rate:.0f} frames/s, 1,000 connections, "
            f"{lat['backend']}: p50 {lat['p50']:.1f} ms, p99 {lat['p99']:.1f} ms"
        )


if __name__ == "__main__":
    main()
