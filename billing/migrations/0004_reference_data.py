"""Load the code catalog, its RVUs, the conversion factors and the KX thresholds.

Time blocks and untimed services point at `billing.Code`, so the catalog has to exist in every
database, not only after `seed_demo`. The data comes from fixtures/codes.json and
fixtures/fee_schedule.json; `billing.demo.load_reference_data()` loads the same files again
(safe to repeat) when they change.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    Code = apps.get_model("billing", "Code")
    CodeRvu = apps.get_model("billing", "CodeRvu")
    FeeYear = apps.get_model("billing", "FeeYear")
    KxThreshold = apps.get_model("billing", "KxThreshold")
    fixtures = Path(settings.BASE_DIR) / "fixtures"
    catalog = json.loads((fixtures / "codes.json").read_text(encoding="utf-8"))
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
    schedule = json.loads((fixtures / "fee_schedule.json").read_text(encoding="utf-8"))
    for year, factor in schedule["conversion_factors"].items():
        FeeYear.objects.update_or_create(
            year=int(year), defaults={"conversion_factor": Decimal(factor)}
        )
    for year, amount in schedule["kx_thresholds"].items():
        KxThreshold.objects.update_or_create(year=int(year), defaults={"amount": Decimal(amount)})


class Migration(migrations.Migration):

    dependencies = [
        ("billing", "0003_charge_line_scope_and_edit_flags"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
