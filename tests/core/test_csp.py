"""Content-Security-Policy on every response: strict for the site, Wagtail's needs for the
admin, and present on error pages too."""

import base64
import hashlib
import re

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict_site_policy(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/sv/", "/en/", "/sv/kurser/", "/sv/sok/?q=folkhälsa", "/sv/konto/registrera/"]
)
def test_public_pages_get_the_strict_policy(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_strict_site_policy(response)


def test_signed_in_pages_json_and_static_files_get_it_too(client, make_user, site):
    client.force_login(make_user())
    assert_strict_site_policy(client.get("/sv/mina-kurser/"))
    assert_strict_site_policy(client.get("/.well-known/certificate-keys.json"))
    assert_strict_site_policy(client.get("/health/"))


def test_error_pages_get_the_strict_policy(client, site):
    response = client.get("/sv/finns-inte/")
    assert response.status_code == 404
    assert_strict_site_policy(response)
    response = client.post("/sv/framsteg/kurs/1/anmal/")  # not signed in: a redirect
    assert_strict_site_policy(response)


def test_the_500_page_is_allowed_exactly_its_own_inline_style(client, site, settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("a bug")

    class Urls:
        urlpatterns = [path("broken/", broken)]

    settings.ROOT_URLCONF = Urls
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    assert_strict_site_policy(response)
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy(response)["style-src"]
    assert (ROOT / "templates" / "500.html").read_text(encoding="utf-8").count("<style>") == 1


def test_the_admin_gets_its_own_policy(client, make_user, site):
    client.force_login(make_user(email="admin@example.org", is_superuser=True))
    response = client.get("/admin/")
    assert response.status_code == 200
    csp = policy(response)
    # Wagtail's own files and the inline elements its bundle inserts; never eval, no other site.
    assert csp["script-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["connect-src"] == ["'self'"] and csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]  # previews are framed by the admin
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    # The admin's sign-in redirect and error pages are the admin's too.
    client.logout()
    assert policy(client.get("/admin/pages/"))["script-src"] == ["'self'", "'unsafe-inline'"]


def test_templates_have_no_inline_script_or_style_the_policy_would_block():
    """The site policy allows no inline script or style (the 500 page's style by hash): a
    template that adds one would be blocked in every browser."""
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        relative = template.relative_to(ROOT / "templates").as_posix()
        if relative.startswith(("certificates/certificate.html", "500.html")):
            continue  # the PDF (WeasyPrint, never a browser) and the hashed 500 page
        text = template.read_text(encoding="utf-8")
        if relative.startswith(("accounts/admin/", "certificates/admin/", "progress/admin/")):
            continue  # admin templates: the admin policy
        # A script file of the site's own (<script src>) is allowed where a view's policy
        # allows 'self' (the timed quiz, issue 14; the security-key pages, issue 16), and so
        # is a JSON data block (type="application/json", never run); an inline script never.
        inline_script = r"<script(?![^>]*\s(?:src=|type=\"application/json\"))"
        if re.search(inline_script + r"|<style|\sstyle=|\son[a-z]+=|javascript:", text, re.I):
            offenders.append(relative)
    assert offenders == []
