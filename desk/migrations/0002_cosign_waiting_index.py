"""A partial index on the notes awaiting a co-signature (notes_visit), for the desk's
"Awaiting co-signature" count and page and the admin's home count.

Those queries read the clinic's signed notes with `cosign_required` and no co-signature yet:
a handful among the clinic's signed notes. Without this index PostgreSQL scanned every visit of
the table (the only index on status, (clinic, status, date_of_service), matches every signed
note): 114 ms at 200,000 visits, for a count of 0. The index holds only the waiting notes.

It lives with the desk (its only reader) so that notes' own migrations stay as they are.
"""

from django.db import migrations

INDEX = "desk_visit_cosign_waiting"


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_reminders"),
        ("notes", "0003_carried_items"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX {INDEX} ON notes_visit (clinic_id, date_of_service, id) "
                "WHERE status = 'signed' AND cosign_required AND cosigned_at IS NULL"
            ),
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
