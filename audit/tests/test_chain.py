import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit.log import diff, history, record, snapshot, verify
from audit.models import AppendOnlyError, AuditEvent


@pytest.fixture
def events(world):
    unit = world.unit("鄠邑区政府")
    before = snapshot(unit, ["email"])
    unit.email = "huyi@example.cn"
    unit.save()
    rows = [
        record(
            world.office,
            "unit.updated",
            unit,
            changes=diff(before, snapshot(unit, ["email"])),
            reason="补充通知邮箱",
        ),
        record(world.office, "unit.checked", unit),
        record(None, "unit.checked", unit, reason="夜间巡检"),
    ]
    return unit, rows


def _raw(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_a_change_records_who_what_before_after_and_why(events, world):
    unit, rows = events
    first = rows[0]
    assert first.actor == world.office
    assert first.changes == {"email": ["", "huyi@example.cn"]}
    assert first.reason == "补充通知邮箱"
    assert first.object_type == "accounts.unit"
    assert list(history(unit)) == rows
    assert rows[2].actor_name == "系统"


def test_rows_are_chained(events):
    _, rows = events
    assert rows[1].prev_hash == rows[0].hash
    assert rows[2].prev_hash == rows[1].hash
    assert list(verify()) == []


def test_the_application_cannot_edit_or_delete_rows(events):
    _, rows = events
    with pytest.raises(AppendOnlyError):
        rows[0].save()
    with pytest.raises(AppendOnlyError):
        rows[0].delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=rows[0].pk).update(reason="改")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_verify_finds_an_edited_row(events):
    _, rows = events
    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["无", rows[1].pk])
    breaks = list(verify())
    assert [b.event_id for b in breaks] == [rows[1].pk]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_verify_finds_a_deleted_row(events):
    _, rows = events
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    assert [b.event_id for b in verify()] == [rows[2].pk]


def test_verify_finds_deleted_newest_rows(events):
    _, rows = events
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].pk])
    breaks = list(verify())
    assert len(breaks) == 1 and breaks[0].event_id is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger exists on PostgreSQL only")
def test_postgresql_refuses_updates_itself(events):
    from django.db import DatabaseError, transaction

    _, rows = events
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [rows[0].pk])


def test_verify_command_reports_ok(events, capsys):
    call_command("audit", "verify")
    assert "OK: 3" in capsys.readouterr().out


def test_history_page_follows_object_access(client, events, world):
    unit, _ = events
    url = f"/audit/accounts.unit/{unit.pk}/"
    client.force_login(world.office)
    response = client.get(url)
    assert response.status_code == 200
    assert "补充通知邮箱" in response.content.decode()
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/no.model/1/").status_code == 404
