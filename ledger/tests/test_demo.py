import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.demo import load_demo as load_accounts_demo
from audit.log import verify
from lantian.lib import tz
from lantian.todo import todos_for
from ledger import queries
from ledger.choices import Status
from ledger.demo import SEED_TITLE, load_demo
from ledger.models import Acceptance, Assignment, ProgressReport, Supervision, UnitScore
from ledger.tests.factories import import_sample

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 6, 10, 0, tzinfo=tz.LOCAL_TZ)
SEED = Path(settings.BASE_DIR) / "examples" / "plans" / "xian_2023_rectification_plan.txt"


@pytest.fixture
def examples(tmp_path, monkeypatch):
    """The example plans the demo imports: none unless a test copies one in."""
    import plans.demo

    monkeypatch.setattr(plans.demo, "EXAMPLES", tmp_path)
    return tmp_path


@time_machine.travel(NOW, tick=False)
def test_the_demo_is_idempotent_and_closes_out_one_part(registry, examples):
    load_accounts_demo(StringIO())
    plan = import_sample(None, title=SEED_TITLE).plan
    seed = plan.revisions.get(number=1).extraction
    load_demo(StringIO())
    models = (ProgressReport, Supervision, Acceptance, UnitScore)
    counts = [m.objects.count() for m in models]
    assert counts[0] > 3 and counts[3] > 0
    load_demo(StringIO())
    assert [m.objects.count() for m in models] == counts
    plan.refresh_from_db()
    assert plan.published and plan.revision == 2
    assert plan.revisions.get(number=1).extraction == seed  # the seed import stays as it was
    closed = plan.tasks.get(no=6).assignments.get(unit__name="鄠邑区政府")
    assert closed.status == "closed" and closed.closed_on is not None
    fume = ProgressReport.objects.filter(assignment__task__no=8, actuals__isnull=False).get()
    assert fume.actuals.get().value == 287
    waiting = Acceptance.objects.get(
        decided_at__isnull=True, assignment__unit__name="临潼区政府", assignment__task__no=6
    )  # the review group's to-do
    assert waiting.review_unit.name == "西安市住房和城乡建设局"


@time_machine.travel(NOW, tick=False)
def test_the_seeded_demo_is_a_programme_in_motion(registry, examples):
    shutil.copy(SEED, examples / SEED.name)
    load_accounts_demo(StringIO())
    load_demo(StringIO())
    users = get_user_model().objects
    today = tz.local_today()
    for name in ("office", "huyi", "zhujian"):
        assert todos_for(users.get(username=name), today), f"{name} has nothing to do"

    figures = queries.dashboard(users.get(username="office"), today)
    assert figures["due_soon_count"] > 0
    assert 0 < figures["overdue_count"] <= figures["total"] * 0.15  # a realistic few
    assert all(row["n"] > 0 for row in figures["by_status"] if row["status"] != "not_started")
    assert len(figures["burnup"]) >= 3  # closed out over months, not all today

    lines = Assignment.objects.lines()
    deadlines = [d for d in lines.values_list("task__deadline", flat=True) if d]
    assert min(deadlines) < today < max(deadlines)
    returned = Acceptance.objects.filter(passed=False)
    assert returned.exists() and lines.filter(status=Status.RETURNED).exists()
    assert ProgressReport.objects.filter(submitted_at__lt=NOW - dt.timedelta(days=60)).exists()
    assert not list(verify())  # replayed in date order: the audit chain holds
