from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The performance harness: the large-clinic seeder and the two baseline views."""

    name = "bench"
    default_auto_field = "django.db.models.BigAutoField"
