"""The benchmark's two baselines (bench/views.py) exist only when settings.BENCH is on."""

import importlib

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

import config.urls


@pytest.fixture
def bench_urls(settings):
    """The URLconf as a server started with PALPATE_BENCH=1 builds it."""
    settings.BENCH = True
    clear_url_caches()
    importlib.reload(config.urls)
    yield
    with override_settings(BENCH=False):
        clear_url_caches()
        importlib.reload(config.urls)
    clear_url_caches()


def test_the_baselines_are_absent_without_the_bench_setting(pt_client):
    with pytest.raises(NoReverseMatch):
        reverse("bench_plain")
    assert pt_client.get("/bench/plain/").status_code == 404
    assert pt_client.get("/bench/template/").status_code == 404


def test_the_plain_baseline_is_a_short_response(bench_urls, pt_client):
    response = pt_client.get(reverse("bench_plain"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_template_baseline_renders_the_base_page_with_one_query_of_its_own(
    bench_urls, clinic, pt_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4):
        # session, user, the view's one query (the clinic's name), the clinic of the
        # navigation bar (context processor)
        response = pt_client.get(reverse("bench_template"))
    assert response.status_code == 200
    assert clinic.name in response.text
    assert "Sign out" in response.text  # the base template's navigation


def test_the_baselines_need_a_signed_in_user_like_every_page(bench_urls, client):
    response = client.get(reverse("bench_plain"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
