from django.urls import path

from plancare import views

urlpatterns = [
    path("", views.patient_list, name="patient_list"),
]
