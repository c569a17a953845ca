"""The billing tables in the Django admin: configuration editable, imported and billed rows
read-only."""

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.fixture
def superuser_client(clinic):
    user = UserFactory(clinic=clinic, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model",
    ["code", "feeyear", "kxthreshold", "payerprofile", "ncciedit", "muelimit", "chargeline"],
)
def test_every_billing_table_lists_in_the_admin(superuser_client, sample_edits, model):
    assert superuser_client.get(f"/django-admin/billing/{model}/").status_code == 200


@pytest.mark.parametrize("model", ["ncciedit", "muelimit", "chargeline"])
def test_imported_and_billed_rows_cannot_be_added_by_hand(superuser_client, model):
    assert superuser_client.get(f"/django-admin/billing/{model}/add/").status_code == 403


def test_payer_profiles_are_configurable(superuser_client, payer_profiles):
    assert superuser_client.get("/django-admin/billing/payerprofile/add/").status_code == 200
