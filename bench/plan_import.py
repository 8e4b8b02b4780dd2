"""What importing a plan costs the office: ``lantian plan import`` as a whole process and the
web commit (upload → preview → 导入台账), for seed 000 and for its items repeated.

    .venv/bin/python bench/plan_import.py [--runs 3] [--sizes 1,3]

Printed: the command's median wall time (Django start-up included; a scratch database each
run, so every run is a first import), and per size the web commit's seconds and queries (the
queries must not grow with the tasks). Goal (issue 14): < 1 s for seed 000. The database is a
temporary SQLite, migrated once and copied for each run.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import VENV_BIN, machine, run_process, summary, warn_if_busy  # noqa: E402

SEED = ROOT / "examples" / "plans" / "xian_2023_rectification_plan.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,3", help="seed repetitions for the web commit")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="lantian-bench-"))
    template = scratch / "template.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{template}", "MEDIA_ROOT": str(scratch)}
    print(machine())
    warn_if_busy()
    done = run_process([str(VENV_BIN / "lantian"), "setup"], env=env)
    print(f"scratch database set up in {done:.1f} s")

    seconds = []
    for k in range(args.runs):
        db = scratch / f"run{k}.sqlite3"
        shutil.copy(template, db)
        command = [str(VENV_BIN / "lantian"), "plan", "import", str(SEED), "--yes"]
        seconds.append(
            run_process(command, env={**env, "DATABASE_URL": f"sqlite:///{db}"}, check=True)
        )
    print(f"lantian plan import seed 000 (process)   {summary(seconds)}  goal <1.0 s")

    os.environ.update({"DATABASE_URL": f"sqlite:///{template}", "MEDIA_ROOT": str(scratch)})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantian.settings")
    import django

    django.setup()
    web(args.sizes)
    print(machine())
    shutil.rmtree(scratch, ignore_errors=True)


def web(sizes: str) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.choices import Role
    from accounts.models import Membership, Unit
    from plans.extract import parse_file
    from plans.models import ImportDraft

    office = get_user_model().objects.create_user("bench-office")
    unit = Unit.objects.get(city__name="西安市", name="市生态环境保护督察整改工作领导小组办公室")
    Membership.objects.create(user=office, unit=unit, role=Role.OFFICE_ADMIN)
    client = Client()
    client.force_login(office)
    seed = parse_file(SEED)
    for factor in (int(s) for s in sizes.split(",")):
        text = SEED.read_text(encoding="utf-8")
        response = client.post(reverse("plan-import"), {"text": text})
        draft = ImportDraft.objects.order_by("-pk").first()
        assert response.status_code == 302, response.status_code
        if factor > 1:  # the seed's items repeated, numbered on, under a title of its own
            items = [
                dict(copy.deepcopy(item), no=k)
                for k, item in enumerate(seed["items"] * factor, start=1)
            ]
            draft.extraction = {**draft.extraction, "items": items, "title": f"基准 ×{factor}"}
            draft.save(update_fields=["extraction"])
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.post(reverse("plan-draft-commit", args=[draft.pk]))
            elapsed = time.perf_counter() - started
        assert response.status_code == 302, response.status_code
        tasks = len(draft.extraction["items"])
        print(f"web commit {tasks:>5} tasks   {elapsed:6.2f} s  {len(queries):>5} queries")


if __name__ == "__main__":
    main()
