"""The OpenAPI document speaks Chinese: every operation has a Chinese summary and description."""

import re

import pytest

from api import texts
from api.main import api

CJK = re.compile(r"[\u4e00-\u9fff]")


def operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    for path, ops in schema["paths"].items():
        for method, operation in ops.items():
            yield f"{method.upper()} {path.removeprefix('/api/v1')}", operation


def test_every_operation_has_a_chinese_summary_and_description():
    missing = [key for key, op in operations() if not CJK.search(op.get("summary", ""))]
    assert not missing, f"add these to api/texts.py: {missing}"
    assert all(CJK.search(op.get("description", "")) for _, op in operations())


def test_no_text_is_left_for_an_endpoint_that_is_gone():
    keys = {key for key, _ in operations()}
    assert set(texts.TEXTS) <= keys, set(texts.TEXTS) - keys


@pytest.mark.django_db
def test_the_served_document_is_the_chinese_one(client, world):
    client.force_login(world.office)
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["paths"]["/api/v1/ledger/tasks"]["get"]["summary"] == "整改任务列表"
