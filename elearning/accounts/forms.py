"""Forms for signing up, signing in and resetting a password, in the user's language."""

from allauth.account import forms as allauth_forms
from allauth.mfa.webauthn.forms import AddWebAuthnForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from elearning.organisations.models import Organisation

from .models import RoleCategory, User
from .names import NameField


def organisation_choices() -> list:
    """Active organisations grouped by kind, for a <select> with <optgroup>s (one query)."""
    groups: dict[str, list] = {}
    for organisation in Organisation.objects.filter(is_active=True).order_by("kind", "name"):
        groups.setdefault(organisation.kind, []).append((organisation.pk, organisation.name))
    order = [kind for kind, _ in Organisation.Kind.choices]
    return [("", _("Choose your organisation"))] + [
        (Organisation.Kind(kind).label, groups[kind]) for kind in order if kind in groups
    ]


class SignupForm(allauth_forms.SignupForm):
    """A learner creates their own account (allauth's sign-up with our profile fields);
    managers and authors are given roles later. The account is saved by
    ``AccountAdapter.save_user``; an address that already has an account creates nothing and
    gets the same answer (allauth mails its owner instead)."""

    first_name = NameField(label=capfirst(User._meta.get_field("first_name").verbose_name))
    last_name = NameField(label=capfirst(User._meta.get_field("last_name").verbose_name))
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_("Where you work. Type the first letters of the name to jump in the list."),
        error_messages={
            "required": _("Choose your organisation."),
            "invalid_choice": _("That organisation is not in our list. Choose one from the list."),
        },
    )
    role_category = forms.ChoiceField(
        label=_("Your role"),
        choices=RoleCategory.choices,
        initial=RoleCategory.OTHER,
        help_text=_("Used only in statistics for your organisation."),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    field_order = [
        "first_name",
        "last_name",
        "email",
        "organisation",
        "role_category",
        "preferred_language",
        "password1",
        "password2",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.choices = organisation_choices()
        email = self.fields["email"]
        email.label = capfirst(User._meta.get_field("email").verbose_name)
        email.help_text = _("You sign in with your e-mail address.")
        email.widget.attrs.pop("placeholder", None)
        email.error_messages["invalid"] = _("Enter a valid e-mail address, such as name@kommun.se.")
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("Password confirmation")
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "organisation": "organization",
            "password1": "new-password",
            "password2": "new-password",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
            self.fields[name].widget.attrs.pop("placeholder", None)
        # Django's form focuses the e-mail field (the third) on load, past the heading, the
        # text and, after a mistake, the error summary (issue 14, WCAG 2.4.3).
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean(self):
        # allauth's BaseSignupForm checks; the password is then checked here against a
        # would-be user with the name too (allauth's own check knows only the address).
        cleaned = allauth_forms.BaseSignupForm.clean(self)
        password = cleaned.get("password1")
        if password:
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if password and "password2" in cleaned and password != cleaned["password2"]:
            self.add_error("password2", _("The two password fields didn’t match."))
        return cleaned

    def signup(self, request, user) -> None:
        """allauth's hook after the user row exists (the profile is set in save_user)."""


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form with the e-mail address, labelled as before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = capfirst(User._meta.get_field("email").verbose_name)
        # Focus the first field of an empty form only: after a mistake the error summary
        # comes first (issue 14, WCAG 2.4.3).
        attrs = {"autocomplete": "email"}
        if not self.is_bound:
            attrs["autofocus"] = True
        login.widget = forms.EmailInput(attrs=attrs)
        password = self.fields["password"]
        password.help_text = ""
        password.widget.attrs.pop("placeholder", None)


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    """allauth's request for a reset link; the same answer whether the address is known."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = capfirst(User._meta.get_field("email").verbose_name)
        email.widget = forms.EmailInput(attrs={"autocomplete": "email"})


class AccountDeleteForm(forms.Form):
    """Deleting an account asks for the password and an explicit confirmation."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my name cannot be restored."),
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is wrong."), code="wrong_password")
        return password


class AddSecurityKeyForm(AddWebAuthnForm):
    """allauth's form for adding a security key or passkey, with our label and help text and a
    length limit; the browser's own dialog does the rest (``MFA_FORMS["add_webauthn"]``)."""

    name = forms.CharField(
        required=False,
        max_length=100,
        label=_("Name of the key"),
        help_text=_(
            "So that you can tell your keys apart later, e.g. 'YubiKey at work' or 'Phone'."
        ),
    )
