from django.urls import path

from plancare import views

urlpatterns = [
    path("", views.patient_list, name="patient_list"),
    path("new/", views.patient_new, name="patient_new"),
    path("<int:pk>/", views.patient_detail, name="patient_detail"),
    path("<int:pk>/edit/", views.patient_edit, name="patient_edit"),
    path("<int:patient_pk>/plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/status/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/recertify/", views.plan_recertify, name="plan_recertify"),
    path("plans/<int:plan_pk>/diagnoses/new/", views.diagnosis_new, name="diagnosis_new"),
    path("diagnoses/<int:pk>/edit/", views.diagnosis_edit, name="diagnosis_edit"),
    path("plans/<int:plan_pk>/goals/new/", views.goal_new, name="goal_new"),
    path("goals/<int:pk>/edit/", views.goal_edit, name="goal_edit"),
    path(
        "plans/<int:plan_pk>/progress-reports/new/",
        views.progress_report_new,
        name="progress_report_new",
    ),
    path(
        "progress-reports/<int:pk>/",
        views.progress_report_detail,
        name="progress_report_detail",
    ),
    path(
        "progress-reports/<int:pk>/addenda/",
        views.progress_report_addendum,
        name="progress_report_addendum",
    ),
]
