"""The chain is keyed (HMAC-SHA256 with a secret outside the database) and checkpointed into a
signed append-only file, so someone who can write the tables cannot extend or rewrite it."""

from __future__ import annotations

import importlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from audit import checkpoints
from audit.chain import plain_hash
from audit.keys import AuditKeyError, parse
from audit.log import record, verify
from audit.models import AuditEvent, AuditHead
from audit.tests.test_chain import _raw

KEY = "k2026:" + "a" * 40
OLD = "dev:lantian-development-audit-key-NOT-SECRET-do-not-use-in-production"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(world):
    unit = world.unit("鄠邑区政府")
    return [record(world.office, "unit.checked", unit, reason=f"第 {i} 次") for i in range(3)]


def _append_forged(previous: AuditEvent, *, key_id: str = "") -> int:
    """What someone with write access to the tables can do: a row whose hash is recomputed
    exactly as the old chain computed it (plain SHA-256), and the head moved to it."""
    forged = AuditEvent(
        created_at=previous.created_at,
        actor_name="整改办",
        action="line.closed",
        object_type="ledger.assignment",
        object_id="1",
        object_repr="伪造的销号",
        changes={},
        reason="",
        prev_hash=previous.hash,
        key_id=key_id,
    )
    forged.hash = plain_hash(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (created_at, actor_name, action, object_type, object_id,"
            " object_repr, changes, reason, prev_hash, hash, key_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                forged.created_at,
                forged.actor_name,
                forged.action,
                forged.object_type,
                forged.object_id,
                forged.object_repr,
                "{}",
                "",
                forged.prev_hash,
                forged.hash,
                key_id,
            ],
        )
    new_id = AuditEvent.objects.get(hash=forged.hash).pk
    AuditHead.objects.update(last_id=new_id, last_hash=forged.hash)
    return new_id


@pytest.mark.parametrize("claimed_key", ["", "dev"])
def test_a_row_appended_with_a_recomputed_plain_hash_does_not_verify(rows, claimed_key):
    forged = _append_forged(rows[-1], key_id=claimed_key)
    breaks = list(verify())
    assert [b.event_id for b in breaks] == [forged]
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_rows_are_signed_with_the_current_key_and_verify_after_rotation(world, settings):
    unit = world.unit("鄠邑区政府")
    settings.LANTIAN_AUDIT_KEY = OLD
    first = record(world.office, "unit.checked", unit)
    settings.LANTIAN_AUDIT_KEY = f"{KEY},{OLD}"  # the new key first, the old one kept
    second = record(world.office, "unit.checked", unit)
    assert (first.key_id, second.key_id) == ("dev", "k2026")
    assert list(verify()) == []
    settings.LANTIAN_AUDIT_KEY = KEY  # the old key dropped: its rows can no longer be checked
    assert [b.event_id for b in verify()] == [first.pk]


def test_the_same_row_under_another_key_does_not_verify(rows, settings):
    settings.LANTIAN_AUDIT_KEY = "dev:" + "b" * 40  # same key id, another secret
    assert {b.event_id for b in verify()} == {r.pk for r in rows}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("nokeyid", "编号:密钥"),
        ("k1:short", "过短"),
        ("k 1:" + "x" * 40, "字母"),
        (f"k1:{'x' * 40},k1:{'y' * 40}", "重复"),
    ],
)
def test_a_malformed_key_setting_is_named(value, problem):
    with pytest.raises(AuditKeyError, match=problem):
        parse(value)


def test_the_development_key_is_used_only_when_none_is_set():
    assert parse("").is_development
    ring = parse(f"{KEY},{OLD}")
    assert ring.current == "k2026" and not ring.is_development


def test_checkpoints_catch_rows_deleted_with_the_head_moved_back(rows, settings):
    checkpoints.write()
    assert list(verify()) == []
    # remove the newest row and point the head at the one before: the chain alone is consistent
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])
    AuditHead.objects.update(last_id=rows[-2].pk, last_hash=rows[-2].hash)
    problems = [b.problem for b in verify()]
    assert len(problems) == 1 and "已不在数据库中" in problems[0]


def test_checkpoints_catch_history_rewritten_even_with_the_key(rows):
    checkpoints.write()
    # someone holding the key re-signs an edited row and every row after it
    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["改过", rows[1].pk])
    previous = rows[0].hash
    for row in AuditEvent.objects.filter(pk__gte=rows[1].pk).order_by("id"):
        row.prev_hash = previous
        new_hash = row.compute_hash()
        _raw(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [previous, new_hash, row.pk],
        )
        previous = new_hash
    AuditHead.objects.update(last_hash=previous)
    problems = [b.problem for b in verify()]
    assert len(problems) == 1 and "历史被改写" in problems[0]


def test_the_checkpoint_file_is_itself_signed_and_chained(rows, world, settings):
    checkpoints.write(force=True)
    record(world.office, "unit.checked", world.unit("鄠邑区政府"))
    checkpoints.write(force=True)
    record(world.office, "unit.checked", world.unit("鄠邑区政府"))
    checkpoints.write(force=True)
    assert list(verify()) == []
    path = checkpoints.path()
    lines = path.read_text().splitlines()
    edited = json.loads(lines[0])
    edited["count"] += 1
    path.write_text("\n".join([json.dumps(edited), *lines[1:]]) + "\n")
    assert any("签名不符" in b.problem for b in verify())
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")  # the middle line dropped
    assert [b.problem for b in verify()] == [
        f"检查点 {json.loads(lines[2])['day']}（第 2 行）：与上一检查点不相接，检查点被删除或插入"
    ]


def test_the_checkpoint_command_writes_once_a_day(rows, capsys):
    call_command("audit", "checkpoint")
    call_command("audit", "checkpoint")
    out = capsys.readouterr().out
    assert "检查点" in out and "今天的检查点已写过" in out
    assert len(checkpoints.path().read_text().splitlines()) == 1
    call_command("audit", "verify")
    assert "1 个检查点与数据库一致" in capsys.readouterr().out


def test_the_migration_rekeys_a_plain_chain_and_leaves_tampered_rows_flagged(world, settings):
    """Rows written by the chain's first form (plain SHA-256) are re-signed; one that was
    already edited stays unsigned and is still reported."""
    settings.LANTIAN_AUDIT_KEY = KEY
    unit = world.unit("鄠邑区政府")
    made = [record(world.office, "unit.checked", unit, reason=str(i)) for i in range(4)]
    previous = "0" * 64
    for row in made:  # rewrite them as the old code wrote them
        row.prev_hash, row.key_id = previous, ""
        row.hash = plain_hash(row)
        _raw(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
            [row.prev_hash, row.hash, row.pk],
        )
        previous = row.hash
    AuditHead.objects.update(last_hash=previous)
    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["篡改", made[2].pk])
    assert len(list(verify())) == 4  # nothing is signed yet
    migration = importlib.import_module("audit.migrations.0004_rekey_chain")

    class Editor:  # what RunPython hands over, without SQLite's schema-editor restrictions
        def __init__(self):
            self.connection = connection

        def execute(self, sql):
            with connection.cursor() as cursor:
                cursor.execute(sql)

    state = MigrationLoader(connection).project_state(("audit", "0003_key_id"))
    migration.rekey(state.apps, Editor())
    assert {b.event_id for b in verify()} == {made[2].pk}
    assert AuditEvent.objects.get(pk=made[0].pk).key_id == "k2026"
