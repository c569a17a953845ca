"""The demo staff: every login `seed_demo` prints exists and signs in with the demo password,
and seeding again changes nothing."""

import pytest
from django.urls import reverse

from accounts import demo
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_every_printed_login_signs_in_with_the_demo_password(client):
    demo.seed()
    assert [username for username, _who in demo.LOGINS] == [
        "pt", "pta", "ot", "dc", "admin", "auditor", "lakeview",
    ]  # fmt: skip
    for username, _who in demo.LOGINS:
        signed_in = client.post(
            reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD}
        )
        assert signed_in.status_code == 302 and signed_in["Location"] == "/", username
        client.post(reverse("logout"))


def test_the_login_list_says_who_each_user_is():
    assert dict(demo.LOGINS)["pta"] == "Sam Reyes, PTA — assistant supervised by pt"
    assert dict(demo.LOGINS)["admin"] == "Alex Morgan — clinic admin"


def test_seeding_again_changes_nothing():
    first = demo.seed()
    again = demo.seed()
    assert User.objects.count() == len(demo.LOGINS)
    assert again.pta.supervising_therapist == first.pt
    assert again.other_pt.clinic == first.other_clinic != first.clinic
