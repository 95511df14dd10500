"""The default message taxonomy every mission starts with (it may add its own categories).

Codes are stable: lexicons (``palava/feedback/lexicons/``), trained models, exports and the API
use them. Labels are translated at display time for the built-in codes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DefaultCategory:
    code: str
    label: Promise
    parent: str = ""
    restricted: bool = False


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory("security_threat", _("Security threat")),
    DefaultCategory("violence_incident", _("Violence or incident")),
    DefaultCategory("tension_dispute", _("Tension or dispute")),
    DefaultCategory("need", _("Need or service request")),
    DefaultCategory("need_water", _("Water"), parent="need"),
    DefaultCategory("need_food", _("Food"), parent="need"),
    DefaultCategory("need_health", _("Health"), parent="need"),
    DefaultCategory("need_shelter", _("Shelter"), parent="need"),
    DefaultCategory("need_education", _("Education"), parent="need"),
    DefaultCategory("conduct_complaint", _("Complaint about the mission's conduct")),
    DefaultCategory("sea", _("Sexual exploitation and abuse"), restricted=True),
    DefaultCategory("gbv", _("Gender-based violence"), restricted=True),
    DefaultCategory("child_protection", _("Child protection"), restricted=True),
    DefaultCategory("rumour", _("Rumour or misinformation")),
    DefaultCategory("information_request", _("Information request")),
    DefaultCategory("positive_feedback", _("Positive feedback")),
    DefaultCategory("other", _("Other")),
)

DEFAULT_BY_CODE: dict[str, DefaultCategory] = {c.code: c for c in DEFAULT_CATEGORIES}
FALLBACK_CODE = "other"
RESTRICTED_DEFAULT_CODES: frozenset[str] = frozenset(
    c.code for c in DEFAULT_CATEGORIES if c.restricted
)


def category_label(code: str, name: str = "") -> str:
    """The display label: the translated built-in label, else the mission's own name."""
    default = DEFAULT_BY_CODE.get(code)
    if default is not None:
        return str(default.label)
    return name or code
