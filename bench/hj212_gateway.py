"""HJ 212 gateway benchmark: end-to-end frames/s and ack latency, plus the parse-only ceiling.

End to end means: a device frame on a TCP socket → cut from the stream → CRC → parse → MN/PW
check → dedupe → stored in the database (committed) → 9014 acknowledgement back on the socket.
The load generator runs in its own process, the gateway (``lantian hj212 serve``) in another.

    .venv/bin/python bench/hj212_gateway.py                      # SQLite and PostgreSQL
    .venv/bin/python bench/hj212_gateway.py --backends sqlite --connections 1000
    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/lantian_bench_mon ...

Every run starts from an empty database (PostgreSQL: the bench database is dropped and
created again; never point it at a database you care about). Prints a table of figures.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import random
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
