"""accounts_chain_head(namespace, key, clinic): take the clinic's chain lock, then read its
head, in one round trip (PostgreSQL only; AccessEvent.record).

The function is VOLATILE, so in READ COMMITTED its query takes a new snapshot after the lock
is granted and sees the head the previous writer committed. (One plain statement that took the
lock and read the head would read with the snapshot taken before it waited for the lock.)
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_chain_head(namespace integer, lock_key integer, clinic bigint)
RETURNS TABLE (seq bigint, mac varchar)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(namespace, lock_key);
    IF clinic IS NULL THEN
        RETURN QUERY
            SELECT e.seq::bigint, e.mac FROM accounts_accessevent e
            WHERE e.clinic_id IS NULL ORDER BY e.seq DESC LIMIT 1;
    ELSE
        -- one probe of the (clinic, seq) unique index
        RETURN QUERY
            SELECT e.seq::bigint, e.mac FROM accounts_accessevent e
            WHERE e.clinic_id = clinic ORDER BY e.seq DESC LIMIT 1;
    END IF;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS accounts_chain_head(integer, integer, bigint);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_merge_access_trail_and_stalled_progress")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
