from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from certificates import views as certificate_views
from courses import views as course_views
from elearning.accounts import views as account_views
from elearning.core import views as core_views
from packages.urls import commit_urlpatterns as package_commit_urlpatterns
from progress import pagecache as learner_pagecache
from progress import views as progress_views

urlpatterns = [
    path("health/", core_views.health, name="health"),
    # Issue 16: Wagtail's sign-in page leads to the site's (allauth: throttled, second factor).
    path("admin/login/", account_views.admin_login, name="admin_login"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Issue 18: package files on the package host; run-time data posted on the site.
    path("packages/", include("packages.urls")),
    path("package-data/", include(package_commit_urlpatterns)),
    # The public keys that sign certificates (JSON Web Key Set), at a well-known address.
    path(
        ".well-known/certificate-keys.json",
        certificate_views.certificate_keys,
        name="certificate_keys",
    ),
    # Issue 16: SAML and OpenID Connect endpoints, the same in every language.
    path("federation/", include("elearning.federation.provider_urls")),
]

# Everything a learner sees carries its language in the address: /sv/… and /en/….
urlpatterns += i18n_patterns(
    # allauth's pages (sign-in, sign-up, reset, second factor) under their own URL names, then
    # the account's own pages (issue 16).
    path(_("account/"), include("elearning.accounts.auth_urls")),
    path(_("account/"), include("elearning.accounts.urls")),
    # Issue 16: "Sign in via your organisation" and allauth's social-account pages.
    path(_("account/"), include("elearning.federation.urls")),
    path(_("account/"), include("elearning.federation.social_urls")),
    path(_("search/"), course_views.search, name="search"),
    path(_("my-courses/"), progress_views.dashboard, name="dashboard"),
    path(_("progress/"), include("progress.urls")),
    path(_("reports/"), include("reports.urls")),
    path(_("quiz/"), include("quizzes.urls")),
    path(_("certificates/"), include("certificates.urls")),
    # Issue 14: the accessibility feedback form (the statement itself is a Wagtail page).
    path(_("accessibility/"), include("elearning.legal.urls")),
    # Wagtail's pages, routed through the cached route lookup (courses/routing.py), the
    # signed-in learner's from the learner's page cache (progress/pagecache.py); Wagtail's
    # own patterns after it (password-restricted pages, its front-end sign-in).
    re_path(wagtail_urls.serve_pattern, learner_pagecache.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
