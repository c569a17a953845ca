"""The manifest of an export: each visit with its signature digest, each file's SHA-256, the
filters, who exported and when — MAC'd with the audit key (accounts.keyring) — and the check
that re-reads a ZIP and names the first file or visit that changed."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from accounts import keyring

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
FORMAT = "palpate-export/1"


def sha256_of_file(path: Path, block: int = 1 << 20) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def manifest_bytes(manifest: dict) -> bytes:
    return json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()


def signature_bytes(body: bytes) -> bytes:
    key_id, mac = keyring.mac(body)
    return json.dumps({"key_id": key_id, "hmac_sha256": mac}, sort_keys=True).encode()


@dataclass(frozen=True)
class Verdict:
    ok: bool
    problem: str = ""  # the first thing that changed, in words
    files: int = 0
    visits: int = 0


def _member_sha256(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def verify_zip(path: str | Path, *, check_visits: bool = True) -> Verdict:
    """Re-check an export: the manifest's MAC, then every file's SHA-256 (and no file added),
    then (with a database) every visit's signature digest against the signed note."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return Verdict(False, f"{path} is not a readable ZIP file ({exc}).")
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            return Verdict(False, f"The export has no {MANIFEST} and {SIGNATURE}.")
        body = archive.read(MANIFEST)
        try:
            signature = json.loads(archive.read(SIGNATURE))
            key_id, mac = signature["key_id"], signature["hmac_sha256"]
        except (ValueError, KeyError, TypeError):
            return Verdict(False, f"{SIGNATURE} cannot be read.")
        if not keyring.verify(body, key_id, mac):
            return Verdict(
                False,
                f"{MANIFEST}: its MAC does not match (key {key_id}): the manifest was edited or "
                "signed with another key.",
            )
        manifest = json.loads(body)
        listed = {entry["path"] for entry in manifest["files"]}
        for entry in manifest["files"]:
            name = entry["path"]
            if name not in names:
                return Verdict(False, f"{name}: the file is missing.")
            if _member_sha256(archive, name) != entry["sha256"]:
                return Verdict(False, f"{name}: its SHA-256 differs from the manifest's.")
        extra = sorted(names - listed - {MANIFEST, SIGNATURE})
        if extra:
            return Verdict(False, f"{extra[0]}: a file the manifest does not list.")
    visits = manifest.get("visits", [])
    if check_visits:
        problem = _changed_visit(visits)
        if problem:
            return Verdict(False, problem)
    return Verdict(True, "", files=len(listed), visits=len(visits))


def _changed_visit(visits: Iterable[dict]) -> str:
    """The first exported visit whose signed note no longer matches (needs the database)."""
    from notes.models import Visit
    from notes.signing import verify_visit

    wanted = {v["id"]: v for v in visits}
    found = {}
    for start in range(0, len(wanted), 500):
        batch = list(wanted)[start : start + 500]
        found.update(Visit.objects.in_bulk(batch))
    for pk, entry in wanted.items():
        visit = found.get(pk)
        label = f"visit {pk} ({entry['mrn']}, {entry['date_of_service']})"
        if visit is None:
            return f"{label}: no longer in the database."
        if visit.content_digest != entry["signature_digest"]:
            return f"{label}: its signature digest differs from the manifest's."
        if not verify_visit(visit):
            return f"{label}: the note no longer matches its signature."
    return ""
