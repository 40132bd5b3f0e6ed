"""Admin wiring of the legal app: the feedback messages."""

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_feedback_viewset():
    from .viewsets import FeedbackMessageViewSet

    return FeedbackMessageViewSet("legal_feedback")
