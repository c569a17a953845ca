from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Clinics and users"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="palpate_session_clock")
