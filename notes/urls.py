from django.urls import path

from notes import views

urlpatterns = [
    path("<int:pk>/", views.visit_note, name="visit_note"),
]
