"""Hostile and careless input to the API answers 4xx in the documented error shape, never 500.

Each case here is one the issue 11 probe found answering 500 (or an undocumented body)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

OUT_OF_RANGE_PAGES = [
    "/api/v1/emergency/enterprises?limit=-1",
    "/api/v1/emergency/enterprises?limit=0",
    "/api/v1/emergency/enterprises?limit=100000",
    "/api/v1/emergency/enterprises?offset=-1",
    "/api/v1/emergency/enterprises?offset=99999999999999999999",
    "/api/v1/ledger/tasks?limit=-5",
    "/api/v1/ledger/lines?offset=-1",
    "/api/v1/monitoring/devices?limit=0",
    "/api/v1/ledger/tasks/99999999999999999999",
    "/api/v1/ledger/tasks?plan=99999999999999999999",
    "/api/v1/monitoring/devices/1/readings?hours=99999999999999999999",
    # pydantic alone reads 0 as 1970-01-01; a day after 9999-12-31 does not exist
    "/api/v1/air/districts/1/days?end=0",
    "/api/v1/emergency/plans?day=0",
    "/api/v1/air/districts/1/days?end=9999-12-31",
]

# Every free-text or code filter of every list.
TEXT_FILTERS = [
    "/api/v1/units/?q=",
    "/api/v1/ledger/tasks?q=",
    "/api/v1/ledger/lines?q=",
    "/api/v1/ledger/lines?status=",
    "/api/v1/ledger/supervisions?kind=",
    "/api/v1/emergency/enterprises?q=",
    "/api/v1/emergency/enterprises?district=",
    "/api/v1/emergency/enterprises?grade=",
    "/api/v1/emergency/grades?city=",
    "/api/v1/monitoring/devices?kind=",
    "/api/v1/monitoring/devices/1/readings?code=",
    "/api/v1/monitoring/alarms?status=",
    "/api/v1/crosscheck/findings?status=",
    "/api/v1/crosscheck/findings?rule=",
    "/api/v1/air/responses?status=",
    "/api/v1/air/rankings?month=",
]


def assert_error_body(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body.get("messages", []), list)
    assert all(isinstance(m, str) for m in body.get("messages", []))


@pytest.mark.parametrize("url", OUT_OF_RANGE_PAGES)
def test_pages_and_ids_outside_their_bounds_answer_422(client, world, url):
    client.force_login(world.office)
    assert_error_body(client.get(url), 422)


@pytest.mark.parametrize("url", TEXT_FILTERS)
@pytest.mark.parametrize("bad", ["%00", "a%00b", "%01", "%1B%5B2J", "%7F"])
def test_control_characters_in_filters_answer_422(client, world, url, bad):
    client.force_login(world.office)
    assert_error_body(client.get(url + bad), 422)


def test_an_invalid_enum_in_a_body_answers_422(client, world):
    client.force_login(world.office)
    unit = world.unit("鄠邑区政府")
    body = {"kind": "party", "title": "t", "unit_ids": [unit.pk]}
    response = client.post(
        "/api/v1/ledger/supervisions", json.dumps(body), content_type="application/json"
    )
    assert_error_body(response, 422)
    assert "kind" in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "urge", "title": "a\x00b", "unit_ids": [1]},
        {"kind": "urge", "title": "t", "text": "\x1b[2J", "unit_ids": [1]},
        {"kind": "urge", "title": "t" * 100_000, "unit_ids": [1]},
        {"kind": "urge", "title": "t", "unit_ids": [2**70]},
    ],
)
def test_control_characters_and_oversized_values_in_bodies_answer_422(client, world, body):
    client.force_login(world.office)
    response = client.post(
        "/api/v1/ledger/supervisions", json.dumps(body), content_type="application/json"
    )
    assert_error_body(response, 422)


def test_a_lone_surrogate_answers_422_and_nan_400(client, world):
    client.force_login(world.office)
    raw = '{"kind": "urge", "title": "\\ud800", "unit_ids": [1]}'
    response = client.post("/api/v1/ledger/supervisions", raw, content_type="application/json")
    assert_error_body(response, 422)
    raw = '{"date": "2026-03-01", "values": {"pm25": NaN}}'
    response = client.post("/api/v1/air/aqi", raw, content_type="application/json")
    assert_error_body(response, 400)  # NaN is not JSON (RFC 8259)


def test_malformed_json_answers_400_in_the_error_shape(client, world):
    client.force_login(world.office)
    response = client.post("/api/v1/air/aqi", "{not json", content_type="application/json")
    assert_error_body(response, 400)


def test_every_error_answers_in_the_one_documented_shape(client, world):
    assert_error_body(client.get("/api/v1/ledger/tasks"), 401)
    client.force_login(world.outsider)
    assert_error_body(client.get("/api/v1/emergency/episodes"), 403)
    client.force_login(world.office)
    assert_error_body(client.get("/api/v1/ledger/tasks/424242"), 404)
    assert_error_body(client.get("/api/v1/ledger/tasks/abc"), 422)
    assert_error_body(client.get("/api/v1/air/rankings?month=2026-13"), 422)


def test_the_openapi_documents_every_status_and_the_error_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            statuses = set(operation["responses"])
            where = f"{method.upper()} {path}"
            if operation.get("security") != [] and "public" not in path:
                assert {"401", "403"} <= statuses, where
            if "{" in path:
                assert "404" in statuses, where
            if operation.get("parameters") or operation.get("requestBody"):
                assert "422" in statuses, where
            if operation.get("requestBody"):
                assert "400" in statuses, where
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), where


def test_the_readings_points_schema_describes_what_is_sent(client):
    schema = client.get("/api/v1/openapi.json").json()
    readings = schema["components"]["schemas"]["ReadingsOut"]["properties"]["points"]
    item = readings["items"]
    if "$ref" in item:
        item = schema["components"]["schemas"][item["$ref"].rsplit("/", 1)[1]]
    # Valid under OpenAPI 3.0 and 3.1 alike: an object with named fields, no tuple keywords.
    assert "prefixItems" not in json.dumps(item)
    assert item["type"] == "object"
    assert set(item["required"]) >= {"time", "value", "flag"}


def test_every_schema_of_the_api_has_its_own_name():
    """Two schemas of one name share one OpenAPI component, so one of them is documented
    wrongly (the task detail's measures were described as the reduction list's)."""
    from ninja import Schema

    import api.main  # noqa: F401 - mounts every app's router

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, str] = {}
    clashes = []
    for cls in subclasses(Schema):
        if (
            cls.__module__.split(".")[0] not in {"ninja", "pydantic"}
            and "tests" not in cls.__module__
        ):
            where = f"{cls.__module__}.{cls.__qualname__}"
            if cls.__name__ in seen and seen[cls.__name__] != where:
                clashes.append((seen[cls.__name__], where))
            seen.setdefault(cls.__name__, where)
    assert not clashes


@pytest.mark.parametrize(
    "url", ["/ledger/?q=%00", "/ledger/lines/?q=a%00b", "/monitoring/alarms/?status=%00"]
)
def test_a_nul_in_a_page_filter_answers_400_not_500(client, world, url):
    client.force_login(world.office)
    response = client.get(url)
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/monitoring/cases/null%2Cnull", "/api/v1/ledger/tasks/1/nothing", "/api/v1/nothing"],
)
def test_a_path_no_operation_matches_answers_the_api_error_in_json(client, world, url):
    """Found by schemathesis: a non-numeric id never reached the API and got the HTML 404."""
    client.force_login(world.office)
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_pages_keep_their_own_404_page(client, world):
    client.force_login(world.office)
    response = client.get("/ledger/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_boolean_where_a_number_is_due_answers_422(client, world):
    """Found by schemathesis: {"aqi": false} was read as 0 by the warning proposal."""
    client.force_login(world.office)
    response = client.post(
        "/api/v1/emergency/warning/propose",
        {"city": "", "daily": [{"date": "2026-03-10", "aqi": False}], "hourly": []},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "aqi" in " ".join(response.json()["messages"])
