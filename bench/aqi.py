"""Benchmark: daily AQI for 1 million rows through the NumPy path, against python-aqi.

    .venv/bin/python bench/aqi.py [--rows 1000000] [--skip-python-aqi]

Prints rows/s of ``airquality.aqi.compute_frame`` (HJ 633 tables chosen per row by date, 2025
and 2026 data, so both versions are in play), of the scalar ``compute`` on a sample, and of
python-aqi 0.6.1 (``aqi.to_aqi(..., algo=ALGO_MEP)``) on the same rows in the same run, with the
ratio. python-aqi is not a project dependency; install it into the venv only to run this:

    .venv/bin/pip install python-aqi

Also counts how often python-aqi's 2012 result differs from ours on the rows dated before
2026-03-01 (its rounding and segment bugs, research/standards.md §8.1) and how often it raises.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named aqi.py: keep its folder off the path so ``import aqi`` finds python-aqi.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from airquality import aqi as ours  # noqa: E402

COLUMNS = ("pm25", "pm10", "so2", "no2", "co", "o3_8h")


def make_rows(n: int, seed: int = 20260301) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Plausible daily means for a northern Chinese city: lognormal, CO with one decimal."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2025-01-01")
    days = start + rng.integers(0, 730, n).astype("timedelta64[D]")
    values = {
        "pm25": np.round(rng.lognormal(3.7, 0.6, n)),
        "pm10": np.round(rng.lognormal(4.3, 0.5, n)),
        "so2": np.round(rng.lognormal(2.2, 0.5, n)),
        "no2": np.round(rng.lognormal(3.6, 0.4, n)),
        "co": np.round(rng.lognormal(0.0, 0.4, n), 1),
        "o3_8h": np.round(rng.lognormal(4.4, 0.5, n)),
    }
    # python-aqi crashes above its top breakpoints; keep the rows inside the tables.
    caps = {"pm25": 500, "pm10": 600, "so2": 2620, "no2": 940, "co": 60, "o3_8h": 800}
    for key, cap in caps.items():
        values[key] = np.minimum(values[key], cap)
    return days, values


def best_of(runs: int, fn):
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def bench_vectorised(days, values):
    resolver = ours.Resolver()
    resolver(days[0].astype(object))  # build the tables outside the timing
    seconds, result = best_of(3, lambda: ours.compute_frame(days, values, resolver=resolver))
    return seconds, result


def bench_scalar(days, values, sample: int):
    resolver = ours.Resolver()
    rows = [
        ({k: float(values[k][i]) for k in COLUMNS}, days[i].astype(object)) for i in range(sample)
    ]
    started = time.perf_counter()
    for row, day in rows:
        ours.compute(row, table=resolver(day))
    return time.perf_counter() - started


def bench_python_aqi(values, n: int):
    pyaqi = importlib.import_module("aqi")
    constants = importlib.import_module("aqi.constants")
    keys = {
        "pm25": constants.POLLUTANT_PM25,
        "pm10": constants.POLLUTANT_PM10,
        "so2": constants.POLLUTANT_SO2_24H,
        "no2": constants.POLLUTANT_NO2_24H,
        "co": constants.POLLUTANT_CO_24H,
        "o3_8h": constants.POLLUTANT_O3_8H,
    }
    # python-aqi takes strings; converting them is part of what a caller of it pays.
    text = {k: [repr(float(v)) for v in values[k]] for k in COLUMNS}
    results = np.full(n, -1, dtype=np.int64)
    errors = 0
    started = time.perf_counter()
    for i in range(n):
        try:
            results[i] = int(
                pyaqi.to_aqi([(keys[k], text[k][i]) for k in COLUMNS], algo=pyaqi.ALGO_MEP)
            )
        except Exception:  # it raises IndexError/TypeError above its tables
            errors += 1
    return time.perf_counter() - started, results, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scalar-sample", type=int, default=20_000)
    parser.add_argument("--skip-python-aqi", action="store_true")
    args = parser.parse_args()
    n = args.rows

    days, values = make_rows(n)
    print(f"rows: {n:,} daily rows, dates 2025-01-01 … 2026-12-31, columns {', '.join(COLUMNS)}")

    seconds, result = bench_vectorised(days, values)
    vector_rate = n / seconds
    tables = ", ".join(t.code for t in result.tables)
    print(f"lantian vectorised (NumPy):  {seconds:8.3f} s  {vector_rate:14,.0f} rows/s  ({tables})")

    sample = min(args.scalar_sample, n)
    scalar_seconds = bench_scalar(days, values, sample)
    scalar_rate = sample / scalar_seconds
    print(
        f"lantian scalar (Decimal):    {scalar_seconds:8.3f} s  {scalar_rate:14,.0f} rows/s"
        f"  (first {sample:,} rows)"
    )

    if args.skip_python_aqi:
        return 0
    try:
        importlib.import_module("aqi.constants")
    except ImportError:
        print("python-aqi is not installed. To compare, run:  .venv/bin/pip install python-aqi")
        print("(it is a benchmark-only tool, deliberately not in pyproject.toml)")
        return 0
    py_seconds, py_results, py_errors = bench_python_aqi(values, n)
    py_rate = n / py_seconds
    print(f"python-aqi 0.6.1 (MEP):      {py_seconds:8.3f} s  {py_rate:14,.0f} rows/s")
    print(f"ratio vectorised / python-aqi: {vector_rate / py_rate:,.0f} ×  (target ≥ 100 ×)")

    before = days < np.datetime64("2026-03-01")
    compared = before & (py_results >= 0)
    differ = int((result.aqi[compared] != py_results[compared]).sum())
    print(
        f"python-aqi vs lantian on the {int(before.sum()):,} rows under HJ 633-2012: "
        f"{differ:,} AQI values differ ({differ / max(int(compared.sum()), 1):.1%}), "
        f"{py_errors:,} rows raised"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
