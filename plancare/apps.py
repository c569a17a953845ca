from django.apps import AppConfig


class PlancareConfig(AppConfig):
    name = "plancare"
    verbose_name = "Patients and plans of care"
