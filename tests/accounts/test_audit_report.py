"""The audit report page and its CSV (issue 15 §1): clinic admins and auditors read the
clinic's access events, filtered, sorted and paged; clinicians get a 403; another clinic's
events never show; reading and downloading are themselves recorded (DOMAIN.md §7)."""

import csv
import datetime as dt
import html
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AccessAction, AccessEvent
from accounts.reports import PAGE_SIZE
from tests.factories import PatientFactory, UserFactory

URL = "/audit/trail/"
CSV_URL = "/audit/trail.csv"


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


@pytest.fixture
def ellis(clinic):
    return PatientFactory(clinic=clinic, first_name="Margaret", last_name="Ellis", mrn="RV-1001")


@pytest.fixture
def whitfield(clinic):
    return PatientFactory(clinic=clinic, first_name="James", last_name="Whitfield", mrn="RV-1002")


def test_clinicians_get_a_403_and_no_nav_link(pt_client, outsider_client):
    for client in (pt_client, outsider_client):
        assert client.get(URL).status_code == 403
        assert client.get(CSV_URL).status_code == 403
    assert "Access trail" not in pt_client.get("/").content.decode()


def test_admins_and_auditors_read_it_from_the_nav(admin_client_, auditor_client):
    for client in (admin_client_, auditor_client):
        home = client.get("/").content.decode()
        assert f'href="{URL}">Access trail</a>' in home
        assert client.get(URL).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_free_text_in_events_is_shown_escaped(admin_client_, pt):
    # DOMAIN.md §8: stored XSS in free-text fields.
    patient = PatientFactory(clinic=pt.clinic, last_name="<img src=x onerror=alert(1)>")
    AccessEvent.record(
        user=pt, action=AccessAction.VIEW, patient=patient, detail="<script>alert(2)</script>"
    )
    body = admin_client_.get(URL).content.decode()
    assert "<script>alert(2)</script>" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body


def test_auditors_cannot_post_to_it(auditor_client):
    assert auditor_client.post(URL).status_code == 405


def test_it_shows_only_this_clinics_events(admin_client_, pt, outsider, ellis):
    AccessEvent.record(user=pt, action=AccessAction.VIEW, obj=ellis, patient=ellis)
    theirs = PatientFactory(clinic=outsider.clinic, last_name="Lakeview-only")
    AccessEvent.record(
        user=outsider, action=AccessAction.VIEW, patient=theirs, detail="lakeview secret"
    )
    page = text(admin_client_.get(URL))
    assert "Ellis, Margaret RV-1001" in page
    assert "lakeview secret" not in page and "Lakeview-only" not in page
    rows = _csv(admin_client_.get(CSV_URL))
    assert any("RV-1001" in row for row in rows)
    assert not any("lakeview secret" in row for row in rows)


def test_it_filters_by_user_patient_and_action(admin_client_, pt, ot, ellis, whitfield):
    AccessEvent.record(user=pt, action=AccessAction.VIEW, patient=ellis, detail="pt saw ellis")
    AccessEvent.record(user=ot, action=AccessAction.SIGN, patient=ellis, detail="ot signed")
    AccessEvent.record(user=pt, action=AccessAction.EXPORT, patient=whitfield, detail="pt exp")
    by_user = text(admin_client_.get(URL, {"user": ot.pk}))
    assert "ot signed" in by_user and "pt saw ellis" not in by_user
    by_mrn = text(admin_client_.get(URL, {"patient": "rv-1002"}))
    assert "pt exp" in by_mrn and "pt saw ellis" not in by_mrn
    by_name = text(admin_client_.get(URL, {"patient": "Ell"}))
    assert "pt saw ellis" in by_name and "ot signed" in by_name and "pt exp" not in by_name
    by_action = text(admin_client_.get(URL, {"action": "sign"}))
    assert "ot signed" in by_action and "pt exp" not in by_action
    both = _csv(admin_client_.get(CSV_URL, {"user": pt.pk, "action": "export"}))
    assert [row[9] for row in both[1:]] == ["pt exp"]


def test_the_date_range_is_read_in_the_clinics_time_zone(admin_client_, pt):
    # Riverside is in America/Chicago (UTC-6 in November): 03:00 UTC on Nov 2 is the
    # evening of Nov 1 there.
    for at, detail in (
        (dt.datetime(2026, 11, 2, 3, 0, tzinfo=dt.UTC), "evening of the 1st"),
        (dt.datetime(2026, 11, 2, 15, 0, tzinfo=dt.UTC), "morning of the 2nd"),
        (dt.datetime(2026, 11, 3, 7, 0, tzinfo=dt.UTC), "night of the 3rd"),
    ):
        with time_machine.travel(at, tick=False):
            AccessEvent.record(user=pt, action=AccessAction.VIEW, detail=detail)
    page = text(admin_client_.get(URL, {"start": "2026-11-02", "end": "2026-11-02"}))
    assert "morning of the 2nd" in page
    assert "evening of the 1st" not in page and "night of the 3rd" not in page
    assert "2026-11-02 09:00:00" in page  # shown in clinic time
    first = text(admin_client_.get(URL, {"start": "2026-11-01", "end": "2026-11-01"}))
    assert "evening of the 1st" in first and "morning of the 2nd" not in first


