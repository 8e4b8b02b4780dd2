"""Device-health detectors, measured: per detector recall and false-alarm rate on a generated
world of monitors with labelled faults (``monitoring/faults.py``) mixed into clean data.

    .venv/bin/python bench/device_health.py                       # 24 groups × 40 devices
    .venv/bin/python bench/device_health.py --districts 40 --per-group 20 --seed 7

recall = faulty devices of that fault the detector names ÷ devices with that fault;
false alarms = clean devices the detector names ÷ clean devices. Goal: recall ≥ 95 %,
false alarms ≤ 2 %. Also printed: how often a detector fires on devices with *other* faults
(a zero series is also a level drop, a copy's source is named with its copy), and the time.
Exit status 1 when a detector misses the goal.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitoring import detectors, faults  # noqa: E402

RECALL_GOAL, FALSE_ALARM_GOAL = 0.95, 0.02


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--districts", type=int, default=12)
    parser.add_argument("--per-group", type=int, default=40)
    parser.add_argument("--hours", type=int, default=168)
    parser.add_argument("--fault-share", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=212)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    world = faults.make_world(
        districts=args.districts,
        per_group=args.per_group,
        hours=args.hours,
        fault_share=args.fault_share,
        seed=args.seed,
    )
    made = time.perf_counter()
    results = faults.measure(world, detectors.Rules())
    done = time.perf_counter()
    n = len(world.series)
    clean = sum(1 for v in world.labels.values() if not v)
    print(
        f"devices {n} ({clean} clean, {n - clean} faulty) in {world.groups} groups, "
        f"{args.hours} hours each, seed {args.seed}; load {os.getloadavg()[0]:.2f}"
    )
    print(f"generate {made - started:.2f} s, detect {done - made:.2f} s")
    print(
        f"{'detector':<16} {'faulty':>6} {'recall':>8} {'false alarms':>14} {'on other faults':>16}"
    )
    ok = True
    for name, r in results.items():
        recall = "—" if r["recall"] is None else f"{100 * r['recall']:.1f} %"
        fa = f"{100 * r['false_alarms']:.2f} % ({r['false_n']})"
        good = (r["recall"] is None or r["recall"] >= RECALL_GOAL) and r[
            "false_alarms"
        ] <= FALSE_ALARM_GOAL
        ok &= good
        verdict = "ok" if good else "MISSES GOAL"
        print(f"{name:<16} {r['faulty']:>6} {recall:>8} {fa:>14} {r['other']:>16}  {verdict}")
    goal = f"recall ≥ {RECALL_GOAL:.0%}, false alarms ≤ {FALSE_ALARM_GOAL:.0%}"
    print(f"goal: {goal}: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
