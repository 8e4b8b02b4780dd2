"""Schemathesis against the running API, as every role: 0 server errors, 0 schema violations.

A real HTTP server (pytest-django's live server) answers the ``schemathesis`` command line with
the phases it has (examples, coverage, fuzzing, stateful), every check, a fixed seed and a
bounded number of examples (``schemathesis.toml`` at the repository root holds the settings,
so a person can run the same thing against ``make run``; see README "API").
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.middleware.csrf import _get_new_csrf_string

from conftest import make_user

ROOT = Path(__file__).resolve().parents[2]
# The office may call every operation, so it gets every phase (the coverage phase's boundary and
# negative cases are the same for everyone). The other roles differ in what they are refused and
# what they see: fewer examples, no coverage phase, to keep the suite short.
LIGHT = ["--phases", "examples,fuzzing,stateful", "--max-examples", "2"]
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
pytestmark = [
    pytest.mark.skipif(
        not SCHEMATHESIS.exists() and not shutil.which("schemathesis"),
        reason="schemathesis is not installed (pip install -e '.[dev]')",
    ),
    # Minutes of CPU (several on a busy machine): run with LANTIAN_SCHEMATHESIS=1.
    pytest.mark.skipif(
        os.environ.get("LANTIAN_SCHEMATHESIS") != "1",
        reason="schemathesis run skipped: set LANTIAN_SCHEMATHESIS=1 to run it",
    ),
]


def _data(world) -> None:
    """A little of everything the API lists, so responses are checked with rows in them."""
    from accounts.models import District
    from emergency.tests.conftest import make_enterprises
    from lantian.lib import tz
    from ledger.tests.factories import import_sample
    from monitoring.models import Device, Reading, Site

    import_sample(world.office)
    district = District.objects.get(parent__name="西安市", name="鄠邑区")
    site = Site.objects.create(name="示范工地", kind="construction", district=district)
    site.units.set([world.unit("鄠邑区政府")])
    device = Device.objects.create(mn="DUST0001", password="123456", kind="dust", site=site)
    now = tz.now().replace(second=0, microsecond=0)
    Reading.objects.bulk_create(
        Reading(
            device=device,
            code="a34001",
            data_time=now - dt.timedelta(minutes=10 * i),
            cn=2011,
            value=80.0 + i,
            flag="N",
        )
        for i in range(6)
    )
    make_enterprises(district.parent, 12)


def _session_headers(user) -> list[str]:
    """A logged-in session (and a CSRF token) the way a browser holds them."""
    from importlib import import_module

    from django.conf import settings

    if user is None:
        return []
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store.save()
    token = _get_new_csrf_string()
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={token}"
    return ["-H", f"Cookie: {cookie}", "-H", f"X-CSRFToken: {token}"]


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, world, client, tmp_path
):
    _data(world)
    # The schema from a file: its first build can take a while on a busy machine.
    schema = tmp_path / "openapi.json"
    schema.write_bytes(client.get("/api/v1/openapi.json").content)
    users = {
        "office": world.office,
        "leader": world.leader,
        "unit-officer": world.huyi,
        "reviewer": world.reviewer,
        "inspector": world.inspector,
        "field-inspector": make_user("jc_huyi", ("鄠邑区政府", "inspector")),
        "no-role": world.outsider,
        "anonymous": None,
    }
    command = [
        str(SCHEMATHESIS) if SCHEMATHESIS.exists() else "schemathesis",
        "--config-file",
        str(ROOT / "schemathesis.toml"),
        "run",
    ]
    env = {**os.environ, "NO_COLOR": "1"}
    failed = {}
    only = os.environ.get("LANTIAN_SCHEMATHESIS_ROLES")  # e.g. "office,anonymous" while mending
    for role, user in users.items():
        if only and role not in only.split(","):
            continue
        result = subprocess.run(
            [
                *command,
                str(schema),
                "--url",
                live_server.url,
                *_session_headers(user),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=1800,
        )
        if result.returncode != 0:
            failed[role] = result.stdout + result.stderr[-2000:]
    assert not failed, "\n\n".join(f"=== as {role}\n{out}" for role, out in failed.items())
