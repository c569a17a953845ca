"""The audit report's keyset paging (issue 18): the Next and Previous links read from the rows
shown, so events recorded meanwhile never shift or repeat a page, every sort walks the whole
trail exactly once in both directions, and the filters ride along."""

import html
import re

import pytest

from accounts.models import AccessAction, AccessEvent
from accounts.reports import PAGE_SIZE
from tests.factories import PatientFactory

URL = "/audit/trail/"


def details(response) -> list[str]:
    """The details of the events the fixture made, in the order the table shows them."""
    return [d for d in all_rows(response) if d.startswith("event ")]


def all_rows(response) -> list[str]:
    """Every row's detail, the readings of the report recorded meanwhile included."""
    table = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"(event \d{3}|audit report page)", table)


def link(response, label: str) -> str | None:
    found = re.findall(rf'href="(\?[^"]+)">{label}</a>', response.content.decode())
    return URL + html.unescape(found[0]) if found else None


def walk(client, url: str, label: str, *, rows=details) -> list[list[str]]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(rows(response))
        url = link(response, label)
    return pages


@pytest.fixture
def trail(pt, ot):
    """130 events: two users, every third without a patient, patients sharing last names."""
    patients = [
        PatientFactory(clinic=pt.clinic, last_name=name, first_name=first)
        for name, first in (("Ellis", "Margaret"), ("Ellis", "Abby"), ("Nguyen", "Lan"))
    ]
    for n in range(130):
        AccessEvent.record(
            user=(pt, ot)[n % 2],
            action=(AccessAction.VIEW, AccessAction.PRINT)[n % 5 == 0],
            patient=None if n % 3 == 0 else patients[n % 3],
            detail=f"event {n:03d}",
        )


def test_events_recorded_meanwhile_neither_shift_nor_repeat_the_next_page(admin_client_, pt, trail):
    first = admin_client_.get(URL)
    assert details(first) == [f"event {n:03d}" for n in range(129, 129 - PAGE_SIZE, -1)]
    for n in range(3):  # someone keeps working while the auditor reads
        AccessEvent.record(user=pt, action=AccessAction.VIEW, detail=f"later {n}")
    second = admin_client_.get(link(first, "Next"))
    assert details(second) == [f"event {n:03d}" for n in range(79, 79 - PAGE_SIZE, -1)]
    back = admin_client_.get(link(second, "Previous"))
    assert details(back) == details(first)
    assert link(back, "Previous")  # the newer events (the readings, "later") come before


@pytest.mark.parametrize("sort", ["-at", "at", "user", "patient", "action"])
def test_every_sort_walks_the_trail_once_forwards_and_backwards(admin_client_, trail, sort):
    pages = walk(admin_client_, f"{URL}?sort={sort}", "Next", rows=all_rows)
    assert [len(page) for page in pages[:-1]] == [PAGE_SIZE, PAGE_SIZE]  # full pages
    seen = [d for page in pages for d in page if d.startswith("event ")]
    assert sorted(seen) == [f"event {n:03d}" for n in range(130)]  # each once
    # From the last page back to the first: the same events in the same order (the readings
    # recorded meanwhile take their own places and shift nothing).
    last = admin_client_.get(f"{URL}?sort={sort}")
    for _ in range(2):
        last = admin_client_.get(link(last, "Next"))
    back = walk(admin_client_, link(last, "Previous"), "Previous")
    before_last = [d for page in back[::-1] for d in page]
    assert before_last == seen[: len(seen) - len(details(last))]


def test_the_patient_sort_puts_events_without_a_patient_last(admin_client_, trail):
    pages = walk(admin_client_, f"{URL}?sort=patient", "Next")
    seen = [d for page in pages for d in page]
    without = [f"event {n:03d}" for n in range(129, -1, -1) if n % 3 == 0]  # newest first
    assert seen[-len(without) :] == without


def test_the_filters_ride_along_the_links(admin_client_, trail):
    pages = walk(admin_client_, f"{URL}?action=print&sort=at", "Next")
    assert [d for page in pages for d in page] == [
        f"event {n:03d}" for n in range(0, 130, 5)
    ]  # 26 prints: one page


def test_a_damaged_page_link_is_a_400_that_says_so(admin_client_, trail):
    first = admin_client_.get(URL)
    damaged = link(first, "Next").replace("after=", "after=x")
    response = admin_client_.get(damaged)
    assert response.status_code == 400
    assert "This page link is damaged or out of date" in response.content.decode()
    # A cursor of another sort does not fit either.
    other = link(first, "Next").replace("page=2", "sort=patient&page=2")
    assert admin_client_.get(other).status_code == 400
