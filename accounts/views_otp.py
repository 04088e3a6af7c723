"""The console's two-factor pages, in the admin's look: the code step, enrolment, recovery codes.

Routes (callbot_site/urls.py): /admin/two-factor/ (enrolment, or the account's two-factor status),
/admin/two-factor/verify/ (the code after the password), /admin/two-factor/recovery-codes/ (shown once).
The rules and the writes are in accounts/two_factor.py.
"""

import segno
from django import forms
from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import two_factor
from core.errors import InvalidInput

NEW_CODES_SESSION_KEY = "two_factor_new_recovery_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text", "spellcheck": "false"}
        ),
    )


def _next_url(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _redirect_with_next(request, url_name: str):
    return redirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: _next_url(request)})}")


def _render(request, template: str, title: str, **context) -> TemplateResponse:
    return TemplateResponse(
        request,
        f"accounts/two_factor/{template}",
        {**admin.site.each_context(request), "title": title, "next": _next_url(request), **context},
    )


def _login_first(request):
    return redirect_to_login(request.get_full_path(), reverse("admin:login"), REDIRECT_FIELD_NAME)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of the login: a code from the authenticator app, or a recovery code."""
    user = request.user
    if not user.is_authenticated:
        return _login_first(request)
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_device(user):
        return _redirect_with_next(request, "two_factor_setup")
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if two_factor.verify_code(request=request, code=form.cleaned_data["code"]) is not None:
            request.session.cycle_key()  # a new session id once the second factor is in
            return redirect(_next_url(request))
        wait = two_factor.wait_seconds(user)
        form.add_error("code", "Wrong or already used code." + (f" Wait {wait} s before the next try." if wait else ""))
    return _render(request, "verify.html", "Two-factor verification", form=form)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Enrol an authenticator app; once enrolled (and verified), the account's status and new recovery codes."""
    user = request.user
    if not user.is_authenticated:
        return _login_first(request)
    if two_factor.has_device(user):
        if not user.is_verified():  # never re-enrol on a password alone
            return _redirect_with_next(request, "two_factor_verify")
        return _status(request)
    form = CodeForm(request.POST or None)
    device = two_factor.start_enrolment(user=user)
    if form.is_valid():
        try:
            device, codes = two_factor.confirm_enrolment(user=user, code=form.cleaned_data["code"])
        except InvalidInput as exc:
            form.add_error("code", exc.errors.get("code", [exc.message])[0])
        else:
            two_factor.verify_session(request=request, device=device)
            request.session.cycle_key()
            request.session[NEW_CODES_SESSION_KEY] = codes
            return _redirect_with_next(request, "two_factor_recovery_codes")
    uri = device.config_url
    return _render(
        request,
        "setup.html",
        "Set up two-factor authentication",
        form=form,
        required=two_factor.two_factor_required(user),
        otpauth_uri=uri,
        secret=two_factor.base32_secret(device),
        qr_svg=segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff"),
    )


def _status(request):
    if request.method == "POST" and request.POST.get("action") == "replace-recovery-codes":
        request.session[NEW_CODES_SESSION_KEY] = two_factor.replace_recovery_codes(user=request.user)
        messages.success(request, "New recovery codes: the previous ones no longer work.")
        return redirect("two_factor_recovery_codes")
    return _render(
        request,
        "status.html",
        "Two-factor authentication",
        recovery_codes_left=two_factor.recovery_codes_left(request.user),
        required=two_factor.two_factor_required(request.user),
    )


@never_cache
def recovery_codes(request):
    """The recovery codes just made, shown once: leaving the page forgets them."""
    if not request.user.is_authenticated:
        return _login_first(request)
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("two_factor_setup")
    return _render(request, "recovery_codes.html", "Your recovery codes", codes=codes)
