from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("accounts.urls")),
    path("patients/", include("plancare.urls")),
    path("visits/", include("notes.urls")),
    path("billing/", include("billing.urls")),
    path("records/", include("records.urls")),
    path("desk/", include("desk.urls")),
    path("django-admin/", admin.site.urls),
]
