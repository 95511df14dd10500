from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "palava.feedback"
    label = "feedback"
    verbose_name = _("Feedback and early warning")
    default_auto_field = "django.db.models.BigAutoField"
