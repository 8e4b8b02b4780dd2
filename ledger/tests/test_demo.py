from io import StringIO

import pytest

from accounts.demo import load_demo as load_accounts_demo
from ledger.demo import SEED_TITLE, load_demo
from ledger.models import Acceptance, ProgressReport, Supervision, UnitScore
from ledger.tests.factories import import_sample

pytestmark = pytest.mark.django_db


def test_the_demo_is_idempotent_and_closes_out_one_part(registry):
    load_accounts_demo(StringIO())
    plan = import_sample(None, title=SEED_TITLE).plan
    load_demo(StringIO())
    counts = [m.objects.count() for m in (ProgressReport, Supervision, Acceptance, UnitScore)]
    assert counts[0] == 3 and counts[1] == 1 and counts[2] == 2 and counts[3] > 0
    load_demo(StringIO())
    assert [
        m.objects.count() for m in (ProgressReport, Supervision, Acceptance, UnitScore)
    ] == counts
    plan.refresh_from_db()
    assert plan.published
    closed = plan.tasks.get(no=6).assignments.get(unit__name="鄠邑区政府")
    assert closed.status == "closed" and closed.closed_on is not None
    fume = ProgressReport.objects.get(assignment__task__no=8)
    assert fume.actuals.get().value == 287
    waiting = Acceptance.objects.get(decided_at__isnull=True)  # the review group's to-do
    assert waiting.assignment.unit.name == "临潼区政府"
    assert waiting.review_unit.name == "西安市住房和城乡建设局"
