from django.urls import path

from records import views

urlpatterns = [
    path("exports/", views.export_page, name="export_page"),
    path("exports/<uuid:pk>/", views.export_job, name="export_job"),
    path("exports/<uuid:pk>/download", views.export_download, name="export_download"),
    path("adr/", views.adr_list, name="adr_list"),
    path("adr/<int:pk>/", views.adr_detail, name="adr_detail"),
    path("adr/<int:pk>/packet", views.adr_packet, name="adr_packet"),
]
