# History written under the old scheme (one global SHA-256 chain) is re-chained: each clinic's
# events, in the order they were written, get their sequence number, the previous row's MAC
# and an HMAC under the current key. The old unkeyed digests are replaced; content is kept.

import pgtrigger
from django.db import migrations

from accounts import keyring
from accounts.trail import canonical

BATCH = 1000


def rechain(apps, schema_editor):
    AccessEvent = apps.get_model("accounts", "AccessEvent")
    heads: dict = {}
    batch = []
    with pgtrigger.ignore("accounts.AccessEvent:access_event_append_only"):
        for event in AccessEvent.objects.order_by("id").iterator(chunk_size=BATCH):
            seq, prev_mac = heads.get(event.clinic_id, (0, ""))
            event.seq, event.prev_mac = seq + 1, prev_mac
            event.key_id = keyring.current_key_id()
            event.mac = keyring.mac(
                canonical(
                    {
                        "clinic_id": event.clinic_id,
                        "seq": event.seq,
                        "at": event.at,
                        "user_id": event.user_id,
                        "patient_id": event.patient_id,
                        "action": event.action,
                        "object_type": event.object_type,
                        "object_id": event.object_id,
                        "detail": event.detail,
                        "ip": str(event.ip) if event.ip else "",
                        "user_agent": event.user_agent,
                        "request_id": event.request_id,
                        "key_id": event.key_id,
                        "prev_mac": event.prev_mac,
                    }
                ),
                key_id=event.key_id,
            )[1]
            heads[event.clinic_id] = (event.seq, event.mac)
            batch.append(event)
            if len(batch) >= BATCH:
                AccessEvent.objects.bulk_update(batch, ["seq", "prev_mac", "key_id", "mac"])
                batch = []
        if batch:
            AccessEvent.objects.bulk_update(batch, ["seq", "prev_mac", "key_id", "mac"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_access_trail_per_clinic_hmac"),
    ]

    operations = [
        migrations.RunPython(rechain, migrations.RunPython.noop, elidable=False),
    ]
