"""Account pages: log-in and log-out, two-factor authentication, personal API tokens."""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from palava.accounts import two_factor as tf
from palava.accounts.forms import CodeForm, LoginForm, TokenCreateForm, TotpCodeForm
from palava.accounts.selectors import token_get, token_list
from palava.accounts.tokens import TokenError, token_create, token_revoke
from palava.missions.permissions import Perm, login_view, mission_view, public_view

NO_STORE = "no-store"


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages showing a secret once must not be kept by the browser or a proxy."""
    response["Cache-Control"] = NO_STORE
    response["Pragma"] = "no-cache"
    return response


def safe_next(request: HttpRequest, default: str | None = None) -> str:
    """The ``next`` parameter if it stays on this site, else ``default`` (the home page)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default or settings.LOGIN_REDIRECT_URL)


def _activate_preferred_language(response: HttpResponse, user: Any) -> None:
    language = getattr(user, "preferred_language", "")
    if not language:
        return
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# --- Log-in and log-out -----------------------------------------------------------------------


@public_view
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    """Log in with username and password; then the two-factor step for users who set it up.

    Failures are counted by django-axes (the form calls ``authenticate(request=...)``) and
    audited by ``palava.accounts.auth_events``; a locked-out username gets axes' lock-out page.
    """
    next_url = safe_next(request)
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        auth_login(request, user)
        target = next_url
        if tf.has_two_factor(user=user):
            target = f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}"
        response = HttpResponseRedirect(target)
        _activate_preferred_language(response, user)
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=status)


@public_view
@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    """Log out and say so (a page of its own, not the log-in form: a shared computer shows
    plainly that the session is over)."""
    auth_logout(request)  # audited by palava.accounts.auth_events
    return render(request, "accounts/logged_out.html")


# --- Two-factor authentication ----------------------------------------------------------------


def _code_error(form: Any, result: tf.VerifyResult) -> None:
    if result.outcome is tf.VerifyOutcome.THROTTLED:
        form.add_error("code", _("Too many wrong codes. Wait a few seconds, then type a new code."))
    else:
        form.add_error("code", _("This code is not valid. Type the current code from your app."))


def _render_setup(
    request: HttpRequest, form: TotpCodeForm, next_url: str, status: int = 200
) -> HttpResponse:
    device = tf.totp_setup_start(actor=request.user, user=request.user)
    response = render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_data_uri": tf.totp_qr_data_uri(device),
            "secret": tf.totp_secret_base32(device),
        },
        status=status,
    )
    return _no_store(response)


def _render_recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    return _no_store(response)


def _mark_verified(request: HttpRequest, device: Any) -> None:
    request.session.cycle_key()  # a new session id when the session gains the second factor
    django_otp.login(request, device)


@login_view
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor authentication, or verify this session with a code.

    - No confirmed device: show a QR code and the secret, confirm with a code, then show ten
      recovery codes once.
    - A confirmed device, session not yet verified: ask for a code (or a recovery code), mark the
      session verified and go on to a safe ``next``.
    - Session verified: show the status, with links to new recovery codes and to turn it off.
    """
    user: Any = request.user
    next_url = safe_next(request)
    device = tf.confirmed_totp_device(user=user)

    if device is None:
        if request.method != "POST":
            return _render_setup(request, TotpCodeForm(), next_url)
        setup_form = TotpCodeForm(request.POST)
        if setup_form.is_valid():
            enrolment = tf.totp_setup_confirm(
                actor=user, user=user, code=setup_form.cleaned_data["code"]
            )
            if enrolment is not None:
                _mark_verified(request, enrolment.device)
                return _render_recovery_codes(request, enrolment.recovery_codes, next_url)
            setup_form.add_error(
                "code", _("This code is not valid. Check the time on your phone and try again.")
            )
        return _render_setup(request, setup_form, next_url, status=400)

    if user.is_verified() and request.method != "POST":
        return render(
            request,
            "accounts/two_factor_status.html",
            {
                "device": device,
                "recovery_codes_left": tf.recovery_codes_left(user=user),
                "regenerate_form": TotpCodeForm(),
            },
        )

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = tf.two_factor_verify(actor=user, user=user, code=form.cleaned_data["code"])
        if result.ok:
            _mark_verified(request, result.device)
            if not isinstance(result.device, type(device)):
                left = tf.recovery_codes_left(user=user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(left)s are left. Each works once only. "
                        "Make new ones on the two-factor page if you are running out."
                    )
                    % {"left": left},
                )
            return redirect(next_url)
        _code_error(form, result)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": next_url}, status=status
    )


@login_view
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off (to reset it, e.g. on a new phone) with a current code."""
    user: Any = request.user
    if not tf.has_two_factor(user=user):
        return redirect("accounts:two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = tf.two_factor_disable(actor=user, user=user, code=form.cleaned_data["code"])
        if result.ok:
            messages.success(
                request,
                _(
                    "Two-factor authentication is off. Missions that require it will ask you "
                    "to set it up again."
                ),
            )
            return redirect("accounts:two_factor")
        _code_error(form, result)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor_disable.html", {"form": form}, status=status)


@login_view
@sensitive_post_parameters("code")
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), after a current code from the app."""
    user: Any = request.user
    if not tf.has_two_factor(user=user):
        return redirect("accounts:two_factor")
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        codes = tf.recovery_codes_regenerate(actor=user, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            return _render_recovery_codes(request, codes, resolve_url("accounts:two_factor"))
        form.add_error("code", _("This code is not valid. Type the current code from your app."))
    device = tf.confirmed_totp_device(user=user)
    return render(
        request,
        "accounts/two_factor_status.html",
        {
            "device": device,
            "recovery_codes_left": tf.recovery_codes_left(user=user),
            "regenerate_form": form,
        },
        status=400,
    )


# --- Personal API tokens ----------------------------------------------------------------------


@mission_view(Perm.TOKEN_OWN)
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest, mission_slug: str) -> HttpResponse:
    """The user's own tokens in this mission and a form to create one.

    A new token's raw value is rendered once, directly in the POST response (never stored, never
    in a redirect or a session message), with ``Cache-Control: no-store``.
    """
    mission = request.mission  # type: ignore[attr-defined]
    user: Any = request.user
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = token_create(
                actor=user,
                user=user,
                mission=mission,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except TokenError:
            form.add_error(None, _("The token cannot be created."))
        else:
            response = render(
                request,
                "accounts/token_created.html",
                {"mission": mission, "token": new.token, "raw_token": new.raw},
                status=201,
            )
            return _no_store(response)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/tokens.html",
        {"mission": mission, "tokens": token_list(user=user, mission=mission), "form": form},
        status=status,
    )


@mission_view(Perm.TOKEN_OWN)
@require_POST
def token_revoke_page(request: HttpRequest, mission_slug: str, public_id: str) -> HttpResponse:
    """Revoke one of the user's own tokens; anyone else's token answers 404."""
    mission = request.mission  # type: ignore[attr-defined]
    token = token_get(user=request.user, mission=mission, public_id=public_id)
    if token is None:
        raise Http404(_("No such token."))
    token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens", mission_slug=mission.slug)
