from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views


class CodeConverter:
    """A verification code: lower-case base32 (32 characters for 160 bits), as
    ``verification_code`` makes them; the wider pattern keeps older or longer codes valid."""

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
