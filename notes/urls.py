from django.urls import path

from notes import signature_views, views, views_carry

urlpatterns = [
    path("start/<int:patient_pk>/", views.visit_start_view, name="visit_start"),
    path("<int:pk>/", views.visit_note, name="visit_note"),
    path("<int:pk>/forms/<str:name>/", views.note_form, name="note_form"),
    path("<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("<int:pk>/findings/<int:item>/edit/", views.finding_edit, name="finding_edit"),
    path("<int:pk>/findings/<int:item>/delete/", views.finding_delete, name="finding_delete"),
    path("<int:pk>/techniques/", views.technique_add, name="technique_add"),
    path("<int:pk>/techniques/<int:item>/edit/", views.technique_edit, name="technique_edit"),
    path(
        "<int:pk>/techniques/<int:item>/delete/",
        views.technique_delete,
        name="technique_delete",
    ),
    path("<int:pk>/timer/start/", views.timer_start_view, name="timer_start"),
    path("<int:pk>/timer/<int:item>/stop/", views.timer_stop_view, name="timer_stop"),
    path("<int:pk>/blocks/", views.block_add, name="block_add"),
    path("<int:pk>/blocks/<int:item>/delete/", views.block_delete, name="block_delete"),
    path("<int:pk>/services/", views.service_add, name="service_add"),
    path("<int:pk>/services/<int:item>/delete/", views.service_delete, name="service_delete"),
    path("<int:pk>/measures/", views.measure_add, name="measure_add"),
    path("<int:pk>/measures/<int:item>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/measures/<int:item>/delete/", views.measure_delete, name="measure_delete"),
    path("<int:pk>/goals/", views.goal_link, name="goal_link"),
    path("<int:pk>/goals/<int:item>/", views.goal_remark_edit, name="goal_remark"),
    path("<int:pk>/goals/<int:item>/delete/", views.goal_unlink, name="goal_unlink"),
    path("<int:pk>/narrative/<str:part>/", views.narrative_view, name="visit_narrative"),
    path("<int:pk>/reasoning/draft/", views.reasoning_draft_view, name="reasoning_draft"),
    path("<int:pk>/sign/", signature_views.sign_view, name="visit_sign"),
    path("<int:pk>/cosign/", signature_views.cosign_view, name="visit_cosign"),
    path("<int:pk>/addenda/", signature_views.addendum_add, name="addendum_add"),
    path("<int:pk>/carry/", views_carry.carry_forward_view, name="carry_forward"),
    path(
        "<int:pk>/carry/<int:item>/confirm/", views_carry.carry_confirm_view, name="carry_confirm"
    ),
]
