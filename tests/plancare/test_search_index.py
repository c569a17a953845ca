"""The patient search can use the trigram indexes (plancare migration 0002) on PostgreSQL, and
costs the same queries whatever the number of matches."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plancare.models import Patient
from tests.factories import PatientFactory

TRIGRAM_INDEXES = {"patient_first_name_trgm", "patient_last_name_trgm", "patient_mrn_trgm"}


def _patients(clinic, n: int, last_name: str = "Whitfield") -> None:
    for k in range(n):
        PatientFactory(
            clinic=clinic, first_name=f"Ann{k}", last_name=last_name, mrn=f"{last_name[:2]}-{k:04d}"
        )


def _search_sql(client, term: str) -> tuple[str, list]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("patient_list"), {"q": term}).status_code == 200
    (sql,) = [q["sql"] for q in ctx.captured_queries if "LIKE" in q["sql"] and "LIMIT" in q["sql"]]
    return sql


def test_the_search_query_uses_the_trigram_indexes_on_postgresql(pt_client, clinic):
    _patients(clinic, 3)
    # a clinic of a few thousand patients, as the planner sees it after ANALYZE
    Patient.objects.bulk_create(
        Patient(
            clinic=clinic,
            first_name=f"Ann{k}",
            last_name=f"Kowalski{k}",
            mrn=f"K-{k:05d}",
            date_of_birth=dt.date(1960, 1, 1),
            sex="F",
            payer_type="commercial",
        )
        for k in range(4000)
    )
    sql = _search_sql(pt_client, "hitf")
    if connection.vendor != "postgresql":
        # other databases have no trigram index: the same query scans, and still finds
        assert "hitf" in sql.lower()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'plancare_patient'")
        assert {row[0] for row in cursor.fetchall()} >= TRIGRAM_INDEXES
        cursor.execute("ANALYZE plancare_patient")
        for index in sorted(TRIGRAM_INDEXES):  # new rows wait in GIN's pending list until
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])  # a vacuum
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on patient_last_name_trgm" in plan
    assert "Bitmap Index Scan on patient_first_name_trgm" in plan
    assert "Bitmap Index Scan on patient_mrn_trgm" in plan


def test_the_search_still_finds_a_substring_of_any_of_the_three_columns(pt_client, clinic):
    _patients(clinic, 3)
    PatientFactory(clinic=clinic, first_name="Margaret", last_name="Ellis", mrn="RPT-1001")
    for term in ("hitfie", "ARGAR", "pt-100"):
        text = pt_client.get(reverse("patient_list"), {"q": term}).text
        assert ("Whitfield" in text) == (term == "hitfie")
        assert ("Ellis, Margaret" in text) == (term != "hitfie")


@pytest.mark.parametrize("n", [2, 40])
def test_a_search_costs_the_same_queries_with_more_matches(
    pt_client, clinic, django_assert_max_num_queries, n
):
    _patients(clinic, n)
    with django_assert_max_num_queries(5):
        # session, user, clinic (time zone of "today"), the page of patients with the number
        # of matches on each row (one scan), their plans covering today (prefetch)
        response = pt_client.get(reverse("patient_list"), {"q": "whitf"})
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(n, 25)


def test_search_results_are_in_name_order_ignoring_case(pt_client, clinic):
    PatientFactory(clinic=clinic, first_name="Ana", last_name="de Souza", mrn="S-1")
    PatientFactory(clinic=clinic, first_name="Ben", last_name="Dalton", mrn="S-2")
    PatientFactory(clinic=clinic, first_name="Cy", last_name="Evans", mrn="S-3")
    text = pt_client.get(reverse("patient_list"), {"q": "s-"}).text
    assert text.index("Dalton, Ben") < text.index("de Souza, Ana") < text.index("Evans, Cy")
