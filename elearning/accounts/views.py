"""Sign-up, sign-in and password reset pages (Django's auth views with our forms)."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .forms import AccountDeleteForm, QueuedPasswordResetForm, RegistrationForm, SignInForm
from .models import User
from .personal_data import personal_data_export
from .services import user_delete, user_register

# Signs the opt-out links in reminder e-mails (progress.reminders makes them).
REMINDER_OPT_OUT_SALT = "reminders-opt-out"


def _home_url(language: str) -> str:
    return f"/{language}/"


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect(_home_url(request.LANGUAGE_CODE))
    initial = {"preferred_language": request.LANGUAGE_CODE}
    form = RegistrationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user = user_register(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        with translation.override(user.preferred_language):
            messages.success(request, _("Welcome! Your account has been created."))
        return redirect(_home_url(user.preferred_language))
    return render(request, "accounts/register.html", {"form": form})


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_success_url(self):
        url = self.get_redirect_url()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts={self.request.get_host()}):
            return url
        # No explicit destination: the home page in the language the person chose.
        return _home_url(self.request.user.preferred_language)


class SignOutView(auth_views.LogoutView):
    template_name = "accounts/signed_out.html"

    def get_success_url(self):
        return _home_url(translation.get_language())


password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


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
        logout(request)
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
