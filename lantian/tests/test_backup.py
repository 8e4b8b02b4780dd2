"""``lantian backup`` and ``lantian restore``: a fresh database restored from the archive has the
same rows and evidence files, and its audit chain (and checkpoints) verify."""

from __future__ import annotations

import tarfile
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from lantian.tests.test_cli import run_cli

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def fresh_database(tmp_path):
    """The environment of a new, empty site: its own database, media and checkpoints."""
    env = {
        "LANTIAN_VAR_DIR": str(tmp_path / "restored"),
        "MEDIA_ROOT": str(tmp_path / "restored" / "media"),
        "LANTIAN_AUDIT_CHECKPOINTS": str(tmp_path / "restored" / "checkpoints.jsonl"),
    }
    (tmp_path / "restored").mkdir()
    if connection.vendor != "postgresql":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'restored' / 'lantian.sqlite3'}"
        yield env
        return
    name = f"lantian_restore_{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    env["DATABASE_URL"] = (
        f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )
    yield env
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_the_audit_chain_verifies(
    world, tmp_path, fresh_database
):
    from audit import checkpoints
    from audit.models import AuditEvent
    from evidence.services import attach_evidence

    unit = world.unit("鄠邑区政府")
    evidence = attach_evidence(
        SimpleUploadedFile("现场照片.png", PNG), to=unit, acting_user=world.office
    )
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    preview = default_storage.save("previews/pdf/ab/ab.png", ContentFile(PNG))
    checkpoints.write()
    rows = AuditEvent.objects.count()
    archive = tmp_path / "lantian-backup.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "audit-checkpoints.jsonl" in names
    assert f"media/{evidence.file.name}" in names
    assert f"media/{preview}" not in names  # derived, rebuilt on demand

    restored = run_cli("restore", str(archive), env=fresh_database)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "审计链校验通过" in restored.stdout
    verified = run_cli("audit", "verify", env=fresh_database)
    assert verified.returncode == 0, verified.stderr
    assert f"OK: {rows} 条审计记录" in verified.stdout
    assert "1 个检查点与数据库一致" in verified.stdout
    media = tmp_path / "restored" / "media" / evidence.file.name
    assert media.read_bytes() == PNG
    # a second restore over the now non-empty database is refused without --force
    again = run_cli("restore", str(archive), env=fresh_database)
    assert again.returncode == 1 and "--force" in again.stderr


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "x.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = run_cli("restore", str(bogus), env={"LANTIAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 1
    assert "无法打开备份文件" in result.stderr
