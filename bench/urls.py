from django.urls import path

from bench import views

urlpatterns = [
    path("plain/", views.plain, name="bench_plain"),
    path("template/", views.template, name="bench_template"),
]
