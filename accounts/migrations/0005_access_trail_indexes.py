# The chain head of each clinic (unique clinic + seq) and the audit report's filters.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_rechain_access_events"),
        ("plancare", "0001_initial"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="accessevent",
            constraint=models.UniqueConstraint(
                fields=("clinic", "seq"), name="access_event_clinic_seq"
            ),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(fields=["clinic", "user", "at"], name="access_event_clinic_user_at"),
        ),
        migrations.AddIndex(
            model_name="accessevent",
            index=models.Index(
                fields=["clinic", "action", "at"], name="access_event_clinic_action_at"
            ),
        ),
    ]
