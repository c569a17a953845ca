"""Trigram indexes for the patient search (plancare.views.patient_list).

The search filters `UPPER(first_name) LIKE UPPER('%term%')` OR the same on last_name and mrn
(Django's `icontains` on PostgreSQL); a GIN index with gin_trgm_ops on each UPPER(column)
serves such substring matches (a bitmap OR of the three). PostgreSQL only: on other databases
the extension and the indexes are skipped, and the same query scans as before.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("first_name", "last_name", "mrn")


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS patient_{column}_trgm ON plancare_patient "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS patient_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("plancare", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, remove_indexes, elidable=False),
    ]
