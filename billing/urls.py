from django.urls import path

from billing import views

urlpatterns = [
    path("charges/", views.charge_lines, name="charge_lines"),
    path("charges.csv", views.charge_lines_csv_view, name="charge_lines_csv"),
]
