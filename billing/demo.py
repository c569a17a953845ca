"""Billing reference and demo data (idempotent): the code catalog and its RVUs, conversion
factors and KX thresholds, the payer profiles, and the sample NCCI PTP and MUE rows.

`seed_demo` calls `seed(staff)` first, before patients and visits. `load_reference_data()`
needs no staff: tests and fresh installs call it to get the same tables.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from billing.edits import ImportResult, mue_import, ptp_import
from billing.models import Code, CodeRvu, FeeYear, KxThreshold, PayerProfile
from billing.services import DEFAULT_PAYER_PROFILES

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
CODES_FILE = FIXTURES / "codes.json"
FEE_SCHEDULE_FILE = FIXTURES / "fee_schedule.json"
NCCI_SAMPLE_FILE = FIXTURES / "ncci_ptp_sample.txt"
MUE_SAMPLE_FILE = FIXTURES / "mue_sample.csv"


class SampleImportError(Exception):
    """A shipped sample file failed to import (a bug in the fixture)."""


def load_code_catalog() -> int:
    """Codes and their yearly RVUs from fixtures/codes.json; returns the number of codes."""
    catalog = json.loads(CODES_FILE.read_text(encoding="utf-8"))
    for entry in catalog["codes"]:
        Code.objects.update_or_create(
            code=entry["code"],
            defaults={
                "descriptor": entry["descriptor"],
                "timed": entry["timed"],
                "category": entry["category"],
            },
        )
        for year, rvu in entry.get("rvus", {}).items():
            CodeRvu.objects.update_or_create(
                code_id=entry["code"],
                year=int(year),
                defaults={
                    "work": Decimal(rvu["work"]),
                    "practice_expense": Decimal(rvu["practice_expense"]),
                    "malpractice": Decimal(rvu["malpractice"]),
                },
            )
    return len(catalog["codes"])


def load_fee_schedule() -> None:
    """Conversion factors and KX thresholds per year from fixtures/fee_schedule.json."""
    schedule = json.loads(FEE_SCHEDULE_FILE.read_text(encoding="utf-8"))
    for year, factor in schedule["conversion_factors"].items():
        FeeYear.objects.update_or_create(
            year=int(year), defaults={"conversion_factor": Decimal(factor)}
        )
    for year, amount in schedule["kx_thresholds"].items():
        KxThreshold.objects.update_or_create(year=int(year), defaults={"amount": Decimal(amount)})


def load_payer_profiles() -> list[PayerProfile]:
    """The default profile of each payer type, by name; a clinic's later changes to a profile
    are kept (only missing profiles are created)."""
    profiles = []
    for payer_type, values in DEFAULT_PAYER_PROFILES.items():
        defaults = {k: v for k, v in values.items() if k != "name"}
        profile, _ = PayerProfile.objects.get_or_create(
            name=values["name"],
            defaults={"payer_type": payer_type, "is_default_for_type": True, **defaults},
        )
        profiles.append(profile)
    return profiles


def load_sample_edits() -> tuple[ImportResult, ImportResult]:
    """The sample NCCI PTP and MUE rows, through the importers (the real quarterly files
    replace them: `manage.py import_ncci_ptp FILE`, `manage.py import_mue FILE`)."""
    results = (ptp_import(NCCI_SAMPLE_FILE), mue_import(MUE_SAMPLE_FILE))
    for result in results:
        if not result.ok:
            raise SampleImportError("\n".join([result.summary, *result.errors]))
    return results


def load_reference_data() -> None:
    """Everything billing needs to work out of the box (safe to run again)."""
    with transaction.atomic():
        load_code_catalog()
        load_fee_schedule()
        load_payer_profiles()
        load_sample_edits()


def seed(staff) -> None:
    load_reference_data()
