"""What a page says where a list is empty, and the buttons that fill it: the plan's diagnoses
and goals cards, the patient's visits, the records pages' exports and ADRs (each drawn by a
shared include)."""

import pytest
from django.urls import reverse

from plancare.models import Diagnosis, Goal
from tests.notes.conftest import words

pytestmark = pytest.mark.django_db


def test_an_empty_plan_says_what_to_add_and_offers_the_add_buttons(pt_client, plan):
    Diagnosis.objects.filter(plan=plan).delete()
    Goal.objects.filter(plan=plan).delete()
    page = pt_client.get(reverse("plan_detail", args=[plan.pk]))
    text = words(page)
    assert "No diagnosis yet: add the diagnosis the functional limitations follow from." in text
    assert "No goal yet: add a measurable functional goal (baseline, target, date)." in text
    html = page.content.decode()
    assert f'hx-get="{reverse("diagnosis_new", args=[plan.pk])}"' in html
    assert f'hx-get="{reverse("goal_new", args=[plan.pk])}"' in html


def test_the_auditor_sees_the_rows_without_add_or_edit_buttons(auditor_client, plan):
    page = auditor_client.get(reverse("plan_detail", args=[plan.pk]))
    text = words(page)
    assert "M54.2" in text and "Return to driving safely" in text
    assert "Add diagnosis" not in text and "Add goal" not in text and "Edit" not in text


def test_a_new_patient_has_no_visits_yet(pt_client, patient):
    text = words(pt_client.get(reverse("patient_detail", args=[patient.pk])))
    assert "No visits yet." in text


def test_the_records_pages_say_there_is_no_export_and_no_adr_yet(auditor_client):
    assert "No exports yet." in words(auditor_client.get(reverse("export_page")))
    assert "No ADR entered." in words(auditor_client.get(reverse("adr_list")))
