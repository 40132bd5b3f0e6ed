"""allauth's account and second-factor pages at translated, Swedish-first addresses
(/sv/konto/logga-in/, /en/account/sign-in/), under allauth's own URL names (``account_login``,
``mfa_index``…), which allauth's views and redirects reverse. Included by elearning/urls.py in
i18n_patterns under "account/"; no namespace, on purpose."""

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.webauthn import views as webauthn_views
from csp.decorators import csp_replace
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _

# The pages that use a security key (WebAuthn) run allauth's own two scripts and ours, from this
# site only; every other page keeps the site's "no script" policy (issue 16).
with_key_scripts = csp_replace({"script-src": ["'self'"]})

urlpatterns = [
    path(_("sign-in/"), account_views.login, name="account_login"),
    path(_("sign-out/"), account_views.logout, name="account_logout"),
    path(_("inactive/"), account_views.account_inactive, name="account_inactive"),
    path(_("register/"), account_views.signup, name="account_signup"),
    path(_("confirm-again/"), account_views.reauthenticate, name="account_reauthenticate"),
    path(
        _("confirm-again/code/"),
        account_views.request_reauthentication_code,
        name="account_request_reauthentication_code",
    ),
    path(
        _("confirm-again/code/confirm/"),
        account_views.confirm_reauthentication_code,
        name="account_confirm_reauthentication_code",
    ),
    path(_("e-mail/"), account_views.email, name="account_email"),
    path(
        _("e-mail/confirm/"),
        account_views.email_verification_sent,
        name="account_email_verification_sent",
    ),
    re_path(
        _(r"^e-mail/confirm/(?P<key>[-:\w]+)/$"),
        account_views.confirm_email,
        name="account_confirm_email",
    ),
    path(_("password/change/"), account_views.password_change, name="account_change_password"),
    path(_("password/set/"), account_views.password_set, name="account_set_password"),
    path(_("password/reset/"), account_views.password_reset, name="account_reset_password"),
    path(
        _("password/reset/sent/"),
        account_views.password_reset_done,
        name="account_reset_password_done",
    ),
    re_path(
        _(r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$"),
        account_views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        _("password/reset/done/"),
        account_views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Second factor (allauth.mfa): TOTP or security keys, with recovery codes.
    path(_("two-factor/"), mfa_views.index, name="mfa_index"),
    path(_("two-factor/code/"), with_key_scripts(mfa_views.authenticate), name="mfa_authenticate"),
    path(_("two-factor/confirm-again/"), mfa_views.reauthenticate, name="mfa_reauthenticate"),
    path(_("two-factor/app/on/"), totp_views.activate_totp, name="mfa_activate_totp"),
    path(_("two-factor/app/off/"), totp_views.deactivate_totp, name="mfa_deactivate_totp"),
    path(
        _("two-factor/recovery-codes/"),
        recovery_views.view_recovery_codes,
        name="mfa_view_recovery_codes",
    ),
    path(
        _("two-factor/recovery-codes/new/"),
        recovery_views.generate_recovery_codes,
        name="mfa_generate_recovery_codes",
    ),
    # Security keys and passkeys used as the second factor (WebAuthn; not as a sign-in
    # without a password: MFA_PASSKEY_LOGIN_ENABLED is off).
    path(_("two-factor/keys/"), webauthn_views.list_webauthn, name="mfa_list_webauthn"),
    path(
        _("two-factor/keys/add/"),
        with_key_scripts(webauthn_views.add_webauthn),
        name="mfa_add_webauthn",
    ),
    path(
        _("two-factor/keys/confirm-again/"),
        with_key_scripts(webauthn_views.reauthenticate_webauthn),
        name="mfa_reauthenticate_webauthn",
    ),
    path(
        _("two-factor/keys/<int:pk>/remove/"),
        webauthn_views.remove_webauthn,
        name="mfa_remove_webauthn",
    ),
    path(
        _("two-factor/keys/<int:pk>/edit/"),
        webauthn_views.edit_webauthn,
        name="mfa_edit_webauthn",
    ),
    path(
        _("two-factor/recovery-codes/download/"),
        recovery_views.download_recovery_codes,
        name="mfa_download_recovery_codes",
    ),
]
