from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.decorators import object_view
from billing.views import SUPERBILL_METHODS, superbill
from desk.views import home
from notes.access import get_visit_for_user

urlpatterns = [
    path("", home, name="home"),
    path("", include("accounts.urls")),
    path("patients/", include("plancare.urls")),
    path("visits/", include("notes.urls")),
    path("billing/", include("billing.urls")),
    # Billing renders a visit's superbill, notes scopes the visit: wired here so that billing
    # imports nothing from notes (tests/project/test_imports.py).
    path(
        "billing/visits/<int:pk>/superbill/",
        object_view(get_visit_for_user, methods=SUPERBILL_METHODS)(superbill),
        name="superbill",
    ),
    path("records/", include("records.urls")),
    path("desk/", include("desk.urls")),
    path("django-admin/", admin.site.urls),
]

if settings.BENCH:
    urlpatterns += [path("bench/", include("bench.urls"))]
