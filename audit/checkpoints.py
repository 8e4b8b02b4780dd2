"""Signed checkpoints of the audit chain's head, appended to a file outside the database.

Once a day ``lantian audit checkpoint`` (cron, or ``--loop``) appends one JSON line: the head's
id and hash, the number of rows up to it, the previous line's signature, all signed with the
current audit key. The file lives where the database's writers cannot reach it (another disk or
host, ``chattr +a``; ``LANTIAN_AUDIT_CHECKPOINTS``), so rewriting history in the database, even
with the key, contradicts a checkpoint, and deleting or editing a line breaks the file's own
chain. ``verify`` checks the file and that each checkpoint still matches the database.
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from audit.keys import AuditKeyError, Keyring, keyring
from audit.models import GENESIS, AuditEvent, AuditHead
from lantian.lib import tz

VERSION = 1


def path() -> Path:
    return Path(settings.LANTIAN_AUDIT_CHECKPOINTS)


def _signed_blob(entry: dict) -> bytes:
    unsigned = {k: v for k, v in entry.items() if k != "sig"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False).encode("utf-8")


@dataclass
class Problem:
    line: int | None
    text: str


def read(file: Path | None = None) -> tuple[list[dict], list[Problem]]:
    """The checkpoints in the file and what is wrong with the file itself (unsigned)."""
    file = file or path()
    if not file.exists():
        return [], []
    entries, problems = [], []
    with file.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                entry = json.loads(text)
                int(entry["last_id"]), str(entry["last_hash"]), str(entry["sig"])
            except (ValueError, KeyError, TypeError):
                problems.append(Problem(number, f"检查点文件第 {number} 行无法读取"))
                continue
            entry["_line"] = number
            entries.append(entry)
    return entries, problems


def write(*, force: bool = False, now=None) -> dict | None:
    """Append today's checkpoint (Beijing day); None when today's is already written."""
    ring = keyring()
    now = now or timezone.now()
    file = path()
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        entries, _ = read(file)
        day = tz.to_local(now).date().isoformat()
        if entries and entries[-1].get("day") == day and not force:
            return None
        head = AuditHead.objects.first()
        last_id, last_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
        entry = {
            "v": VERSION,
            "at": now.isoformat(),
            "day": day,
            "last_id": last_id,
            "last_hash": last_hash,
            "count": AuditEvent.objects.filter(id__lte=last_id).count(),
            "prev": entries[-1]["sig"] if entries else GENESIS,
            "kid": ring.current,
        }
        entry["sig"] = ring.sign(ring.current, _signed_blob(entry))
        os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
        os.fsync(fd)
        return entry
    finally:
        os.close(fd)


def verify(ring: Keyring, chain_end: int):
    """Yield ``audit.log.Break`` for every checkpoint the file or the database contradicts."""
    from audit.log import Break

    entries, problems = read()
    for problem in problems:
        yield Break(None, problem.text)
    previous = GENESIS
    for entry in entries:
        where = f"检查点 {entry.get('day', '?')}（第 {entry['_line']} 行）"
        try:
            signature = ring.sign(str(entry.get("kid", "")), _signed_blob(_stored(entry)))
        except AuditKeyError as exc:
            yield Break(None, f"{where}：{exc}")
            signature = None
        if signature is not None and signature != entry["sig"]:
            yield Break(None, f"{where}：签名不符，检查点文件被修改")
        if entry.get("prev") != previous:
            yield Break(None, f"{where}：与上一检查点不相接，检查点被删除或插入")
        previous = entry["sig"]
        last_id = int(entry["last_id"])
        if last_id == 0:
            continue
        row = AuditEvent.objects.filter(pk=last_id).values_list("hash", flat=True).first()
        if row is None or last_id > chain_end:
            yield Break(None, f"{where}：记录 #{last_id} 已不在数据库中，审计记录被删除")
        elif row != entry["last_hash"]:
            yield Break(None, f"{where}：记录 #{last_id} 的签名与检查点不同，历史被改写")
        elif AuditEvent.objects.filter(id__lte=last_id).count() != entry.get("count"):
            yield Break(None, f"{where}：#{last_id} 之前的记录条数与检查点不同")


def _stored(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != "_line"}
