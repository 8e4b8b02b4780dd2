import pytest
from django.http import Http404

from accounts.access import CHANGE, VIEW, can, get_for_user, restrict
from accounts.models import Unit


@pytest.fixture
def unit(world):
    return world.unit("鄠邑区政府")


@pytest.mark.parametrize(
    ("who", "view", "change"),
    [
        ("office", True, True),
        ("leader", True, False),
        ("huyi", True, False),
        ("reviewer", True, False),
        ("inspector", True, False),
        ("outsider", False, False),
    ],
)
def test_unit_registry_matrix(world, unit, who, view, change):
    user = getattr(world, who)
    assert can(user, VIEW, unit) is view
    assert can(user, CHANGE, unit) is change


def test_anonymous_sees_no_units(world, unit):
    from django.contrib.auth.models import AnonymousUser

    assert not restrict(Unit.objects.all(), AnonymousUser()).exists()


def test_lookup_by_id_answers_404_to_the_refused(world, unit):
    assert get_for_user(Unit, world.office, unit.pk) == unit
    with pytest.raises(Http404):
        get_for_user(Unit, world.outsider, unit.pk)
    with pytest.raises(Http404):
        get_for_user(Unit, world.office, "not-a-number")


def test_a_model_without_a_policy_is_hidden_from_officers(world):
    from audit.models import AuditEvent

    assert restrict(AuditEvent.objects.all(), world.huyi).query.is_empty()
    assert not restrict(AuditEvent.objects.all(), world.leader).query.is_empty()


def test_unit_list_page(client, world):
    assert client.get("/units/").status_code == 302
    client.force_login(world.outsider)
    assert client.get("/units/").status_code == 403
    client.force_login(world.huyi)
    response = client.get("/units/")
    assert response.status_code == 200
    assert "西安市发展和改革委员会" in response.content.decode()


def test_units_api_uses_the_same_rules(client, world):
    assert client.get("/api/v1/units/").status_code == 401
    client.force_login(world.outsider)
    assert client.get("/api/v1/units/").json() == []
    client.force_login(world.huyi)
    names = [u["name"] for u in client.get("/api/v1/units/?q=鄠邑").json()]
    assert names == ["鄠邑区委", "鄠邑区政府"]


def test_openapi_document_is_served(client, world):
    client.force_login(world.office)
    assert client.get("/api/v1/docs").status_code == 200
    assert "/api/v1/units/" in client.get("/api/v1/openapi.json").json()["paths"]
