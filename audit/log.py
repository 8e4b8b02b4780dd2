"""Writing and checking audit events. Service functions call ``record`` inside their transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from audit.keys import AuditKeyError, keyring
from audit.models import GENESIS, AuditEvent, AuditHead
from lantian.lib import tz

# Any constant works; it only has to be the same for every writer of the chain.
_CHAIN_LOCK = 212_633


def object_type(obj: models.Model) -> str:
    return obj._meta.label_lower


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """Field values of ``obj`` as JSON-ready data, for before/after comparison."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return _jsonable({name: getattr(obj, name) for name in names})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value changed."""
    keys = before.keys() | after.keys()
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _lock_chain() -> AuditHead:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    head = AuditHead.objects.select_for_update().first()
    return head or AuditHead.objects.create()


def record(
    actor,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event for ``obj``. Must run inside the caller's transaction."""
    return record_many(actor, [(action, obj, changes, reason)])[0]


def record_many(actor, events) -> list[AuditEvent]:
    """Append several events ``(action, obj, changes, reason)`` in chain order with one lock,
    one insert and one head update (an import writes one event per task)."""
    events = list(events)
    if not events:
        return []
    with transaction.atomic():
        head = _lock_chain()
        user = actor if getattr(actor, "is_authenticated", False) else None
        name, now, previous = _actor_name(actor), tz.now(), head.last_hash
        rows, ring = [], keyring()
        for action, obj, changes, reason in events:
            event = AuditEvent(
                created_at=now,
                actor=user,
                actor_name=name,
                action=action,
                object_type=object_type(obj),
                object_id=str(obj.pk),
                object_repr=str(obj)[:300],
                changes=_jsonable(changes or {}),
                reason=reason or "",
                prev_hash=previous,
                key_id=ring.current,
            )
            event.hash = previous = event.compute_hash(ring)
            rows.append(event)
        if len(rows) == 1:
            rows[0].save()
        else:
            AuditEvent.objects.bulk_create(rows)
            if rows[-1].pk is None:  # a database without RETURNING: the last id by its hash
                rows[-1].pk = AuditEvent.objects.get(hash=rows[-1].hash).pk
        AuditHead.objects.filter(pk=head.pk).update(last_id=rows[-1].pk, last_hash=previous)
    return rows


def _actor_name(actor) -> str:
    if actor is None:
        return "系统"
    if isinstance(actor, str):
        return actor
    if getattr(actor, "is_authenticated", False):
        return actor.get_full_name() or actor.get_username()
    return "匿名"


def history(obj: models.Model):
    return AuditEvent.objects.filter(object_type=object_type(obj), object_id=str(obj.pk))


@dataclass
class Break:
    event_id: int | None
    problem: str


def verify(batch: int = 5000) -> Iterator[Break]:
    """Walk the chain in id order and yield every place where it does not hold, then check the
    head and the signed checkpoints kept outside the database (``audit.checkpoints``)."""
    from audit import checkpoints

    ring = keyring()
    previous, last_id = GENESIS, 0
    queryset = AuditEvent.objects.order_by("id")
    start = 0
    while True:
        rows = list(queryset.filter(id__gt=start)[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != previous:
                yield Break(event.pk, "链接断开：上一条记录被删除或修改")
            if not event.key_id:
                yield Break(event.pk, "未以密钥签名：记录不是本系统写入的，或链未重新签名")
            else:
                try:
                    keyed = event.compute_hash(ring)
                except AuditKeyError as exc:
                    yield Break(event.pk, str(exc))
                else:
                    if keyed != event.hash:
                        yield Break(event.pk, "内容与签名不符：记录被修改或伪造")
            previous, last_id = event.hash, event.pk
        start = rows[-1].pk
    head = AuditHead.objects.first()
    if head and (head.last_id != last_id or head.last_hash != previous):
        yield Break(None, f"链尾不符：应止于 #{head.last_id}，实际止于 #{last_id}")
    yield from checkpoints.verify(ring, last_id)
