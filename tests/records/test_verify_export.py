"""`manage.py verify_export`: intact exports pass; any changed byte of any file, an edited
manifest, an added file or a changed note fails and is named (issue 15 §2)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from records.export import build_export
from records.gather import Scope
from tests.records.conftest import TODAY, rewrite_zip, zip_members


@pytest.fixture
def exported(tmp_path, s1_signed, s1_draft, auditor):
    path = tmp_path / "export.zip"
    scope = Scope(auditor.clinic_id, None, TODAY.replace(day=1), TODAY)
    build_export(scope=scope, fmt="zip", user=auditor, job_id="job-1", out_path=path)
    return path


def verify(path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_export", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_passes_an_intact_export(exported):
    assert "Export intact" in verify(exported)
    assert "1 visits match" in verify(exported)


@pytest.mark.django_db
def test_any_byte_of_any_file_changed_fails_and_names_the_file(exported):
    members = zip_members(exported)
    files = [name for name in members if not name.startswith("manifest.")]
    assert {n.split("/")[0] for n in files} == {"csv", "pdf", "fhir"}
    for name in files:
        for position in (0, len(members[name]) // 2, len(members[name]) - 1):
            changed = dict(members)
            data = bytearray(members[name])
            data[position] ^= 0x01
            changed[name] = bytes(data)
            rewrite_zip(exported, changed)
            with pytest.raises(CommandError, match=f"{name}: its SHA-256 differs"):
                verify(exported)
    rewrite_zip(exported, members)
    assert "Export intact" in verify(exported)


@pytest.mark.django_db
def test_an_edited_manifest_fails_its_mac(exported):
    members = zip_members(exported)
    manifest = json.loads(members["manifest.json"])
    manifest["exported_by"]["name"] = "Someone Else"
    rewrite_zip(exported, {**members, "manifest.json": json.dumps(manifest).encode()})
    with pytest.raises(CommandError, match="manifest.json: its MAC does not match"):
        verify(exported)


@pytest.mark.django_db
def test_a_manifest_recomputed_without_the_key_fails(exported):
    import hashlib
    import hmac

    members = zip_members(exported)
    body = members["manifest.json"].replace(b"Audra Stein", b"Someone Else")
    forged = hmac.new(b"a guessed key of 32 characters!!", body, hashlib.sha256).hexdigest()
    signature = json.dumps({"key_id": "k1", "hmac_sha256": forged}).encode()
    rewrite_zip(exported, {**members, "manifest.json": body, "manifest.sig": signature})
    with pytest.raises(CommandError, match="MAC does not match"):
        verify(exported)


@pytest.mark.django_db
def test_an_added_file_is_named(exported):
    rewrite_zip(exported, {**zip_members(exported), "pdf/extra.pdf": b"%PDF-1.7"})
    with pytest.raises(CommandError, match="pdf/extra.pdf: a file the manifest does not list"):
        verify(exported)


@pytest.mark.django_db
def test_a_note_changed_behind_the_app_names_the_visit(exported, s1_signed):
    import contextlib

    import pgtrigger
    from django.db import connection

    from notes.models import Finding

    # A write behind the application's back: on PostgreSQL past the trigger that refuses it.
    ignoring = (
        pgtrigger.ignore("notes.Finding:signed_visit_child_frozen")
        if connection.vendor == "postgresql"
        else contextlib.nullcontext()
    )
    with ignoring, connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Finding._meta.db_table} SET description = 'edited' WHERE visit_id = %s",
            [s1_signed.pk],
        )
    with pytest.raises(CommandError, match=f"visit {s1_signed.pk} .*no longer matches"):
        verify(exported)
