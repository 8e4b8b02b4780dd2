"""Benchmark: what each ``lantian`` command costs a person from the shell, start-up included.

    .venv/bin/python bench/startup.py [--runs 7]

Runs each command as a whole process the same number of times and prints the median, with
the machine's load. Goals (issue 19): ``lantian --help`` < 0.3 s; ``plan parse`` of seed 000
< 0.5 s. Commands that need no database (``plan parse``, ``hj212 parse``, ``aqi compute``,
``aqi table``, ``--help``) do not start Django; the others pay Django's set-up, shown by
``lantian check`` and ``lantian plan --help``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, VENV_BIN, machine, median, run_process, summary, warn_if_busy  # noqa: E402

FRAME = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
    b"Flag=5;CP=&&RtdInterval=30&&1C80\n"
)
CSV = b"time,pm25,pm10,co\n2026-02-28,75,100,1.9\n2026-03-01,75,100,2.2\n"
SEED = ROOT / "examples/plans/xian_2023_rectification_plan.txt"
DOCX = ROOT / "testdata/plans/task_table.docx"

# (label, arguments, stdin, goal in seconds or None)
COMMANDS = [
    ("python -c pass (the floor)", None, None, None),
    ("lantian --help", ["--help"], None, 0.3),
    ("lantian plan parse seed 000 (.txt)", ["plan", "parse", str(SEED)], None, 0.5),
    ("lantian plan parse task_table.docx", ["plan", "parse", str(DOCX)], None, None),
    ("lantian hj212 parse (1 frame)", ["hj212", "parse"], FRAME, None),
    ("lantian aqi compute (2 rows)", ["aqi", "compute"], CSV, None),
    ("lantian aqi table", ["aqi", "table", "--on", "2026-03-01"], None, None),
    ("lantian plan --help (Django)", ["plan", "--help"], None, None),
    ("lantian check (Django)", ["check"], None, None),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    print(machine())
    warn_if_busy()
    lantian = str(VENV_BIN / "lantian")
    print(f"{'command':<40}{'median':>9}  {'goal':>6}  spread")
    for label, command, stdin, goal in COMMANDS:
        argv_ = [sys.executable, "-c", "pass"] if command is None else [lantian, *command]
        run_process(argv_, stdin=stdin)  # warm the file cache once, not counted
        seconds = [run_process(argv_, stdin=stdin) for _ in range(args.runs)]
        verdict = "" if goal is None else ("ok" if median(seconds) < goal else "MISSED")
        goal_text = f"<{goal:.1f}s" if goal else ""
        print(f"{label:<40}{median(seconds):>8.3f}s  {goal_text:>6}  {summary(seconds)} {verdict}")
    print(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
