"""Re-importing a revised plan: what the three-way merge costs the office.

Seed 000 (29 tasks) and copies of its items repeated to N tasks are imported, hand-edited (one
deadline corrected, one target added), then a revised version (one deadline moved, the last task
dropped, no issue date) is previewed and imported. Printed per size: seconds and queries of the
first import, of the preview (the change list the web page and ``lantian plan import`` show) and
of the re-import, and the number of change lines:

    .venv/bin/python bench/plan_reimport.py                        # 29, 290, 2,900 tasks, SQLite
    .venv/bin/python bench/plan_reimport.py --sizes 1,10 --database-url postgresql://…/scratch

The database is migrated and filled from scratch (a temporary SQLite file by default); never point
``--database-url`` at a database you care about.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import machine, warn_if_busy  # noqa: E402

SEED = ROOT / "examples" / "plans" / "xian_2023_rectification_plan.txt"


def repeated(extraction: dict, factor: int, title: str) -> dict:
    """The seed's items ``factor`` times, numbered on, as a plan of its own."""
    items = [
        dict(copy.deepcopy(item), no=k)
        for k, item in enumerate(extraction["items"] * factor, start=1)
    ]
    return {**extraction, "title": title, "items": items}


def revised(extraction: dict) -> dict:
    """One deadline moved, the last task dropped, no issue date."""
    out = copy.deepcopy(extraction)
    out["issued"] = None
    out["items"] = out["items"][:-1]
    seven = out["items"][6]
    seven["deadline"], seven["deadline_raw"] = "2024-09-30", "2024年9月底"
    return out


def measured(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, seconds, len(queries)


def run(factor: int, seed: dict, office) -> str:
    from ledger import services

    title = f"{seed['title']}（基准 ×{factor}）"
    first = repeated(seed, factor, title)
    first["issued"] = "2023-09-28"

    def do_import(extraction):
        return services.import_plan_extraction(
            extraction,
            source_name="bench.txt",
            source_bytes=title.encode() + str(len(extraction["items"])).encode(),
            acting_user=office,
        )

    outcome, t_import, q_import = measured(lambda: do_import(first))
    plan = outcome.plan
    services.update_task(
        plan.tasks.get(no=9),
        deadline=dt.date(2024, 4, 30),
        deadline_raw="2024年4月底",
        acting_user=office,
    )
    services.add_target(
        plan.tasks.get(no=8), indicator="联网率", value=Decimal(95), unit="%", acting_user=office
    )
    second = revised(first)
    preview, t_preview, q_preview = measured(lambda: services.preview_plan_import(second))
    again, t_again, q_again = measured(lambda: do_import(second))
    assert again.changes == preview.changes
    return (
        f"{len(first['items']):>6} tasks  import {t_import:6.2f} s {q_import:>5} q  "
        f"preview {t_preview:6.2f} s {q_preview:>5} q  "
        f"re-import {t_again:6.2f} s {q_again:>5} q  {len(again.changes)} change lines"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="seed repetitions (29 tasks each)")
    parser.add_argument("--database-url", help="a scratch database (default: a temporary SQLite)")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="lantian-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    os.environ.setdefault("MEDIA_ROOT", f"{scratch}/media")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import Membership, Unit
    from accounts.registry import load_registry
    from plans.extract import parse_file

    call_command("migrate", verbosity=0)
    load_registry()
    office = get_user_model().objects.create_user("bench-office")
    unit = Unit.objects.get(city__name="西安市", name="市生态环境保护督察整改工作领导小组办公室")
    Membership.objects.create(user=office, unit=unit, role=Role.OFFICE_ADMIN)
    seed = parse_file(SEED.read_bytes(), filename=SEED.name)
    print(machine())
    warn_if_busy()
    for factor in (int(s) for s in args.sizes.split(",")):
        print(run(factor, seed, office), flush=True)
    print(machine())


if __name__ == "__main__":
    main()
