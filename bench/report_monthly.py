"""How long ``lantian report monthly`` takes, end to end, as the office pays it.

Runs the command as a fresh process (start-up included) against the database in use (the demo
of ``make run`` by default: var/lantian.sqlite3, or DATABASE_URL), ``--runs`` times for each
format, and prints the median and the range beside the data sizes and the machine load.
``--dry-run`` is used so the runs do not fill the archive with revisions.

    .venv/bin/python bench/report_monthly.py [--month 2026-11] [--runs 5] [--pdf]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", default="")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="也测 PDF（LibreOffice 转换）")
    args = parser.parse_args()
    lantian = str(Path(sys.executable).parent / "lantian")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()
    from lantian.lib import tz
    from ledger.models import Assignment
    from monitoring.models import Alarm, Reading
    from reports.periods import previous_month

    month = args.month or f"{previous_month(tz.local_today()):%Y-%m}"
    print(
        f"data: {Assignment.objects.lines().count()} lines of work, "
        f"{Reading.objects.count()} readings, {Alarm.objects.count()} alarms; month {month}"
    )
    formats = [".docx", ".xlsx"] + ([".pdf"] if args.pdf else [])
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in formats:
            times = []
            for i in range(args.runs):
                out = Path(tmp) / f"report{i}{suffix}"
                started = time.perf_counter()
                subprocess.run(
                    [
                        lantian,
                        "report",
                        "monthly",
                        "--month",
                        month,
                        "--dry-run",
                        "--out",
                        str(out),
                    ],
                    check=True,
                    capture_output=True,
                )
                times.append(time.perf_counter() - started)
            size = out.stat().st_size / 1024
            print(
                f"lantian report monthly {suffix}: median {statistics.median(times):.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}, {args.runs} runs), "
                f"{size:.0f} KB, load {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
