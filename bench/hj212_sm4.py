"""Benchmark: what HJ 212-2025 encryption costs the gateway, per core, in process.

    .venv/bin/python bench/hj212_sm4.py [--frames 20000]

For a typical dust upload (six pollutants, ~270-character segment) and a full 1,024-character
segment: parsing the plain frame, sealing it (CRC over the plaintext, SM4-ECB of the data area,
the ``{0x..}`` notation), and opening it as the gateway does (cut by structure, decrypted with
the device's keys newest first, CRC checked) with the right key first, and second (a rotation's
grace window: the new key is tried and fails first). Prints frames per second and the load.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import load, machine, warn_if_busy  # noqa: E402
from monitoring.hj212 import StreamDecoder, parse_frame, sm4  # noqa: E402
from monitoring.hj212.frame import build_segment, data_cp, wrap  # noqa: E402

KEY = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
NEW = bytes.fromhex("0123456789ABCDEF0123456789ABCDEF")


def segment(pollutants: int) -> str:
    values = {f"a{34001 + k:05d}": {"Rtd": 123.4 + k, "Flag": "N"} for k in range(pollutants)}
    return build_segment(
        cn="2011",
        mn="010000A8900016F000169DC0",
        pw="123456",
        st="39",
        qn="20261201100000000",
        flag=9,
        cp=data_cp("20261201100000", values),
    )


def rate(label: str, n: int, fn, per: int = 1) -> None:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    seconds = time.perf_counter() - started
    frames = n * per
    print(
        f"  {label:<44} {frames / seconds:>10,.0f} frames/s  {seconds / frames * 1e6:7.1f} µs/frame"
    )


def stream(frames: list[bytes], keys: list[bytes]) -> int:
    decoder = StreamDecoder(
        opener=lambda wire, crc, declared: sm4.open_segment(wire, crc, keys, declared=declared)
    )
    return len(decoder.feed(b"".join(frames)))


def measure(seg: str, n: int) -> None:
    plain = wrap(seg)
    sealed = sm4.seal(seg, KEY)
    print(f"segment {len(seg)} characters (sealed frame {len(sealed)} bytes on the wire):")
    rate("parse plain frame", n, lambda: parse_frame(plain))
    rate("seal (device side)", n, lambda: sm4.seal(seg, KEY))
    rate("open + parse, right key first", n, lambda: parse_frame(sealed, keys=[KEY]))
    rate("open + parse, right key second (grace)", n, lambda: parse_frame(sealed, keys=[NEW, KEY]))
    batch = [sealed] * 1000
    rate("stream cut + open, 1,000 a read", max(1, n // 1000), lambda: stream(batch, [KEY]), 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=20000)
    n = parser.parse_args().frames
    warn_if_busy()
    print(f"HJ 212-2025 SM4, one core — {machine()}, load before: {load()}")
    for pollutants in (6, 24):
        measure(segment(pollutants), n)
    print(f"load after: {load()}")


if __name__ == "__main__":
    main()
