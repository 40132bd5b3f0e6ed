from wagtail.permission_policies import ModelPermissionPolicy


class FeedbackPermissionPolicy(ModelPermissionPolicy):
    """Feedback messages come from the public form only: nobody adds one in the admin."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return super().user_has_any_permission(user, [a for a in actions if a != "add"])
