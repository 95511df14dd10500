from django.apps import AppConfig


class ActorsConfig(AppConfig):
    name = "palava.actors"
    label = "actors"
    default_auto_field = "django.db.models.BigAutoField"
