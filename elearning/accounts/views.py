"""The account's own pages (data download, deletion, opt-outs); signing in and up is allauth's."""

from allauth.account import views as account_views
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .forms import AccountDeleteForm
from .models import User
from .personal_data import personal_data_export
from .services import user_delete

# Signs the opt-out links in reminder e-mails (progress.reminders makes them).
REMINDER_OPT_OUT_SALT = "reminders-opt-out"


def _home_url(language: str) -> str:
    return f"/{language}/"


# Signing in, up and out and resetting a password are allauth's views (see auth_urls.py);
# these names keep the older "accounts:…" URL names working at the same addresses.
login = account_views.login
logout = account_views.logout
signup = account_views.signup
password_reset = account_views.password_reset


def admin_login(request):
    """Wagtail's /admin/login/ leads to the site's sign-in (throttled, with the second
    factor); it never checks a password itself."""
    url = reverse("account_login")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        url += "?" + urlencode({"next": next_url})
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What we store about the learner, to download (POST) as JSON."""
    if request.method == "POST":
        data = personal_data_export(request.user)
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="mina-uppgifter.json"'
        return response
    return render(request, "accounts/my_data.html")


@sensitive_post_parameters("password")
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        language = translation.get_language()
        user_delete(user=request.user)
        auth_logout(request)
        with translation.override(language):
            messages.success(request, _("Your account has been deleted."))
        return redirect(_home_url(language))
    return render(request, "accounts/delete_account.html", {"form": form})


def signed_opt_out(request, token: str, *, salt: str, field: str, template: str):
    """The page behind an opt-out link in an e-mail, without signing in: ``token`` is the
    user's id signed with ``salt``; a GET asks (and says if it is already done), a POST sets
    the user's boolean ``field``; a tampered or unknown token gets 400 and changes nothing."""
    try:
        user = User.objects.filter(pk=signing.loads(token, salt=salt)).first()
    except signing.BadSignature:
        user = None
    if user is None:
        return render(request, template, {"invalid": True}, status=400)
    done = getattr(user, field)
    if request.method == "POST":
        User.objects.filter(pk=user.pk).update(**{field: True})
        done = True
    return render(request, template, {"done": done})


@require_http_methods(["GET", "POST"])
def reminders_opt_out(request, token):
    """Stop reminder e-mails from the link in one, without signing in."""
    return signed_opt_out(
        request,
        token,
        salt=REMINDER_OPT_OUT_SALT,
        field="reminders_opt_out",
        template="accounts/reminders_opt_out.html",
    )