def test_it_sorts_only_by_whitelisted_keys(admin_client_, pt, ot):
    # DOMAIN.md §8: no SQL through sort/filter parameters; the sort is a whitelist.
    AccessEvent.record(user=ot, action=AccessAction.VIEW, detail="first by time")
    AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="second by time")
    newest = text(admin_client_.get(URL))
    assert newest.index("second by time") < newest.index("first by time")
    oldest = text(admin_client_.get(URL, {"sort": "at"}))
    assert oldest.index("first by time") < oldest.index("second by time")
    by_user = text(admin_client_.get(URL, {"sort": "user"}))  # "ot" before "pt"
    assert by_user.index("first by time") < by_user.index("second by time")
    response = admin_client_.get(URL, {"sort": "password; drop table"})
    assert response.status_code == 400
    assert "Sort by one of: -at (Newest first), at (Oldest first)" in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "11/02/2026"}, "Enter a date as YYYY-MM-DD, for example 2026-11-01."),
        ({"start": "2026-11-05", "end": "2026-11-01"}, "Enter a date on or after the From date."),
        ({"action": "delete-all"}, "Choose an action from the list."),
        ({"page": "0"}, "Enter a page number from 1 to 10000."),
        ({"page": "two"}, "Enter a page number from 1 to 10000."),
    ],
)
def test_bad_input_is_a_400_with_the_message_on_the_page(admin_client_, params, message):
    response = admin_client_.get(URL, params)
    assert response.status_code == 400
    assert message in text(response)
    assert not AccessEvent.objects.filter(detail__startswith="audit report").exists()


def test_another_clinics_user_is_not_a_choice(admin_client_, outsider):
    response = admin_client_.get(URL, {"user": outsider.pk})
    assert response.status_code == 400
    assert "Choose a user of this clinic from the list." in text(response)
    assert "Olga" not in text(response)


def test_bad_filters_on_the_csv_lead_back_to_the_page(admin_client_):
    response = admin_client_.get(CSV_URL, {"sort": "nope"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?sort=nope"


def test_it_pages_without_counting(admin_client_, pt):
    for n in range(PAGE_SIZE + 5):
        AccessEvent.record(user=pt, action=AccessAction.VIEW, detail=f"event {n:03d}")
    with CaptureQueriesContext(connection) as queries:
        first = admin_client_.get(URL, {"sort": "at"})
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    page = text(first)
    assert "event 000" in page and f"event {PAGE_SIZE - 1:03d}" in page
    assert f"event {PAGE_SIZE:03d}" not in page
    assert f"Events 1–{PAGE_SIZE} · page 1" in page
    # The Next link reads page 2 from the last row shown (keyset paging: a cursor, no OFFSET).
    (next_href,) = re.findall(r'href="(\?sort=at&amp;page=2&amp;after=[^"]+)">Next</a>',
                              first.content.decode())  # fmt: skip
    second = text(admin_client_.get(URL + html.unescape(next_href)))
    assert f"event {PAGE_SIZE:03d}" in second and "event 000" not in second
    assert "Previous" in second and "Next" not in second


def test_reading_and_downloading_are_recorded(auditor_client, auditor, pt, ellis):
    auditor_client.get(URL, {"patient": "RV-1001", "action": "view"})
    read = AccessEvent.objects.get(user=auditor, action=AccessAction.VIEW)
    assert read.detail == "audit report page 1: patient=RV-1001 action=view sort=-at"
    assert read.clinic_id == auditor.clinic_id and read.mac_ok()
    response = auditor_client.get(CSV_URL, {"user": pt.pk})
    _csv(response)
    export = AccessEvent.objects.get(user=auditor, action=AccessAction.EXPORT)
    assert export.detail == f"audit report CSV: user={pt.username} sort=-at"


def test_the_csv_streams_every_column_with_formula_cells_neutralised(admin_client_, pt):
    # DOMAIN.md §8: spreadsheet formula injection in CSV exports.
    patient = PatientFactory(clinic=pt.clinic, first_name="@SUM(A1)", last_name="=cmd", mrn="+1")
    AccessEvent.record(
        user=pt,
        action=AccessAction.VIEW,
        patient=patient,
        detail='=HYPERLINK("http://evil.example","click")',
    )
    AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="\tTabbed")
    AccessEvent.record(user=pt, action=AccessAction.VIEW, detail="-2+3")
    response = admin_client_.get(CSV_URL, {"user": pt.pk, "sort": "at"})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access-trail-')
    header, *rows = _csv(response)
    assert header[:5] == ["Seq", "Time", "User", "Role", "Action"]
    assert header[-3:] == ["Request id", "Key id", "MAC"]
    first = dict(zip(header, rows[0], strict=True))
    assert first["Detail"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["Patient MRN"] == "'+1"
    assert first["Patient"] == "'=cmd, @SUM(A1)"
    assert first["User"] == "pt" and first["Action"] == "View"
    assert first["Seq"] == "1" and len(first["MAC"]) == 64
    assert [row[9] for row in rows[1:]] == ["'\tTabbed", "'-2+3"]


def test_the_report_page_reads_in_fixed_queries(
    admin_client_, pt, ot, django_assert_max_num_queries
):
    patients = [PatientFactory(clinic=pt.clinic) for _ in range(5)]
    for n in range(40):
        user = (pt, ot, UserFactory(clinic=pt.clinic))[n % 3]
        AccessEvent.record(user=user, action=AccessAction.VIEW, patient=patients[n % 5])
    # session, user, the page of events with their users and patients (one join), the
    # reading's access event (savepoint, per-clinic advisory lock on PostgreSQL, chain head,
    # insert, release), clinic (time zone, name), the clinic's users for the filter.
    limit = 9 + (connection.vendor == "postgresql")
    with django_assert_max_num_queries(limit):
        response = admin_client_.get(
            URL, {"start": "2026-01-01", "end": "2099-12-31", "sort": "patient"}
        )
    assert response.status_code == 200
    assert text(response).count(" View ") >= 40
