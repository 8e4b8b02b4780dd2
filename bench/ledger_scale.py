"""Ledger at city scale: 10,000 tasks, 500 units, 1 million audit rows in PostgreSQL.

Builds the data set (bulk inserts; the audit rows through COPY), then times the pages the
office, a unit officer and the public open all day — list, dashboard (warm, and the first view
after a change), task detail, line with its timeline, API, public plan and item pages — each
request on a different object, and prints p50/p95, the SQL time, the queries of every request
(median/max) and the response size:

    .venv/bin/python bench/ledger_scale.py                      # 10,000 tasks (build if needed)
    .venv/bin/python bench/ledger_scale.py --sizes 1000,10000   # both, and the growth table
    .venv/bin/python bench/ledger_scale.py --rebuild            # drop the bench databases first

The bench databases are dropped and created on ``--rebuild``; never point them at a database
you care about. Timings are in-process (Django test client, no network or server start-up):
what the page's own work costs. Target: p95 < 150 ms, SQL time flat from 1 k to 10 k tasks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
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
    per_plan = min(1000, n_tasks)
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
            "object_repr, changes, reason, prev_hash, hash, key_id) FROM STDIN"
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
                    "bench",  # not a real key: these rows are for reading, not for verify
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


# The dashboard's figures are cached until the next audited change: these rows pay for the
# first view after one (a change is recorded before each request, outside the timing).
AFTER_CHANGE = "dashboard after a change"
AFTER_CHANGE_OFFICER = "dashboard after a change (officer)"


def touch() -> None:
    """An audited change, as any report, status move or extension makes."""
    from audit.log import record
    from ledger.models import Plan

    record("基准", "bench.touched", Plan.objects.order_by("pk").first())


def pages() -> list[tuple[str, str, list[str]]]:
    """(user, page, URLs): each page's requests rotate over many objects, as a day's visitors
    do, instead of repeating one warm URL."""
    from django.urls import reverse

    from ledger.models import Assignment, Plan, Task

    rng = random.Random(11)
    tasks = list(Task.objects.order_by("pk").values_list("pk", flat=True))
    lines = list(Assignment.objects.filter(works=True).order_by("pk").values_list("pk", flat=True))
    busy = list(
        Assignment.objects.filter(works=True, reports__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()[:200]
    )
    plan = Plan.objects.order_by("pk").first()
    if not plan.published:
        plan.published = True
        plan.save(update_fields=["published"])
    # the public sees the published plan's items only (at 10,000 tasks there are ten plans)
    public = list(plan.tasks.order_by("pk").values_list("pk", flat=True))
    listing = reverse("ledger-task-list")
    n_pages = max(1, len(tasks) // 50)
    public_pages = max(1, len(public) // 50)  # beyond the last, a page number shows the last
    sample = lambda pool, k=60: [pool[rng.randrange(len(pool))] for _ in range(k)]  # noqa: E731
    return [
        ("office", "ledger list", [f"{listing}?page={p}" for p in sample(range(1, n_pages + 1))]),
        ("office", "ledger list, overdue", [f"{listing}?overdue=1"]),
        ("office", "ledger list, search", [f"{listing}?q=扬尘&page={p}" for p in range(1, 4)]),
        ("office", "dashboard", [reverse("ledger-dashboard")]),
        ("office", AFTER_CHANGE, [reverse("ledger-dashboard")]),
        ("office", "units", [reverse("ledger-unit-list")]),
        ("office", "task detail", [reverse("ledger-task", args=[t]) for t in sample(tasks)]),
        (
            "office",
            "line + timeline",
            [reverse("ledger-assignment", args=[a]) for a in sample(busy or lines)],
        ),
        ("office", "api dashboard", ["/api/v1/ledger/dashboard"]),
        ("bench-officer", "ledger list (unit officer)", [listing]),
        ("bench-officer", "dashboard (unit officer)", [reverse("ledger-dashboard")]),
        ("bench-officer", AFTER_CHANGE_OFFICER, [reverse("ledger-dashboard")]),
        (
            None,
            "public plan page",
            [f"/public/plans/{plan.pk}/?page={p}" for p in sample(range(1, public_pages + 1))],
        ),
        (None, "public item page", [f"/public/items/{t}/" for t in sample(public)]),
    ]


def measure(requests: int) -> dict[str, dict]:
    """Per page: p50/p95 ms, median SQL ms, median and max queries, median KB."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from audit.models import AuditEvent
    from ledger.models import Assignment, Task

    print(
        f"data: {Task.objects.count():,} tasks, "
        f"{Assignment.objects.filter(works=True).count():,} lines, "
        f"{AuditEvent.objects.count():,} audit rows"
    )
    User = get_user_model()
    figures = {}
    print(
        f"{'page':<30}{'user':<15}{'p50 ms':>9}{'p95 ms':>9}{'SQL ms':>9}{'queries':>12}{'KB':>8}"
    )
    for username, label, urls in pages():
        client = Client()
        if username:
            name = "bench-office" if username == "office" else username
            client.force_login(User.objects.get(username=name))
        for url in urls[:3]:  # warm the process (templates, regulations), not the objects
            assert client.get(url).status_code == 200, url
        timings, sql, queries, sizes = [], [], [], []
        for i in range(requests):
            url = urls[i % len(urls)]
            if label in (AFTER_CHANGE, AFTER_CHANGE_OFFICER):
                touch()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
            queries.append(len(ctx.captured_queries))
            sizes.append(len(response.content) / 1024)
        p95 = statistics.quantiles(timings, n=20)[-1]
        row = {
            "p50": statistics.median(timings),
            "p95": p95,
            "sql": statistics.median(sql),
            "queries": (statistics.median(queries), max(queries)),
            "kb": statistics.median(sizes),
        }
        figures[label] = row
        q = f"{row['queries'][0]:.0f}/{row['queries'][1]}"
        print(
            f"{label:<30}{username or 'public':<15}{row['p50']:>9.1f}{p95:>9.1f}"
            f"{row['sql']:>9.1f}{q:>12}{row['kb']:>8.0f}"
        )
    return figures


