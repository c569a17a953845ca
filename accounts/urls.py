from django.urls import path

from accounts import reports, views

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("audit/trail/", reports.audit_report, name="audit_report"),
    path("audit/trail.csv", reports.audit_report_csv, name="audit_report_csv"),
    path("healthz", views.healthz, name="healthz"),
]
