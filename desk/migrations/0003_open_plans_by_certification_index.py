"""A partial index on the open plans of care (plancare_planofcare), in the order the desk's
deadlines badge reads them: certification end, then id.

The badge counts the deadlines of the 200 open plans whose certification ends first
(`desk.queries.deadline_count`). Without an index PostgreSQL read and sorted every open plan
of the clinic (4,006 of 20,000 plans: a sort of all of them for 201 rows); with it, it walks
the index and stops after 201 plans.
"""

from django.db import migrations

INDEX = "desk_open_plan_cert_through"


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0002_cosign_waiting_index"),
        ("plancare", "0003_merge_progress_reports_and_search_trigram"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f"CREATE INDEX {INDEX} ON plancare_planofcare (cert_through, id) "
                "WHERE status IN ('active', 'on_hold')"
            ),
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