def growth(results: dict[int, dict[str, dict]]) -> None:
    """Each page's p95 and SQL time at every size, and the largest over the smallest."""
    sizes = sorted(results)
    if len(sizes) < 2:
        return
    small, large = sizes[0], sizes[-1]
    print(f"\ngrowth {small:,} → {large:,} tasks (p95 ms, SQL ms; ratio)")
    for label in results[small]:
        a, b = results[small][label], results[large][label]
        print(
            f"{label:<30}p95 {a['p95']:>7.1f} → {b['p95']:>7.1f} ({b['p95'] / a['p95']:.1f}×)"
            f"   SQL {a['sql']:>6.1f} → {b['sql']:>6.1f} ({b['sql'] / max(a['sql'], 0.01):.1f}×)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument("--rebuild", action="store_true", help="drop and build the data again")
    parser.add_argument(
        "--sizes", default="10000", help="tasks per data set, comma-separated (1000,10000)"
    )
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--audit-per-task", type=int, default=100)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    from bench.common import load, machine

    print(machine())
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    for size in sizes:
        url = args.pg_url if len(sizes) == 1 else f"{args.pg_url}_{size}"
        if len(sizes) > 1:
            # one interpreter, several databases: measure each in a child process
            import subprocess

            argv = [sys.executable, __file__, "--pg-url", url, "--sizes", str(size)]
            argv += ["--units", str(args.units), "--audit-per-task", str(args.audit_per_task)]
            argv += ["--requests", str(args.requests)] + (["--rebuild"] if args.rebuild else [])
            done = subprocess.run(argv, capture_output=True, text=True)
            if done.returncode:
                raise SystemExit(f"{size:,} tasks failed:\n{done.stdout}{done.stderr[-3000:]}")
            out = done.stdout
            print(f"\n== {size:,} tasks\n" + out)
            results[size] = json.loads(out.rsplit("FIGURES ", 1)[1])
            continue
        rebuild = args.rebuild or not has_data(url)
        if rebuild:
            recreate_database(url)
        setup_django(url)
        if rebuild:
            build(size, args.units, size * args.audit_per_task)
        figures = measure(args.requests)
        print(f"load average after: {load()}")
        print("FIGURES " + json.dumps(figures))
    growth(results)


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
