from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views


class CodeConverter:
    """A verification code: URL-safe base64, as ``verification_code`` makes them."""

    regex = "[A-Za-z0-9_-]{16,64}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(CodeConverter, "code")

urlpatterns = [
    path(_("download/"), views.certificates_download, name="certificates_download"),
    path("<code:code>/", views.certificate_verify, name="certificate_verify"),
    path("<code:code>/pdf/", views.certificate_pdf, name="certificate_pdf"),
]
