import time_machine
from axes.models import AccessAttempt, AccessLog
from django.urls import reverse

from accounts.models import AccessEvent


def test_it_redirects_anonymous_requests_to_the_sign_in_page(client, db):
    for url in ["/", "/patients/", "/billing/charges/", "/visits/1/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next="), url


def test_it_signs_in_with_the_right_password_and_records_it(client, pt, password):
    response = client.post(reverse("login"), {"username": "pt", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert AccessEvent.objects.filter(user=pt, action="login").count() == 1


def test_it_gives_one_message_for_a_wrong_user_name_or_password(client, pt):
    bad_user = client.post(reverse("login"), {"username": "nobody", "password": "x" * 12})
    bad_pass = client.post(reverse("login"), {"username": "pt", "password": "x" * 12})
    for response in (bad_user, bad_pass):
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    assert "nobody" not in bad_user.text.split("Please enter")[1][:200]


def test_it_locks_the_account_after_five_wrong_passwords(client, pt, password):
    for _ in range(5):
        client.post(reverse("login"), {"username": "pt", "password": "Secret-Guess-123"})
    locked = client.post(reverse("login"), {"username": "pt", "password": password})
    assert locked.status_code == 429
    assert "temporarily locked" in locked.text
    assert "_auth_user_id" not in client.session
    # The failed password is never stored.
    for attempt in AccessAttempt.objects.all():
        assert "Secret-Guess-123" not in attempt.post_data
    assert not AccessLog.objects.filter(username="pt").exists() or all(
        "Secret-Guess-123" not in str(log.__dict__) for log in AccessLog.objects.all()
    )


def test_it_signs_out_after_thirty_idle_minutes(client, pt):
    with time_machine.travel("2026-11-23 09:00", tick=False) as clock:
        client.force_login(pt)
        assert client.get("/").status_code == 200
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200  # activity resets the idle clock
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_of_an_ended_session_sends_the_whole_page_to_sign_in(client, pt):
    with time_machine.travel("2026-11-23 09:00", tick=False) as clock:
        client.force_login(pt)
        clock.shift(31 * 60)
        response = client.get("/patients/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == "/accounts/login/"  # htmx loads it as a full page
    assert response.content == b""  # no page of the ended session
    assert "_auth_user_id" not in client.session


def test_it_ends_every_session_twelve_hours_after_sign_in(client, pt):
    with time_machine.travel("2026-11-23 07:00", tick=False) as clock:
        client.force_login(pt)
        for _ in range(25):  # busy all day, never idle for 30 minutes
            clock.shift(29 * 60)
            last = client.get("/")
            if last.status_code != 200:
                break
    assert last.status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_keeps_patient_pages_out_of_browser_caches(pt_client):
    response = pt_client.get("/patients/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_it_shows_the_charges_menu_to_admins_but_not_to_clinicians(pt_client, admin_client_):
    assert "Charges" not in pt_client.get("/").text
    assert "Charges" in admin_client_.get("/").text


def test_passwords_are_stored_with_argon2id_and_older_hashes_move_to_it_at_sign_in(
    client, pt, password, settings
):
    # The hashers of a real installation (the suite itself hashes with MD5 for speed).
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    pt.password = make_password(password, hasher="pbkdf2_sha256")  # stored before the change
    pt.save(update_fields=["password"])
    response = client.post(reverse("login"), {"username": "pt", "password": password})
    assert response.status_code == 302  # the older hash still lets the clinician in
    pt.refresh_from_db()
    assert pt.password.startswith("argon2$argon2id$")
    assert pt.check_password(password)
