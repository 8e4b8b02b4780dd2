"""What every bench prints beside its figures: the machine, its load, medians of equal runs.

A bench measures what a person pays: whole processes where a person starts a process, the
same number of runs for each side, the median reported (with the spread), and the machine's
load average before and after, so a figure taken on a busy machine is recognisable as such.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    """One line: CPU count, Python, load average (1/5/15 min)."""
    return (
        f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, load average {load()}"
    )


def quiet_enough(limit: float = 1.5) -> bool:
    return os.getloadavg()[0] < limit


def warn_if_busy(limit: float = 1.5) -> None:
    if not quiet_enough(limit):
        print(
            f"!! load average {load()} ≥ {limit}: figures are inflated; re-run on a quiet machine"
        )


def timed_runs(fn, runs: int) -> list[float]:
    """Seconds of ``runs`` calls of ``fn``."""
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def run_process(argv: list[str], *, stdin: bytes | None = None, env=None, check=True) -> float:
    """Seconds a whole process takes, start-up included (stdin fed, stdout discarded)."""
    started = time.perf_counter()
    done = subprocess.run(
        argv,
        input=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    if check and done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(map(str, argv))} failed: {done.stderr.decode()[-500:]}")
    return seconds


def summary(seconds: list[float]) -> str:
    """``median 0.123 s (min 0.120, max 0.130, n=7)``."""
    return (
        f"median {statistics.median(seconds):.3f} s (min {min(seconds):.3f}, "
        f"max {max(seconds):.3f}, n={len(seconds)})"
    )


def median(seconds: list[float]) -> float:
    return statistics.median(seconds)
