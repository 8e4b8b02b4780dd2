"""Benchmark: the AQI as people run it, lantian against python-aqi, end to end and in process.

    .venv/bin/python bench/aqi.py [--rows 1000000] [--runs 3]

End to end: the same CSV file of daily rows (2025 and 2026 dates, so both HJ 633 versions are
in play) through ``lantian aqi compute`` and through ``bench/python_aqi_csv.py`` (a python-aqi
script doing the same CSV → CSV job), each as a whole process, start-up included, the same
number of runs, medians compared (goal ≥ 50 ×). Both outputs are checked: every row written.

In process: a one-shot caller of ``airquality.aqi.compute_frame`` that builds its tables inside
the timing (a fresh ``Resolver`` each run) against python-aqi's ``to_aqi`` over the same values,
the same number of runs, medians compared (goal ≥ 200 ×). Also counts how often python-aqi's
2012 result differs from ours (its rounding and segment bugs, research/standards.md §8.1).

python-aqi is not a project dependency; install it into the venv only to run this:

    .venv/bin/pip install python-aqi
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named aqi.py: keep its folder off the path so ``import aqi`` finds python-aqi.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from airquality import aqi as ours  # noqa: E402
from bench.common import (  # noqa: E402
    VENV_BIN,
    load,
    machine,
    median,
    run_process,
    summary,
    timed_runs,
    warn_if_busy,
)

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


def write_csv(path: Path, days: np.ndarray, values: dict[str, np.ndarray]) -> None:
    """The rows as a monitoring centre exports them: integers, CO with one decimal."""
    columns = [np.datetime_as_string(days, unit="D")]
    for key in COLUMNS:
        v = values[key]
        columns.append(np.char.mod("%.1f", v) if key == "co" else v.astype(np.int64).astype(str))
    lines = np.char.add(columns[0], "")
    for column in columns[1:]:
        lines = np.char.add(np.char.add(lines, ","), column)
    path.write_text("time," + ",".join(COLUMNS) + "\n" + "\n".join(lines.tolist()) + "\n")


def end_to_end(path: Path, runs: int, skip_python_aqi: bool) -> None:
    data = path.read_bytes()
    ours_argv = [str(VENV_BIN / "lantian"), "aqi", "compute"]
    theirs_argv = [sys.executable, str(HERE / "python_aqi_csv.py")]
    for argv, label in ((ours_argv, "lantian"), (theirs_argv, "python-aqi")):
        done = subprocess.run(argv, input=data, capture_output=True, cwd=ROOT)
        lines = done.stdout.count(b"\n")
        rows = data.count(b"\n")
        if lines != rows:
            raise SystemExit(f"{label} wrote {lines} lines for {rows}: {done.stderr[-300:]!r}")
    ours = [run_process(ours_argv, stdin=data) for _ in range(runs)]
    print(f"end to end, lantian aqi compute:     {summary(ours)}")
    if skip_python_aqi:
        return
    theirs = [run_process(theirs_argv, stdin=data) for _ in range(runs)]
    print(f"end to end, python-aqi CSV script:   {summary(theirs)}")
    print(f"end to end ratio: {median(theirs) / median(ours):,.1f} ×  (goal ≥ 50 ×)")


def in_process(days, values, runs: int, skip_python_aqi: bool):
    def once():
        return ours.compute_frame(days, values, resolver=ours.Resolver())

    result = once()
    seconds = timed_runs(once, runs)
    print(f"in process, compute_frame (tables built each run): {summary(seconds)}")
    if skip_python_aqi:
        return
    theirs, py_results, py_errors = [], None, 0
    for _ in range(runs):
        elapsed, py_results, py_errors = bench_python_aqi(values, len(days))
        theirs.append(elapsed)
    print(f"in process, python-aqi to_aqi per row:            {summary(theirs)}")
    print(f"in process ratio: {median(theirs) / median(seconds):,.0f} ×  (goal ≥ 200 ×)")
    before = days < np.datetime64("2026-03-01")
    compared = before & (py_results >= 0)
    differ = int((result.aqi[compared] != py_results[compared]).sum())
    print(
        f"python-aqi vs lantian on the {int(before.sum()):,} rows under HJ 633-2012: "
        f"{differ:,} AQI values differ ({differ / max(int(compared.sum()), 1):.1%}), "
        f"{py_errors:,} rows raised"
    )


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
    started = time.perf_counter()
    text = {k: [repr(float(v)) for v in values[k]] for k in COLUMNS}
    results = np.full(n, -1, dtype=np.int64)
    errors = 0
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
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-python-aqi", action="store_true")
    args = parser.parse_args()
    n = args.rows
    skip = args.skip_python_aqi
    if not skip:
        try:
            importlib.import_module("aqi.constants")
        except ImportError:
            print("python-aqi is not installed; to compare: .venv/bin/pip install python-aqi")
            skip = True
    print(machine())
    warn_if_busy()
    days, values = make_rows(n)
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "daily.csv"
        write_csv(path, days, values)
        size = path.stat().st_size / 1e6
        print(
            f"rows: {n:,} daily rows ({size:.1f} MB CSV), dates 2025-01-01 … 2026-12-31,"
            f" {args.runs} runs a side"
        )
        end_to_end(path, args.runs, skip)
    in_process(days, values, args.runs, skip)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
