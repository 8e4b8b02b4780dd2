import datetime as dt

import pytest
from django.core.management import call_command

from emergency.models import Episode


@pytest.fixture
def demo(db):
    import io

    call_command("setup", "--demo", stdout=io.StringIO())


def test_public_pages_show_air_quality_and_the_warning_without_internals(client, demo):
    page = client.get("/public/").content.decode()
    assert "空气质量" in page and "AQI" in page
    air = client.get("/public/air/").content.decode()
    assert 'id="public-districts"' in air and "鄠邑区" in air
    for secret in ("lantian-demo", "联络员", "王主任", "evidence", "/ledger/", "/monitoring/"):
        assert secret not in page and secret not in air
    if not Episode.objects.filter(lifted_at=None).exists():
        assert "预警生效中" not in page


def test_an_active_warning_is_announced(client, demo, registry):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from emergency import services

    office = get_user_model().objects.get(username="office")
    services.issue_episode(
        city=registry["西安市"],
        level="orange",
        starts_at=timezone.now() - dt.timedelta(hours=1),
        basis_note="测试",
        acting_user=office,
    )
    page = client.get("/public/").content.decode()
    assert "橙色预警生效中" in page
