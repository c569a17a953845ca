from django.urls import path

from billing import views

urlpatterns = [
    path("charges/", views.charge_lines, name="charge_lines"),
]
