"""PostgreSQL: readings and quarantine become tables partitioned by month (see partitions.py).

SQLite keeps one table each. Existing rows are copied into the partitions.
"""

import django.db.models.deletion
from django.db import migrations, models


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        # one table: an index on (device, time) for the rollups' per-hour reads
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS monitoring_reading_device_time "
            "ON monitoring_reading (device_id, data_time)"
        )
        return
    from monitoring.partitions import convert

    with schema_editor.connection.cursor() as cursor:
        convert(cursor)


class Migration(migrations.Migration):
    atomic = True
    dependencies = [("monitoring", "0004_judge_state")]
    operations = [
        migrations.AlterField(
            model_name="reading",
            name="device",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="monitoring.device",
            ),
        ),
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]
