"""An index in the charge-line list's own order (billing.views.charge_lines): the lines of a
clinic in a date range, by date of service, visit and code. The page (50 lines and one more)
is then read from the index in order instead of sorting a whole day's lines first; the CSV
reads the range in the same order. The older (clinic, date_of_service) index stays for the
KX year-to-date total."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_reference_data")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX charge_line_list_order ON billing_chargeline "
            "(clinic_id, date_of_service, visit_id, code_id)",
            "DROP INDEX charge_line_list_order",
        )
    ]
