from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "palava.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from palava.accounts import auth_events  # noqa: F401  (connects the audit receivers)
