"""Admin wiring of accounts: the sign-in log (issue 16)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import SignInEvent
from .viewsets import ReadOnlyPermissionPolicy

register_permission_policy(SignInEvent, ReadOnlyPermissionPolicy(SignInEvent))


@hooks.register("register_admin_viewset")
def register_sign_in_log():
    from .viewsets import sign_in_log_viewset

    return sign_in_log_viewset
