"""Pages of the recipients app: the read-only directory for clerks, drafters and signers, a
person's own profile (their language, their notice preference, their two-factor login, their
API tokens), the
menu's language switch, and the login's second step (a code from the authenticator app) with
the app's set-up."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, user_login_failed
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language
from django_otp import login as otp_login

from common.ratelimit import ratelimit
from recipients.forms import (
    ApiTokenForm,
    DirectorySearchForm,
    EnrolCodeForm,
    LoginCodeForm,
    NoticePreferenceForm,
)
from recipients.models import User
from recipients.selectors import (
    api_tokens_of,
    backup_codes_left,
    directory_groups,
    directory_units,
    two_factor_state,
)
from recipients.services import (
    TwoFactorError,
    api_token_create,
    api_token_revoke,
    backup_codes_renew,
    login_code_verify,
    totp_device_begin,
    totp_device_confirm,
    two_factor_devices_remove,
    user_language_set,
    user_notice_preference_set,
)

UNITS_PER_PAGE = 100


@login_required
@permission_required("recipients.view_directory", raise_exception=True)
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    query, kind = "", ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    page = Paginator(directory_units(query=query, kind=kind), UNITS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "query": query,
        "kind": kind,
        "page": page,
        "groups": directory_groups(query=query) if not kind else [],
    }
    # htmx live search swaps only the results.
    template = (
        "recipients/partials/directory_results.html"
        if request.headers.get("HX-Request")
        else "recipients/directory.html"
    )
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = NoticePreferenceForm(request.POST)
        if form.is_valid():
            user_notice_preference_set(user=user, by_email=form.cleaned_data["notify_by_email"])
            response = redirect("recipients:profile")
            if form.cleaned_data["language"]:
                user_language_set(user=user, language=form.cleaned_data["language"])
                _remember_in_browser(response, user.language)
            with translation.override(user.language or translation.get_language()):
                messages.success(request, _("Your choice is saved."))
            return response
    else:
        form = NoticePreferenceForm(
            initial={
                "notify_by_email": user.notify_by_email,
                "language": user.language or get_language(),
            }
        )
    return _profile_page(request, form=form)


def _profile_page(request, *, form=None, token_form=None, secret=None, status=200):
    user = request.user
    if form is None:
        form = NoticePreferenceForm(
            initial={
                "notify_by_email": user.notify_by_email,
                "language": user.language or get_language(),
            }
        )
    context = {
        "form": form,
        "profile_user": user,
        "two_factor": two_factor_state(user=user),
        "backup_codes_left": backup_codes_left(user=user),
        "token_form": token_form or ApiTokenForm(),
        "tokens": api_tokens_of(user),
        "new_secret": secret,
    }
    return render(request, "recipients/profile.html", context, status=status)


@login_required
@require_POST
def api_token_new(request: HttpRequest) -> HttpResponse:
    """Make a token; its secret is on this one response only (never stored, never again)."""
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, secret = api_token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # NoStoreMiddleware keeps the page (and the secret) out of every cache.
            return _profile_page(request, secret=secret)
    return _profile_page(request, token_form=form, status=400)


@login_required
@require_POST
def api_token_end(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_tokens_of(request.user), pk=pk)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token has been revoked."))
    return redirect("recipients:profile")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The menu's language buttons: Django's set_language (the cookie, the way back to the
    page), and for a signed-in person their own choice, kept for every browser they use."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in User.Language.values:
        user_language_set(user=request.user, language=language)
    return response


def _remember_in_browser(response: HttpResponse, language: str) -> None:
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


# --- Two-factor login -----------------------------------------------------------------------


def _next_url(request: HttpRequest) -> str:
    """Where the person was going (a path of the portal only), else the home page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    second_step = (reverse("recipients:two_factor_login"), reverse("recipients:two_factor_enrol"))
    if (
        target
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not target.startswith(second_step)
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, target: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': target})}"


def _verified(request: HttpRequest, device) -> None:
    """The second step is passed: the session remembers the device, under a new session key."""
    otp_login(request, device)
    request.session.cycle_key()


def _qr_data_url(text: str) -> str:
    """The QR code as an inline SVG image (the policy allows data: images, no inline script)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@ratelimit("login-code", setting="RATELIMIT_LOGIN", methods=("POST",))
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_login(request: HttpRequest) -> HttpResponse:
    """The login's second step: the code from the app, or one backup code.

    A wrong code counts as a failed login for django-axes (the same username-and-address
    lockout as a wrong password: when it locks, the session ends) and for the login rate limit."""
    user = request.user
    target = _next_url(request)
    if user.is_verified():
        return redirect(target)
    state = two_factor_state(user=user)
    if not state.enrolled:
        return redirect(
            _with_next("recipients:two_factor_enrol", target) if state.required else target
        )
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, None, credentials)
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = login_code_verify(user=user, token=form.cleaned_data["otp_token"])
        if check.device is not None:
            _verified(request, check.device)
            return redirect(target)
        if check.wait_seconds:
            form.add_error(
                "otp_token",
                _("Too many wrong codes: wait %(seconds)d seconds, then type the newest code.")
                % {"seconds": check.wait_seconds},
            )
        else:
            form.add_error(
                "otp_token",
                _(
                    "The code is wrong or has already been used. Type the 6 digits the app "
                    "shows now, or one of your backup codes."
                ),
            )
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                logout(request)  # django-axes' middleware answers with its lockout page
    return render(
        request,
        "registration/two_factor_login.html",
        {"form": form, "next": target, "has_app": state.has_app},
    )


@ratelimit("login-code", setting="RATELIMIT_LOGIN", methods=("POST",))
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code, type the code it shows, note the backup
    codes. A person who has an app must pass the second step first: a password alone never
    replaces the app."""
    user = request.user
    target = _next_url(request)
    state = two_factor_state(user=user)
    if state.enrolled and not user.is_verified():
        return redirect(_with_next("recipients:two_factor_login", target))
    form = EnrolCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_device_confirm(user=user, token=form.cleaned_data["otp_token"])
        except TwoFactorError as exc:
            form.add_error("otp_token", str(exc))
        else:
            _verified(request, device)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": target, "first_time": True},
            )
    device = totp_device_begin(user=user)
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "next": target,
            "qr_code": _qr_data_url(device.config_url),
            "secret": _grouped(base64.b32encode(device.bin_key).decode("ascii")),
            "required": state.required,
            "replacing": state.has_app,
        },
    )


@login_required
@require_POST
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes (the old stop working), shown once."""
    if not request.user.is_verified():
        return redirect(_with_next("recipients:two_factor_login", reverse("recipients:profile")))
    try:
        codes = backup_codes_renew(user=request.user)
    except TwoFactorError as exc:
        messages.error(request, str(exc))
        return redirect("recipients:profile")
    return render(
        request,
        "registration/two_factor_codes.html",
        {"codes": codes, "next": reverse("recipients:profile"), "first_time": False},
    )


@login_required
@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login off: only for a person who is not required to use it."""
    if two_factor_state(user=request.user).required:
        messages.error(
            request,
            _("Your unit requires two-factor login for your role: it cannot be turned off."),
        )
    elif request.user.is_verified():
        two_factor_devices_remove(user=request.user)
        messages.success(request, _("Two-factor login is off."))
    return redirect("recipients:profile")
