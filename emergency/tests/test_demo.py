import io

import pytest
from django.core.management import call_command

from emergency import draws
from emergency.models import Case, DrawRound, Enterprise, Episode, Inspection


@pytest.mark.django_db
def test_the_demo_loads_a_past_episode_once(registry):
    call_command("setup", "--demo", stdout=io.StringIO())
    counts = [m.objects.count() for m in (Enterprise, Episode, DrawRound, Inspection, Case)]
    assert counts[0] == 400 and counts[1] == 1 and counts[2] == 3
    episode = Episode.objects.get()
    assert episode.lifted_at and [s.kind for s in episode.steps.all()] == [
        "issue",
        "upgrade",
        "lift",
    ]
    assert set(DrawRound.objects.values_list("level", flat=True)) == {"yellow", "orange"}
    assert Inspection.objects.filter(status="done").exists() and Case.objects.exists()
    assert all(draws.verify_round(r).ok for r in DrawRound.objects.all())
    call_command("setup", "--demo", stdout=io.StringIO())
    assert [m.objects.count() for m in (Enterprise, Episode, DrawRound, Inspection, Case)] == counts
