"""Forms for signing up, signing in and resetting a password, in the user's language."""

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordResetForm,
)
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from elearning.core.tasks import email_send
from elearning.organisations.models import Organisation

from .models import User
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


class RegistrationForm(BaseUserCreationForm):
    """A learner creates their own account; managers and authors are given roles later."""

    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(is_active=True),
        help_text=_("Where you work. Type the first letters of the name to jump in the list."),
        error_messages={
            "required": _("Choose your organisation."),
            "invalid_choice": _("That organisation is not in our list. Choose one from the list."),
        },
    )

    class Meta:
        model = User
        fields = (
            "first_name",
            "last_name",
            "email",
            "organisation",
            "role_category",
            "preferred_language",
        )
        field_classes = {"first_name": NameField, "last_name": NameField}
        labels = {"role_category": _("Your role"), "preferred_language": _("Language")}
        help_texts = {
            "email": _("You sign in with your e-mail address."),
            "role_category": _("Used only in statistics for your organisation."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.choices = organisation_choices()
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["email"].error_messages["invalid"] = _(
            "Enter a valid e-mail address, such as name@kommun.se."
        )
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
        # Django's form focuses the e-mail field (the third) on load, past the heading, the
        # text and, after a mistake, the error summary (issue 14, WCAG 2.4.3).
        self.fields["email"].widget.attrs.pop("autofocus", None)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _(
                    "There is already an account with this e-mail address. "
                    "Sign in, or reset your password."
                ),
                code="duplicate_email",
            )
        return email


class SignInForm(AuthenticationForm):
    """Django's sign-in form with the e-mail address as the user name."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "The e-mail address or the password is wrong. Check them and try again."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail address")
        # Focus the first field of an empty form only: after a mistake the error summary
        # comes first (issue 14, WCAG 2.4.3).
        attrs = (
            {"autocomplete": "email"}
            if self.is_bound
            else {"autocomplete": "email", "autofocus": True}
        )
        self.fields["username"].widget = forms.EmailInput(attrs=attrs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class QueuedPasswordResetForm(PasswordResetForm):
    """Renders the reset e-mail in the request's language and hands it to Celery to send.

    Sending in the request would make the page wait for (and fail with) the SMTP server.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else None
        )
        transaction.on_commit(
            lambda: email_send.delay(subject=subject, body=body, to=[to_email], html_body=html_body)
        )


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
