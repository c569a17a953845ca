"""The national tables (code catalog, NCCI pairs, MUE limits, RVUs) are read once per process
and kept (`billing.reference`), yet every figure the clinician and the biller see follows the
tables: at once after an import or a saved row in this process, within minutes after a change
made elsewhere, and always at sign-off, whose charge lines are stored for good
(DOMAIN.md §3 MUE, §5 NCCI, §6 fees)."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from billing import reference
from billing.edits import mue_import
from billing.fees import national_rates
from billing.models import ChargeLine, CodeRvu
from notes.signing import sign_visit
from tests.factories import PASSWORD
from tests.notes.conftest import url, words

pytestmark = pytest.mark.django_db

NATIONAL_TABLES = ("billing_code", "billing_ncciedit", "billing_muelimit", "billing_codervu")


def national_reads(client, path) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries if any(f'FROM "{t}"' in q["sql"] for t in NATIONAL_TABLES)]


def raise_97140_rvu_elsewhere() -> Decimal:
    """Another process's import: the row changes without this process hearing of it. The
    2026 rate of 97140 goes from 0.83 to 1.00 RVU × $33.40."""
    CodeRvu.objects.filter(code_id="97140", year=2026).update(work=F("work") + Decimal("0.17"))
    return Decimal("33.40")


def test_the_note_page_reads_the_national_tables_once(s1_visit, pt_client, clock):
    path = url("visit_note", s1_visit)
    assert national_reads(pt_client, path)  # the first request of the process reads them
    assert national_reads(pt_client, path) == []  # the next ones do not


def test_sign_off_stores_charge_lines_at_the_rates_in_the_database(
    s1_visit, pt, pt_client, clock, django_assert_num_queries
):
    pt_client.get(url("visit_note", s1_visit))  # the 2026 rates now kept in this process
    rate = raise_97140_rvu_elsewhere()
    sign_visit(visit_pk=s1_visit.pk, user=pt, password=PASSWORD)
    line = ChargeLine.objects.get(visit=s1_visit, code_id="97140")
    assert line.fee_estimate == rate * line.units
    # What sign-off read replaced what the process kept: the next notes show it too.
    with django_assert_num_queries(0):
        assert national_rates(["97140"], [2026]) == {(2026, "97140"): rate}


def test_a_change_made_elsewhere_shows_once_the_kept_rows_expire(
    s1_visit, pt_client, clock, monkeypatch
):
    path = url("visit_note", s1_visit)
    assert "$27.72" in words(pt_client.get(path))  # 0.83 RVU × $33.40
    raise_97140_rvu_elsewhere()
    monkeypatch.setattr(reference, "REFERENCE_SECONDS", 0)  # the kept rows are now too old
    page = words(pt_client.get(path))
    assert "$27.72" not in page
    assert "$33.40" in page


def test_a_saved_rvu_shows_on_the_next_request(s1_visit, pt_client, clock):
    path = url("visit_note", s1_visit)
    pt_client.get(path)
    rvu = CodeRvu.objects.get(code_id="97140", year=2026)
    rvu.work += Decimal("0.17")
    rvu.save()  # the admin's save in this process
    assert "$33.40" in words(pt_client.get(path))


def test_an_mue_import_applies_at_once(db):
    assert reference.mue_caps(["97140"]) == {}  # none imported yet: kept as none
    result = mue_import(
        io.StringIO(
            "HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\t"
            "MUE Rationale\n97140\t4\t3 Date of Service Edit: Clinical\tClinical: Data\n"
        )
    )
    assert result.ok, result.errors
    assert reference.mue_caps(["97140"])["97140"].max_units == 4
