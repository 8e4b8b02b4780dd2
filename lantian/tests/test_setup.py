import io

import pytest
from django.apps import apps
from django.core.management import call_command


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("sessions", "admin", "contenttypes", "auth")
        and model._meta.label != "audit.AuditHead"
    }


@pytest.mark.django_db
def test_setup_with_demo_data_is_idempotent():
    out = io.StringIO()
    call_command("setup", "--demo", stdout=out)
    assert "演示账号" in out.getvalue()
    first = _row_counts()
    call_command("setup", "--demo", stdout=io.StringIO())
    assert _row_counts() == first
