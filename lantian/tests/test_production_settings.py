"""Production settings come from the environment, and the README's production configuration
passes ``lantian check --deploy``; logins are throttled per user and address, and audited."""

from __future__ import annotations

import json

import pytest

from lantian.tests.test_cli import run_cli

# The production environment README "Production" shows (with made-up secrets).
PRODUCTION = {
    "LANTIAN_DEBUG": "0",
    "LANTIAN_HTTPS": "1",
    "SECRET_KEY": "x7#Lq2v!pR9sT4wZ0mK8nB3cD6fG1hJ5yU@eA&iO*lP%sQ^tV-rW+zX=cY~bN",
    "ALLOWED_HOSTS": "lantian.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://lantian.example.gov.cn",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "LANTIAN_AUDIT_KEY": "k1:7f3a9c2e5b8d1f4a6c9e2b5d8f1a4c7e0b3d6f9a2c5e8b1d4f7a0c3e6b9d2f5a",
    "LANTIAN_SM4_VAULT_KEY": "v1:2b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfe",
}


def settings_in(env: dict) -> dict:
    code = (
        "import json; from django.conf import settings as s;"
        " print(json.dumps({k: getattr(s, k, None)"
        " for k in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS',"
        " 'SECURE_PROXY_SSL_HEADER', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_AGE')}))"
    )
    result = run_cli("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_https_settings_are_read_from_the_environment():
    development = settings_in({})
    assert development["SESSION_COOKIE_SECURE"] is False  # make run serves plain http
    assert development["SECURE_HSTS_SECONDS"] == 0
    production = settings_in(PRODUCTION)
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    one = settings_in({"SESSION_COOKIE_SECURE": "1", "SESSION_COOKIE_AGE": "3600"})
    assert one["SESSION_COOKIE_SECURE"] is True and one["CSRF_COOKIE_SECURE"] is False
    assert one["SESSION_COOKIE_AGE"] == 3600


def test_check_deploy_is_clean_in_the_readme_production_configuration():
    result = run_cli("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # and it does complain about a development configuration
    result = run_cli("check", "--deploy", "--fail-level", "WARNING", env={"LANTIAN_DEBUG": "1"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


@pytest.mark.django_db
def test_a_secure_session_cookie_when_configured(client, world, settings):
    settings.SESSION_COOKIE_SECURE = True
    world.office.set_password("right-password-1")
    world.office.save()
    response = client.post("/login/", {"username": "office", "password": "right-password-1"})
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True


@pytest.mark.django_db
def test_logins_are_throttled_per_user_and_address_and_audited(client, world, settings):
    from audit.models import AuditEvent

    settings.AXES_FAILURE_LIMIT = 3
    world.huyi.set_password("right-password-1")
    world.huyi.save()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(3):
        response = client.post("/login/", {"username": "huyi", "password": "wrong"}, **attacker)
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    # locked: even the right password from that address is refused
    response = client.post(
        "/login/", {"username": "huyi", "password": "right-password-1"}, **attacker
    )
    assert response.status_code == 429
    # the same user from the office's own address still gets in
    response = client.post(
        "/login/",
        {"username": "huyi", "password": "right-password-1"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    actions = list(
        AuditEvent.objects.filter(object_type="auth.user", object_id=str(world.huyi.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions.count("login.failed") == 4  # three wrong, one while locked
    assert "login.locked_out" in actions and actions[-1] == "login"
    locked = AuditEvent.objects.filter(action="login.locked_out").first()
    assert "203.0.113.7" in locked.reason
