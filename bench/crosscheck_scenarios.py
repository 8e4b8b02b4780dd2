"""How well the cross-checks tell fakes from honest work: labelled scenarios, measured.

Builds, on a fresh database, ``--n`` labelled scenarios (default 240): honest rectification
(including honest look-alikes: the same site photographed again a month later, the standard
wording every unit uses, a genuine quick completion, a 整改前 photo, photos without EXIF, an
honest inspector's day, an industrial park, a shutdown recorded as such) and every kind of
fake (old, relocated, edited and reused photos, copied narratives, last-minute jumps,
impossible inspection routes, inspections at one minute or one spot, pasted photos and
signatures, inspections on idle days, close-outs while the district's rank worsens). Runs
every check once, then prints recall and false-flag rate per check and overall; the last line
is ``scenarios=<n> recall=<r> false_flag_rate=<f>``. Goal: recall ≥ 0.95, false flags ≤ 0.05.

    .venv/bin/python bench/crosscheck_scenarios.py                 # SQLite in a temp dir
    .venv/bin/python bench/crosscheck_scenarios.py --n 60 --seed 3
    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/lantian_bench_crosscheck \\
        .venv/bin/python bench/crosscheck_scenarios.py --pg       # dropped and created first

Times printed: building the scenarios (photos rendered, reports filed through the services)
and the sweep (every check, photo fingerprints and comparisons included), with machine load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_crosscheck"


def recreate_pg(url: str) -> None:
    import psycopg

    from lantian.lib.dburl import parse_database_url

    db = parse_database_url(url)
    admin = psycopg.connect(
        dbname="postgres",
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    admin.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=240, help="number of scenarios")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL (BENCH_PG_URL) instead")
    parser.add_argument("--verbose", action="store_true", help="list misses and false flags")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="lantian-crosscheck-bench-")
    if args.pg:
        url = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
        recreate_pg(url)
    else:
        url = f"sqlite:///{work}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = f"{work}/media"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.registry import load_registry
    from crosscheck.scenarios import build
    from regulations.loading import load_regulations

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    load_registry()
    load_regulations()
    print(
        f"fresh database ({'PostgreSQL' if args.pg else 'SQLite'}) "
        f"in {time.monotonic() - started:.1f} s"
    )
    score, timings = build.measure(args.n, args.seed)
    print(
        f"built {len(score.scenarios)} scenarios in {timings['build']:.1f} s; "
        f"sweep (every check) {timings['sweep']:.1f} s; load {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs"
    )
    print(build.report(score, verbose=args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
