"""Template helpers for the shared layout.

``{% load palava_tags %}`` then ``{% if current_membership.role|allows:"audit.view" %}``: asks
the permission matrix (``palava.missions.permissions.role_has``) so templates never hard-code
which role sees what.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from palava.missions.permissions import Perm, role_has

register = template.Library()


@register.filter(name="allows")
def allows(role: object, perm: str) -> bool:
    """True when ``role`` grants ``perm`` (a ``Perm`` value such as ``"audit.view"``).

    An unknown permission name is a programming error and raises ``ValueError`` so a typo in a
    template fails loudly in tests instead of silently hiding a link.
    """
    if not isinstance(role, str) or not role:
        return False
    return role_has(role, Perm(perm))


@register.filter(name="markdown")
def markdown(text: str | None) -> SafeString:
    """Staff-written Markdown rendered safely (``palava.core.markdown``)."""
    from palava.core.markdown import render_markdown

    return render_markdown(text)
