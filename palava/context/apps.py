from django.apps import AppConfig


class ContextConfig(AppConfig):
    name = "palava.context"
    label = "context"
    default_auto_field = "django.db.models.BigAutoField"
