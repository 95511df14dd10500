"""Forms of the account pages. They validate input only; the views call the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from palava.accounts.tokens import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from palava.accounts.two_factor import MAX_CODE_LENGTH

USERNAME_MAX_LENGTH = 150
PASSWORD_MAX_LENGTH = 4096  # argon2 on a megabyte of "password" is a cheap denial of service


class LoginForm(AuthenticationForm):
    """Django's form: it calls ``authenticate(request=...)``, so django-axes counts failures.

    Django's form sets the username's ``max_length`` after the field is built, so the length is
    never validated: a 10,000-character username would reach ``authenticate()`` and django-axes
    (whose ``username`` column is 255 characters: an error on PostgreSQL). Refuse it here.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        limit = username.max_length or USERNAME_MAX_LENGTH  # type: ignore[attr-defined]
        username.validators.append(MaxLengthValidator(limit))
        self.fields["password"].validators.append(MaxLengthValidator(PASSWORD_MAX_LENGTH))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=MAX_CODE_LENGTH,
        strip=True,
        help_text=_("The 6-digit code shown in your authenticator app, or a recovery code."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class TotpCodeForm(forms.Form):
    """Only a code from the app (set-up, new recovery codes): 6 digits."""

    code = forms.RegexField(
        label=_("6-digit code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=MAX_CODE_LENGTH,
        error_messages={"invalid": _("Type the 6 digits shown in your authenticator app.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"[0-9 ]*",
                "autofocus": True,
            }
        ),
    )


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        strip=True,
        help_text=_("What the token is for, e.g. “weekly export script”."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        initial=DEFAULT_TOKEN_DAYS,
        help_text=_("Between 1 and 365 days."),
    )
