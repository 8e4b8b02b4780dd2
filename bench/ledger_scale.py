"""Ledger at city scale: 10,000 tasks, 500 units, 1 million audit rows in PostgreSQL.

Builds the data set (bulk inserts; the audit rows through COPY), then times the pages the
office opens all day and prints p50/p95 and the number of queries per page:

    .venv/bin/python bench/ledger_scale.py                    # build (if needed) and measure
    .venv/bin/python bench/ledger_scale.py --rebuild          # drop the bench database first
    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/lantian_bench_ledger ...

The bench database is dropped and created on ``--rebuild``; never point it at a database you
care about. Timings are in-process (Django test client, no network), which is what the
page's own work costs; the target is p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/lantian_bench_ledger"


def recreate_database(url: str) -> None:
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


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()


def build(n_tasks: int, n_units: int, n_audit: int, seed: int = 7) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count

    from accounts.choices import Role, UnitKind
    from accounts.models import District, Membership, Unit
    from accounts.registry import load_registry
    from ledger.models import Assignment, Measure, Plan, ProgressReport, Task

    rng = random.Random(seed)
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    load_registry()
    city = District.objects.get(name="西安市", parent=None)
    districts = list(District.objects.filter(parent=city))
    existing = Unit.objects.filter(city=city).count()
    Unit.objects.bulk_create(
        Unit(
            city=city,
            name=f"基准单位{i:04d}",
            full_name=f"基准单位{i:04d}",
            kind=UnitKind.BUREAU,
            district=rng.choice(districts),
        )
        for i in range(max(0, n_units - existing))
    )
    units = list(Unit.objects.filter(city=city))
    reviewers = units[:20]
    print(f"units: {len(units)}")

    statuses = (
        ["not_started"] * 2 + ["in_progress"] * 5 + ["applied", "returned", "closed", "closed"]
    )
    per_plan = 1000
    today = dt.date.today()
    with transaction.atomic():
        for p in range(n_tasks // per_plan):
            plan = Plan.objects.create(
                city=city,
                title=f"基准方案 {p + 1}",
                kind="task_list",
                issued=dt.date(2023, 10, 9),
                report_day=0,
            )
            tasks = Task.objects.bulk_create(
                Task(
                    plan=plan,
                    no=n + 1,
                    title=f"基准问题 {p + 1}-{n + 1}：工地扬尘在线监测超标未处置",
                    problem="基准数据",
                    target="整改到位",
                    deadline=dt.date(2023, 12, 31) + dt.timedelta(days=rng.randint(0, 1100)),
                    ongoing=rng.random() < 0.2,
                )
                for n in range(per_plan)
            )
            lines, measures = [], []
            for task in tasks:
                for unit in rng.sample(units, 2 if rng.random() < 0.2 else 1):
                    status = rng.choice(statuses)
                    lines.append(
                        Assignment(
                            task=task,
                            unit=unit,
                            responsible=True,
                            works=True,
                            status=status,
                            district=unit.district,
                            closed_on=today - dt.timedelta(days=rng.randint(1, 700))
                            if status == "closed"
                            else None,
                        )
                    )
                lines.append(
                    Assignment(
                        task=task, unit=rng.choice(reviewers), acceptance=True, acceptance_lead=True
                    )
                )
                measures += [
                    Measure(
                        task=task, position=k + 1, no=k + 1, text="加强扬尘在线监测设备运行管理"
                    )
                    for k in range(2)
                ]
            Assignment.objects.bulk_create(lines, ignore_conflicts=True)
            Measure.objects.bulk_create(measures)
        line_ids = list(Assignment.objects.filter(works=True).values_list("pk", flat=True))
        reports = []
        for pk in rng.sample(line_ids, min(len(line_ids), 30_000)):
            period = dt.date(2024, rng.randint(1, 12), 1)
            reports.append(
                ProgressReport(
                    assignment_id=pk,
                    period=period,
                    narrative="按月报送的整改进展",
                    percent=rng.randint(0, 100),
                    submitted_at=dt.datetime(2024, period.month, 25, tzinfo=dt.UTC),
                )
            )
        ProgressReport.objects.bulk_create(reports, ignore_conflicts=True)
    print(f"tasks: {Task.objects.count()}, lines: {len(line_ids)}, reports: {len(reports)}")

    task_ids = list(Task.objects.values_list("pk", flat=True))
    kinds = [
        ("ledger.assignment", line_ids, "report.submitted"),
        ("ledger.task", task_ids, "task.created"),
    ]
    with (
        connection.connection.cursor() as cursor,
        cursor.copy(
            "COPY audit_auditevent (created_at, actor_name, action, object_type, object_id, "
            "object_repr, changes, reason, prev_hash, hash) FROM STDIN"
        ) as copy,
    ):
        previous = "0" * 64
        base = dt.datetime(2023, 10, 1, tzinfo=dt.UTC)
        for i in range(n_audit):
            object_type, ids, action = kinds[0] if i % 4 else kinds[1]
            digest = hashlib.sha256(f"bench-{i}".encode()).hexdigest()
            copy.write_row(
                (
                    base + dt.timedelta(seconds=30 * i),
                    "基准",
                    action,
                    object_type,
                    str(rng.choice(ids)),
                    "基准对象",
                    "{}",
                    "",
                    previous,
                    digest,
                )
            )
            previous = digest
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    office, _ = _user("bench-office")
    Membership.objects.get_or_create(
        user=office,
        unit=Unit.objects.get(city=city, name="市生态环境保护督察整改工作领导小组办公室"),
        role=Role.OFFICE_ADMIN,
    )
    officer, _ = _user("bench-officer")
    busiest = (
        Assignment.objects.filter(works=True)
        .values("unit_id")
        .order_by()
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    Membership.objects.get_or_create(
        user=officer, unit_id=busiest["unit_id"], role=Role.UNIT_OFFICER
    )
    print(f"built in {time.monotonic() - started:.0f} s")


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username=username)


def measure(requests: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from audit.models import AuditEvent
    from ledger.models import Assignment, Task

    print(
        f"data: {Task.objects.count():,} tasks, "
        f"{Assignment.objects.filter(works=True).count():,} lines, "
        f"{AuditEvent.objects.count():,} audit rows"
    )
    User = get_user_model()
    busy_line = Assignment.objects.filter(works=True, reports__isnull=False).order_by("pk").first()
    pages = [
        ("office", "ledger list", reverse("ledger-task-list")),
        ("office", "ledger list, overdue", reverse("ledger-task-list") + "?overdue=1"),
        ("office", "ledger list, search", reverse("ledger-task-list") + "?q=扬尘&page=3"),
        ("office", "dashboard", reverse("ledger-dashboard")),
        ("office", "units", reverse("ledger-unit-list")),
        ("office", "line + timeline", reverse("ledger-assignment", args=[busy_line.pk])),
        ("office", "api dashboard", "/api/v1/ledger/dashboard"),
        ("bench-officer", "ledger list (unit officer)", reverse("ledger-task-list")),
        ("bench-officer", "dashboard (unit officer)", reverse("ledger-dashboard")),
    ]
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs (timings stretch with load)")
    print(f"{'page':<30}{'user':<15}{'p50 ms':>9}{'p95 ms':>9}{'SQL ms':>9}{'queries':>9}")
    for username, label, url in pages:
        client = Client()
        user = User.objects.get(username="bench-office" if username == "office" else username)
        client.force_login(user)
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        timings, sql = [], []
        for _ in range(requests):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(
            f"{label:<30}{username:<15}{statistics.median(timings):>9.1f}{p95:>9.1f}"
            f"{statistics.median(sql):>9.1f}{len(ctx.captured_queries):>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--rebuild", action="store_true", help="drop and build the data again")
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    if args.rebuild or not has_data(args.pg_url):
        recreate_database(args.pg_url)
        args.rebuild = True
    setup_django(args.pg_url)
    if args.rebuild:
        build(args.tasks, args.units, args.audit)
    measure(args.requests)


def has_data(url: str) -> bool:
    import psycopg

    from lantian.lib.dburl import parse_database_url

    db = parse_database_url(url)
    try:
        with psycopg.connect(
            dbname=db["NAME"],
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
        ) as conn:
            return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM ledger_task)").fetchone()[0])
    except psycopg.Error:
        return False


if __name__ == "__main__":
    main()
