"""Wagtail's user admin, extended with the learner profile and the manager's organisations."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import SignInEvent
from .names import NameField

PROFILE_FIELDS = [
    "preferred_language",
    "organisation",
    "role_category",
    "managed_organisations",
    "managed_counties",
    "manages_nationally",
    "digest_opt_out",
]


class ProfileFieldsMixin(forms.ModelForm):
    # Wagtail's user forms declare the names as plain CharFields (same labels, so Wagtail's
    # translations apply); these drop control characters.
    first_name = NameField(required=True, label=_("First Name"))
    last_name = NameField(required=True, label=_("Last Name"))
    managed_organisations = forms.ModelMultipleChoiceField(
        label=_("Managed organisations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("A manager sees reports on the learners of these organisations only."),
    )
    managed_counties = forms.ModelMultipleChoiceField(
        label=_("Managed counties"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "Every organisation in these counties: municipalities, region and county board."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from elearning.organisations.models import County, Organisation

        self.fields["managed_organisations"].queryset = Organisation.objects.all()
        self.fields["managed_counties"].queryset = County.objects.all()


class AdminUserCreationForm(ProfileFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | set(PROFILE_FIELDS)


class AdminUserEditForm(ProfileFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | set(PROFILE_FIELDS)


class UserViewSet(WagtailUserViewSet):
    create_template_name = "accounts/admin/user_create.html"
    edit_template_name = "accounts/admin/user_edit.html"

    def get_form_class(self, for_update=False):
        return AdminUserEditForm if for_update else AdminUserCreationForm


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """The sign-in log is written by the site only: administrators (and superusers) may read
    it, nobody may add, change or delete rows through the admin."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, "view")

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(["view"] if "view" in actions else [])


class SignInEventViewSet(ModelViewSet):
    """Settings → Sign-in log: every attempt to sign in (issue 16), newest first, read-only."""

    model = SignInEvent
    icon = "key"
    menu_label = _("Sign-in log")
    add_to_settings_menu = True
    url_prefix = "sign-in-log"
    name = "sign_in_log"
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []  # never edited (ReadOnlyPermissionPolicy)
    list_display = ["at", "outcome", "typed_address", "user", "client_address", "method"]
    list_filter = ["outcome", "method"]
    search_fields = ["typed_address", "client_address"]
    search_backend_name = None  # plain icontains filters: the log is not in the search index
    ordering = ["-at"]
    list_per_page = 50


sign_in_log_viewset = SignInEventViewSet()
