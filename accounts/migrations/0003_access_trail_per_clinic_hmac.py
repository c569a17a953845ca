# The access trail becomes one HMAC chain per clinic: sequence number, key id, client IP,
# short user agent and request id on each row; the digests are now MACs.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="accessevent", old_name="digest", new_name="mac"),
        migrations.RenameField(
            model_name="accessevent", old_name="prev_digest", new_name="prev_mac"
        ),
        migrations.AlterField(
            model_name="accessevent",
            name="mac",
            field=models.CharField(max_length=64),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="client IP"),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="user_agent",
            field=models.CharField(blank=True, max_length=80),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="request_id",
            field=models.CharField(blank=True, max_length=36),
        ),
        migrations.AddField(
            model_name="accessevent",
            name="key_id",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="accessevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, verbose_name="sequence number"),
            preserve_default=False,
        ),
    ]
