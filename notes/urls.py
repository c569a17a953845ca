from django.urls import path

from notes import views

urlpatterns = [
    path("start/<int:patient_pk>/", views.visit_start_view, name="visit_start"),
    path("<int:pk>/", views.visit_note, name="visit_note"),
]
