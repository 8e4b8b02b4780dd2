"""``lantian backup FILE`` / ``lantian restore FILE``: the database and the evidence files in one
archive, and back.

The archive is a gzip'd tar: ``manifest.json`` (format, database kind, time, the audit chain's
head and row count, file count), the database (``database.dump`` from ``pg_dump -Fc`` for
PostgreSQL; ``database.sqlite3`` through SQLite's online backup API, consistent while the site
runs), ``media/`` (evidence files, ``MEDIA_ROOT``) and a copy of the audit checkpoints file.

A restore goes into an empty database of the same kind (``--force`` replaces a non-empty one),
puts the evidence files back, keeps an existing checkpoints file (it is append-only) or writes the
copy, migrates (a backup of an older version), and checks the audit chain: the restored site
verifies like the one it came from.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

FORMAT = "lantian-backup-1"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why."""


def _vendor() -> str:
    return connection.vendor  # "postgresql" or "sqlite"


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = connection.settings_dict
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-500:]}")


def _sqlite_copy(source: sqlite3.Connection, target_path: Path) -> None:
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()


def _audit_state() -> dict:
    from audit.models import AuditEvent, AuditHead

    head = AuditHead.objects.first()
    return {
        "rows": AuditEvent.objects.count(),
        "last_id": head.last_id if head else 0,
        "last_hash": head.last_hash if head else "",
    }


def backup(path: Path) -> dict:
    """Write the archive to ``path`` (atomically: a partial archive never has the name)."""
    path = Path(path)
    media = Path(settings.MEDIA_ROOT)
    checkpoints = Path(settings.LANTIAN_AUDIT_CHECKPOINTS)
    with tempfile.TemporaryDirectory(prefix="lantian-backup-") as work:
        work = Path(work)
        if _vendor() == "postgresql":
            env, args = _pg_env_and_args()
            dump = work / "database.dump"
            name = connection.settings_dict["NAME"]
            _run(
                ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(dump), name],
                env,
            )
            database = "database.dump"
        elif _vendor() == "sqlite":
            connection.ensure_connection()
            _sqlite_copy(connection.connection, work / "database.sqlite3")
            database = "database.sqlite3"
        else:  # pragma: no cover - lantian runs on these two
            raise BackupError(f"不支持的数据库：{_vendor()}")
        files = sorted(_media_files(media)) if media.exists() else []
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": _vendor(),
            "audit": _audit_state(),
            "media_files": len(files),
        }
        (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(work / "manifest.json", "manifest.json")
            archive.add(work / database, database)
            for file in files:
                archive.add(file, f"media/{file.relative_to(media).as_posix()}")
            if checkpoints.exists():
                archive.add(checkpoints, "audit-checkpoints.jsonl")
        os.replace(partial, path)
    return manifest


# Media folders rebuilt on demand from the files kept (PDF first-page previews, keyed by
# content hash): not archived.
DERIVED_MEDIA = ("previews",)


def _media_files(media: Path):
    for path in media.rglob("*"):
        if path.is_file() and path.relative_to(media).parts[0] not in DERIVED_MEDIA:
            yield path


def _database_is_empty() -> bool:
    tables = connection.introspection.table_names()
    if "audit_auditevent" not in tables:
        return True
    from django.contrib.auth import get_user_model

    from audit.models import AuditEvent

    return not AuditEvent.objects.exists() and not get_user_model().objects.exists()


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件中有不安全的路径：{member.name}")
        members.append(member)
    return members


def restore(path: Path, *, force: bool = False) -> dict:
    """Put the archive's database and files back; returns the manifest."""
    path = Path(path)
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"无法打开备份文件 {path}：{exc}") from None
    with archive, tempfile.TemporaryDirectory(prefix="lantian-restore-") as work:
        work = Path(work)
        archive.extractall(work, members=_safe_members(archive), filter="data")
        try:
            manifest = json.loads((work / "manifest.json").read_text())
        except (OSError, ValueError):
            raise BackupError("不是 lantian 备份文件（缺少 manifest.json）") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')!r} 不受支持")
        if manifest["database"] != _vendor():
            raise BackupError(
                f"备份来自 {manifest['database']} 数据库，当前是 {_vendor()}：请恢复到同类数据库"
            )
        if not force and not _database_is_empty():
            raise BackupError("目标数据库已有数据；确认要覆盖请加 --force")
        if _vendor() == "postgresql":
            env, args = _pg_env_and_args()
            name = connection.settings_dict["NAME"]
            connections.close_all()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *args,
                    "-d",
                    name,
                    str(work / "database.dump"),
                ],
                env,
            )
        else:
            source = sqlite3.connect(work / "database.sqlite3")
            try:
                connection.ensure_connection()
                source.backup(connection.connection)
            finally:
                source.close()
        media = Path(settings.MEDIA_ROOT)
        if (work / "media").exists():
            shutil.copytree(work / "media", media, dirs_exist_ok=True)
        checkpoints = Path(settings.LANTIAN_AUDIT_CHECKPOINTS)
        if (work / "audit-checkpoints.jsonl").exists() and not checkpoints.exists():
            checkpoints.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(work / "audit-checkpoints.jsonl", checkpoints)
    call_command("migrate", verbosity=0)
    return manifest
