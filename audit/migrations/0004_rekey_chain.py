"""Re-sign the existing audit chain with HMAC-SHA256 under the current ``LANTIAN_AUDIT_KEY``.

Set the production key before running this migration: rows are signed with whatever key is
current. A row that does not check out under the old plain SHA-256 chain (edited, or following a
deleted row) is left as it was, unsigned, so ``lantian audit verify`` keeps reporting it: re-keying
never blesses a tampered row.
"""

from django.db import migrations

BATCH = 5000


def rekey(apps, schema_editor):
    from audit.chain import keyed_hash, plain_hash
    from audit.keys import keyring

    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditHead")
    if not Event.objects.exists():
        return
    ring = keyring()
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only"
        )
    genesis = "0" * 64
    old_previous, new_previous, start, left = genesis, genesis, 0, []
    while True:
        rows = list(Event.objects.filter(id__gt=start).order_by("id")[:BATCH])
        if not rows:
            break
        for row in rows:
            old_hash = row.hash
            intact = (
                row.prev_hash == old_previous and plain_hash(row) == old_hash and not row.key_id
            )
            if intact:
                row.prev_hash, row.key_id = new_previous, ring.current
                row.hash = keyed_hash(ring, row)
                Event.objects.filter(pk=row.pk).update(
                    prev_hash=row.prev_hash, key_id=row.key_id, hash=row.hash
                )
            else:
                left.append(row.pk)
            old_previous, new_previous = old_hash, row.hash
        start = rows[-1].pk
    head = Head.objects.first()
    if head is not None and head.last_id == start:
        Head.objects.filter(pk=head.pk).update(last_hash=new_previous)
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")
    if left:
        message = f"审计链：{len(left)} 条记录原本就不完整，未重新签名（#{left[0]} 起）"
        print(f"\n  {message}，请运行 lantian audit verify")  # noqa: T201


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_key_id")]

    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]
